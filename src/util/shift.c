/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shift walks the tree with file descriptors: every inode is opened O_PATH|O_NOFOLLOW
 * relative to its parent, so a symlink is changed itself and never followed, and a path that
 * a rename swaps under us can never lead out of the tree. Inodes on another mount (a bind
 * mount left inside, told by mount id and device) are not touched and not entered.
 *
 * chown(2) of a regular file clears its setuid/setgid bits and its security.capability, so
 * both are read before and put back after. The capability comes back as a v3 xattr whose root
 * is the namespace's root: it then holds inside the container only, where a v2 one would let
 * anyone on the host who can reach the file run it with those capabilities.
 */
#include "util/shift.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"

#define NOBODY            65534u
#define XATTR_CAPS        "security.capability"
#define XATTR_ACL_ACCESS  "system.posix_acl_access"
#define XATTR_ACL_DEFAULT "system.posix_acl_default"

int64_t nk_shift_id(const nk_shift_range *r, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].hostid && (uint64_t)id - r[i].hostid < r[i].count)
			return id;
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].nsid && (uint64_t)id - r[i].nsid < r[i].count)
			return (int64_t)r[i].hostid + (id - r[i].nsid);
	for (size_t i = 0; i < n; i++)
		if (NOBODY >= r[i].nsid && (uint64_t)NOBODY - r[i].nsid < r[i].count)
			return (int64_t)r[i].hostid + (NOBODY - r[i].nsid);
	return -1;
}

/*
 * "Already shifted" is told by the id lying in a host range. When a host range overlaps the
 * ids of the container (u 0 1000 65536), an id in the overlap could be either, so such maps are
 * refused. A range mapping ids to themselves is fine: both readings agree.
 */
static int check_ranges(const nk_shift_range *r, size_t n, char kind, nk_err **err)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].hostid == r[i].nsid)
			continue;
		for (size_t j = 0; j < n; j++) {
			uint64_t a0 = r[i].hostid, a1 = a0 + r[i].count, b0 = r[j].nsid,
			         b1 = b0 + r[j].count;
			if (a0 < b1 && b0 < a1)
				return nk_err_set(
				    err, EINVAL,
				    "%cid map %u %u %u: its host ids overlap the "
				    "container's, so shifted files cannot be told apart",
				    kind, r[i].nsid, r[i].hostid, r[i].count);
		}
	}
	return 0;
}

typedef struct walk {
	const nk_shift_map *map;
	int64_t rootuid; /* the host uid of the namespace's root, for v3 capabilities */
	uint64_t mnt;
	dev_t dev;
	char path[PATH_MAX]; /* for messages */
	size_t len;
} walk;

static void path_push(walk *w, const char *name, size_t *saved)
{
	*saved = w->len;
	int n = snprintf(w->path + w->len, sizeof(w->path) - w->len, "/%s", name);
	if (n > 0)
		w->len =
		    w->len + (size_t)n < sizeof(w->path) ? w->len + (size_t)n : sizeof(w->path) - 1;
}

static void path_pop(walk *w, size_t saved)
{
	w->len = saved;
	w->path[saved] = '\0';
}

/* An xattr of the inode behind an O_PATH fd; 0 with *len 0 when it has none. */
static int xattr_get(int fd, const char *name, void *buf, size_t size, size_t *len)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t n = getxattr(proc, name, buf, size);
	if (n < 0) {
		*len = 0;
		return errno == ENODATA || errno == ENOTSUP ? 0 : -errno;
	}
	*len = (size_t)n;
	return 0;
}

static int xattr_set(int fd, const char *name, const void *buf, size_t len)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return setxattr(proc, name, buf, len, 0) < 0 ? -errno : 0;
}

