/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading and writing cgroup files. Everything goes through directory fds: a cgroup directory is
 * opened once, so later operations cannot be redirected by a rename of a path component, and a
 * sub-cgroup created by the container is walked with O_NOFOLLOW and never by a joined string.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/parse.h"

int cg_open_dir_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool cg_exists_at(int dfd, const char *file)
{
	return faccessat(dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* cgroup files are small and generated per read; a short read loop with a growing buffer. */
int cg_read_at(int dfd, const char *dir, const char *file, char **out, nk_err **err)
{
	_cleanup_close_ int fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s/%s", dir, file);
	size_t cap = 1024, n = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return nk_err_set(err, ENOMEM, "read %s/%s", dir, file);
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return nk_err_set(err, ENOMEM, "read %s/%s", dir, file);
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return nk_err_sys(err, "read %s/%s", dir, file);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	*out = TAKE_PTR(buf);
	return 0;
}

/* The kernel parses one write(2) per value, so the value goes out in exactly one call. */
int cg_write_at(int dfd, const char *dir, const char *file, const char *val, nk_err **err)
{
	_cleanup_close_ int fd = openat(dfd, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s/%s", dir, file);
	size_t len = strlen(val);
	ssize_t w;
	do
		w = write(fd, val, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return nk_err_sys(err, "write \"%s\" to %s/%s", val, dir, file);
	if ((size_t)w != len)
		return nk_err_set(err, EIO, "write \"%s\" to %s/%s: short write", val, dir, file);
	return 0;
}

int cg_read_u64_at(int dfd, const char *dir, const char *file, uint64_t *out, nk_err **err)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read_at(dfd, dir, file, &s, err);
	if (r < 0)
		return r;
	r = nk_parse_u64(s, UINT64_MAX, out);
	if (r < 0)
		return nk_err_set(err, -r, "%s/%s: not a number: \"%s\"", dir, file, s);
	return 0;
}

int cg_read_keyed_at(int dfd, const char *dir, const char *file, const char *key, uint64_t *out,
                     nk_err **err)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read_at(dfd, dir, file, &s, err);
	if (r < 0)
		return r;
	size_t klen = strlen(key);
	for (char *line = s, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
			continue;
		r = nk_parse_u64(line + klen + 1, UINT64_MAX, out);
		if (r < 0)
			return nk_err_set(err, -r, "%s/%s: bad value for %s", dir, file, key);
		return 0;
	}
	return -ENODATA;
}

void cg_pidset_free(struct cg_pidset *ps)
{
	free(ps->v);
	*ps = (struct cg_pidset){0};
}

static int pidset_add(struct cg_pidset *ps, pid_t pid)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		pid_t *v = reallocarray(ps->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->cap = cap;
	}
	ps->v[ps->n++] = pid;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

void cg_pidset_sort_unique(struct cg_pidset *ps)
{
	if (ps->n == 0)
		return;
	qsort(ps->v, ps->n, sizeof(*ps->v), cmp_pid);
	size_t j = 1;
	for (size_t i = 1; i < ps->n; i++)
		if (ps->v[i] != ps->v[j - 1])
			ps->v[j++] = ps->v[i];
	ps->n = j;
}

static int add_procs(int dfd, const char *dir, struct cg_pidset *ps, nk_err **err)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read_at(dfd, dir, "cgroup.procs", &s, err);
	if (r < 0)
		return r;
	for (char *line = s, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		int64_t pid;
		if (nk_parse_i64(line, 0, INT32_MAX, &pid) < 0)
			return nk_err_set(err, EIO, "%s/cgroup.procs: bad pid \"%s\"", dir, line);
		/* 0: a process outside our pid namespace, which we cannot signal. */
		if (pid > 0 && pidset_add(ps, (pid_t)pid) < 0)
			return nk_err_set(err, ENOMEM, "read %s/cgroup.procs", dir);
	}
	return 0;
}

int cg_walk_tree(int dfd, const char *dir, cg_visit_fn visit, void *data, nk_err **err)
{
	int r = visit(dfd, dir, data, err);
	if (r < 0)
		return r;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s", dir);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return nk_err_sys(err, "open %s", dir);
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_close_ int sub = cg_open_dir_at(dirfd(d), de->d_name);
		if (sub == -ENOENT) /* removed while we looked */
			continue;
		_cleanup_free_ char *subdir = NULL;
		if (asprintf(&subdir, "%s/%s", dir, de->d_name) < 0)
			return nk_err_set(err, ENOMEM, "read %s", dir);
		if (sub < 0)
			return nk_err_set(err, -sub, "open %s", subdir);
		r = cg_walk_tree(sub, subdir, visit, data, err);
		if (r < 0)
			return r;
	}
	if (errno)
		return nk_err_sys(err, "read %s", dir);
	return 0;
}

static int collect_one(int dfd, const char *dir, void *ps, nk_err **err)
{
	return add_procs(dfd, dir, ps, err);
}

int cg_collect_pids(int dfd, const char *dir, struct cg_pidset *ps, nk_err **err)
{
	return cg_walk_tree(dfd, dir, collect_one, ps, err);
}

/*
 * rmdir of a cgroup whose last task just died can fail with EBUSY for a moment (v1 releases the
 * css asynchronously; v2 waits for exiting tasks), so EBUSY is retried briefly.
 */
static int rmdir_retry(int parentfd, const char *name, const char *path, nk_err **err)
{
	for (unsigned ms = 1;; ms *= 2) {
		if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || ms > 512)
			return nk_err_sys(err, "remove cgroup %s", path);
		cg_sleep_ms(ms);
	}
}

int cg_rmdir_tree(int parentfd, const char *name, const char *path, nk_err **err)
{
	int fd = cg_open_dir_at(parentfd, name);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return nk_err_set(err, -fd, "open cgroup %s", path);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return nk_err_sys(err, "open cgroup %s", path);
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = NULL;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			return nk_err_set(err, ENOMEM, "remove cgroup %s", path);
		int r = cg_rmdir_tree(dirfd(d), de->d_name, sub, err);
		if (r < 0)
			return r;
	}
	if (errno)
		return nk_err_sys(err, "read cgroup %s", path);
	return rmdir_retry(parentfd, name, path, err);
}

uint64_t cg_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void cg_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

bool cg_strv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

int cg_split(const char *s, const char *seps, char ***out)
{
	_cleanup_free_ char *copy = strdup(s);
	_cleanup_strv_ char **v = calloc(1, sizeof(char *));
	if (!copy || !v)
		return -ENOMEM;
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		char **nv = reallocarray(v, n + 2, sizeof(char *));
		if (!nv)
			return -ENOMEM;
		v = nv;
		v[n] = strdup(tok);
		v[n + 1] = NULL;
		if (!v[n])
			return -ENOMEM;
		n++;
	}
	*out = TAKE_PTR(v);
	return 0;
}
