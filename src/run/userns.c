/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"


int64_t nk_idmap_to_host(const nk_idmap *maps, size_t n, char kind, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (maps[i].kind == kind && id >= maps[i].nsid && id - maps[i].nsid < maps[i].range)
			return (int64_t)maps[i].hostid + (id - maps[i].nsid);
	return -1;
}

/* Root of the initial user namespace: its uid_map is the identity over the whole range. */
bool nk_userns_can_write_directly(void)
{
	if (geteuid() != 0)
		return false;
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a = 1, b = 1, c = 0;
	return f && fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL;
}

static int write_map_file(pid_t pid, char kind, const nk_idmap *maps, size_t n, nk_err **err)
{
	char path[64], buf[4096];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (maps[i].kind != kind)
			continue;
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", maps[i].nsid,
				 maps[i].hostid, maps[i].range);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return nk_err_set(err, E2BIG, "lxc.idmap: too many %c maps", kind);
		len += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s_map", pid, kind == 'u' ? "uid" : "gid");
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s", path);
	/* One write: the kernel takes a map only whole and only once. */
	ssize_t r = write(fd, buf, len);
	if (r < 0 || (size_t)r != len)
		return nk_err_sys(err, "write %s (lxc.idmap %c)", path, kind);
	return 0;
}

static int run_newidmap(pid_t pid, char kind, const nk_idmap *maps, size_t n, nk_err **err)
{
	const char *prog = kind == 'u' ? "newuidmap" : "newgidmap";
	char **argv = NULL;
	char num[3][16];
	nk_strv_push(&argv, prog);
	snprintf(num[0], sizeof(num[0]), "%d", pid);
	nk_strv_push(&argv, num[0]);
	for (size_t i = 0; i < n; i++) {
		if (maps[i].kind != kind)
			continue;
		snprintf(num[0], sizeof(num[0]), "%u", maps[i].nsid);
		snprintf(num[1], sizeof(num[1]), "%u", maps[i].hostid);
		snprintf(num[2], sizeof(num[2]), "%u", maps[i].range);
		for (int k = 0; k < 3; k++)
			nk_strv_push(&argv, num[k]);
	}
	_cleanup_strv_ char **args = argv;
	if (!args)
		return nk_err_set(err, ENOMEM, "%s", prog);
	pid_t child = fork();
	if (child < 0)
		return nk_err_sys(err, "fork %s", prog);
	if (child == 0) {
		/* Its stderr is the user's: newuidmap explains a refused range itself. */
		execvp(prog, args);
		fprintf(stderr, "nook: %s: %s (install the uidmap package)\n", prog, strerror(errno));
		_exit(127);
	}
	int st = 0;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return nk_err_sys(err, "wait for %s", prog);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return nk_err_set(err, EPERM,
				  "%s refused lxc.idmap %c ranges (are they in /etc/sub%cid for this user?)",
				  prog, kind, kind == 'u' ? 'u' : 'g');
	return 0;
}

int nk_userns_write_maps(pid_t pid, const nk_idmap *maps, size_t n, nk_err **err)
{
	bool direct = nk_userns_can_write_directly();
	/* gid first: newgidmap also needs the uid the process had before its uid map exists. */
	const char kinds[] = { 'g', 'u' };
	for (size_t k = 0; k < 2; k++) {
		int r = direct ? write_map_file(pid, kinds[k], maps, n, err)
			       : run_newidmap(pid, kinds[k], maps, n, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Root of a user namespace has no power over files of ids outside its map: every directory
 * on the way to its rootfs must let the mapped root search it. Checked before anything
 * starts, to say which directory is in the way.
 */
int nk_userns_path_reachable(const char *path, uid_t uid, gid_t gid, nk_err **err)
{
	size_t len = strlen(path);
	_cleanup_free_ char *p = malloc(len + 1);
	if (!p)
		return nk_err_set(err, ENOMEM, "%s", path);
	for (size_t i = 0; i <= len; i++) {
		/* Every prefix that ends a component: "/", "/var", "/var/lib", ..., path itself. */
		if (i < len && path[i] != '/')
			continue;
		size_t n = i == 0 ? 1 : i;
		memcpy(p, path, n);
		p[n] = '\0';
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		/* An ACL (setfacl -m u:UID:x, as LXC's docs advise) is the kernel's to judge. */
		if (getxattr(p, "system.posix_acl_access", NULL, 0) > 0)
			continue;
		mode_t bit = st.st_uid == uid ? S_IXUSR : st.st_gid == gid ? S_IXGRP : S_IXOTH;
		if (!(st.st_mode & bit))
			return nk_err_set(err, EACCES,
					  "%s: the container's root (host uid %u) cannot search %s "
					  "(mode %04o, owner %u): chown it to %u, chmod o+x it or setfacl -m u:%u:x it",
					  path, uid, p, st.st_mode & 07777, st.st_uid, uid, uid);
	}
	return 0;
}

/* setgroups is "deny" when newgidmap mapped only the caller's own gid: nothing to drop then. */
static bool setgroups_allowed(void)
{
	char buf[16] = "";
	_cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	return fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strncmp(buf, "allow", 5) == 0;
}

int nk_userns_become_root(nk_err **err)
{
	if (setresgid(0, 0, 0) < 0)
		return nk_err_sys(err, "setresgid 0 in the user namespace");
	/* The caller's supplementary groups are host groups: none of them may come along. */
	if (setgroups_allowed() && setgroups(0, NULL) < 0)
		return nk_err_sys(err, "drop supplementary groups in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return nk_err_sys(err, "setresuid 0 in the user namespace");
	return 0;
}
