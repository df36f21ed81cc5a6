/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rootfs: prepare (slave + self bind), pivot_root (old root detached), finish (ro). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "run/caps.h"
#include "run/dev.h"
#include "run/limits.h"
#include "run/mount.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int count_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	CHECK(f);
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static int prepare_child(void *arg)
{
	const struct nkt_root *t = arg;
	/* A shared "/" first, as on a systemd host: prepare must cut the propagation. */
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) == 0);
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->rootfs.options = strdup("nosuid,nodev");
	CHECK_OK(nk_rootfs_prepare(s, t->rootfs, &E));
	CHECK(nkt_mount_at(t->rootfs, NULL, NULL, NULL, 0));
	unsigned long f = nkt_vfs_flags(t->rootfs);
	CHECK((f & ST_NOSUID) && (f & ST_NODEV) && !(f & ST_RDONLY));
	FILE *mi = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	while (fgets(line, sizeof(line), mi))
		CHECK(!strstr(line, " shared:"));
	fclose(mi);
	return 0;
}

static void test_prepare(void **state)
{
	NKT_RUN(0, prepare_child, *state);
}

static int pivot_child(void *arg)
{
	const struct nkt_root *t = arg;
	char marker[256];
	snprintf(marker, sizeof(marker), "%s/marker", t->top);
	nkt_write(marker, "host");
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->mount.auto_flags = NK_AUTO_PROC_RW;
	CHECK_OK(nk_rootfs_prepare(s, t->rootfs, &E));
	CHECK_OK(nk_mount_auto(s, t->rootfs, &E));
	CHECK_OK(nk_mount_auto_cgroup(s, t->rootfs, &E));
	CHECK_OK(nk_rootfs_pivot(t->rootfs, &E));
	char cwd[PATH_MAX];
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"));
	CHECK(nk_is_executable("/bin/busybox"));
	CHECK(nk_path_exists("/etc/hostname"));
	/* The host's files are gone: no path leads to them, ".." of "/" is "/". */
	CHECK(!nk_path_exists(marker));
	CHECK(!nk_path_exists(t->top));
	struct stat a, b;
	CHECK(stat("/", &a) == 0 && stat("/..", &b) == 0 && a.st_ino == b.st_ino);
	/* Only the rootfs and its proc are left in the mount table. */
	CHECK(count_mounts() == 2);
	CHECK(nkt_mount_at("/", NULL, NULL, NULL, 0));
	CHECK(nkt_mount_at("/proc", NULL, NULL, NULL, 0));
	/* And a program runs from it. */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "test -x /bin/busybox && ! test -e /outside", NULL);
		_exit(127);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static void test_pivot(void **state)
{
	NKT_RUN(CLONE_NEWPID, pivot_child, *state);
}

static int finish_ro_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->rootfs.options = strdup("ro,nosuid");
	CHECK_OK(nk_rootfs_prepare(s, t->rootfs, &E));
	/* Still writable until finish: mount points and /dev entries are made in between. */
	CHECK(mkdir(nkt_path(t->rootfs, "made-before"), 0755) == 0);
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	CHECK_OK(nk_rootfs_pivot(t->rootfs, &E));
	CHECK_OK(nk_rootfs_finish(s, &E));
	unsigned long f = nkt_vfs_flags("/");
	CHECK((f & ST_RDONLY) && (f & ST_NOSUID));
	CHECK(mkdir("/x", 0755) < 0 && errno == EROFS);
	CHECK(nk_is_dir("/made-before"));
	return 0;
}

static void test_finish_ro(void **state)
{
	NKT_RUN(0, finish_ro_child, *state);
}

static int finish_rw_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	CHECK_OK(nk_rootfs_prepare(s, t->rootfs, &E));
	CHECK_OK(nk_rootfs_pivot(t->rootfs, &E));
	CHECK_OK(nk_rootfs_finish(s, &E));
	CHECK(!(nkt_vfs_flags("/") & ST_RDONLY));
	CHECK(mkdir("/x", 0755) == 0);
	return 0;
}

static void test_finish_rw(void **state)
{
	NKT_RUN(0, finish_rw_child, *state);
}

static void test_errors(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	s->rootfs.options = strdup("ro,idmap=container");
	assert_int_equal(nk_rootfs_finish(s, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err->msg, "lxc.rootfs.options"));
	nk_err_freep(&err);
	assert_int_equal(nk_rootfs_open("/nonexistent/rootfs", &err), -ENOENT);
	assert_non_null(strstr(err->msg, "/nonexistent/rootfs"));
	nk_err_free(err);
}

/*
 * The child's whole sequence, in the start sequence's order, then a shell in the container
 * checks the result from inside.
 */
static const char inside_checks[] =
    "B=/bin/busybox;"
    "test \"$($B hostname)\" = full || exit 10;"
    "$B touch /x 2>/dev/null && exit 11;"
    "$B touch /tmp/y || exit 12;"
    "test -c /dev/null -a -c /dev/tty1 -a -c /dev/console || exit 13;"
    "$B grep -q 'NoNewPrivs:.1' /proc/self/status || exit 14;"
    "$B grep -q 'CapInh:.0000000000000000' /proc/self/status || exit 15;"
    "test -e /sys/fs/cgroup/unified -o -e /sys/fs/cgroup/cgroup.procs || exit 16;"
    "$B touch /proc/sys/kernel/hostname 2>/dev/null && exit 17;"
    "test \"$($B cat /proc/sys/net/ipv4/ip_forward)\" = 1 || exit 18;"
    "exit 0";

static void full_spec(nk_spec *s)
{
	s->mount.auto_flags = NK_AUTO_PROC_MIXED | NK_AUTO_SYS_MIXED | NK_AUTO_CGROUP_MIXED;
	s->rootfs.options = strdup("ro");
	s->tty_max = 1;
	s->no_new_privs = 1;
	CHECK(nk_strv_push(&s->mount.entries, "tmpfs tmp tmpfs size=1m") == 0);
	CHECK(nk_strv_push(&s->cap.drop, "sys_module") == 0);
	CHECK(nk_kvlist_add(&s->sysctl, "kernel.hostname", "full") == 0);
	CHECK(nk_kvlist_add(&s->sysctl, "net.ipv4.ip_forward", "1") == 0);
}

static int full_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	full_spec(s);
	int m[2];
	CHECK_OK(nk_rootfs_prepare(s, t->rootfs, &E));
	CHECK_OK(nk_mount_auto(s, t->rootfs, &E));
	CHECK_OK(nk_mount_auto_cgroup(s, t->rootfs, &E));
	CHECK_OK(nk_dev_autodev(s, t->rootfs, &E));
	CHECK_OK(nk_mount_fstab_and_entries(s, t->rootfs, &E));
	CHECK_OK(nk_dev_ptys(s, t->rootfs, m, 2, &E));
	CHECK_OK(nk_rootfs_pivot(t->rootfs, &E));
	CHECK_OK(nk_rootfs_finish(s, &E));
	CHECK_OK(nk_limits_apply(s, &E));
	CHECK_OK(nk_caps_apply(s, &E));
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", inside_checks, NULL);
		_exit(127);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (WEXITSTATUS(st))
		fprintf(stderr, "inside check failed: exit %d\n", WEXITSTATUS(st));
	CHECK(WEXITSTATUS(st) == 0);
	return 0;
}

static void test_full_sequence(void **state)
{
	NKT_RUN(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP,
	        full_child, *state);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, nkt_root_setup, nkt_root_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_prepare),   T(test_pivot),         T(test_finish_ro),
	    T(test_finish_rw), T(test_full_sequence), cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
