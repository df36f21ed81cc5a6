/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc.mount.auto: proc, sys and cgroup file systems, with LXC's read-only/read-write mixes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "run/mount.h"
#include "run/resolve.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/log.h"

/* proc and sysfs hold no programs, set-uid files or devices: refuse all three. */
#define PSEUDO_FS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME)

/* Binds a sub-tree of a mount onto itself; a missing one (a kernel without it) is skipped. */
static int bind_self(int mntfd, const char *path, unsigned long remount_flags, nk_err **err)
{
	_cleanup_err_ nk_err *e = NULL;
	int fd = nk_bind_in_root(mntfd, path, path, remount_flags, &e);
	if (fd == -ENOENT) {
		nk_debug("lxc.mount.auto: %s does not exist, skipped", path);
		return 0;
	}
	if (fd < 0) {
		if (err && !*err)
			*err = TAKE_PTR(e);
		return fd;
	}
	close(fd);
	return 0;
}

/*
 * Host information no container needs, masked as the OCI runtimes do (their default
 * maskedPaths): files get the host's /dev/null bound over them (reads are empty), directories
 * an empty read-only tmpfs. A name the kernel does not have is skipped.
 *   kcore: the host's memory; keys: every key of the host's keyrings, by name;
 *   timer_list, sched_debug, latency_stats, timer_stats: what other processes do, when;
 *   acpi, scsi: the host's hardware and its rescan knobs;
 *   /sys/firmware: ACPI tables, EFI variables, DMI serials;
 *   /sys/devices/virtual/powercap: RAPL energy counters, a side channel (CVE-2020-8694).
 */
static const char *const proc_masked_files[] = {
	"kcore", "keys", "timer_list", "sched_debug", "latency_stats", "timer_stats",
};
static const char *const proc_masked_dirs[] = { "acpi", "scsi" };
static const char *const sys_masked_dirs[] = { "firmware", "devices/virtual/powercap" };

/* A file gets null_fd bound over it; a directory (null_fd -1) an empty read-only tmpfs. */
static int mask_path(int mntfd, const char *path, int null_fd, nk_err **err)
{
	_cleanup_close_ int fd = openat(mntfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return nk_err_sys(err, "mask %s", path);
	}
	int r = null_fd >= 0 ? nk_bind_fd(null_fd, fd, false)
			     : nk_mount_on_fd("nook-masked", fd, "tmpfs", MS_RDONLY | PSEUDO_FS_FLAGS,
					      "size=0,mode=555");
	return r < 0 ? nk_err_set(err, -r, "mask %s", path) : 0;
}

