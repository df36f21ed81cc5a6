/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The container's /dev: lxc.autodev's tmpfs with the basic nodes, a devpts instance of its
 * own, and the ptys behind /dev/console and /dev/tty1..N. Called in the child before
 * pivot_root: nk_dev_autodev after lxc.mount.auto and before the fstab entries (so an entry
 * under /dev lands on the new tmpfs), nk_dev_ptys after the entries.
 */
#include <stddef.h>

#include "conf/spec.h"
#include "util/error.h"

/* The /dev/pts mount options (plus ",max=N" for lxc.pty.max). */
#define NK_DEVPTS_OPTIONS "newinstance,ptmxmode=0666,mode=0620,gid=5"

/*
 * With lxc.autodev (the default): a tmpfs on rootfs/dev (lxc.autodev.tmpfs.size, mode 0755,
 * nosuid) holding null, zero, full, random, urandom and tty (mknod; where that is not allowed,
 * a bind mount of the host's node), the fd/stdin/stdout/stderr links, a tmpfs on /dev/shm
 * and, when the kernel lets us, mqueue on /dev/mqueue. Always: a new devpts instance on
 * rootfs/dev/pts and /dev/ptmx pointing into it.
 */
int nk_dev_autodev(const nk_spec *spec, const char *rootfs, nk_err **err);

/*
 * Allocates n ptys from the container's devpts instance (n = 1 + lxc.tty.max): masters[0]
 * backs /dev/console (-1 when lxc.console.path is "none"), masters[i] /dev/tty<i>. Each slave
 * is bind-mounted there (or in /dev/<lxc.tty.dir>/ with a link, as LXC does) and given sane
 * termios; the masters (O_CLOEXEC) are the caller's, for the monitor. On failure every
 * master is closed and set to -1.
 */
int nk_dev_ptys(const nk_spec *spec, const char *rootfs, int *masters, size_t n, nk_err **err);
