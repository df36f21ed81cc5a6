/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Running code as root of a new user namespace under given id maps, without the other
 * namespaces: what a normal user needs to build or remove a tree owned by subordinate ids
 * (LXC's lxc-usernsexec). The maps are written by nk_userns_write_maps, so a normal user's must
 * be allowed by /etc/subuid and /etc/subgid (newuidmap, newgidmap).
 */
#include <stddef.h>
#include <sys/types.h>

#include "conf/spec.h"
#include "util/error.h"

/* Runs in the child as uid 0 and gid 0 of the new namespace. An exec that succeeds ends it. */
typedef int (*nk_userns_fn)(void *arg, nk_err **err);

/*
 * Forks a child that enters a new user namespace, waits for its maps, becomes root there, drops
 * its supplementary groups (when setgroups is allowed) and runs fn; its return is the child's exit
 * status (0 or 1). *errfd gets a pipe on which the child sends fn's error text (EOF when fn
 * succeeded or exec'd). Returns the child's pid; the caller waits with nk_userns_wait.
 */
pid_t nk_userns_fork(const nk_idmap *maps, size_t n, nk_userns_fn fn, void *arg, int *errfd,
                     nk_err **err);
/*
 * Reaps such a child and closes errfd. An error the child sent becomes err (returned negative);
 * otherwise 0 with its wait status in *status.
 */
int nk_userns_reap(pid_t pid, int errfd, int *status, nk_err **err);
/* nk_userns_reap; a non-zero exit or a signal becomes an error too. All prefixed with what. */
int nk_userns_wait(pid_t pid, int errfd, const char *what, nk_err **err);
/* nk_userns_fork, then nk_userns_wait. */
int nk_userns_run(const nk_idmap *maps, size_t n, nk_userns_fn fn, void *arg, const char *what,
                  nk_err **err);
/* Runs argv (searched in PATH) as root of a new user namespace under maps, and waits. */
int nk_userns_exec(const nk_idmap *maps, size_t n, char *const argv[], nk_err **err);
