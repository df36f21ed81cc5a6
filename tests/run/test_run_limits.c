/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc.sysctl and lxc.prlimit, applied in a child with its own namespaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include "helpers.h"
#include "run/limits.h"
#include "run/mount.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void path_ok(const char *key, const char *want)
{
	char *p = NULL;
	nk_err *err = NULL;
	assert_int_equal(nk_sysctl_path(key, &p, &err), 0);
	assert_string_equal(p, want);
	free(p);
}

static void path_bad(const char *key)
{
	char *p = NULL;
	nk_err *err = NULL;
	assert_int_equal(nk_sysctl_path(key, &p, &err), -EINVAL);
	assert_null(p);
	assert_non_null(strstr(err->msg, "not a key below /proc/sys"));
	nk_err_free(err);
}

static void test_sysctl_path(void **state)
{
	path_ok("net.ipv4.ip_forward", "net/ipv4/ip_forward");
	path_ok("kernel.hostname", "kernel/hostname");
	path_ok("net/ipv4/conf/eth0.100/forwarding", "net/ipv4/conf/eth0.100/forwarding");
	path_bad("../x");
	path_bad("..");
	path_bad("");
	path_bad("/proc/sys/kernel/hostname");
	path_bad("net..ipv4");
	path_bad("kernel.");
	path_bad("net/./ipv4");
	path_bad("net/ipv4/../../../etc/shadow");
}

static int sysctl_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	CHECK(nk_kvlist_add(&s->sysctl, "net.ipv4.ip_forward", "1") == 0);
	CHECK(nk_kvlist_add(&s->sysctl, "kernel.hostname", "nook-sysctl") == 0);
	CHECK_OK(nk_limits_apply(s, &E));
	char buf[64];
	CHECK(!strcmp(nkt_read("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf)), "1\n"));
	CHECK(gethostname(buf, sizeof(buf)) == 0 && !strcmp(buf, "nook-sysctl"));
	return 0;
}

static void test_sysctl(void **state)
{
	char before[64], after[64];
	assert_int_equal(gethostname(before, sizeof(before)), 0);
	NKT_RUN(CLONE_NEWNET | CLONE_NEWUTS, sysctl_child, NULL);
	assert_int_equal(gethostname(after, sizeof(after)), 0);
	assert_string_equal(before, after);
}

/*
 * After proc:mixed and pivot_root (where the start sequence calls nk_limits_apply),
 * /proc/sys is read-only but for net: kernel.* keys go through a private proc instance.
 */
static int sysctl_mixed_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->mount.auto_flags = NK_AUTO_PROC_MIXED;
	CHECK(nk_kvlist_add(&s->sysctl, "kernel.hostname", "nook-mixed") == 0);
	CHECK(nk_kvlist_add(&s->sysctl, "net.ipv4.ip_forward", "1") == 0);
	CHECK_OK(nk_rootfs_prepare(s, t->rootfs, &E));
	CHECK_OK(nk_mount_auto(s, t->rootfs, &E));
	CHECK_OK(nk_mount_auto_cgroup(s, t->rootfs, &E));
	CHECK_OK(nk_rootfs_pivot(t->rootfs, &E));
	CHECK_OK(nk_limits_apply(s, &E));
	char buf[64];
	CHECK(gethostname(buf, sizeof(buf)) == 0 && !strcmp(buf, "nook-mixed"));
	CHECK(!strcmp(nkt_read("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf)), "1\n"));
	/* The private instance was never attached: the mount table is unchanged. */
	CHECK(!nkt_mount_at("/proc/sys/kernel", NULL, NULL, NULL, 0));
	return 0;
}

static void test_sysctl_proc_mixed(void **state)
{
	NKT_RUN(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWPID, sysctl_mixed_child, *state);
}

static void test_sysctl_refused(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	assert_int_equal(nk_kvlist_add(&s->sysctl, "../x", "1"), 0);
	assert_int_equal(nk_limits_check(s, &err), -EINVAL);
	nk_err_freep(&err);
	assert_int_equal(nk_limits_apply(s, &err), -EINVAL);
	assert_non_null(strstr(err->msg, "lxc.sysctl.../x"));
	nk_err_free(err);
}

static int unknown_key_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	CHECK(nk_kvlist_add(&s->sysctl, "kernel.no_such_knob", "1") == 0);
	CHECK_FAILS(ENOENT, "lxc.sysctl.kernel.no_such_knob", nk_limits_apply(s, &E));
	return 0;
}

static void test_sysctl_unknown(void **state)
{
	NKT_RUN(CLONE_NEWUTS, unknown_key_child, NULL);
}

static int prlimit_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	s->prlimits = calloc(2, sizeof(*s->prlimits));
	s->prlimits[0] = (nk_prlimit){RLIMIT_NOFILE, 512, 1024};
	s->prlimits[1] = (nk_prlimit){RLIMIT_CORE, 0, RLIM_INFINITY};
	s->n_prlimits = 2;
	CHECK_OK(nk_limits_apply(s, &E));
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 512 && rl.rlim_max == 1024);
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0);
	/* Above the hard limit without CAP_SYS_RESOURCE... or just an error naming the key. */
	s->prlimits[0] = (nk_prlimit){RLIMIT_NOFILE, 1u << 30, 1u << 30};
	s->n_prlimits = 1;
	nk_err *E = NULL;
	CHECK(nk_limits_apply(s, &E) < 0 && strstr(E->msg, "lxc.prlimit.nofile"));
	nk_err_free(E);
	return 0;
}

static void test_prlimit(void **state)
{
	NKT_RUN(0, prlimit_child, NULL);
}

static void test_prlimit_check(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	s->prlimits = calloc(1, sizeof(*s->prlimits));
	s->prlimits[0] = (nk_prlimit){RLIMIT_NOFILE, 10, 5};
	s->n_prlimits = 1;
	assert_int_equal(nk_limits_check(s, &err), -EINVAL);
	assert_non_null(strstr(err->msg, "lxc.prlimit.nofile"));
	nk_err_freep(&err);
	s->prlimits[0] = (nk_prlimit){99, 1, 1};
	assert_int_equal(nk_limits_check(s, &err), -EINVAL);
	nk_err_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sysctl_path),
	    cmocka_unit_test(test_sysctl),
	    cmocka_unit_test_setup_teardown(test_sysctl_proc_mixed, nkt_root_setup,
	                                    nkt_root_teardown),
	    cmocka_unit_test(test_sysctl_refused),
	    cmocka_unit_test(test_sysctl_unknown),
	    cmocka_unit_test(test_prlimit),
	    cmocka_unit_test(test_prlimit_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
