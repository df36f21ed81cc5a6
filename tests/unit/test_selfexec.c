/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sealed copies of src/util/selfexec.c: sealed, trimmed to the ELF image, still runnable. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/selfexec.h"

static off_t size_of(int fd)
{
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

static void assert_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	assert_true(seals >= 0);
	assert_true(seals & F_SEAL_WRITE);
	assert_true(seals & F_SEAL_SEAL);
	assert_int_equal(pwrite(fd, "x", 1, 0), -1);
	assert_int_equal(errno, EPERM);
}

/* This test program, built with debug info: the copy keeps the image and drops the rest. */
static void test_elf_trimmed(void **state)
{
	int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(src >= 0);
	int fd = nk_sealed_copy("/proc/self/exe");
	assert_true(fd >= 0);
	assert_sealed(fd);
	assert_true(size_of(fd) <= size_of(src));

	ElfW(Ehdr) a, b;
	assert_int_equal(pread(src, &a, sizeof(a), 0), sizeof(a));
	assert_int_equal(pread(fd, &b, sizeof(b), 0), sizeof(b));
	assert_memory_equal(b.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(b.e_shoff, 0);
	assert_int_equal(b.e_shnum, 0);
	assert_int_equal(b.e_phoff, a.e_phoff);
	assert_int_equal(b.e_phnum, a.e_phnum);
	/* Every segment is there, byte for byte (but the header, whose section fields differ). */
	for (int i = 0; i < a.e_phnum; i++) {
		ElfW(Phdr) ph;
		assert_int_equal(pread(src, &ph, sizeof(ph), (off_t)(a.e_phoff + i * sizeof(ph))),
		                 sizeof(ph));
		size_t end = ph.p_offset + ph.p_filesz;
		assert_true((off_t)end <= size_of(fd));
		size_t from = ph.p_offset > sizeof(a) ? ph.p_offset : sizeof(a);
		if (end <= from)
			continue;
		size_t n = end - from;
		char *x = malloc(n), *y = malloc(n);
		assert_int_equal(pread(src, x, n, (off_t)from), n);
		assert_int_equal(pread(fd, y, n, (off_t)from), n);
		assert_memory_equal(x, y, n);
		free(x);
		free(y);
	}
	close(fd);
	close(src);
}

/* A trimmed copy of a dynamically linked program runs like the program. */
static void test_elf_copy_runs(void **state)
{
	const char *prog = access("/bin/true", X_OK) == 0 ? "/bin/true" : "/usr/bin/true";
	int fd = nk_sealed_copy(prog);
	assert_true(fd >= 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"true", NULL}, *envp[] = {NULL};
		fexecve(fd, argv, envp);
		_exit(127);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
}

static int temp_file(char *path, const void *data, size_t n)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	return fd;
}

/* Not an ELF file, or an ELF header that does not add up: copied whole, as it is. */
static void test_other_copied_whole(void **state)
{
	static const char script[] = "#!/bin/sh\nexit 0\n";
	char p1[] = "/tmp/nook-test-selfexec.XXXXXX";
	int f1 = temp_file(p1, script, sizeof(script) - 1);

	ElfW(Ehdr) h = {0};
	memcpy(h.e_ident, ELFMAG, SELFMAG);
	h.e_ident[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
	h.e_phentsize = sizeof(ElfW(Phdr));
	h.e_phnum = 1;
	h.e_phoff = 1 << 20; /* past the end */
	h.e_shoff = 1234;
	char p2[] = "/tmp/nook-test-selfexec.XXXXXX";
	int f2 = temp_file(p2, &h, sizeof(h));

	const char *paths[] = {p1, p2};
	int srcs[] = {f1, f2};
	for (size_t i = 0; i < 2; i++) {
		int fd = nk_sealed_copy(paths[i]);
		assert_true(fd >= 0);
		assert_sealed(fd);
		off_t n = size_of(srcs[i]);
		assert_int_equal(size_of(fd), n);
		char *x = malloc((size_t)n), *y = malloc((size_t)n);
		assert_int_equal(pread(srcs[i], x, (size_t)n, 0), n);
		assert_int_equal(pread(fd, y, (size_t)n, 0), n);
		assert_memory_equal(x, y, (size_t)n);
		free(x);
		free(y);
		close(fd);
		close(srcs[i]);
		unlink(paths[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_elf_trimmed),
	    cmocka_unit_test(test_elf_copy_runs),
	    cmocka_unit_test(test_other_copied_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
