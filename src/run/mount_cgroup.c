/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lxc.mount.auto = cgroup: the host's cgroup layout, rebuilt inside the rootfs. The host is
 * read, not assumed: pure cgroup2 (cgroup2 at /sys/fs/cgroup), hybrid (cgroup v1 controllers
 * under a tmpfs plus cgroup2 at /sys/fs/cgroup/unified) or legacy v1 only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/mount.h"
#include "run/resolve.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#define CGROUP_ROOT     "/sys/fs/cgroup"
#define CGROUP_FS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME)

void nk_cgroup_mnts_free(nk_cgroup_mnt *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].dir);
		free(m[i].fstype);
		free(m[i].options);
	}
	free(m);
}

/* mountinfo escapes blanks and backslashes as "\ooo"; decode in place. */
static void mountinfo_unescape(char *s)
{
	char *d = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS" */
static bool mountinfo_fields(char *line, char **mnt, char **fstype, char **super)
{
	char *save = NULL;
	int i = 0, after = -1;
	for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save), i++) {
		if (i == 4)
			*mnt = w;
		else if (after < 0 && i > 5 && !strcmp(w, "-"))
			after = i;
		else if (after > 0 && i == after + 1)
			*fstype = w;
		else if (after > 0 && i == after + 3)
			*super = w;
	}
	return after > 0 && i >= after + 4;
}

/*
 * A v1 hierarchy is found again by its controllers and name=; the other super options are
 * flags a cgroup namespace may not change anyway.
 */
static char *v1_options(const char *super)
{
	static const char *const flags[] = {
	    "rw",          "ro", "none", "noprefix", "xattr", "clone_children", "cpuset_v2_mode",
	    "favordynmods"};
	_cleanup_free_ char *copy = strdup(super);
	_cleanup_strbuf_ nk_strbuf b = {0};
	char *save = NULL;
	if (!copy)
		return NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool skip = nk_str_has_prefix(o, "release_agent=");
		for (size_t i = 0; i < ARRAY_SIZE(flags) && !skip; i++)
			skip = !strcmp(o, flags[i]);
		if (skip)
			continue;
		if (b.len)
			nk_strbuf_putc(&b, ',');
		nk_strbuf_append(&b, o);
	}
	return nk_strbuf_steal(&b);
}

static int mnts_add(nk_cgroup_mnt **m, size_t *n, const char *dir, const char *fstype,
                    char *options)
{
	/* A later mount on the same place hides the former: replace it. */
	size_t i = 0;
	while (i < *n && strcmp((*m)[i].dir, dir))
		i++;
	if (i == *n) {
		nk_cgroup_mnt *nm = realloc(*m, (*n + 1) * sizeof(**m));
		if (!nm) {
			free(options);
			return -ENOMEM;
		}
		*m = nm;
		nm[(*n)++] = (nk_cgroup_mnt){0};
	}
	nk_cgroup_mnt *e = &(*m)[i];
	free(e->dir);
	free(e->fstype);
	free(e->options);
	e->dir = strdup(dir);
	e->fstype = fstype ? strdup(fstype) : NULL;
	e->options = options;
	return e->dir && (e->fstype || !fstype) ? 0 : -ENOMEM;
}

/* The part of a mount point below /sys/fs/cgroup: "" for itself, one component, else NULL. */
static const char *cgroup_dir(const char *mnt)
{
	if (!strcmp(mnt, CGROUP_ROOT))
		return "";
	if (!nk_str_has_prefix(mnt, CGROUP_ROOT "/"))
		return NULL;
	const char *rel = mnt + strlen(CGROUP_ROOT "/");
	return *rel && !strchr(rel, '/') ? rel : NULL;
}

static int parse_line(char *line, nk_cgroup_mnt **m, size_t *n)
{
	char *mnt = NULL, *fstype = NULL, *super = NULL;
	if (!mountinfo_fields(line, &mnt, &fstype, &super))
		return 0;
	bool v2 = !strcmp(fstype, "cgroup2");
	if (!v2 && strcmp(fstype, "cgroup"))
		return 0;
	mountinfo_unescape(mnt);
	const char *dir = cgroup_dir(mnt);
	if (!dir)
		return 0;
	char *options = v2 ? NULL : v1_options(super);
	if (!v2 && !options)
		return -ENOMEM;
	return mnts_add(m, n, dir, fstype, options);
}

