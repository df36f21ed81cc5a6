/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * lxc.hook.*: each hook line runs as `/bin/sh -c "LINE NAME lxc TYPE [EXTRA]"`, as LXC runs
 * them, with LXC's variables (LXC_NAME, LXC_ROOTFS_MOUNT, LXC_HOOK_TYPE, ...) and nook's own
 * (NOOK_NAME, NOOK_ROOTFS_MOUNT, NOOK_HOOK_TYPE, ...) in the environment. The caller decides
 * in which namespaces they run by where it calls them.
 */
#include <sys/types.h>

#include "conf/spec.h"
#include "util/error.h"

typedef struct nk_hook_ctx {
	const char *lxcpath;
	const char *name;
	const char *config;       /* the config file */
	const char *rootfs;       /* lxc.rootfs.path, plain */
	const char *rootfs_mount; /* where the rootfs is mounted while the container is set up */
	pid_t pid;                /* init's pid on the host (start-host, stop), or 0 */
	const char *target;       /* "stop" or "reboot" for the stop and post-stop hooks */
} nk_hook_ctx;

/* Runs every hook of one type in order; the first that fails ends it with an error naming it. */
int nk_hooks_run(const nk_spec *spec, enum nk_hook_type type, const nk_hook_ctx *ctx, nk_err **err);
const char *nk_hook_name(enum nk_hook_type type);
