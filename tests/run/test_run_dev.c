/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* autodev, the devpts instance, and the ptys behind /dev/console and /dev/ttyN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "helpers.h"
#include "run/dev.h"
#include "run/mount.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MQUEUE_MAGIC 0x19800202

static void check_node(const char *dev, const char *name, unsigned maj, unsigned min)
{
	struct stat st;
	CHECK(stat(nkt_path(dev, name), &st) == 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK(major(st.st_rdev) == maj && minor(st.st_rdev) == min);
	CHECK((st.st_mode & 0777) == 0666);
}

static void check_devpts(const char *dev)
{
	struct stat pts, host, ptmx;
	struct statfs sf;
	CHECK(statfs(nkt_path(dev, "pts"), &sf) == 0 && sf.f_type == DEVPTS_SUPER_MAGIC);
	CHECK(stat(nkt_path(dev, "pts"), &pts) == 0 && stat("/dev/pts", &host) == 0);
	/* A new instance, not the host's. */
	CHECK(pts.st_dev != host.st_dev);
	/* /dev/ptmx opens that instance. */
	CHECK(stat(nkt_path(dev, "ptmx"), &ptmx) == 0);
	CHECK(S_ISCHR(ptmx.st_mode) && ptmx.st_rdev == makedev(5, 2));
	CHECK(ptmx.st_dev == pts.st_dev);
}

static int autodev_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->pty_max = 16;
	s->autodev_tmpfs_size = 1 << 20;
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	char dev[256], buf[64], super[256];
	snprintf(dev, sizeof(dev), "%s/dev", t->rootfs);
	struct statfs sf;
	CHECK(statfs(dev, &sf) == 0 && sf.f_type == TMPFS_MAGIC);
	CHECK(nkt_vfs_flags(dev) & ST_NOSUID);
	check_node(dev, "null", 1, 3);
	check_node(dev, "zero", 1, 5);
	check_node(dev, "full", 1, 7);
	check_node(dev, "random", 1, 8);
	check_node(dev, "urandom", 1, 9);
	check_node(dev, "tty", 5, 0);
	ssize_t n = readlink(nkt_path(dev, "fd"), buf, sizeof(buf) - 1);
	CHECK(n > 0 && (buf[n] = '\0', !strcmp(buf, "/proc/self/fd")));
	n = readlink(nkt_path(dev, "stderr"), buf, sizeof(buf) - 1);
	CHECK(n > 0 && (buf[n] = '\0', !strcmp(buf, "/proc/self/fd/2")));
	struct stat st;
	CHECK(stat(nkt_path(dev, "shm"), &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(statfs(nkt_path(dev, "shm"), &sf) == 0 && sf.f_type == TMPFS_MAGIC);
	CHECK(statfs(nkt_path(dev, "mqueue"), &sf) == 0 && sf.f_type == MQUEUE_MAGIC);
	check_devpts(dev);
	CHECK(nkt_mount_at(nkt_path(dev, "pts"), NULL, super, NULL, sizeof(super)));
	/* lxc.pty.max plus the console (and no ttys here): nook allocates those from it too */
	CHECK(strstr(super, "max=17") && strstr(super, "ptmxmode=666") && strstr(super, "gid=5"));
	return 0;
}

static void test_autodev(void **state)
{
	NKT_RUN(CLONE_NEWIPC, autodev_child, *state);
}

/* No autodev: the rootfs's own /dev still gets a devpts instance and a ptmx into it. */
static int no_autodev_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->autodev = 0;
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	char dev[256];
	snprintf(dev, sizeof(dev), "%s/dev", t->rootfs);
	CHECK(!nkt_mount_at(dev, NULL, NULL, NULL, 0));
	CHECK(!nk_path_exists(nkt_path(dev, "null")));
	check_devpts(dev);
	return 0;
}

static void test_no_autodev(void **state)
{
	NKT_RUN(0, no_autodev_child, *state);
}

static void write_map(const char *file, const char *map)
{
	nkt_write(file, map);
}

/* In a user namespace mknod is refused: the host's nodes are bind-mounted instead. */
static int userns_child(void *arg)
{
	const struct nkt_root *t = arg;
	write_map("/proc/self/setgroups", "deny");
	write_map("/proc/self/uid_map", "0 0 1");
	write_map("/proc/self/gid_map", "0 0 1");
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	char dev[256], super[256];
	snprintf(dev, sizeof(dev), "%s/dev", t->rootfs);
	check_node(dev, "null", 1, 3);
	check_node(dev, "urandom", 1, 9);
	CHECK(nkt_mount_at(nkt_path(dev, "null"), NULL, NULL, NULL, 0));
	int fd = open(nkt_path(dev, "zero"), O_RDONLY | O_CLOEXEC);
	char c = 1;
	CHECK(fd >= 0 && read(fd, &c, 1) == 1 && c == 0);
	close(fd);
	/* devpts without gid=5, which is not mapped here. */
	CHECK(nkt_mount_at(nkt_path(dev, "pts"), NULL, super, NULL, sizeof(super)));
	CHECK(!strstr(super, "gid=5"));
	check_devpts(dev);
	return 0;
}

static void test_autodev_userns(void **state)
{
	NKT_RUN(CLONE_NEWUSER | CLONE_NEWIPC, userns_child, *state);
}

/* Reads what is available on fd within a second. */
static char *read_some(int fd, char *buf, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	CHECK(poll(&p, 1, 1000) == 1);
	ssize_t n = read(fd, buf, len - 1);
	CHECK(n > 0);
	buf[n] = '\0';
	return buf;
}

/* Writes a line through the master; the slave at path (after pivot_root) reads it. */
static void check_pty(int master, const char *path)
{
	char buf[64];
	int s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(s >= 0);
	struct stat st, pts;
	CHECK(fstat(s, &st) == 0 && stat("/dev/pts", &pts) == 0);
	CHECK(S_ISCHR(st.st_mode) && st.st_dev == pts.st_dev);
	struct termios tio;
	CHECK(tcgetattr(s, &tio) == 0);
	CHECK((tio.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
	CHECK(tio.c_oflag & ONLCR);
	CHECK(write(master, "hello\n", 6) == 6);
	CHECK(!strcmp(read_some(s, buf, sizeof(buf)), "hello\n"));
	/* Echo came back, CR-NL mapped; then output from the slave. */
	CHECK(!strcmp(read_some(master, buf, sizeof(buf)), "hello\r\n"));
	CHECK(write(s, "out\n", 4) == 4);
	CHECK(!strcmp(read_some(master, buf, sizeof(buf)), "out\r\n"));
	close(s);
}

static int ptys_run(const struct nkt_root *t, nk_spec *s, int *m, size_t n)
{
	CHECK_OK(nk_rootfs_prepare(s, t->rootfs, &E));
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	CHECK_OK(nk_dev_ptys(s, t->rootfs, m, n, &E));
	for (size_t i = 0; i < n; i++)
		CHECK(m[i] < 0 || (fcntl(m[i], F_GETFD) & FD_CLOEXEC));
	CHECK_OK(nk_rootfs_pivot(t->rootfs, &E));
	return 0;
}

static int ptys_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->tty_max = 2;
	int m[3];
	ptys_run(arg, s, m, 3);
	check_pty(m[0], "/dev/console");
	check_pty(m[1], "/dev/tty1");
	check_pty(m[2], "/dev/tty2");
	CHECK(!nk_path_exists("/dev/tty3"));
	return 0;
}

static void test_ptys(void **state)
{
	NKT_RUN(CLONE_NEWPID | CLONE_NEWIPC, ptys_child, *state);
}

static int tty_dir_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->tty_max = 1;
	s->tty_dir = strdup("lxc");
	int m[2];
	ptys_run(arg, s, m, 2);
	char link[32];
	ssize_t n = readlink("/dev/tty1", link, sizeof(link) - 1);
	CHECK(n > 0 && (link[n] = '\0', !strcmp(link, "lxc/tty1")));
	check_pty(m[1], "/dev/tty1");
	check_pty(m[0], "/dev/lxc/console");
	/* /dev/console is a bind of the same pty, not a link. */
	struct stat a, b;
	CHECK(lstat("/dev/console", &a) == 0 && S_ISCHR(a.st_mode));
	CHECK(stat("/dev/lxc/console", &b) == 0 && a.st_rdev == b.st_rdev);
	check_pty(m[0], "/dev/console");
	return 0;
}

static void test_tty_dir(void **state)
{
	NKT_RUN(CLONE_NEWPID | CLONE_NEWIPC, tty_dir_child, *state);
}

static int no_console_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->tty_max = 1;
	s->console.path = strdup("none");
	int m[2];
	ptys_run(arg, s, m, 2);
	CHECK(m[0] == -1 && m[1] >= 0);
	CHECK(!nk_path_exists("/dev/console"));
	check_pty(m[1], "/dev/tty1");
	return 0;
}

