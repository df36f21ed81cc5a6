/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The key table: every key of LXC's config language, one row each, with the function that
 * parses a value into nk_spec, the one that writes it back, the one that clears it, and whether
 * nook applies it yet. "Where is key X handled" has one answer: its row.
 *
 * Most rows share generic handlers that find their field through the row's offset; keys with
 * their own syntax (addresses, signals, mount.auto) have their own. Every handler validates
 * fully, so a spec that parsed is a spec the runtime can trust.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/lxc_internal.h"
#include "conf/value.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/parse.h"

#define SPEC(f) offsetof(nk_spec, f)
#define NET(f)  offsetof(nk_net, f)
#define T(x)    (1u << NK_NET_##x)

static void sink_oom(lxc_sink *s)
{
	s->buf.oom = true;
}

static int check_value(lxc_ctx *c, const lxc_row *r, const char *value, nk_err **err)
{
	const char *expected = r->check ? r->check(value) : NULL;
	return expected ? lxc_bad_value(c, err, expected, value) : 0;
}

/* ---- strings ---- */

static int set_str(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                   nk_err **err)
{
	int ret = check_value(c, r, value, err);
	if (ret < 0)
		return ret;
	char *v = strdup(value);
	if (!v)
		return lxc_oom(c, err);
	char **f = LXC_FIELD(obj, r, char *);
	free(*f);
	*f = v;
	return 0;
}

static void clr_str(const lxc_row *r, void *obj, const char *sub)
{
	char **f = LXC_FIELD(obj, r, char *);
	free(*f);
	*f = NULL;
}

static void write_str(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const char *v = *LXC_CFIELD(obj, r, char *);
	if (v)
		lxc_emit(s, key, v);
}

/* ---- numbers and flags ---- */

static int set_bool(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                    nk_err **err)
{
	bool b;
	if (nk_parse_bool01(value, &b) < 0)
		return lxc_bad_value(c, err, "0 or 1", value);
	*LXC_FIELD(obj, r, int) = b;
	return 0;
}

static void clr_int(const lxc_row *r, void *obj, const char *sub)
{
	*LXC_FIELD(obj, r, int) = NK_UNSET;
}

static void write_int(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	int v = *LXC_CFIELD(obj, r, int);
	if (v != NK_UNSET)
		lxc_emitf(s, key, "%d", v);
}

/* An integer in [r->min, r->max] stored in an int64_t field. */
static int set_num(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                   nk_err **err)
{
	int64_t v;
	if (nk_parse_i64(value, r->min, r->max, &v) < 0) {
		char expected[80];
		snprintf(expected, sizeof(expected), "an integer from %lld to %lld", r->min,
		         r->max);
		return lxc_bad_value(c, err, expected, value);
	}
	*LXC_FIELD(obj, r, int64_t) = v;
	return 0;
}

/* Unset is NK_UNSET, except for signed keys, where it is NK_UNSET_I64. */
static int64_t num_unset(const lxc_row *r)
{
	return r->min < 0 ? NK_UNSET_I64 : NK_UNSET;
}

static void clr_num(const lxc_row *r, void *obj, const char *sub)
{
	*LXC_FIELD(obj, r, int64_t) = num_unset(r);
}

static void write_num(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	int64_t v = *LXC_CFIELD(obj, r, int64_t);
	if (v != num_unset(r))
		lxc_emitf(s, key, "%lld", (long long)v);
}

/* A byte count with an optional KB/MB/GB suffix, or "auto". */
static int set_size(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                    nk_err **err)
{
	uint64_t v;
	if (!strcmp(value, "auto")) {
		*LXC_FIELD(obj, r, int64_t) = NK_SIZE_AUTO;
		return 0;
	}
	if (nk_parse_bytes(value, &v) < 0 || v > INT64_MAX)
		return lxc_bad_value(c, err, "a size (auto, 4096, 128KB, 1MB)", value);
	*LXC_FIELD(obj, r, int64_t) = (int64_t)v;
	return 0;
}

static void write_size(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	int64_t v = *LXC_CFIELD(obj, r, int64_t);
	if (v == NK_SIZE_AUTO)
		lxc_emit(s, key, "auto");
	else if (v >= 0)
		lxc_emitf(s, key, "%lld", (long long)v);
}

/* A signal; rows with arg 1 also take 0 (no signal). */
static int set_signal(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                      nk_err **err)
{
	int sig;
	if (r->arg && !strcmp(value, "0"))
		sig = 0;
	else if (nk_signal_parse(value, &sig) < 0)
		return lxc_bad_value(c, err, "a signal name or number (SIGPWR, SIGRTMIN+3, 30)",
		                     value);
	*LXC_FIELD(obj, r, int) = sig;
	return 0;
}

static void write_signal(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	char buf[32];
	int v = *LXC_CFIELD(obj, r, int);
	if (v == 0)
		lxc_emit(s, key, "0");
	else if (v > 0)
		lxc_emit(s, key, nk_signal_format(v, buf, sizeof(buf)));
}

static int set_log_level(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub,
                         const char *value, nk_err **err)
{
	int level = nk_lxc_log_level_parse(value);
	if (level < 0)
		return lxc_bad_value(c, err,
		                     "a log level (0..8, TRACE, DEBUG, INFO, NOTICE, WARN, "
		                     "ERROR, CRIT, ALERT, FATAL)",
		                     value);
	*LXC_FIELD(obj, r, int) = level;
	return 0;
}

static void write_log_level(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	int v = *LXC_CFIELD(obj, r, int);
	if (v != NK_UNSET)
		lxc_emit(s, key, nk_lxc_log_level_name(v));
}

static int set_time(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                    nk_err **err)
{
	if (nk_time_offset_parse(value, LXC_FIELD(obj, r, nk_time_offset)) < 0)
		return lxc_bad_value(c, err, "an offset with a unit (-10s, 2h, 500ms, 100ns)",
		                     value);
	return 0;
}

static void clr_time(const lxc_row *r, void *obj, const char *sub)
{
	*LXC_FIELD(obj, r, nk_time_offset) = (nk_time_offset){0};
}

static void write_time(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_time_offset *t = LXC_CFIELD(obj, r, nk_time_offset);
	if (t->set)
		lxc_emitf(s, key, "%lld%s", (long long)t->value, t->unit);
}

/* ---- lists ---- */

static int set_line(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                    nk_err **err)
{
	int ret = check_value(c, r, value, err);
	if (ret < 0)
		return ret;
	return nk_strv_push(LXC_FIELD(obj, r, char **), value) < 0 ? lxc_oom(c, err) : 0;
}

static void clr_strv(const lxc_row *r, void *obj, const char *sub)
{
	char ***f = LXC_FIELD(obj, r, char **);
	nk_strv_free(*f);
	*f = NULL;
}

static void write_strv(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	for (char **p = *LXC_CFIELD(obj, r, char **); p && *p; p++)
		lxc_emit(s, key, *p);
}

