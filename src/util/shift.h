/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Shifting a tree's owners into a user namespace's host ids: what a rootfs built by host root
 * needs before a container whose root is host uid N can use it. Owners, setuid/setgid bits,
 * file capabilities (security.capability, rewritten as v3 with the namespace's root) and POSIX
 * ACL entries all move; the walk never follows a symlink and never leaves the tree's mount.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* One id range: nsid..nsid+count-1 inside is hostid..hostid+count-1 on the host. */
typedef struct nk_shift_range {
	uint32_t nsid;
	uint32_t hostid;
	uint32_t count;
} nk_shift_range;

typedef struct nk_shift_map {
	const nk_shift_range *uid;
	size_t n_uid;
	const nk_shift_range *gid;
	size_t n_gid;
} nk_shift_map;

/*
 * The host id an id on disk becomes. An id already inside a host range stays (a second run,
 * or a hard link seen twice, changes nothing); an id the map does not cover becomes the
 * namespace's nobody (65534) when that is mapped. -1 when neither applies.
 */
int64_t nk_shift_id(const nk_shift_range *r, size_t n, uint32_t id);

/* Shifts every inode below and including path. Stops at the first failure. */
int nk_shift_tree(const char *path, const nk_shift_map *map, nk_err **err);
