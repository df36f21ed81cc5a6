/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The LXC config language, the engine around the key table (lxc_table.c): lines and includes
 * in, key lookup, the one dispatcher every front end goes through, and the writers (get, dump)
 * that print the spec back in current syntax.
 */
#include "conf/lxc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/lxc_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/parse.h"

/* Deep enough for any real layout (distro common.conf -> common.conf.d -> ...), bounded for loops
 * that realpath cannot see (a path that changes between reads). */
#define LXC_INCLUDE_DEPTH_MAX 32
/* A config file is a few KiB; anything this large is a mistake, not a config. */
#define LXC_FILE_SIZE_MAX (16 << 20)

static int key_errorv(const lxc_ctx *c, nk_err **err, int errnum, const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return nk_err_set(err, ENOMEM, "%s", c->key ? c->key : "config");
	/* A line without a key ("= x", a NUL byte) has only its place to name. */
	const char *key = c->key && *c->key ? c->key : NULL;
	if (c->file && key)
		return nk_err_set(err, errnum, "%s:%u: %s: %s", c->file, c->line, key, msg);
	if (c->file)
		return nk_err_set(err, errnum, "%s:%u: %s", c->file, c->line, msg);
	return nk_err_set(err, errnum, "%s: %s", key ? key : "config", msg);
}

int lxc_key_error(const lxc_ctx *c, nk_err **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = key_errorv(c, err, 0, fmt, ap);
	va_end(ap);
	return r;
}

