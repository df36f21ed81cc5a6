/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The kernel's own limit on symlinks in one lookup (MAXSYMLINKS). */
#define MAX_SYMLINKS 40

static bool use_openat2 = true;

void nk_resolve_use_openat2(bool use)
{
	use_openat2 = use;
}

const char *nk_fd_path(int fd, char buf[NK_FD_PATH_MAX])
{
	snprintf(buf, NK_FD_PATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}

enum create_mode { CREATE_NONE, CREATE_DIRS, CREATE_FILE };

/*
 * The walk keeps the directories it went through as a stack of O_PATH fds: ".." pops one and
 * never pops the root, so ".." can only climb back along the way it came, never above the root
 * (what RESOLVE_IN_ROOT does in the kernel).
 */
typedef struct walk {
	int *fds; /* fds[0] is the root, fds[depth - 1] the current directory */
	size_t depth, cap;
	char *todo; /* what is left to resolve: the path, with symlink texts spliced in */
	size_t off;
	unsigned links;
} walk;

static void walk_free(walk *w)
{
	for (size_t i = 0; i < w->depth; i++)
		close(w->fds[i]);
	free(w->fds);
	free(w->todo);
}

static int walk_push(walk *w, int fd)
{
	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		int *n = realloc(w->fds, cap * sizeof(int));
		if (!n) {
			close(fd);
			return -ENOMEM;
		}
		w->fds = n;
		w->cap = cap;
	}
	w->fds[w->depth++] = fd;
	return 0;
}

static void walk_pop_to(walk *w, size_t depth)
{
	while (w->depth > depth)
		close(w->fds[--w->depth]);
}

/* Copies the next component of w->todo into name; 0 when none is left. */
static int walk_next(walk *w, char name[NAME_MAX + 1])
{
	const char *s = w->todo + w->off;
	while (*s == '/')
		s++;
	const char *e = strchrnul(s, '/');
	size_t n = (size_t)(e - s);
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, s, n);
	name[n] = '\0';
	w->off = (size_t)(e - w->todo);
	return n > 0;
}

static bool walk_at_end(const walk *w)
{
	const char *s = w->todo + w->off;
	while (*s == '/')
		s++;
	return *s == '\0';
}

/*
 * A symlink is read, never followed by the kernel: its text replaces the component, and an
 * absolute text restarts at the root of the container, not of the host.
 */
static int walk_symlink(walk *w, int linkfd)
{
	if (++w->links > MAX_SYMLINKS)
		return -ELOOP;
	char target[PATH_MAX];
	ssize_t n = readlinkat(linkfd, "", target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ENOENT;
	target[n] = '\0';
	char *todo = NULL;
	if (asprintf(&todo, "%s/%s", target, w->todo + w->off) < 0)
		return -ENOMEM;
	free(w->todo);
	w->todo = todo;
	w->off = 0;
	if (target[0] == '/')
		walk_pop_to(w, 1);
	return 0;
}

static int open_child(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* O_EXCL and mkdirat never follow a symlink in the last component; EEXIST means a race. */
static int create_child(int dirfd, const char *name, bool file, mode_t mode)
{
	if (file) {
		int fd =
		    openat(dirfd, name,
		           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
	} else if (mkdirat(dirfd, name, mode) == 0) {
		return 0;
	}
	return errno == EEXIST ? 0 : -errno;
}

/* One component: open (creating it if asked), then descend, or splice in a symlink. */
static int walk_step(walk *w, const char *name, enum create_mode create, mode_t mode)
{
	int cur = w->fds[w->depth - 1];
	bool last = walk_at_end(w);
	int fd = open_child(cur, name);
	if (fd == -ENOENT && create != CREATE_NONE) {
		bool file = last && create == CREATE_FILE;
		int r = create_child(cur, name, file, file || create == CREATE_DIRS ? mode : 0755);
		if (r < 0)
			return r;
		fd = open_child(cur, name);
	}
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		int r = walk_symlink(w, fd);
		close(fd);
		return r;
	}
	if (!last && !S_ISDIR(st.st_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	return walk_push(w, fd);
}

static int walk_resolve(int rootfd, const char *path, enum create_mode create, mode_t mode)
{
	_cleanup_(walk_free) walk w = {0};
	int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = walk_push(&w, fd);
	if (r < 0)
		return r;
	w.todo = strdup(path);
	if (!w.todo)
		return -ENOMEM;
	char name[NAME_MAX + 1];
	while ((r = walk_next(&w, name)) > 0) {
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			walk_pop_to(&w, w.depth > 1 ? w.depth - 1 : 1);
			continue;
		}
		r = walk_step(&w, name, create, mode);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return w.fds[--w.depth];
}

/* The kernel's answer; a negative errno, where -ENOSYS and friends mean "cannot ask". */
static int openat2_in_root(int rootfd, const char *path)
{
#ifdef SYS_openat2
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    /* Magic links (/proc/self/fd/N, /proc/PID/root) jump anywhere: refuse them. */
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a rename raced with ".." resolution; the kernel asks us to retry. */
	for (int i = 0; i < 16; i++) {
		long fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
#else
	return -ENOSYS;
#endif
}

static bool openat2_unusable(int r)
{
	/* Old kernel, unknown struct size, or a seccomp filter that hides the syscall. */
	return r == -ENOSYS || r == -E2BIG || r == -EPERM || r == -EAGAIN;
}

static int resolve(int rootfd, const char *path, enum create_mode create, mode_t mode, nk_err **err)
{
	int r = use_openat2 ? openat2_in_root(rootfd, path) : -ENOSYS;
	/* Creating anything needs the walk: openat2 resolves, it does not mkdir on the way. */
	if (openat2_unusable(r) || (r == -ENOENT && create != CREATE_NONE))
		r = walk_resolve(rootfd, path, create, mode);
	if (r < 0)
		return nk_err_set(err, -r, "resolve %s inside the rootfs", path);
	return r;
}

int nk_open_in_root(int rootfd, const char *path, nk_err **err)
{
	return resolve(rootfd, path, CREATE_NONE, 0, err);
}

int nk_mkdir_in_root(int rootfd, const char *path, mode_t mode, nk_err **err)
{
	return resolve(rootfd, path, CREATE_DIRS, mode, err);
}

int nk_mkfile_in_root(int rootfd, const char *path, mode_t mode, nk_err **err)
{
	return resolve(rootfd, path, CREATE_FILE, mode, err);
}
