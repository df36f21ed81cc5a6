/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * In-root path resolution (src/run/resolve.c), through openat2 and through the user-space
 * walk: symlinks, "..", loops and creation must all stay inside the root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "run/resolve.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* The tree: rootfs/a/b/, rootfs/file and symlinks that try to leave the root. */
static void make_tree(const struct nkt_root *t)
{
	const char *r = t->rootfs;
	assert_int_equal(mkdir(nkt_path(r, "a"), 0755), 0);
	assert_int_equal(mkdir(nkt_path(r, "a/b"), 0755), 0);
	nkt_write(nkt_path(r, "file"), "x");
	assert_int_equal(symlink("/a/b", nkt_path(r, "abs")), 0);
	assert_int_equal(symlink("../../../../../a", nkt_path(r, "rel")), 0);
	assert_int_equal(symlink("/../../..", nkt_path(r, "esc")), 0);
	assert_int_equal(symlink("loop2", nkt_path(r, "loop1")), 0);
	assert_int_equal(symlink("loop1", nkt_path(r, "loop2")), 0);
	assert_int_equal(symlink("/new/dir", nkt_path(r, "dangling")), 0);
	/* The host path of a directory outside the rootfs, absolute and relative. */
	assert_int_equal(symlink(t->outside, nkt_path(r, "out_abs")), 0);
	assert_int_equal(symlink("../outside", nkt_path(r, "out_rel")), 0);
	assert_int_equal(symlink("/proc/self/root", nkt_path(r, "magic")), 0);
}

static void same_file(int fd, const char *path)
{
	struct stat a, b;
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	/* An O_PATH, close-on-exec fd. */
	assert_true(fcntl(fd, F_GETFL) & O_PATH);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static void expect_open(int rootfd, const char *path, const char *want)
{
	nk_err *err = NULL;
	int fd = nk_open_in_root(rootfd, path, &err);
	if (fd < 0)
		fail_msg("resolve %s: %s", path, err->msg);
	same_file(fd, want);
	close(fd);
}

static void expect_fail(int rootfd, const char *path, int errnum)
{
	nk_err *err = NULL;
	int fd = nk_open_in_root(rootfd, path, &err);
	assert_int_equal(fd, -errnum);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, path));
	nk_err_free(err);
}

static void resolve_cases(const struct nkt_root *t)
{
	_cleanup_close_ int rootfd = open(t->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *r = t->rootfs;
	expect_open(rootfd, "a/b", nkt_path(r, "a/b"));
	expect_open(rootfd, "/a/b", nkt_path(r, "a/b"));
	expect_open(rootfd, "", r);
	expect_open(rootfd, "/", r);
	expect_open(rootfd, "abs", nkt_path(r, "a/b"));
	expect_open(rootfd, "rel/b", nkt_path(r, "a/b"));
	expect_open(rootfd, "../../a", nkt_path(r, "a"));
	expect_open(rootfd, "a/b/../../../..", r);
	expect_open(rootfd, "esc", r);
	expect_open(rootfd, "abs/../..", r);
	expect_fail(rootfd, "loop1", ELOOP);
	expect_fail(rootfd, "file/x", ENOTDIR);
	expect_fail(rootfd, "missing", ENOENT);
	/* Inside the root, the outside directory's host path does not exist. */
	expect_fail(rootfd, "out_abs", ENOENT);
	expect_fail(rootfd, "out_rel", ENOENT);
}

static void create_cases(const struct nkt_root *t)
{
	_cleanup_close_ int rootfd = open(t->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *r = t->rootfs;
	nk_err *err = NULL;
	int fd = nk_mkdir_in_root(rootfd, "dangling/sub", 0755, &err);
	assert_true(fd >= 0);
	same_file(fd, nkt_path(r, "new/dir/sub"));
	close(fd);
	assert_false(nk_is_dir("/new"));
	fd = nk_mkfile_in_root(rootfd, "abs/f", 0600, &err);
	assert_true(fd >= 0);
	same_file(fd, nkt_path(r, "a/b/f"));
	close(fd);
	/* Creating through a link to the host's outside dir creates it inside instead. */
	fd = nk_mkdir_in_root(rootfd, "out_abs/x", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	fd = nk_mkfile_in_root(rootfd, "out_rel/y", 0600, &err);
	assert_true(fd >= 0);
	same_file(fd, nkt_path(r, "outside/y"));
	close(fd);
	assert_true(nk_is_dir(nkt_path(r, t->outside + 1)));
	assert_true(nkt_dir_empty(t->outside));
	/* A file where a directory is needed is an error, not a replacement. */
	assert_int_equal(nk_mkdir_in_root(rootfd, "file/x", 0755, &err), -ENOTDIR);
	nk_err_free(err);
}

static void test_resolve_openat2(void **state)
{
	make_tree(*state);
	nk_resolve_use_openat2(true);
	resolve_cases(*state);
	create_cases(*state);
}

static void test_resolve_walk(void **state)
{
	make_tree(*state);
	nk_resolve_use_openat2(false);
	resolve_cases(*state);
	create_cases(*state);
	nk_resolve_use_openat2(true);
}

static int magic_child(void *arg)
{
	const struct nkt_root *t = arg;
	CHECK(mount("proc", nkt_path(t->rootfs, "proc"), "proc", 0, NULL) == 0);
	int rootfd = open(t->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	nk_err *err = NULL;
	/* openat2 refuses a magic link outright... */
	nk_resolve_use_openat2(true);
	CHECK(nk_open_in_root(rootfd, "magic", &err) == -ELOOP);
	nk_err_freep(&err);
	/* ...the walk reads its text ("/"), which means the rootfs itself. */
	nk_resolve_use_openat2(false);
	int fd = nk_open_in_root(rootfd, "magic", &err);
	CHECK(fd >= 0);
	struct stat a, b;
	CHECK(fstat(fd, &a) == 0 && fstat(rootfd, &b) == 0);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	return 0;
}

static void test_magic_link(void **state)
{
	make_tree(*state);
	NKT_RUN(0, magic_child, *state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_resolve_openat2, nkt_root_setup,
	                                    nkt_root_teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_walk, nkt_root_setup, nkt_root_teardown),
	    cmocka_unit_test_setup_teardown(test_magic_link, nkt_root_setup, nkt_root_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
