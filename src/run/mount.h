/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The container's mounts: lxc.mount.fstab and lxc.mount.entry (fstab syntax, LXC's options),
 * lxc.mount.auto (proc, sys, cgroup), and the mount primitives rootfs.c and dev.c share.
 *
 * Every TARGET is resolved inside the rootfs (run/resolve.h) to an O_PATH fd and mounted on
 * through "/proc/self/fd/N", never through a joined path string: a symlink planted in the
 * rootfs, or swapped in after a check, cannot make a mount land on the host. Bind SOURCES of
 * fstab entries are host paths (that is what the user wrote); every other source (proc, sysfs
 * sub-trees re-bound read-only) is inside the rootfs too.
 *
 * Functions with an nk_err ** follow the error contract; the primitives without one return
 * 0 or a negative errno and leave the message to the caller, who knows what is being mounted.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/mount.h>

#include "conf/spec.h"
#include "util/error.h"

/* --- The start sequence (the child, before pivot_root; rootfs is the plain directory) --- */

/* lxc.mount.auto: proc and sys as spec->mount.auto_flags asks; see docs/mounts.md. */
int nk_mount_auto(const nk_spec *spec, const char *rootfs, nk_err **err);
/*
 * lxc.mount.auto's cgroup part, separate because it must run inside the container's own
 * cgroup namespace, which the child can only enter once it is in its cgroup; the rest of the
 * mounts go on meanwhile.
 */
int nk_mount_auto_cgroup(const nk_spec *spec, const char *rootfs, nk_err **err);
/* The lxc.mount.fstab file, then every lxc.mount.entry, in order. */
int nk_mount_fstab_and_entries(const nk_spec *spec, const char *rootfs, nk_err **err);
/* Parses every entry and the fstab file, mounting nothing: validation before anything runs. */
int nk_mount_check(const nk_spec *spec, nk_err **err);

/* --- fstab syntax --- */

enum nk_mount_create { NK_MOUNT_CREATE_NONE, NK_MOUNT_CREATE_DIR, NK_MOUNT_CREATE_FILE };

/* The options field of an fstab line, split as mount(8) and LXC split it. */
typedef struct nk_mount_opts {
	/* MS_* for mount(2): MS_BIND, MS_REC, MS_RDONLY, MS_NOSUID... */
	unsigned long flags;
	/* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE (| MS_REC); 0 leaves it alone. */
	unsigned long propagation;
	/* Everything else, comma-joined, for the file system; NULL when nothing is left. */
	char *data;
	/* create=dir, create=file */
	enum nk_mount_create create;
	/* "optional" (LXC) or "nofail": a failure is a note, not an error. */
	bool optional;
} nk_mount_opts;

int nk_mount_opts_parse(const char *opts, nk_mount_opts *out, nk_err **err);
void nk_mount_opts_free(nk_mount_opts *o);

/* One fstab line: fields split on blanks, octal escapes ("\040") decoded. */
typedef struct nk_fstab_entry {
	char *source;
	char *target;
	char *fstype;
	char *options; /* "defaults" when the field is missing */
} nk_fstab_entry;

/* Returns 1 with *out filled, 0 for a blank or comment line, or a negative errno. */
int nk_fstab_parse_line(const char *line, nk_fstab_entry *out, nk_err **err);
void nk_fstab_entry_free(nk_fstab_entry *e);

/*
 * Mounts one fstab line. An absolute target must lie under rootfs (LXC strips that prefix);
 * a relative one is taken inside rootfs. rootfd is an O_PATH fd of rootfs.
 */
int nk_mount_entry(int rootfd, const char *rootfs, const char *line, nk_err **err);

/* --- Primitives --- */

/* mount(2) onto the inode target_fd names; src and data may be NULL. */
int nk_mount_on_fd(const char *src, int target_fd, const char *fstype, unsigned long flags,
                   const char *data);
/* Bind-mounts what source_fd names onto what target_fd names (MS_REC when recursive). */
int nk_bind_fd(int source_fd, int target_fd, bool recursive);
/*
 * Adds flags (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, atime flags) to the mount at path,
 * a bind remount (MS_REMOUNT | MS_BIND) that changes only that mount. The flags the mount
 * already has are read with statvfs and kept: a plain "MS_REMOUNT|MS_BIND|MS_RDONLY" would
 * silently clear nosuid, nodev and noexec a bind mount inherited from its source (the "remount
 * lost nosuid" bug). An explicit atime flag replaces the current atime mode.
 */
int nk_remount(const char *path, unsigned long flags);
/* The MS_* flags nk_remount accepts. */
#define NK_REMOUNT_FLAGS                                                                           \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)

/*
 * After a mount on target_fd (resolved from path inside rootfd), an fd of the NEW mount's
 * root: target_fd still names the covered directory, and a remount must hit the new mount.
 * Fails with EBUSY unless the path now resolves to a different mount than target_fd's.
 */
int nk_reopen_mounted(int rootfd, const char *path, int target_fd, nk_err **err);
/*
 * Mounts a new fstype instance on path inside rootfd (the directory is created, 0755, when
 * missing) and returns an O_PATH fd of the new mount's root.
 */
int nk_mount_fs_in_root(int rootfd, const char *path, const char *fstype, unsigned long flags,
                        const char *data, nk_err **err);
/*
 * Bind-mounts src onto dst, both inside rootfd (often the same path, to make a sub-tree its
 * own mount), then adds remount_flags (nk_remount) when non-zero. Returns an O_PATH fd of
 * the new mount.
 */
int nk_bind_in_root(int rootfd, const char *src, const char *dst, unsigned long remount_flags,
                    nk_err **err);

/* --- cgroup file systems for lxc.mount.auto (mount_cgroup.c) --- */

/* One entry of the host's /sys/fs/cgroup. */
typedef struct nk_cgroup_mnt {
	char *dir;     /* relative to /sys/fs/cgroup; "" when cgroup2 is mounted right there */
	char *fstype;  /* "cgroup", "cgroup2", or NULL for a symlink ("cpu" -> "cpu,cpuacct") */
	char *options; /* cgroup: controllers and name=, comma-joined; symlink: its target */
} nk_cgroup_mnt;

/* The hierarchies mounted at or directly under /sys/fs/cgroup in mountinfo text. */
int nk_cgroup_mnts_parse(const char *mountinfo, nk_cgroup_mnt **out, size_t *n, nk_err **err);
/* The host's layout: /proc/self/mountinfo plus the symlinks in /sys/fs/cgroup. */
int nk_cgroup_mnts_read(nk_cgroup_mnt **out, size_t *n, nk_err **err);
void nk_cgroup_mnts_free(nk_cgroup_mnt *m, size_t n);
/*
 * Mounts the layout at rootfs/sys/fs/cgroup: a tmpfs holding one new mount per hierarchy (or
 * cgroup2 right there for a pure cgroup2 layout). mode is NK_AUTO_CGROUP_RW, _RO or _MIXED.
 * The caller must be in its own cgroup namespace: each mount's root is then its cgroup.
 */
int nk_mount_cgroup_mnts(int rootfd, const nk_cgroup_mnt *m, size_t n, unsigned mode, nk_err **err);
