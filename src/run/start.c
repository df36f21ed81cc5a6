/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The start sequence. The parent (the monitor) and the child talk over a socketpair, one byte
 * per step, so that each side knows how far the other got:
 *   parent -> child  'U'  (user namespace only) its id maps are written: it may become root
 *   parent -> child  'N'  the container's networks are in place (set up while the child
 *                         mounts: it waits for them only before its first hook, or its sysctls)
 *   child  -> parent 'M'  + SCM_RIGHTS: the pty masters of /dev/console and /dev/tty1..N
 *   child  -> parent 'R'  everything but exec is done
 *   parent -> child  'G'  exec init now
 *   child  -> parent 'E'  + text: a step failed; the child exits
 * After 'G', end of file on the socket (it is O_CLOEXEC) means exec succeeded.
 */
#include "run/start.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/container.h"
#include "run/caps.h"
#include "run/dev.h"
#include "run/hooks.h"
#include "run/limits.h"
#include "run/lsm.h"
#include "run/mount.h"
#include "run/nsshare.h"
#include "run/rootfs.h"
#include "run/seccomp.h"
#include "run/userns.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"
#include "util/log.h"

#define MAX_TTYS (NK_FDPASS_MAX - 1)

static nk_hook_ctx hook_ctx(const nk_start_opts *o, const char *rootfs, pid_t pid, char *cfg)
{
	return (nk_hook_ctx){ .lxcpath = o->lxcpath, .name = o->name, .config = cfg,
			      .rootfs = rootfs, .rootfs_mount = rootfs, .pid = pid };
}

/* ---- the child ---- */

static _Noreturn void child_fail(int sync, nk_err *err, const char *what)
{
	_cleanup_free_ char *text = err ? nk_err_text(err) : NULL;
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "E%s%s%s", what, text ? ": " : "", text ? text : "");
	if (n > 0)
		(void)!write(sync, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	_exit(1);
}

static void child_expect(int sync, char want)
{
	char c = 0;
	ssize_t n;
	do
		n = read(sync, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1 || c != want)
		_exit(1); /* the parent went away or gave up: nothing to report to */
}

