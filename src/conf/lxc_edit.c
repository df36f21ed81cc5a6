/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * In-place edits of an LXC config file. The file is handled as lines, and only the lines an
 * edit is about change: comments, blank lines, order and unknown-to-us spacing stay as the user
 * left them. Every result is parsed before it is written, so an edit never leaves a config that
 * nook cannot read, and writes are atomic (temp file + rename) with the file's mode kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/lxc_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

typedef struct edit_file {
	char **lines; /* NULL-terminated, without the '\n' */
	mode_t mode;
	char *text; /* the original text */
	size_t len;
} edit_file;

static void edit_done(edit_file *f)
{
	nk_strv_free(f->lines);
	free(f->text);
	*f = (edit_file){0};
}

static int edit_load(const char *path, edit_file *f, nk_err **err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return nk_err_sys(err, "stat %s", path);
	f->mode = st.st_mode & 07777;
	int r = nk_read_file(path, &f->text, &f->len, err);
	if (r < 0)
		return r;
	f->lines = calloc(1, sizeof(char *));
	if (!f->lines)
		return nk_err_set(err, ENOMEM, "read %s", path);
	for (size_t off = 0; off < f->len;) {
		const char *nl = memchr(f->text + off, '\n', f->len - off);
		size_t n = nl ? (size_t)(nl - (f->text + off)) : f->len - off;
		_cleanup_free_ char *line = strndup(f->text + off, n);
		if (!line || nk_strv_push(&f->lines, line) < 0)
			return nk_err_set(err, ENOMEM, "read %s", path);
		off += n + (nl != NULL);
	}
	return 0;
}

static char *edit_text(char **lines)
{
	nk_strbuf b = {0};
	for (char **p = lines; p && *p; p++) {
		nk_strbuf_append(&b, *p);
		nk_strbuf_putc(&b, '\n');
	}
	return nk_strbuf_steal(&b);
}

