/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc.mount.fstab and lxc.mount.entry: fstab lines with LXC's options, mounted safely. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "run/mount.h"
#include "run/resolve.h"
#include "run/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} flag_opts[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
};

static const struct {
	const char *name;
	unsigned long flag;
} propagation_opts[] = {
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* fstab(5) words meant for mount(8) and the boot, not for the kernel. */
static bool opt_ignored(const char *opt)
{
	static const char *const words[] = {"auto",  "noauto", "user",  "nouser",
	                                    "users", "owner",  "group", "_netdev"};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(opt, words[i]))
			return true;
	return nk_str_has_prefix(opt, "x-") || nk_str_has_prefix(opt, "comment=");
}

static bool opt_flag(const char *opt, nk_mount_opts *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++) {
		if (strcmp(opt, flag_opts[i].name))
			continue;
		if (flag_opts[i].clear)
			o->flags &= ~flag_opts[i].flag;
		else
			o->flags |= flag_opts[i].flag;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(propagation_opts); i++) {
		if (!strcmp(opt, propagation_opts[i].name)) {
			o->propagation = propagation_opts[i].flag;
			return true;
		}
	}
	return false;
}

static int opt_apply(const char *opt, nk_mount_opts *o, nk_strbuf *data, nk_err **err)
{
	if (!*opt || opt_flag(opt, o) || opt_ignored(opt))
		return 0;
	if (!strcmp(opt, "optional") || !strcmp(opt, "nofail")) {
		o->optional = true;
	} else if (!strcmp(opt, "create=dir")) {
		o->create = NK_MOUNT_CREATE_DIR;
	} else if (!strcmp(opt, "create=file")) {
		o->create = NK_MOUNT_CREATE_FILE;
	} else if (nk_str_has_prefix(opt, "create=")) {
		return nk_err_set(err, EINVAL, "option %s: expected create=dir or create=file",
		                  opt);
	} else if (nk_str_has_prefix(opt, "idmap=")) {
		/* Refused rather than ignored: dropping it would change who owns the files. */
		return nk_err_set(err, EOPNOTSUPP, "option %s: idmapped mounts are not supported",
		                  opt);
	} else {
		if (data->len)
			nk_strbuf_putc(data, ',');
		nk_strbuf_append(data, opt);
	}
	return 0;
}

int nk_mount_opts_parse(const char *opts, nk_mount_opts *out, nk_err **err)
{
	*out = (nk_mount_opts){0};
	_cleanup_free_ char *copy = strdup(opts ? opts : "");
	if (!copy)
		return nk_err_set(err, ENOMEM, "mount options");
	_cleanup_strbuf_ nk_strbuf data = {0};
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		int r = opt_apply(nk_strstrip(o), out, &data, err);
		if (r < 0)
			return r;
	}
	if (data.oom)
		return nk_err_set(err, ENOMEM, "mount options");
	out->data = data.len ? nk_strbuf_steal(&data) : NULL;
	return 0;
}

void nk_mount_opts_free(nk_mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}

/* getmntent's escapes: a backslash and three octal digits ("\040" is a space). */
static char *field_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *d = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*d++ =
			    (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*d++ = s[i];
		}
	}
	*d = '\0';
	return out;
}

