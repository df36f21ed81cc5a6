/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/nsshare.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/value.h"
#include "monitor/cmd.h"
#include "util/cleanup.h"

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int open_share(const char *lxcpath, int ns, const char *target, nk_err **err)
{
	char path[PATH_MAX];
	if (target[0] == '/') {
		snprintf(path, sizeof(path), "%s", target);
	} else {
		pid_t pid = 0;
		if (all_digits(target)) {
			pid = (pid_t)strtol(target, NULL, 10);
		} else {
			int r = nk_cmd_init_pid(lxcpath, target, &pid, NULL, err);
			if (r < 0)
				return r;
		}
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, nk_ns_name(ns));
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s", path);
	return fd;
}

int nk_ns_shares_open(const char *lxcpath, const nk_spec *spec, nk_ns_shares *s, nk_err **err)
{
	s->mask = 0;
	for (int ns = 0; ns < NK_NS_MAX; ns++)
		s->fd[ns] = -1;
	for (int ns = 0; ns < NK_NS_MAX; ns++) {
		const char *target = spec->ns.share[ns];
		if (!target || !*target)
			continue;
		/* mnt: the rootfs and /dev are built in a mount namespace of the container's own.
		 * pid: init would have to be forked by a process already in that namespace, and the
		 * monitor must stay in the host's. user: the maps belong to the container's own. */
		if (ns != NK_NS_UTS && ns != NK_NS_IPC && ns != NK_NS_NET && ns != NK_NS_CGROUP) {
			nk_ns_shares_close(s);
			return nk_err_set(err, EINVAL,
					  "lxc.namespace.share.%s: nook can share only net, ipc, uts and cgroup",
					  nk_ns_name(ns));
		}
		int fd = open_share(lxcpath, ns, target, err);
		if (fd < 0) {
			nk_ns_shares_close(s);
			return nk_err_wrap(err, fd, "lxc.namespace.share.%s", nk_ns_name(ns));
		}
		s->fd[ns] = fd;
		s->mask |= nk_ns_clone_flag(ns);
	}
	return 0;
}

int nk_ns_shares_join(const nk_ns_shares *s, nk_err **err)
{
	for (int ns = 0; ns < NK_NS_MAX; ns++)
		if (s->fd[ns] >= 0 && setns(s->fd[ns], nk_ns_clone_flag(ns)) < 0)
			return nk_err_sys(err, "join the %s namespace (lxc.namespace.share.%s)",
					  nk_ns_name(ns), nk_ns_name(ns));
	return 0;
}

void nk_ns_shares_close(nk_ns_shares *s)
{
	for (int ns = 0; ns < NK_NS_MAX; ns++)
		if (s->fd[ns] >= 0) {
			close(s->fd[ns]);
			s->fd[ns] = -1;
		}
}