static void test_no_console(void **state)
{
	NKT_RUN(CLONE_NEWPID | CLONE_NEWIPC, no_console_child, *state);
}

/* A /dev/console symlink planted in a disk /dev is replaced, never followed. */
static int console_symlink_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->autodev = 0;
	char target[256];
	snprintf(target, sizeof(target), "%s/victim", t->outside);
	nkt_write(target, "untouched");
	CHECK(symlink(target, nkt_path(t->rootfs, "dev/console")) == 0);
	CHECK(symlink("../../../../../outside/victim", nkt_path(t->rootfs, "dev/tty1")) == 0);
	s->tty_max = 1;
	int m[2];
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	CHECK_OK(nk_dev_ptys(s, t->rootfs, m, 2, &E));
	CHECK(!nkt_mount_at(target, NULL, NULL, NULL, 0));
	char buf[32];
	CHECK(!strcmp(nkt_read(target, buf, sizeof(buf)), "untouched"));
	struct stat st;
	CHECK(lstat(nkt_path(t->rootfs, "dev/console"), &st) == 0 && S_ISCHR(st.st_mode));
	CHECK(lstat(nkt_path(t->rootfs, "dev/tty1"), &st) == 0 && S_ISCHR(st.st_mode));
	return 0;
}

static void test_console_symlink(void **state)
{
	NKT_RUN(0, console_symlink_child, *state);
}

