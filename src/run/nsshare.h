/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * lxc.namespace.share.*: namespaces the container joins instead of creating, named by another
 * container of the same lxcpath, a pid, or a path (/proc/PID/ns/net, a bind-mounted ns file).
 * The monitor opens them before the clone (as the host sees the names); the child joins them.
 */
#include "conf/spec.h"
#include "util/error.h"

typedef struct nk_ns_shares {
	int fd[NK_NS_MAX]; /* -1: not shared */
	int mask;          /* CLONE_NEW* of the shared ones */
} nk_ns_shares;

/* Opens every share the spec names; refuses those nook cannot join (mnt, pid, user, time). */
int nk_ns_shares_open(const char *lxcpath, const nk_spec *spec, nk_ns_shares *s, nk_err **err);
/* In the child, before anything of the container is set up. */
int nk_ns_shares_join(const nk_ns_shares *s, nk_err **err);
void nk_ns_shares_close(nk_ns_shares *s);
