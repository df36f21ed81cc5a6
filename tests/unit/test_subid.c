/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of subordinate ids (src/store/subid.c): parsing /etc/subuid-format files, choosing a
 * range around the ones in use, appending and taking back root's lines. Files go to a temp dir.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/subid.h"
#include "util/cleanup.h"
#include "util/fs.h"

#include "textfile.h"

static char tmpdir[] = "/tmp/nook-test-subid.XXXXXX";
static char uid_file[64], gid_file[64];


/* The message of a failed call (caller frees); *err is reset. */
static char *msg_of(int r, nk_err **err)
{
	assert_true(r < 0);
	assert_non_null(*err);
	char *m = nk_err_text(*err);
	nk_err_free(*err);
	*err = NULL;
	return m;
}

static void test_parse(void **state)
{
	const char *text = "# comment\n"
	                   "\n"
	                   "root:100000:65536\n"
	                   "  alice:165536:65536  \n"
	                   "1001:231072:1000\n"
	                   "bad line\n"
	                   "bob:x:10\n"
	                   ":5:5\n"
	                   "carol:10:0\n"
	                   "dave:4294967295:2\n"
	                   "eve:4294967295:1"; /* no newline at the end, still a line */
	nk_subid *v = NULL;
	size_t n = 0;
	assert_int_equal(nk_subid_parse(text, &v, &n, NULL), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].owner, "root");
	assert_int_equal(v[0].start, 100000);
	assert_int_equal(v[0].count, 65536);
	assert_string_equal(v[1].owner, "alice");
	assert_int_equal(v[1].start, 165536);
	assert_string_equal(v[2].owner, "1001");
	assert_int_equal(v[2].count, 1000);
	assert_string_equal(v[3].owner, "eve");
	assert_int_equal(v[3].start, 4294967295u);

	assert_true(nk_subid_is_owner(&v[0], "root", 0));
	assert_true(nk_subid_is_owner(&v[2], "frank", 1001)); /* by number */
	assert_false(nk_subid_is_owner(&v[1], "alic", 1000));
	assert_false(nk_subid_is_owner(&v[2], "1001x", 1000));
	/* The first id after them all: eve's range ends at 2^32. */
	assert_int_equal(nk_subid_end(v, n), 4294967296ull);
	assert_int_equal(nk_subid_end(v, 2), 231072);
	assert_int_equal(nk_subid_end(NULL, 0), NK_SUBID_MIN);
	nk_subid_free(v, n);

	/* A missing file has no entries. */
	char path[128];
	snprintf(path, sizeof(path), "%s/none", tmpdir);
	assert_int_equal(nk_subid_read(path, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
	nk_subid_free(v, n);
}

static void test_choose(void **state)
{
	const uint32_t S = 65536;
	nk_idspan own[] = {{100000, 3 * S}};
	uint32_t start = 0;
	/* Nothing taken: the start of the range. */
	assert_int_equal(nk_subid_choose(own, 1, NULL, 0, S, &start), 0);
	assert_int_equal(start, 100000);
	/* The first block taken: the next one. */
	nk_idspan t1[] = {{100000, S}};
	assert_int_equal(nk_subid_choose(own, 1, t1, 1, S, &start), 0);
	assert_int_equal(start, 100000 + S);
	/* A taken span that straddles: right after it, whatever its alignment. */
	nk_idspan t2[] = {{100000 + S + 5, 10}, {100000, S}};
	assert_int_equal(nk_subid_choose(own, 1, t2, 2, S, &start), 0);
	assert_int_equal(start, 100000 + S + 15);
	/* Only a hole too small is left: none. */
	nk_idspan t3[] = {{100000, S}, {100000 + S + 100, 2 * S}};
	assert_int_equal(nk_subid_choose(own, 1, t3, 2, S, &start), -ENOSPC);
	/* Several owned spans: the lowest free one wins, in any order. */
	nk_idspan own2[] = {{500000, S}, {200000, S}, {300000, S}};
	nk_idspan t4[] = {{200000, 1}};
	assert_int_equal(nk_subid_choose(own2, 3, t4, 1, S, &start), 0);
	assert_int_equal(start, 300000);
	/* A span smaller than asked: none. */
	nk_idspan own3[] = {{100000, S - 1}};
	assert_int_equal(nk_subid_choose(own3, 1, NULL, 0, S, &start), -ENOSPC);
	assert_int_equal(nk_subid_choose(NULL, 0, NULL, 0, S, &start), -ENOSPC);
}

static void test_allocate_appends(void **state)
{
	write_text(uid_file, "# subordinate uids\nalice:100000:65536\n");
	write_text(gid_file, "alice:100000:65536"); /* no final newline */
	uint32_t start;
	bool appended;
	/* Root has no range: one after everything, in both files, other lines kept. */
	assert_int_equal(
	    nk_subid_allocate(uid_file, gid_file, "root", NULL, 0, 65536, &start, &appended, NULL),
	    0);
	assert_true(appended);
	assert_int_equal(start, 165536);
	_cleanup_free_ char *u = read_text(uid_file), *g = read_text(gid_file);
	assert_string_equal(u, "# subordinate uids\nalice:100000:65536\nroot:165536:65536\n");
	assert_string_equal(g, "alice:100000:65536\nroot:165536:65536\n");
	struct stat st;
	assert_int_equal(stat(uid_file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* Root's range is free: it is used, nothing appended. */
	assert_int_equal(
	    nk_subid_allocate(uid_file, gid_file, "root", NULL, 0, 65536, &start, &appended, NULL),
	    0);
	assert_false(appended);
	assert_int_equal(start, 165536);

	/* Taken by another container: a new line, after the taken span as well. */
	nk_idspan taken[] = {{165536, 65536}, {231072, 70000}};
	assert_int_equal(
	    nk_subid_allocate(uid_file, gid_file, "root", taken, 2, 65536, &start, &appended, NULL),
	    0);
	assert_true(appended);
	assert_int_equal(start, 231072 + 70000);

	/* Taken back: exactly that line goes, from both files. */
	assert_int_equal(nk_subid_remove(uid_file, "root", start, 65536, NULL), 0);
	assert_int_equal(nk_subid_remove(gid_file, "root", start, 65536, NULL), 0);
	free(u);
	free(g);
	u = read_text(uid_file);
	g = read_text(gid_file);
	assert_string_equal(u, "# subordinate uids\nalice:100000:65536\nroot:165536:65536\n");
	assert_string_equal(g, "alice:100000:65536\nroot:165536:65536\n");
	/* Removing a line that is not there is fine and changes nothing. */
	assert_int_equal(nk_subid_remove(uid_file, "root", 1, 65536, NULL), 0);
	free(u);
	u = read_text(uid_file);
	assert_string_equal(u, "# subordinate uids\nalice:100000:65536\nroot:165536:65536\n");
}

static void test_allocate_needs_both_files(void **state)
{
	/* Root's uids without the same gids cannot serve: a fresh range in both. */
	write_text(uid_file, "root:100000:65536\n");
	write_text(gid_file, "root:300000:65536\n");
	uint32_t start;
	bool appended;
	assert_int_equal(
	    nk_subid_allocate(uid_file, gid_file, "root", NULL, 0, 65536, &start, &appended, NULL),
	    0);
	assert_true(appended);
	assert_int_equal(start, 365536);
	/* Overlapping entries: the common part is enough. */
	write_text(uid_file, "root:100000:131072\n");
	write_text(gid_file, "root:165536:131072\n");
	assert_int_equal(
	    nk_subid_allocate(uid_file, gid_file, "root", NULL, 0, 65536, &start, &appended, NULL),
	    0);
	assert_false(appended);
	assert_int_equal(start, 165536);
	/* Missing files are made. */
	char u2[128], g2[128];
	snprintf(u2, sizeof(u2), "%s/u2", tmpdir);
	snprintf(g2, sizeof(g2), "%s/g2", tmpdir);
	assert_int_equal(nk_subid_allocate(u2, g2, "root", NULL, 0, 65536, &start, &appended, NULL),
	                 0);
	assert_true(appended);
	assert_int_equal(start, NK_SUBID_MIN);
	_cleanup_free_ char *t = read_text(u2);
	assert_string_equal(t, "root:100000:65536\n");
	/* No room below 2^32: an error, nothing appended. */
	write_text(uid_file, "x:4294950000:1000\n");
	write_text(gid_file, "");
	nk_err *err = NULL;
	_cleanup_free_ char *m = msg_of(
	    nk_subid_allocate(uid_file, gid_file, "root", NULL, 0, 65536, &start, &appended, &err),
	    &err);
	assert_non_null(strstr(m, "no 65536 free subordinate ids"));
	_cleanup_free_ char *after = read_text(uid_file);
	assert_string_equal(after, "x:4294950000:1000\n");
}

static void test_user_range(void **state)
{
	write_text(uid_file,
	    "root:100000:65536\nalice:165536:1000\nalice:300000:65536\n1002:400000:65536\n");
	uint32_t start;
	assert_int_equal(nk_subid_user_range(uid_file, 'u', "alice", 1001, 65536, &start, NULL), 0);
	assert_int_equal(start, 300000);
	assert_int_equal(nk_subid_user_range(uid_file, 'u', "bob", 1002, 65536, &start, NULL), 0);
	assert_int_equal(start, 400000);

	nk_err *err = NULL;
	/* None: the file, the user and the usermod line to run. */
	_cleanup_free_ char *m1 =
	    msg_of(nk_subid_user_range(uid_file, 'u', "carol", 1003, 65536, &start, &err), &err);
	assert_non_null(strstr(m1, uid_file));
	assert_non_null(strstr(m1, "no range for carol"));
	assert_non_null(strstr(m1, "usermod --add-subuids 465536-531071 carol"));
	assert_null(strchr(m1, '\n'));
	_cleanup_free_ char *m2 =
	    msg_of(nk_subid_user_range(uid_file, 'g', "carol", 1003, 65536, &start, &err), &err);
	assert_non_null(strstr(m2, "--add-subgids"));
	/* Too small: says how many there are. */
	write_text(uid_file, "alice:165536:1000\n");
	_cleanup_free_ char *m3 =
	    msg_of(nk_subid_user_range(uid_file, 'u', "alice", 1001, 65536, &start, &err), &err);
	assert_non_null(strstr(m3, "only 1000 ids"));
	assert_non_null(strstr(m3, "needs 65536"));
}

static int setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(uid_file, sizeof(uid_file), "%s/subuid", tmpdir);
	snprintf(gid_file, sizeof(gid_file), "%s/subgid", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	return nk_rm_rf(tmpdir, NULL) < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_choose),
	    cmocka_unit_test(test_allocate_appends),
	    cmocka_unit_test(test_allocate_needs_both_files),
	    cmocka_unit_test(test_user_range),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
