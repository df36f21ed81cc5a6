/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the id shift (src/util/shift.c) on a real temp tree: owners, setuid and setgid
 * bits, symlinks changed but never followed, file capabilities rewritten as v3, POSIX ACLs,
 * ids without a mapping, a second run, and a mount inside the tree left alone. The tree tests
 * chown to other users, so they need root; as anyone else they are skipped.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/shift.h"

#define BASE            200000u
#define CAP_NET_RAW_BIT (1u << 13)

static char tmpdir[] = "/tmp/nook-test-shift.XXXXXX";
static char top[128], mnt[128];

static const nk_shift_range one_range[] = {{0, BASE, 65536}};
static const nk_shift_map map = {one_range, 1, one_range, 1};

static char *at(const char *rel)
{
	static char buf[8][256];
	static int i;
	char *b = buf[i++ % 8];
	snprintf(b, sizeof(buf[0]), "%s/%s", top, rel);
	return b;
}

static struct stat lst(const char *rel)
{
	struct stat st;
	assert_int_equal(lstat(at(rel), &st), 0);
	return st;
}

static void make_file(const char *rel, mode_t mode, uid_t u, gid_t g)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(at(rel), u, g), 0);
	assert_int_equal(chmod(at(rel), mode), 0); /* after chown, which clears setuid */
}

static void test_shift_id(void **state)
{
	const nk_shift_range r[] = {{0, 100000, 1000}, {1000, 1000, 1}, {1001, 101001, 64535}};
	assert_int_equal(nk_shift_id(r, 3, 0), 100000);
	assert_int_equal(nk_shift_id(r, 3, 999), 100999);
	assert_int_equal(nk_shift_id(r, 3, 1000), 1000); /* mapped to itself */
	assert_int_equal(nk_shift_id(r, 3, 1001), 101001);
	assert_int_equal(nk_shift_id(r, 3, 100500), 100500); /* a host id already */
	assert_int_equal(nk_shift_id(r, 3, 65534), 165534);
	assert_int_equal(nk_shift_id(r, 3, 70000), 165534); /* unmapped: nobody */
	const nk_shift_range small[] = {{0, 100000, 1000}};
	assert_int_equal(nk_shift_id(small, 1, 5000), -1); /* and no nobody either */
}

static void test_refuses_overlap(void **state)
{
	/* u 0 1000 65536: is a file of uid 1500 shifted already or container uid 1500? */
	const nk_shift_range r[] = {{0, 1000, 65536}};
	const nk_shift_map m = {r, 1, one_range, 1};
	nk_err *err = NULL;
	assert_true(nk_shift_tree(tmpdir, &m, &err) < 0);
	assert_non_null(strstr(err->msg, "overlap"));
	nk_err_free(err);
	/* Without a root in the map there is no owner for the rootfs. */
	const nk_shift_range nr[] = {{1, BASE, 100}};
	const nk_shift_map m2 = {nr, 1, one_range, 1};
	err = NULL;
	assert_true(nk_shift_tree(tmpdir, &m2, &err) < 0);
	assert_non_null(strstr(err->msg, "root"));
	nk_err_free(err);
}

static void set_caps_v2(const char *path)
{
	struct vfs_cap_data c = {0};
	c.magic_etc = htole32(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE);
	c.data[0].permitted = htole32(CAP_NET_RAW_BIT);
	assert_int_equal(setxattr(path, "security.capability", &c, XATTR_CAPS_SZ_2, 0), 0);
}

struct acl {
	struct posix_acl_xattr_header h;
	struct posix_acl_xattr_entry e[6];
};

static struct acl make_acl(uint32_t user, uint32_t group)
{
	struct acl a = {.h.a_version = htole32(POSIX_ACL_XATTR_VERSION)};
	const struct {
		uint16_t tag, perm;
		uint32_t id;
	} e[] = {
	    {ACL_USER_OBJ, 7, ACL_UNDEFINED_ID},  {ACL_USER, 7, user},
	    {ACL_GROUP_OBJ, 5, ACL_UNDEFINED_ID}, {ACL_GROUP, 5, group},
	    {ACL_MASK, 7, ACL_UNDEFINED_ID},      {ACL_OTHER, 5, ACL_UNDEFINED_ID},
	};
	for (size_t i = 0; i < 6; i++)
		a.e[i] = (struct posix_acl_xattr_entry){htole16(e[i].tag), htole16(e[i].perm),
		                                        htole32(e[i].id)};
	return a;
}

static void check_acl(const char *path, const char *name, uint32_t user, uint32_t group)
{
	struct acl a;
	assert_int_equal(getxattr(path, name, &a, sizeof(a)), sizeof(a));
	assert_int_equal(le32toh(a.e[1].e_id), user);
	assert_int_equal(le32toh(a.e[3].e_id), group);
	assert_int_equal(le32toh(a.e[0].e_id), (uint32_t)ACL_UNDEFINED_ID);
}

static void build_tree(void)
{
	assert_int_equal(mkdir(top, 0755), 0);
	make_file("suid", 04755, 0, 0);
	make_file("sgid", 02775, 0, 50);
	make_file("ping", 0755, 0, 0);
	set_caps_v2(at("ping"));
	make_file("big", 0644, 70000, 70000);
	make_file("already", 0644, BASE + 7, BASE + 8);
	assert_int_equal(link(at("suid"), at("hard")), 0);
	/* A link out of the tree, to a file that must keep its owner. */
	char outside[160];
	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	int fd = open(outside, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlink(outside, at("link")), 0);
	assert_int_equal(lchown(at("link"), 5, 6), 0);
	assert_int_equal(mkdir(at("home"), 0770), 0);
	assert_int_equal(chown(at("home"), 1000, 1000), 0);
	assert_int_equal(chmod(at("home"), 02770), 0); /* mkdir takes no setgid bit */
	struct acl a = make_acl(1000, 100);
	assert_int_equal(setxattr(at("home"), "system.posix_acl_access", &a, sizeof(a), 0), 0);
	assert_int_equal(setxattr(at("home"), "system.posix_acl_default", &a, sizeof(a), 0), 0);
}

