/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/selfexec.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

typedef ElfW(Ehdr) elf_ehdr;
typedef ElfW(Phdr) elf_phdr;
typedef ElfW(Off) elf_off;

static bool is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

static bool read_at(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;
	do
		r = pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n;
}

/*
 * How much of an ELF file of this machine's class running it needs: up to the end of the last
 * thing a program header points at (the segments, the program header table). What follows,
 * the section headers, symbols and debug info, is never read by the kernel or ld.so, and
 * leaving it out makes the copy made at every start, attach and execute several times smaller
 * (a debugoptimized nook: 1.6 MB of file, 0.4 MB of image). Sets *hdr, to be written back
 * with its section header fields cleared, since those would point past the copy's end. 0 for
 * anything else (another class, a script, an odd header): the whole file is then copied.
 */
static off_t elf_image_size(int fd, off_t size, elf_ehdr *hdr)
{
	if (!read_at(fd, hdr, sizeof(*hdr), 0) || memcmp(hdr->e_ident, ELFMAG, SELFMAG) != 0 ||
	    hdr->e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    hdr->e_phentsize != sizeof(elf_phdr) || hdr->e_phnum == 0 || hdr->e_phnum >= PN_XNUM ||
	    hdr->e_phoff < sizeof(*hdr) || (off_t)hdr->e_phoff > size)
		return 0;
	elf_phdr ph[64];
	size_t n = hdr->e_phnum;
	if (n > ARRAY_SIZE(ph) || !read_at(fd, ph, n * sizeof(ph[0]), (off_t)hdr->e_phoff))
		return 0;
	elf_off end = hdr->e_phoff + n * sizeof(ph[0]);
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_offset > (elf_off)size ||
		    ph[i].p_filesz > (elf_off)size - ph[i].p_offset)
			return 0;
		if (ph[i].p_offset + ph[i].p_filesz > end)
			end = ph[i].p_offset + ph[i].p_filesz;
	}
	if (end > (elf_off)size)
		return 0;
	hdr->e_shoff = 0;
	hdr->e_shnum = 0;
	hdr->e_shstrndx = SHN_UNDEF;
	return (off_t)end;
}

static int copy_range(int dst, int src, off_t len)
{
	off_t off = 0;
	while (off < len) {
		ssize_t n = sendfile(dst, src, &off, (size_t)(len - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
	}
	return 0;
}

/* The sealed copy of the file open at src (read from offset 0). */
static int sealed_copy_fd(int src)
{
	struct stat st;
	if (fstat(src, &st) < 0)
		return -errno;
	elf_ehdr hdr;
	off_t len = elf_image_size(src, st.st_size, &hdr);
	_cleanup_close_ int mfd = memfd_create("nook", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	int r = copy_range(mfd, src, len ? len : st.st_size);
	if (r < 0)
		return r;
	if (len) {
		ssize_t w = pwrite(mfd, &hdr, sizeof(hdr), 0);
		if (w != (ssize_t)sizeof(hdr))
			return w < 0 ? -errno : -EIO;
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return -errno;
	return TAKE_FD(mfd);
}

int nk_sealed_copy(const char *path)
{
	_cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	return sealed_copy_fd(src);
}

int nk_selfexec_sealed(char **argv)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (is_sealed(self))
		return 0;
	_cleanup_close_ int mfd = sealed_copy_fd(self);
	if (mfd < 0)
		return mfd;
	extern char **environ;
	fexecve(mfd, argv, environ);
	return -errno;
}