/* The key of a "key = value" line (trimmed, caller frees), or NULL for comments and blanks. */
static char *line_key(const char *line)
{
	const char *s = line + strspn(line, " \t");
	const char *eq = strchr(s, '=');
	if (!*s || *s == '#' || !eq)
		return NULL;
	size_t n = (size_t)(eq - s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/*
 * The name lines are matched by: the current name of a renamed legacy key, network indexes
 * without leading zeros. Unknown keys match only themselves.
 */
static char *canon_key(const char *key)
{
	lxc_ctx c = {.key = key};
	lxc_key k;
	char *out = NULL;
	if (lxc_lookup(&c, key, &k, NULL) < 0)
		return strdup(key);
	const lxc_row *r = k.row;
	if (r->kind == ROW_NET &&
	    asprintf(&out, "lxc.net.%u%s%s", k.index, r->name[0] ? "." : "", r->name) < 0)
		return NULL;
	if (r->kind == ROW_LEGACY && r->legacy[0] && !strstr(r->legacy, "[i]"))
		out = strdup(r->legacy);
	if (r->kind == ROW_LEGACY_PREFIX && lxc_legacy_prefix_target(NULL, r, k.sub, &out) < 0)
		out = NULL;
	return out ? out : strdup(key);
}

/*
 * Whether a line sets canon. With a subtree row (unset of "lxc.net", "lxc.net.N", "lxc.hook" or
 * a bare open key such as "lxc.cgroup"), the keys under it match too: for an open key only its
 * own settings (not lxc.cgroup.dir), for lxc.hook every hook but lxc.hook.version.
 */
static bool key_matches(const char *line, const char *canon, const lxc_row *subtree)
{
	_cleanup_free_ char *key = line_key(line);
	_cleanup_free_ char *c = key ? canon_key(key) : NULL;
	size_t n = strlen(canon);
	if (!c || !strcmp(c, canon))
		return c != NULL;
	if (!subtree)
		return false;
	if (subtree->kind == ROW_PREFIX) {
		lxc_ctx ctx = {.key = c};
		lxc_key k;
		return lxc_lookup(&ctx, c, &k, NULL) == 0 && k.row == subtree;
	}
	/* Removing the networks removes the legacy network blocks too. */
	if (!strcmp(canon, "lxc.net") && nk_str_has_prefix(c, "lxc.network"))
		return true;
	if (!strcmp(c, "lxc.hook.version"))
		return false;
	return !strncmp(c, canon, n) && c[n] == '.';
}

static void remove_line(char **lines, size_t i)
{
	free(lines[i]);
	memmove(&lines[i], &lines[i + 1], (nk_strv_len(lines + i + 1) + 1) * sizeof(char *));
}

/* Parses what is about to be written, so a bad edit fails here and not at the next start. */
static int check_and_write(const char *path, const edit_file *f, nk_err **err)
{
	_cleanup_free_ char *text = edit_text(f->lines);
	if (!text)
		return nk_err_set(err, ENOMEM, "write %s", path);
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	if (!spec)
		return nk_err_set(err, ENOMEM, "write %s", path);
	lxc_ctx c = {
	    .spec = spec, .file = path, .quiet_legacy = true, .skip_missing_includes = true};
	int r = lxc_parse_top(&c, text, strlen(text), err);
	if (r < 0)
		return r;
	return nk_write_file_atomic(path, text, strlen(text), f->mode, err);
}

static int check_key(const char *key, lxc_key *k, nk_err **err)
{
	lxc_ctx c = {.key = key};
	return lxc_lookup(&c, key, k, err);
}

static char *format_line(const char *key, const char *value)
{
	nk_strbuf b = {0};
	nk_strbuf_printf(&b, "%s =%s", key, *value ? " " : "");
	lxc_append_value(&b, value);
	return nk_strbuf_steal(&b);
}

int nk_lxc_file_set(const char *path, const char *key, const char *value, nk_err **err)
{
	lxc_key k;
	int r = check_key(key, &k, err);
	if (r < 0)
		return r;
	if (strchr(value, '\n'))
		return nk_err_set(err, EINVAL, "%s: a value is one line", key);
	_cleanup_free_ char *canon = canon_key(key);
	_cleanup_free_ char *line = canon ? format_line(canon, value) : NULL;
	_cleanup_(edit_done) edit_file f = {0};
	if (!line)
		return nk_err_set(err, ENOMEM, "set %s", key);
	r = edit_load(path, &f, err);
	if (r < 0)
		return r;
	bool done = false;
	for (size_t i = 0; f.lines[i];) {
		if (!key_matches(f.lines[i], canon, NULL)) {
			i++;
		} else if (!done) {
			free(f.lines[i]);
			f.lines[i++] = TAKE_PTR(line);
			done = true;
		} else {
			remove_line(f.lines, i);
		}
	}
	if (!done && nk_strv_push(&f.lines, line) < 0)
		return nk_err_set(err, ENOMEM, "set %s", key);
	return check_and_write(path, &f, err);
}

int nk_lxc_file_unset(const char *path, const char *key, nk_err **err)
{
	lxc_key k;
	_cleanup_err_ nk_err *lookup_err = NULL;
	int lr = check_key(key, &k, &lookup_err);
	if (lr == -EINVAL)
		return nk_err_set(err, EINVAL, "%s", lookup_err->msg);
	/* "lxc.net", "lxc.net.N", "lxc.hook" and bare open keys stand for what is under them. */
	bool bare = (k.row->kind == ROW_NET && !k.row->name[0]) ||
	            (k.row->kind == ROW_KEY && !k.row->write) ||
	            (k.row->kind == ROW_PREFIX && !k.sub);
	const lxc_row *subtree = lr == 0 && bare ? k.row : NULL;
	_cleanup_free_ char *canon = canon_key(key);
	_cleanup_(edit_done) edit_file f = {0};
	if (!canon)
		return nk_err_set(err, ENOMEM, "unset %s", key);
	int r = edit_load(path, &f, err);
	if (r < 0)
		return r;
	size_t removed = 0;
	for (size_t i = 0; f.lines[i];) {
		if (key_matches(f.lines[i], canon, subtree)) {
			remove_line(f.lines, i);
			removed++;
		} else {
			i++;
		}
	}
	if (!removed && lr < 0) {
		nk_err_set(err, 0, "%s", lookup_err->msg);
		return lr;
	}
	if (!removed)
		return 0;
	return check_and_write(path, &f, err);
}

/* ---- update: legacy keys to current ones ---- */

typedef struct translation {
	unsigned line;
	char *key; /* NULL: the line goes */
} translation;

typedef struct translations {
	translation *v;
	size_t n;
} translations;

static void translations_done(translations *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
}

static int record_translation(void *data, unsigned line, const char *old_key, const char *new_key,
                              nk_err **err)
{
	translations *t = data;
	_cleanup_free_ char *key = NULL;
	if (new_key && !(key = strdup(new_key)))
		return nk_err_set(err, ENOMEM, "update %s", old_key);
	translation *v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v)
		return nk_err_set(err, ENOMEM, "update %s", old_key);
	t->v = v;
	t->v[t->n++] = (translation){line, TAKE_PTR(key)};
	return 0;
}

/* Replaces the key of a "key = value" line, keeping the indentation and the "= value" text. */
static char *rekey_line(const char *line, const char *key)
{
	size_t lead = strspn(line, " \t");
	const char *eq = strchr(line + lead, '=');
	size_t n = (size_t)(eq - (line + lead));
	while (n && (line[lead + n - 1] == ' ' || line[lead + n - 1] == '\t'))
		n--;
	char *out = NULL;
	if (asprintf(&out, "%.*s%s%s", (int)lead, line, key, line + lead + n) < 0)
		return NULL;
	return out;
}

/* Parses path with a recorder on; translated lines of the top file land in t. */
static int collect_translations(const char *path, const edit_file *f, translations *t, char **dump,
                                nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	if (!spec)
		return nk_err_set(err, ENOMEM, "update %s", path);
	lxc_ctx c = {.spec = spec,
	             .file = path,
	             .quiet_legacy = true,
	             .skip_missing_includes = true,
	             .translate = record_translation,
	             .translate_data = t};
	int r = lxc_parse_top(&c, f->text, f->len, err);
	if (r < 0)
		return r;
	return nk_lxc_dump(spec, dump, err);
}

static int apply_translations(edit_file *f, const translations *t, nk_err **err)
{
	/* Back to front, so removing a line keeps the numbers of the lines before it. */
	for (size_t i = t->n; i-- > 0;) {
		size_t idx = t->v[i].line - 1;
		if (!t->v[i].key) {
			remove_line(f->lines, idx);
			continue;
		}
		char *line = rekey_line(f->lines[idx], t->v[i].key);
		if (!line)
			return nk_err_set(err, ENOMEM, "update");
		free(f->lines[idx]);
		f->lines[idx] = line;
	}
	return 0;
}

/* The rewrite must mean exactly what the original meant; compare the two effective configs. */
static int same_meaning(const char *path, const char *text, const char *before, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	_cleanup_free_ char *after = NULL;
	if (!spec)
		return nk_err_set(err, ENOMEM, "update %s", path);
	lxc_ctx c = {
	    .spec = spec, .file = path, .quiet_legacy = true, .skip_missing_includes = true};
	int r = lxc_parse_top(&c, text, strlen(text), err);
	if (r < 0)
		return r;
	r = nk_lxc_dump(spec, &after, err);
	if (r < 0)
		return r;
	if (strcmp(before, after))
		return nk_err_set(err, EPROTO, "update %s: the rewritten file reads differently",
		                  path);
	return 0;
}

int nk_lxc_file_update(const char *path, bool backup, int *changed, nk_err **err)
{
	_cleanup_(edit_done) edit_file f = {0};
	_cleanup_(translations_done) translations t = {0};
	_cleanup_free_ char *before = NULL, *text = NULL, *bpath = NULL;
	int r = edit_load(path, &f, err);
	if (r < 0)
		return r;
	r = collect_translations(path, &f, &t, &before, err);
	if (r < 0)
		return r;
	if (changed)
		*changed = (int)t.n;
	if (!t.n)
		return 0;
	r = apply_translations(&f, &t, err);
	if (r < 0)
		return r;
	text = edit_text(f.lines);
	if (!text)
		return nk_err_set(err, ENOMEM, "update %s", path);
	r = same_meaning(path, text, before, err);
	if (r < 0)
		return r;
	if (backup) {
		if (asprintf(&bpath, "%s.backup", path) < 0)
			return nk_err_set(err, ENOMEM, "update %s", path);
		r = nk_write_file_atomic(bpath, f.text, f.len, f.mode, err);
		if (r < 0)
			return r;
	}
	return nk_write_file_atomic(path, text, strlen(text), f.mode, err);
}
