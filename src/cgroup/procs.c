/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The processes inside a cgroup: listing, signalling, killing, freezing, accounting. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/*
 * The union over every hierarchy: normally they agree, but a process that was moved on one
 * hierarchy only (by hand, or an attach that failed half way) must still be found and killed.
 */
int nk_cgroup_pids(nk_cgroup *cg, pid_t **pids, size_t *n, nk_err **err)
{
	struct cg_pidset ps = {0};
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->fd < 0)
			continue;
		int r = cg_collect_pids(h->fd, h->dir, &ps, err);
		if (r < 0) {
			cg_pidset_free(&ps);
			return r;
		}
	}
	cg_pidset_sort_unique(&ps);
	*pids = ps.v;
	*n = ps.n;
	return 0;
}

/*
 * Signal a pid read from cgroup.procs, without ever hitting a process that merely inherited the
 * number. The pidfd pins one process: if the number was recycled before pidfd_open, the
 * membership check below sees the stranger's cgroup and we skip it; if our process dies after
 * the check, the signal goes to the pidfd's dead process, not to the number's next owner.
 */
static int signal_member(const nk_cgroup *cg, pid_t pid, int sig)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0 && errno == ESRCH)
		return 0;
	if (pfd < 0 && errno != ENOSYS)
		return -errno;
	_cleanup_close_ int fd = pfd;
	if (!cg_pid_is_member(cg, pid))
		return 0;
	int r = fd >= 0 ? (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) : kill(pid, sig);
	return r < 0 && errno != ESRCH ? -errno : 0;
}

static int signal_all(nk_cgroup *cg, int sig, size_t *left, nk_err **err)
{
	_cleanup_free_ pid_t *pids = NULL;
	int r = nk_cgroup_pids(cg, &pids, left, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < *left; i++) {
		r = signal_member(cg, pids[i], sig);
		if (r < 0)
			return nk_err_set(err, -r, "signal %d to pid %d in cgroup %s", sig,
			                  (int)pids[i], cg->name);
	}
	return 0;
}

/*
 * The v1 freezer if there is one (what LXC and runc use on v1 and hybrid hosts, so lxc-freeze
 * and lxc-info agree with us), else the v2 core freezer (kernel >= 5.2).
 */
static struct cg_hier *freezer_of(const nk_cgroup *cg, bool *v2)
{
	struct cg_hier *h = cg_find_v1(cg, "freezer");
	*v2 = false;
	if (h)
		return h;
	if (cg->unified && cg_exists_at(cg->unified->fd, "cgroup.freeze")) {
		*v2 = true;
		return cg->unified;
	}
	return NULL;
}

static int freezer_set(nk_cgroup *cg, bool frozen, unsigned timeout_ms, nk_err **err)
{
	bool v2;
	struct cg_hier *h = freezer_of(cg, &v2);
	if (!h)
		return nk_err_set(err, EOPNOTSUPP, "%s cgroup %s: this host has no freezer",
		                  frozen ? "freeze" : "thaw", cg->name);
	return v2 ? cg_v2_freeze(h, frozen, timeout_ms, err)
	          : cg_v1_freeze(h, frozen, timeout_ms, err);
}

int nk_cgroup_freeze(nk_cgroup *cg, bool frozen, nk_err **err)
{
	return freezer_set(cg, frozen, NK_CG_TIMEOUT_MS, err);
}

int nk_cgroup_is_frozen(nk_cgroup *cg, bool *frozen, nk_err **err)
{
	bool v2;
	struct cg_hier *h = freezer_of(cg, &v2);
	if (!h)
		return nk_err_set(err, EOPNOTSUPP, "cgroup %s: this host has no freezer", cg->name);
	return v2 ? cg_v2_is_frozen(h, frozen, err) : cg_v1_is_frozen(h, frozen, err);
}

/*
 * Without cgroup.kill, a process that forks between our read of cgroup.procs and our kill()
 * would survive, so such a round freezes the cgroup first (a frozen task cannot fork), kills what
 * it sees, then thaws. The freeze is best effort: a task stuck in uninterruptible sleep must not
 * stop the kill. With a v1 freezer every round ends by thawing the whole subtree, whoever froze
 * it (us, the user, the container itself): a frozen v1 task does not die of SIGKILL. A frozen v2
 * task does, so there only our own freeze is undone.
 */
static int kill_round(nk_cgroup *cg, bool freeze, size_t *left, nk_err **err)
{
	bool v2 = false, frozen = false;
	struct cg_hier *fz = freezer_of(cg, &v2);
	if (freeze && fz) {
		_cleanup_err_ nk_err *ignored = NULL;
		frozen = freezer_set(cg, true, 1000, &ignored) == 0;
	}
	int r = signal_all(cg, SIGKILL, left, err);
	int t = 0;
	if (fz && !v2)
		t = cg_v1_thaw_tree(fz->fd, fz->dir, r < 0 ? NULL : err);
	else if (frozen)
		t = freezer_set(cg, false, NK_CG_TIMEOUT_MS, r < 0 ? NULL : err);
	return r < 0 ? r : t;
}

