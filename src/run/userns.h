/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * User namespaces: writing a process's id maps (lxc.idmap) and translating ids through them.
 * Host root writes /proc/PID/{uid,gid}_map itself; anyone else goes through the setuid
 * newuidmap/newgidmap of the uidmap package, which check /etc/subuid and /etc/subgid.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/spec.h"
#include "util/error.h"

/* Writes maps (both kinds) into the user namespace of pid. */
int nk_userns_write_maps(pid_t pid, const nk_idmap *maps, size_t n, nk_err **err);
/* The host id that id of kind 'u' or 'g' maps to; -1 when it is not mapped. */
int64_t nk_idmap_to_host(const nk_idmap *maps, size_t n, char kind, uint32_t id);
/* True when the process may write any map itself (root of the initial user namespace). */
bool nk_userns_can_write_directly(void);
/* In a user namespace whose maps are written: uid and gid 0 there, no supplementary groups. */
int nk_userns_become_root(nk_err **err);
/* 0, or -EACCES naming the directory on path that host uid/gid may not search. */
int nk_userns_path_reachable(const char *path, uid_t uid, gid_t gid, nk_err **err);
