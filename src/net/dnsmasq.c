/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/dnsmasq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/parse.h"

static char *pidfile_path(const char *name)
{
	return nk_net_path(NK_NET_RUNDIR, "%s/dnsmasq.pid", name);
}

/* ---- finding our dnsmasq ---- */

static bool same_netns(pid_t pid)
{
	char path[64];
	struct stat ours, theirs;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return stat("/proc/self/ns/net", &ours) == 0 && stat(path, &theirs) == 0 &&
	       ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

static bool has_arg(pid_t pid, const char *want)
{
	char path[64];
	_cleanup_free_ char *cmdline = NULL;
	size_t len;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (nk_read_file(path, &cmdline, &len, NULL) < 0)
		return false;
	for (size_t off = 0; off < len; off += strlen(cmdline + off) + 1)
		if (strcmp(cmdline + off, want) == 0)
			return true;
	return false;
}

/*
 * A pid file outlives its process and pids are reused: the pid is ours only if it runs
 * dnsmasq, with this pid file, in this network namespace (another netns may run a network
 * of the same name with its own rundir, and must never be signalled from here).
 */
static bool is_our_dnsmasq(pid_t pid, const char *pidfile)
{
	char path[64], exe[4096];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	const char *base = strrchr(exe, '/');
	_cleanup_free_ char *arg = NULL;
	if (!base || strncmp(base + 1, "dnsmasq", 7) != 0 ||
	    (base[8] != '\0' && strcmp(base + 8, " (deleted)") != 0))
		return false;
	if (asprintf(&arg, "--pid-file=%s", pidfile) < 0)
		return false;
	return has_arg(pid, arg) && same_netns(pid);
}

static pid_t read_pidfile(const char *pidfile)
{
	_cleanup_free_ char *text = NULL;
	uint64_t pid;
	if (nk_read_file(pidfile, &text, NULL, NULL) < 0 ||
	    nk_parse_u64(nk_strstrip(text), 1 << 22, &pid) < 0 || pid < 2)
		return 0;
	return (pid_t)pid;
}

/* A pidfd for the network's dnsmasq when it runs, else -1: signals go through it, so a pid
 * reused between the check and the kill can never be hit. */
static int open_ours(const char *name, pid_t *pid_out)
{
	_cleanup_free_ char *pidfile = pidfile_path(name);
	pid_t pid = pidfile ? read_pidfile(pidfile) : 0;
	if (pid <= 0)
		return -1;
	_cleanup_close_ int fd = pidfd_open(pid, 0);
	if (fd < 0 || !is_our_dnsmasq(pid, pidfile) || pidfd_send_signal(fd, 0, NULL, 0) < 0)
		return -1;
	if (pid_out)
		*pid_out = pid;
	return TAKE_FD(fd);
}

pid_t nk_dnsmasq_pid(const char *name)
{
	pid_t pid = 0;
	_cleanup_close_ int fd = open_ours(name, &pid);
	return fd >= 0 ? pid : 0;
}

static bool wait_exit(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

int nk_dnsmasq_stop(const char *name, nk_err **err)
{
	_cleanup_free_ char *pidfile = pidfile_path(name);
	if (!pidfile)
		return nk_err_set(err, ENOMEM, "stop dnsmasq of %s", name);
	_cleanup_close_ int fd = open_ours(name, NULL);
	if (fd >= 0) {
		if (pidfd_send_signal(fd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
			return nk_err_sys(err, "stop dnsmasq of %s", name);
		if (!wait_exit(fd, 5000)) {
			pidfd_send_signal(fd, SIGKILL, NULL, 0);
			if (!wait_exit(fd, 5000))
				return nk_err_set(err, ETIMEDOUT, "stop dnsmasq of %s", name);
		}
	}
	if (unlink(pidfile) < 0 && errno != ENOENT)
		return nk_err_sys(err, "remove %s", pidfile);
	return 0;
}

/* ---- starting it ---- */

/* dnsmasq drops root after opening its sockets, lease and pid files; Debian's own user when
 * there is one, as LXC does with lxc-dnsmasq. */
static const char *run_user(void)
{
	return getpwnam("dnsmasq") ? "dnsmasq" : "nobody";
}

static int push_fmt(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int push_fmt(char ***v, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? -ENOMEM : nk_strv_push(v, s);
}

/*
 * Bound to the bridge alone (--bind-interfaces, --interface, --except-interface=lo, the gateway
 * as the only listen address) so it never answers on the host's uplink, and with an empty
 * --conf-file so /etc/dnsmasq.conf of a host dnsmasq cannot change it.
 */
static int build_argv(const nk_net *n, const char *pidfile, const char *leases, char ***out)
{
	char gw[INET_ADDRSTRLEN], range[2 * INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &n->gateway, gw, sizeof(gw));
	nk_net_fmt_dhcp(n, range, sizeof(range));
	unsigned max = ntohl(n->dhcp_end.s_addr) - ntohl(n->dhcp_start.s_addr) + 1;
	_cleanup_strv_ char **v = NULL;
	int r = 0;
	r |= nk_strv_push(&v, NK_DNSMASQ_PATH);
	r |= nk_strv_push(&v, "--conf-file=");
	r |= nk_strv_push(&v, "--strict-order");
	r |= nk_strv_push(&v, "--bind-interfaces");
	r |= push_fmt(&v, "--interface=%s", n->name);
	r |= nk_strv_push(&v, "--except-interface=lo");
	r |= push_fmt(&v, "--listen-address=%s", gw);
	r |= push_fmt(&v, "--dhcp-range=%s", range);
	r |= push_fmt(&v, "--dhcp-lease-max=%u", max);
	r |= nk_strv_push(&v, "--dhcp-no-override");
	r |= nk_strv_push(&v, "--dhcp-authoritative");
	r |= push_fmt(&v, "--dhcp-leasefile=%s", leases);
	r |= push_fmt(&v, "--pid-file=%s", pidfile);
	r |= push_fmt(&v, "--user=%s", run_user());
	if (n->has_ipv6) {
		char gw6[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &n->gateway6, gw6, sizeof(gw6));
		/* Router advertisements so clients autoconfigure in the IPv6 subnet (as LXC). */
		r |= push_fmt(&v, "--listen-address=%s", gw6);
		r |= nk_strv_push(&v, "--enable-ra");
		r |= push_fmt(&v, "--dhcp-range=::,constructor:%s,ra-only", n->name);
	}
	if (r < 0)
		return -ENOMEM;
	*out = TAKE_PTR(v);
	return 0;
}

/* In the child: stdio to /dev/null and the capture file, no fd of nook's leaks into it. */
static void exec_child(char **argv, int errfd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	close_range(3, ~0U, 0);
	execv(argv[0], argv);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Reaps the orphans dnsmasq's daemonizing left us (we are their subreaper): its middle process
 * always, which exits at once but whose parent exits without reaping it; on a failure, any
 * other. The daemon itself lives on. Bounded: a wait here must never hang nook.
 */
static void reap_orphans(bool started)
{
	int reaped = 0;
	for (int tries = 0; tries < 200; tries++) {
		pid_t w;
		while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
			reaped++;
		if (w < 0 || (started && reaped > 0))
			return;
		usleep(5000);
	}
}

/*
 * dnsmasq daemonizes with two forks: the process we start waits until the daemon is ready
 * and exits, but never reaps its child, the middle process, which exits at once. An orphan
 * goes to the nearest subreaper, else to pid 1, and stays a zombie where pid 1 does not reap
 * (a minimal init, a pid namespace's). So a helper that is a subreaper runs dnsmasq, reaps the
 * middle process and exits with dnsmasq's status; the daemon, reparented to the helper, moves
 * on to pid 1 when it exits, as it would have anyway.
 */
static void run_reaper(char **argv, int errfd)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		_exit(127);
	pid_t pid = fork();
	if (pid < 0)
		_exit(127);
	if (pid == 0)
		exec_child(argv, errfd);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	bool started = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	reap_orphans(started);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* The first line dnsmasq wrote to stderr, without its "dnsmasq: " prefix. */
static char *first_error_line(int fd)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return strdup("exited with an error and no message");
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	const char *s = strncmp(buf, "dnsmasq: ", 9) == 0 ? buf + 9 : buf;
	return strdup(s);
}

static int run_dnsmasq(char **argv, nk_err **err)
{
	_cleanup_close_ int errfd = memfd_create("nook-dnsmasq-stderr", MFD_CLOEXEC);
	if (errfd < 0)
		return nk_err_sys(err, "memfd for dnsmasq's errors");
	pid_t pid = fork();
	if (pid < 0)
		return nk_err_sys(err, "fork");
	if (pid == 0)
		run_reaper(argv, errfd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return nk_err_sys(err, "wait for dnsmasq");
	/* dnsmasq exits 0 only once its daemon runs with sockets bound; else it says why. */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	_cleanup_free_ char *msg = first_error_line(errfd);
	return nk_err_set(err, 0, "dnsmasq: %s", msg ? msg : "failed");
}

int nk_dnsmasq_start(const nk_net *n, nk_err **err)
{
	if (nk_dnsmasq_pid(n->name) > 0)
		return 0;
	if (access(NK_DNSMASQ_PATH, X_OK) < 0)
		return nk_err_sys(err, "dnsmasq: %s (install dnsmasq-base)", NK_DNSMASQ_PATH);
	_cleanup_free_ char *rundir = nk_net_path(NK_NET_RUNDIR, "%s", n->name);
	_cleanup_free_ char *statedir = nk_net_path(NK_NET_STATEDIR, "%s", n->name);
	_cleanup_free_ char *pidfile = pidfile_path(n->name);
	_cleanup_free_ char *leases = nk_net_path(NK_NET_STATEDIR, "%s/dnsmasq.leases", n->name);
	_cleanup_strv_ char **argv = NULL;
	if (!rundir || !statedir || !pidfile || !leases ||
	    build_argv(n, pidfile, leases, &argv) < 0)
		return nk_err_set(err, ENOMEM, "dnsmasq");
	int r = nk_mkdir_p(rundir, 0755, err);
	if (r == 0)
		r = nk_mkdir_p(statedir, 0755, err);
	if (r < 0)
		return r;
	unlink(pidfile); /* stale: the check above found no live dnsmasq behind it */
	if ((r = run_dnsmasq(argv, err)) < 0)
		return r;
	return nk_dnsmasq_pid(n->name) > 0
	           ? 0
	           : nk_err_set(err, 0, "dnsmasq started but %s names no dnsmasq", pidfile);
}