/* Space separated words, each one list item (lxc.group). */
static int set_words(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                     nk_err **err)
{
	_cleanup_free_ char *copy = strdup(value);
	if (!copy)
		return lxc_oom(c, err);
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		int ret = set_line(c, r, obj, sub, w, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* lxc.cap.drop / lxc.cap.keep; for keep (arg 1), "none" starts over with nothing kept. */
static int set_caps(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                    nk_err **err)
{
	_cleanup_free_ char *copy = strdup(value);
	char ***list = LXC_FIELD(obj, r, char **);
	if (!copy)
		return lxc_oom(c, err);
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		_cleanup_free_ char *cap = NULL;
		if (r->arg && !strcmp(w, "none")) {
			clr_strv(r, obj, sub);
			cap = strdup("none");
		} else if (nk_cap_parse(w, &cap) < 0) {
			return lxc_bad_value(c, err,
			                     "capability names as in capabilities(7) "
			                     "without CAP_ (sys_admin net_raw)",
			                     w);
		}
		if (!cap || nk_strv_push(list, cap) < 0)
			return lxc_oom(c, err);
	}
	return 0;
}

/* lxc.init.groups: comma separated group ids, appended. */
static int set_gids(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                    nk_err **err)
{
	nk_spec *spec = obj;
	_cleanup_free_ char *copy = strdup(value);
	if (!copy)
		return lxc_oom(c, err);
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		uint64_t gid;
		if (nk_parse_u64(nk_strstrip(w), UINT32_MAX - 1, &gid) < 0)
			return lxc_bad_value(c, err, "group ids separated by commas (10,100)",
			                     value);
		gid_t *g = realloc(spec->init.groups, (spec->init.n_groups + 1) * sizeof(*g));
		if (!g)
			return lxc_oom(c, err);
		g[spec->init.n_groups++] = (gid_t)gid;
		spec->init.groups = g;
	}
	return 0;
}

static void clr_gids(const lxc_row *r, void *obj, const char *sub)
{
	nk_spec *spec = obj;
	free(spec->init.groups);
	spec->init.groups = NULL;
	spec->init.n_groups = 0;
}

static void write_gids(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_spec *spec = obj;
	_cleanup_strbuf_ nk_strbuf b = {0};
	for (size_t i = 0; i < spec->init.n_groups; i++)
		nk_strbuf_printf(&b, "%s%u", i ? "," : "", (unsigned)spec->init.groups[i]);
	if (b.oom)
		sink_oom(s);
	else if (b.len)
		lxc_emit(s, key, b.s);
}

static int set_idmap(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                     nk_err **err)
{
	nk_spec *spec = obj;
	nk_idmap m;
	if (nk_idmap_parse(value, &m) < 0)
		return lxc_bad_value(c, err, "'u|g NSID HOSTID RANGE' (u 0 100000 65536)", value);
	nk_idmap *v = realloc(spec->idmaps, (spec->n_idmaps + 1) * sizeof(*v));
	if (!v)
		return lxc_oom(c, err);
	v[spec->n_idmaps++] = m;
	spec->idmaps = v;
	return 0;
}

static void clr_idmap(const lxc_row *r, void *obj, const char *sub)
{
	nk_spec *spec = obj;
	free(spec->idmaps);
	spec->idmaps = NULL;
	spec->n_idmaps = 0;
}

static void write_idmap(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_spec *spec = obj;
	char buf[64];
	for (size_t i = 0; i < spec->n_idmaps; i++) {
		nk_idmap_format(&spec->idmaps[i], buf, sizeof(buf));
		lxc_emit(s, key, buf);
	}
}

/* ---- keys under a prefix: lxc.sysctl.KEY, lxc.cgroup2.CTL.KEY, ... ---- */

/* A bare prefix key ("lxc.sysctl = x") names no setting; lxc_apply checked the sub-key itself. */
static int need_sub(lxc_ctx *c, const lxc_row *r, const char *sub, nk_err **err)
{
	if (sub)
		return 0;
	return lxc_key_error(c, err,
	                     "takes no value (an empty value clears every %s key); expected %s",
	                     r->name, r->doc);
}

/* arg 0: a later value for the same key replaces it; arg 1: every value is kept, in order. */
static int set_kv(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                  nk_err **err)
{
	int ret = need_sub(c, r, sub, err);
	if (ret < 0)
		return ret;
	nk_kvlist *l = LXC_FIELD(obj, r, nk_kvlist);
	ret = r->arg ? nk_kvlist_add(l, sub, value) : nk_kvlist_set(l, sub, value);
	return ret < 0 ? lxc_oom(c, err) : 0;
}

static void clr_kv(const lxc_row *r, void *obj, const char *sub)
{
	nk_kvlist_remove(LXC_FIELD(obj, r, nk_kvlist), sub);
}

static void emit_sub(lxc_sink *s, const char *key, const char *sub, const char *value)
{
	_cleanup_free_ char *k = NULL;
	if (asprintf(&k, "%s.%s", key, sub) < 0)
		sink_oom(s);
	else
		lxc_emit(s, k, value);
}

static void write_kv(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_kvlist *l = LXC_CFIELD(obj, r, nk_kvlist);
	for (size_t i = 0; i < l->n; i++)
		emit_sub(s, key, l->items[i].key, l->items[i].value);
}

static int set_prlimit(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                       nk_err **err)
{
	nk_spec *spec = obj;
	int ret = need_sub(c, r, sub, err);
	if (ret < 0)
		return ret;
	nk_prlimit lim = {.resource = nk_rlimit_from_name(sub)};
	if (nk_rlimit_parse(value, &lim.soft, &lim.hard) < 0)
		return lxc_bad_value(c, err, "'unlimited', a number or SOFT:HARD with SOFT <= HARD",
		                     value);
	for (size_t i = 0; i < spec->n_prlimits; i++) {
		if (spec->prlimits[i].resource == lim.resource) {
			spec->prlimits[i] = lim;
			return 0;
		}
	}
	nk_prlimit *v = realloc(spec->prlimits, (spec->n_prlimits + 1) * sizeof(*v));
	if (!v)
		return lxc_oom(c, err);
	v[spec->n_prlimits++] = lim;
	spec->prlimits = v;
	return 0;
}

static void clr_prlimit(const lxc_row *r, void *obj, const char *sub)
{
	nk_spec *spec = obj;
	int res = sub ? nk_rlimit_from_name(sub) : -1;
	size_t out = 0;
	for (size_t i = 0; i < spec->n_prlimits; i++)
		if (sub && spec->prlimits[i].resource != res)
			spec->prlimits[out++] = spec->prlimits[i];
	spec->n_prlimits = out;
	if (!out) {
		free(spec->prlimits);
		spec->prlimits = NULL;
	}
}

static void write_prlimit(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_spec *spec = obj;
	char buf[64];
	for (size_t i = 0; i < spec->n_prlimits; i++) {
		const nk_prlimit *l = &spec->prlimits[i];
		nk_rlimit_format(l->soft, l->hard, buf, sizeof(buf));
		emit_sub(s, key, nk_rlimit_name(l->resource), buf);
	}
}

