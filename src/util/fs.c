/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fs.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

int nk_read_file(const char *path, char **out, size_t *len, nk_err **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s", path);
	size_t cap = 4096, n = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return nk_err_set(err, ENOMEM, "read %s", path);
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return nk_err_set(err, ENOMEM, "read %s", path);
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return nk_err_sys(err, "read %s", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = TAKE_PTR(buf);
	return 0;
}

int nk_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, nk_err **err)
{
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.nooktmpXXXXXX", path) < 0)
		return nk_err_set(err, ENOMEM, "write %s", path);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "create %s", tmp);
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int r = nk_err_sys(err, "write %s", tmp);
			unlink(tmp);
			return r;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
		int r = nk_err_sys(err, "write %s", path);
		unlink(tmp);
		return r;
	}
	return 0;
}

int nk_mkdir_p(const char *path, mode_t mode, nk_err **err)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return nk_err_set(err, ENOMEM, "mkdir %s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return nk_err_sys(err, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return nk_err_sys(err, "mkdir %s", p);
	return 0;
}

/*
 * A mount point is told by its mount id, not its device: a bind mount of a directory of the
 * same file system has the same st_dev, and removing through it would delete the host's files.
 */
static int rm_at(int dfd, const char *name, uint64_t mnt, const char *top, bool is_top,
		 nk_err **err)
{
	struct statx stx;
	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MNT_ID, &stx) < 0)
		return errno == ENOENT ? 0 : nk_err_sys(err, "stat %s/%s", top, name);
	if (!(stx.stx_mask & STATX_MNT_ID))
		return nk_err_set(err, ENOTSUP, "remove %s: the kernel does not report mount ids", top);
	if (!S_ISDIR(stx.stx_mode)) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			return nk_err_sys(err, "remove %s/.../%s", top, name);
		return 0;
	}
	if (!is_top && (stx.stx_mnt_id != mnt || (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)))
		return nk_err_set(err, EBUSY, "remove %s: %s is a mount point", top, name);
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s/.../%s", top, name);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return nk_err_sys(err, "open %s/.../%s", top, name);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int r = rm_at(dirfd(d), de->d_name, mnt, top, false, err);
		if (r < 0)
			return r;
	}
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return nk_err_sys(err, "remove %s/.../%s", top, name);
	return 0;
}

int nk_rm_rf(const char *path, nk_err **err)
{
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return errno == ENOENT ? 0 : nk_err_sys(err, "stat %s", path);
	/* The top itself may be a mount point (a rootfs on its own file system): that is fine,
	 * but nothing below it may be on another mount. */
	return rm_at(AT_FDCWD, path, stx.stx_mnt_id, path, true, err);
}

bool nk_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

bool nk_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool nk_is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int nk_strv_push(char ***v, const char *s)
{
	size_t n = nk_strv_len(*v);
	char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	char **nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[n] = copy;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

size_t nk_strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

char *nk_strstrip(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool nk_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *nk_mount_below(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	size_t n = strlen(path);
	while (f && fgets(line, sizeof(line), f)) {
		char mp[PATH_MAX];
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..."; octal escapes matter not for a prefix test
		 * of nook's own paths, which have no spaces. */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		if (strncmp(mp, path, n) == 0 && mp[n] == '/')
			return strdup(mp);
	}
	return NULL;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int nk_close_fds_except(const int *keep, size_t n)
{
	int k[16];
	size_t m = 0;
	for (size_t i = 0; i < n && m < 16; i++)
		if (keep[i] > 2)
			k[m++] = keep[i];
	qsort(k, m, sizeof(int), cmp_int);
	unsigned from = 3;
	for (size_t i = 0; i < m; i++) {
		if ((unsigned)k[i] > from && syscall(SYS_close_range, from, (unsigned)k[i] - 1, 0) < 0)
			return -errno;
		from = (unsigned)k[i] + 1;
	}
	return syscall(SYS_close_range, from, ~0U, 0) < 0 ? -errno : 0;
}

bool nk_cwd_reachable(void)
{
	char buf[PATH_MAX];
	/* getcwd() says "(unreachable)" for a directory outside the process's root. */
	return getcwd(buf, sizeof(buf)) && buf[0] == '/';
}