static int key_error_errno(const lxc_ctx *c, nk_err **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int key_error_errno(const lxc_ctx *c, nk_err **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = key_errorv(c, err, errnum, fmt, ap);
	va_end(ap);
	return r;
}

int lxc_bad_value(const lxc_ctx *c, nk_err **err, const char *expected, const char *value)
{
	return lxc_key_error(c, err, "expected %s, got '%s'", expected, value);
}

int lxc_oom(const lxc_ctx *c, nk_err **err)
{
	return key_error_errno(c, err, ENOMEM, "out of memory");
}

/* ---- values as written in a file ---- */

static bool is_quote(char ch)
{
	return ch == '"' || ch == '\'';
}

bool lxc_split_line(char *line, char **key, char **value)
{
	char *eq = strchr(line, '=');
	if (!eq)
		return false;
	*eq = '\0';
	*key = nk_strstrip(line);
	char *v = nk_strstrip(eq + 1);
	size_t n = strlen(v);
	/* LXC drops one pair of matching quotes, which is how a value keeps outer spaces. */
	if (n > 1 && is_quote(v[0]) && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		v++;
	}
	*value = v;
	return true;
}

void lxc_append_value(nk_strbuf *b, const char *value)
{
	size_t n = strlen(value);
	bool quote =
	    n && (isspace((unsigned char)value[0]) || isspace((unsigned char)value[n - 1]));
	quote = quote || (n > 1 && is_quote(value[0]) && value[n - 1] == value[0]);
	if (quote)
		nk_strbuf_putc(b, '"');
	nk_strbuf_append(b, value);
	if (quote)
		nk_strbuf_putc(b, '"');
}

void lxc_emit(lxc_sink *s, const char *key, const char *value)
{
	size_t wl = s->want ? strlen(s->want) : 0;
	switch (s->mode) {
	case SINK_DUMP:
		nk_strbuf_printf(&s->buf, "%s = ", key);
		lxc_append_value(&s->buf, value);
		nk_strbuf_putc(&s->buf, '\n');
		break;
	case SINK_GET:
		if (strcmp(key, s->want))
			return;
		if (s->count)
			nk_strbuf_putc(&s->buf, '\n');
		nk_strbuf_append(&s->buf, value);
		break;
	case SINK_PREFIX:
		if (strncmp(key, s->want, wl) || key[wl] != '.')
			return;
		nk_strbuf_printf(&s->buf, "%s%s = %s", s->count ? "\n" : "", key, value);
		break;
	case SINK_KEYS:
		/* One line per distinct key in a run (a list key emits once per item). */
		if (s->last && !strcmp(s->last, key))
			return;
		free(s->last);
		s->last = strdup(key);
		nk_strbuf_printf(&s->buf, "%s\n", key);
		break;
	case SINK_COUNT: break;
	}
	s->count++;
}

void lxc_emitf(lxc_sink *s, const char *key, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lxc_emit(s, key, buf);
}

/* ---- key lookup ---- */

static bool row_is_legacy(const lxc_row *r)
{
	return r->kind == ROW_LEGACY || r->kind == ROW_LEGACY_PREFIX;
}

static bool row_is_prefix(const lxc_row *r)
{
	return r->kind == ROW_PREFIX || r->kind == ROW_LEGACY_PREFIX;
}

/* Levenshtein distance, capped: only small typos earn a suggestion. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t prev[65], cur[65];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

static const char *suggest(const char *key, bool net)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; i < lxc_n_rows; i++) {
		const lxc_row *r = &lxc_rows[i];
		if ((r->kind == ROW_NET) != net || row_is_legacy(r) || !r->name[0])
			continue;
		size_t d = edit_distance(key, r->name);
		if (d < best_d) {
			best_d = d;
			best = r->name;
		}
	}
	return best;
}

static int unknown_key(const lxc_ctx *c, const char *key, const char *net_sub, nk_err **err)
{
	const char *hint = suggest(net_sub ? net_sub : key, net_sub != NULL);
	lxc_ctx named = *c;
	named.key = key;
	if (!hint)
		lxc_key_error(&named, err, "unknown key");
	else if (net_sub)
		lxc_key_error(&named, err, "unknown key (did you mean lxc.net.N.%s?)", hint);
	else
		lxc_key_error(&named, err, "unknown key (did you mean %s?)", hint);
	return -ENOENT;
}

static int lookup_net(const lxc_ctx *c, const char *key, lxc_key *out, nk_err **err)
{
	const char *p = key + strlen("lxc.net.");
	size_t digits = strspn(p, "0123456789");
	char idx[16];
	uint64_t index;
	bool ok = digits > 0 && digits < sizeof(idx) && (p[digits] == '.' || !p[digits]);
	if (ok) {
		memcpy(idx, p, digits);
		idx[digits] = '\0';
		ok = nk_parse_u64(idx, INT_MAX, &index) == 0;
	}
	if (!ok) {
		lxc_ctx named = *c;
		named.key = key;
		int n = (int)strcspn(p, ".");
		lxc_key_error(&named, err, "expected a network index (lxc.net.0.type), got '%.*s'",
		              n, p);
		return -EINVAL;
	}
	const char *sub = p[digits] ? p + digits + 1 : "";
	for (size_t i = 0; i < lxc_n_rows; i++) {
		if (lxc_rows[i].kind == ROW_NET && !strcmp(lxc_rows[i].name, sub)) {
			*out = (lxc_key){.row = &lxc_rows[i], .index = (unsigned)index};
			return 0;
		}
	}
	return unknown_key(c, key, sub, err);
}

int lxc_lookup(const lxc_ctx *c, const char *key, lxc_key *out, nk_err **err)
{
	if (nk_str_has_prefix(key, "lxc.net."))
		return lookup_net(c, key, out, err);
	for (size_t i = 0; i < lxc_n_rows; i++) {
		const lxc_row *r = &lxc_rows[i];
		if (r->kind != ROW_NET && !row_is_prefix(r) && !strcmp(r->name, key)) {
			*out = (lxc_key){.row = r};
			return 0;
		}
	}
	for (size_t i = 0; i < lxc_n_rows; i++) {
		const lxc_row *r = &lxc_rows[i];
		size_t n = strlen(r->name);
		if (!row_is_prefix(r) || strncmp(r->name, key, n) || (key[n] && key[n] != '.'))
			continue;
		if (key[n] == '.' && !key[n + 1])
			break; /* "lxc.sysctl." names nothing */
		*out = (lxc_key){.row = r, .sub = key[n] ? key + n + 1 : NULL};
		return 0;
	}
	return unknown_key(c, key, NULL, err);
}