static int set_ns_share(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                        nk_err **err)
{
	nk_spec *spec = obj;
	int ret = need_sub(c, r, sub, err);
	if (ret < 0)
		return ret;
	char *v = strdup(value);
	if (!v)
		return lxc_oom(c, err);
	int ns = nk_ns_from_name(sub);
	free(spec->ns.share[ns]);
	spec->ns.share[ns] = v;
	return 0;
}

static void clr_ns_share(const lxc_row *r, void *obj, const char *sub)
{
	nk_spec *spec = obj;
	for (int ns = 0; ns < NK_NS_MAX; ns++) {
		if (sub && nk_ns_from_name(sub) != ns)
			continue;
		free(spec->ns.share[ns]);
		spec->ns.share[ns] = NULL;
	}
}

static void write_ns_share(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_spec *spec = obj;
	for (int ns = 0; ns < NK_NS_MAX; ns++)
		if (spec->ns.share[ns])
			emit_sub(s, key, nk_ns_name(ns), spec->ns.share[ns]);
}

/* lxc.namespace.clone (arg 0) and .keep (arg 1): LXC refuses to have both. */
static int set_ns_list(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                       nk_err **err)
{
	nk_spec *spec = obj;
	int other = r->arg ? spec->ns.clone : spec->ns.keep;
	if (other != NK_UNSET)
		return lxc_key_error(c, err,
		                     "lxc.namespace.clone and lxc.namespace.keep exclude "
		                     "each other");
	_cleanup_free_ char *bad = NULL;
	int mask;
	int ret = nk_ns_parse_list(value, &mask, &bad);
	if (ret == -ENOMEM)
		return lxc_oom(c, err);
	if (ret < 0)
		return lxc_bad_value(c, err,
		                     "namespace names (cgroup ipc mnt net pid time user uts)",
		                     bad ? bad : value);
	int *f = LXC_FIELD(obj, r, int);
	*f = (*f == NK_UNSET ? 0 : *f) | mask;
	return 0;
}

static void write_ns_list(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	int mask = *LXC_CFIELD(obj, r, int);
	if (mask == NK_UNSET)
		return;
	_cleanup_strbuf_ nk_strbuf b = {0};
	for (int ns = 0; ns < NK_NS_MAX; ns++)
		if (mask & nk_ns_clone_flag(ns))
			nk_strbuf_printf(&b, "%s%s", b.len ? " " : "", nk_ns_name(ns));
	if (b.oom)
		sink_oom(s);
	else if (b.len)
		lxc_emit(s, key, b.s);
}

/* ---- lxc.mount.auto ---- */

static const struct {
	const char *token;
	unsigned mask;
	unsigned flags;
} auto_tokens[] = {
    /* The first token for a flags value is the one the writer uses. */
    {"proc:mixed", NK_AUTO_PROC_MASK, NK_AUTO_PROC_MIXED},
    {"proc", NK_AUTO_PROC_MASK, NK_AUTO_PROC_MIXED},
    {"proc:rw", NK_AUTO_PROC_MASK, NK_AUTO_PROC_RW},
    {"sys:mixed", NK_AUTO_SYS_MASK, NK_AUTO_SYS_MIXED},
    {"sys", NK_AUTO_SYS_MASK, NK_AUTO_SYS_MIXED},
    {"sys:ro", NK_AUTO_SYS_MASK, NK_AUTO_SYS_RO},
    {"sys:rw", NK_AUTO_SYS_MASK, NK_AUTO_SYS_RW},
    {"cgroup", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_NOSPEC},
    {"cgroup:mixed", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_MIXED},
    {"cgroup:ro", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_RO},
    {"cgroup:rw", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_RW},
    {"cgroup:force", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_NOSPEC | NK_AUTO_CGROUP_FORCE},
    {"cgroup:mixed:force", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_MIXED | NK_AUTO_CGROUP_FORCE},
    {"cgroup:ro:force", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_RO | NK_AUTO_CGROUP_FORCE},
    {"cgroup:rw:force", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_RW | NK_AUTO_CGROUP_FORCE},
    {"cgroup-full", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_FULL_NOSPEC},
    {"cgroup-full:mixed", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_FULL_MIXED},
    {"cgroup-full:ro", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_FULL_RO},
    {"cgroup-full:rw", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_FULL_RW},
    {"cgroup-full:force", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_FULL_NOSPEC | NK_AUTO_CGROUP_FORCE},
    {"cgroup-full:mixed:force", NK_AUTO_CGROUP_MASK,
     NK_AUTO_CGROUP_FULL_MIXED | NK_AUTO_CGROUP_FORCE},
    {"cgroup-full:ro:force", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_FULL_RO | NK_AUTO_CGROUP_FORCE},
    {"cgroup-full:rw:force", NK_AUTO_CGROUP_MASK, NK_AUTO_CGROUP_FULL_RW | NK_AUTO_CGROUP_FORCE},
};

/* "shmounts:HOST[:CONTAINER]": a host directory shared into the container for nested mounts. */
static int set_shmounts(lxc_ctx *c, nk_spec *spec, const char *token, nk_err **err)
{
	const char *host = token + strlen("shmounts:");
	const char *colon = strchr(host, ':');
	_cleanup_free_ char *h = colon ? strndup(host, (size_t)(colon - host)) : strdup(host);
	_cleanup_free_ char *ct = colon ? strdup(colon + 1) : NULL;
	if (!h || (colon && !ct))
		return lxc_oom(c, err);
	if (h[0] != '/' || (ct && ct[0] != '/'))
		return lxc_bad_value(
		    c, err, "shmounts:HOSTPATH[:CONTAINERPATH] with absolute paths", token);
	free(spec->mount.shmounts_host);
	free(spec->mount.shmounts_container);
	spec->mount.shmounts_host = TAKE_PTR(h);
	spec->mount.shmounts_container = TAKE_PTR(ct);
	spec->mount.auto_flags |= NK_AUTO_SHMOUNTS;
	return 0;
}

static int set_mount_auto(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub,
                          const char *value, nk_err **err)
{
	nk_spec *spec = obj;
	_cleanup_free_ char *copy = strdup(value);
	if (!copy)
		return lxc_oom(c, err);
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (nk_str_has_prefix(w, "shmounts:")) {
			int ret = set_shmounts(c, spec, w, err);
			if (ret < 0)
				return ret;
			continue;
		}
		size_t i = 0;
		while (i < ARRAY_SIZE(auto_tokens) && strcmp(w, auto_tokens[i].token))
			i++;
		if (i == ARRAY_SIZE(auto_tokens))
			return lxc_bad_value(c, err,
			                     "proc[:mixed|:rw], sys[:mixed|:ro|:rw], "
			                     "cgroup[-full][:mixed|:ro|:rw][:force] or "
			                     "shmounts:HOST[:CONTAINER]",
			                     w);
		spec->mount.auto_flags &= ~auto_tokens[i].mask;
		spec->mount.auto_flags |= auto_tokens[i].flags;
	}
	return 0;
}

