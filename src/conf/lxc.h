/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The LXC configuration language. Every key is one row of one table (lxc.c) with its parser,
 * its writer and whether nook applies it yet. Legacy keys (pre-3.0) are translated on read with
 * one warning naming file:line and the current key.
 */
#include <stdbool.h>
#include <stddef.h>

#include "conf/spec.h"
#include "util/error.h"

/* Parses a file (following lxc.include) into spec. Errors read "FILE:LINE: KEY: what was expected". */
int nk_lxc_parse_file(nk_spec *spec, const char *path, nk_err **err);
/* Parses text as if it were the file fname (fname only labels messages and resolves includes). */
int nk_lxc_parse_text(nk_spec *spec, const char *text, size_t len, const char *fname, nk_err **err);
/* Sets one key as a config line would (legacy names accepted and translated; "" clears). */
int nk_lxc_set(nk_spec *spec, const char *key, const char *value, nk_err **err);
/*
 * The value of one key in current syntax; a key that holds a list gives one value per line.
 * Unknown key: -ENOENT with err filled. Known but unset: 0 with *value = "" .
 */
int nk_lxc_get(const nk_spec *spec, const char *key, char **value, nk_err **err);
/* The effective configuration as text in current keys, one "key = value" line per item. */
int nk_lxc_dump(const nk_spec *spec, char **text, nk_err **err);
/* The keys that are set in spec but that nook does not apply yet (NULL-terminated, caller frees). */
char **nk_lxc_not_applied(const nk_spec *spec);

/* The key table, read-only, for `nook config keys`, the docs test and the fuzzer. */
typedef struct nk_lxc_key_info {
	const char *name;     /* "lxc.net.[i].ipv4.address", "lxc.cgroup2.[controller].[key]" */
	const char *summary;  /* one line for the reference */
	bool applied;         /* does nook apply it yet */
	const char *legacy;   /* for legacy rows, the current key it maps to; NULL otherwise */
} nk_lxc_key_info;
size_t nk_lxc_keys(const nk_lxc_key_info **keys);

/*
 * In-place edits of a config file, keeping comments, blank lines and order.
 * set: replaces the first line of key (removing later duplicates) or appends one.
 * unset: removes every line of key. update: rewrites legacy keys as current ones (what
 * lxc-update-config does); a backup FILE.backup is kept when backup is true.
 */
int nk_lxc_file_set(const char *path, const char *key, const char *value, nk_err **err);
int nk_lxc_file_unset(const char *path, const char *key, nk_err **err);
int nk_lxc_file_update(const char *path, bool backup, int *changed, nk_err **err);