static int mask_paths(int mntfd, const char *const *files, size_t nf, const char *const *dirs,
		      size_t nd, nk_err **err)
{
	/* Still the host's /dev: the mounts are made before pivot_root. */
	_cleanup_close_ int null = nf ? open("/dev/null", O_PATH | O_CLOEXEC) : -1;
	if (nf && null < 0)
		return nk_err_sys(err, "mask: open /dev/null");
	for (size_t i = 0; i < nf; i++) {
		int r = mask_path(mntfd, files[i], null, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < nd; i++) {
		int r = mask_path(mntfd, dirs[i], -1, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_proc_mixed(int procfd, bool net_admin, nk_err **err)
{
	/*
	 * /proc/sys holds the host's kernel knobs (kernel.*, vm.*, fs.*): read-only. Its net/
	 * sub-tree is per network namespace, the container's own, so it stays writable when the
	 * container keeps CAP_NET_ADMIN (LXC's rule). The net bind is made inside the sys bind
	 * before that goes read-only: a per-mount flag does not reach a mount below it.
	 */
	_cleanup_close_ int sysfd = nk_bind_in_root(procfd, "sys", "sys", 0, err);
	if (sysfd < 0)
		return sysfd;
	int r = net_admin ? bind_self(procfd, "sys/net", 0, err) : 0;
	if (r < 0)
		return r;
	char p[NK_FD_PATH_MAX];
	r = nk_remount(nk_fd_path(sysfd, p), MS_RDONLY | PSEUDO_FS_FLAGS);
	if (r < 0)
		return nk_err_set(err, -r, "remount /proc/sys read-only");
	/* Writing to sysrq-trigger reboots or crashes the host. */
	r = bind_self(procfd, "sysrq-trigger", MS_RDONLY | PSEUDO_FS_FLAGS, err);
	if (r < 0)
		return r;
	return mask_paths(procfd, proc_masked_files, ARRAY_SIZE(proc_masked_files), proc_masked_dirs,
			  ARRAY_SIZE(proc_masked_dirs), err);
}

static int mount_proc(int rootfd, unsigned mode, bool net_admin, nk_err **err)
{
	if (!mode)
		return 0;
	_cleanup_close_ int procfd =
	    nk_mount_fs_in_root(rootfd, "proc", "proc", PSEUDO_FS_FLAGS, NULL, err);
	if (procfd < 0)
		return procfd;
	int r = mode & NK_AUTO_PROC_MIXED ? mount_proc_mixed(procfd, net_admin, err) : 0;
	return r < 0 ? nk_err_wrap(err, r, "proc:mixed") : 0;
}

static int mount_sys(int rootfd, unsigned mode, nk_err **err)
{
	if (!mode)
		return 0;
	unsigned long flags = PSEUDO_FS_FLAGS | (mode & NK_AUTO_SYS_RO ? MS_RDONLY : 0);
	_cleanup_close_ int sysfd = nk_mount_fs_in_root(rootfd, "sys", "sysfs", flags, NULL, err);
	if (sysfd < 0 || !(mode & NK_AUTO_SYS_MIXED))
		return sysfd < 0 ? sysfd : 0;
	/*
	 * sys:mixed: read-only, but for devices/virtual/net, where the container's own network
	 * devices appear (sysfs shows the network namespace of whoever mounted it).
	 */
	int r = bind_self(sysfd, "devices/virtual/net", 0, err);
	if (r == 0)
		r = mask_paths(sysfd, NULL, 0, sys_masked_dirs, ARRAY_SIZE(sys_masked_dirs), err);
	if (r < 0)
		return nk_err_wrap(err, r, "sys:mixed");
	char p[NK_FD_PATH_MAX];
	r = nk_remount(nk_fd_path(sysfd, p), MS_RDONLY | PSEUDO_FS_FLAGS);
	if (r < 0)
		return nk_err_set(err, -r, "sys:mixed: remount /sys read-only");
	return 0;
}

/* NK_AUTO_CGROUP_RW, _RO, _MIXED or 0. "-full" is the same thing in a cgroup namespace. */
static unsigned cgroup_mode(const nk_spec *spec)
{
	unsigned f = spec->mount.auto_flags;
	if (f & (NK_AUTO_CGROUP_NOSPEC | NK_AUTO_CGROUP_FULL_NOSPEC))
		/* LXC: with CAP_SYS_ADMIN the container could remount rw anyway; say so. */
		return nk_spec_cap_kept(spec, "sys_admin") ? NK_AUTO_CGROUP_RW
		                                           : NK_AUTO_CGROUP_MIXED;
	if (f & (NK_AUTO_CGROUP_MIXED | NK_AUTO_CGROUP_FULL_MIXED))
		return NK_AUTO_CGROUP_MIXED;
	if (f & (NK_AUTO_CGROUP_RO | NK_AUTO_CGROUP_FULL_RO))
		return NK_AUTO_CGROUP_RO;
	if (f & (NK_AUTO_CGROUP_RW | NK_AUTO_CGROUP_FULL_RW))
		return NK_AUTO_CGROUP_RW;
	return 0;
}

static int mount_cgroup(int rootfd, unsigned mode, nk_err **err)
{
	if (!mode)
		return 0;
	nk_cgroup_mnt *m = NULL;
	size_t n = 0;
	int r = nk_cgroup_mnts_read(&m, &n, err);
	if (r >= 0)
		r = nk_mount_cgroup_mnts(rootfd, m, n, mode, err);
	nk_cgroup_mnts_free(m, n);
	return r;
}

int nk_mount_auto(const nk_spec *spec, const char *rootfs, nk_err **err)
{
	unsigned f = spec->mount.auto_flags;
	if (!(f & (NK_AUTO_PROC_MASK | NK_AUTO_SYS_MASK)))
		return 0;
	_cleanup_close_ int rootfd = nk_rootfs_open(rootfs, err);
	if (rootfd < 0)
		return rootfd;
	int r = mount_proc(rootfd, f & NK_AUTO_PROC_MASK, nk_spec_cap_kept(spec, "net_admin"), err);
	if (r >= 0)
		r = mount_sys(rootfd, f & NK_AUTO_SYS_MASK, err);
	return r < 0 ? nk_err_wrap(err, r, "lxc.mount.auto in %s", rootfs) : 0;
}

int nk_mount_auto_cgroup(const nk_spec *spec, const char *rootfs, nk_err **err)
{
	unsigned cg = cgroup_mode(spec);
	if (!cg)
		return 0;
	_cleanup_close_ int rootfd = nk_rootfs_open(rootfs, err);
	if (rootfd < 0)
		return rootfd;
	int r = mount_cgroup(rootfd, cg, err);
	return r < 0 ? nk_err_wrap(err, r, "lxc.mount.auto in %s", rootfs) : 0;
}
