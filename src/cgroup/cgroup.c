/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One container's cgroup on every hierarchy: building the paths, creating and removing the
 * directories, attaching processes and writing limits. Layout detection is in detect.c, the
 * version-specific mechanics in v1.c and v2.c, process control in procs.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/*
 * name comes from configuration (lxc.cgroup.dir) and the container's name, so it must stay below
 * the base: relative, no "." or ".." components, no empty ones, nothing but printable ASCII.
 */
static int validate_name(const char *name, nk_err **err)
{
	if (!name || !*name || name[0] == '/' || strlen(name) > 1024)
		return nk_err_set(err, 0, "cgroup name \"%s\" must be a relative path",
		                  name ? name : "");
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return nk_err_set(err, 0, "cgroup name \"%s\": bad character", name);
	_cleanup_strv_ char **comp = NULL;
	if (cg_split(name, "/", &comp) < 0)
		return nk_err_set(err, ENOMEM, "cgroup name %s", name);
	if (strstr(name, "//") || name[strlen(name) - 1] == '/')
		return nk_err_set(err, 0, "cgroup name \"%s\": empty component", name);
	for (char **c = comp; *c; c++)
		if (!strcmp(*c, ".") || !strcmp(*c, ".."))
			return nk_err_set(err, 0, "cgroup name \"%s\": \"%s\" component", name, *c);
	return 0;
}

static char *path_join(const char *a, const char *b)
{
	char *s = NULL;
	size_t la = strlen(a);
	if (asprintf(&s, "%s%s%s", a, la && a[la - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return s;
}

/* The directory that shows cgroup path cgpath on this hierarchy's mount. */
static char *dir_for(const struct cg_hier *h, const char *cgpath)
{
	const char *rel = cgpath;
	if (strcmp(h->mount_root, "/") != 0)
		rel = cgpath + strlen(h->mount_root);
	if (!*rel || !strcmp(rel, "/"))
		return strdup(h->mountpoint);
	char *s = NULL;
	return asprintf(&s, "%s%s", h->mountpoint, rel) < 0 ? NULL : s;
}

static const char *base_path(const struct cg_hier *h, nk_cg_base base)
{
	const char *p = base == NK_CG_BASE_INIT ? h->init_path : h->self_path;
	return p ? p : h->mount_root;
}

/* Detect the hierarchies and compute the cgroup's path and directory on each; creates nothing. */
static int cg_build(nk_cg_base base, const char *name, nk_cgroup **out, nk_err **err)
{
	int r = validate_name(name, err);
	if (r < 0)
		return r;
	_cleanup_cgroup_ nk_cgroup *cg = calloc(1, sizeof(*cg));
	if (!cg || !(cg->name = strdup(name)))
		return nk_err_set(err, ENOMEM, "cgroup %s", name);
	r = cg_hiers_detect(&cg->h, &cg->n, err);
	if (r < 0)
		return r;
	cg->layout = cg_layout_of(cg->h, cg->n);
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		h->path = path_join(base_path(h, base), name);
		h->dir = h->path ? dir_for(h, h->path) : NULL;
		if (!h->dir)
			return nk_err_set(err, ENOMEM, "cgroup %s", name);
		if (h->v2)
			cg->unified = h;
	}
	*out = TAKE_PTR(cg);
	return 0;
}

struct cg_hier *cg_find_v1(const nk_cgroup *cg, const char *controller)
{
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->h[i].v2 && cg_strv_contains(cg->h[i].ctrl, controller))
			return &cg->h[i];
	return NULL;
}

static int read_v2_controllers(nk_cgroup *cg, nk_err **err)
{
	if (!cg->unified || cg->unified->fd < 0)
		return 0;
	struct cg_hier *u = cg->unified;
	int r = cg_read_at(u->fd, u->dir, "cgroup.controllers", &cg->v2_ctrl_str, err);
	if (r < 0)
		return r;
	if (cg_split(cg->v2_ctrl_str, " ", &cg->v2_ctrl) < 0)
		return nk_err_set(err, ENOMEM, "read %s/cgroup.controllers", u->dir);
	return 0;
}

/* Removes the leaf directory on one hierarchy, with whatever the container created below it. */
static int rm_leaf(struct cg_hier *h, nk_err **err)
{
	if (h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
	}
	_cleanup_free_ char *parent = strdup(h->dir);
	if (!parent)
		return nk_err_set(err, ENOMEM, "remove cgroup %s", h->dir);
	char *slash = strrchr(parent, '/');
	*slash = '\0';
	_cleanup_close_ int pfd = cg_open_dir_at(AT_FDCWD, parent);
	if (pfd == -ENOENT)
		return 0;
	if (pfd < 0)
		return nk_err_set(err, -pfd, "open %s", parent);
	return cg_rmdir_tree(pfd, slash + 1, h->dir, err);
}

/*
 * nook's own parent (nook.payload) goes once its last container is gone, so a host with no
 * container keeps no trace of nook. Another container's create may be walking into it right
 * now: rmdir fails then (not empty), or create's mkdir below it fails with ENOENT and create
 * retries (nk_cgroup_create_in).
 */
static void rm_empty_parent(const struct cg_hier *h)
{
	_cleanup_free_ char *parent = strdup(h->dir);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (!slash)
		return;
	*slash = '\0';
	const char *base = strrchr(parent, '/');
	if (base && (strcmp(base + 1, NK_CG_PAYLOAD_DIR) == 0 || strcmp(base + 1, NK_CG_MONITOR_DIR) == 0))
		rmdir(parent);
}

static int open_existing(nk_cgroup *cg, bool *any, nk_err **err)
{
	*any = false;
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		int fd = cg_open_dir_at(AT_FDCWD, h->dir);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return nk_err_set(err, -fd, "open cgroup %s", h->dir);
		h->fd = fd;
		*any = true;
	}
	return 0;
}

