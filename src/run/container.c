/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the monitor needs of a container once it runs: its cgroup's name and its teardown.
 * Kept apart from start.c so that the small static monitor (src/monitor/main.c) links
 * without the start sequence and its libraries.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/start.h"
#include "store/store.h"
#include "util/cleanup.h"

char *nk_container_cgroup_name(const char *lxcpath, const char *name, const nk_spec *spec)
{
	char *s = NULL;
	if (spec->cgroup.dir_container)
		return strdup(spec->cgroup.dir_container);
	if (spec->cgroup.dir)
		return strdup(spec->cgroup.dir);
	/* Containers of another lxcpath may share a name: the run dir's hash keeps them apart. */
	_cleanup_free_ char *run = nk_ct_run_dir(lxcpath, name);
	_cleanup_free_ char *defrun = nk_ct_run_dir(NK_DEFAULT_LXCPATH, name);
	if (!run || !defrun)
		return NULL;
	if (strcmp(run, defrun) == 0)
		return asprintf(&s, "nook.payload/%s", name) < 0 ? NULL : s;
	const char *hash = run + strlen(NK_RUN_DIR) + 1;
	return asprintf(&s, "nook.payload/%.8s-%s", hash, name) < 0 ? NULL : s;
}

/*
 * Limits and device rules sit on the container's cgroup; init runs one level down and the
 * cgroup namespace is rooted there. What the container sees and may write (cgroup:mixed mounts
 * its own cgroup read-write, and root may remount it) is only the child, which can never
 * exceed its parent: a privileged container cannot raise pids.max or re-allow a disk (LXC's
 * lxc.cgroup.dir.container.inner, always on).
 */
char *nk_container_init_cgroup_name(const char *lxcpath, const char *name, const nk_spec *spec)
{
	_cleanup_free_ char *outer = nk_container_cgroup_name(lxcpath, name, spec);
	const char *inner = spec->cgroup.dir_container_inner ? spec->cgroup.dir_container_inner : "ns";
	char *s = NULL;
	return outer && asprintf(&s, "%s/%s", outer, inner) >= 0 ? s : NULL;
}

int nk_container_teardown(nk_container *c, nk_err **err)
{
	int r = 0;
	if (!c)
		return 0;
	if (c->pid > 0) {
		/* Init first: its death takes the whole pid namespace with it. */
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (c->cg) {
		r = nk_cgroup_kill_destroy(c->cg, err);
		nk_cgroup_free(c->cg);
	}
	if (c->init_cg) {
		/* Removed with its parent above: only the handle is left. */
		nk_cgroup_free(c->init_cg);
	}
	for (size_t i = 0; i < c->n_masters; i++)
		if (c->masters[i] >= 0)
			close(c->masters[i]);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->netns_fd >= 0)
		close(c->netns_fd);
	free(c->masters);
	nk_strv_free(c->phys);
	free(c->rootfs);
	free(c->cgroup_name);
	free(c);
	return r;
}
