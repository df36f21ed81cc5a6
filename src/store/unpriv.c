/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store/unpriv.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/lxc.h"
#include "conf/value.h"
#include "run/userns.h"
#include "run/userns_exec.h"
#include "store/store.h"
#include "store/subid.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/shift.h"
#include "util/strbuf.h"

void nk_unpriv_done(nk_unpriv *u)
{
	free(u->maps);
	free(u->ns_maps);
	*u = (nk_unpriv){0};
}

static int set_maps(nk_unpriv *u, const nk_idmap *maps, size_t n, nk_err **err)
{
	nk_idmap *copy = calloc(n ? n : 1, sizeof(*copy));
	if (!copy)
		return nk_err_set(err, ENOMEM, "lxc.idmap");
	if (n)
		memcpy(copy, maps, n * sizeof(*copy));
	free(u->maps);
	u->maps = copy;
	u->n = n;
	int64_t ru = nk_idmap_to_host(maps, n, 'u', 0), rg = nk_idmap_to_host(maps, n, 'g', 0);
	u->root_uid = (uint32_t)(ru < 0 ? 0 : ru);
	u->root_gid = (uint32_t)(rg < 0 ? 0 : rg);
	return 0;
}

int nk_unpriv_from_spec(nk_unpriv *u, const nk_spec *spec, bool need_root, nk_err **err)
{
	u->from_config = spec->n_idmaps > 0;
	int r = set_maps(u, spec->idmaps, spec->n_idmaps, err);
	if (r < 0 || !need_root || !u->n)
		return r;
	bool ru = nk_idmap_to_host(u->maps, u->n, 'u', 0) >= 0;
	if (!ru || nk_idmap_to_host(u->maps, u->n, 'g', 0) < 0)
		return nk_err_set(
		    err, EINVAL,
		    "lxc.idmap maps no %s for the container's root: a template cannot "
		    "build its files",
		    !ru ? "uid 0" : "gid 0");
	return 0;
}

/* A u and a g map of size ids from ns 0 at the given host starts. */
static int set_range(nk_unpriv *u, uint32_t ustart, uint32_t gstart, nk_err **err)
{
	const nk_idmap maps[] = {
	    {'u', 0, ustart, NK_SUBID_SIZE},
	    {'g', 0, gstart, NK_SUBID_SIZE},
	};
	return set_maps(u, maps, ARRAY_SIZE(maps), err);
}

