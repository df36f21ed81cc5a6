/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/dev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "run/mount.h"
#include "run/resolve.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/log.h"

static const struct dev_node {
	const char *name;
	unsigned major, minor;
} dev_nodes[] = {
    {"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
	const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

/*
 * A bind-mount target in a /dev directory: an empty regular file. The name is one component
 * under an fd already resolved inside the rootfs; a symlink there is replaced, never
 * followed, and an existing node is only opened O_PATH (opening /dev/console for real would
 * open the host's console).
 */
static int dev_target(int dirfd, const char *name, nk_err **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
	    unlinkat(dirfd, name, 0) < 0)
		return nk_err_sys(err, "remove the symlink /dev/%s", name);
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return nk_err_sys(err, "create /dev/%s", name);
	if (fd >= 0)
		close(fd);
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open /dev/%s", name);
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
		close(fd);
		return nk_err_set(err, EEXIST, "/dev/%s is in the way", name);
	}
	return fd;
}

/* Without CAP_MKNOD (a user-namespaced container) the host's node is the same device. */
static int bind_host_node(int devfd, const struct dev_node *d, nk_err **err)
{
	char host[32];
	snprintf(host, sizeof(host), "/dev/%s", d->name);
	_cleanup_close_ int src = open(host, O_PATH | O_CLOEXEC);
	struct stat st;
	if (src < 0 || fstat(src, &st) < 0)
		return nk_err_sys(err, "open %s", host);
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(d->major, d->minor))
		return nk_err_set(err, ENODEV, "%s is not device %u:%u", host, d->major, d->minor);
	_cleanup_close_ int dst = dev_target(devfd, d->name, err);
	if (dst < 0)
		return dst;
	int r = nk_bind_fd(src, dst, false);
	return r < 0 ? nk_err_set(err, -r, "bind-mount %s on /dev/%s", host, d->name) : 0;
}

static int make_node(int devfd, const struct dev_node *d, nk_err **err)
{
	if (mknodat(devfd, d->name, S_IFCHR | 0666, makedev(d->major, d->minor)) < 0) {
		if (errno == EPERM || errno == EACCES)
			return bind_host_node(devfd, d, err);
		return nk_err_sys(err, "mknod /dev/%s", d->name);
	}
	/* mknod applied the umask; these nodes are for everyone. */
	if (fchmodat(devfd, d->name, 0666, 0) < 0)
		return nk_err_sys(err, "chmod /dev/%s", d->name);
	return 0;
}