/* Rewrites a v1, v2 or v3 capability as v3 with its root shifted. */
static int caps_shift(walk *w, const void *in, size_t len, struct vfs_ns_cap_data *out,
                      nk_err **err)
{
	struct vfs_ns_cap_data c = {0};
	memcpy(&c, in, len < sizeof(c) ? len : sizeof(c));
	uint32_t magic = le32toh(c.magic_etc), rev = magic & VFS_CAP_REVISION_MASK;
	uint32_t root = 0;
	if (rev == VFS_CAP_REVISION_1 && len == XATTR_CAPS_SZ_1) {
		c.data[1].permitted = c.data[1].inheritable = 0;
	} else if (rev == VFS_CAP_REVISION_3 && len == XATTR_CAPS_SZ_3) {
		root = le32toh(c.rootid);
	} else if (rev != VFS_CAP_REVISION_2 || len != XATTR_CAPS_SZ_2) {
		return nk_err_set(err, EINVAL, "%s: unknown security.capability format", w->path);
	}
	/* A v3 capability of another namespace moves with the tree; a v2 one belongs to root. */
	int64_t host =
	    rev == VFS_CAP_REVISION_3 ? nk_shift_id(w->map->uid, w->map->n_uid, root) : w->rootuid;
	if (host < 0)
		return nk_err_set(err, ERANGE, "%s: file capability root %u is not mapped", w->path,
		                  root);
	*out = c;
	out->magic_etc = htole32(VFS_CAP_REVISION_3 | (magic & VFS_CAP_FLAGS_EFFECTIVE));
	out->rootid = htole32((uint32_t)host);
	return 0;
}

/* Shifts the user and group entries of a POSIX ACL xattr in place. */
static int acl_shift(walk *w, const char *name, char *buf, size_t len, nk_err **err)
{
	const size_t hdr = sizeof(struct posix_acl_xattr_header),
	             ent = sizeof(struct posix_acl_xattr_entry);
	struct posix_acl_xattr_header h;
	if (len < hdr || (len - hdr) % ent)
		return nk_err_set(err, EINVAL, "%s: malformed %s", w->path, name);
	memcpy(&h, buf, hdr);
	if (le32toh(h.a_version) != POSIX_ACL_XATTR_VERSION)
		return nk_err_set(err, EINVAL, "%s: %s version %u", w->path, name,
		                  le32toh(h.a_version));
	for (size_t off = hdr; off < len; off += ent) {
		struct posix_acl_xattr_entry e;
		memcpy(&e, buf + off, ent);
		uint16_t tag = le16toh(e.e_tag);
		if (tag != ACL_USER && tag != ACL_GROUP)
			continue;
		bool user = tag == ACL_USER;
		uint32_t id = le32toh(e.e_id);
		int64_t host = user ? nk_shift_id(w->map->uid, w->map->n_uid, id)
		                    : nk_shift_id(w->map->gid, w->map->n_gid, id);
		if (host < 0)
			return nk_err_set(err, ERANGE, "%s: %s entry %s:%u is not mapped", w->path,
			                  name, user ? "user" : "group", id);
		e.e_id = htole32((uint32_t)host);
		memcpy(buf + off, &e, ent);
	}
	return 0;
}

/* Reads an ACL xattr, shifts it and writes it back; nothing when the inode has none. */
static int acl_fix(walk *w, int fd, const char *name, nk_err **err)
{
	char buf[8192], old[8192];
	size_t len;
	int r = xattr_get(fd, name, buf, sizeof(buf), &len);
	if (r < 0)
		return nk_err_set(err, -r, "%s: read %s", w->path, name);
	if (!len)
		return 0;
	memcpy(old, buf, len);
	if ((r = acl_shift(w, name, buf, len, err)) < 0)
		return r;
	if (memcmp(old, buf, len) == 0)
		return 0;
	if ((r = xattr_set(fd, name, buf, len)) < 0)
		return nk_err_set(err, -r, "%s: write %s", w->path, name);
	return 0;
}

static int stat_fd(int fd, struct statx *stx)
{
	unsigned mask = STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_MNT_ID;
	return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, mask, stx) < 0 ? -errno : 0;
}

static bool same_mount(const walk *w, const struct statx *stx)
{
	if (makedev(stx->stx_dev_major, stx->stx_dev_minor) != w->dev)
		return false;
	if (stx->stx_attributes & STATX_ATTR_MOUNT_ROOT)
		return false;
	return !(stx->stx_mask & STATX_MNT_ID) || stx->stx_mnt_id == w->mnt;
}

