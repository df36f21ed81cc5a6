/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store/store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nk_config.h"
#include "util/cleanup.h"
#include "util/fs.h"

int nk_name_validate(const char *name, nk_err **err)
{
	if (!name || !*name)
		return nk_err_set(err, EINVAL, "container name is empty");
	size_t n = strlen(name);
	if (n > 64)
		return nk_err_set(err, EINVAL, "container name '%.20s...' is longer than 64 bytes", name);
	if (name[0] == '-' || name[0] == '.')
		return nk_err_set(err, EINVAL, "container name '%s' must not start with '%c'", name, name[0]);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return nk_err_set(err, EINVAL,
					  "container name '%s': only letters, digits, '_', '.' and '-' are allowed",
					  name);
	return 0;
}

static char *join(const char *a, const char *b)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

char *nk_ct_dir(const char *lxcpath, const char *name)
{
	return join(lxcpath, name);
}

char *nk_ct_config_path(const char *lxcpath, const char *name)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s/config", lxcpath, name) < 0)
		return NULL;
	return s;
}

/*
 * $HOME only: the password database would need NSS, which the static nook-monitor (which links
 * this file) cannot load. su, runuser, sudo -i and logins all set HOME.
 */
static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	return h && h[0] == '/' ? h : NULL;
}

/* $VAR/sub when VAR is an absolute path (as the XDG base directory spec wants), else
 * ~/fallback/sub. */
static char *xdg_path(const char *var, const char *fallback, const char *sub)
{
	const char *v = getenv(var), *home;
	char *s = NULL;
	if (v && v[0] == '/')
		return asprintf(&s, "%s/%s", v, sub) < 0 ? NULL : s;
	if (!(home = home_dir()))
		return NULL;
	return asprintf(&s, "%s/%s/%s", home, fallback, sub) < 0 ? NULL : s;
}

const char *nk_default_lxcpath(void)
{
	static char *path;
	if (geteuid() == 0)
		return NK_SYSTEM_LXCPATH;
	if (!path)
		path = xdg_path("XDG_DATA_HOME", ".local/share", "nook");
	return path ? path : NK_SYSTEM_LXCPATH;
}

const char *nk_default_conf(void)
{
	static char *path;
	if (geteuid() == 0)
		return NK_SYSTEM_CONF;
	if (!path)
		path = xdg_path("XDG_CONFIG_HOME", ".config", "nook/default.conf");
	return path ? path : NK_SYSTEM_CONF;
}

/* $XDG_RUNTIME_DIR only when it is ours: su and runuser keep the caller's (/run/user/0). */
static bool runtime_dir_is_ours(const char *dir)
{
	struct stat st;
	return dir && dir[0] == '/' && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid();
}

const char *nk_run_base(void)
{
	static char *path;
	if (geteuid() == 0)
		return NK_SYSTEM_RUN_DIR;
	if (!path) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		int r = runtime_dir_is_ours(xdg) ? asprintf(&path, "%s/nook", xdg)
						 : asprintf(&path, "/tmp/nook-%u", (unsigned)geteuid());
		if (r < 0)
			path = NULL;
	}
	return path ? path : NK_SYSTEM_RUN_DIR;
}

