/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The container's root: made a mount point of its own in the child's mount namespace,
 * pivot_root'ed into, and finished (read-only) once everything is mounted inside it.
 * Called by the start sequence in the child, in this order:
 *   nk_rootfs_prepare -> nk_mount_auto -> nk_dev_autodev -> nk_mount_fstab_and_entries ->
 *   nk_dev_ptys -> nk_rootfs_pivot -> nk_rootfs_finish
 * (autodev before the entries, as LXC: an entry under /dev must land on the new tmpfs).
 */
#include "conf/spec.h"
#include "util/error.h"

/* An O_PATH | O_DIRECTORY | O_CLOEXEC fd of the rootfs directory, for run/resolve.h. */
int nk_rootfs_open(const char *rootfs, nk_err **err);
/*
 * Makes every mount a recursive slave (nothing mounted from here on propagates to the host),
 * then bind-mounts rootfs (MS_REC) onto itself so it is a mount point pivot_root accepts,
 * with the nosuid/nodev/noexec/atime flags of lxc.rootfs.options. "ro" waits for
 * nk_rootfs_finish: mount points and /dev entries are still created inside the rootfs.
 * rootfs is the plain directory (no "dir:" prefix).
 */
int nk_rootfs_prepare(const nk_spec *spec, const char *rootfs, nk_err **err);
/*
 * pivot_root into rootfs, then detaches the old root so no path leads back to the host;
 * the working directory is the new "/".
 */
int nk_rootfs_pivot(const char *rootfs, nk_err **err);
/* After the pivot: remounts "/" read-only when lxc.rootfs.options has "ro". */
int nk_rootfs_finish(const nk_spec *spec, nk_err **err);
