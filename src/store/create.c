/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Creating and destroying containers in the store. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/lxc.h"
#include "run/hooks.h"
#include "run/userns_exec.h"
#include "store/store.h"
#include "store/subid.h"
#include "store/unpriv.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* Parses a file on its own so that a bad default.conf or -f is reported before anything exists. */
static int validate_config_file(const char *path, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	if (!spec)
		return nk_err_set(err, ENOMEM, "parse %s", path);
	return nk_lxc_parse_file(spec, path, err);
}

static int append_file(FILE *out, const char *path, const char *what, nk_err **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = nk_read_file(path, &text, &len, err);
	if (r < 0)
		return r;
	fprintf(out, "# From %s %s\n", what, path);
	fwrite(text, 1, len, out);
	if (len && text[len - 1] != '\n')
		fputc('\n', out);
	return 0;
}

static int write_initial_config(const nk_create_opts *o, const char *tpl, const char *cfg,
				const char *rootfs, const nk_unpriv *u, nk_err **err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return nk_err_sys(err, "write %s", cfg);
	fprintf(out, "# Container %s, created by nook", o->name);
	if (tpl) {
		fprintf(out, " with template %s", tpl);
		for (char **a = o->template_args; a && *a; a++)
			fprintf(out, " %s", *a);
	}
	fputc('\n', out);
	int r = 0;
	if (o->default_conf && nk_path_exists(o->default_conf))
		r = append_file(out, o->default_conf, "defaults", err);
	if (r == 0 && o->config_file)
		r = append_file(out, o->config_file, "config", err);
	if (r == 0)
		fprintf(out, "lxc.rootfs.path = dir:%s\nlxc.uts.name = %s\n", rootfs, o->name);
	if (r == 0 && u->n && !u->from_config) {
		_cleanup_free_ char *lines = nk_unpriv_config_lines(u);
		if (!lines)
			r = nk_err_set(err, ENOMEM, "write %s", cfg);
		else
			fprintf(out, "# The container's root is host uid %u, gid %u (nook create)\n%s",
				u->root_uid, u->root_gid, lines);
	}
	fclose(out);
	if (r == 0)
		r = nk_write_file_atomic(cfg, text, len, 0640, err);
	free(text);
	return r;
}

static const char *signame(int sig)
{
	const char *s = sigabbrev_np(sig);
	return s ? s : "unknown signal";
}

/* What the template's process needs once forked. */
struct template_run {
	const nk_create_opts *o;
	const char *tpl;
	char **argv;
	const char *rootfs;
	const char *cfg;
	bool shifted_after; /* nook shifts the tree itself once the template is done */
};

/* In the child (as host root, or as root of the user namespace): becomes the template. */
static int template_exec(void *arg, nk_err **err)
{
	const struct template_run *t = arg;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		if (t->o->quiet)
			dup2(devnull, STDOUT_FILENO);
	}
	setenv("LXC_NAME", t->o->name, 1);
	setenv("LXC_PATH", t->o->lxcpath, 1);
	setenv("LXC_ROOTFS_PATH", t->rootfs, 1);
	setenv("LXC_CONFIG_FILE", t->cfg, 1);
	/* Tells nook's templates not to shift the tree themselves (docs/templates.md). */
	if (t->shifted_after)
		setenv("NOOK_SHIFT_BY_MANAGER", "1", 1);
	execv(t->tpl, t->argv);
	return nk_err_sys(err, "exec template %s", t->tpl);
}

static int push_fmt(char ***argv, const char *fmt, const char *val)
{
	_cleanup_free_ char *arg = NULL;
	if (asprintf(&arg, fmt, val) < 0)
		return -ENOMEM;
	return nk_strv_push(argv, arg);
}

/*
 * The template's arguments: LXC's convention, --mapped-uid/--mapped-gid for an unprivileged
 * container (host root: the host ids of the container's root, which nook's templates read as
 * "shift to"; in a user namespace: the ids the caller has there, LXC's meaning), then the
 * user's.
 */