static void clr_mount_auto(const lxc_row *r, void *obj, const char *sub)
{
	nk_spec *spec = obj;
	spec->mount.auto_flags = 0;
	free(spec->mount.shmounts_host);
	free(spec->mount.shmounts_container);
	spec->mount.shmounts_host = spec->mount.shmounts_container = NULL;
}

static void write_mount_auto(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_spec *spec = obj;
	const unsigned masks[] = {NK_AUTO_PROC_MASK, NK_AUTO_SYS_MASK, NK_AUTO_CGROUP_MASK};
	unsigned flags = spec->mount.auto_flags;
	_cleanup_strbuf_ nk_strbuf b = {0};
	for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
		for (size_t i = 0; (flags & masks[m]) && i < ARRAY_SIZE(auto_tokens); i++) {
			if (auto_tokens[i].mask == masks[m] &&
			    auto_tokens[i].flags == (flags & masks[m])) {
				nk_strbuf_printf(&b, "%s%s", b.len ? " " : "",
				                 auto_tokens[i].token);
				break;
			}
		}
	}
	if (flags & NK_AUTO_SHMOUNTS)
		nk_strbuf_printf(
		    &b, "%sshmounts:%s%s%s", b.len ? " " : "", spec->mount.shmounts_host,
		    spec->mount.shmounts_container ? ":" : "",
		    spec->mount.shmounts_container ? spec->mount.shmounts_container : "");
	if (b.oom)
		sink_oom(s);
	else if (b.len)
		lxc_emit(s, key, b.s);
}

/* ---- lxc.include, and keys that only clear ---- */

static int set_include(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                       nk_err **err)
{
	_cleanup_free_ char *path = NULL;
	const char *slash = c->file ? strrchr(c->file, '/') : NULL;
	int n = 0;
	/* A relative include is relative to the including file, as LXC's drop-ins expect. */
	if (value[0] != '/' && slash)
		n = asprintf(&path, "%.*s/%s", (int)(slash - c->file), c->file, value);
	else
		n = (path = strdup(value)) ? 0 : -1;
	if (n < 0)
		return lxc_oom(c, err);
	return lxc_include(c, path, err);
}

static void clr_include(const lxc_row *r, void *obj, const char *sub)
{
	clr_strv(r, obj, sub);
}

/* Includes are already expanded in a dump; get still lists what was read. */
static void write_include(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	if (s->mode == SINK_GET)
		write_strv(r, obj, key, s);
}

static int set_novalue(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                       nk_err **err)
{
	return lxc_key_error(c, err, "takes no value (an empty value clears every %s key)",
	                     r->name);
}

static void clr_nets(const lxc_row *r, void *obj, const char *sub)
{
	nk_spec_nets_clear(obj);
}

static void clr_hooks(const lxc_row *r, void *obj, const char *sub)
{
	nk_spec *spec = obj;
	for (size_t i = 0; i < NK_HOOK_MAX; i++) {
		nk_strv_free(spec->hooks[i]);
		spec->hooks[i] = NULL;
	}
}

/* ---- value checks (NULL: fine; else what was expected) ---- */

static const char *check_hostname(const char *v)
{
	return strlen(v) <= 64 ? NULL : "a host name of at most 64 bytes";
}

static const char *check_arch(const char *v)
{
	return nk_arch_valid(v) ? NULL
	                        : "an architecture (x86_64, amd64, i686, x86, arm64, armhf, "
	                          "ppc64el, s390x, riscv64, ...)";
}

static const char *check_tty_dir(const char *v)
{
	/* A single directory under the container's /dev: nothing that walks elsewhere. */
	bool ok = strlen(v) <= 255 && !strchr(v, '/') && strcmp(v, ".") && strcmp(v, "..");
	return ok ? NULL : "a directory name under /dev (lxc)";
}

static const char *check_abs_path(const char *v)
{
	return v[0] == '/' ? NULL : "an absolute path";
}

static const char *check_env(const char *v)
{
	return v[0] != '=' ? NULL : "NAME=VALUE, or NAME to pass the caller's value";
}

static const char *check_fstab(const char *v)
{
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;
	int fields = 0;
	for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; w;
	     w = strtok_r(NULL, " \t", &save))
		fields++;
	return fields >= 3 && fields <= 6 ? NULL
	                                  : "an fstab line (SOURCE TARGET FSTYPE [OPTIONS [0 0]])";
}

static const char *check_unix_socket(const char *v)
{
	return nk_str_has_prefix(v, "unix:") && v[5] ? NULL : "unix:/path or unix:@abstract";
}

static const char *check_syslog(const char *v)
{
	return nk_syslog_facility_valid(v) ? NULL : "a syslog facility (daemon, local0..local7)";
}

static const char *check_ifname(const char *v)
{
	return nk_ifname_valid(v) ? NULL : "a network device name of 1 to 15 bytes";
}

static const char *check_hwaddr(const char *v)
{
	return nk_hwaddr_valid(v) ? NULL : "a MAC address (00:16:3e:xx:xx:xx)";
}

static const char *check_cgroup_dir(const char *v)
{
	/* Relative to the cgroup root nook picks; walking up would escape the delegation. */
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;
	bool ok = copy && v[0] != '/';
	for (char *w = ok ? strtok_r(copy, "/", &save) : NULL; w; w = strtok_r(NULL, "/", &save))
		ok = ok && strcmp(w, "..") && strcmp(w, ".");
	return ok ? NULL : "a relative cgroup path without . or .. (lxc/web)";
}

/* Dotted names whose parts are non-empty runs of safe characters (no "..", no leading '.'). */
static bool dotted_ok(const char *v, const char *extra, bool need_dot)
{
	bool dot = false;
	size_t part = 0;
	for (const char *p = v; *p; p++) {
		if (*p == '.' || (*p == '/' && strchr(extra, '/'))) {
			if (!part)
				return false;
			dot = dot || *p == '.';
			part = 0;
		} else if (isalnum((unsigned char)*p) || strchr("_-", *p) ||
		           (*p != '/' && strchr(extra, *p))) {
			part++;
		} else {
			return false;
		}
	}
	return part && (dot || !need_dot);
}

static const char *check_sysctl_key(const char *v)
{
	return dotted_ok(v, "/:", false) ? NULL : "a sysctl name (net.ipv4.ip_forward)";
}

static const char *check_cgroup_key(const char *v)
{
	return dotted_ok(v, "", true) ? NULL : "a cgroup file name (memory.max, devices.allow)";
}

static const char *check_proc_key(const char *v)
{
	return dotted_ok(v, "", false) && !strchr(v, '.') ? NULL
	                                                  : "a /proc/PID file name (oom_score_adj)";
}