void nk_fstab_entry_free(nk_fstab_entry *e)
{
	free(e->source);
	free(e->target);
	free(e->fstype);
	free(e->options);
	*e = (nk_fstab_entry){0};
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int nk_fstab_parse_line(const char *line, nk_fstab_entry *out, nk_err **err)
{
	*out = (nk_fstab_entry){0};
	char *f[6] = {0};
	size_t nf = 0;
	int r = 1;
	const char *p = line;
	while (is_blank(*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	while (*p && r > 0) {
		const char *start = p;
		while (*p && !is_blank(*p))
			p++;
		if (nf == ARRAY_SIZE(f))
			r = nk_err_set(err, EINVAL, "more than 6 fields");
		else if (!(f[nf++] = field_decode(start, (size_t)(p - start))))
			r = nk_err_set(err, ENOMEM, "fstab line");
		while (is_blank(*p))
			p++;
	}
	if (r > 0 && nf < 3)
		r = nk_err_set(err, EINVAL, "expected \"SOURCE TARGET FSTYPE [OPTIONS [0 0]]\"");
	if (r > 0 && nf == 3 && !(f[3] = strdup("defaults")))
		r = nk_err_set(err, ENOMEM, "fstab line");
	if (r > 0) {
		*out = (nk_fstab_entry){f[0], f[1], f[2], f[3]};
		f[0] = f[1] = f[2] = f[3] = NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		free(f[i]);
	return r;
}

/* LXC's rule: an absolute target names a place under the rootfs; strip that prefix. */
static int target_in_rootfs(const char *rootfs, const char *target, const char **rel, nk_err **err)
{
	if (target[0] != '/') {
		*rel = target;
		return 0;
	}
	size_t n = strlen(rootfs);
	while (n > 1 && rootfs[n - 1] == '/')
		n--;
	if (!strncmp(target, rootfs, n) && (target[n] == '/' || target[n] == '\0')) {
		*rel = target + n;
		return 0;
	}
	return nk_err_set(err, EINVAL, "target %s is not inside the rootfs %s", target, rootfs);
}

static int open_target(int rootfd, const char *rel, enum nk_mount_create create, nk_err **err)
{
	switch (create) {
	case NK_MOUNT_CREATE_DIR: return nk_mkdir_in_root(rootfd, rel, 0755, err);
	case NK_MOUNT_CREATE_FILE: return nk_mkfile_in_root(rootfd, rel, 0644, err);
	default: return nk_open_in_root(rootfd, rel, err);
	}
}

/*
 * rbind,ro: the bind remount changes the top mount only, and a mount below it would stay
 * writable; mount_setattr (Linux 5.12+) adds read-only to the whole tree, nothing else.
 */
static int rdonly_recursive(int mfd, const nk_fstab_entry *e, nk_err **err)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) == 0)
		return 0;
	if (errno != ENOSYS)
		return nk_err_sys(err, "make the mounts under %s read-only", e->target);
	nk_warn("mount entry for %s: the mounts under it stay writable (no mount_setattr)",
	        e->target);
	return 0;
}

/* What happens after the mount itself: the read-only etc. flags of a bind, propagation. */
static int entry_finish(int rootfd, const char *rel, int tfd, const nk_fstab_entry *e,
                        const nk_mount_opts *o, nk_err **err)
{
	bool remount = (o->flags & MS_BIND) && (o->flags & NK_REMOUNT_FLAGS);
	if (!remount && !o->propagation)
		return 0;
	_cleanup_close_ int mfd = nk_reopen_mounted(rootfd, rel, tfd, err);
	if (mfd < 0)
		return mfd;
	char p[NK_FD_PATH_MAX];
	/* A bind ignores every flag but MS_REC: ro, nosuid... need a remount of the new mount. */
	int r = remount ? nk_remount(nk_fd_path(mfd, p), o->flags) : 0;
	if (r < 0)
		return nk_err_set(err, -r, "remount %s", e->target);
	if (remount && (o->flags & MS_REC) && (o->flags & MS_RDONLY))
		r = rdonly_recursive(mfd, e, err);
	if (r < 0)
		return r;
	if (o->propagation && mount(NULL, nk_fd_path(mfd, p), NULL, o->propagation, NULL) < 0)
		return nk_err_sys(err, "set the propagation of %s", e->target);
	return 0;
}

static int entry_remount(int tfd, const nk_fstab_entry *e, const nk_mount_opts *o, nk_err **err)
{
	char p[NK_FD_PATH_MAX];
	int r = (o->flags & MS_BIND)
	            ? nk_remount(nk_fd_path(tfd, p), o->flags)
	            : (mount(NULL, nk_fd_path(tfd, p), NULL, o->flags, o->data) < 0 ? -errno : 0);
	return r < 0 ? nk_err_set(err, -r, "remount %s", e->target) : 0;
}

static int entry_mount(int rootfd, const char *rootfs, const nk_fstab_entry *e,
                       const nk_mount_opts *o, nk_err **err)
{
	const char *rel = NULL;
	int r = target_in_rootfs(rootfs, e->target, &rel, err);
	if (r < 0)
		return r;
	bool bind = o->flags & MS_BIND;
	/* A bind source is a host path: following its symlinks is what the user asked for. */
	_cleanup_close_ int sfd = bind ? open(e->source, O_PATH | O_CLOEXEC) : -1;
	if (bind && sfd < 0)
		return nk_err_sys(err, "bind source %s", e->source);
	_cleanup_close_ int tfd = open_target(rootfd, rel, o->create, err);
	if (tfd < 0)
		return tfd;
	if (o->flags & MS_REMOUNT)
		return entry_remount(tfd, e, o, err);
	if (bind)
		r = nk_bind_fd(sfd, tfd, o->flags & MS_REC);
	else
		r = nk_mount_on_fd(e->source, tfd, e->fstype, o->flags & ~(MS_BIND | MS_REC),
		                   o->data);
	if (r < 0)
		return nk_err_set(err, -r, "mount %s on %s", e->source, e->target);
	return entry_finish(rootfd, rel, tfd, e, o, err);
}

static int err_move(nk_err **dst, nk_err **src, int r)
{
	if (dst && !*dst)
		*dst = TAKE_PTR(*src);
	return r;
}

int nk_mount_entry(int rootfd, const char *rootfs, const char *line, nk_err **err)
{
	_cleanup_(nk_fstab_entry_free) nk_fstab_entry e = {0};
	int r = nk_fstab_parse_line(line, &e, err);
	if (r <= 0)
		return nk_err_wrap(err, r, "mount entry \"%s\"", line);
	_cleanup_(nk_mount_opts_free) nk_mount_opts o = {0};
	r = nk_mount_opts_parse(e.options, &o, err);
	if (r < 0)
		return nk_err_wrap(err, r, "mount entry \"%s\"", line);
	_cleanup_err_ nk_err *e2 = NULL;
	r = entry_mount(rootfd, rootfs, &e, &o, &e2);
	if (r < 0 && o.optional) {
		_cleanup_free_ char *why = nk_err_text(e2);
		nk_notice("optional mount entry \"%s\" skipped: %s", line, why ? why : "");
		return 0;
	}
	if (r < 0)
		return nk_err_wrap(err, err_move(err, &e2, r), "mount entry \"%s\"", line);
	return 0;
}

/* Calls fn on each line of the fstab file, naming file and line in an error. */
static int fstab_each(const char *path, int (*fn)(const char *line, void *ctx), void *ctx,
                      nk_err **err)
{
	_cleanup_free_ char *text = NULL;
	int r = nk_read_file(path, &text, NULL, err);
	if (r < 0)
		return nk_err_wrap(err, r, "lxc.mount.fstab");
	unsigned lineno = 0;
	for (char *l = text, *next; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		r = fn(l, ctx);
		if (r < 0)
			return nk_err_wrap(err, r, "%s:%u", path, lineno);
	}
	return 0;
}

struct entry_ctx {
	int rootfd;
	const char *rootfs;
	nk_err **err;
};

static int entry_cb(const char *line, void *ctx)
{
	struct entry_ctx *c = ctx;
	return nk_mount_entry(c->rootfd, c->rootfs, line, c->err);
}

int nk_mount_fstab_and_entries(const nk_spec *spec, const char *rootfs, nk_err **err)
{
	if (!spec->mount.fstab && !nk_strv_len(spec->mount.entries))
		return 0;
	_cleanup_close_ int rootfd = nk_rootfs_open(rootfs, err);
	if (rootfd < 0)
		return rootfd;
	struct entry_ctx c = {rootfd, rootfs, err};
	if (spec->mount.fstab) {
		int r = fstab_each(spec->mount.fstab, entry_cb, &c, err);
		if (r < 0)
			return r;
	}
	for (char **l = spec->mount.entries; l && *l; l++) {
		int r = nk_mount_entry(rootfd, rootfs, *l, err);
		if (r < 0)
			return nk_err_wrap(err, r, "lxc.mount.entry");
	}
	return 0;
}

static int check_line(const char *line, nk_err **err)
{
	_cleanup_(nk_fstab_entry_free) nk_fstab_entry e = {0};
	int r = nk_fstab_parse_line(line, &e, err);
	if (r <= 0)
		return nk_err_wrap(err, r, "mount entry \"%s\"", line);
	_cleanup_(nk_mount_opts_free) nk_mount_opts o = {0};
	r = nk_mount_opts_parse(e.options, &o, err);
	return r < 0 ? nk_err_wrap(err, r, "mount entry \"%s\"", line) : 0;
}

static int check_cb(const char *line, void *ctx)
{
	return check_line(line, ctx);
}

int nk_mount_check(const nk_spec *spec, nk_err **err)
{
	if (spec->mount.fstab) {
		int r = fstab_each(spec->mount.fstab, check_cb, err, err);
		if (r < 0)
			return r;
	}
	for (char **l = spec->mount.entries; l && *l; l++) {
		int r = check_line(*l, err);
		if (r < 0)
			return nk_err_wrap(err, r, "lxc.mount.entry");
	}
	return 0;
}
