/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v2 specifics: delegating controllers, the core freezer, cgroup.kill, cpu.stat. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/log.h"

/*
 * Enable, in dir's cgroup.subtree_control, every controller dir itself has, so the children we
 * create (and the container's own sub-cgroups) can be limited. One write per controller: one
 * that cannot be enabled (EBUSY when dir holds processes and is not the root, as the "no
 * internal processes" rule says) must not keep the others off. Failures are warnings: the
 * container can still run, and a limit on a missing controller fails later, naming the key.
 */
int cg_v2_enable_controllers(int fd, const char *dir, nk_err **err)
{
	_cleanup_free_ char *avail = NULL, *enabled = NULL;
	_cleanup_strv_ char **a = NULL, **e = NULL;
	int r = cg_read_at(fd, dir, "cgroup.controllers", &avail, err);
	if (r >= 0)
		r = cg_read_at(fd, dir, "cgroup.subtree_control", &enabled, err);
	if (r < 0)
		return r;
	if (cg_split(avail, " ", &a) < 0 || cg_split(enabled, " ", &e) < 0)
		return nk_err_set(err, ENOMEM, "read %s/cgroup.controllers", dir);
	for (char **c = a; *c; c++) {
		if (cg_strv_contains(e, *c))
			continue;
		char buf[64];
		snprintf(buf, sizeof(buf), "+%s", *c);
		_cleanup_err_ nk_err *werr = NULL;
		if (cg_write_at(fd, dir, "cgroup.subtree_control", buf, &werr) < 0)
			nk_warn("cgroup v2 controller %s stays off below %s: %s", *c, dir,
			        werr && werr->errnum ? strerror(werr->errnum) : "write failed");
	}
	return 0;
}

static int read_events(struct cg_hier *h, const char *key, uint64_t *v, nk_err **err)
{
	int r = cg_read_keyed_at(h->fd, h->dir, "cgroup.events", key, v, err);
	if (r == -ENODATA)
		return nk_err_set(err, EOPNOTSUPP, "%s/cgroup.events has no \"%s\"", h->dir, key);
	return r;
}

/*
 * cgroup.freeze asks; cgroup.events' "frozen" reports when every task has stopped. Unlike the
 * v1 freezer, a frozen v2 task still dies of SIGKILL. On timeout we thaw, as on v1.
 */
int cg_v2_freeze(struct cg_hier *h, bool frozen, unsigned timeout_ms, nk_err **err)
{
	int r = cg_write_at(h->fd, h->dir, "cgroup.freeze", frozen ? "1" : "0", err);
	if (r < 0)
		return r;
	uint64_t deadline = cg_now_ms() + timeout_ms;
	for (unsigned ms = 1;; ms = ms < 64 ? ms * 2 : 100) {
		uint64_t v;
		r = read_events(h, "frozen", &v, err);
		if (r < 0)
			return r;
		if ((v != 0) == frozen)
			return 0;
		if (cg_now_ms() > deadline)
			break;
		cg_sleep_ms(ms);
	}
	if (frozen)
		(void)cg_write_at(h->fd, h->dir, "cgroup.freeze", "0", NULL);
	return nk_err_set(err, ETIMEDOUT, "%s %s: not %s after %u ms", frozen ? "freeze" : "thaw",
	                  h->dir, frozen ? "frozen" : "thawed", timeout_ms);
}

int cg_v2_is_frozen(struct cg_hier *h, bool *frozen, nk_err **err)
{
	uint64_t v;
	int r = read_events(h, "frozen", &v, err);
	if (r < 0)
		return r;
	*frozen = v != 0;
	return 0;
}

/* One write kills the whole subtree, atomically with respect to fork (kernel >= 5.14). */
int cg_v2_kill(struct cg_hier *h, nk_err **err)
{
	if (!cg_exists_at(h->fd, "cgroup.kill"))
		return -EOPNOTSUPP;
	return cg_write_at(h->fd, h->dir, "cgroup.kill", "1", err);
}

int cg_v2_cpu_usage_ns(struct cg_hier *h, uint64_t *ns, nk_err **err)
{
	uint64_t usec;
	int r = cg_read_keyed_at(h->fd, h->dir, "cpu.stat", "usage_usec", &usec, err);
	if (r == -ENODATA) /* no such key: leave the statistic unknown */
		return 0;
	if (r < 0)
		return r;
	*ns = usec * 1000;
	return 0;
}