/* ---- the dispatcher ---- */

static int apply_net(lxc_ctx *c, const lxc_key *k, const char *value, nk_err **err)
{
	const lxc_row *r = k->row;
	nk_net *net = nk_spec_net(c->spec, k->index);
	if (!*value) {
		if (!r->name[0])
			nk_spec_net_remove(c->spec, k->index);
		else if (net)
			r->clear(r, net, NULL);
		return 0;
	}
	if (!r->name[0])
		return lxc_key_error(c, err, "takes no value (an empty value removes the network)");
	if (!net && !(net = nk_spec_net_add(c->spec, k->index)))
		return lxc_oom(c, err);
	if (r->net_types && !(r->net_types & (1u << net->type)))
		return lxc_key_error(
		    c, err, "not valid for this network type (lxc.net.%u.type is %s)", k->index,
		    net->type ? lxc_net_type_name(net->type) : "not set");
	return r->set(c, r, net, NULL, value, err);
}

/* Remembers the line that set a key, in the key's canonical spelling. */
static int record_origin(lxc_ctx *c, const lxc_key *k, const char *key, nk_err **err)
{
	_cleanup_free_ char *canon = NULL, *where = NULL;
	int n = 0;
	if (!c->file)
		return 0;
	if (k->row->kind == ROW_NET)
		n = asprintf(&canon, "lxc.net.%u%s%s", k->index, k->row->name[0] ? "." : "",
		             k->row->name);
	if (n < 0 || asprintf(&where, "%s:%u", c->file, c->line) < 0)
		return lxc_oom(c, err);
	if (nk_kvlist_set(&c->spec->origins, canon ? canon : key, where) < 0)
		return lxc_oom(c, err);
	return 0;
}

static int apply_current(lxc_ctx *c, const lxc_key *k, const char *value, nk_err **err)
{
	if (k->row->kind == ROW_NET)
		return apply_net(c, k, value, err);
	/* The sub-key of an open key is checked for clearing too: a typo is never a no-op. */
	const char *expected = k->sub && k->row->check ? k->row->check(k->sub) : NULL;
	if (expected)
		return lxc_key_error(c, err, "expected %s, got '%s'", expected, k->sub);
	if (!*value) {
		k->row->clear(k->row, c->spec, k->sub);
		return 0;
	}
	return k->row->set(c, k->row, c->spec, k->sub, value, err);
}

int lxc_apply(lxc_ctx *c, const char *key, const char *value, nk_err **err)
{
	lxc_key k;
	int r = lxc_lookup(c, key, &k, err);
	if (r < 0)
		return r;
	if (row_is_legacy(k.row))
		return k.row->set(c, k.row, c->spec, k.sub, value, err);
	r = apply_current(c, &k, value, err);
	if (r < 0)
		return r;
	return record_origin(c, &k, key, err);
}

/* ---- lines and files ---- */

static int parse_line(lxc_ctx *c, char *line, nk_err **err)
{
	char *s = nk_strstrip(line), *key, *value;
	if (!*s || *s == '#')
		return 0;
	if (!lxc_split_line(s, &key, &value)) {
		c->key = s;
		return lxc_key_error(c, err, "expected 'key = value'");
	}
	c->key = key;
	if (!*key)
		return lxc_key_error(c, err, "expected a key before '='");
	return lxc_apply(c, key, value, err);
}

int lxc_parse_buffer(lxc_ctx *c, const char *text, size_t len, nk_err **err)
{
	size_t off = 0;
	c->line = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		c->line++;
		c->key = "";
		if (memchr(text + off, '\0', n))
			return lxc_key_error(c, err, "the line holds a NUL byte");
		_cleanup_free_ char *line = strndup(text + off, n);
		if (!line)
			return lxc_oom(c, err);
		int r = parse_line(c, line, err);
		if (r < 0)
			return r;
		off += n + (nl != NULL);
	}
	return 0;
}

static bool stack_has(char **stack, const char *path)
{
	for (char **p = stack; p && *p; p++)
		if (!strcmp(*p, path))
			return true;
	return false;
}

