/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"

static const char *const rlimit_names[RLIM_NLIMITS] = {
    [RLIMIT_AS] = "as",
    [RLIMIT_CORE] = "core",
    [RLIMIT_CPU] = "cpu",
    [RLIMIT_DATA] = "data",
    [RLIMIT_FSIZE] = "fsize",
    [RLIMIT_LOCKS] = "locks",
    [RLIMIT_MEMLOCK] = "memlock",
    [RLIMIT_MSGQUEUE] = "msgqueue",
    [RLIMIT_NICE] = "nice",
    [RLIMIT_NOFILE] = "nofile",
    [RLIMIT_NPROC] = "nproc",
    [RLIMIT_RSS] = "rss",
    [RLIMIT_RTPRIO] = "rtprio",
    [RLIMIT_RTTIME] = "rttime",
    [RLIMIT_SIGPENDING] = "sigpending",
    [RLIMIT_STACK] = "stack",
};

static bool path_ok(char *p)
{
	/* Every component a plain name: the path can only go down from /proc/sys. */
	for (char *c = p;;) {
		char *e = strchrnul(c, '/');
		size_t n = (size_t)(e - c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!*e)
			return true;
		c = e + 1;
	}
}

int nk_sysctl_path(const char *key, char **path, nk_err **err)
{
	_cleanup_free_ char *p = strdup(key ? key : "");
	if (!p)
		return nk_err_set(err, ENOMEM, "lxc.sysctl");
	if (!strchr(p, '/'))
		for (char *c = p; *c; c++)
			if (*c == '.')
				*c = '/';
	if (!path_ok(p))
		return nk_err_set(err, EINVAL, "lxc.sysctl.%s: not a key below /proc/sys", key);
	*path = TAKE_PTR(p);
	return 0;
}

int nk_limits_check(const nk_spec *spec, nk_err **err)
{
	for (size_t i = 0; i < spec->sysctl.n; i++) {
		_cleanup_free_ char *p = NULL;
		int r = nk_sysctl_path(spec->sysctl.items[i].key, &p, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < spec->n_prlimits; i++) {
		const nk_prlimit *l = &spec->prlimits[i];
		if (l->resource < 0 || l->resource >= RLIM_NLIMITS || !rlimit_names[l->resource])
			return nk_err_set(err, EINVAL, "lxc.prlimit: unknown resource %d",
			                  l->resource);
		if (l->soft > l->hard)
			return nk_err_set(err, EINVAL,
			                  "lxc.prlimit.%s: soft limit above the hard one",
			                  rlimit_names[l->resource]);
	}
	return 0;
}

static int write_at(int dirfd, const char *rel, const char *value)
{
	/* /proc/sys holds no symlinks; O_NOFOLLOW keeps it that way for the last component. */
	_cleanup_close_ int fd = openat(dirfd, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value), off = 0;
	while (off < len) {
		ssize_t w = write(fd, value + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (size_t)w;
	}
	return 0;
}

/* /proc/sys when it is the proc file system (after pivot_root, only if proc was mounted). */
static int open_proc_sys(void)
{
	int fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sf;
	if (fd >= 0 && (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)) {
		close(fd);
		return -ENOENT;
	}
	return fd < 0 ? -errno : fd;
}

/*
 * A proc instance of our own namespaces that is never attached anywhere, so the container
 * never sees it: for when /proc/sys is read-only (proc:mixed) or not mounted.
 */
static int private_proc_sys(void)
{
	_cleanup_close_ int fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	_cleanup_close_ int mnt =
	    fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return -errno;
	int fd = openat(mnt, "sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

struct sysctl_dirs {
	int proc; /* /proc/sys, or a negative errno */
	int priv; /* the private instance, a negative errno, or NOT_TRIED */
};
#define NOT_TRIED (-4096)

static void sysctl_dirs_close(struct sysctl_dirs *d)
{
	if (d->proc >= 0)
		close(d->proc);
	if (d->priv >= 0)
		close(d->priv);
}

static int sysctl_write(struct sysctl_dirs *d, const char *rel, const char *value)
{
	int r = d->proc >= 0 ? write_at(d->proc, rel, value) : d->proc;
	if (r != -EROFS && r != -ENOENT)
		return r;
	if (d->priv == NOT_TRIED)
		d->priv = private_proc_sys();
	int p = d->priv >= 0 ? write_at(d->priv, rel, value) : d->priv;
	/* No private instance either (old kernel, user namespace): the first answer says more. */
	return d->priv < 0 ? r : p;
}

static int apply_sysctls(const nk_spec *spec, nk_err **err)
{
	if (!spec->sysctl.n)
		return 0;
	_cleanup_(sysctl_dirs_close) struct sysctl_dirs d = {open_proc_sys(), NOT_TRIED};
	for (size_t i = 0; i < spec->sysctl.n; i++) {
		const nk_kv *kv = &spec->sysctl.items[i];
		const char *value = kv->value ? kv->value : "";
		_cleanup_free_ char *rel = NULL;
		int r = nk_sysctl_path(kv->key, &rel, err);
		if (r < 0)
			return r;
		r = sysctl_write(&d, rel, value);
		if (r < 0)
			return nk_err_set(err, -r, "lxc.sysctl.%s: write \"%s\" to /proc/sys/%s",
			                  kv->key, value, rel);
	}
	return 0;
}

static int apply_prlimits(const nk_spec *spec, nk_err **err)
{
	for (size_t i = 0; i < spec->n_prlimits; i++) {
		const nk_prlimit *l = &spec->prlimits[i];
		struct rlimit rl = {.rlim_cur = l->soft, .rlim_max = l->hard};
		if (setrlimit((__rlimit_resource_t)l->resource, &rl) < 0)
			return nk_err_sys(err, "lxc.prlimit.%s", rlimit_names[l->resource]);
	}
	return 0;
}

int nk_limits_apply(const nk_spec *spec, nk_err **err)
{
	int r = nk_limits_check(spec, err);
	if (r >= 0)
		r = apply_sysctls(spec, err);
	if (r >= 0)
		r = apply_prlimits(spec, err);
	return r;
}

int nk_no_new_privs_apply(const nk_spec *spec, nk_err **err)
{
	if (spec->no_new_privs == 1 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nk_err_sys(err, "lxc.no_new_privs");
	return 0;
}
