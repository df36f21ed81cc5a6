/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding the hierarchies. /proc/self/cgroup says which hierarchies exist and where the caller
 * sits in each ("ID:controllers:path", "0::path" for v2); /proc/self/mountinfo says where each
 * is mounted in this mount namespace and which cgroup path the mountpoint shows (its root field,
 * not "/" when only a subtree is mounted). A hierarchy is usable when it is mounted and the path
 * we need lies under that mount's root. Controllers are matched as sets, because one v1
 * hierarchy can carry several ("cpu,cpuacct") and mount options mix in non-controllers ("rw",
 * "xattr", "clone_children").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct proc_line {
	char **ctrl; /* empty for v2 */
	char *path;
};

static void proc_lines_free(struct proc_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		nk_strv_free(l[i].ctrl);
		free(l[i].path);
	}
	free(l);
}

static int parse_proc_line(char *line, struct proc_line *out)
{
	char *c1 = strchr(line, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || c2[1] != '/')
		return -EINVAL;
	*c2 = '\0';
	if (cg_split(c1 + 1, ",", &out->ctrl) < 0)
		return -ENOMEM;
	out->path = strdup(c2 + 1);
	return out->path ? 0 : -ENOMEM;
}

/* /proc/PID/cgroup's text as a list; unknown lines are an error since the kernel writes them. */
static int parse_proc_cgroup(const char *text, const char *what, struct proc_line **out, size_t *n,
                             nk_err **err)
{
	_cleanup_free_ char *s = strdup(text);
	if (!s)
		return nk_err_set(err, ENOMEM, "read %s", what);
	struct proc_line *v = NULL;
	size_t cnt = 0;
	for (char *line = s, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct proc_line *nv = reallocarray(v, cnt + 1, sizeof(*v));
		if (!nv) {
			proc_lines_free(v, cnt);
			return nk_err_set(err, ENOMEM, "read %s", what);
		}
		v = nv;
		v[cnt] = (struct proc_line){0};
		int r = parse_proc_line(line, &v[cnt++]);
		if (r < 0) {
			proc_lines_free(v, cnt);
			return nk_err_set(err, -r, "%s: cannot parse \"%s\"", what, line);
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int read_proc_cgroup(const char *file, struct proc_line **out, size_t *n, nk_err **err)
{
	_cleanup_free_ char *s = NULL;
	int r = nk_read_file(file, &s, NULL, err);
	return r < 0 ? r : parse_proc_cgroup(s, file, out, n, err);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

struct mnt {
	char *root, *point, *fstype, *opts;
};

/* Splits one mountinfo line in place; returns false for a line it cannot read. */
static bool parse_mountinfo_line(char *line, struct mnt *m)
{
	char *f[5], *save = NULL, *tok = strtok_r(line, " ", &save);
	for (int i = 0; i < 5; i++, tok = strtok_r(NULL, " ", &save)) {
		if (!tok)
			return false;
		f[i] = tok;
	}
	while (tok && strcmp(tok, "-") != 0) /* optional fields end at "-" */
		tok = strtok_r(NULL, " ", &save);
	m->fstype = strtok_r(NULL, " ", &save);
	strtok_r(NULL, " ", &save); /* source */
	m->opts = strtok_r(NULL, " ", &save);
	if (!tok || !m->fstype || !m->opts)
		return false;
	m->root = f[3];
	m->point = f[4];
	unescape_octal(m->root);
	unescape_octal(m->point);
	return true;
}

/* path is root or below it (component-wise). */
static bool path_under(const char *path, const char *root)
{
	if (!strcmp(root, "/"))
		return path[0] == '/';
	size_t n = strlen(root);
	return !strncmp(path, root, n) && (path[n] == '\0' || path[n] == '/');
}

static bool opts_have_all(const char *opts, char **ctrl)
{
	_cleanup_strv_ char **o = NULL;
	if (cg_split(opts, ",", &o) < 0)
		return false;
	for (char **c = ctrl; c && *c; c++)
		if (!cg_strv_contains(o, *c))
			return false;
	return true;
}

static bool mount_matches(const struct mnt *m, const struct proc_line *l)
{
	if (!l->ctrl[0]) /* the v2 line */
		return !strcmp(m->fstype, "cgroup2");
	return !strcmp(m->fstype, "cgroup") && opts_have_all(m->opts, l->ctrl);
}

static int strv_join(char **v, const char *sep, char **out)
{
	size_t len = 1;
	for (char **p = v; p && *p; p++)
		len += strlen(*p) + strlen(sep);
	char *s = calloc(1, len);
	if (!s)
		return -ENOMEM;
	for (char **p = v; p && *p; p++) {
		if (p != v)
			strcat(s, sep);
		strcat(s, *p);
	}
	*out = s;
	return 0;
}

/* First mount of this hierarchy through which the caller's cgroup is reachable. */
static int find_mount(const char *mountinfo, const struct proc_line *l, struct cg_hier *h)
{
	_cleanup_free_ char *copy = strdup(mountinfo);
	if (!copy)
		return -ENOMEM;
	for (char *line = copy, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct mnt m;
		if (!parse_mountinfo_line(line, &m) || !mount_matches(&m, l))
			continue;
		if (!path_under(l->path, m.root))
			continue;
		h->mountpoint = strdup(m.point);
		h->mount_root = strdup(m.root);
		return h->mountpoint && h->mount_root ? 1 : -ENOMEM;
	}
	return 0;
}

static bool same_hierarchy(const struct proc_line *a, const struct proc_line *b)
{
	size_t na = 0, nb = 0;
	while (a->ctrl[na])
		na++;
	while (b->ctrl[nb])
		nb++;
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!cg_strv_contains(b->ctrl, a->ctrl[i]))
			return false;
	return true;
}

/*
 * PID 1's cgroup, so that every root caller agrees on the base. systemd keeps itself in
 * "/init.scope", a leaf that must not get children, so that suffix is dropped (as LXC does).
 */
static char *init_path_for(const struct proc_line *self, const struct proc_line *init, size_t n,
                           const char *mount_root)
{
	for (size_t i = 0; i < n; i++) {
		if (!same_hierarchy(self, &init[i]))
			continue;
		const char *p = init[i].path;
		/* Outside our cgroup namespace ("/.."), or not under this mount: unusable. */
		if (strstr(p, "/..") || !path_under(p, mount_root))
			return NULL;
		char *copy = strdup(p);
		const char *suffix = "/init.scope";
		size_t len = copy ? strlen(copy) : 0, sl = strlen(suffix);
		if (len >= sl && !strcmp(copy + len - sl, suffix))
			strcpy(copy + len - sl, len == sl ? "/" : "");
		return copy;
	}
	return NULL;
}

void cg_hier_clear(struct cg_hier *h)
{
	free(h->mountpoint);
	free(h->mount_root);
	free(h->controllers);
	nk_strv_free(h->ctrl);
	free(h->self_path);
	free(h->init_path);
	free(h->path);
	free(h->dir);
	if (h->fd >= 0)
		close(h->fd);
	*h = (struct cg_hier){.fd = -1};
}

static int hier_fill(struct cg_hier *h, const struct proc_line *self, const struct proc_line *init,
                     size_t ninit)
{
	h->v2 = !self->ctrl[0];
	for (char **c = self->ctrl; *c; c++)
		if (nk_strv_push(&h->ctrl, *c) < 0)
			return -ENOMEM;
	if (strv_join(self->ctrl, ",", &h->controllers) < 0)
		return -ENOMEM;
	h->self_path = strdup(self->path);
	if (!h->self_path)
		return -ENOMEM;
	h->init_path = init_path_for(self, init, ninit, h->mount_root);
	return 0;
}

void cg_hiers_free(struct cg_hier *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cg_hier_clear(&h[i]);
	free(h);
}

/* One entry per line of /proc/self/cgroup whose hierarchy is mounted here, in order. */
static int build_hiers(const char *mountinfo, const struct proc_line *self, size_t nself,
                       const struct proc_line *init, size_t ninit, struct cg_hier **out, size_t *n)
{
	struct cg_hier *h = calloc(nself ? nself : 1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	size_t cnt = 0;
	for (size_t i = 0; i < nself; i++) {
		h[cnt] = (struct cg_hier){.fd = -1};
		int r = find_mount(mountinfo, &self[i], &h[cnt]);
		if (r > 0)
			r = hier_fill(&h[cnt], &self[i], init, ninit);
		if (r < 0) {
			cg_hiers_free(h, cnt + 1);
			return r;
		}
		if (r == 0 && h[cnt].mountpoint)
			cnt++;
		else
			cg_hier_clear(&h[cnt]);
	}
	*out = h;
	*n = cnt;
	return 0;
}

int cg_hiers_parse(const char *mountinfo, const char *self_cgroup, const char *init_cgroup,
                   struct cg_hier **out, size_t *n, nk_err **err)
{
	struct proc_line *self = NULL, *init = NULL;
	size_t nself = 0, ninit = 0;
	int r = parse_proc_cgroup(self_cgroup, "/proc/self/cgroup", &self, &nself, err);
	if (r < 0)
		return r;
	/* Unusable PID 1 information only moves the base to the mount's root. */
	if (!init_cgroup ||
	    parse_proc_cgroup(init_cgroup, "/proc/1/cgroup", &init, &ninit, NULL) < 0)
		ninit = 0;
	r = build_hiers(mountinfo, self, nself, init, ninit, out, n);
	proc_lines_free(self, nself);
	proc_lines_free(init, ninit);
	if (r < 0)
		return nk_err_set(err, -r, "detect cgroup hierarchies");
	if (*n == 0) {
		free(*out);
		*out = NULL;
		return nk_err_set(err, ENOENT,
		                  "no cgroup file system is mounted (see /proc/self/mountinfo)");
	}
	return 0;
}

int cg_hiers_detect(struct cg_hier **out, size_t *n, nk_err **err)
{
	_cleanup_free_ char *mountinfo = NULL, *self = NULL, *init = NULL;
	int r = nk_read_file("/proc/self/mountinfo", &mountinfo, NULL, err);
	if (r >= 0)
		r = nk_read_file("/proc/self/cgroup", &self, NULL, err);
	if (r < 0)
		return r;
	/* Unreadable (hidepid, no /proc/1): the base falls back to the mount's root. */
	(void)nk_read_file("/proc/1/cgroup", &init, NULL, NULL);
	return cg_hiers_parse(mountinfo, self, init, out, n, err);
}

nk_cg_layout cg_layout_of(const struct cg_hier *h, size_t n)
{
	bool v1 = false, v2 = false;
	for (size_t i = 0; i < n; i++) {
		if (h[i].v2)
			v2 = true;
		else
			v1 = true;
	}
	return v1 && v2 ? NK_CG_LAYOUT_HYBRID : v2 ? NK_CG_LAYOUT_V2 : NK_CG_LAYOUT_V1;
}

const char *nk_cg_layout_name(nk_cg_layout layout)
{
	switch (layout) {
	case NK_CG_LAYOUT_V1: return "v1";
	case NK_CG_LAYOUT_V2: return "v2";
	case NK_CG_LAYOUT_HYBRID: return "hybrid";
	}
	return "unknown";
}

int nk_cgroup_detect(nk_cg_layout *layout, nk_err **err)
{
	struct cg_hier *h = NULL;
	size_t n = 0;
	int r = cg_hiers_detect(&h, &n, err);
	if (r < 0)
		return r;
	*layout = cg_layout_of(h, n);
	cg_hiers_free(h, n);
	return 0;
}

/*
 * /proc/cgroups lists every controller built into the kernel with an "enabled" column, which is 0
 * after cgroup_disable=NAME on the kernel command line. Used only to make errors say why.
 */
const char *cg_kernel_note(const char *controller)
{
	_cleanup_free_ char *s = NULL;
	if (nk_read_file("/proc/cgroups", &s, NULL, NULL) < 0)
		return "";
	size_t len = strlen(controller);
	for (char *line = s, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, controller, len) != 0 || line[len] != '\t')
			continue;
		char *enabled = strrchr(line, '\t');
		return enabled && !strcmp(enabled + 1, "0")
		           ? " (the kernel has it disabled: cgroup_disable= on its command line)"
		           : "";
	}
	return " (the kernel has no such controller)";
}

static bool line_in_hier(const struct proc_line *l, const struct cg_hier *h)
{
	if (h->v2 != !l->ctrl[0])
		return false;
	if (!h->v2) {
		struct proc_line hl = {.ctrl = h->ctrl};
		if (!same_hierarchy(l, &hl))
			return false;
	}
	return path_under(l->path, h->path);
}

bool cg_pid_is_member(const nk_cgroup *cg, pid_t pid)
{
	char file[64];
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	struct proc_line *l = NULL;
	size_t n = 0;
	if (read_proc_cgroup(file, &l, &n, NULL) < 0)
		return false;
	bool member = false;
	for (size_t i = 0; i < n && !member; i++)
		for (size_t j = 0; j < cg->n && !member; j++)
			member = line_in_hier(&l[i], &cg->h[j]);
	proc_lines_free(l, n);
	return member;
}
