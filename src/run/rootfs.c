/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run/mount.h"
#include "util/cleanup.h"
#include "util/log.h"

int nk_rootfs_open(const char *rootfs, nk_err **err)
{
	int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open rootfs %s", rootfs);
	return fd;
}

/* The per-mount flags lxc.rootfs.options asks for (ro, nosuid, nodev, noexec, atime). */
static int rootfs_flags(const nk_spec *spec, bool warn, unsigned long *flags, nk_err **err)
{
	_cleanup_(nk_mount_opts_free) nk_mount_opts o = {0};
	int r = nk_mount_opts_parse(spec->rootfs.options, &o, err);
	if (r < 0)
		return nk_err_wrap(err, r, "lxc.rootfs.options");
	if (o.data && warn)
		nk_warn("lxc.rootfs.options: \"%s\" ignored: a directory rootfs is a bind mount",
		        o.data);
	*flags = o.flags & NK_REMOUNT_FLAGS;
	return 0;
}

int nk_rootfs_prepare(const nk_spec *spec, const char *rootfs, nk_err **err)
{
	unsigned long flags;
	int r = rootfs_flags(spec, true, &flags, err);
	if (r < 0)
		return r;
	/*
	 * The child's mount namespace is a copy of the host's, and a shared mount would carry
	 * every mount made below back to the host. A recursive slave still receives the host's
	 * mounts (a disk the host mounts under a bind source shows up) but sends nothing back.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return nk_err_sys(err, "make / a recursive slave mount");
	_cleanup_close_ int fd = nk_rootfs_open(rootfs, err);
	if (fd < 0)
		return fd;
	/* pivot_root needs the new root to be a mount point, not just a directory. */
	r = nk_bind_fd(fd, fd, true);
	if (r < 0)
		return nk_err_set(err, -r, "bind-mount the rootfs %s on itself", rootfs);
	flags &= ~MS_RDONLY;
	r = flags ? nk_remount(rootfs, flags) : 0;
	if (r < 0)
		return nk_err_set(err, -r, "remount the rootfs %s with lxc.rootfs.options", rootfs);
	return 0;
}

int nk_rootfs_pivot(const char *rootfs, nk_err **err)
{
	_cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return nk_err_sys(err, "open /");
	_cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (newroot < 0)
		return nk_err_sys(err, "open rootfs %s", rootfs);
	if (fchdir(newroot) < 0)
		return nk_err_sys(err, "chdir %s", rootfs);
	/*
	 * pivot_root(".", ".") stacks the old root on top of the new one at "/": no directory
	 * in the rootfs is needed to park it, so a read-only rootfs works too.
	 */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return nk_err_sys(err, "pivot_root to %s", rootfs);
	if (fchdir(oldroot) < 0)
		return nk_err_sys(err, "chdir to the old root");
	/*
	 * Unmounting the old root must not propagate to the host: it is a slave tree already
	 * (nk_rootfs_prepare), and is made one again so this step is safe on its own.
	 */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return nk_err_sys(err, "make the old root a slave mount");
	/* Detached, the host's tree has no path from the container any more. */
	if (umount2(".", MNT_DETACH) < 0)
		return nk_err_sys(err, "detach the old root");
	if (chdir("/") < 0)
		return nk_err_sys(err, "chdir /");
	return 0;
}

int nk_rootfs_finish(const nk_spec *spec, nk_err **err)
{
	unsigned long flags;
	int r = rootfs_flags(spec, false, &flags, err);
	if (r < 0 || !(flags & MS_RDONLY))
		return r;
	r = nk_remount("/", flags);
	if (r < 0)
		return nk_err_set(err, -r, "remount / read-only (lxc.rootfs.options)");
	return 0;
}