int nk_run_base_check(bool create, nk_err **err)
{
	if (geteuid() == 0)
		return 0;
	const char *base = nk_run_base();
	if (create && mkdir(base, 0700) < 0 && errno != EEXIST)
		return nk_err_sys(err, "mkdir %s", base);
	struct stat st;
	if (lstat(base, &st) < 0) {
		if (errno == ENOENT && !create)
			return -ENOENT;
		return nk_err_sys(err, "stat %s", base);
	}
	/* Sockets and locks in a directory someone else controls could be swapped under us. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return nk_err_set(err, 0,
				  "runtime directory %s is not a directory of uid %u closed to others "
				  "(owner %u, mode %04o): remove it",
				  base, (unsigned)geteuid(), (unsigned)st.st_uid,
				  (unsigned)(st.st_mode & 07777));
	return 0;
}

/* FNV-1a of the canonical lxcpath: short, stable, and two spellings of one path agree. */
static uint64_t lxcpath_hash(const char *lxcpath)
{
	char canon[PATH_MAX];
	const char *p = realpath(lxcpath, canon) ? canon : lxcpath;
	uint64_t h = 1469598103934665603ULL;
	for (; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	return h;
}

char *nk_ct_run_dir(const char *lxcpath, const char *name)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%016llx/%s", NK_RUN_DIR, (unsigned long long)lxcpath_hash(lxcpath), name) < 0)
		return NULL;
	return s;
}

void nk_ct_run_dir_remove(const char *lxcpath, const char *name)
{
	_cleanup_free_ char *dir = nk_ct_run_dir(lxcpath, name);
	_cleanup_free_ char *lock = dir ? join(dir, "lock") : NULL;
	if (!lock)
		return;
	unlink(lock);
	rmdir(dir);
}

bool nk_ct_exists(const char *lxcpath, const char *name)
{
	_cleanup_free_ char *cfg = nk_ct_config_path(lxcpath, name);
	return cfg && nk_path_exists(cfg);
}

static int open_run_file(const char *lxcpath, const char *name, const char *file, bool create,
			 nk_err **err)
{
	_cleanup_free_ char *dir = nk_ct_run_dir(lxcpath, name);
	_cleanup_free_ char *path = dir ? join(dir, file) : NULL;
	if (!path)
		return nk_err_set(err, ENOMEM, "runtime path of %s", name);
	int r = nk_run_base_check(create, err);
	if (r < 0)
		return r;
	if (create) {
		/* 0700: only root (or the rootless user) may look at or take a container's locks
		 * and sockets. */
		r = nk_mkdir_p(dir, 0700, err);
		if (r < 0)
			return r;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return create ? nk_err_sys(err, "open %s", path) : -errno;
	return fd;
}

int nk_ct_lock(const char *lxcpath, const char *name, bool wait, nk_err **err)
{
	_cleanup_close_ int fd = open_run_file(lxcpath, name, "lock", true, err);
	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return nk_err_set(err, EBUSY, "container %s is busy with another command", name);
		return nk_err_sys(err, "lock %s", name);
	}
	return TAKE_FD(fd);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nk_ct_list(const char *lxcpath, char ***names, nk_err **err)
{
	_cleanup_strv_ char **out = NULL;
	_cleanup_closedir_ DIR *d = opendir(lxcpath);
	if (!d) {
		if (errno == ENOENT) {
			*names = calloc(1, sizeof(char *));
			return *names ? 0 : nk_err_set(err, ENOMEM, "list %s", lxcpath);
		}
		return nk_err_sys(err, "open %s", lxcpath);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || nk_name_validate(de->d_name, NULL) < 0)
			continue;
		if (!nk_ct_exists(lxcpath, de->d_name))
			continue;
		if (nk_strv_push(&out, de->d_name) < 0)
			return nk_err_set(err, ENOMEM, "list %s", lxcpath);
	}
	if (!out && !(out = calloc(1, sizeof(char *))))
		return nk_err_set(err, ENOMEM, "list %s", lxcpath);
	qsort(out, nk_strv_len(out), sizeof(char *), cmp_str);
	*names = TAKE_PTR(out);
	return 0;
}

static const char *state_names[] = {
	[NK_STATE_STOPPED] = "STOPPED",   [NK_STATE_STARTING] = "STARTING",
	[NK_STATE_RUNNING] = "RUNNING",   [NK_STATE_STOPPING] = "STOPPING",
	[NK_STATE_ABORTING] = "ABORTING", [NK_STATE_FREEZING] = "FREEZING",
	[NK_STATE_FROZEN] = "FROZEN",     [NK_STATE_THAWED] = "THAWED",
};

const char *nk_ct_state_name(nk_ct_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "UNKNOWN";
}

int nk_ct_state_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (strcasecmp(s, state_names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * The monitor lock is an open-file-description write lock (F_OFD_SETLK) on <rundir>/monitor.
 * Readers only test it (F_OFD_GETLK), so asking for a state never blocks or races a monitor
 * that is taking its lock.
 */
int nk_monitor_lock(int fd, bool wait, bool write)
{
	struct flock fl = { .l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET };
	while (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static bool monitor_alive(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

nk_ct_state nk_ct_get_state(const char *lxcpath, const char *name)
{
	/* A lock nobody holds means no monitor, whatever a stale state file claims. */
	_cleanup_close_ int fd = open_run_file(lxcpath, name, "monitor", false, NULL);
	if (fd < 0 || !monitor_alive(fd))
		return NK_STATE_STOPPED;
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		int st = nk_ct_state_parse(nk_strstrip(buf));
		if (st >= 0)
			return (nk_ct_state)st;
	}
	return NK_STATE_RUNNING;
}

bool nk_ct_monitor_died(const char *lxcpath, const char *name)
{
	_cleanup_close_ int fd = open_run_file(lxcpath, name, "monitor", false, NULL);
	char buf[32] = "";
	if (fd < 0 || monitor_alive(fd) || pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return false;
	return strcmp(nk_strstrip(buf), "STOPPED") != 0;
}

void nk_ct_wait_stopped(const char *lxcpath, const char *name)
{
	_cleanup_close_ int fd = open_run_file(lxcpath, name, "monitor", false, NULL);
	if (fd >= 0)
		nk_monitor_lock(fd, true, false);
}

char *nk_template_find(const char *name, bool lxc_first)
{
	if (!name || !*name)
		return NULL;
	if (strchr(name, '/'))
		return nk_is_executable(name) ? strdup(name) : NULL;
	const char *env = getenv("NOOK_TEMPLATE_DIR");
	const char *nook_dirs[] = { env, NK_TEMPLATE_DIR, NK_SOURCE_TEMPLATE_DIR };
	char *path = NULL;
	for (int pass = 0; pass < 2; pass++) {
		bool lxc_pass = (pass == 0) == lxc_first;
		if (lxc_pass) {
			if (asprintf(&path, "%s/lxc-%s", NK_LXC_TEMPLATE_DIR, name) >= 0 &&
			    nk_is_executable(path))
				return path;
			free(path);
			path = NULL;
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(nook_dirs); i++) {
			if (!nook_dirs[i])
				continue;
			if (asprintf(&path, "%s/nook-%s", nook_dirs[i], name) >= 0 && nk_is_executable(path))
				return path;
			free(path);
			path = NULL;
		}
	}
	return NULL;
}
