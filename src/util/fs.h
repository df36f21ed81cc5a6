/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Small file-system and string helpers. */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Reads a whole file into a NUL-terminated buffer. */
int nk_read_file(const char *path, char **out, size_t *len, nk_err **err);
/* Writes data to path atomically (temp file in the same directory, fsync, rename). */
int nk_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, nk_err **err);
/* mkdir -p; existing directories are fine. */
int nk_mkdir_p(const char *path, mode_t mode, nk_err **err);
/*
 * Removes a tree without following symlinks and without crossing into other mounts (a bind
 * mount left inside a rootfs must never take host files with it).
 */
int nk_rm_rf(const char *path, nk_err **err);
/* The first mount point strictly below path (from /proc/self/mountinfo), or NULL. */
char *nk_mount_below(const char *path);
bool nk_path_exists(const char *path);
bool nk_is_dir(const char *path);
bool nk_is_executable(const char *path);

/* Closes every fd above 2 but those in keep (at most 16). 0 or -errno. */
int nk_close_fds_except(const int *keep, size_t n);
/* False when the cwd lies outside the process's root (a host directory leaked in). */
bool nk_cwd_reachable(void);

/* A growable NULL-terminated string vector. */
int nk_strv_push(char ***v, const char *s);
size_t nk_strv_len(char **v);
/* Strip leading and trailing white space in place; returns s. */
char *nk_strstrip(char *s);
bool nk_str_has_prefix(const char *s, const char *prefix);
