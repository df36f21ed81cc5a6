/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Subordinate ids (/etc/subuid, /etc/subgid, "owner:start:count" per line): which host ids an
 * unprivileged container's root may be. Root's containers each get a range of their own, so that
 * two containers never own each other's files; a normal user's containers use the user's range.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define NK_SUBUID_FILE "/etc/subuid"
#define NK_SUBGID_FILE "/etc/subgid"
/* Where appended ranges start at the lowest, as shadow's SUB_UID_MIN does by default. */
#define NK_SUBID_MIN 100000u
/* The ids a container gets: 0..65535, so that nobody (65534) exists inside. */
#define NK_SUBID_SIZE 65536u

typedef struct nk_subid {
	char *owner; /* a user name or a uid, as written */
	uint32_t start;
	uint32_t count;
} nk_subid;

/* A span of ids [start, start + count). */
typedef struct nk_idspan {
	uint64_t start;
	uint64_t count;
} nk_idspan;

/* Parses the text of a subuid/subgid file. Comments, blank and malformed lines are skipped, as
 * shadow's tools skip them. */
int nk_subid_parse(const char *text, nk_subid **out, size_t *n, nk_err **err);
/* nk_subid_parse of a file; a missing file has no entries. */
int nk_subid_read(const char *path, nk_subid **out, size_t *n, nk_err **err);
void nk_subid_free(nk_subid *v, size_t n);

/* Whether an entry is the user's: by name, or by number as shadow also accepts. */
bool nk_subid_is_owner(const nk_subid *e, const char *user, uid_t uid);
/* The first id after every entry (any owner's), and never below NK_SUBID_MIN. */
uint64_t nk_subid_end(const nk_subid *v, size_t n);

/*
 * The lowest start of size ids inside one of the spans in own that overlaps none of taken.
 * -ENOSPC when there is none.
 */
int nk_subid_choose(const nk_idspan *own, size_t n_own, const nk_idspan *taken, size_t n_taken,
                    uint32_t size, uint32_t *start);

/*
 * Root's allocation: a range of size ids that is owner's in both files and overlaps no taken
 * span; when there is none, "owner:START:size" is appended to both files, START after every
 * entry of either file and after every taken span (*appended is then true). The caller holds
 * nk_subid_lock.
 */
int nk_subid_allocate(const char *uid_file, const char *gid_file, const char *owner,
                      const nk_idspan *taken, size_t n_taken, uint32_t size, uint32_t *start,
                      bool *appended, nk_err **err);
/* Appends "owner:start:count" atomically, keeping every other line and the file's mode. */
int nk_subid_append(const char *path, const char *owner, uint32_t start, uint32_t count,
                    nk_err **err);
/* Removes the last line that reads exactly "owner:start:count"; none is fine. */
int nk_subid_remove(const char *path, const char *owner, uint32_t start, uint32_t count,
                    nk_err **err);

/*
 * A normal user's range of at least size ids from path (kind 'u' or 'g' names the usermod
 * option in the error): the first entry that is big enough. The error says what to run.
 */
int nk_subid_user_range(const char *path, char kind, const char *user, uid_t uid, uint32_t size,
                        uint32_t *start, nk_err **err);

/*
 * The lock of the shadow files (lckpwdf), which useradd and usermod take before they edit
 * /etc/subuid: held from reading the ranges in use to writing the config that takes one.
 */
int nk_subid_lock(nk_err **err);
void nk_subid_unlock(void);