/*
 * A cgroup that exists already is either a running container (refuse: never take over its
 * processes or reset its limits) or the leftover of a monitor that died (empty: remove it, since
 * its old limits and sub-cgroups must not leak into the new container).
 */
static int clear_stale(nk_cgroup *cg, nk_err **err)
{
	bool any;
	int r = open_existing(cg, &any, err);
	if (r < 0 || !any)
		return r;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	r = nk_cgroup_pids(cg, &pids, &n, err);
	if (r < 0)
		return r;
	if (n > 0)
		return nk_err_set(err, EBUSY,
		                  "cgroup %s is in use by pid %d (is the container running?)",
		                  cg->name, (int)pids[0]);
	nk_debug("cgroup %s: removing a stale empty cgroup", cg->name);
	for (size_t i = 0; i < cg->n; i++) {
		r = rm_leaf(&cg->h[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One step down the path: mkdir (or reuse) a component and prepare it for children or tasks. */
static int mk_component(struct cg_hier *h, int parentfd, const char *parent, const char *comp,
                        bool leaf, int *outfd, nk_err **err)
{
	_cleanup_free_ char *dir = path_join(parent, comp);
	if (!dir)
		return nk_err_set(err, ENOMEM, "create cgroup %s", h->dir);
	/*
	 * v2 only lets a cgroup's children use the controllers enabled in its subtree_control, and
	 * only a cgroup without processes may enable them (the "no internal processes" rule). The
	 * parents here are the base and nook.payload, which hold no tasks by construction.
	 */
	if (h->v2) {
		int r = cg_v2_enable_controllers(parentfd, parent, err);
		if (r < 0)
			return r;
	}
	if (mkdirat(parentfd, comp, 0755) == 0)
		h->created = leaf;
	else if (errno != EEXIST)
		return nk_err_sys(err, "create cgroup %s", dir);
	_cleanup_close_ int fd = cg_open_dir_at(parentfd, comp);
	if (fd < 0)
		return nk_err_set(err, -fd, "open cgroup %s", dir);
	if (cg_strv_contains(h->ctrl, "cpuset")) {
		int r = cg_v1_cpuset_init(parentfd, parent, fd, dir, err);
		if (r < 0)
			return r;
	}
	*outfd = TAKE_FD(fd);
	return 0;
}

static int mk_hier(nk_cgroup *cg, struct cg_hier *h, nk_cg_base base, nk_err **err)
{
	_cleanup_free_ char *dir = dir_for(h, base_path(h, base));
	_cleanup_strv_ char **comp = NULL;
	if (!dir || cg_split(cg->name, "/", &comp) < 0)
		return nk_err_set(err, ENOMEM, "create cgroup %s", h->dir);
	_cleanup_close_ int fd = cg_open_dir_at(AT_FDCWD, dir);
	if (fd < 0)
		return nk_err_set(err, -fd, "open cgroup %s", dir);
	for (char **c = comp; *c; c++) {
		int child = -1;
		int r = mk_component(h, fd, dir, *c, !c[1], &child, err);
		if (r < 0)
			return r;
		close(fd);
		fd = child;
		char *next = path_join(dir, *c);
		if (!next)
			return nk_err_set(err, ENOMEM, "create cgroup %s", h->dir);
		free(dir);
		dir = next;
	}
	h->fd = TAKE_FD(fd);
	return 0;
}

static void unwind_created(nk_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_err_ nk_err *e = NULL;
		if (cg->h[i].created && rm_leaf(&cg->h[i], &e) < 0)
			nk_warn("%s", e && e->msg ? e->msg : "remove cgroup");
	}
}

int nk_cgroup_create_in(nk_cg_base base, const char *name, nk_cgroup **out, nk_err **err)
{
	_cleanup_cgroup_ nk_cgroup *cg = NULL;
	int r = cg_build(base, name, &cg, err);
	if (r < 0)
		return r;
	r = clear_stale(cg, err);
	for (size_t i = 0; r >= 0 && i < cg->n; i++) {
		/* ENOENT: a parent vanished under us (rm_empty_parent of another container's
		 * destroy); walking the path again recreates it. */
		for (int tries = 0; tries < 3; tries++) {
			r = mk_hier(cg, &cg->h[i], base, err);
			if (r != -ENOENT)
				break;
			nk_err_freep(err);
		}
	}
	if (r >= 0)
		r = read_v2_controllers(cg, err);
	if (r < 0) {
		unwind_created(cg);
		return r;
	}
	for (size_t i = 0; i < cg->n; i++)
		cg->h[i].created = false;
	*out = TAKE_PTR(cg);
	return 0;
}

int nk_cgroup_create(const char *name, nk_cgroup **out, nk_err **err)
{
	return nk_cgroup_create_in(NK_CG_BASE_INIT, name, out, err);
}

/* Keeps the hierarchies where the cgroup exists, so a half-removed one can still be destroyed. */
int nk_cgroup_open_in(nk_cg_base base, const char *name, nk_cgroup **out, nk_err **err)
{
	_cleanup_cgroup_ nk_cgroup *cg = NULL;
	int r = cg_build(base, name, &cg, err);
	if (r < 0)
		return r;
	bool any;
	r = open_existing(cg, &any, err);
	if (r < 0)
		return r;
	if (!any)
		return nk_err_set(err, ENOENT, "cgroup %s does not exist", name);
	size_t j = 0;
	cg->unified = NULL;
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->h[i].fd < 0) {
			cg_hier_clear(&cg->h[i]);
			continue;
		}
		cg->h[j] = cg->h[i];
		if (cg->h[j].v2)
			cg->unified = &cg->h[j];
		j++;
	}
	cg->n = j;
	r = read_v2_controllers(cg, err);
	if (r < 0)
		return r;
	*out = TAKE_PTR(cg);
	return 0;
}

int nk_cgroup_open(const char *name, nk_cgroup **out, nk_err **err)
{
	return nk_cgroup_open_in(NK_CG_BASE_INIT, name, out, err);
}

nk_cg_layout nk_cgroup_layout(const nk_cgroup *cg)
{
	return cg->layout;
}

const char *nk_cgroup_name(const nk_cgroup *cg)
{
	return cg->name;
}

int nk_cgroup_unified_fd(const nk_cgroup *cg)
{
	return cg->unified ? cg->unified->fd : -1;
}

/*
 * Only ever the container's own leaf: nook never writes a pid into a parent's cgroup.procs (or
 * any cgroup outside the container's subtree) on a container's behalf, because moving a task up
 * is exactly how a process would escape its limits, and a pid number handed to us could name
 * someone else's process by the time we write it.
 */
int nk_cgroup_attach(nk_cgroup *cg, pid_t pid, nk_err **err)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		int r = cg_write_at(h->fd, h->dir, "cgroup.procs", buf, err);
		if (r == -EBUSY && h->v2)
			return nk_err_wrap(err, r,
			                   "attach pid %d (cgroup v2 puts processes only in "
			                   "cgroups without enabled subtree controllers)",
			                   (int)pid);
		if (r < 0)
			return nk_err_wrap(err, r, "attach pid %d", (int)pid);
	}
	return 0;
}

