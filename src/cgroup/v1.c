/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v1 specifics: cpuset initialisation, the freezer, the devices controller. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"

/*
 * A new v1 cpuset starts with empty cpuset.cpus and cpuset.mems, and the kernel refuses to move a
 * task into it (ENOSPC) until both are set. We copy the parent's values into each directory we
 * walk through, rather than setting cgroup.clone_children on the parent: that flag would change
 * how every other program's cgroups under the same parent are created, and the base is not ours.
 * Values an administrator (or an earlier lxc.cgroup.cpuset.cpus) already set are kept.
 */
static int copy_if_empty(int parentfd, const char *parent_dir, int fd, const char *dir,
                         const char *file, nk_err **err)
{
	_cleanup_free_ char *mine = NULL, *parent = NULL;
	int r = cg_read_at(fd, dir, file, &mine, err);
	if (r < 0 || *mine)
		return r;
	r = cg_read_at(parentfd, parent_dir, file, &parent, err);
	if (r < 0)
		return nk_err_wrap(err, r, "initialise cpuset %s", dir);
	if (!*parent)
		return nk_err_set(err, EINVAL, "initialise cpuset %s: the parent's %s is empty",
		                  dir, file);
	return cg_write_at(fd, dir, file, parent, err);
}

int cg_v1_cpuset_init(int parentfd, const char *parent_dir, int fd, const char *dir, nk_err **err)
{
	int r = copy_if_empty(parentfd, parent_dir, fd, dir, "cpuset.cpus", err);
	if (r >= 0)
		r = copy_if_empty(parentfd, parent_dir, fd, dir, "cpuset.mems", err);
	return r;
}

static int read_state(struct cg_hier *h, char **state, nk_err **err)
{
	return cg_read_at(h->fd, h->dir, "freezer.state", state, err);
}

/*
 * Writing FROZEN starts freezing; the state reads FREEZING until every task is stopped. A task
 * that could not be frozen yet is retried by writing FROZEN again, as the kernel documents. On
 * timeout we thaw rather than leave a half-frozen container that neither runs nor stops.
 */
int cg_v1_freeze(struct cg_hier *h, bool frozen, unsigned timeout_ms, nk_err **err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	uint64_t deadline = cg_now_ms() + timeout_ms;
	for (unsigned ms = 1;; ms = ms < 64 ? ms * 2 : 100) {
		int r = cg_write_at(h->fd, h->dir, "freezer.state", want, err);
		if (r < 0)
			return r;
		_cleanup_free_ char *state = NULL;
		r = read_state(h, &state, err);
		if (r < 0)
			return r;
		if (!strcmp(state, want))
			return 0;
		if (cg_now_ms() > deadline)
			break;
		cg_sleep_ms(ms);
	}
	if (frozen)
		(void)cg_write_at(h->fd, h->dir, "freezer.state", "THAWED", NULL);
	return nk_err_set(err, ETIMEDOUT, "%s %s: not %s after %u ms", frozen ? "freeze" : "thaw",
	                  h->dir, want, timeout_ms);
}

int cg_v1_is_frozen(struct cg_hier *h, bool *frozen, nk_err **err)
{
	_cleanup_free_ char *state = NULL;
	int r = read_state(h, &state, err);
	if (r < 0)
		return r;
	*frozen = !strcmp(state, "FROZEN");
	return 0;
}

/*
 * The v1 devices controller keeps a default (allow or deny everything) plus exceptions. "a"
 * written to devices.deny switches to deny-by-default and clears the exceptions; the kernel only
 * accepts that while the cgroup has no children, which holds before the container starts.
 */
int cg_v1_devices_apply(struct cg_hier *h, const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                        nk_err **err)
{
	int r =
	    cg_write_at(h->fd, h->dir, default_deny ? "devices.deny" : "devices.allow", "a", err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char buf[NK_CG_DEV_RULE_MAX];
		const char *rule = nk_cg_dev_rule_format(&rules[i], buf, sizeof(buf));
		r = cg_write_at(h->fd, h->dir, rules[i].allow ? "devices.allow" : "devices.deny",
		                rule, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Thaw dir and every cgroup below it. A v1 task that is frozen does not die of SIGKILL until it
 * is thawed, and thawing a parent leaves alone a child that was frozen on its own (a container
 * with a writable cgroup tree can freeze its sub-cgroups), so killing needs the whole subtree.
 */
static int thaw_one(int fd, const char *dir, void *data, nk_err **err)
{
	return cg_write_at(fd, dir, "freezer.state", "THAWED", err);
}

int cg_v1_thaw_tree(int fd, const char *dir, nk_err **err)
{
	return cg_walk_tree(fd, dir, thaw_one, NULL, err);
}