int nk_cgroup_mnts_parse(const char *mountinfo, nk_cgroup_mnt **out, size_t *n, nk_err **err)
{
	_cleanup_free_ char *text = strdup(mountinfo);
	nk_cgroup_mnt *m = NULL;
	size_t count = 0;
	int r = text ? 0 : -ENOMEM;
	for (char *l = text, *next; l && r >= 0; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		r = parse_line(l, &m, &count);
	}
	if (r < 0) {
		nk_cgroup_mnts_free(m, count);
		return nk_err_set(err, -r, "read the cgroup mounts");
	}
	*out = m;
	*n = count;
	return 0;
}

/* Symlinks like "cpu -> cpu,cpuacct" name co-mounted controllers; programs use both names. */
static int read_symlinks(nk_cgroup_mnt **m, size_t *n, nk_err **err)
{
	_cleanup_closedir_ DIR *d = opendir(CGROUP_ROOT);
	if (!d)
		return errno == ENOENT ? 0 : nk_err_sys(err, "open %s", CGROUP_ROOT);
	struct dirent *de;
	while ((de = readdir(d))) {
		char target[256];
		if (de->d_type != DT_LNK)
			continue;
		ssize_t len = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		/* Only links between siblings make sense inside. */
		if (strchr(target, '/') || !strcmp(target, ".") || !strcmp(target, ".."))
			continue;
		char *opt = strdup(target);
		if (!opt || mnts_add(m, n, de->d_name, NULL, opt) < 0)
			return nk_err_set(err, ENOMEM, "read %s", CGROUP_ROOT);
	}
	return 0;
}

int nk_cgroup_mnts_read(nk_cgroup_mnt **out, size_t *n, nk_err **err)
{
	_cleanup_free_ char *text = NULL;
	int r = nk_read_file("/proc/self/mountinfo", &text, NULL, err);
	if (r < 0)
		return r;
	r = nk_cgroup_mnts_parse(text, out, n, err);
	if (r < 0)
		return r;
	bool pure_v2 = *n == 1 && !(*out)[0].dir[0];
	return pure_v2 ? 0 : read_symlinks(out, n, err);
}

static int mount_one(int cgfd, const nk_cgroup_mnt *m, unsigned long flags, nk_err **err)
{
	if (!m->fstype) {
		if (symlinkat(m->options, cgfd, m->dir) < 0 && errno != EEXIST)
			return nk_err_sys(err, "symlink %s/%s", CGROUP_ROOT, m->dir);
		return 0;
	}
	/* The v1 devices hierarchy is always read-only inside: its rules are the container's
	 * device policy, not something the container may loosen (a root that keeps
	 * CAP_SYS_ADMIN could still mount it afresh: privileged containers are not a boundary). */
	unsigned long f = flags;
	if (m->options && strstr(m->options, "devices") && strcmp(m->fstype, "cgroup") == 0)
		f |= MS_RDONLY;
	int fd = nk_mount_fs_in_root(cgfd, m->dir, m->fstype, f, m->options, err);
	if (fd < 0)
		return nk_err_wrap(err, fd, "%s/%s", CGROUP_ROOT, m->dir);
	close(fd);
	return 0;
}

int nk_mount_cgroup_mnts(int rootfd, const nk_cgroup_mnt *m, size_t n, unsigned mode, nk_err **err)
{
	unsigned long flags = CGROUP_FS_FLAGS | (mode == NK_AUTO_CGROUP_RO ? MS_RDONLY : 0);
	if (n == 0) {
		nk_warn("lxc.mount.auto: the host mounts no cgroup file system; skipped");
		return 0;
	}
	/*
	 * Pure cgroup2: one mount, and its root is the container's own cgroup (the caller is in
	 * its cgroup namespace), so "mixed" is read-write: nothing above it is visible.
	 */
	if (n == 1 && !m[0].dir[0]) {
		_cleanup_close_ int fd =
		    nk_mount_fs_in_root(rootfd, "sys/fs/cgroup", m[0].fstype, flags, NULL, err);
		return fd < 0 ? fd : 0;
	}
	_cleanup_close_ int cgfd = nk_mount_fs_in_root(
	    rootfd, "sys/fs/cgroup", "tmpfs", CGROUP_FS_FLAGS, "size=10240k,mode=755", err);
	if (cgfd < 0)
		return cgfd;
	for (size_t i = 0; i < n; i++) {
		int r = m[i].dir[0] ? mount_one(cgfd, &m[i], flags, err) : 0;
		if (r < 0)
			return r;
	}
	if (mode == NK_AUTO_CGROUP_RW)
		return 0;
	/* ro and mixed: the tmpfs holding the mount points is read-only. */
	char p[NK_FD_PATH_MAX];
	int r = nk_remount(nk_fd_path(cgfd, p), MS_RDONLY | CGROUP_FS_FLAGS);
	return r < 0 ? nk_err_set(err, -r, "remount %s read-only", CGROUP_ROOT) : 0;
}