static char **template_argv(const nk_create_opts *o, const char *tpl, const char *ctdir,
			    const char *rootfs, const nk_unpriv *u, bool rootless)
{
	_cleanup_strv_ char **argv = NULL;
	char mu[16], mg[16];
	int r = nk_strv_push(&argv, tpl);
	if (r == 0)
		r = push_fmt(&argv, "--path=%s", ctdir);
	if (r == 0)
		r = push_fmt(&argv, "--name=%s", o->name);
	if (r == 0)
		r = push_fmt(&argv, "--rootfs=%s", rootfs);
	if (r == 0 && u->n) {
		snprintf(mu, sizeof(mu), "%u", rootless ? u->caller_uid : u->root_uid);
		snprintf(mg, sizeof(mg), "%u", rootless ? u->caller_gid : u->root_gid);
		const char *ids[] = { "--mapped-uid", mu, "--mapped-gid", mg };
		for (size_t i = 0; r == 0 && i < ARRAY_SIZE(ids); i++)
			r = nk_strv_push(&argv, ids[i]);
	}
	for (char **a = o->template_args; r == 0 && a && *a; a++)
		r = nk_strv_push(&argv, *a);
	return r < 0 ? NULL : TAKE_PTR(argv);
}

/*
 * Runs a template with LXC's calling convention; its output passes through as progress. A
 * normal user's template runs as root of a user namespace under the container's maps (and the
 * user's own ids, so that it can append to the config), so the files it makes are the mapped
 * root's; root's runs as host root and nook shifts its tree afterwards.
 */