static void test_bad_tty_dir(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	s->tty_dir = strdup("../x");
	int m[1];
	nk_err *err = NULL;
	assert_int_equal(nk_dev_ptys(s, "/nonexistent", m, 1, &err), -EINVAL);
	assert_int_equal(m[0], -1);
	assert_non_null(strstr(err->msg, "lxc.tty.dir"));
	nk_err_free(err);
}

/*
 * The order the start sequence should use (LXC's): autodev's tmpfs first, then the entries, so
 * an entry under /dev (a host device bound in) is not hidden by the tmpfs.
 */
static int entries_after_autodev_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	CHECK(nk_strv_push(&s->mount.entries, "/dev/null dev/host-null none bind,create=file") ==
	      0);
	CHECK(nk_strv_push(&s->mount.entries, "/dev/pts dev/host-pts none bind,optional") == 0);
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	CHECK_OK(nk_mount_fstab_and_entries(s, t->rootfs, &E));
	char dev[256];
	snprintf(dev, sizeof(dev), "%s/dev", t->rootfs);
	check_node(dev, "host-null", 1, 3);
	CHECK(!nk_path_exists(nkt_path(dev, "host-pts")));
	return 0;
}

static void test_entries_after_autodev(void **state)
{
	NKT_RUN(CLONE_NEWIPC, entries_after_autodev_child, *state);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, nkt_root_setup, nkt_root_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_autodev),
	    T(test_no_autodev),
	    T(test_autodev_userns),
	    T(test_ptys),
	    T(test_tty_dir),
	    T(test_no_console),
	    T(test_console_symlink),
	    T(test_entries_after_autodev),
	    cmocka_unit_test(test_bad_tty_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
