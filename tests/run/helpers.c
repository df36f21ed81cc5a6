/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static int copy_file(const char *from, const char *to, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (in < 0 || out < 0)
		return -1;
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				return -1;
			off += w > 0 ? w : 0;
		}
	}
}

int nkt_root_setup(void **state)
{
	static const char *const dirs[] = {"bin", "etc", "proc", "sys",
	                                   "dev", "tmp", "mnt",  "root"};
	struct nkt_root *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	snprintf(t->top, sizeof(t->top), "/tmp/nook-run-test.XXXXXX");
	if (!mkdtemp(t->top))
		return -1;
	snprintf(t->rootfs, sizeof(t->rootfs), "%s/rootfs", t->top);
	snprintf(t->outside, sizeof(t->outside), "%s/outside", t->top);
	if (mkdir(t->rootfs, 0755) < 0 || mkdir(t->outside, 0755) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdir(nkt_path(t->rootfs, dirs[i]), 0755) < 0)
			return -1;
	if (copy_file("/bin/busybox", nkt_path(t->rootfs, "bin/busybox"), 0755) < 0 ||
	    symlink("busybox", nkt_path(t->rootfs, "bin/sh")) < 0)
		return -1;
	nkt_write(nkt_path(t->rootfs, "etc/hostname"), "nooktest\n");
	*state = t;
	return 0;
}

int nkt_root_teardown(void **state)
{
	struct nkt_root *t = *state;
	_cleanup_free_ char *mi = NULL;
	nk_err *err = NULL;
	int ret = 0;
	/* The child's namespace is gone: the host must show nothing mounted under the tree. */
	if (nk_read_file("/proc/self/mountinfo", &mi, NULL, &err) < 0 || strstr(mi, t->top)) {
		fprintf(stderr, "a mount under %s leaked to the host\n", t->top);
		ret = -1;
	}
	if (nk_rm_rf(t->top, &err) < 0)
		ret = -1;
	nk_err_free(err);
	free(t);
	return ret;
}

static int wait_exit(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int nkt_run(int ns_flags, int (*fn)(void *arg), void *arg)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return 126;
	if (pid > 0)
		return wait_exit(pid);
	if (unshare(ns_flags | CLONE_NEWNS) < 0) {
		perror("unshare");
		_exit(2);
	}
	/* Private before anything is mounted: no mount event may propagate to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("make / private");
		_exit(2);
	}
	if (ns_flags & CLONE_NEWPID) {
		pid_t c = fork();
		if (c < 0)
			_exit(2);
		if (c > 0)
			_exit(wait_exit(c));
	}
	int r = fn(arg) ? 1 : 0;
	/*
	 * exit() lets LeakSanitizer check the child too; it needs /proc/PID/task, which a child
	 * that pivoted into a rootfs without proc does not have.
	 */
	char task[64];
	snprintf(task, sizeof(task), "/proc/%d/task", (int)getpid());
	if (access(task, R_OK) == 0)
		exit(r);
	_exit(r);
}

static void unescape(char *s)
{
	char *d = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] && s[2] && s[3]) {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static void copy_out(char *dst, const char *src, size_t len)
{
	if (dst)
		snprintf(dst, len, "%s", src);
}

bool nkt_mount_at(const char *path, char *fstype, char *super, char *root, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	CHECK(f);
	char line[4096];
	bool found = false;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *w[32];
		int n = 0;
		line[strcspn(line, "\n")] = '\0';
		for (char *t = strtok_r(line, " ", &save); t && n < 32;
		     t = strtok_r(NULL, " ", &save))
			w[n++] = t;
		int sep = 6;
		while (sep < n && strcmp(w[sep], "-"))
			sep++;
		if (sep + 3 >= n)
			continue;
		unescape(w[4]);
		if (strcmp(w[4], path))
			continue;
		found = true;
		copy_out(fstype, w[sep + 1], len);
		copy_out(super, w[sep + 3], len);
		copy_out(root, w[3], len);
	}
	fclose(f);
	return found;
}

unsigned long nkt_vfs_flags(const char *path)
{
	struct statvfs sv;
	CHECK(statvfs(path, &sv) == 0);
	return sv.f_flag;
}

const char *nkt_path(const char *a, const char *b)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *p = bufs[next++ % 4];
	snprintf(p, PATH_MAX, "%s/%s", a, b);
	return p;
}

void nkt_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

char *nkt_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	ssize_t n = read(fd, buf, len - 1);
	CHECK(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

nk_spec *nkt_spec(void)
{
	nk_spec *s = nk_spec_new();
	CHECK(s);
	return s;
}

bool nkt_dir_empty(const char *path)
{
	DIR *d = opendir(path);
	CHECK(d);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n == 0;
}
