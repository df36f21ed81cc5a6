/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Internals of the LXC config language, shared by the key table (lxc_table.c), the parser and
 * writers (lxc.c) and the in-place editor (lxc_edit.c). Not for other directories: they use lxc.h.
 */
#include <stdbool.h>
#include <stddef.h>

#include "conf/lxc.h"
#include "conf/spec.h"
#include "util/strbuf.h"

struct lxc_row;

/* Called for each legacy line of the top file that was translated (file update). */
typedef int (*lxc_translate_fn)(void *data, unsigned line, const char *old_key, const char *new_key,
                                nk_err **err);

/* State of one parse: where we are (for messages) and what is open (for include loops). */
typedef struct lxc_ctx {
	nk_spec *spec;
	const char *file; /* NULL for nk_lxc_set: messages then start with the key */
	unsigned line;
	const char *key; /* the key as written, for messages */
	char **stack;    /* real paths of the files being read, outermost first */
	unsigned depth;
	bool quiet_legacy;          /* no legacy warnings (the editor re-reads what it writes) */
	bool skip_missing_includes; /* the editor works on a file whose includes may be absent */
	lxc_translate_fn translate;
	void *translate_data;
} lxc_ctx;

enum lxc_sink_mode {
	SINK_DUMP,   /* "key = value\n" lines, values quoted where reading would alter them */
	SINK_GET,    /* values of key == want, one per line */
	SINK_PREFIX, /* "key = value" lines for keys under want (want + ".") */
	SINK_KEYS,   /* the distinct keys emitted, one per line */
	SINK_COUNT,  /* only count */
};

typedef struct lxc_sink {
	enum lxc_sink_mode mode;
	const char *want;
	nk_strbuf buf;
	size_t count;
	char *last; /* SINK_KEYS: the key emitted last */
} lxc_sink;

void lxc_emit(lxc_sink *s, const char *key, const char *value);
void lxc_emitf(lxc_sink *s, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The three functions of a row: parse a value into obj, clear it, write it back. */
typedef int lxc_set_fn(lxc_ctx *c, const struct lxc_row *r, void *obj, const char *sub,
                       const char *value, nk_err **err);
typedef void lxc_clear_fn(const struct lxc_row *r, void *obj, const char *sub);
typedef void lxc_write_fn(const struct lxc_row *r, const void *obj, const char *key, lxc_sink *s);
/* Returns NULL when value is fine, else what was expected ("a hostname of up to 64 bytes"). */
typedef const char *lxc_check_fn(const char *value);

enum lxc_row_kind {
	ROW_KEY,    /* exact key */
	ROW_PREFIX, /* name, or name.SUB with SUB free-form (lxc.cgroup2.memory.max) */
	ROW_NET,    /* lxc.net.N.<name> */
	ROW_LEGACY, /* exact legacy key, translated to ->legacy */
	ROW_LEGACY_PREFIX,
};

typedef struct lxc_row {
	const char *name; /* key; for ROW_NET the part after "lxc.net.N." */
	enum lxc_row_kind kind;
	lxc_set_fn *set;
	lxc_write_fn *write;
	lxc_clear_fn *clear;
	size_t off;    /* offset of the field in nk_spec (nk_net for ROW_NET) */
	long long arg; /* per-row parameter (which list, which enum, accepts 0, ...) */
	long long min; /* numeric rows: the accepted range */
	long long max;
	lxc_check_fn *check; /* extra validation of a string value */
	unsigned net_types;  /* ROW_NET: bit (1 << NK_NET_*) of the types it belongs to; 0 = any */
	bool applied;        /* does nook apply this key yet */
	const char *doc;     /* name in the reference when it differs ("lxc.sysctl.[key]") */
	const char *legacy;  /* legacy rows: the current key ("" = obsolete, ignored) */
	const char *summary;
} lxc_row;

extern const lxc_row lxc_rows[];
extern const size_t lxc_n_rows;
/* Whether nook applies networks of this type yet. */
extern const bool lxc_net_type_applied[NK_NET_TYPE_MAX];

/* Set one key in ctx (current or legacy syntax); value "" clears. */
int lxc_apply(lxc_ctx *c, const char *key, const char *value, nk_err **err);
/* Reads a file (or the *.conf of a directory) into ctx, for lxc.include and the top file. */
int lxc_include(lxc_ctx *c, const char *path, nk_err **err);
int lxc_parse_buffer(lxc_ctx *c, const char *text, size_t len, nk_err **err);
/* Parses text as the top file c->file (which may be NULL): nk_lxc_parse_text with a chosen ctx. */
int lxc_parse_top(lxc_ctx *c, const char *text, size_t len, nk_err **err);
/* "FILE:LINE: KEY: " + the formatted text, errnum 0. */
int lxc_key_error(const lxc_ctx *c, nk_err **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "FILE:LINE: KEY: expected ..., got 'value'". */
int lxc_bad_value(const lxc_ctx *c, nk_err **err, const char *expected, const char *value);
int lxc_oom(const lxc_ctx *c, nk_err **err);

const char *lxc_net_type_name(enum nk_net_type type);
/* For get on a legacy key: the current key it reads as (NULL when the key is ignored). */
int lxc_legacy_key_target(const nk_spec *spec, const lxc_row *r, const char *key, char **out);
int lxc_legacy_prefix_target(const nk_spec *spec, const lxc_row *r, const char *sub, char **out);

/* Key lookup, shared with the editor. */
typedef struct lxc_key {
	const lxc_row *row;
	unsigned index;  /* for ROW_NET keys */
	const char *sub; /* for prefix rows: the part after "name.", or NULL for the bare name */
} lxc_key;
/* 0, -ENOENT (unknown key) or -EINVAL (lxc.net key with a bad index); err says which. */
int lxc_lookup(const lxc_ctx *c, const char *key, lxc_key *out, nk_err **err);
/* A value as a config line holds it: quoted when reading would otherwise strip or change it. */
void lxc_append_value(nk_strbuf *b, const char *value);
/* Splits "key = value" (trimmed, one quote pair removed). Returns false without '='. */
bool lxc_split_line(char *line, char **key, char **value);

/* Fields of nk_spec / nk_net that a row reaches through its offset. */
#define LXC_FIELD(obj, r, T)  ((T *)(void *)((char *)(obj) + (r)->off))
#define LXC_CFIELD(obj, r, T) ((T const *)(const void *)((const char *)(obj) + (r)->off))

/* Row handlers that live outside lxc_table.c: networks (lxc_net.c) and legacy keys. */
lxc_set_fn lxc_set_net_type, lxc_set_flags, lxc_set_enum, lxc_set_vlan, lxc_set_vlan_tagged,
    lxc_set_addr, lxc_set_gateway;
lxc_clear_fn lxc_clr_net_type, lxc_clr_vlan_tagged, lxc_clr_addr, lxc_clr_gateway;
lxc_write_fn lxc_write_net_type, lxc_write_flags, lxc_write_enum, lxc_write_vlan,
    lxc_write_vlan_tagged, lxc_write_addr, lxc_write_gateway;
lxc_set_fn lxc_legacy_rename, lxc_legacy_ignore, lxc_legacy_net;