static int run_template(const nk_create_opts *o, const char *tpl, const char *ctdir,
			const char *rootfs, const char *cfg, const nk_unpriv *u, bool rootless,
			nk_err **err)
{
	_cleanup_strv_ char **argv = template_argv(o, tpl, ctdir, rootfs, u, rootless);
	if (!argv)
		return nk_err_set(err, ENOMEM, "template %s", tpl);
	struct template_run t = { .o = o, .tpl = tpl, .argv = argv, .rootfs = rootfs, .cfg = cfg,
				  .shifted_after = u->n && !rootless };

	/* The template shares our terminal: Ctrl+C must stop it, and then us only after cleanup. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_term, old_hup;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGTERM, &ign, &old_term);
	sigaction(SIGHUP, &ign, &old_hup);
	int status = 0, errfd = -1, r = 0;
	pid_t pid;
	if (rootless) {
		pid = nk_userns_fork(u->ns_maps, u->n_ns, template_exec, &t, &errfd, err);
		if (pid > 0)
			r = nk_userns_reap(pid, errfd, &status, err);
	} else {
		pid = fork();
		if (pid == 0) {
			_cleanup_err_ nk_err *e = NULL;
			template_exec(&t, &e);
			_cleanup_free_ char *text = nk_err_text(e);
			fprintf(stderr, "nook: %s\n", text ? text : "exec template");
			_exit(127);
		}
		if (pid < 0)
			r = nk_err_sys(err, "fork template %s", tpl);
		else
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (pid < 0 || r < 0)
		return nk_err_wrap(err, pid < 0 ? pid : r, "template %s", tpl);
	if (WIFSIGNALED(status))
		return nk_err_set(err, EINTR, "template %s was killed by %s", tpl, signame(WTERMSIG(status)));
	if (WEXITSTATUS(status) != 0)
		return nk_err_set(err, 0, "template %s failed with exit status %d", tpl,
				  WEXITSTATUS(status));
	return 0;
}

/* What a create made so far, so that a failure can take exactly that back. */
struct made {
	char *ctdir;
	char *rootfs;
	bool made_ctdir, made_rootfs;
	bool rootless;
	nk_unpriv u;
};

static void warn_cleanup(nk_err **e)
{
	_cleanup_free_ char *t = nk_err_text(*e);
	nk_warn("cleanup: %s", t);
	nk_err_freep(e);
}

static void undo(struct made *m)
{
	_cleanup_err_ nk_err *e = NULL;
	/* A normal user's template made files of subordinate ids: only root of the namespace
	 * can remove them. Before the template nothing is, so the plain removal is the fallback. */
	if (m->rootless && m->u.n_ns) {
		const char *paths[] = { m->made_rootfs ? m->rootfs : NULL,
					m->made_ctdir ? m->ctdir : NULL };
		if (nk_unpriv_remove(&m->u, paths, ARRAY_SIZE(paths), &e) == 0)
			return;
		nk_err_freep(&e);
	}
	if (m->made_rootfs && nk_rm_rf(m->rootfs, &e) < 0)
		warn_cleanup(&e);
	if (m->made_ctdir && nk_rm_rf(m->ctdir, &e) < 0)
		warn_cleanup(&e);
}

/* The rootfs directory: --dir made absolute, or <ctdir>/rootfs. */
static char *rootfs_path(const nk_create_opts *o, const char *ctdir)
{
	char *p = NULL, cwd[PATH_MAX];
	if (!o->rootfs_dir)
		return asprintf(&p, "%s/rootfs", ctdir) < 0 ? NULL : p;
	if (o->rootfs_dir[0] == '/')
		return strdup(o->rootfs_dir);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return asprintf(&p, "%s/%s", cwd, o->rootfs_dir) < 0 ? NULL : p;
}

/*
 * The config's id maps first (default.conf and -f), then what the create asks for: a normal
 * user's own subordinate ranges, or for root --unprivileged a range of root's. Root's range is
 * chosen and its config written under the user database's lock, so that two creates at once
 * never pick the same range.
 */
static int choose_maps_and_write_config(const nk_create_opts *o, const char *tpl,
					const char *cfg, struct made *m, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	if (!spec)
		return nk_err_set(err, ENOMEM, "create %s", o->name);
	int r = 0;
	if (o->default_conf && nk_path_exists(o->default_conf))
		r = nk_lxc_parse_file(spec, o->default_conf, err);
	if (r == 0 && o->config_file)
		r = nk_lxc_parse_file(spec, o->config_file, err);
	if (r == 0)
		r = nk_unpriv_from_spec(&m->u, spec, true, err);
	if (r < 0)
		return r;
	bool unpriv = m->rootless || o->unprivileged;
	if (m->u.n || !unpriv)
		return write_initial_config(o, tpl, cfg, m->rootfs, &m->u, err);
	if (m->rootless) {
		if ((r = nk_unpriv_rootless(&m->u, err)) < 0)
			return r;
		return write_initial_config(o, tpl, cfg, m->rootfs, &m->u, err);
	}
	if ((r = nk_subid_lock(err)) < 0)
		return r;
	r = nk_unpriv_allocate_root(&m->u, o->lxcpath, err);
	if (r == 0)
		r = write_initial_config(o, tpl, cfg, m->rootfs, &m->u, err);
	nk_subid_unlock();
	return r;
}

static int create_locked(const nk_create_opts *o, const char *tpl, struct made *m, nk_err **err)
{
	if (nk_path_exists(m->ctdir))
		return nk_err_set(err, EEXIST, "container %s already exists in %s", o->name, o->lxcpath);
	if (mkdir(m->ctdir, 0770) < 0)
		return nk_err_sys(err, "mkdir %s", m->ctdir);
	m->made_ctdir = true;
	if (!nk_path_exists(m->rootfs)) {
		int r = nk_mkdir_p(m->rootfs, 0755, err);
		if (r < 0)
			return r;
		m->made_rootfs = true;
	} else if (!nk_is_dir(m->rootfs)) {
		return nk_err_set(err, ENOTDIR, "rootfs %s is not a directory", m->rootfs);
	}
	chmod(m->rootfs, 0755);
	_cleanup_free_ char *cfg = nk_ct_config_path(o->lxcpath, o->name);
	int r = choose_maps_and_write_config(o, tpl, cfg, m, err);
	if (r == 0 && m->rootless && m->u.n)
		r = nk_unpriv_add_caller(&m->u, err);
	if (r < 0)
		return r;
	if (tpl) {
		nk_info("running template %s", tpl);
		r = run_template(o, tpl, m->ctdir, m->rootfs, cfg, &m->u, m->rootless && m->u.n, err);
		if (r < 0)
			return r;
	}
	/* What the template appended must parse too, or the container could never start. */
	r = nk_err_wrap(err, validate_config_file(cfg, err), "config written by the template");
	if (r == 0)
		r = nk_unpriv_hand_over(&m->u, m->ctdir, m->rootfs, m->rootless, err);
	return r;
}

/*
 * A template may say in its first lines that it cannot build a rootfs as root of a user
 * namespace ("# nook: rootless unsupported: WHY"): a normal user is then told at once, before
 * anything is made, instead of after a failed bootstrap.
 */
static int check_template_rootless(const char *tpl, nk_err **err)
{
	_cleanup_fclose_ FILE *f = fopen(tpl, "re");
	char line[512];
	static const char mark[] = "# nook: rootless unsupported:";
	for (int i = 0; f && i < 40 && fgets(line, sizeof(line), f); i++)
		if (nk_str_has_prefix(line, mark))
			return nk_err_set(err, 0,
					  "template %s cannot run rootless (%s); as root, use "
					  "nook create --unprivileged",
					  tpl, nk_strstrip(line + sizeof(mark) - 1));
	return 0;
}

int nk_ct_create(const nk_create_opts *o, nk_err **err)
{
	int r = nk_name_validate(o->name, err);
	if (r < 0)
		return r;
	bool rootless = geteuid() != 0;
	_cleanup_free_ char *tpl = NULL;
	if (o->template) {
		tpl = nk_template_find(o->template, o->lxc_first);
		if (!tpl)
			return nk_err_set(err, ENOENT, "template '%s' not found (looked for nook-%s and lxc-%s)",
					  o->template, o->template, o->template);
		if (rootless && (r = check_template_rootless(tpl, err)) < 0)
			return nk_err_wrap(err, r, "create %s", o->name);
	}
	if (o->default_conf && nk_path_exists(o->default_conf) &&
	    (r = validate_config_file(o->default_conf, err)) < 0)
		return r;
	if (o->config_file && (r = validate_config_file(o->config_file, err)) < 0)
		return r;
	if ((r = nk_mkdir_p(o->lxcpath, 0755, err)) < 0)
		return r;

	_cleanup_close_ int lock = nk_ct_lock(o->lxcpath, o->name, false, err);
	if (lock < 0)
		return lock;
	struct made m = { .ctdir = nk_ct_dir(o->lxcpath, o->name), .rootless = rootless };
	m.rootfs = m.ctdir ? rootfs_path(o, m.ctdir) : NULL;
	if (!m.ctdir || !m.rootfs)
		r = nk_err_set(err, ENOMEM, "create %s", o->name);
	if (r == 0)
		r = create_locked(o, tpl, &m, err);
	if (r < 0) {
		undo(&m);
		nk_unpriv_release(&m.u);
		nk_ct_run_dir_remove(o->lxcpath, o->name);
	}
	nk_unpriv_done(&m.u);
	free(m.ctdir);
	free(m.rootfs);
	return nk_err_wrap(err, r, "create %s", o->name);
}

/* The rootfs directory a config names ("dir:" prefix or a plain path), or NULL. */
static char *config_rootfs(const char *lxcpath, const char *name)
{
	_cleanup_free_ char *cfg = nk_ct_config_path(lxcpath, name);
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	_cleanup_err_ nk_err *e = NULL;
	char *val = NULL;
	if (!cfg || !spec || nk_lxc_parse_file(spec, cfg, &e) < 0 ||
	    nk_lxc_get(spec, "lxc.rootfs.path", &val, &e) < 0)
		return NULL;
	if (nk_str_has_prefix(val, "dir:"))
		memmove(val, val + 4, strlen(val + 4) + 1);
	if (!*val || val[0] != '/') {
		free(val);
		return NULL;
	}
	return val;
}

static int run_destroy_hooks(const char *lxcpath, const char *name, const char *rootfs, nk_err **err)
{
	_cleanup_free_ char *cfg = nk_ct_config_path(lxcpath, name);
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	_cleanup_err_ nk_err *perr = NULL;
	if (!cfg || !spec || nk_lxc_parse_file(spec, cfg, &perr) < 0)
		return 0; /* a config that no longer parses has no hooks to honour */
	nk_hook_ctx hc = { .lxcpath = lxcpath, .name = name, .config = cfg, .rootfs = rootfs };
	return nk_hooks_run(spec, NK_HOOK_DESTROY, &hc, err);
}

/*
 * Removes the trees (NULL entries skipped). A normal user's container with lxc.idmap holds files
 * of subordinate ids: they are removed from inside a user namespace under its maps, as LXC does
 * with lxc-usernsexec.
 */
static int remove_trees(const char *lxcpath, const char *name, const char *const *paths, size_t n,
			nk_err **err)
{
	_cleanup_free_ char *cfg = nk_ct_config_path(lxcpath, name);
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	_cleanup_err_ nk_err *perr = NULL;
	nk_unpriv u = { 0 };
	int r = 0;
	if (geteuid() != 0 && cfg && spec && nk_lxc_parse_file(spec, cfg, &perr) == 0 &&
	    spec->n_idmaps) {
		r = nk_unpriv_from_spec(&u, spec, false, err);
		if (r == 0)
			r = nk_unpriv_add_caller(&u, err);
		if (r == 0)
			r = nk_unpriv_remove(&u, paths, n, err);
		nk_unpriv_done(&u);
		return r;
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		if (paths[i])
			r = nk_rm_rf(paths[i], err);
	return r;
}

int nk_ct_destroy(const char *lxcpath, const char *name, nk_err **err)
{
	int r = nk_name_validate(name, err);
	if (r < 0)
		return r;
	if (!nk_ct_exists(lxcpath, name))
		return nk_err_set(err, ENOENT, "destroy %s: no such container in %s", name, lxcpath);
	_cleanup_close_ int lock = nk_ct_lock(lxcpath, name, false, err);
	if (lock < 0)
		return nk_err_wrap(err, lock, "destroy %s", name);
	if (nk_ct_get_state(lxcpath, name) != NK_STATE_STOPPED)
		return nk_err_set(err, EBUSY, "destroy %s: container is running (stop it, or use -f)", name);
	_cleanup_free_ char *ctdir = nk_ct_dir(lxcpath, name);
	_cleanup_free_ char *rootfs = config_rootfs(lxcpath, name);
	if ((r = run_destroy_hooks(lxcpath, name, rootfs, err)) < 0)
		return nk_err_wrap(err, r, "destroy %s", name);
	/* Refuse before removing anything: a mount left inside would take its source with it. */
	const char *dirs[] = { ctdir, rootfs };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *mp = dirs[i] ? nk_mount_below(dirs[i]) : NULL;
		if (mp)
			return nk_err_set(err, EBUSY, "destroy %s: %s is a mount point; unmount it first", name, mp);
	}
	/* A rootfs outside the container directory (--dir) goes too, as with LXC's dir backend,
	 * but never the host's own root. */
	bool other = rootfs && strcmp(rootfs, "/") != 0 && !nk_str_has_prefix(rootfs, ctdir);
	const char *paths[] = { other ? rootfs : NULL, ctdir };
	if ((r = remove_trees(lxcpath, name, paths, ARRAY_SIZE(paths), err)) < 0)
		return nk_err_wrap(err, r, "destroy %s", name);
	nk_ct_run_dir_remove(lxcpath, name);
	return 0;
}