int nk_cgroup_enter(nk_cgroup *cg, bool born_in_unified, nk_err **err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->v2 && born_in_unified)
			continue;
		/* v1: "0" in tasks names the calling thread, which the kernel moves without its
		 * threadgroup lock: no RCU grace period to wait for (5 to 15 ms), as cgroup.procs
		 * has. The caller is single-threaded, so that thread is the whole process. */
		int r = cg_write_at(h->fd, h->dir, h->v2 ? "cgroup.procs" : "tasks", "0", err);
		if (r == -EBUSY && h->v2)
			return nk_err_wrap(err, r,
			                   "enter (cgroup v2 puts processes only in cgroups without "
			                   "enabled subtree controllers)");
		if (r < 0)
			return nk_err_wrap(err, r, "enter");
	}
	return 0;
}

const char *nk_cgroup_path(const nk_cgroup *cg, const char *controller)
{
	if (!controller || !*controller || !strcmp(controller, "unified"))
		return cg->unified ? cg->unified->dir : NULL;
	struct cg_hier *h = cg_find_v1(cg, controller);
	if (h)
		return h->dir;
	if (cg->unified && cg_strv_contains(cg->v2_ctrl, controller))
		return cg->unified->dir;
	return NULL;
}

bool nk_cgroup_hier_get(const nk_cgroup *cg, size_t i, nk_cgroup_hier *out)
{
	if (i >= cg->n)
		return false;
	const struct cg_hier *h = &cg->h[i];
	*out = (nk_cgroup_hier){
	    .mountpoint = h->mountpoint,
	    .controllers = h->v2 ? (cg->v2_ctrl_str ? cg->v2_ctrl_str : "") : h->controllers,
	    .dir = h->dir,
	    .rel = h->dir + strlen(h->mountpoint),
	    .path = h->path,
	    .v2 = h->v2,
	};
	return true;
}

