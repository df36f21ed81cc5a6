/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "conf/lxc.h"
#include "monitor/cmd.h"
#include "run/hooks.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/proctitle.h"

#include "monitor/internal.h"

static char *run_file(mon *m, const char *f)
{
	char *p = NULL;
	return asprintf(&p, "%s/%s", m->rundir, f) < 0 ? NULL : p;
}

void nk_mon_set_state(mon *m, nk_ct_state s)
{
	m->state = s;
	const char *name = nk_ct_state_name(s);
	if (m->statefd >= 0) {
		(void)!ftruncate(m->statefd, 0);
		(void)!pwrite(m->statefd, name, strlen(name), 0);
	}
	char line[32];
	int n = snprintf(line, sizeof(line), "%s\n", name);
	for (client *c = m->clients; c; c = c->next)
		if (c->kind == CL_SUBSCRIBER)
			(void)!send(c->fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void nk_mon_save_error(mon *m, const char *text)
{
	_cleanup_free_ char *p = run_file(m, "error");
	if (!p)
		return;
	if (!text || !*text) {
		unlink(p);
		return;
	}
	nk_write_file_atomic(p, text, strlen(text), 0600, NULL);
}

char *nk_monitor_last_error(const char *lxcpath, const char *name)
{
	_cleanup_free_ char *dir = nk_ct_run_dir(lxcpath, name);
	_cleanup_free_ char *p = NULL;
	char *text = NULL;
	if (!dir || asprintf(&p, "%s/error", dir) < 0 || nk_read_file(p, &text, NULL, NULL) < 0)
		return NULL;
	return text;
}

void nk_monitor_set_title(const char *lxcpath, const char *name)
{
	_cleanup_free_ char *title = NULL;
	if (asprintf(&title, "[nook monitor] %s %s", lxcpath, name) >= 0)
		nk_proctitle_set(title);
}

static int ep_add(mon *m, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e = { .events = events, .data.u64 = data };
	return epoll_ctl(m->ep, EPOLL_CTL_ADD, fd, &e);
}

static void client_drop(mon *m, client *cl)
{
	for (client **p = &m->clients; *p; p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			break;
		}
	if (cl->kind == CL_TTY && cl->tty >= 0 && m->tty_owner[cl->tty] == cl) {
		m->tty_owner[cl->tty] = NULL;
		/* Nobody reads a tty but the console while no client holds it: what getty writes
		 * waits in the pty for the next client (the login prompt, typically). */
		if (cl->tty > 0 && m->c && (size_t)cl->tty < m->c->n_masters)
			epoll_ctl(m->ep, EPOLL_CTL_DEL, m->c->masters[cl->tty], NULL);
	}
	epoll_ctl(m->ep, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	free(cl);
}

static int reply(client *cl, int ret, int arg, const void *data, size_t len, int fd)
{
	nk_cmd_rsp r = { .ret = ret, .arg = arg, .len = (uint32_t)len };
	return nk_cmd_send(cl->fd, &r, sizeof(r), data, len, fd);
}

/* Console output: into the ring buffer and log file always, to the attached client if any. */
static void tty_output(mon *m, int tty)
{
	char buf[8192];
	ssize_t n = read(m->c->masters[tty], buf, sizeof(buf));
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* Should not happen while we hold the slave open; never spin on a dead master. */
		epoll_ctl(m->ep, EPOLL_CTL_DEL, m->c->masters[tty], NULL);
		return;
	}
	if (tty == 0) {
		nk_ring_write(&m->ring, buf, (size_t)n);
		if (m->logfd >= 0)
			(void)!write(m->logfd, buf, (size_t)n);
		if (m->o->foreground && !m->tty_owner[0])
			(void)!write(STDOUT_FILENO, buf, (size_t)n);
	}
	client *cl = m->tty_owner[tty];
	if (cl && send(cl->fd, buf, (size_t)n, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		client_drop(m, cl);
}

static void tty_input(mon *m, client *cl)
{
	char buf[4096];
	ssize_t n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_drop(m, cl);
		return;
	}
	if (n > 0)
		(void)!write(m->c->masters[cl->tty], buf, (size_t)n);
}

static void cmd_console(mon *m, client *cl, int tty)
{
	if (!m->c || tty < 0 || (size_t)tty >= m->c->n_masters || m->c->masters[tty] < 0) {
		reply(cl, -ENXIO, 0, NULL, 0, -1);
		client_drop(m, cl);
		return;
	}
	if (m->tty_owner[tty] || (tty == 0 && m->o->foreground)) {
		reply(cl, -EBUSY, 0, NULL, 0, -1);
		client_drop(m, cl);
		return;
	}
	if (reply(cl, 0, tty, NULL, 0, -1) < 0) {
		client_drop(m, cl);
		return;
	}
	cl->kind = CL_TTY;
	cl->tty = tty;
	m->tty_owner[tty] = cl;
	if (tty > 0)
		ep_add(m, m->c->masters[tty], EPOLLIN, EV(EV_MASTER, tty));
}

/*
 * Everything in the container: through its cgroup; a rootless container without one goes
 * with its init, whose death ends its pid namespace.
 */
static void kill_all(mon *m)
{
	if (m->c->cg)
		nk_cgroup_kill(m->c->cg, SIGKILL, NULL);
	else
		syscall(SYS_pidfd_send_signal, m->c->pidfd, SIGKILL, NULL, 0);
}

static void start_stop(mon *m, int timeout)
{
	if (!m->c || m->c->pid <= 0)
		return;
	m->stopping = true;
	nk_mon_set_state(m, NK_STATE_STOPPING);
	if (timeout == 0) {
		kill_all(m);
		return;
	}
	syscall(SYS_pidfd_send_signal, m->c->pidfd, nk_spec_halt_signal(m->c->spec), NULL, 0);
	if (timeout > 0) {
		struct itimerspec t = { .it_value = { .tv_sec = timeout } };
		timerfd_settime(m->timerfd, 0, &t, NULL);
	}
}

static void cmd_info(mon *m, client *cl, nk_cmd_req *req, const char *data)
{
	_cleanup_free_ char *out = NULL;
	int ret = 0, arg = 0;
	switch (req->cmd) {
	case NK_CMD_STATE:
		out = strdup(nk_ct_state_name(m->state));
		break;
	case NK_CMD_CGROUP_PATH: {
		const char *p = m->c && m->c->cg ? nk_cgroup_path(m->c->cg, data) : NULL;
		if (p)
			out = strdup(p);
		else
			ret = -ENOENT;
		break;
	}
	case NK_CMD_CONFIG_ITEM:
		ret = nk_lxc_get(m->o->spec, data, &out, NULL);
		break;
	case NK_CMD_CONSOLE_LOG: {
		size_t len = 0;
		out = nk_ring_read(&m->ring, &len);
		if (req->arg == 1)
			nk_ring_clear(&m->ring);
		reply(cl, out ? 0 : -ENOMEM, 0, out, out ? len : 0, -1);
		return;
	}
	case NK_CMD_TTYS: {
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		for (size_t i = 0; f && m->c && i < m->c->n_masters; i++)
			if (m->c->masters[i] >= 0)
				fprintf(f, "%zu %s\n", i, m->tty_owner[i] ? "busy" : "free");
		if (f)
			fclose(f);
		break;
	}
	case NK_CMD_ERROR:
		out = nk_monitor_last_error(m->o->lxcpath, m->o->name);
		break;
	default:
		ret = -EOPNOTSUPP;
	}
	reply(cl, ret, arg, out, out ? strlen(out) : 0, -1);
}

static void handle_request(mon *m, client *cl)
{
	nk_cmd_req req;
	_cleanup_free_ char *data = NULL;
	if (nk_cmd_recv(cl->fd, &req, sizeof(req), &data, 4096, NULL) < 0 ||
	    req.magic != NK_CMD_MAGIC) {
		client_drop(m, cl);
		return;
	}
	if (req.version != NK_CMD_VERSION) {
		reply(cl, -EPROTONOSUPPORT, NK_CMD_VERSION, NULL, 0, -1);
		client_drop(m, cl);
		return;
	}
	switch (req.cmd) {
	case NK_CMD_CONSOLE:
		cmd_console(m, cl, req.arg);
		return;
	case NK_CMD_SUBSCRIBE:
		cl->kind = CL_SUBSCRIBER;
		reply(cl, 0, 0, NULL, 0, -1);
		nk_mon_set_state(m, m->state);
		return;
	case NK_CMD_STOP:
		cl->kind = CL_STOP_WAITER;
		m->nokill = data && strcmp(data, "nokill") == 0;
		if (!m->stopping || req.arg == 0)
			start_stop(m, req.arg);
		return;
	case NK_CMD_REBOOT:
		if (m->c)
			syscall(SYS_pidfd_send_signal, m->c->pidfd, nk_spec_reboot_signal(m->c->spec), NULL, 0);
		reply(cl, m->c ? 0 : -ESRCH, 0, NULL, 0, -1);
		break;
	case NK_CMD_INIT_PID:
		reply(cl, m->c ? 0 : -ESRCH, m->c ? m->c->pid : 0, NULL, 0, m->c ? m->c->pidfd : -1);
		break;
	case NK_CMD_WINSIZE: {
		struct winsize ws;
		int ret = -EINVAL;
		if (m->c && req.len == sizeof(ws) && req.arg >= 0 && (size_t)req.arg < m->c->n_masters &&
		    m->c->masters[req.arg] >= 0) {
			memcpy(&ws, data, sizeof(ws));
			ret = ioctl(m->c->masters[req.arg], TIOCSWINSZ, &ws) < 0 ? -errno : 0;
		}
		reply(cl, ret, 0, NULL, 0, -1);
		break;
	}
	case NK_CMD_FREEZE:
	case NK_CMD_UNFREEZE: {
		bool fr = req.cmd == NK_CMD_FREEZE;
		int ret = !m->c ? -ESRCH : !m->c->cg ? -EOPNOTSUPP : nk_cgroup_freeze(m->c->cg, fr, NULL);
		if (ret == 0)
			nk_mon_set_state(m, fr ? NK_STATE_FROZEN : NK_STATE_RUNNING);
		reply(cl, ret, 0, NULL, 0, -1);
		break;
	}
	default:
		cmd_info(m, cl, &req, data ? data : "");
	}
	client_drop(m, cl);
}

static void accept_client(mon *m)
{
	int fd = accept4(m->lsock, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* Only the monitor's own uid (root) may command it: the socket hands out ttys and pidfds. */
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid()) {
		close(fd);
		return;
	}
	struct timeval tv = { .tv_sec = 2 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	client *cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->tty = -1;
	cl->next = m->clients;
	m->clients = cl;
	ep_add(m, fd, EPOLLIN | EPOLLRDHUP, EV(EV_CLIENT, fd));
}

static client *client_by_fd(mon *m, int fd)
{
	for (client *c = m->clients; c; c = c->next)
		if (c->fd == fd)
			return c;
	return NULL;
}

static void client_event(mon *m, int fd)
{
	client *cl = client_by_fd(m, fd);
	if (!cl)
		return;
	if (cl->kind == CL_REQUEST) {
		handle_request(m, cl);
	} else if (cl->kind == CL_TTY) {
		tty_input(m, cl);
	} else {
		char b;
		ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			client_drop(m, cl);
	}
}

static void stdin_event(mon *m)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0) {
		epoll_ctl(m->ep, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
		return;
	}
	if (m->c && m->c->masters[0] >= 0)
		(void)!write(m->c->masters[0], buf, (size_t)n);
}

static void watch_ttys(mon *m)
{
	nk_container *c = m->c;
	m->slaves = calloc(c->n_masters, sizeof(int));
	for (size_t i = 0; i < c->n_masters; i++) {
		if (m->slaves)
			m->slaves[i] = -1;
		if (c->masters[i] < 0)
			continue;
		fcntl(c->masters[i], F_SETFL, fcntl(c->masters[i], F_GETFL) | O_NONBLOCK);
		if (m->slaves)
			m->slaves[i] = ioctl(c->masters[i], TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (i == 0)
			ep_add(m, c->masters[0], EPOLLIN, EV(EV_MASTER, 0));
	}
}

static void unwatch_ttys(mon *m)
{
	for (size_t i = 0; m->c && i < m->c->n_masters; i++) {
		if (m->c->masters[i] >= 0)
			epoll_ctl(m->ep, EPOLL_CTL_DEL, m->c->masters[i], NULL);
		if (m->slaves && m->slaves[i] >= 0)
			close(m->slaves[i]);
		if (m->tty_owner[i])
			client_drop(m, m->tty_owner[i]);
	}
	free(m->slaves);
	m->slaves = NULL;
}

void nk_mon_adopt(mon *m)
{
	watch_ttys(m);
}

int nk_mon_spawn(mon *m, nk_err **err)
{
	nk_mon_set_state(m, NK_STATE_STARTING);
	int r = m->o->spawn(m, err);
	if (r < 0)
		return r;
	watch_ttys(m);
	nk_mon_set_state(m, NK_STATE_RUNNING);
	return 0;
}

/*
 * Host NICs lent to the container (lxc.net.N.type = phys) come back under whatever name they
 * had inside; the full nook renames them (this binary may be the small one, without netlink),
 * and carries out the networks' other stop records: script.down, l2proxy's entries, the veths'
 * host ends (src/net/container_stop.c).
 */
static void restore_phys(mon *m, char **phys, int netns_fd)
{
	if (!phys)
		return;
	char fdarg[16];
	snprintf(fdarg, sizeof(fdarg), "%d", netns_fd);
	_cleanup_strv_ char **argv = NULL;
	nk_strv_push(&argv, "nook");
	nk_strv_push(&argv, "__net-restore");
	nk_strv_push(&argv, fdarg);
	for (char **p = phys; *p; p++)
		nk_strv_push(&argv, *p);
	pid_t pid = fork();
	if (pid == 0) {
		extern char **environ;
		if (netns_fd >= 0)
			fcntl(netns_fd, F_SETFD, 0);
		if (m->exefd >= 0)
			syscall(SYS_execveat, m->exefd, "", argv, environ, AT_EMPTY_PATH);
		execve("/proc/self/exe", argv, environ);
		_exit(127);
	}
	int st;
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
}

static void teardown(mon *m)
{
	_cleanup_err_ nk_err *err = NULL;
	_cleanup_strv_ char **phys = m->c ? TAKE_PTR(m->c->phys) : NULL;
	_cleanup_close_ int netns_fd = m->c ? TAKE_FD(m->c->netns_fd) : -1;
	unwatch_ttys(m);
	struct itimerspec zero = { 0 };
	timerfd_settime(m->timerfd, 0, &zero, NULL);
	if (nk_container_teardown(m->c, &err) < 0) {
		_cleanup_free_ char *t = nk_err_text(err);
		nk_warn("stop %s: %s", m->o->name, t);
	}
	m->c = NULL;
	restore_phys(m, phys, netns_fd);
}

/* A reboot inside the container's pid namespace kills its init with SIGHUP (reboot(2)). */
static bool init_rebooted(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP;
}

/* stop and post-stop hooks: a failure is logged, never keeps the container from stopping. */
static void run_stop_hook(mon *m, enum nk_hook_type type, bool reboot)
{
	_cleanup_err_ nk_err *err = NULL;
	_cleanup_free_ char *cfg = nk_ct_config_path(m->o->lxcpath, m->o->name);
	nk_hook_ctx hc = { .lxcpath = m->o->lxcpath, .name = m->o->name, .config = cfg,
			   .target = reboot ? "reboot" : "stop" };
	if (nk_hooks_run(m->o->spec, type, &hc, &err) < 0) {
		_cleanup_free_ char *t = nk_err_text(err);
		nk_warn("%s: %s", m->o->name, t);
	}
}

static void init_exited(mon *m, int status)
{
	m->c->pid = -1;
	m->init_status = status;
	bool restart = init_rebooted(status) && !m->stopping;
	nk_mon_set_state(m, NK_STATE_STOPPING);
	run_stop_hook(m, NK_HOOK_STOP, restart);
	teardown(m);
	run_stop_hook(m, NK_HOOK_POST_STOP, restart);
	if (restart) {
		_cleanup_err_ nk_err *err = NULL;
		nk_notice("%s: rebooting", m->o->name);
		if (nk_mon_spawn(m, &err) == 0)
			return;
		_cleanup_free_ char *t = nk_err_text(err);
		nk_mon_save_error(m, t);
	}
	m->want_exit = true;
}

static void reap(mon *m)
{
	struct signalfd_siginfo si;
	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			if (!m->o->foreground || si.ssi_signo == SIGTERM)
				start_stop(m, 30);
		}
	}
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (m->c && pid == m->c->pid)
			init_exited(m, status);
}

static void timer_fired(mon *m)
{
	uint64_t x;
	(void)!read(m->timerfd, &x, sizeof(x));
	if (!m->c)
		return;
	if (m->nokill) {
		for (client *c = m->clients, *next; c; c = next) {
			next = c->next;
			if (c->kind == CL_STOP_WAITER) {
				reply(c, -ETIMEDOUT, 0, NULL, 0, -1);
				client_drop(m, c);
			}
		}
		m->stopping = false;
		nk_mon_set_state(m, NK_STATE_RUNNING);
		return;
	}
	kill_all(m);
}

static void dispatch(mon *m, struct epoll_event *e)
{
	uint32_t type = (uint32_t)(e->data.u64 >> 32), idx = (uint32_t)e->data.u64;
	switch (type) {
	case EV_SIGNAL: reap(m); break;
	case EV_LISTEN: accept_client(m); break;
	case EV_TIMER: timer_fired(m); break;
	case EV_MASTER:
		if (m->c)
			tty_output(m, (int)idx);
		break;
	case EV_CLIENT: client_event(m, (int)idx); break;
	case EV_STDIN: stdin_event(m); break;
	}
}

static int listen_socket(mon *m, nk_err **err)
{
	_cleanup_free_ char *path = nk_cmd_socket_path(m->o->lxcpath, m->o->name);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return nk_err_set(err, ENAMETOOLONG, "command socket of %s", m->o->name);
	strcpy(sa.sun_path, path);
	unlink(path); /* a stale one: we hold the monitor lock, so no live monitor owns it */
	m->lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->lsock < 0)
		return nk_err_sys(err, "socket");
	if (bind(m->lsock, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(m->lsock, 16) < 0)
		return nk_err_sys(err, "listen on %s", path);
	return ep_add(m, m->lsock, EPOLLIN, EV(EV_LISTEN, 0)) < 0 ? nk_err_sys(err, "epoll") : 0;
}

static int take_monitor_lock(mon *m, nk_err **err)
{
	int r = nk_mkdir_p(m->rundir, 0700, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *p = run_file(m, "monitor");
	m->statefd = p ? open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	if (m->statefd < 0)
		return nk_err_sys(err, "open %s", p ? p : "monitor lock");
	if (nk_monitor_lock(m->statefd, false, true) < 0)
		return nk_err_set(err, EBUSY, "%s is already running", m->o->name);
	return 0;
}

int nk_mon_setup(mon *m, nk_err **err)
{
	int r = take_monitor_lock(m, err);
	if (r < 0)
		return r;
	nk_mon_set_state(m, NK_STATE_STARTING);
	if ((r = nk_mon_loop_fds(m, err)) < 0)
		return r;
	const nk_spec *s = m->o->spec;
	if (s->console.logfile) {
		m->logfd = open(s->console.logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (m->logfd < 0)
			return nk_err_sys(err, "lxc.console.logfile: open %s", s->console.logfile);
	}
	size_t ring = nk_spec_console_buffer_size(s);
	if (nk_ring_init(&m->ring, ring ? ring : DEFAULT_RING) < 0)
		return nk_err_set(err, ENOMEM, "console buffer");
	if (m->o->foreground && !m->o->inherit_stdio)
		ep_add(m, STDIN_FILENO, EPOLLIN, EV(EV_STDIN, 0));
	return listen_socket(m, err);
}

int nk_mon_loop_fds(mon *m, nk_err **err)
{
	m->ep = epoll_create1(EPOLL_CLOEXEC);
	if (m->ep < 0)
		return nk_err_sys(err, "epoll");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	m->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m->sigfd < 0 || m->timerfd < 0)
		return nk_err_sys(err, "signalfd");
	ep_add(m, m->sigfd, EPOLLIN, EV(EV_SIGNAL, 0));
	ep_add(m, m->timerfd, EPOLLIN, EV(EV_TIMER, 0));
	if (m->lsock >= 0)
		ep_add(m, m->lsock, EPOLLIN, EV(EV_LISTEN, 0));
	return 0;
}

void nk_mon_notify_ready(mon *m, nk_err *err)
{
	if (m->o->ready_fd < 0)
		return;
	_cleanup_free_ char *text = err ? nk_err_text(err) : NULL;
	char *msg = NULL;
	if (asprintf(&msg, "%c%s", err ? '1' : '0', text ? text : "") >= 0) {
		(void)!write(m->o->ready_fd, msg, strlen(msg));
		free(msg);
	}
	close(m->o->ready_fd);
	m->o->ready_fd = -1;
}

void nk_mon_finish(mon *m)
{
	_cleanup_free_ char *sock = nk_cmd_socket_path(m->o->lxcpath, m->o->name);
	if (sock && m->lsock >= 0)
		unlink(sock);
	nk_mon_set_state(m, NK_STATE_STOPPED);
	/* Releasing the lock is what tells everyone the container is stopped; after it this
	 * process touches nothing a new monitor of the same container could own. */
	if (m->statefd >= 0)
		close(m->statefd);
	for (client *c = m->clients, *next; c; c = next) {
		next = c->next;
		if (c->kind == CL_STOP_WAITER)
			reply(c, 0, 0, NULL, 0, -1);
	}
	while (m->clients)
		client_drop(m, m->clients);
	nk_ring_free(&m->ring);
	int fds[] = { m->ep, m->sigfd, m->lsock, m->timerfd, m->logfd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(m->rundir);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

int nk_mon_loop(mon *m)
{
	while (!m->want_exit) {
		struct epoll_event ev[16];
		int n = epoll_wait(m->ep, ev, 16, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n && !m->want_exit; i++)
			dispatch(m, &ev[i]);
	}
	if (m->c)
		teardown(m);
	nk_mon_finish(m);
	return m->o->foreground ? exit_code(m->init_status) : 0;
}
