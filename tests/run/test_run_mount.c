/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc.mount.fstab / lxc.mount.entry: option parsing, then real mounts in a private namespace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "helpers.h"
#include "run/mount.h"
#include "run/resolve.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- parsing ---- */

static void test_opts(void **state)
{
	nk_mount_opts o;
	nk_err *err = NULL;
	assert_int_equal(nk_mount_opts_parse("bind,ro,nosuid,create=dir,optional,size=10m,"
	                                     "mode=0755,rslave,noauto,x-systemd.foo",
	                                     &o, &err),
	                 0);
	assert_int_equal(o.flags, MS_BIND | MS_RDONLY | MS_NOSUID);
	assert_int_equal(o.propagation, MS_SLAVE | MS_REC);
	assert_int_equal(o.create, NK_MOUNT_CREATE_DIR);
	assert_true(o.optional);
	assert_string_equal(o.data, "size=10m,mode=0755");
	nk_mount_opts_free(&o);

	assert_int_equal(nk_mount_opts_parse("rbind,ro,rw,create=file,nofail", &o, &err), 0);
	assert_int_equal(o.flags, MS_BIND | MS_REC);
	assert_int_equal(o.create, NK_MOUNT_CREATE_FILE);
	assert_true(o.optional);
	assert_null(o.data);
	nk_mount_opts_free(&o);

	assert_int_equal(nk_mount_opts_parse("defaults", &o, &err), 0);
	assert_int_equal(o.flags, 0);
	nk_mount_opts_free(&o);

	assert_int_equal(nk_mount_opts_parse("bind,create=socket", &o, &err), -EINVAL);
	assert_non_null(strstr(err->msg, "create=socket"));
	nk_err_freep(&err);
	assert_int_equal(nk_mount_opts_parse("bind,idmap=container", &o, &err), -EOPNOTSUPP);
	nk_err_freep(&err);
}

static void test_fstab_line(void **state)
{
	nk_fstab_entry e;
	nk_err *err = NULL;
	assert_int_equal(nk_fstab_parse_line("", &e, &err), 0);
	assert_int_equal(nk_fstab_parse_line("   # a comment", &e, &err), 0);
	assert_int_equal(nk_fstab_parse_line("proc proc proc", &e, &err), 1);
	assert_string_equal(e.options, "defaults");
	nk_fstab_entry_free(&e);
	assert_int_equal(nk_fstab_parse_line("/a\\040b\tmnt/x  none bind,ro 0 0\n", &e, &err), 1);
	assert_string_equal(e.source, "/a b");
	assert_string_equal(e.target, "mnt/x");
	assert_string_equal(e.fstype, "none");
	assert_string_equal(e.options, "bind,ro");
	nk_fstab_entry_free(&e);
	assert_int_equal(nk_fstab_parse_line("a b", &e, &err), -EINVAL);
	nk_err_freep(&err);
	assert_int_equal(nk_fstab_parse_line("a b c d 0 0 7", &e, &err), -EINVAL);
	nk_err_freep(&err);
}

static void test_check(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	nk_err *err = NULL;
	assert_int_equal(nk_strv_push(&s->mount.entries, "proc proc proc nodev 0 0"), 0);
	assert_int_equal(nk_mount_check(s, &err), 0);
	assert_int_equal(nk_strv_push(&s->mount.entries, "/x y none bind,create=pipe"), 0);
	assert_int_equal(nk_mount_check(s, &err), -EINVAL);
	assert_non_null(
	    strstr(err->msg, "lxc.mount.entry: mount entry \"/x y none bind,create=pipe\""));
	nk_err_free(err);
}

/* ---- real mounts (each case runs in a child with a private mount namespace) ---- */

static int rootfd_of(const struct nkt_root *t)
{
	nk_err *E = NULL;
	int fd = nk_rootfs_open(t->rootfs, &E);
	CHECK(fd >= 0);
	return fd;
}

static int entry(const struct nkt_root *t, const char *line, nk_err **err)
{
	int fd = rootfd_of(t);
	int r = nk_mount_entry(fd, t->rootfs, line, err);
	close(fd);
	return r;
}