static const char *check_rlimit_key(const char *v)
{
	return nk_rlimit_from_name(v) >= 0 ? NULL
	                                   : "a resource name (nofile, nproc, core, memlock, ...)";
}

static const char *check_ns_key(const char *v)
{
	return nk_ns_from_name(v) >= 0 ? NULL : "a namespace name (net, ipc, uts, pid, user, ...)";
}

/* ---- the table ---- */

#define KEY(n)  .name = n, .kind = ROW_KEY
#define STR(f)  .set = set_str, .write = write_str, .clear = clr_str, .off = SPEC(f)
#define BOOL(f) .set = set_bool, .write = write_int, .clear = clr_int, .off = SPEC(f)
#define NUM(f, lo, hi)                                                                             \
	.set = set_num, .write = write_num, .clear = clr_num, .off = SPEC(f), .min = lo, .max = hi
#define LINES(f)  .set = set_line, .write = write_strv, .clear = clr_strv, .off = SPEC(f)
#define SIGNAL(f) .set = set_signal, .write = write_signal, .clear = clr_int, .off = SPEC(f)
#define HOOK(n, t)                                                                                 \
	KEY("lxc.hook." n), LINES(hooks[t]),                                                       \
	    .applied = true,                                                                       \
	    .summary = "Run a program at " n " (one per line, in order; empty clears)"
#define PREFIX(n, d) .name = n, .kind = ROW_PREFIX, .doc = d
#define NETKEY(n)    .name = n, .kind = ROW_NET, .doc = "lxc.net.[i]." n, .applied = true
#define NSTR(f)      .set = set_str, .write = write_str, .clear = clr_str, .off = NET(f)
#define LEGACY(n, to)                                                                              \
	.name = n, .kind = ROW_LEGACY, .set = lxc_legacy_rename, .legacy = to,                     \
	.summary = "Legacy name of " to
#define LEGACY_NET(n, sub)                                                                         \
	.name = n, .kind = ROW_LEGACY, .set = lxc_legacy_net, .legacy = "lxc.net.[i]." sub,        \
	.summary = "Legacy: lxc.net.[i]." sub " of the last network opened by lxc.network.type"
#define IGNORED(n)                                                                                 \
	.name = n, .kind = ROW_LEGACY, .set = lxc_legacy_ignore, .legacy = "",                     \
	.summary = "Obsolete; accepted and ignored"