static void stack_pop(char **stack)
{
	size_t n = nk_strv_len(stack);
	if (n) {
		free(stack[n - 1]);
		stack[n - 1] = NULL;
	}
}

static int include_file(lxc_ctx *c, const char *path, nk_err **err)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (!real)
		return key_error_errno(c, err, errno, "cannot read %s", path);
	if (stack_has(c->stack, real))
		return lxc_key_error(c, err, "include loop: %s is already being read", path);
	if (c->depth >= LXC_INCLUDE_DEPTH_MAX)
		return lxc_key_error(c, err, "includes nested deeper than %d",
		                     LXC_INCLUDE_DEPTH_MAX);
	/* Only regular files: a device or FIFO (/dev/zero, /dev/stdin) would never end. */
	struct stat st;
	if (stat(real, &st) < 0)
		return key_error_errno(c, err, errno, "cannot read %s", path);
	if (!S_ISREG(st.st_mode))
		return lxc_key_error(c, err, "cannot read %s: not a regular file", path);
	if (st.st_size > LXC_FILE_SIZE_MAX)
		return lxc_key_error(c, err, "cannot read %s: larger than %d MiB", path,
		                     LXC_FILE_SIZE_MAX >> 20);
	_cleanup_err_ nk_err *rerr = NULL;
	if (nk_read_file(real, &text, &len, &rerr) < 0)
		return key_error_errno(c, err, rerr->errnum, "cannot read %s", path);
	if (nk_strv_push(&c->stack, real) < 0 ||
	    (c->depth && nk_strv_push(&c->spec->includes, path) < 0))
		return lxc_oom(c, err);
	lxc_ctx saved = *c;
	c->file = path;
	c->depth++;
	int r = lxc_parse_buffer(c, text, len, err);
	c->file = saved.file;
	c->line = saved.line;
	c->key = saved.key;
	c->depth = saved.depth;
	stack_pop(c->stack);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf files of a directory, sorted, as LXC's common.conf.d convention expects. */
