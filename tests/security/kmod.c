/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel code from a container: init_module(2), finit_module(2), delete_module(2),
 * kexec_load(2) and kexec_file_load(2), each called for real (tests/security/escape.bats).
 * Loading a module or a new kernel from a container is a complete escape; each call must fail.
 *
 * usage: kmod [KO_FILE]
 *   init_module gets the bytes of KO_FILE (any .ko; without one, a buffer that is not an ELF
 *   object), finit_module an fd of it, delete_module a name no module has. kexec_load gets one
 *   segment more than KEXEC_SEGMENT_MAX and kexec_file_load an undefined flag: both are refused
 *   with EINVAL right after the privilege check, so nothing is ever loaded or unloaded, and
 *   EPERM tells the privilege check (or seccomp) stopped them.
 * Prints NAME=OK|ERRNO for each; exits 0 when every call failed with EPERM (refused for lack of
 * privilege: the capability or seccomp), 1 when one succeeded, 3 when one failed only for
 * another reason (ENOSYS: the kernel was built without it; ENOEXEC: it got as far as parsing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int worst;

static void report(const char *name, long r)
{
	int e = errno;
	const char *n = r == 0 ? "OK" : strerrorname_np(e) ? strerrorname_np(e) : "E?";
	printf("%s=%s\n", name, n);
	if (r == 0)
		worst = 1;
	else if (e != EPERM && worst == 0)
		worst = 3;
}

int main(int argc, char **argv)
{
	static char junk[4096] = "not an ELF object";
	char *image = junk;
	size_t len = sizeof(junk);
	int fd = -1;
	if (argc > 1) {
		fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[1]);
			return 2;
		}
		off_t sz = lseek(fd, 0, SEEK_END);
		image = malloc((size_t)sz);
		if (!image || pread(fd, image, (size_t)sz, 0) != sz) {
			perror("read");
			return 2;
		}
		len = (size_t)sz;
	} else {
		fd = memfd_create("notamodule", MFD_CLOEXEC);
		if (fd < 0 || write(fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk)) {
			perror("memfd");
			return 2;
		}
	}
	errno = 0;
	report("init_module", syscall(SYS_init_module, image, len, ""));
	report("finit_module", syscall(SYS_finit_module, fd, "", 0));
	report("delete_module", syscall(SYS_delete_module, "nook_no_such_module", O_NONBLOCK));
	report("kexec_load",
	       syscall(SYS_kexec_load, 0UL, 17UL /* KEXEC_SEGMENT_MAX + 1 */, NULL, 0UL));
	report("kexec_file_load", syscall(SYS_kexec_file_load, fd, -1, 1UL, "", 0x80000000UL));
	return worst;
}