static int kill_until_empty(nk_cgroup *cg, bool freeze, nk_err **err)
{
	uint64_t deadline = cg_now_ms() + NK_CG_TIMEOUT_MS;
	for (unsigned ms = 1;; ms = ms < 64 ? ms * 2 : 100) {
		size_t left = 0;
		int r = kill_round(cg, freeze, &left, err);
		if (r < 0)
			return r;
		if (left == 0)
			return 0;
		if (cg_now_ms() > deadline)
			return nk_err_set(err, ETIMEDOUT,
			                  "kill cgroup %s: %zu processes survive SIGKILL", cg->name,
			                  left);
		cg_sleep_ms(ms);
	}
}

/*
 * After cgroup.kill: wait until the unified cgroup says "populated 0" in cgroup.events, rather
 * than sleep between rounds that walk every hierarchy (a round costs about 0.4 ms on a hybrid
 * host). Every process of the cgroup is in its unified part as well (nk_cgroup_attach puts
 * them in every hierarchy), so that is all of them but one moved on a v1 hierarchy alone,
 * which the round that follows still sweeps up. A v1 freezer is thawed first: a frozen v1
 * task does not die of SIGKILL. The kernel wakes poll on cgroup.events at most every 20 ms per
 * file, so the file is read again every millisecond too. Gives up quietly after timeout_ms.
 */
static void wait_unpopulated(nk_cgroup *cg, unsigned timeout_ms)
{
	bool v2;
	struct cg_hier *fz = freezer_of(cg, &v2);
	if (fz && !v2)
		(void)cg_v1_thaw_tree(fz->fd, fz->dir, NULL);
	_cleanup_close_ int fd = openat(cg->unified->fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	uint64_t deadline = cg_now_ms() + timeout_ms;
	char buf[256];
	while (fd >= 0) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0 && errno != EINTR)
			return;
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, "populated 0") || cg_now_ms() > deadline)
			return;
		struct pollfd p = {.fd = fd, .events = POLLPRI};
		(void)poll(&p, 1, 1);
	}
}

int nk_cgroup_kill(nk_cgroup *cg, int sig, nk_err **err)
{
	/* The caller (a monitor) belongs outside what it kills; inside, this would be suicide. */
	if (cg_pid_is_member(cg, getpid()))
		return nk_err_set(err, EDEADLK, "kill cgroup %s: the calling process is inside it",
		                  cg->name);
	if (sig != SIGKILL) {
		size_t n;
		return signal_all(cg, sig, &n, err);
	}
	int r = cg->unified ? cg_v2_kill(cg->unified, err) : -EOPNOTSUPP;
	if (r < 0 && r != -EOPNOTSUPP)
		return r;
	if (r == 0)
		wait_unpopulated(cg, 1000);
	/* After cgroup.kill the rounds only sweep up stragglers, which need no freezing. */
	return kill_until_empty(cg, r < 0, err);
}

static int stat_memory(nk_cgroup *cg, uint64_t *v, nk_err **err)
{
	if (cg->unified && cg_strv_contains(cg->v2_ctrl, "memory"))
		return cg_read_u64_at(cg->unified->fd, cg->unified->dir, "memory.current", v, err);
	struct cg_hier *h = cg_find_v1(cg, "memory");
	return h ? cg_read_u64_at(h->fd, h->dir, "memory.usage_in_bytes", v, err) : 0;
}

/* cpu.stat's usage_usec is core v2 accounting, present even without the cpu controller. */
static int stat_cpu(nk_cgroup *cg, uint64_t *v, nk_err **err)
{
	struct cg_hier *h = cg_find_v1(cg, "cpuacct");
	if (h)
		return cg_read_u64_at(h->fd, h->dir, "cpuacct.usage", v, err);
	return cg->unified ? cg_v2_cpu_usage_ns(cg->unified, v, err) : 0;
}

static int stat_pids(nk_cgroup *cg, uint64_t *v, nk_err **err)
{
	if (cg->unified && cg_strv_contains(cg->v2_ctrl, "pids"))
		return cg_read_u64_at(cg->unified->fd, cg->unified->dir, "pids.current", v, err);
	struct cg_hier *h = cg_find_v1(cg, "pids");
	return h ? cg_read_u64_at(h->fd, h->dir, "pids.current", v, err) : 0;
}

int nk_cgroup_stats_get(nk_cgroup *cg, nk_cgroup_stats *st, nk_err **err)
{
	*st = (nk_cgroup_stats){NK_CG_STAT_UNKNOWN, NK_CG_STAT_UNKNOWN, NK_CG_STAT_UNKNOWN};
	int r = stat_memory(cg, &st->memory_bytes, err);
	if (r >= 0)
		r = stat_cpu(cg, &st->cpu_ns, err);
	if (r >= 0)
		r = stat_pids(cg, &st->pids, err);
	return r < 0 ? nk_err_wrap(err, r, "statistics of cgroup %s", cg->name) : 0;
}