static int include_dir(lxc_ctx *c, const char *dir, nk_err **err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return key_error_errno(c, err, errno, "cannot read %s", dir);
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".conf"))
			continue;
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
		             de->d_name) < 0)
			return lxc_oom(c, err);
		struct stat st;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (nk_strv_push(&names, path) < 0)
			return lxc_oom(c, err);
	}
	if (names) /* qsort's array must not be NULL, even for no elements */
		qsort(names, nk_strv_len(names), sizeof(char *), cmp_str);
	for (char **p = names; p && *p; p++) {
		int r = include_file(c, *p, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int lxc_include(lxc_ctx *c, const char *path, nk_err **err)
{
	struct stat st;
	size_t n = strlen(path);
	int r = stat(path, &st);
	int stat_errno = r < 0 ? errno : 0;
	if (r == 0 && S_ISDIR(st.st_mode))
		return include_dir(c, path, err);
	/*
	 * A directory named with a trailing '/' that does not exist reads as empty: distributions
	 * ship such drop-in directories empty or not at all (Debian's userns.conf.d).
	 */
	if (n && path[n - 1] == '/' && stat_errno == ENOENT) {
		nk_debug("%s:%u: %s: %s does not exist, nothing to include", c->file, c->line,
		         c->key, path);
		return 0;
	}
	if (c->skip_missing_includes && access(path, R_OK) < 0)
		return 0;
	return include_file(c, path, err);
}

/* ---- public entry points ---- */

static void ctx_done(lxc_ctx *c)
{
	nk_strv_free(c->stack);
	c->stack = NULL;
}

int nk_lxc_parse_file(nk_spec *spec, const char *path, nk_err **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = nk_read_file(path, &text, &len, err);
	if (r < 0)
		return r;
	return nk_lxc_parse_text(spec, text, len, path, err);
}

int lxc_parse_top(lxc_ctx *c, const char *text, size_t len, nk_err **err)
{
	_cleanup_free_ char *real = c->file ? realpath(c->file, NULL) : NULL;
	c->depth = 1;
	/* The top file joins the include stack so that including it again is a loop. */
	if (real && nk_strv_push(&c->stack, real) < 0)
		return nk_err_set(err, ENOMEM, "%s", c->file);
	int r = lxc_parse_buffer(c, text, len, err);
	ctx_done(c);
	return r;
}

int nk_lxc_parse_text(nk_spec *spec, const char *text, size_t len, const char *fname, nk_err **err)
{
	lxc_ctx c = {.spec = spec, .file = fname ? fname : "(config)"};
	return lxc_parse_top(&c, text, len, err);
}

int nk_lxc_set(nk_spec *spec, const char *key, const char *value, nk_err **err)
{
	lxc_ctx c = {.spec = spec, .key = key, .depth = 1};
	if (strchr(value, '\n'))
		return lxc_key_error(&c, err, "a value is one line");
	int r = lxc_apply(&c, key, value, err);
	ctx_done(&c);
	return r;
}

/* ---- writers ---- */

static void sink_done(lxc_sink *s)
{
	nk_strbuf_free(&s->buf);
	free(s->last);
	s->last = NULL;
}

static const lxc_row *first_net_row(void)
{
	for (size_t i = 0; i < lxc_n_rows; i++)
		if (lxc_rows[i].kind == ROW_NET)
			return &lxc_rows[i];
	return NULL;
}

static void write_net(const nk_net *net, lxc_sink *s)
{
	char key[96];
	for (const lxc_row *r = first_net_row(); r && r < lxc_rows + lxc_n_rows; r++) {
		if (r->kind != ROW_NET)
			break;
		if (!r->write)
			continue;
		snprintf(key, sizeof(key), "lxc.net.%u.%s", net->index, r->name);
		r->write(r, net, key, s);
	}
}

/* Every current key in table order; the networks where the first network row stands. */
static void write_all(const nk_spec *spec, lxc_sink *s)
{
	const lxc_row *net_rows = first_net_row();
	for (size_t i = 0; i < lxc_n_rows; i++) {
		const lxc_row *r = &lxc_rows[i];
		if (r == net_rows)
			for (size_t n = 0; n < spec->n_nets; n++)
				write_net(&spec->nets[n], s);
		if (r->kind == ROW_NET || row_is_legacy(r) || !r->write)
			continue;
		r->write(r, spec, r->name, s);
	}
}

int nk_lxc_dump(const nk_spec *spec, char **text, nk_err **err)
{
	_cleanup_(sink_done) lxc_sink s = {.mode = SINK_DUMP};
	write_all(spec, &s);
	char *out = nk_strbuf_steal(&s.buf);
	if (!out)
		return nk_err_set(err, ENOMEM, "dump config");
	*text = out;
	return 0;
}

/* What a legacy key reads as, for get: renamed keys only name their current key. */
static int legacy_target(const nk_spec *spec, const lxc_key *k, const char *key, char **out)
{
	const lxc_row *r = k->row;
	if (!r->legacy[0]) {
		*out = NULL;
		return 0;
	}
	if (r->kind == ROW_LEGACY_PREFIX)
		return lxc_legacy_prefix_target(spec, r, k->sub, out);
	return lxc_legacy_key_target(spec, r, key, out);
}

static void get_into(const nk_spec *spec, const lxc_key *k, const char *key, lxc_sink *s)
{
	const lxc_row *r = k->row;
	if (r->kind == ROW_NET && r->name[0]) {
		const nk_net *net = nk_spec_net(spec, k->index);
		if (net && r->write)
			r->write(r, net, key, s);
	} else if (r->kind == ROW_NET || !r->write) {
		/* "lxc.net", "lxc.net.N", "lxc.hook": every line under it. */
		s->mode = SINK_PREFIX;
		write_all(spec, s);
	} else if (row_is_prefix(r) && !k->sub) {
		s->mode = SINK_PREFIX;
		r->write(r, spec, r->name, s);
	} else {
		r->write(r, spec, r->name, s);
	}
}

int nk_lxc_get(const nk_spec *spec, const char *key, char **value, nk_err **err)
{
	lxc_ctx c = {.key = key};
	lxc_key k;
	int r = lxc_lookup(&c, key, &k, err);
	if (r < 0)
		return r;
	if (row_is_legacy(k.row)) {
		_cleanup_free_ char *target = NULL;
		r = legacy_target(spec, &k, key, &target);
		if (r == -ENOENT) {
			nk_err_set(err, 0, "%s: unknown key", key);
			return -ENOENT;
		}
		if (r < 0)
			return nk_err_set(err, ENOMEM, "%s", key);
		if (!target) {
			*value = strdup("");
			return *value ? 0 : nk_err_set(err, ENOMEM, "%s", key);
		}
		return nk_lxc_get(spec, target, value, err);
	}
	_cleanup_(sink_done) lxc_sink s = {.mode = SINK_GET, .want = key};
	get_into(spec, &k, key, &s);
	char *out = nk_strbuf_steal(&s.buf);
	if (!out)
		return nk_err_set(err, ENOMEM, "%s", key);
	*value = out;
	return 0;
}

/* Adds every key that row r holds in obj to *keys. */
static int collect_keys(const lxc_row *r, const void *obj, const char *key, char ***keys)
{
	_cleanup_(sink_done) lxc_sink s = {.mode = SINK_KEYS};
	r->write(r, obj, key, &s);
	_cleanup_free_ char *text = nk_strbuf_steal(&s.buf);
	if (!text)
		return -ENOMEM;
	char *save = NULL;
	for (char *k = strtok_r(text, "\n", &save); k; k = strtok_r(NULL, "\n", &save))
		if (nk_strv_push(keys, k) < 0)
			return -ENOMEM;
	return 0;
}

char **nk_lxc_not_applied(const nk_spec *spec)
{
	_cleanup_strv_ char **keys = calloc(1, sizeof(char *));
	if (!keys)
		return NULL;
	for (size_t i = 0; i < lxc_n_rows; i++) {
		const lxc_row *r = &lxc_rows[i];
		if (r->applied || r->kind == ROW_NET || row_is_legacy(r) || !r->write)
			continue;
		if (collect_keys(r, spec, r->name, &keys) < 0)
			return NULL;
	}
	/* Per-network keys nook does not apply yet, network by network. */
	for (size_t n = 0; n < spec->n_nets; n++) {
		for (const lxc_row *r = first_net_row(); r && r < lxc_rows + lxc_n_rows; r++) {
			char key[96];
			if (r->kind != ROW_NET)
				break;
			if (r->applied || !r->write || !r->name[0])
				continue;
			snprintf(key, sizeof(key), "lxc.net.%u.%s", spec->nets[n].index, r->name);
			if (collect_keys(r, &spec->nets[n], key, &keys) < 0)
				return NULL;
		}
	}
	for (size_t n = 0; n < spec->n_nets; n++) {
		const nk_net *net = &spec->nets[n];
		char key[64];
		if (net->type == NK_NET_UNSET || lxc_net_type_applied[net->type])
			continue;
		snprintf(key, sizeof(key), "lxc.net.%u.type", net->index);
		if (nk_strv_push(&keys, key) < 0)
			return NULL;
	}
	return TAKE_PTR(keys);
}

static nk_lxc_key_info *key_infos;
static size_t n_key_infos;

static void build_key_infos(void)
{
	key_infos = calloc(lxc_n_rows, sizeof(*key_infos));
	if (!key_infos)
		return;
	for (size_t i = 0; i < lxc_n_rows; i++) {
		const lxc_row *r = &lxc_rows[i];
		key_infos[i] = (nk_lxc_key_info){
		    .name = r->doc ? r->doc : r->name,
		    .summary = r->summary,
		    .applied = r->applied,
		    .legacy = row_is_legacy(r) ? r->legacy : NULL,
		};
	}
	n_key_infos = lxc_n_rows;
}

size_t nk_lxc_keys(const nk_lxc_key_info **keys)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, build_key_infos);
	*keys = key_infos;
	return n_key_infos;
}