static int push_spans(nk_idspan **v, size_t *n, const nk_idmap *maps, size_t nm)
{
	nk_idspan *nv = realloc(*v, (*n + nm + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	for (size_t i = 0; i < nm; i++)
		nv[(*n)++] = (nk_idspan){maps[i].hostid, maps[i].range};
	return 0;
}

/* The lxc.idmap lines of a config that does not parse, read as plain lines. */
static int scan_idmaps(const char *cfg, nk_idspan **v, size_t *n)
{
	_cleanup_free_ char *text = NULL;
	if (nk_read_file(cfg, &text, NULL, NULL) < 0)
		return 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *key = nk_strstrip(l);
		nk_idmap m;
		if ((strcmp(key, "lxc.idmap") == 0 || strcmp(key, "lxc.id_map") == 0) &&
		    nk_idmap_parse(nk_strstrip(eq + 1), &m) == 0 && push_spans(v, n, &m, 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The host ids the containers of lxcpath are mapped to, uids and gids alike. */
static int taken_spans(const char *lxcpath, nk_idspan **out, size_t *nout, nk_err **err)
{
	_cleanup_strv_ char **names = NULL;
	int r = nk_ct_list(lxcpath, &names, err);
	if (r < 0)
		return r;
	nk_idspan *v = NULL;
	size_t n = 0;
	for (char **nm = names; *nm; nm++) {
		_cleanup_free_ char *cfg = nk_ct_config_path(lxcpath, *nm);
		_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
		_cleanup_err_ nk_err *e = NULL;
		if (!cfg || !spec)
			r = -ENOMEM;
		else if (nk_lxc_parse_file(spec, cfg, &e) == 0)
			r = push_spans(&v, &n, spec->idmaps, spec->n_idmaps);
		else /* a broken config still holds its range */
			r = scan_idmaps(cfg, &v, &n);
		if (r < 0) {
			free(v);
			return nk_err_set(err, ENOMEM, "id ranges of %s", lxcpath);
		}
	}
	*out = v;
	*nout = n;
	return 0;
}

int nk_unpriv_allocate_root(nk_unpriv *u, const char *lxcpath, nk_err **err)
{
	_cleanup_free_ nk_idspan *taken = NULL;
	size_t nt = 0;
	uint32_t base;
	bool appended;
	int r = taken_spans(lxcpath, &taken, &nt, err);
	if (r < 0)
		return r;
	r = nk_subid_allocate(NK_SUBUID_FILE, NK_SUBGID_FILE, "root", taken, nt, NK_SUBID_SIZE,
	                      &base, &appended, err);
	if (r < 0)
		return r;
	u->appended = appended;
	if (appended)
		nk_info("appended root:%u:%u to %s and %s", base, NK_SUBID_SIZE, NK_SUBUID_FILE,
		        NK_SUBGID_FILE);
	return set_range(u, base, base, err);
}

void nk_unpriv_release(nk_unpriv *u)
{
	if (!u->appended)
		return;
	_cleanup_err_ nk_err *e = NULL;
	const char *files[] = {NK_SUBUID_FILE, NK_SUBGID_FILE};
	int r = nk_subid_lock(&e);
	if (r == 0) {
		for (size_t i = 0; r == 0 && i < ARRAY_SIZE(files); i++)
			r = nk_subid_remove(files[i], "root", u->root_uid, NK_SUBID_SIZE, &e);
		nk_subid_unlock();
	}
	if (r < 0) {
		_cleanup_free_ char *t = nk_err_text(e);
		nk_warn("cleanup: remove root:%u:%u: %s", u->root_uid, NK_SUBID_SIZE, t);
	}
	u->appended = false;
}

int nk_unpriv_rootless(nk_unpriv *u, nk_err **err)
{
	uid_t uid = geteuid();
	struct passwd *pw = getpwuid(uid);
	char num[16];
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	const char *user = pw ? pw->pw_name : num;
	uint32_t us, gs;
	int r = nk_subid_user_range(NK_SUBUID_FILE, 'u', user, uid, NK_SUBID_SIZE, &us, err);
	if (r == 0)
		r = nk_subid_user_range(NK_SUBGID_FILE, 'g', user, uid, NK_SUBID_SIZE, &gs, err);
	return r < 0 ? r : set_range(u, us, gs, err);
}

/* The ns id host id maps to, or the lowest id the maps leave free (then *add is true). */
static uint32_t caller_nsid(const nk_idmap *m, size_t n, char kind, uint32_t host, bool *add)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].kind == kind && host >= m[i].hostid && host - m[i].hostid < m[i].range) {
			*add = false;
			return m[i].nsid + (host - m[i].hostid);
		}
	uint64_t id = 0;
	for (bool moved = true; moved;) {
		moved = false;
		for (size_t i = 0; i < n; i++)
			if (m[i].kind == kind && id >= m[i].nsid && id - m[i].nsid < m[i].range) {
				id = (uint64_t)m[i].nsid + m[i].range;
				moved = true;
			}
	}
	*add = true;
	return (uint32_t)id;
}

int nk_unpriv_add_caller(nk_unpriv *u, nk_err **err)
{
	nk_idmap *v = calloc(u->n + 2, sizeof(*v));
	if (!v)
		return nk_err_set(err, ENOMEM, "id maps");
	if (u->n)
		memcpy(v, u->maps, u->n * sizeof(*v));
	size_t n = u->n;
	bool add;
	/* The caller's own ids are the ones newuidmap and newgidmap always allow. */
	u->caller_uid = caller_nsid(u->maps, u->n, 'u', getuid(), &add);
	if (add)
		v[n++] = (nk_idmap){'u', u->caller_uid, getuid(), 1};
	u->caller_gid = caller_nsid(u->maps, u->n, 'g', getgid(), &add);
	if (add)
		v[n++] = (nk_idmap){'g', u->caller_gid, getgid(), 1};
	free(u->ns_maps);
	u->ns_maps = v;
	u->n_ns = n;
	return 0;
}

static int shift_rootfs(const nk_unpriv *u, const char *rootfs, nk_err **err)
{
	nk_shift_range ur[u->n + 1], gr[u->n + 1];
	nk_shift_map map = {.uid = ur, .gid = gr};
	for (size_t i = 0; i < u->n; i++) {
		nk_shift_range r = {u->maps[i].nsid, u->maps[i].hostid, u->maps[i].range};
		if (u->maps[i].kind == 'u')
			ur[map.n_uid++] = r;
		else
			gr[map.n_gid++] = r;
	}
	nk_info("shifting %s to %u:%u", rootfs, u->root_uid, u->root_gid);
	return nk_shift_tree(rootfs, &map, err);
}

struct hand_over {
	const char *ctdir;
	const char *rootfs;
	uint32_t caller_gid;
};

/* Inside the namespace: root's rootfs top; the container directory root's, the user's group. */
static int hand_over_fn(void *arg, nk_err **err)
{
	const struct hand_over *h = arg;
	if (lchown(h->rootfs, 0, 0) < 0)
		return nk_err_sys(err, "chown %s", h->rootfs);
	if (chown(h->ctdir, 0, h->caller_gid) < 0)
		return nk_err_sys(err, "chown %s", h->ctdir);
	/* The user keeps editing the config (a temp file and a rename) through the group. */
	if (chmod(h->ctdir, 0770) < 0)
		return nk_err_sys(err, "chmod %s", h->ctdir);
	return 0;
}

int nk_unpriv_hand_over(const nk_unpriv *u, const char *ctdir, const char *rootfs, bool rootless,
                        nk_err **err)
{
	if (!u->n)
		return 0;
	if (rootless) {
		struct hand_over h = {ctdir, rootfs, u->caller_gid};
		return nk_userns_run(u->ns_maps, u->n_ns, hand_over_fn, &h,
		                     "hand the container to its mapped root", err);
	}
	int r = shift_rootfs(u, rootfs, err);
	if (r < 0)
		return r;
	if (chown(ctdir, u->root_uid, u->root_gid) < 0)
		return nk_err_sys(err, "chown %s to %u:%u", ctdir, u->root_uid, u->root_gid);
	return 0;
}

struct remove {
	const char *const *paths;
	size_t n;
};

static int remove_fn(void *arg, nk_err **err)
{
	const struct remove *rm = arg;
	for (size_t i = 0; i < rm->n; i++) {
		int r = rm->paths[i] ? nk_rm_rf(rm->paths[i], err) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

int nk_unpriv_remove(const nk_unpriv *u, const char *const *paths, size_t n, nk_err **err)
{
	struct remove rm = {paths, n};
	return nk_userns_run(u->ns_maps, u->n_ns, remove_fn, &rm,
	                     "remove inside the container's user namespace", err);
}

char *nk_unpriv_config_lines(const nk_unpriv *u)
{
	nk_strbuf b = {0};
	nk_strbuf_append(&b, "");
	for (size_t i = 0; i < u->n; i++) {
		char m[64];
		nk_idmap_format(&u->maps[i], m, sizeof(m));
		nk_strbuf_printf(&b, "lxc.idmap = %s\n", m);
	}
	return nk_strbuf_steal(&b);
}
