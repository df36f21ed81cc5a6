/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of network definitions (src/net/netdef.c): names, CIDRs, DHCP ranges, the
 * definition and state files. No network is touched: files go to a temp dir (NOOK_NET_*).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/netdef.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char tmpdir[] = "/tmp/nook-test-netdef.XXXXXX";

/* The error message of a failed call (freed by the caller; *err is reset), or a test failure.
 * err is read after the call: argument order is unspecified. */
static char *msg_of(int r, nk_err **err)
{
	assert_true(r < 0);
	assert_non_null(*err);
	char *m = strdup((*err)->msg);
	nk_err_free(*err);
	*err = NULL;
	return m;
}

static void test_names(void **state)
{
	const char *good[] = {"nookbr0", "a", "br-lan.10", "x_y", "abcdefghijklmno"};
	const char *bad[] = {"", "0br", "-br", ".br", "br/0", "br 0", "abcdefghijklmnop", "nat:1"};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(nk_net_name_check(good[i], NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_true(nk_net_name_check(bad[i], NULL) < 0);
	nk_err *err = NULL;
	_cleanup_free_ char *m = msg_of(nk_net_name_check("abcdefghijklmnop", &err), &err);
	assert_string_equal(m, "name longer than 15 characters (a bridge name's limit)");
}

static void test_cidr(void **state)
{
	struct in_addr a;
	struct in6_addr a6;
	unsigned p;
	assert_int_equal(nk_cidr4_parse("10.0.3.0/24", &a, &p), 0);
	assert_int_equal(p, 24);
	assert_int_equal(ntohl(a.s_addr), 0x0a000300);
	assert_int_equal(nk_cidr4_parse("10.0.3.1/24", &a, &p), -EDOM);
	const char *bad4[] = {"10.0.3.0",    "10.0.3.0/33",  "10.0.3.0/", "10.0.3/24",
	                      "10.0.3.0/-1", "10.0.3.0/24x", "/24",       "fd00::/64"};
	for (size_t i = 0; i < ARRAY_SIZE(bad4); i++)
		assert_int_equal(nk_cidr4_parse(bad4[i], &a, &p), -EINVAL);
	assert_int_equal(nk_cidr6_parse("fd42:9::/64", &a6, &p), 0);
	assert_int_equal(p, 64);
	assert_int_equal(nk_cidr6_parse("fd42:9::1/64", &a6, &p), -EDOM);
	assert_int_equal(nk_cidr6_parse("fd42:9::/129", &a6, &p), -EINVAL);
	struct in_addr n1, n2;
	unsigned p1, p2;
	nk_cidr4_parse("10.0.0.0/8", &n1, &p1);
	nk_cidr4_parse("10.9.1.128/25", &n2, &p2);
	assert_true(nk_subnets_overlap4(n1, p1, n2, p2));
	nk_cidr4_parse("11.0.0.0/8", &n1, &p1);
	assert_false(nk_subnets_overlap4(n1, p1, n2, p2));
}

static void test_values(void **state)
{
	nk_net n = {.name = "nookbr0"};
	nk_err *err = NULL;
	_cleanup_free_ char *m1 = msg_of(nk_net_set_subnet(&n, "10.0.3.0/33", &err), &err);
	assert_string_equal(m1, "expected an IPv4 network in CIDR form");
	err = NULL;
	_cleanup_free_ char *m2 = msg_of(nk_net_set_subnet(&n, "10.0.3.0/31", &err), &err);
	assert_string_equal(m2, "expected a prefix length from 8 to 30");
	assert_int_equal(nk_net_set_subnet(&n, "10.0.3.0/24", NULL), 0);
	char gw[INET_ADDRSTRLEN];
	assert_string_equal(inet_ntop(AF_INET, &n.gateway, gw, sizeof(gw)), "10.0.3.1");
	err = NULL;
	_cleanup_free_ char *m3 = msg_of(nk_net_set_dhcp(&n, "10.0.3.9,10.0.3.2", &err), &err);
	assert_string_equal(m3, "the range ends before it starts");
	assert_int_equal(nk_net_set_dhcp(&n, "10.0.3.2,10.0.3.255", NULL), 0);
	err = NULL;
	_cleanup_free_ char *m4 = msg_of(nk_net_check(&n, true, &err), &err);
	assert_string_equal(m4, "--dhcp 10.0.3.2,10.0.3.255: 10.0.3.255 is outside 10.0.3.0/24's "
	                        "client addresses");
	assert_int_equal(nk_net_set_dhcp(&n, "10.0.3.2,10.0.3.254", NULL), 0);
	assert_int_equal(nk_net_check(&n, true, NULL), 0);
	nk_net bare = {.name = "x", .nat = true};
	err = NULL;
	_cleanup_free_ char *m5 = msg_of(nk_net_check(&bare, false, &err), &err);
	assert_string_equal(m5, "nat needs subnet");
}

static void test_save_load(void **state)
{
	nk_net n = {.name = "lab0", .nat = true};
	assert_int_equal(nk_net_set_subnet(&n, "10.9.0.0/24", NULL), 0);
	assert_int_equal(nk_net_set_dhcp(&n, "10.9.0.10,10.9.0.20", NULL), 0);
	assert_int_equal(nk_net_set_ipv6(&n, "fd42:9::/64", NULL), 0);
	assert_int_equal(nk_net_save(&n, NULL), 0);
	nk_net back;
	assert_int_equal(nk_net_load("lab0", &back, NULL), 0);
	assert_memory_equal(&back, &n, sizeof(n));
	_cleanup_strv_ char **names = NULL;
	assert_int_equal(nk_net_names(&names, NULL), 0);
	assert_int_equal(nk_strv_len(names), 1);
	assert_string_equal(names[0], "lab0");

	nk_net_state st = {.created_bridge = true, .set_forward4 = true}, st2;
	assert_int_equal(nk_net_state_save("lab0", &st, NULL), 0);
	assert_int_equal(nk_net_state_load("lab0", &st2, NULL), 0);
	assert_memory_equal(&st, &st2, sizeof(st));
	assert_int_equal(nk_net_state_load("none", &st2, NULL), 0);
	assert_false(st2.created_bridge);
}

static void test_load_errors(void **state)
{
	_cleanup_free_ char *path = nk_net_path(NK_NET_CONFDIR, "bad.conf");
	const char text[] = "# comment\nbridge = bad\nsubnet = 10.0.3.0/24\nnat = yes\n";
	assert_int_equal(nk_write_file_atomic(path, text, strlen(text), 0644, NULL), 0);
	nk_net n;
	nk_err *err = NULL;
	_cleanup_free_ char *m = msg_of(nk_net_load("bad", &n, &err), &err);
	_cleanup_free_ char *want = NULL;
	assert_true(asprintf(&want, "%s:4: nat: expected 0 or 1, got 'yes'", path) > 0);
	assert_string_equal(m, want);
	err = NULL;
	_cleanup_free_ char *m2 = msg_of(nk_net_load("absent", &n, &err), &err);
	assert_non_null(strstr(m2, "no such network"));
	unlink(path);
}

static int setup_dirs(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s/etc", tmpdir);
	setenv("NOOK_NET_CONFDIR", buf, 1);
	snprintf(buf, sizeof(buf), "%s/run", tmpdir);
	setenv("NOOK_NET_RUNDIR", buf, 1);
	snprintf(buf, sizeof(buf), "%s/state", tmpdir);
	setenv("NOOK_NET_STATEDIR", buf, 1);
	return 0;
}

static int teardown_dirs(void **state)
{
	return nk_rm_rf(tmpdir, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),       cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_values),      cmocka_unit_test(test_save_load),
	    cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests(tests, setup_dirs, teardown_dirs);
}
