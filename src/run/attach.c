/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attach, in three processes:
 *   the caller   stays on the host; puts the helper into the container's cgroup, proxies the pty
 *   the helper   enters the namespaces (not yet the pid ns: that applies to its children),
 *                allocates the pty, forks the command and reports its exit status
 *   the command  a new session in every namespace; identity, capabilities, then exec
 * The helper is not dumpable from the moment it is in the container's namespaces, so a
 * container root cannot ptrace it while it holds host resources (the CVE-2016-8649 class); the
 * command has nothing of the host left when it execs: no fd (all close-on-exec), no host cwd
 * (chdir inside, the CVE-2024-21626 class), no controlling terminal of the caller (TIOCSTI).
 */
#include "run/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "monitor/cmd.h"
#include "run/caps.h"
#include "run/lsm.h"
#include "run/seccomp.h"
#include "run/start.h"
#include "run/userns.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"

#define ALL_NS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

int nk_attach_ns_parse(const char *s, int *mask)
{
	static const struct { const char *n; int f; } names[] = {
		{ "MOUNT", CLONE_NEWNS }, { "PID", CLONE_NEWPID }, { "UTSNAME", CLONE_NEWUTS },
		{ "IPC", CLONE_NEWIPC }, { "USER", CLONE_NEWUSER }, { "NETWORK", CLONE_NEWNET },
		{ "CGROUP", CLONE_NEWCGROUP },
	};
	_cleanup_free_ char *copy = strdup(s);
	char *save = NULL;
	*mask = 0;
	for (char *t = copy ? strtok_r(copy, "|, ", &save) : NULL; t; t = strtok_r(NULL, "|, ", &save)) {
		size_t i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(t, names[i].n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -EINVAL;
		*mask |= names[i].f;
	}
	return *mask ? 0 : -EINVAL;
}

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "nook: attach: %s: %s\n", what, strerror(errno));
	_exit(126);
}

/* The login shell of uid from the container's /etc/passwd, parsed by hand: NSS modules would
 * load the container's libraries into this privileged process. */
static char *login_shell(uid_t uid)
{
	_cleanup_free_ char *text = NULL;
	if (nk_read_file("/etc/passwd", &text, NULL, NULL) < 0)
		return strdup("/bin/sh");
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7] = { 0 };
		int n = 0;
		for (char *p = line; n < 7; n++) {
			f[n] = p;
			if (!(p = strchr(p, ':')))
				break;
			*p++ = '\0';
		}
		if (n == 6 && strtoul(f[2], NULL, 10) == uid && f[6][0] == '/' && access(f[6], X_OK) == 0)
			return strdup(f[6]);
	}
	return strdup("/bin/sh");
}

static void build_env(const nk_attach_opts *o)
{
	if (o->clear_env) {
		const char *term = getenv("TERM");
		_cleanup_free_ char *t = term ? strdup(term) : NULL;
		clearenv();
		if (t)
			setenv("TERM", t, 1);
		setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	}
	setenv("container", "lxc", 1);
	for (char **v = o->setenv; v && *v; v++)
		putenv(*v);
}

static _Noreturn void fail_err(nk_err *err, const char *what)
{
	_cleanup_free_ char *t = nk_err_text(err);
	fprintf(stderr, "nook: attach: %s\n", t ? t : what);
	_exit(126);
}