/* A nosuid,nodev,noexec tmpfs at top/src with a file in it: a bind source. */
static void make_source(const struct nkt_root *t)
{
	char src[256];
	snprintf(src, sizeof(src), "%s/src", t->top);
	CHECK(mkdir(src, 0755) == 0 || errno == EEXIST);
	CHECK(mount("tmpfs", src, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m") == 0);
	nkt_write(nkt_path(src, "file"), "hello\n");
}

static int bind_ro_child(void *arg)
{
	const struct nkt_root *t = arg;
	make_source(t);
	char line[512], buf[64];
	snprintf(line, sizeof(line), "%s/src mnt/ro none bind,ro,create=dir 0 0", t->top);
	CHECK_OK(entry(t, line, &E));
	char dst[256];
	snprintf(dst, sizeof(dst), "%s/mnt/ro", t->rootfs);
	unsigned long f = nkt_vfs_flags(dst);
	/* ro, and the source's nosuid/nodev/noexec survived the read-only remount. */
	CHECK(f & ST_RDONLY);
	CHECK(f & ST_NOSUID);
	CHECK(f & ST_NODEV);
	CHECK(f & ST_NOEXEC);
	CHECK(!strcmp(nkt_read(nkt_path(dst, "file"), buf, sizeof(buf)), "hello\n"));
	CHECK(open(nkt_path(dst, "new"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644) < 0 &&
	      errno == EROFS);
	/* Only the bind went read-only, not its source. */
	CHECK(!(nkt_vfs_flags(nkt_path(t->top, "src")) & ST_RDONLY));
	return 0;
}

static void test_bind_ro_keeps_nosuid(void **state)
{
	NKT_RUN(0, bind_ro_child, *state);
}

static int create_child(void *arg)
{
	const struct nkt_root *t = arg;
	make_source(t);
	char line[512], buf[64], fstype[32];
	snprintf(line, sizeof(line), "%s/src/file etc/bound none bind,create=file 0 0", t->top);
	CHECK_OK(entry(t, line, &E));
	struct stat st;
	CHECK(stat(nkt_path(t->rootfs, "etc/bound"), &st) == 0 && S_ISREG(st.st_mode));
	CHECK(!strcmp(nkt_read(nkt_path(t->rootfs, "etc/bound"), buf, sizeof(buf)), "hello\n"));
	CHECK_OK(entry(t, "tmpfs a/b/c tmpfs size=1m,mode=0700,create=dir 0 0", &E));
	CHECK(nkt_mount_at(nkt_path(t->rootfs, "a/b/c"), fstype, NULL, NULL, sizeof(fstype)));
	CHECK(!strcmp(fstype, "tmpfs"));
	CHECK(stat(nkt_path(t->rootfs, "a/b/c"), &st) == 0 && (st.st_mode & 07777) == 0700);
	/* Without create=, a missing target is an error. */
	CHECK_FAILS(ENOENT, "mount entry \"tmpfs no/such tmpfs defaults\"",
	            entry(t, "tmpfs no/such tmpfs defaults", &E));
	return 0;
}

static void test_create(void **state)
{
	NKT_RUN(0, create_child, *state);
}

static int optional_child(void *arg)
{
	const struct nkt_root *t = arg;
	CHECK_OK(entry(t, "/nonexistent/nook mnt/opt none bind,optional,create=dir 0 0", &E));
	CHECK(!nk_path_exists(nkt_path(t->rootfs, "mnt/opt")));
	CHECK_FAILS(ENOENT, "mount entry \"/nonexistent/nook mnt/x none bind,create=dir 0 0\"",
	            entry(t, "/nonexistent/nook mnt/x none bind,create=dir 0 0", &E));
	CHECK_FAILS(ENOENT, "/nonexistent/nook",
	            entry(t, "/nonexistent/nook mnt/x none bind,create=dir 0 0", &E));
	/* A mount that fails (unknown file system) is skipped too when optional. */
	CHECK_OK(entry(t, "x mnt nosuchfs optional 0 0", &E));
	CHECK_FAILS(ENODEV, "mount x on mnt", entry(t, "x mnt nosuchfs defaults 0 0", &E));
	return 0;
}

static void test_optional(void **state)
{
	NKT_RUN(0, optional_child, *state);
}

/* The target is a symlink that points out of the rootfs; the mount must land inside. */
static int escape_child(void *arg)
{
	const struct nkt_root *t = arg;
	char fstype[32];
	CHECK(symlink(t->outside, nkt_path(t->rootfs, "evil_abs")) == 0);
	CHECK(symlink("../../../../../../../outside", nkt_path(t->rootfs, "evil_rel")) == 0);
	CHECK(symlink("/etc", nkt_path(t->rootfs, "evil_etc")) == 0);
	/* Inside the rootfs the outside path does not exist: no create=dir, no mount. */
	CHECK_FAILS(ENOENT, "evil_abs", entry(t, "tmpfs evil_abs tmpfs defaults 0 0", &E));
	CHECK_OK(entry(t, "tmpfs evil_abs tmpfs create=dir 0 0", &E));
	CHECK_OK(entry(t, "tmpfs evil_rel tmpfs create=dir 0 0", &E));
	make_source(t);
	char line[512];
	snprintf(line, sizeof(line), "%s/src evil_etc none bind 0 0", t->top);
	CHECK_OK(entry(t, line, &E));
	/* Nothing on the host paths... */
	CHECK(!nkt_mount_at(t->outside, NULL, NULL, NULL, 0));
	CHECK(nkt_dir_empty(t->outside));
	CHECK(!nkt_mount_at("/etc", NULL, NULL, NULL, 0));
	CHECK(nk_path_exists("/etc/passwd"));
	/* ...everything at the same names inside the rootfs. */
	CHECK(nkt_mount_at(nkt_path(t->rootfs, t->outside + 1), fstype, NULL, NULL, 32));
	CHECK(!strcmp(fstype, "tmpfs"));
	CHECK(nkt_mount_at(nkt_path(t->rootfs, "outside"), fstype, NULL, NULL, 32));
	CHECK(nkt_mount_at(nkt_path(t->rootfs, "etc"), NULL, NULL, NULL, 0));
	CHECK(nk_path_exists(nkt_path(t->rootfs, "etc/file")));
	return 0;
}

static void test_symlink_escape(void **state)
{
	NKT_RUN(0, escape_child, *state);
}

static void test_symlink_escape_walk(void **state)
{
	nk_resolve_use_openat2(false);
	NKT_RUN(0, escape_child, *state);
	nk_resolve_use_openat2(true);
}

static int absolute_child(void *arg)
{
	const struct nkt_root *t = arg;
	char line[512];
	snprintf(line, sizeof(line), "tmpfs %s/mnt/abs tmpfs create=dir 0 0", t->rootfs);
	CHECK_OK(entry(t, line, &E));
	CHECK(nkt_mount_at(nkt_path(t->rootfs, "mnt/abs"), NULL, NULL, NULL, 0));
	snprintf(line, sizeof(line), "tmpfs %s/x tmpfs create=dir 0 0", t->outside);
	CHECK_FAILS(EINVAL, "is not inside the rootfs", entry(t, line, &E));
	CHECK(nkt_dir_empty(t->outside));
	return 0;
}

static void test_absolute_target(void **state)
{
	NKT_RUN(0, absolute_child, *state);
}

static int fstab_child(void *arg)
{
	const struct nkt_root *t = arg;
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	char fstab[256];
	snprintf(fstab, sizeof(fstab), "%s/fstab", t->top);
	nkt_write(fstab, "# comment\n\ntmpfs mnt/one tmpfs create=dir,rshared 0 0\n"
	                 "proc mnt/proc proc create=dir,nosuid,nodev,noexec\n");
	s->mount.fstab = strdup(fstab);
	CHECK(nk_strv_push(&s->mount.entries, "tmpfs mnt/two tmpfs create=dir,size=64k") == 0);
	CHECK_OK(nk_mount_fstab_and_entries(s, t->rootfs, &E));
	char fstype[32], super[256];
	CHECK(nkt_mount_at(nkt_path(t->rootfs, "mnt/one"), fstype, NULL, NULL, 32));
	CHECK(nkt_mount_at(nkt_path(t->rootfs, "mnt/proc"), fstype, NULL, NULL, 32));
	CHECK(!strcmp(fstype, "proc"));
	CHECK(nkt_mount_at(nkt_path(t->rootfs, "mnt/two"), NULL, super, NULL, sizeof(super)));
	CHECK(strstr(super, "size=64k"));
	/* rshared is applied after the mount: the mountinfo line carries a peer group. */
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char l[4096];
	bool shared = false;
	while (fgets(l, sizeof(l), f))
		shared |= strstr(l, "/mnt/one ") && strstr(l, " shared:");
	fclose(f);
	CHECK(shared);
	/* An error in the file names the file and the line. */
	nkt_write(fstab, "tmpfs mnt/three tmpfs create=dir\n\n# x\nnone mnt bogusfs x\n");
	CHECK_FAILS(ENODEV, "fstab:4: mount entry \"none mnt bogusfs x\"",
	            nk_mount_fstab_and_entries(s, t->rootfs, &E));
	return 0;
}

static void test_fstab_file(void **state)
{
	NKT_RUN(0, fstab_child, *state);
}

/* Why nk_remount reads the flags first: a plain bind remount clears what it is not given. */
static int remount_child(void *arg)
{
	const struct nkt_root *t = arg;
	make_source(t);
	char src[256], naive[256], safe[256];
	snprintf(src, sizeof(src), "%s/src", t->top);
	snprintf(naive, sizeof(naive), "%s/mnt", t->rootfs);
	snprintf(safe, sizeof(safe), "%s/tmp", t->rootfs);
	CHECK(mount(src, naive, NULL, MS_BIND, NULL) == 0);
	CHECK(mount(src, safe, NULL, MS_BIND, NULL) == 0);
	CHECK(nkt_vfs_flags(naive) & ST_NOSUID);
	CHECK(mount(NULL, naive, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0);
	CHECK(!(nkt_vfs_flags(naive) & ST_NOSUID)); /* the "remount lost nosuid" bug */
	CHECK(nk_remount(safe, MS_RDONLY) == 0);
	unsigned long f = nkt_vfs_flags(safe);
	CHECK((f & ST_RDONLY) && (f & ST_NOSUID) && (f & ST_NODEV) && (f & ST_NOEXEC));
	return 0;
}

static void test_remount_keeps_flags(void **state)
{
	NKT_RUN(0, remount_child, *state);
}

/* nk_bind_in_root on a single file, made read-only (what proc:mixed does to sysrq-trigger). */
static int bind_file_child(void *arg)
{
	const struct nkt_root *t = arg;
	int rootfd = rootfd_of(t);
	CHECK(symlink("/etc/hostname", nkt_path(t->rootfs, "etc/link")) == 0);
	CHECK_OK(nk_bind_in_root(rootfd, "etc/hostname", "etc/link", MS_RDONLY, &E));
	char path[256];
	snprintf(path, sizeof(path), "%s/etc/hostname", t->rootfs);
	CHECK(nkt_mount_at(path, NULL, NULL, NULL, 0));
	CHECK(nkt_vfs_flags(path) & ST_RDONLY);
	CHECK(open(path, O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
	CHECK(!nkt_mount_at("/etc/hostname", NULL, NULL, NULL, 0));
	close(rootfd);
	return 0;
}

static void test_bind_file_in_root(void **state)
{
	NKT_RUN(0, bind_file_child, *state);
}

/* rbind,ro: the mounts under the source come out read-only too. */
static int rbind_ro_child(void *arg)
{
	const struct nkt_root *t = arg;
	make_source(t);
	char sub[256], line[512], dst[256];
	snprintf(sub, sizeof(sub), "%s/src/sub", t->top);
	CHECK(mkdir(sub, 0755) == 0);
	CHECK(mount("tmpfs", sub, "tmpfs", 0, "size=64k") == 0);
	snprintf(line, sizeof(line), "%s/src mnt/r none rbind,ro,create=dir 0 0", t->top);
	CHECK_OK(entry(t, line, &E));
	snprintf(dst, sizeof(dst), "%s/mnt/r", t->rootfs);
	CHECK(nkt_vfs_flags(dst) & ST_RDONLY);
	CHECK(nkt_vfs_flags(dst) & ST_NOSUID);
	CHECK(nkt_vfs_flags(nkt_path(dst, "sub")) & ST_RDONLY);
	CHECK(!(nkt_vfs_flags(sub) & ST_RDONLY));
	return 0;
}

static void test_rbind_ro(void **state)
{
	NKT_RUN(0, rbind_ro_child, *state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opts),
	    cmocka_unit_test(test_fstab_line),
	    cmocka_unit_test(test_check),
#define T(f) cmocka_unit_test_setup_teardown(f, nkt_root_setup, nkt_root_teardown)
	    T(test_bind_ro_keeps_nosuid),
	    T(test_rbind_ro),
	    T(test_create),
	    T(test_optional),
	    T(test_symlink_escape),
	    T(test_symlink_escape_walk),
	    T(test_absolute_target),
	    T(test_fstab_file),
	    T(test_remount_keeps_flags),
	    T(test_bind_file_in_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
