/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mount primitives: every target is an fd resolved inside the rootfs (see mount.h). */
#include "run/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "run/resolve.h"
#include "util/cleanup.h"

int nk_mount_on_fd(const char *src, int target_fd, const char *fstype, unsigned long flags,
                   const char *data)
{
	char target[NK_FD_PATH_MAX];
	if (mount(src, nk_fd_path(target_fd, target), fstype, flags, data) < 0)
		return -errno;
	return 0;
}

int nk_bind_fd(int source_fd, int target_fd, bool recursive)
{
	char src[NK_FD_PATH_MAX], dst[NK_FD_PATH_MAX];
	unsigned long flags = MS_BIND | (recursive ? MS_REC : 0);
	if (mount(nk_fd_path(source_fd, src), nk_fd_path(target_fd, dst), NULL, flags, NULL) < 0)
		return -errno;
	return 0;
}

static unsigned long ms_flags_of(unsigned long st)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},
	    {ST_NOEXEC, MS_NOEXEC},     {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME},
	};
	unsigned long ms = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (st & map[i].st)
			ms |= map[i].ms;
	return ms;
}

int nk_remount(const char *path, unsigned long flags)
{
	struct statvfs sv;
	int r;
	while ((r = statvfs(path, &sv)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -errno;
	/*
	 * MS_REMOUNT|MS_BIND sets the mount's flags to exactly what is passed: keep what it has
	 * (nosuid, nodev, noexec from the bind source, read-only too: this never loosens).
	 */
	unsigned long keep = ms_flags_of(sv.f_flag);
	if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
		keep &= ~(MS_NOATIME | MS_RELATIME);
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | keep | (flags & NK_REMOUNT_FLAGS),
	          NULL) < 0)
		return -errno;
	return 0;
}

static int mount_id(int fd, uint64_t *id)
{
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return -1;
	*id = sx.stx_mnt_id;
	return 0;
}

int nk_reopen_mounted(int rootfd, const char *path, int target_fd, nk_err **err)
{
	/*
	 * Resolving the path again crosses into the mount just made (the old fd does not). It
	 * is resolved inside the root again, so the worst a race can do is point us at another
	 * mount of the container; the mount id check catches "nothing got mounted there".
	 */
	_cleanup_close_ int fd = nk_open_in_root(rootfd, path, err);
	if (fd < 0)
		return fd;
	uint64_t before, after;
	if (mount_id(target_fd, &before) == 0 && mount_id(fd, &after) == 0 && before == after)
		return nk_err_set(err, EBUSY, "/%s: the new mount is not where it was made", path);
	return TAKE_FD(fd);
}

int nk_mount_fs_in_root(int rootfd, const char *path, const char *fstype, unsigned long flags,
                        const char *data, nk_err **err)
{
	_cleanup_close_ int tfd = nk_mkdir_in_root(rootfd, path, 0755, err);
	if (tfd < 0)
		return tfd;
	int r = nk_mount_on_fd(fstype, tfd, fstype, flags, data);
	if (r < 0)
		return nk_err_set(err, -r, "mount %s on /%s", fstype, path);
	return nk_reopen_mounted(rootfd, path, tfd, err);
}

int nk_bind_in_root(int rootfd, const char *src, const char *dst, unsigned long remount_flags,
                    nk_err **err)
{
	_cleanup_close_ int sfd = nk_open_in_root(rootfd, src, err);
	if (sfd < 0)
		return sfd;
	_cleanup_close_ int tfd = nk_open_in_root(rootfd, dst, err);
	if (tfd < 0)
		return tfd;
	int r = nk_bind_fd(sfd, tfd, false);
	if (r < 0)
		return nk_err_set(err, -r, "bind-mount /%s on /%s", src, dst);
	_cleanup_close_ int mfd = nk_reopen_mounted(rootfd, dst, tfd, err);
	if (mfd < 0)
		return mfd;
	if (remount_flags) {
		char p[NK_FD_PATH_MAX];
		r = nk_remount(nk_fd_path(mfd, p), remount_flags);
		if (r < 0)
			return nk_err_set(err, -r, "remount /%s%s", dst,
			                  remount_flags & MS_RDONLY ? " read-only" : "");
	}
	return TAKE_FD(mfd);
}