/* The inode itself: owner, then the bits and xattrs the chown cleared or that name ids. */
static int shift_inode(walk *w, int fd, const struct statx *stx, nk_err **err)
{
	int64_t uid = nk_shift_id(w->map->uid, w->map->n_uid, stx->stx_uid);
	int64_t gid = nk_shift_id(w->map->gid, w->map->n_gid, stx->stx_gid);
	if (uid < 0 || gid < 0)
		return nk_err_set(err, ERANGE, "%s: owner %u:%u is not mapped", w->path,
		                  stx->stx_uid, stx->stx_gid);
	bool is_link = S_ISLNK(stx->stx_mode), is_reg = S_ISREG(stx->stx_mode);
	bool chown_it = uid != stx->stx_uid || gid != stx->stx_gid;
	char cap_in[XATTR_CAPS_SZ_3];
	size_t cap_len = 0;
	int r;
	if (is_reg && (r = xattr_get(fd, XATTR_CAPS, cap_in, sizeof(cap_in), &cap_len)) < 0)
		return nk_err_set(err, -r, "%s: read security.capability", w->path);
	if (chown_it && fchownat(fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH) < 0)
		return nk_err_sys(err, "chown %s to %lld:%lld", w->path, (long long)uid,
		                  (long long)gid);
	if (is_link)
		return 0;
	struct statx now;
	if (chown_it && (r = stat_fd(fd, &now)) < 0)
		return nk_err_set(err, -r, "stat %s", w->path);
	/* setuid and setgid bits: chown cleared them on a regular file. */
	if (chown_it && (now.stx_mode & 07777) != (stx->stx_mode & 07777)) {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (chmod(proc, stx->stx_mode & 07777) < 0)
			return nk_err_sys(err, "chmod %s", w->path);
	}
	if (cap_len) {
		struct vfs_ns_cap_data caps;
		if ((r = caps_shift(w, cap_in, cap_len, &caps, err)) < 0)
			return r;
		bool same = !chown_it && cap_len == sizeof(caps) && !memcmp(cap_in, &caps, cap_len);
		if (!same && (r = xattr_set(fd, XATTR_CAPS, &caps, sizeof(caps))) < 0)
			return nk_err_set(err, -r, "%s: write security.capability", w->path);
	}
	if ((r = acl_fix(w, fd, XATTR_ACL_ACCESS, err)) < 0)
		return r;
	if (S_ISDIR(stx->stx_mode) && (r = acl_fix(w, fd, XATTR_ACL_DEFAULT, err)) < 0)
		return r;
	return 0;
}

static int shift_at(walk *w, int fd, bool top, nk_err **err);

static int shift_children(walk *w, int fd, nk_err **err)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return nk_err_sys(err, "open %s", w->path);
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return nk_err_sys(err, "open %s", w->path);
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		size_t saved;
		path_push(w, de->d_name, &saved);
		_cleanup_close_ int cfd =
		    openat(dirfd(d), de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		int r =
		    cfd < 0 ? nk_err_sys(err, "open %s", w->path) : shift_at(w, cfd, false, err);
		if (r < 0)
			return r;
		path_pop(w, saved);
		errno = 0;
	}
	return errno ? nk_err_sys(err, "read %s", w->path) : 0;
}

static int shift_at(walk *w, int fd, bool top, nk_err **err)
{
	struct statx stx;
	int r = stat_fd(fd, &stx);
	if (r < 0)
		return nk_err_set(err, -r, "stat %s", w->path);
	if (!top && !same_mount(w, &stx))
		return 0;
	if ((r = shift_inode(w, fd, &stx, err)) < 0)
		return r;
	return S_ISDIR(stx.stx_mode) ? shift_children(w, fd, err) : 0;
}

int nk_shift_tree(const char *path, const nk_shift_map *map, nk_err **err)
{
	int r = check_ranges(map->uid, map->n_uid, 'u', err);
	if (r < 0 || (r = check_ranges(map->gid, map->n_gid, 'g', err)) < 0)
		return r;
	walk w = {.map = map, .rootuid = -1};
	for (size_t i = 0; i < map->n_uid; i++)
		if (map->uid[i].nsid == 0)
			w.rootuid = map->uid[i].hostid;
	if (w.rootuid < 0)
		return nk_err_set(err, EINVAL, "shift %s: the id map does not map root", path);
	snprintf(w.path, sizeof(w.path), "%s", path);
	w.len = strlen(w.path);
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s", path);
	struct statx stx;
	if ((r = stat_fd(fd, &stx)) < 0)
		return nk_err_set(err, -r, "stat %s", path);
	w.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	w.mnt = stx.stx_mnt_id;
	return shift_at(&w, fd, true, err);
}