/* The console becomes init's controlling terminal and its stdin, stdout and stderr. */
static int child_stdio(const nk_spec *spec, nk_err **err)
{
	if (setsid() < 0)
		return nk_err_sys(err, "setsid");
	const char *dev = spec->console.path && strcmp(spec->console.path, "none") == 0 ? "/dev/null"
											 : "/dev/console";
	int fd = open(dev, O_RDWR | O_NOCTTY);
	if (fd < 0)
		return nk_err_sys(err, "open %s", dev);
	if (strcmp(dev, "/dev/console") == 0 && ioctl(fd, TIOCSCTTY, 0) < 0)
		return nk_err_sys(err, "make /dev/console the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return nk_err_sys(err, "dup2 console");
	if (fd > 2)
		close(fd);
	return 0;
}

static char **build_env(const nk_spec *spec)
{
	char **env = NULL;
	/* "container=lxc": what systemd and other inits look for to know they are in a container. */
	nk_strv_push(&env, "container=lxc");
	nk_strv_push(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	nk_strv_push(&env, "TERM=linux");
	for (char **e = spec->environment; e && *e; e++) {
		if (strchr(*e, '=')) {
			nk_strv_push(&env, *e);
		} else if (getenv(*e)) {
			_cleanup_free_ char *kv = NULL;
			if (asprintf(&kv, "%s=%s", *e, getenv(*e)) >= 0)
				nk_strv_push(&env, kv);
		}
	}
	return env;
}

static char **split_cmd(const char *cmd)
{
	char **argv = NULL;
	_cleanup_free_ char *copy = strdup(cmd);
	char *save = NULL;
	for (char *t = copy ? strtok_r(copy, " \t", &save) : NULL; t; t = strtok_r(NULL, " \t", &save))
		nk_strv_push(&argv, t);
	return argv;
}

static int child_identity(const nk_spec *spec, nk_err **err)
{
	gid_t gid = nk_spec_init_gid(spec);
	uid_t uid = nk_spec_init_uid(spec);
	if (setgroups(spec->init.n_groups, spec->init.groups) < 0)
		return nk_err_sys(err, "setgroups");
	if (setresgid(gid, gid, gid) < 0)
		return nk_err_sys(err, "setgid %u", gid);
	/* Keep the capabilities across a change to a non-root uid; nk_caps_apply sets them. */
	if (uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return nk_err_sys(err, "keep capabilities");
	if (setresuid(uid, uid, uid) < 0)
		return nk_err_sys(err, "setuid %u", uid);
	const char *cwd = spec->init.cwd ? spec->init.cwd : "/";
	if (chdir(cwd) < 0)
		return nk_err_sys(err, "chdir %s", cwd);
	if (!nk_cwd_reachable())
		return nk_err_set(err, EPERM, "lxc.init.cwd %s: outside the container", cwd);
	return 0;
}

/*
 * A rootless monitor may not enter the container's network namespace (setns needs
 * CAP_SYS_ADMIN where the caller lives), so the child raises its loopback itself: the only
 * device a rootless container has.
 */
static int loopback_up(nk_err **err)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { .ifr_name = "lo" };
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return nk_err_sys(err, "read the flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return nk_err_sys(err, "bring lo up");
	return 0;
}

/* Hooks the child runs before its sysctls: with any, it waits for its networks first. */
static bool has_mount_hooks(const nk_spec *spec)
{
	return spec->hooks[NK_HOOK_PRE_MOUNT] || spec->hooks[NK_HOOK_MOUNT] ||
	       spec->hooks[NK_HOOK_AUTODEV];
}

struct child_args {
	const nk_start_opts *o;
	const char *rootfs;
	int sync;
	bool new_cgroupns, new_uts, new_user, new_net, rootless;
	nk_cgroup *enter_cg; /* the cgroup the child moves itself into, or NULL */
	bool born_in_cgroup; /* its unified part already holds the child (CLONE_INTO_CGROUP) */
	nk_seccomp *seccomp; /* parsed on the host: the profile is a host path */
	const nk_ns_shares *shares;
	nk_lsm lsm;
};

static _Noreturn void child_main(struct child_args *a)
{
	const nk_spec *spec = a->o->spec;
	nk_err *err = NULL;
	int sync = a->sync;

	/* The monitor blocks the signals it reads from a signalfd: init must start with none
	 * blocked and every disposition at its default (sysvinit does not reset them itself). */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	/* Die with the monitor: a container must never outlive the process that manages it. */
	prctl(PR_SET_PDEATHSIG, nk_spec_pdeath_signal(spec), 0, 0, 0);
	if (a->new_user) {
		/* Until the parent writes the maps, every id here is the overflow id: nothing can
		 * be created. Then become the namespace's root; the map decides who that is. */
		child_expect(sync, 'U');
		if (nk_userns_become_root(&err) < 0)
			child_fail(sync, err, "lxc.idmap");
		/* A change of uid clears the parent-death signal. */
		prctl(PR_SET_PDEATHSIG, nk_spec_pdeath_signal(spec), 0, 0, 0);
		/* It also made us undumpable, and a rootless monitor (no CAP_SYS_PTRACE) could then
		 * not open our /proc/PID/ns files. Nothing of the container runs yet to take
		 * advantage of dumpable, and exec decides again. */
		if (a->rootless)
			prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
	/*
	 * Into the cgroup, by itself: a thread that moves itself on cgroup v1 ("0" into tasks)
	 * skips the lock whose grace period costs a migration by pid 5 to 20 ms; the unified
	 * hierarchy placed it at birth (CLONE_INTO_CGROUP). It needs the cgroup's fds, which
	 * are closed next. An unprivileged child not born there was moved by the parent.
	 */
	if (a->enter_cg && nk_cgroup_enter(a->enter_cg, a->born_in_cgroup, &err) < 0)
		child_fail(sync, err, "cgroup");
	/* Nothing of the monitor's may come along: its cgroup directory fds, above all, would
	 * be a way back to the host's file system (a cwd of /proc/self/fd/N, CVE-2024-21626). */
	int keep[2 + NK_NS_MAX] = { sync, a->o->exec_fd };
	size_t nkeep = 2;
	for (int ns = 0; ns < NK_NS_MAX; ns++)
		if (a->shares->fd[ns] >= 0)
			keep[nkeep++] = a->shares->fd[ns];
	if (nk_close_fds_except(keep, nkeep) < 0)
		_exit(1);
	if (nk_ns_shares_join(a->shares, &err) < 0)
		child_fail(sync, err, "namespaces");
	if (a->rootless && a->new_net && loopback_up(&err) < 0)
		child_fail(sync, err, "network");
	const char *host = spec->uts_name ? spec->uts_name : a->o->name;
	if (a->new_uts && sethostname(host, strlen(host)) < 0) {
		nk_err_sys(&err, "sethostname %s", host);
		child_fail(sync, err, "hostname");
	}
	_cleanup_free_ char *cfg = nk_ct_config_path(a->o->lxcpath, a->o->name);
	nk_hook_ctx hc = hook_ctx(a->o, a->rootfs, 0, cfg);
	if (nk_rootfs_prepare(spec, a->rootfs, &err) < 0)
		child_fail(sync, err, "rootfs");
	/* A hook may look at the network: it runs with the devices in place, as in LXC. */
	bool net_ready = false;
	if (has_mount_hooks(spec)) {
		child_expect(sync, 'N');
		net_ready = true;
	}
	/* After prepare: mounts are slaves now, so nothing a hook mounts reaches the host. */
	if (nk_hooks_run(spec, NK_HOOK_PRE_MOUNT, &hc, &err) < 0)
		child_fail(sync, err, "hook");
	if (nk_mount_auto(spec, a->rootfs, &err) < 0)
		child_fail(sync, err, "lxc.mount.auto");
	/* autodev's tmpfs first, so entries under /dev (dev/fuse) land on it, not under it */
	if (nk_dev_autodev(spec, a->rootfs, &err) < 0)
		child_fail(sync, err, "/dev");
	if (nk_mount_fstab_and_entries(spec, a->rootfs, &err) < 0)
		child_fail(sync, err, "mounts");

	/* Inside its own cgroup, so that the new cgroup namespace is rooted there. */
	if (a->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		nk_err_sys(&err, "unshare the cgroup namespace");
		child_fail(sync, err, "namespaces");
	}
	if (nk_mount_auto_cgroup(spec, a->rootfs, &err) < 0)
		child_fail(sync, err, "lxc.mount.auto");
	if (nk_hooks_run(spec, NK_HOOK_MOUNT, &hc, &err) < 0)
		child_fail(sync, err, "hook");
	if (nk_spec_autodev(spec) && nk_hooks_run(spec, NK_HOOK_AUTODEV, &hc, &err) < 0)
		child_fail(sync, err, "hook");

	size_t n = 1 + nk_spec_tty_max(spec);
	int masters[MAX_TTYS + 1];
	if (nk_dev_ptys(spec, a->rootfs, masters, n, &err) < 0)
		child_fail(sync, err, "ttys");
	int sendable[MAX_TTYS + 1], ns = 0;
	for (size_t i = 0; i < n; i++)
		if (masters[i] >= 0)
			sendable[ns++] = masters[i];
	/* -1 entries (no console) are told apart by the parent from the config, not the message. */
	if (nk_send_fds(sync, 'M', sendable, (size_t)ns) < 0) {
		nk_err_sys(&err, "pass the tty masters to the monitor");
		child_fail(sync, err, "ttys");
	}
	for (int i = 0; i < ns; i++)
		close(sendable[i]);

	if (nk_rootfs_pivot(a->rootfs, &err) < 0)
		child_fail(sync, err, "pivot_root");
	if (nk_rootfs_finish(spec, &err) < 0)
		child_fail(sync, err, "rootfs");
	/* net.* sysctls may name the container's devices (net.ipv4.conf.eth0.*). */
	if (!net_ready)
		child_expect(sync, 'N');
	if (nk_limits_apply(spec, &err) < 0)
		child_fail(sync, err, "limits");
	if (!a->o->inherit_stdio && child_stdio(spec, &err) < 0)
		child_fail(sync, err, "console");

	_cleanup_strv_ char **argv = a->o->argv ? NULL : split_cmd(nk_spec_init_cmd(spec));
	char **run_argv = a->o->argv ? a->o->argv : argv;
	_cleanup_strv_ char **env = build_env(spec);
	if (!run_argv || !run_argv[0] || !env)
		child_fail(sync, NULL, "init: no command");
	hc.rootfs_mount = "/";
	if (nk_hooks_run(spec, NK_HOOK_START, &hc, &err) < 0)
		child_fail(sync, err, "hook");
	if (nk_lsm_apply(&a->lsm, &err) < 0)
		child_fail(sync, err, "security label");
	/* Only when the capability drop would take away the right to load it (runc's order). */
	if (nk_seccomp_load_early(a->seccomp, &err) < 0)
		child_fail(sync, err, "seccomp");
	if (child_identity(spec, &err) < 0)
		child_fail(sync, err, "init");
	prctl(PR_SET_PDEATHSIG, nk_spec_pdeath_signal(spec), 0, 0, 0);
	if (nk_caps_apply(spec, &err) < 0)
		child_fail(sync, err, "capabilities");
	/* Last before exec: the filter also covers everything nook did not need to do. */
	if (nk_seccomp_load(a->seccomp, &err) < 0)
		child_fail(sync, err, "seccomp");

	/* No host fd may reach init (the CVE-2024-21626 class): everything but 0-2 is marked
	 * close-on-exec, so exec drops it, the sync socket and an exec_fd included. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		nk_err_sys(&err, "close_range");
		child_fail(sync, err, "init");
	}
	if (write(sync, "R", 1) != 1)
		_exit(1);
	child_expect(sync, 'G');
	if (a->o->exec_fd >= 0)
		fexecve(a->o->exec_fd, run_argv, env);
	else
		execvpe(run_argv[0], run_argv, env);
	nk_err_sys(&err, "exec %s", run_argv[0]);
	child_fail(sync, err, "init");
}

/* ---- the parent ---- */

static int recv_masters(int sync, nk_container *c, nk_err **err)
{
	size_t want = 1 + nk_spec_tty_max(c->spec);
	bool console = !(c->spec->console.path && strcmp(c->spec->console.path, "none") == 0);
	size_t expect = want - (console ? 0 : 1);
	char tag = 0;
	int fds[NK_FDPASS_MAX];
	int got = nk_recv_fds(sync, &tag, fds, NK_FDPASS_MAX);
	if (got < 0 || tag != 'M')
		return tag == 'E' ? -EPROTO : nk_err_set(err, EPROTO, "the container's child died early");
	c->masters = calloc(want, sizeof(int));
	if ((size_t)got != expect || !c->masters) {
		for (int i = 0; i < got; i++)
			close(fds[i]);
		return nk_err_set(err, EPROTO, "expected %zu tty masters, got %d", expect, got);
	}
	c->n_masters = want;
	c->masters[0] = -1;
	for (int i = 0; i < got; i++)
		c->masters[i + (console ? 0 : 1)] = fds[i];
	return 0;
}

/* Reads the child's error text after an 'E' (or a protocol break) and fills err with it. */
static int child_error(int sync, nk_err **err)
{
	char buf[1024];
	ssize_t n;
	do
		n = read(sync, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return nk_err_set(err, EPROTO, "the container's child died without saying why");
	buf[n] = '\0';
	const char *msg = buf[0] == 'E' ? buf + 1 : buf;
	return nk_err_set(err, 0, "%s", msg);
}

/* A byte to the child; if it is gone, its own reason is the error. */
static int send_byte(int sync, char c, nk_err **err)
{
	if (write(sync, &c, 1) == 1)
		return 0;
	return errno == EPIPE || errno == ECONNRESET ? child_error(sync, err)
						     : nk_err_sys(err, "sync with the container");
}

static int expect_byte(int sync, char want, nk_err **err)
{
	char c = 0;
	ssize_t n;
	do
		n = recv(sync, &c, 1, MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n == 1 && c == want)
		return read(sync, &c, 1) == 1 ? 0 : nk_err_sys(err, "sync");
	return child_error(sync, err);
}

/*
 * Without device rules of its own, a container may use only the standard nodes: no mknod of
 * a disk, no reading the host's block devices. (LXC's common.conf has the same list but also
 * allows mknod of anything; nook does not.) Without a v1 devices controller the list becomes
 * an eBPF device program on the container's v2 cgroup (src/cgroup/devices_bpf.c).
 */
static const char *const default_devices[] = {
	"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", /* null zero full random urandom */
	"c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",          /* tty console ptmx pts */
	"c 10:229 rwm", "c 10:200 rwm",                                 /* fuse tun */
};

static bool has_device_rules(const nk_spec *s)
{
	for (size_t i = 0; i < s->cgroup.v1.n; i++)
		if (nk_str_has_prefix(s->cgroup.v1.items[i].key, "devices."))
			return true;
	for (size_t i = 0; i < s->cgroup.v2.n; i++)
		if (nk_str_has_prefix(s->cgroup.v2.items[i].key, "devices."))
			return true;
	return false;
}

/* Only a host with neither a v1 devices controller nor a v2 hierarchy gets here. */
static void devices_note(nk_container *c, const nk_err *e)
{
	nk_notice("%s: device access is not restricted: %s", c->name,
	          e && e->msg ? e->msg : "no way to restrict devices on this host");
}

static int apply_default_devices(nk_container *c, nk_err **err)
{
	nk_cg_dev_rule rules[ARRAY_SIZE(default_devices)];
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
		if (nk_cg_dev_rule_parse(default_devices[i], true, &rules[i], err) < 0)
			return -EINVAL;
	_cleanup_err_ nk_err *e = NULL;
	int r = nk_cgroup_devices_apply(c->cg, rules, ARRAY_SIZE(rules), true, &e);
	if (r == -EOPNOTSUPP) {
		devices_note(c, e);
		return 0;
	}
	if (r < 0 && err)
		*err = TAKE_PTR(e);
	return r;
}

static bool kvlist_has_devices(const nk_kvlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (nk_str_has_prefix(l->items[i].key, "devices."))
			return true;
	return false;
}

/*
 * Which of the config's device rules count. LXC configs give them for v1 (lxc.cgroup.devices.*,
 * written to the v1 controller's files) and for v2 (lxc.cgroup2.devices.*, one eBPF program),
 * often both, in the same syntax. The host's kind decides when the config has that set; a config
 * with only the other set gets that one, rather than no restriction at all (it has rules of its
 * own, so the default list does not apply either).
 */
static const nk_kvlist *device_rule_set(const nk_spec *s, bool v1_devices)
{
	const nk_kvlist *own = v1_devices ? &s->cgroup.v1 : &s->cgroup.v2;
	return kvlist_has_devices(own) ? own : v1_devices ? &s->cgroup.v2 : &s->cgroup.v1;
}

/*
 * The device rules of one config set, in order, as one eBPF program. The default is to allow,
 * as for a new v1 cgroup, whose rules start from its parent's (everything, on a host): LXC's
 * configs that mean to restrict open with "devices.deny = a".
 */
static int apply_config_devices(nk_container *c, const char *prefix, const nk_kvlist *set,
                                nk_err **err)
{
	_cleanup_free_ nk_cg_dev_rule *rules = calloc(set->n, sizeof(*rules));
	if (!rules)
		return nk_err_set(err, ENOMEM, "%s.devices", prefix);
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++) {
		const nk_kv *kv = &set->items[i];
		if (!nk_str_has_prefix(kv->key, "devices."))
			continue;
		bool allow = !strcmp(kv->key, "devices.allow");
		if (!allow && strcmp(kv->key, "devices.deny") != 0)
			return nk_err_set(err, 0,
			                  "%s.%s: not a device rule (devices.allow or devices.deny)",
			                  prefix, kv->key);
		int r = nk_cg_dev_rule_parse(kv->value, allow, &rules[n++], err);
		if (r < 0)
			return nk_err_wrap(err, r, "%s.%s", prefix, kv->key);
	}
	_cleanup_err_ nk_err *e = NULL;
	int r = nk_cgroup_devices_apply(c->cg, rules, n, false, &e);
	if (r == -EOPNOTSUPP) {
		devices_note(c, e);
		return 0;
	}
	if (r < 0 && err)
		*err = TAKE_PTR(e);
	return r < 0 ? nk_err_wrap(err, r, "%s.devices", prefix) : 0;
}

static int apply_cgroup_settings(nk_container *c, nk_err **err)
{
	const nk_spec *s = c->spec;
	bool v1_devices = nk_cgroup_path(c->cg, "devices") != NULL;
	const nk_kvlist *devs = has_device_rules(s) ? device_rule_set(s, v1_devices) : NULL;
	int r = 0;
	if (!devs)
		r = apply_default_devices(c, err);
	else if (!v1_devices) /* with a v1 controller: plain writes, in config order, below */
		r = apply_config_devices(c, devs == &s->cgroup.v1 ? "lxc.cgroup" : "lxc.cgroup2",
		                         devs, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->cgroup.v1.n; i++) {
		const nk_kv *kv = &s->cgroup.v1.items[i];
		if (nk_str_has_prefix(kv->key, "devices.") &&
		    (!v1_devices || devs != &s->cgroup.v1))
			continue;
		r = nk_cgroup_set_v1(c->cg, kv->key, kv->value, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < s->cgroup.v2.n; i++) {
		const nk_kv *kv = &s->cgroup.v2.items[i];
		/* Device rules are the one v2 "key" without a file: applied above, or here to the
		 * v1 controller when they are the only rules the config has. */
		if (nk_str_has_prefix(kv->key, "devices.")) {
			if (v1_devices && devs == &s->cgroup.v2) {
				r = nk_cgroup_set_v1(c->cg, kv->key, kv->value, err);
				if (r < 0)
					return r;
			}
			continue;
		}
		r = nk_cgroup_set_v2(c->cg, kv->key, kv->value, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool has_cgroup_settings(const nk_spec *s)
{
	return s->cgroup.v1.n || s->cgroup.v2.n;
}

/*
 * The container's cgroup with its limits, then the child ns/ where init runs. A rootless
 * container gets none: nook has no cgroup of its own to create one in (finding a cgroup
 * systemd delegates to the user is left for later), so it runs in the caller's cgroup with
 * limits refused, and is killed through its pid namespace.
 */
static int create_cgroups(const nk_start_opts *o, nk_container *c, nk_err **err)
{
	if (geteuid() != 0) {
		if (has_cgroup_settings(o->spec))
			return nk_err_set(err, EPERM,
					  "lxc.cgroup: a rootless container has no cgroup of its own, "
					  "so its limits cannot be set");
		return 0;
	}
	int r = nk_cgroup_create(c->cgroup_name, &c->cg, err);
	if (r == 0)
		r = apply_cgroup_settings(c, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *name = nk_container_init_cgroup_name(o->lxcpath, o->name, o->spec);
	if (!name)
		return nk_err_set(err, ENOMEM, "start %s", o->name);
	return nk_cgroup_create(name, &c->init_cg, err);
}

static char *plain_rootfs(const nk_spec *spec, const char *lxcpath, const char *name)
{
	const char *p = spec->rootfs.path;
	char *s = NULL;
	if (!p || !*p)
		return asprintf(&s, "%s/%s/rootfs", lxcpath, name) < 0 ? NULL : s;
	if (nk_str_has_prefix(p, "dir:"))
		p += 4;
	return strdup(p);
}

/*
 * The namespaces to create: all but the user namespace by default; lxc.namespace.clone
 * replaces that set and lxc.namespace.keep removes from it; a network of type none shares
 * the host's network namespace.
 */
static int clone_flags(const nk_spec *s, int shared, int *flags, nk_err **err)
{
	int f = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
	if (s->ns.clone != NK_UNSET)
		f = s->ns.clone;
	if (s->ns.keep != NK_UNSET)
		f &= ~s->ns.keep;
	for (size_t i = 0; i < s->n_nets; i++)
		if (s->nets[i].type == NK_NET_NONE) {
			nk_warn("lxc.net.%u.type = none: the container shares the host's network", s->nets[i].index);
			f &= ~CLONE_NEWNET;
		}
	/* Joined after the clone instead (lxc.namespace.share.*). */
	f &= ~shared;
	/* The rootfs, /dev and pivot_root are set up in a mount namespace of the container's own:
	 * without one they would happen on the host. */
	if (!(f & CLONE_NEWNS))
		return nk_err_set(err, EINVAL, "lxc.namespace: the container needs its own mount namespace");
	/* LXC's rule: maps make an unprivileged container; a user namespace without maps would
	 * leave init as the overflow id, unable to do anything. */
	if (s->n_idmaps)
		f |= CLONE_NEWUSER;
	else if (f & CLONE_NEWUSER)
		return nk_err_set(err, EINVAL, "lxc.namespace.clone: a user namespace needs lxc.idmap");
	*flags = f;
	return 0;
}

/* The child's devices go into its network namespace and are configured there, from here. */
static int setup_networks(const nk_start_opts *o, nk_container *c, int flags, nk_err **err)
{
	/* Rootless: only loopback, which the child raised (loopback_up). */
	if (!c->net || !(flags & CLONE_NEWNET) || geteuid() != 0)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", c->pid);
	_cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return nk_err_sys(err, "open %s", path);
	int r = nk_netc_move(c->net, ns, err);
	if (r == 0)
		r = nk_netc_configure(c->net, ns, err);
	if (r == 0)
		r = nk_netc_scripts_up(c->net, o->name, err);
	return r;
}

/* fork-like clone; with clone3 and CLONE_INTO_CGROUP when the host has a cgroup v2 hierarchy. */
static pid_t clone_into(int flags, nk_cgroup *cg, bool *born_in_cgroup)
{
	int cgfd = cg ? nk_cgroup_unified_fd(cg) : -1;
	if (cgfd >= 0) {
		struct clone_args ca = { .flags = (uint64_t)flags | CLONE_INTO_CGROUP,
					 .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgfd };
		pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid >= 0) {
			*born_in_cgroup = true;
			return pid;
		}
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return -1;
	}
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/*
 * The child waits for its maps before it does anything; its cgroup becomes its root's so an
 * init like systemd can build its own tree below it (never loosen the limits set on it).
 */
static int map_user(const nk_spec *spec, nk_container *c, pid_t pid, int sync, nk_err **err)
{
	int r = nk_userns_write_maps(pid, spec->idmaps, spec->n_idmaps, err);
	if (r < 0)
		return r;
	int64_t uid = nk_idmap_to_host(spec->idmaps, spec->n_idmaps, 'u', 0);
	int64_t gid = nk_idmap_to_host(spec->idmaps, spec->n_idmaps, 'g', 0);
	if (uid < 0 || gid < 0)
		return nk_err_set(err, EINVAL, "lxc.idmap: no mapping for the container's root (id 0)");
	if ((r = nk_userns_path_reachable(c->rootfs, (uid_t)uid, (gid_t)gid, err)) < 0)
		return r;
	if (c->init_cg && (r = nk_cgroup_chown(c->init_cg, (uid_t)uid, (gid_t)gid, err)) < 0)
		return r;
	return send_byte(sync, 'U', err);
}

static int spawn_child(const nk_start_opts *o, nk_container *c, const nk_ns_shares *shares,
		       nk_err **err)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return nk_err_sys(err, "socketpair");
	_cleanup_close_ int sync = sp[0];
	_cleanup_(nk_seccomp_freep) nk_seccomp *sc = NULL;
	struct child_args a = { .o = o, .rootfs = c->rootfs, .sync = sp[1] };
	a.shares = shares;
	int flags = 0, r = clone_flags(o->spec, shares->mask, &flags, err);
	if (r == 0)
		r = nk_seccomp_prepare(o->spec, &sc, err);
	if (r == 0)
		r = nk_lsm_prepare(o->spec, &a.lsm, err);
	if (r < 0) {
		close(sp[1]);
		return r;
	}
	a.seccomp = sc;
	/* The cgroup namespace comes later, from inside the cgroup (see child_main). */
	a.new_cgroupns = flags & CLONE_NEWCGROUP;
	a.new_uts = flags & CLONE_NEWUTS;
	a.new_user = flags & CLONE_NEWUSER;
	a.rootless = geteuid() != 0;
	a.new_net = flags & CLONE_NEWNET;
	flags &= ~CLONE_NEWCGROUP;
	/* No migration by pid, whose write lock costs an RCU grace period: the child is born in
	 * its unified cgroup and moves itself on the v1 hierarchies (child_main). */
	bool born_in_cgroup = false;
	pid_t pid = clone_into(flags, c->init_cg, &born_in_cgroup);
	/* In both processes: clone_into returns in each. A user-namespaced child may not move
	 * itself out of the monitor's cgroup on v2 (that needs write access to the common
	 * parent's cgroup.procs): without CLONE_INTO_CGROUP the parent moves it. */
	bool parent_moves = a.new_user && !born_in_cgroup;
	a.enter_cg = parent_moves ? NULL : c->init_cg;
	a.born_in_cgroup = born_in_cgroup;
	if (pid < 0) {
		close(sp[1]);
		return nk_err_sys(err, "clone the container's init");
	}
	if (pid == 0) {
		close(sp[0]);
		child_main(&a);
	}
	close(sp[1]);
	c->pid = pid;
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* The child waits for 'U' (map_user) before anything, so it is moved before it runs. */
	if (parent_moves && c->init_cg && (r = nk_cgroup_attach(c->init_cg, pid, err)) < 0)
		return r;
	if (a.new_user && (r = map_user(o->spec, c, pid, sync, err)) < 0)
		return r;
	/* The child's network namespace exists from the clone on: its devices are moved and
	 * configured while it mounts its file systems (two cores do both at once). */
	if ((r = setup_networks(o, c, flags, err)) < 0)
		return r;
	if ((r = send_byte(sync, 'N', err)) < 0)
		return r;
	if ((r = recv_masters(sync, c, err)) < 0)
		return r == -EPROTO && !*err ? child_error(sync, err) : r;
	if ((r = expect_byte(sync, 'R', err)) < 0)
		return r;
	_cleanup_free_ char *cfg = nk_ct_config_path(o->lxcpath, o->name);
	nk_hook_ctx hc = hook_ctx(o, c->rootfs, pid, cfg);
	if ((r = nk_hooks_run(o->spec, NK_HOOK_START_HOST, &hc, err)) < 0)
		return r;
	if ((r = send_byte(sync, 'G', err)) < 0)
		return r;
	char ch;
	ssize_t n;
	do
		n = read(sync, &ch, 1);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0; /* the socket closed on exec: init runs */
	return child_error(sync, err);
}

/*
 * A joined network namespace is another's: devices of this container have nowhere to go. A
 * rootless container cannot make any host device (a veth on a bridge needs root on the host).
 */
static int check_net_allowed(const nk_spec *spec, const nk_ns_shares *shares, nk_err **err)
{
	const char *why = geteuid() != 0 ? "a rootless container can only have type empty "
					   "(a network device on the host needs root)"
			  : shares->mask & CLONE_NEWNET ? "the container joins another's network "
							  "(lxc.namespace.share.net); only empty is possible"
							: NULL;
	for (size_t i = 0; why && i < spec->n_nets; i++)
		if (spec->nets[i].type != NK_NET_EMPTY && spec->nets[i].type != NK_NET_NONE)
			return nk_err_set(err, EINVAL, "lxc.net.%u.type: %s", spec->nets[i].index, why);
	return 0;
}

int nk_container_spawn(const nk_start_opts *o, nk_container **out, nk_err **err)
{
	nk_ns_shares shares = { .mask = 0 };
	for (int ns = 0; ns < NK_NS_MAX; ns++)
		shares.fd[ns] = -1;
	nk_container *c = calloc(1, sizeof(*c));
	if (!c)
		return nk_err_set(err, ENOMEM, "start %s", o->name);
	c->lxcpath = o->lxcpath;
	c->name = o->name;
	c->spec = o->spec;
	c->pid = -1;
	c->pidfd = -1;
	c->netns_fd = -1;
	c->rootfs = plain_rootfs(o->spec, o->lxcpath, o->name);
	c->cgroup_name = nk_container_cgroup_name(o->lxcpath, o->name, o->spec);
	int r = 0;
	if (!c->rootfs || !c->cgroup_name)
		r = nk_err_set(err, ENOMEM, "start %s", o->name);
	else if (!nk_is_dir(c->rootfs))
		r = nk_err_set(err, ENOENT, "rootfs %s: no such directory", c->rootfs);
	else if (nk_spec_tty_max(o->spec) > MAX_TTYS)
		r = nk_err_set(err, EINVAL, "lxc.tty.max: at most %d ttys", MAX_TTYS);
	_cleanup_free_ char *cfg = nk_ct_config_path(o->lxcpath, o->name);
	nk_hook_ctx hc = hook_ctx(o, c->rootfs, 0, cfg);
	if (r == 0)
		r = nk_hooks_run(o->spec, NK_HOOK_PRE_START, &hc, err);
	if (r == 0)
		r = create_cgroups(o, c, err);
	if (r == 0)
		r = nk_ns_shares_open(o->lxcpath, o->spec, &shares, err);
	if (r == 0)
		r = check_net_allowed(o->spec, &shares, err);
	if (r == 0)
		r = nk_netc_prepare(o->spec, o->name, &c->net, err);
	if (r == 0)
		r = spawn_child(o, c, &shares, err);
	nk_ns_shares_close(&shares);
	if (r == 0 && (c->phys = nk_netc_phys_records(c->net))) {
		/* Held until stop, so lent devices can be moved back out of it (restore_phys). */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", c->pid);
		c->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (r < 0)
		nk_netc_undo(c->net);
	nk_netc_free(c->net);
	c->net = NULL;
	if (r < 0) {
		_cleanup_err_ nk_err *e2 = NULL;
		nk_container_teardown(c, &e2);
		return r;
	}
	*out = c;
	return 0;
}
