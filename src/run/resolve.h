/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Path resolution confined to a root directory (a container's rootfs, before pivot_root).
 *
 * Why: a rootfs is owned by whoever built it, and a symlink in it ("dev -> /", "mnt/x ->
 * ../../../../etc") must never make the runtime create or mount something on the host. That
 * is the CVE-2019-19921 / CVE-2021-30465 class of bugs: check a path as a string, then use the
 * string, and a symlink swapped in between redirects the mount. So a target is resolved once,
 * to an O_PATH fd, with every symlink interpreted as if the root were "/" and ".." clamped at
 * the root; the caller then mounts onto "/proc/self/fd/N" of that fd, which names exactly the
 * resolved inode, whatever the path looks like by then.
 *
 * The kernel does this for us with openat2(RESOLVE_IN_ROOT) on Linux 5.6+; otherwise (and
 * whenever something has to be created on the way) a component-by-component walk with
 * O_NOFOLLOW does the same in user space: each symlink is read, never followed by the kernel,
 * and its text is resolved again inside the root.
 *
 * Every function returns an O_PATH | O_CLOEXEC fd (>= 0) or a negative errno with *err set.
 * rootfd is an O_PATH (or O_DIRECTORY) fd of the root; path may be absolute or relative, both
 * are taken inside the root.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Opens path inside rootfd; nothing is created. */
int nk_open_in_root(int rootfd, const char *path, nk_err **err);
/* Like nk_open_in_root, creating every missing component as a directory (mode & ~umask). */
int nk_mkdir_in_root(int rootfd, const char *path, mode_t mode, nk_err **err);
/*
 * Like nk_open_in_root, creating missing parents as directories (0755) and a missing last
 * component as an empty regular file with mode. An existing last component of any type is
 * returned as it is.
 */
int nk_mkfile_in_root(int rootfd, const char *path, mode_t mode, nk_err **err);

/* "/proc/self/fd/N" for fd: what mount(2) and friends are given instead of a path. */
#define NK_FD_PATH_MAX 32
const char *nk_fd_path(int fd, char buf[NK_FD_PATH_MAX]);

/* For tests: false makes every resolution take the user-space walk instead of openat2. */
void nk_resolve_use_openat2(bool use);