static _Noreturn void command_main(const nk_attach_opts *o, int slave)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	setsid();
	if (slave >= 0) {
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			die("make the pty the controlling terminal");
		for (int i = 0; i < 3; i++)
			dup2(slave, i);
		if (slave > 2)
			close(slave);
	}
	const nk_spec *s = o->spec;
	gid_t gid = o->gid >= 0 ? (gid_t)o->gid : nk_spec_init_gid(s);
	uid_t uid = o->uid >= 0 ? (uid_t)o->uid : nk_spec_init_uid(s);
	if (chdir(o->cwd ? o->cwd : "/") < 0)
		die(o->cwd ? o->cwd : "chdir /");
	if (!nk_cwd_reachable()) {
		errno = EPERM;
		die("--cwd lies outside the container");
	}
	nk_err *err = NULL;
	/* The container's seccomp profile binds what runs in it, attached or not (as LXC). */
	if (nk_seccomp_load_early(o->seccomp, &err) < 0)
		fail_err(err, "seccomp");
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0)
		die("setgid");
	if (uid != 0)
		prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	if (setresuid(uid, uid, uid) < 0)
		die("setuid");
	if (!o->keep_caps && nk_caps_apply(s, &err) < 0)
		fail_err(err, "capabilities");
	if (nk_lsm_apply(&o->lsm, &err) < 0)
		fail_err(err, "security label");
	if (nk_seccomp_load(o->seccomp, &err) < 0)
		fail_err(err, "seccomp");
	build_env(o);
	_cleanup_free_ char *shell = o->argv ? NULL : login_shell(uid);
	char *sh_argv[] = { shell, NULL };
	char **argv = o->argv ? o->argv : sh_argv;
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die("close_range");
	execvp(argv[0], argv);
	int e = errno;
	fprintf(stderr, "nook: attach: exec %s: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

static int enter_namespaces(pid_t pid, int pidfd, int mask)
{
	if (pidfd >= 0 && setns(pidfd, mask) == 0)
		return 0;
	/* Older kernels: one /proc/PID/ns file at a time, mount last (it changes our /proc view). */
	static const struct { const char *n; int f; } order[] = {
		{ "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
		{ "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
	};
	int fds[7];
	for (int i = 0; i < 7; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/ns/%s", pid, order[i].n);
		fds[i] = (mask & order[i].f) ? open(p, O_RDONLY | O_CLOEXEC) : -1;
		if ((mask & order[i].f) && fds[i] < 0)
			return -errno;
	}
	for (int i = 0; i < 7; i++)
		if (fds[i] >= 0 && (setns(fds[i], order[i].f) < 0 || close(fds[i]) < 0))
			return -errno;
	return 0;
}

static bool other_userns(pid_t pid)
{
	char p[64];
	struct stat a, b;
	snprintf(p, sizeof(p), "/proc/%d/ns/user", pid);
	return stat(p, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 &&
	       (a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

static int open_pty(int *slave)
{
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	if (unlockpt(m) < 0 || (*slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
		close(m);
		return -errno;
	}
	return m;
}

static _Noreturn void helper_main(const nk_attach_opts *o, int sync, pid_t pid, int pidfd,
				  nk_cgroup *cg, bool born)
{
	/* Into the cgroup before it enters anything, so all it forks is accounted and killable;
	 * by itself, so that cgroup v1 makes it wait for no grace period (nk_cgroup_enter). */
	nk_err *cerr = NULL;
	if (cg && nk_cgroup_enter(cg, born, &cerr) < 0)
		fail_err(cerr, "cgroup");
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Only what entering needs: no host fd (the cgroup's, say) may reach the container. */
	int keep[] = { sync, pidfd };
	if (nk_close_fds_except(keep, ARRAY_SIZE(keep)) < 0)
		_exit(126);
	int mask = o->ns_mask ? o->ns_mask : ALL_NS;
	/* An unprivileged container's other namespaces belong to its user namespace: the
	 * command runs as the container's root there, never as the host's. */
	if (other_userns(pid))
		mask |= CLONE_NEWUSER;
	if (enter_namespaces(pid, pidfd, mask) < 0)
		die("enter the container's namespaces");
	nk_err *uerr = NULL;
	if ((mask & CLONE_NEWUSER) && nk_userns_become_root(&uerr) < 0)
		fail_err(uerr, "become root in the container's user namespace");
	/* The command is visible inside the container from its fork until its exec, and a
	 * container root with CAP_SYS_PTRACE can take it over (CVE-2016-8649): it starts with
	 * no capability the container lacks, but those that change its identity. */
	nk_err *err = NULL;
	uint64_t identity = UINT64_C(1) << CAP_SETUID | UINT64_C(1) << CAP_SETGID |
			    UINT64_C(1) << CAP_SETPCAP;
	if (!o->keep_caps && nk_caps_limit(o->spec, identity, &err) < 0)
		fail_err(err, "capabilities");
	if (pidfd >= 0)
		close(pidfd);
	int slave = -1;
	if (o->pty) {
		int m = open_pty(&slave);
		if (m < 0 || nk_send_fds(sync, 'M', &m, 1) < 0) {
			errno = m < 0 ? -m : errno;
			die("allocate a pty in the container");
		}
		close(m);
	}
	close(sync);
	pid_t cmd = fork();
	if (cmd < 0)
		die("fork");
	if (cmd == 0)
		command_main(o, slave);
	if (slave >= 0)
		close(slave);
	int status;
	while (waitpid(cmd, &status, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int nk_attach_spawn(const nk_attach_opts *opts, pid_t *pid, int *master, nk_err **err)
{
	pid_t ipid = -1;
	_cleanup_close_ int pidfd = -1;
	_cleanup_(nk_seccomp_freep) nk_seccomp *sc = NULL;
	nk_attach_opts copy = *opts;
	const nk_attach_opts *o = &copy;
	int r = nk_cmd_init_pid(o->lxcpath, o->name, &ipid, &pidfd, err);
	if (r == 0)
		r = nk_seccomp_prepare(o->spec, &sc, err);
	if (r == 0)
		r = nk_lsm_prepare(o->spec, &copy.lsm, err);
	if (r < 0)
		return r;
	copy.seccomp = sc;
	_cleanup_free_ char *cgname = nk_container_init_cgroup_name(o->lxcpath, o->name, o->spec);
	nk_cgroup *cg = NULL;
	/* A rootless container has no cgroup (see create_cgroups in start.c). */
	bool rootless = geteuid() != 0;
	if (!rootless && (!cgname || (r = nk_cgroup_open(cgname, &cg, err)) < 0))
		return r < 0 ? r : nk_err_set(err, ENOMEM, "cgroup");
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		nk_cgroup_free(cg);
		return nk_err_sys(err, "socketpair");
	}
	/* Born in the unified cgroup when the host has one (no migration there at all). */
	bool born = false;
	pid_t h = -1;
	int cgfd = cg ? nk_cgroup_unified_fd(cg) : -1;
	if (cgfd >= 0) {
		struct clone_args ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
					 .cgroup = (uint64_t)cgfd };
		h = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		born = h >= 0;
	}
	if (!born)
		h = fork();
	if (h == 0) {
		close(sp[0]);
		helper_main(o, sp[1], ipid, pidfd, cg, born);
	}
	close(sp[1]);
	_cleanup_close_ int sync = sp[0];
	if (h < 0)
		r = nk_err_sys(err, "fork");
	if (cg)
		nk_cgroup_free(cg);
	*master = -1;
	char tag = 0;
	if (r == 0 && o->pty && (nk_recv_fds(sync, &tag, master, 1) != 1 || tag != 'M'))
		r = nk_err_set(err, EPROTO, "attach %s: no pty from the container", o->name);
	if (r < 0) {
		if (h > 0) {
			kill(h, SIGKILL);
			waitpid(h, NULL, 0);
		}
		return r;
	}
	*pid = h;
	return 0;
}
