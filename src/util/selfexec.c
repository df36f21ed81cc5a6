/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/selfexec.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static bool is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

int nk_sealed_copy(const char *path)
{
	_cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	struct stat st;
	if (fstat(src, &st) < 0)
		return -errno;
	_cleanup_close_ int mfd = memfd_create("nook", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return -errno;
	return TAKE_FD(mfd);
}

int nk_selfexec_sealed(char **argv)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (is_sealed(self))
		return 0;
	_cleanup_close_ int mfd = nk_sealed_copy("/proc/self/exe");
	if (mfd < 0)
		return mfd;
	extern char **environ;
	fexecve(mfd, argv, environ);
	return -errno;
}