const lxc_row lxc_rows[] = {
    /* Configuration files */
    {KEY("lxc.include"), .set = set_include, .write = write_include, .clear = clr_include,
     .off = SPEC(includes), .applied = true,
     .summary = "Read another config file, or every *.conf of a directory (sorted)"},

    /* Identity */
    {KEY("lxc.uts.name"), STR(uts_name), .check = check_hostname, .applied = true,
     .summary = "Host name inside the container"},
    {KEY("lxc.arch"), STR(arch), .check = check_arch,
     .summary = "Architecture (personality) of the container: x86_64, i686, arm64, ..."},

    /* Root file system */
    {KEY("lxc.rootfs.path"), STR(rootfs.path), .applied = true,
     .summary = "Root file system: a directory, dir:PATH, overlayfs:LOWER:UPPER, loop:FILE, "
                "nbd:FILE[:PART] or a block device"},
    {KEY("lxc.rootfs.mount"), STR(rootfs.mount), .check = check_abs_path,
     .summary = "Host directory the root file system is bound to before pivot_root"},
    {KEY("lxc.rootfs.options"), .applied = true, STR(rootfs.options),
     .summary = "Extra mount options for the root file system (fstab syntax, idmap= too)"},
    {KEY("lxc.rootfs.managed"), BOOL(rootfs.managed),
     .summary = "0 when the root file system is not managed by nook (not removed on destroy)"},

    /* Mounts */
    {KEY("lxc.mount.fstab"), STR(mount.fstab), .applied = true,
     .summary = "fstab-format file of extra mounts (relative targets are inside the rootfs)"},
    {KEY("lxc.mount.entry"), LINES(mount.entries), .check = check_fstab, .applied = true,
     .summary = "One fstab-format mount (with LXC's optional, create=dir|file, relative)"},
    {KEY("lxc.mount.auto"), .set = set_mount_auto, .write = write_mount_auto,
     .clear = clr_mount_auto, .applied = true,
     .summary = "Kernel file systems to mount: proc[:mixed|:rw] sys[:mixed|:ro|:rw] "
                "cgroup[-full][:mixed|:ro|:rw][:force] shmounts:HOST[:CONTAINER]"},

    /* /dev and consoles */
    {KEY("lxc.autodev"), BOOL(autodev), .applied = true,
     .summary = "1: mount a tmpfs on /dev and create the minimal device nodes"},
    {KEY("lxc.autodev.tmpfs.size"), .applied = true, NUM(autodev_tmpfs_size, 0, INT64_MAX),
     .summary = "Size in bytes of the /dev tmpfs (default 500000)"},
    {KEY("lxc.tty.max"), NUM(tty_max, 0, 65536), .applied = true,
     .summary = "Number of ttys (/dev/tty1..N) given to the container"},
    {KEY("lxc.tty.dir"), .applied = true, STR(tty_dir), .check = check_tty_dir,
     .summary = "Directory under /dev holding the console and ttys (symlinked from /dev)"},
    {KEY("lxc.pty.max"), NUM(pty_max, 0, INT32_MAX), .applied = true,
     .summary = "Maximum number of ptys of the container's own devpts instance"},
    {KEY("lxc.console.path"), STR(console.path), .applied = true,
     .summary = "Device to attach the console to; none disables the console"},
    {KEY("lxc.console.logfile"), STR(console.logfile), .applied = true,
     .summary = "File the console output is written to"},
    {KEY("lxc.console.rotate"), BOOL(console.rotate), .applied = true,
     .summary = "1: rotate the console log file (keeping FILE.1)"},
    {KEY("lxc.console.buffer.size"), .set = set_size, .write = write_size, .clear = clr_num,
     .off = SPEC(console.buffer_size), .applied = true,
     .summary = "Size of the in-memory console ring buffer: auto (128 KiB) or bytes (KB/MB/GB)"},
    {KEY("lxc.console.size"), .set = set_size, .write = write_size, .clear = clr_num,
     .off = SPEC(console.size), .applied = true,
     .summary = "Limit of the console log file: auto (128 KiB) or bytes (KB/MB/GB)"},

    /* Init */
    {KEY("lxc.init.cmd"), STR(init.cmd), .applied = true,
     .summary = "Command run as init (default /sbin/init)"},
    {KEY("lxc.execute.cmd"), STR(init.execute_cmd),
     .summary = "Command run by lxc-execute style application containers"},
    {KEY("lxc.init.cwd"), STR(init.cwd), .check = check_abs_path, .applied = true,
     .summary = "Working directory of init inside the container"},
    {KEY("lxc.init.uid"), NUM(init.uid, 0, UINT32_MAX - 1), .applied = true,
     .summary = "User id init runs as (default 0)"},
    {KEY("lxc.init.gid"), NUM(init.gid, 0, UINT32_MAX - 1), .applied = true,
     .summary = "Group id init runs as (default 0)"},
    {KEY("lxc.init.groups"), .applied = true, .set = set_gids, .write = write_gids, .clear = clr_gids,
     .summary = "Supplementary group ids of init, separated by commas (appends)"},
    {KEY("lxc.environment"), LINES(environment), .check = check_env, .applied = true,
     .summary = "NAME=VALUE for init's environment, or NAME to pass the caller's (appends)"},

    /* Lifecycle */
    {KEY("lxc.signal.halt"), SIGNAL(signal.halt), .applied = true,
     .summary = "Signal that asks init to shut down (default SIGPWR)"},
    {KEY("lxc.signal.reboot"), SIGNAL(signal.reboot), .applied = true,
     .summary = "Signal that asks init to reboot (default SIGINT)"},
    {KEY("lxc.signal.stop"), SIGNAL(signal.stop), .applied = true,
     .summary = "Signal that kills init when a shutdown times out (default SIGKILL)"},
    {KEY("lxc.ephemeral"), BOOL(ephemeral), .summary = "1: destroy the container when it stops"},
    {KEY("lxc.start.auto"), BOOL(start.autostart),
     .summary = "1: start the container at boot (autostart)"},
    {KEY("lxc.start.delay"), NUM(start.delay, 0, INT32_MAX),
     .summary = "Seconds to wait after autostarting this container before the next"},
    {KEY("lxc.start.order"), NUM(start.order, INT32_MIN, INT32_MAX),
     .summary = "Autostart order; lower starts earlier"},
    {KEY("lxc.group"), .set = set_words, .write = write_strv, .clear = clr_strv,
     .off = SPEC(groups), .summary = "Autostart groups the container belongs to (appends)"},
    {KEY("lxc.monitor.unshare"), BOOL(monitor.unshare),
     .summary = "1: the monitor unshares its mount namespace before starting the container"},
    {KEY("lxc.monitor.signal.pdeath"), .applied = true, SIGNAL(monitor.signal_pdeath), .arg = 1,
     .summary = "Signal init gets when the monitor dies (default SIGKILL; 0 for none)"},

    /* Networks: contiguous, lxc.net.[i].type first (a dump writes them in this order) */
    {KEY("lxc.net"), .set = set_novalue, .clear = clr_nets, .applied = true,
     .summary = "With an empty value, removes every network defined so far"},
    {.name = "",
     .kind = ROW_NET,
     .doc = "lxc.net.[i]",
     .applied = true,
     .set = set_novalue,
     .summary = "With an empty value, removes network i"},
    {NETKEY("type"), .set = lxc_set_net_type, .write = lxc_write_net_type,
     .clear = lxc_clr_net_type,
     .summary = "Network type: empty, none, veth, macvlan, ipvlan, vlan or phys"},
    {NETKEY("flags"), .set = lxc_set_flags, .write = lxc_write_flags, .clear = clr_int,
     .off = NET(up), .summary = "up: bring the interface up"},
    {NETKEY("link"), NSTR(link), .check = check_ifname,
     .summary = "Host device: the bridge (veth) or parent (macvlan, ipvlan, vlan, phys)"},
    {NETKEY("l2proxy"), .set = set_bool, .write = write_int, .clear = clr_int,
     .off = NET(l2proxy),
     .summary = "1: add neighbour proxy entries on the link for the container's addresses"},
    {NETKEY("name"), NSTR(name), .check = check_ifname,
     .summary = "Interface name inside the container"},
    {NETKEY("hwaddr"), NSTR(hwaddr), .check = check_hwaddr,
     .summary = "MAC address; each x is a random hex digit (00:16:3e:xx:xx:xx)"},
    {NETKEY("mtu"), .set = set_num, .write = write_num, .clear = clr_num, .off = NET(mtu),
     .min = 68, .max = 65536, .summary = "MTU of the interface"},
    {NETKEY("ipv4.address"), .set = lxc_set_addr, .write = lxc_write_addr, .clear = lxc_clr_addr,
     .arg = 0, .summary = "IPv4 address A.B.C.D/P with an optional broadcast (appends)"},
    {NETKEY("ipv4.gateway"), .set = lxc_set_gateway, .write = lxc_write_gateway,
     .clear = lxc_clr_gateway, .arg = 0,
     .summary = "IPv4 default gateway: an address, auto (the link's address) or dev"},
    {NETKEY("ipv6.address"), .set = lxc_set_addr, .write = lxc_write_addr, .clear = lxc_clr_addr,
     .arg = 2, .summary = "IPv6 address X::Y/P (appends)"},
    {NETKEY("ipv6.gateway"), .set = lxc_set_gateway, .write = lxc_write_gateway,
     .clear = lxc_clr_gateway, .arg = 1,
     .summary = "IPv6 default gateway: an address, auto or dev"},
    {NETKEY("script.up"), NSTR(script_up),
     .summary = "Host-side script run after the interface is created"},
    {NETKEY("script.down"), NSTR(script_down),
     .summary = "Host-side script run before the interface is destroyed"},
    {NETKEY("veth.mode"), .set = lxc_set_enum, .write = lxc_write_enum, .clear = clr_int,
     .off = NET(veth_mode), .arg = 0, .net_types = T(VETH),
     .summary = "veth: bridge (attach to the link) or router (host routes and proxy ARP/NDP)"},
    {NETKEY("veth.pair"), NSTR(veth_pair), .check = check_ifname, .net_types = T(VETH),
     .summary = "veth: name of the host-side device"},
    {NETKEY("veth.ipv4.route"), .set = lxc_set_addr, .write = lxc_write_addr,
     .clear = lxc_clr_addr, .arg = 1, .net_types = T(VETH),
     .summary = "veth: IPv4 route A.B.C.D/P on the host towards the container (appends)"},
    {NETKEY("veth.ipv6.route"), .set = lxc_set_addr, .write = lxc_write_addr,
     .clear = lxc_clr_addr, .arg = 3, .net_types = T(VETH),
     .summary = "veth: IPv6 route X::Y/P on the host towards the container (appends)"},
    {NETKEY("veth.vlan.id"), .set = lxc_set_vlan, .write = lxc_write_vlan, .clear = clr_int,
     .off = NET(veth_vlan_id), .arg = 1, .net_types = T(VETH),
     .summary = "veth: untagged VLAN of the bridge port, or none"},
    {NETKEY("veth.vlan.tagged.id"), .set = lxc_set_vlan_tagged,
     .write = lxc_write_vlan_tagged, .clear = lxc_clr_vlan_tagged, .net_types = T(VETH),
     .summary = "veth: a tagged VLAN of the bridge port (appends)"},
    {NETKEY("veth.n_rxqueues"), .set = set_num, .write = write_num, .clear = clr_num,
     .off = NET(veth_n_rxqueues), .min = 1, .max = 4096, .net_types = T(VETH),
     .summary = "veth: number of receive queues"},
    {NETKEY("veth.n_txqueues"), .set = set_num, .write = write_num, .clear = clr_num,
     .off = NET(veth_n_txqueues), .min = 1, .max = 4096, .net_types = T(VETH),
     .summary = "veth: number of transmit queues"},
    {NETKEY("macvlan.mode"), .set = lxc_set_enum, .write = lxc_write_enum, .clear = clr_int,
     .off = NET(macvlan_mode), .arg = 1, .net_types = T(MACVLAN),
     .summary = "macvlan: private, vepa, bridge or passthru"},
    {NETKEY("ipvlan.mode"), .set = lxc_set_enum, .write = lxc_write_enum, .clear = clr_int,
     .off = NET(ipvlan_mode), .arg = 2, .net_types = T(IPVLAN), .summary = "ipvlan: l3, l3s or l2"},
    {NETKEY("ipvlan.isolation"), .set = lxc_set_enum, .write = lxc_write_enum, .clear = clr_int,
     .off = NET(ipvlan_isolation), .arg = 3, .net_types = T(IPVLAN),
     .summary = "ipvlan: bridge, private or vepa"},
    {NETKEY("vlan.id"), .set = lxc_set_vlan, .write = lxc_write_vlan, .clear = clr_int,
     .off = NET(vlan_id), .net_types = T(VLAN), .summary = "vlan: the VLAN id"},

    /* Control groups */
    {PREFIX("lxc.cgroup", "lxc.cgroup.[controller].[key]"), .set = set_kv, .write = write_kv,
     .clear = clr_kv, .off = SPEC(cgroup.v1), .arg = 1, .check = check_cgroup_key, .applied = true,
     .summary = "cgroup v1 setting, in order (devices.allow repeats); empty clears the key, "
                "lxc.cgroup = clears all"},
    {PREFIX("lxc.cgroup2", "lxc.cgroup2.[controller].[key]"), .set = set_kv, .write = write_kv,
     .clear = clr_kv, .off = SPEC(cgroup.v2), .arg = 1, .check = check_cgroup_key, .applied = true,
     .summary = "cgroup v2 setting (memory.max, devices.allow); empty clears the key, "
                "lxc.cgroup2 = clears all"},
    {KEY("lxc.cgroup.dir"), STR(cgroup.dir), .check = check_cgroup_dir, .applied = true,
     .summary = "cgroup path of the container and its monitor, relative to nook's root"},
    {KEY("lxc.cgroup.dir.monitor"), STR(cgroup.dir_monitor), .check = check_cgroup_dir,
     .applied = true, .summary = "cgroup path of the monitor"},
    {KEY("lxc.cgroup.dir.monitor.pivot"), STR(cgroup.dir_monitor_pivot), .check = check_cgroup_dir,
     .applied = true, .summary = "cgroup the monitor moves to when the container stops"},
    {KEY("lxc.cgroup.dir.container"), STR(cgroup.dir_container), .check = check_cgroup_dir,
     .applied = true, .summary = "cgroup path of the container"},
    {KEY("lxc.cgroup.dir.container.inner"), STR(cgroup.dir_container_inner),
     .check = check_cgroup_dir, .applied = true,
     .summary = "cgroup below the container's that init is placed in"},
    {KEY("lxc.cgroup.relative"), BOOL(cgroup.relative), .applied = true,
     .summary = "1: place the container relative to the caller's cgroup"},

    /* Security */
    {KEY("lxc.cap.drop"), .set = set_caps, .write = write_strv, .clear = clr_strv,
     .off = SPEC(cap.drop), .applied = true,
     .summary = "Capabilities to drop, space separated (appends; empty clears)"},
    {KEY("lxc.cap.keep"), .set = set_caps, .write = write_strv, .clear = clr_strv,
     .off = SPEC(cap.keep), .arg = 1, .applied = true,
     .summary = "Capabilities to keep, dropping all others; none keeps nothing"},
    {KEY("lxc.no_new_privs"), BOOL(no_new_privs), .applied = true,
     .summary = "1: set PR_SET_NO_NEW_PRIVS before executing init"},
    {KEY("lxc.seccomp.profile"), STR(seccomp.profile), .applied = true,
     .summary = "Seccomp policy file (LXC's version 1/2 format)"},
    {KEY("lxc.seccomp.allow_nesting"), BOOL(seccomp.allow_nesting), .applied = true,
     .summary = "1: load the policy even when one is already in force (nesting)"},
    {KEY("lxc.seccomp.notify.proxy"), STR(seccomp.notify_proxy), .check = check_unix_socket,
     .summary = "Unix socket seccomp notifications are forwarded to"},
    {KEY("lxc.seccomp.notify.cookie"), STR(seccomp.notify_cookie),
     .summary = "String sent along with forwarded seccomp notifications"},
    {KEY("lxc.apparmor.profile"), STR(apparmor.profile), .applied = true,
     .summary = "AppArmor profile: a name, unconfined, generated or unchanged"},
    {KEY("lxc.apparmor.allow_incomplete"), BOOL(apparmor.allow_incomplete),
     .summary = "1: start even when the kernel's AppArmor lacks mount restrictions"},
    {KEY("lxc.apparmor.allow_nesting"), BOOL(apparmor.allow_nesting),
     .summary = "1: the generated profile allows nested containers"},
    {KEY("lxc.apparmor.raw"), LINES(apparmor.raw),
     .summary = "A raw AppArmor rule added to the generated profile (appends)"},
    {KEY("lxc.selinux.context"), STR(selinux.context), .applied = true, .summary = "SELinux context init runs in"},
    {KEY("lxc.selinux.context.keyring"), STR(selinux.context_keyring),
     .summary = "SELinux context of the container's session keyring"},
    {KEY("lxc.keyring.session"), BOOL(keyring_session),
     .summary = "0: do not create a new session keyring for init"},
    {KEY("lxc.sched.core"), BOOL(sched_core),
     .summary = "1: put the container in its own core-scheduling domain"},

    /* Namespaces, ids, limits, kernel parameters */
    {KEY("lxc.namespace.clone"), .set = set_ns_list, .write = write_ns_list, .clear = clr_int,
     .off = SPEC(ns.clone), .applied = true,
     .summary = "Namespaces to create: cgroup ipc mnt net pid time user uts"},
    {KEY("lxc.namespace.keep"), .set = set_ns_list, .write = write_ns_list, .clear = clr_int,
     .off = SPEC(ns.keep), .arg = 1, .applied = true,
     .summary = "Namespaces to keep from the caller (all others are created)"},
    {PREFIX("lxc.namespace.share", "lxc.namespace.share.[namespace]"), .set = set_ns_share,
     .write = write_ns_share, .clear = clr_ns_share, .check = check_ns_key, .applied = true,
     .summary = "Join a namespace of another container (name or path) or process (pid): net, ipc, uts, cgroup"},
    {KEY("lxc.time.offset.boot"), .set = set_time, .write = write_time, .clear = clr_time,
     .off = SPEC(time_boot),
     .summary = "Offset of CLOCK_BOOTTIME in the time namespace (-10s, 2h, 500ms)"},
    {KEY("lxc.time.offset.monotonic"), .set = set_time, .write = write_time, .clear = clr_time,
     .off = SPEC(time_monotonic), .summary = "Offset of CLOCK_MONOTONIC in the time namespace"},
    {KEY("lxc.idmap"), .set = set_idmap, .write = write_idmap, .clear = clr_idmap, .applied = true,
     .summary = "User namespace id range: u|g NSID HOSTID RANGE (appends)"},
    {PREFIX("lxc.prlimit", "lxc.prlimit.[resource]"), .set = set_prlimit, .write = write_prlimit,
     .clear = clr_prlimit, .check = check_rlimit_key, .applied = true,
     .summary = "Resource limit of init: unlimited, N or SOFT:HARD (nofile, nproc, ...)"},
    {PREFIX("lxc.sysctl", "lxc.sysctl.[key]"), .set = set_kv, .write = write_kv, .clear = clr_kv,
     .off = SPEC(sysctl), .check = check_sysctl_key, .applied = true,
     .summary = "Kernel parameter set in the container (net.ipv4.ip_forward)"},
    {PREFIX("lxc.proc", "lxc.proc.[file]"), .set = set_kv, .write = write_kv, .clear = clr_kv,
     .off = SPEC(proc), .check = check_proc_key,
     .summary = "Value written to /proc/PID/FILE of init (oom_score_adj)"},

    /* Hooks */
    {KEY("lxc.hook"), .set = set_novalue, .clear = clr_hooks, .applied = true,
     .summary = "With an empty value, removes every hook defined so far"},
    {KEY("lxc.hook.version"), BOOL(hook_version), .applied = true,
     .summary = "1: hooks get their arguments in LXC_* environment variables"},
    {HOOK("pre-start", NK_HOOK_PRE_START)},
    {HOOK("pre-mount", NK_HOOK_PRE_MOUNT)},
    {HOOK("mount", NK_HOOK_MOUNT)},
    {HOOK("autodev", NK_HOOK_AUTODEV)},
    {HOOK("start-host", NK_HOOK_START_HOST)},
    {HOOK("start", NK_HOOK_START)},
    {HOOK("stop", NK_HOOK_STOP)},
    {HOOK("post-stop", NK_HOOK_POST_STOP)},
    {HOOK("clone", NK_HOOK_CLONE)},
    {HOOK("destroy", NK_HOOK_DESTROY)},

    /* Logging */
    {KEY("lxc.log.level"), .set = set_log_level, .write = write_log_level, .clear = clr_int,
     .off = SPEC(log.level), .applied = true,
     .summary = "Log level: 0..8 or TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, "
                "FATAL"},
    {KEY("lxc.log.file"), STR(log.file), .applied = true,
     .summary = "File the container's log is written to"},
    {KEY("lxc.log.syslog"), STR(log.syslog), .check = check_syslog, .applied = true,
     .summary = "Also log to syslog with this facility (daemon, local0..local7)"},

    /* Legacy keys (LXC before 3.0), read and translated */
    {LEGACY("lxc.rootfs", "lxc.rootfs.path")},
    {IGNORED("lxc.rootfs.backend")},
    {LEGACY("lxc.utsname", "lxc.uts.name")},
    {LEGACY("lxc.mount", "lxc.mount.fstab")},
    {LEGACY("lxc.tty", "lxc.tty.max")},
    {LEGACY("lxc.pts", "lxc.pty.max")},
    {LEGACY("lxc.devttydir", "lxc.tty.dir")},
    {LEGACY("lxc.id_map", "lxc.idmap")},
    {LEGACY("lxc.aa_profile", "lxc.apparmor.profile")},
    {LEGACY("lxc.aa_allow_incomplete", "lxc.apparmor.allow_incomplete")},
    {LEGACY("lxc.se_context", "lxc.selinux.context")},
    {LEGACY("lxc.seccomp", "lxc.seccomp.profile")},
    {LEGACY("lxc.console", "lxc.console.path")},
    {LEGACY("lxc.haltsignal", "lxc.signal.halt")},
    {LEGACY("lxc.rebootsignal", "lxc.signal.reboot")},
    {LEGACY("lxc.stopsignal", "lxc.signal.stop")},
    {LEGACY("lxc.loglevel", "lxc.log.level")},
    {LEGACY("lxc.logfile", "lxc.log.file")},
    {LEGACY("lxc.syslog", "lxc.log.syslog")},
    {LEGACY("lxc.init_cmd", "lxc.init.cmd")},
    {LEGACY("lxc.init_uid", "lxc.init.uid")},
    {LEGACY("lxc.init_gid", "lxc.init.gid")},
    {.name = "lxc.limit",
     .kind = ROW_LEGACY_PREFIX,
     .set = lxc_legacy_rename,
     .legacy = "lxc.prlimit",
     .doc = "lxc.limit.[resource]",
     .summary = "Legacy name of lxc.prlimit.[resource]"},
    {IGNORED("lxc.kmsg")},
    {IGNORED("lxc.pivotdir")},
    {.name = "lxc.network.type",
     .kind = ROW_LEGACY,
     .set = lxc_legacy_net,
     .arg = 1,
     .legacy = "lxc.net.[i].type",
     .summary = "Legacy: opens the next network, as lxc.net.[i].type"},
    {LEGACY_NET("lxc.network.flags", "flags")},
    {LEGACY_NET("lxc.network.link", "link")},
    {LEGACY_NET("lxc.network.name", "name")},
    {LEGACY_NET("lxc.network.hwaddr", "hwaddr")},
    {LEGACY_NET("lxc.network.mtu", "mtu")},
    {LEGACY_NET("lxc.network.ipv4", "ipv4.address")},
    {LEGACY_NET("lxc.network.ipv4.gateway", "ipv4.gateway")},
    {LEGACY_NET("lxc.network.ipv6", "ipv6.address")},
    {LEGACY_NET("lxc.network.ipv6.gateway", "ipv6.gateway")},
    {LEGACY_NET("lxc.network.veth.pair", "veth.pair")},
    {LEGACY_NET("lxc.network.macvlan.mode", "macvlan.mode")},
    {LEGACY_NET("lxc.network.vlan.id", "vlan.id")},
    {LEGACY_NET("lxc.network.script.up", "script.up")},
    {LEGACY_NET("lxc.network.script.down", "script.down")},
    {.name = "lxc.network",
     .kind = ROW_LEGACY_PREFIX,
     .set = lxc_legacy_rename,
     .legacy = "lxc.net",
     .doc = "lxc.network.[i].[key]",
     .summary = "Legacy: lxc.network = clears all networks; lxc.network.N.KEY is lxc.net.N.KEY"},
};

const size_t lxc_n_rows = ARRAY_SIZE(lxc_rows);