/*
 * Delegation to a container's root (cgroup-v2.rst, "Delegation"): the directory and the files
 * that create and populate sub-cgroups. Limit files stay host root's, so the container can
 * organise its processes below its cgroup but never loosen what was set on it.
 */
int nk_cgroup_chown(nk_cgroup *cg, uid_t uid, gid_t gid, nk_err **err)
{
	static const char *const v1_files[] = { "tasks", "cgroup.procs", "cgroup.clone_children" };
	static const char *const v2_files[] = { "cgroup.procs", "cgroup.threads",
						"cgroup.subtree_control" };
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->h[i];
		if (h->fd < 0)
			continue;
		if (fchown(h->fd, uid, gid) < 0)
			return nk_err_sys(err, "chown cgroup %s", h->dir);
		const char *const *files = h->v2 ? v2_files : v1_files;
		for (size_t k = 0; k < 3; k++)
			if (fchownat(h->fd, files[k], uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
				return nk_err_sys(err, "chown cgroup %s/%s", h->dir, files[k]);
	}
	return 0;
}

int nk_cgroup_kill_destroy(nk_cgroup *cg, nk_err **err)
{
	/* Usually nothing is left (init's death took its pid namespace along, or a kill ran
	 * already): one look, then the directories. Only what remains is killed first. */
	_cleanup_err_ nk_err *busy = NULL;
	int r = nk_cgroup_destroy(cg, &busy);
	if (r != -EBUSY) {
		if (r < 0 && err)
			*err = TAKE_PTR(busy);
		return r;
	}
	r = nk_cgroup_kill(cg, SIGKILL, err);
	return r < 0 ? r : nk_cgroup_destroy(cg, err);
}

int nk_cgroup_destroy(nk_cgroup *cg, nk_err **err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = nk_cgroup_pids(cg, &pids, &n, err);
	if (r < 0)
		return nk_err_wrap(err, r, "destroy cgroup %s", cg->name);
	if (n > 0)
		return nk_err_set(err, EBUSY, "destroy cgroup %s: %zu processes remain (pid %d)",
		                  cg->name, n, (int)pids[0]);
	for (size_t i = 0; i < cg->n; i++) {
		r = rm_leaf(&cg->h[i], err);
		if (r < 0)
			return nk_err_wrap(err, r, "destroy cgroup %s", cg->name);
		rm_empty_parent(&cg->h[i]);
	}
	return 0;
}

void nk_cgroup_free(nk_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++)
		cg_hier_clear(&cg->h[i]);
	free(cg->h);
	free(cg->name);
	nk_strv_free(cg->v2_ctrl);
	free(cg->v2_ctrl_str);
	free(cg);
}

void nk_cgroup_freep(nk_cgroup **cg)
{
	nk_cgroup_free(*cg);
	*cg = NULL;
}
