/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc.mount.auto: proc, sys and cgroup, mounted for real in a private namespace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "helpers.h"
#include "run/mount.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

static bool writable(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int auto_mount(const struct nkt_root *t, unsigned flags, const char *drop)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->mount.auto_flags = flags;
	if (drop)
		CHECK(nk_strv_push(&s->cap.drop, drop) == 0);
	CHECK_OK(nk_mount_auto(s, t->rootfs, &E));
	CHECK_OK(nk_mount_auto_cgroup(s, t->rootfs, &E));
	return 0;
}

static int proc_mixed_child(void *arg)
{
	const struct nkt_root *t = arg;
	auto_mount(t, NK_AUTO_PROC_MIXED, NULL);
	char proc[256];
	snprintf(proc, sizeof(proc), "%s/proc", t->rootfs);
	struct statfs sf;
	CHECK(statfs(proc, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC);
	CHECK(!(nkt_vfs_flags(proc) & ST_RDONLY));
	CHECK(nkt_vfs_flags(proc) & ST_NOSUID);
	CHECK(nkt_vfs_flags(nkt_path(proc, "sys")) & ST_RDONLY);
	CHECK(nkt_vfs_flags(nkt_path(proc, "sys")) & ST_NOEXEC);
	CHECK(!writable(nkt_path(proc, "sys/kernel/hostname")) && errno == EROFS);
	CHECK(!writable(nkt_path(proc, "sys/fs/file-max")) && errno == EROFS);
	/* The container's own network namespace stays writable. */
	CHECK(!(nkt_vfs_flags(nkt_path(proc, "sys/net")) & ST_RDONLY));
	nkt_write(nkt_path(proc, "sys/net/ipv4/ip_forward"), "1");
	/* A kernel without CONFIG_MAGIC_SYSRQ has no sysrq-trigger; skipped, not an error. */
	if (nk_path_exists(nkt_path(proc, "sysrq-trigger"))) {
		CHECK(nkt_vfs_flags(nkt_path(proc, "sysrq-trigger")) & ST_RDONLY);
		CHECK(!writable(nkt_path(proc, "sysrq-trigger")) && errno == EROFS);
	}
	/* proc in the new pid namespace: we are pid 1 there. */
	char buf[32];
	CHECK(readlink(nkt_path(proc, "self"), buf, sizeof(buf)) == 1 && buf[0] == '1');
	return 0;
}

static void test_proc_mixed(void **state)
{
	NKT_RUN(CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUTS, proc_mixed_child, *state);
}

static int proc_mixed_no_net_admin_child(void *arg)
{
	const struct nkt_root *t = arg;
	auto_mount(t, NK_AUTO_PROC_MIXED, "net_admin");
	CHECK(nkt_vfs_flags(nkt_path(t->rootfs, "proc/sys/net")) & ST_RDONLY);
	return 0;
}

static void test_proc_mixed_no_net_admin(void **state)
{
	NKT_RUN(CLONE_NEWNET, proc_mixed_no_net_admin_child, *state);
}

static int proc_rw_child(void *arg)
{
	const struct nkt_root *t = arg;
	auto_mount(t, NK_AUTO_PROC_RW, NULL);
	CHECK(!(nkt_vfs_flags(nkt_path(t->rootfs, "proc/sys")) & ST_RDONLY));
	CHECK(writable(nkt_path(t->rootfs, "proc/sys/kernel/hostname")));
	return 0;
}

static void test_proc_rw(void **state)
{
	NKT_RUN(CLONE_NEWUTS, proc_rw_child, *state);
}

static int sys_mixed_child(void *arg)
{
	const struct nkt_root *t = arg;
	auto_mount(t, NK_AUTO_SYS_MIXED, NULL);
	char sys[200], net[256];
	snprintf(sys, sizeof(sys), "%s/sys", t->rootfs);
	snprintf(net, sizeof(net), "%s/devices/virtual/net", sys);
	struct statfs sf;
	CHECK(statfs(sys, &sf) == 0 && sf.f_type == SYSFS_MAGIC);
	CHECK(nkt_vfs_flags(sys) & ST_RDONLY);
	CHECK(!(nkt_vfs_flags(net) & ST_RDONLY));
	CHECK(nkt_mount_at(net, NULL, NULL, NULL, 0));
	/* sysfs shows the new network namespace: only its loopback. */
	CHECK(nk_path_exists(nkt_path(net, "lo")));
	CHECK(!nk_path_exists(nkt_path(t->rootfs, "sys/class/net/eth0")));
	CHECK(writable(nkt_path(net, "lo/mtu")));
	CHECK(!writable(nkt_path(t->rootfs, "sys/kernel/uevent_helper")));
	return 0;
}

static void test_sys_mixed(void **state)
{
	NKT_RUN(CLONE_NEWNET, sys_mixed_child, *state);
}

static int sys_ro_rw_child(void *arg)
{
	const struct nkt_root *t = arg;
	auto_mount(t, NK_AUTO_SYS_RO, NULL);
	CHECK(nkt_vfs_flags(nkt_path(t->rootfs, "sys")) & ST_RDONLY);
	CHECK(umount2(nkt_path(t->rootfs, "sys"), 0) == 0);
	auto_mount(t, NK_AUTO_SYS_RW, NULL);
	CHECK(!(nkt_vfs_flags(nkt_path(t->rootfs, "sys")) & ST_RDONLY));
	return 0;
}

static void test_sys_ro_rw(void **state)
{
	NKT_RUN(CLONE_NEWNET, sys_ro_rw_child, *state);
}

/* Every host hierarchy is mounted again at the same place, with the flags mode asks for. */
static void check_cgroup_layout(const struct nkt_root *t, const nk_cgroup_mnt *m, size_t n,
                                unsigned mode)
{
	char cgroot[512], fstype[32], root[256];
	snprintf(cgroot, sizeof(cgroot), "%s/sys/fs/cgroup", t->rootfs);
	CHECK(nkt_mount_at(cgroot, fstype, NULL, NULL, sizeof(fstype)));
	CHECK(!strcmp(fstype, "tmpfs"));
	CHECK(!!(nkt_vfs_flags(cgroot) & ST_RDONLY) == (mode != NK_AUTO_CGROUP_RW));
	for (size_t i = 0; i < n; i++) {
		char p[768];
		snprintf(p, sizeof(p), "%s/%s", cgroot, m[i].dir);
		if (!m[i].fstype) {
			char link[256];
			ssize_t l = readlink(p, link, sizeof(link) - 1);
			CHECK(l > 0);
			continue;
		}
		CHECK(nkt_mount_at(p, fstype, NULL, root, sizeof(root)));
		CHECK(!strcmp(fstype, m[i].fstype));
		/* In the cgroup namespace the mount's root is the namespace's root. */
		CHECK(!strcmp(root, "/"));
		/* v1 devices is read-only in every mode: its rules are the container's policy. */
		bool devices = m[i].options && strstr(m[i].options, "devices") &&
			       !strcmp(m[i].fstype, "cgroup");
		CHECK(!!(nkt_vfs_flags(p) & ST_RDONLY) == (mode == NK_AUTO_CGROUP_RO || devices));
		CHECK(nk_path_exists(nkt_path(p, "cgroup.procs")));
	}
}

static int cgroup_child(void *arg, unsigned flag, unsigned mode)
{
	const struct nkt_root *t = arg;
	nk_cgroup_mnt *m = NULL;
	size_t n = 0;
	CHECK_OK(nk_cgroup_mnts_read(&m, &n, &E));
	CHECK(n > 0);
	auto_mount(t, NK_AUTO_SYS_MIXED | flag, NULL);
	check_cgroup_layout(t, m, n, mode);
	nk_cgroup_mnts_free(m, n);
	return 0;
}

static int cgroup_mixed_child(void *arg)
{
	return cgroup_child(arg, NK_AUTO_CGROUP_MIXED, NK_AUTO_CGROUP_MIXED);
}

static int cgroup_ro_child(void *arg)
{
	return cgroup_child(arg, NK_AUTO_CGROUP_RO, NK_AUTO_CGROUP_RO);
}

static int cgroup_nospec_child(void *arg)
{
	/* "cgroup" with CAP_SYS_ADMIN kept (nothing dropped) is read-write. */
	return cgroup_child(arg, NK_AUTO_CGROUP_NOSPEC, NK_AUTO_CGROUP_RW);
}

static void test_cgroup_mixed(void **state)
{
	NKT_RUN(CLONE_NEWCGROUP | CLONE_NEWNET, cgroup_mixed_child, *state);
}

static void test_cgroup_ro(void **state)
{
	NKT_RUN(CLONE_NEWCGROUP | CLONE_NEWNET, cgroup_ro_child, *state);
}

static void test_cgroup_nospec(void **state)
{
	NKT_RUN(CLONE_NEWCGROUP | CLONE_NEWNET, cgroup_nospec_child, *state);
}

static const char hybrid[] =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
    "33 31 0:30 / /sys/fs/cgroup/systemd rw shared:9 - cgroup cgroup "
    "rw,xattr,release_agent=/x,name=systemd\n"
    "34 31 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
    "35 31 0:32 / /sys/fs/cgroup/odd\\040name rw - cgroup cgroup rw,pids\n"
    "36 31 0:33 / /sys/fs/cgroup/cpu,cpuacct/nested rw - cgroup cgroup rw,memory\n"
    "37 31 0:34 / /elsewhere rw - cgroup cgroup rw,devices\n"
    "38 31 0:35 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct,noprefix\n";

static void test_cgroup_parse(void **state)
{
	nk_cgroup_mnt *m = NULL;
	size_t n = 0;
	nk_err *err = NULL;
	assert_int_equal(nk_cgroup_mnts_parse(hybrid, &m, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(m[0].dir, "cpu,cpuacct");
	assert_string_equal(m[0].fstype, "cgroup");
	assert_string_equal(m[0].options, "cpu,cpuacct");
	assert_string_equal(m[1].dir, "systemd");
	assert_string_equal(m[1].options, "name=systemd");
	assert_string_equal(m[2].dir, "unified");
	assert_string_equal(m[2].fstype, "cgroup2");
	assert_null(m[2].options);
	assert_string_equal(m[3].dir, "odd name");
	nk_cgroup_mnts_free(m, n);

	const char *pure =
	    "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
	assert_int_equal(nk_cgroup_mnts_parse(pure, &m, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].dir, "");
	nk_cgroup_mnts_free(m, n);
}

/* A pure cgroup2 host: cgroup2 right at /sys/fs/cgroup, no tmpfs, read-write for mixed. */
static int cgroup_pure_v2_child(void *arg)
{
	const struct nkt_root *t = arg;
	const char *pure =
	    "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
	nk_cgroup_mnt *m = NULL;
	size_t n = 0;
	CHECK_OK(nk_cgroup_mnts_parse(pure, &m, &n, &E));
	int rootfd = open(t->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK_OK(nk_mount_cgroup_mnts(rootfd, m, n, NK_AUTO_CGROUP_MIXED, &E));
	char cg[512], fstype[32], root[64];
	snprintf(cg, sizeof(cg), "%s/sys/fs/cgroup", t->rootfs);
	CHECK(nkt_mount_at(cg, fstype, NULL, root, sizeof(root)));
	CHECK(!strcmp(fstype, "cgroup2") && !strcmp(root, "/"));
	CHECK(!(nkt_vfs_flags(cg) & ST_RDONLY));
	CHECK(nk_path_exists(nkt_path(cg, "cgroup.procs")));
	nk_cgroup_mnts_free(m, n);
	close(rootfd);
	return 0;
}

static void test_cgroup_pure_v2(void **state)
{
	NKT_RUN(CLONE_NEWCGROUP, cgroup_pure_v2_child, *state);
}

/* A rootfs whose proc is a symlink to the host's /proc: mounted inside all the same. */
static int proc_symlink_child(void *arg)
{
	const struct nkt_root *t = arg;
	CHECK(rmdir(nkt_path(t->rootfs, "proc")) == 0);
	CHECK(symlink(t->outside, nkt_path(t->rootfs, "proc")) == 0);
	auto_mount(t, NK_AUTO_PROC_MIXED, NULL);
	CHECK(nkt_dir_empty(t->outside));
	CHECK(nkt_mount_at(nkt_path(t->rootfs, t->outside + 1), NULL, NULL, NULL, 0));
	return 0;
}

static void test_proc_symlink(void **state)
{
	NKT_RUN(CLONE_NEWNET, proc_symlink_child, *state);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, nkt_root_setup, nkt_root_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_proc_mixed),
	    T(test_proc_mixed_no_net_admin),
	    T(test_proc_rw),
	    T(test_proc_symlink),
	    T(test_sys_mixed),
	    T(test_sys_ro_rw),
	    cmocka_unit_test(test_cgroup_parse),
	    T(test_cgroup_mixed),
	    T(test_cgroup_ro),
	    T(test_cgroup_nospec),
	    T(test_cgroup_pure_v2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