static void test_tree(void **state)
{
	if (geteuid() != 0)
		skip();
	build_tree();
	nk_err *err = NULL;
	int r = nk_shift_tree(top, &map, &err);
	if (r < 0)
		fail_msg("shift: %s", err->msg);

	struct stat st = lst("");
	assert_int_equal(st.st_uid, BASE);
	assert_int_equal(st.st_gid, BASE);
	/* setuid and setgid survive the chown that cleared them. */
	st = lst("suid");
	assert_int_equal(st.st_uid, BASE);
	assert_int_equal(st.st_mode & 07777, 04755);
	st = lst("sgid");
	assert_int_equal(st.st_gid, BASE + 50);
	assert_int_equal(st.st_mode & 07777, 02775);
	/* The hard link is the same inode, shifted once (not twice). */
	st = lst("hard");
	assert_int_equal(st.st_uid, BASE);
	/* ids the container cannot have become its nobody. */
	st = lst("big");
	assert_int_equal(st.st_uid, BASE + 65534);
	assert_int_equal(st.st_gid, BASE + 65534);
	st = lst("already");
	assert_int_equal(st.st_uid, BASE + 7);
	assert_int_equal(st.st_gid, BASE + 8);
	/* The link itself moved; what it points at did not. */
	st = lst("link");
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_uid, BASE + 5);
	assert_int_equal(st.st_gid, BASE + 6);
	char outside[160];
	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 0);
	/* Directory, its mode (the access ACL's mask and others' entry made it 2775) and both
	 * ACLs. */
	st = lst("home");
	assert_int_equal(st.st_uid, BASE + 1000);
	assert_int_equal(st.st_mode & 07777, 02775);
	check_acl(at("home"), "system.posix_acl_access", BASE + 1000, BASE + 100);
	check_acl(at("home"), "system.posix_acl_default", BASE + 1000, BASE + 100);

	/* The capability: v3, rooted at the namespace's root, same bits. */
	struct vfs_ns_cap_data c;
	assert_int_equal(getxattr(at("ping"), "security.capability", &c, sizeof(c)),
	                 XATTR_CAPS_SZ_3);
	assert_int_equal(le32toh(c.magic_etc) & VFS_CAP_REVISION_MASK, VFS_CAP_REVISION_3);
	assert_true(le32toh(c.magic_etc) & VFS_CAP_FLAGS_EFFECTIVE);
	assert_int_equal(le32toh(c.rootid), BASE);
	assert_int_equal(le32toh(c.data[0].permitted), CAP_NET_RAW_BIT);
	assert_int_equal(lst("ping").st_uid, BASE);

	/* A second run changes nothing. */
	struct stat before = lst("home"), pb = lst("ping");
	r = nk_shift_tree(top, &map, &err);
	if (r < 0)
		fail_msg("second shift: %s", err->msg);
	st = lst("home");
	assert_int_equal(st.st_uid, before.st_uid);
	assert_true(st.st_ctim.tv_sec == before.st_ctim.tv_sec &&
	            st.st_ctim.tv_nsec == before.st_ctim.tv_nsec);
	st = lst("ping");
	assert_true(st.st_ctim.tv_sec == pb.st_ctim.tv_sec &&
	            st.st_ctim.tv_nsec == pb.st_ctim.tv_nsec);
	check_acl(at("home"), "system.posix_acl_access", BASE + 1000, BASE + 100);
	assert_int_equal(getxattr(at("ping"), "security.capability", &c, sizeof(c)),
	                 XATTR_CAPS_SZ_3);
	assert_int_equal(le32toh(c.rootid), BASE);
}

static void test_mount_left_alone(void **state)
{
	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(top, 0755), 0);
	assert_int_equal(mkdir(mnt, 0755), 0);
	assert_int_equal(mount("nook-test", mnt, "tmpfs", 0, "mode=0755"), 0);
	char inside[256];
	snprintf(inside, sizeof(inside), "%s/file", mnt);
	int fd = open(inside, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	make_file("file", 0644, 0, 0);
	nk_err *err = NULL;
	int r = nk_shift_tree(top, &map, &err);
	struct stat st, sm;
	int a = stat(inside, &st), b = stat(mnt, &sm);
	umount2(mnt, MNT_DETACH);
	if (r < 0)
		fail_msg("shift: %s", err->msg);
	assert_int_equal(lst("file").st_uid, BASE);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(sm.st_uid, 0);
}

static int setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(top, sizeof(top), "%s/rootfs", tmpdir);
	snprintf(mnt, sizeof(mnt), "%s/rootfs/mnt", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	umount2(mnt, MNT_DETACH);
	return nk_rm_rf(tmpdir, NULL) < 0 ? -1 : 0;
}

/* Each test gets a fresh tree. */
static int fresh(void **state)
{
	umount2(mnt, MNT_DETACH);
	return nk_rm_rf(top, NULL) < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shift_id),
	    cmocka_unit_test(test_refuses_overlap),
	    cmocka_unit_test_setup(test_tree, fresh),
	    cmocka_unit_test_setup(test_mount_left_alone, fresh),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
