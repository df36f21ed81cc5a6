/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities and no_new_privs, read back from /proc/self/status in a child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <inttypes.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers.h"
#include "run/caps.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* A hex field ("CapBnd:") or a decimal one ("NoNewPrivs:") of /proc/self/status. */
static uint64_t status_field(const char *name, int base)
{
	FILE *f = fopen("/proc/self/status", "re");
	CHECK(f);
	char line[256];
	uint64_t v = UINT64_MAX;
	size_t n = strlen(name);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = strtoull(line + n + 1, NULL, base);
	fclose(f);
	CHECK(v != UINT64_MAX);
	return v;
}

#define BIT(c) (UINT64_C(1) << (c))

/* What a careless runtime would leave behind: an inheritable and an ambient capability. */
static void plant_inheritable_and_ambient(void)
{
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_NET_RAW;
	CHECK(c && cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET) == 0 && cap_set_proc(c) == 0);
	cap_free(c);
	CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) == 0);
	CHECK(status_field("CapInh", 16) == BIT(CAP_NET_RAW));
	CHECK(status_field("CapAmb", 16) == BIT(CAP_NET_RAW));
}

static int drop_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	plant_inheritable_and_ambient();
	uint64_t before = status_field("CapBnd", 16);
	CHECK(nk_strv_push(&s->cap.drop, "sys_module") == 0);
	CHECK(nk_strv_push(&s->cap.drop, "sys_time") == 0);
	CHECK_OK(nk_caps_apply(s, &E));
	uint64_t bnd = status_field("CapBnd", 16);
	CHECK(bnd == (before & ~(BIT(CAP_SYS_MODULE) | BIT(CAP_SYS_TIME))));
	CHECK(bnd & BIT(CAP_SYS_ADMIN));
	CHECK(status_field("CapInh", 16) == 0);
	CHECK(status_field("CapAmb", 16) == 0);
	CHECK(status_field("CapEff", 16) == bnd);
	CHECK(status_field("CapPrm", 16) == bnd);
	CHECK(status_field("NoNewPrivs", 10) == 0);
	return 0;
}

static void test_drop(void **state)
{
	NKT_RUN(0, drop_child, NULL);
}

static int keep_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	plant_inheritable_and_ambient();
	CHECK(nk_strv_push(&s->cap.keep, "net_bind_service") == 0);
	/* keep wins over drop */
	CHECK(nk_strv_push(&s->cap.drop, "net_bind_service") == 0);
	s->no_new_privs = 1;
	CHECK_OK(nk_caps_apply(s, &E));
	CHECK(status_field("CapBnd", 16) == BIT(CAP_NET_BIND_SERVICE));
	CHECK(status_field("CapPrm", 16) == BIT(CAP_NET_BIND_SERVICE));
	CHECK(status_field("CapEff", 16) == BIT(CAP_NET_BIND_SERVICE));
	CHECK(status_field("CapInh", 16) == 0);
	CHECK(status_field("CapAmb", 16) == 0);
	CHECK(status_field("NoNewPrivs", 10) == 1);
	return 0;
}

static void test_keep(void **state)
{
	NKT_RUN(0, keep_child, NULL);
}

static int keep_none_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	CHECK(nk_strv_push(&s->cap.keep, "none") == 0);
	CHECK_OK(nk_caps_apply(s, &E));
	CHECK(status_field("CapBnd", 16) == 0);
	CHECK(status_field("CapPrm", 16) == 0);
	CHECK(status_field("CapEff", 16) == 0);
	return 0;
}

static void test_keep_none(void **state)
{
	NKT_RUN(0, keep_none_child, NULL);
}

/* The start sequence switches to lxc.init.uid (keeping caps) before nk_caps_apply. */
static int non_root_child(void *arg)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	CHECK(nk_strv_push(&s->cap.keep, "net_bind_service") == 0);
	CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
	CHECK(setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0);
	CHECK(status_field("CapEff", 16) == 0);
	CHECK_OK(nk_caps_apply(s, &E));
	CHECK(status_field("CapBnd", 16) == BIT(CAP_NET_BIND_SERVICE));
	CHECK(status_field("CapPrm", 16) == BIT(CAP_NET_BIND_SERVICE));
	return 0;
}

static void test_non_root(void **state)
{
	NKT_RUN(0, non_root_child, NULL);
}

static void test_check(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	for (const char *const *p = nk_caps_lxc_default_drop; *p; p++)
		assert_int_equal(nk_strv_push(&s->cap.drop, *p), 0);
	assert_int_equal(nk_strv_len(s->cap.drop), 5);
	assert_int_equal(nk_caps_check(s, &err), 0);
	uint64_t kept;
	assert_int_equal(nk_caps_kept_mask(s, &kept, &err), 0);
	assert_false(kept & BIT(CAP_SYS_MODULE));
	assert_true(kept & BIT(CAP_SYS_ADMIN));
	assert_int_equal(nk_strv_push(&s->cap.drop, "CAP_SYS_BOOT"), 0);
	assert_int_equal(nk_strv_push(&s->cap.drop, "2"), 0); /* dac_read_search */
	assert_int_equal(nk_caps_kept_mask(s, &kept, &err), 0);
	assert_false(kept & BIT(CAP_SYS_BOOT));
	assert_false(kept & BIT(CAP_DAC_READ_SEARCH));
	assert_int_equal(nk_strv_push(&s->cap.drop, "sys_modul"), 0);
	assert_int_equal(nk_caps_check(s, &err), -EINVAL);
	assert_non_null(strstr(err->msg, "lxc.cap.drop: unknown capability sys_modul"));
	nk_err_freep(&err);
	/* Nothing applied on a bad name. */
	assert_int_equal(nk_caps_apply(s, &err), -EINVAL);
	nk_err_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drop),      cmocka_unit_test(test_keep),
	    cmocka_unit_test(test_keep_none), cmocka_unit_test(test_non_root),
	    cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