static int mount_mqueue(int devfd)
{
	/* POSIX message queues of the container's IPC namespace; not every kernel has them. */
	_cleanup_err_ nk_err *e = NULL;
	int fd = nk_mount_fs_in_root(devfd, "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	                             NULL, &e);
	if (fd < 0) {
		_cleanup_free_ char *why = nk_err_text(e);
		nk_info("autodev: /dev/mqueue left empty: %s", why ? why : "");
		return 0;
	}
	close(fd);
	return 0;
}

static int autodev_populate(int devfd, nk_err **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		int r = make_node(devfd, &dev_nodes[i], err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0 && errno != EEXIST)
			return nk_err_sys(err, "symlink /dev/%s", dev_links[i].name);
	int fd = nk_mount_fs_in_root(devfd, "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err);
	if (fd < 0)
		return fd;
	close(fd);
	return mount_mqueue(devfd);
}

static int autodev_mount(int rootfd, const nk_spec *spec, nk_err **err)
{
	char opts[64];
	snprintf(opts, sizeof(opts), "size=%llu,mode=755",
	         (unsigned long long)nk_spec_autodev_tmpfs_size(spec));
	int devfd =
	    nk_mount_fs_in_root(rootfd, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, opts, err);
	if (devfd < 0)
		return devfd;
	int r = autodev_populate(devfd, err);
	if (r < 0) {
		close(devfd);
		return r;
	}
	return devfd;
}

/*
 * lxc.pty.max counts the ptys the container may open itself; the console and the ttys that
 * nook allocates from the same instance come on top, or "lxc.pty.max = 1" (LXC's busybox
 * config) would leave no room for them.
 */
static unsigned devpts_max(const nk_spec *spec)
{
	unsigned max = nk_spec_pty_max(spec);
	return max ? max + 1 + nk_spec_tty_max(spec) : 0;
}

/*
 * A new devpts instance: its ptys are the container's, numbered from 0, and the host's
 * ptys are not visible in it.
 */
static int mount_devpts(int devfd, unsigned pty_max, nk_err **err)
{
	char opts[96];
	int n = snprintf(opts, sizeof(opts), "%s", NK_DEVPTS_OPTIONS);
	if (pty_max)
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",max=%u", pty_max);
	_cleanup_err_ nk_err *e = NULL;
	int fd = nk_mount_fs_in_root(devfd, "pts", "devpts", MS_NOSUID | MS_NOEXEC, opts, &e);
	if (fd == -EINVAL) {
		/* gid 5 is not mapped (a user namespace): devpts then uses our own gid. */
		char *gid = strstr(opts, ",gid=5");
		memmove(gid, gid + 6, strlen(gid + 6) + 1);
		nk_err_freep(&e);
		fd = nk_mount_fs_in_root(devfd, "pts", "devpts", MS_NOSUID | MS_NOEXEC, opts, &e);
	}
	if (fd < 0) {
		if (err && !*err)
			*err = TAKE_PTR(e);
		return fd;
	}
	close(fd);
	return 0;
}

/*
 * /dev/ptmx must open the container's instance: a bind of pts/ptmx (some programs want a
 * character device there, as LXC provides), else a symlink to it.
 */
static int setup_ptmx(int devfd, nk_err **err)
{
	char link[32];
	ssize_t n = readlinkat(devfd, "ptmx", link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		if (!strcmp(link, "pts/ptmx") || !strcmp(link, "/dev/pts/ptmx"))
			return 0;
	}
	_cleanup_close_ int dst = dev_target(devfd, "ptmx", err);
	if (dst < 0)
		return dst;
	_cleanup_close_ int src = nk_open_in_root(devfd, "pts/ptmx", err);
	if (src < 0)
		return src;
	int r = nk_bind_fd(src, dst, false);
	if (r == 0)
		return 0;
	nk_debug("bind-mount /dev/pts/ptmx on /dev/ptmx: %s; using a symlink", strerror(-r));
	if (unlinkat(devfd, "ptmx", 0) < 0 || symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return nk_err_sys(err, "link /dev/ptmx to pts/ptmx");
	return 0;
}

int nk_dev_autodev(const nk_spec *spec, const char *rootfs, nk_err **err)
{
	_cleanup_close_ int rootfd = nk_rootfs_open(rootfs, err);
	if (rootfd < 0)
		return rootfd;
	_cleanup_close_ int devfd = nk_spec_autodev(spec)
	                                ? autodev_mount(rootfd, spec, err)
	                                : nk_mkdir_in_root(rootfd, "dev", 0755, err);
	int r = devfd;
	if (r >= 0)
		r = mount_devpts(devfd, devpts_max(spec), err);
	if (r >= 0)
		r = setup_ptmx(devfd, err);
	return r < 0 ? nk_err_wrap(err, r, "/dev in %s", rootfs) : 0;
}

/* --- ptys --- */

/* What `stty sane` gives: a line-editing terminal with echo, signals and CR/NL mapping. */
static int set_sane_termios(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -errno;
	t.c_iflag = BRKINT | ICRNL | IXON | IMAXBEL | IUTF8;
	t.c_oflag = OPOST | ONLCR;
	t.c_cflag = (t.c_cflag & CBAUD) | CS8 | CREAD;
	t.c_lflag = ISIG | ICANON | IEXTEN | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE;
	static const struct {
		int i;
		cc_t c;
	} cc[] = {
	    {VINTR, 003},  {VQUIT, 034},    {VERASE, 0177}, {VKILL, 025},    {VEOF, 004},
	    {VSTART, 021}, {VSTOP, 023},    {VSUSP, 032},   {VREPRINT, 022}, {VWERASE, 027},
	    {VLNEXT, 026}, {VDISCARD, 017}, {VMIN, 1},      {VTIME, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cc); i++)
		t.c_cc[cc[i].i] = cc[i].c;
	while (tcsetattr(fd, TCSANOW, &t) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* A pty of the instance at ptsfd; the slave is opened from the master, never by a path. */
static int pty_open(int ptsfd, int *master, int *slave)
{
	_cleanup_close_ int m = openat(ptsfd, "ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (m < 0)
		return -errno;
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return -errno;
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0 && (errno == EINVAL || errno == ENOTTY)) {
		/* Before Linux 4.13: by number, in the same instance. */
		unsigned nr;
		char name[16];
		if (ioctl(m, TIOCGPTN, &nr) < 0)
			return -errno;
		snprintf(name, sizeof(name), "%u", nr);
		s = openat(ptsfd, name, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (s < 0)
		return -errno;
	*master = TAKE_FD(m);
	*slave = s;
	return 0;
}

/* Binds the slave onto dirfd/name (a file there is created). */
static int bind_slave(int slave, int dirfd, const char *dir, const char *name, nk_err **err)
{
	_cleanup_close_ int dst = dev_target(dirfd, name, err);
	if (dst < 0)
		return dst;
	int r = nk_bind_fd(slave, dst, false);
	if (r < 0)
		return nk_err_set(err, -r, "bind-mount a pty on /dev/%s%s%s", dir ? dir : "",
		                  dir ? "/" : "", name);
	return 0;
}

/*
 * With lxc.tty.dir: the slave goes to /dev/<dir>/<name>; a tty gets a /dev/<name> symlink
 * to it, and the console is bound on /dev/console too (it must be a terminal, not a link).
 */
static int place_slave(int slave, int devfd, int ttydirfd, const char *dir, const char *name,
                       bool console, nk_err **err)
{
	if (!dir)
		return bind_slave(slave, devfd, NULL, name, err);
	int r = bind_slave(slave, ttydirfd, dir, name, err);
	if (r < 0 || console)
		return r < 0 ? r : bind_slave(slave, devfd, NULL, name, err);
	char link[NAME_MAX + 8];
	snprintf(link, sizeof(link), "%s/%s", dir, name);
	if (unlinkat(devfd, name, 0) < 0 && errno != ENOENT)
		return nk_err_sys(err, "remove /dev/%s", name);
	if (symlinkat(link, devfd, name) < 0)
		return nk_err_sys(err, "symlink /dev/%s", name);
	return 0;
}

static int tty_dir_check(const char *dir, nk_err **err)
{
	if (!dir)
		return 0;
	if (!*dir || strchr(dir, '/') || !strcmp(dir, ".") || !strcmp(dir, "..") ||
	    strlen(dir) > NAME_MAX - 8)
		return nk_err_set(err, EINVAL, "lxc.tty.dir %s: expected a directory name", dir);
	return 0;
}

/* The pts directory of the container's own instance (not a directory that happens to be there). */
static int open_pts(int devfd, nk_err **err)
{
	int fd = nk_open_in_root(devfd, "pts", err);
	struct statfs sf;
	if (fd >= 0 && (fstatfs(fd, &sf) < 0 || sf.f_type != DEVPTS_SUPER_MAGIC)) {
		close(fd);
		return nk_err_set(err, ENOTTY,
		                  "/dev/pts is not a devpts mount (nk_dev_autodev first)");
	}
	return fd;
}

struct pty_ctx {
	int devfd, ptsfd, ttydirfd;
	const char *dir;
};

static int pty_setup(const struct pty_ctx *c, size_t i, int *master, nk_err **err)
{
	int m = -1;
	_cleanup_close_ int s = -1;
	int r = pty_open(c->ptsfd, &m, &s);
	if (r < 0)
		return nk_err_set(err, -r, "allocate a pty in /dev/pts");
	_cleanup_close_ int mfd = m;
	r = set_sane_termios(s);
	if (r < 0)
		return nk_err_set(err, -r, "set the termios of a pty");
	char name[32];
	snprintf(name, sizeof(name), i ? "tty%zu" : "console", i);
	r = place_slave(s, c->devfd, c->ttydirfd, c->dir, name, i == 0, err);
	if (r < 0)
		return r;
	*master = TAKE_FD(mfd);
	return 0;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int nk_dev_ptys(const nk_spec *spec, const char *rootfs, int *masters, size_t n, nk_err **err)
{
	for (size_t i = 0; i < n; i++)
		masters[i] = -1;
	if (n == 0)
		return nk_err_set(err, EINVAL, "ptys: at least the console slot is needed");
	int r = tty_dir_check(spec->tty_dir, err);
	if (r < 0)
		return r;
	_cleanup_close_ int rootfd = nk_rootfs_open(rootfs, err);
	if (rootfd < 0)
		return rootfd;
	_cleanup_close_ int devfd = nk_open_in_root(rootfd, "dev", err);
	if (devfd < 0)
		return devfd;
	_cleanup_close_ int ptsfd = open_pts(devfd, err);
	if (ptsfd < 0)
		return ptsfd;
	_cleanup_close_ int ttydirfd =
	    spec->tty_dir ? nk_mkdir_in_root(devfd, spec->tty_dir, 0755, err) : -1;
	if (spec->tty_dir && ttydirfd < 0)
		return ttydirfd;
	struct pty_ctx c = {devfd, ptsfd, ttydirfd, spec->tty_dir};
	bool console = !spec->console.path || strcmp(spec->console.path, "none");
	for (size_t i = console ? 0 : 1; i < n && r >= 0; i++)
		r = pty_setup(&c, i, &masters[i], err);
	if (r < 0)
		close_all(masters, n);
	return r < 0 ? nk_err_wrap(err, r, "ttys in %s", rootfs) : 0;
}
