/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The child unshares its user namespace itself and the parent writes the maps: only a process
 * outside the namespace (the parent, through newuidmap when it is not root) may map ids other
 * than its own. Three pipes step the two sides: ready (child unshared), go (maps written), and
 * the child's error text, close-on-exec so that an exec that succeeds closes it.
 */
#include "run/userns_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/userns.h"
#include "util/cleanup.h"

static ssize_t write_all(int fd, const void *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, (const char *)buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return (ssize_t)off;
}

static ssize_t read_byte(int fd, char *c)
{
	ssize_t n;
	while ((n = read(fd, c, 1)) < 0 && errno == EINTR)
		;
	return n;
}

/* "ERRNUM MESSAGE": what the parent turns back into an nk_err. */
static void send_err(int fd, const nk_err *e)
{
	char head[16];
	int n = snprintf(head, sizeof(head), "%d ", e ? e->errnum : 0);
	write_all(fd, head, (size_t)n);
	const char *msg = e && e->msg ? e->msg : "failed in the user namespace";
	write_all(fd, msg, strlen(msg));
}

static _Noreturn void child_main(int ready, int go, int res, nk_userns_fn fn, void *arg)
{
	nk_err *e = NULL;
	int r;
	char c;
	if (unshare(CLONE_NEWUSER) < 0) {
		r = nk_err_sys(&e, "unshare a user namespace");
	} else {
		if (write_all(ready, "1", 1) < 0 || read_byte(go, &c) != 1)
			_exit(1); /* the parent failed: it has the error */
		close(ready);
		close(go);
		r = nk_userns_become_root(&e);
		if (r == 0)
			r = fn(arg, &e);
	}
	if (r < 0)
		send_err(res, e);
	_exit(r < 0 ? 1 : 0);
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
}

pid_t nk_userns_fork(const nk_idmap *maps, size_t n, nk_userns_fn fn, void *arg, int *errfd,
                     nk_err **err)
{
	int ready[2] = {-1, -1}, go[2] = {-1, -1}, res[2] = {-1, -1};
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0) {
		int r = nk_err_sys(err, "pipe");
		close_pair(ready);
		close_pair(go);
		close_pair(res);
		return r;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		close(res[0]);
		child_main(ready[1], go[0], res[1], fn, arg);
	}
	int saved = errno;
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	if (pid < 0) {
		close(ready[0]);
		close(go[1]);
		close(res[0]);
		errno = saved;
		return nk_err_sys(err, "fork");
	}
	char c;
	int r = 0;
	if (read_byte(ready[0], &c) != 1) {
		/* It could not unshare: its error is on res. */
		int st;
		r = nk_userns_reap(pid, res[0], &st, err);
		res[0] = -1;
		if (r == 0)
			r = nk_err_set(err, ECHILD,
			               "the user namespace child died before its maps");
	} else {
		r = nk_userns_write_maps(pid, maps, n, err);
		if (r == 0 && write_all(go[1], "1", 1) < 0)
			r = nk_err_sys(err, "start the user namespace child");
		if (r < 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	close(ready[0]);
	close(go[1]);
	if (r < 0) {
		if (res[0] >= 0)
			close(res[0]);
		return r;
	}
	*errfd = res[0];
	return pid;
}

int nk_userns_reap(pid_t pid, int errfd, int *status, nk_err **err)
{
	char buf[4096];
	size_t len = 0;
	for (;;) {
		ssize_t k = read(errfd, buf + len, sizeof(buf) - 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || (len += (size_t)k) == sizeof(buf) - 1)
			break;
	}
	close(errfd);
	buf[len] = '\0';
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return nk_err_sys(err, "wait for the user namespace child");
	if (!len)
		return 0;
	char *msg = strchr(buf, ' ');
	int errnum = atoi(buf);
	return nk_err_set(err, errnum, "%s", msg ? msg + 1 : buf);
}

int nk_userns_wait(pid_t pid, int errfd, const char *what, nk_err **err)
{
	int st = 0;
	int r = nk_userns_reap(pid, errfd, &st, err);
	if (r < 0)
		return nk_err_wrap(err, r, "%s", what);
	if (WIFSIGNALED(st))
		return nk_err_set(err, EINTR, "%s: killed by signal %d", what, WTERMSIG(st));
	if (WEXITSTATUS(st) != 0)
		return nk_err_set(err, 0, "%s: exit status %d", what, WEXITSTATUS(st));
	return 0;
}

int nk_userns_run(const nk_idmap *maps, size_t n, nk_userns_fn fn, void *arg, const char *what,
                  nk_err **err)
{
	int errfd = -1;
	pid_t pid = nk_userns_fork(maps, n, fn, arg, &errfd, err);
	if (pid < 0)
		return nk_err_wrap(err, pid, "%s", what);
	return nk_userns_wait(pid, errfd, what, err);
}

static int exec_fn(void *arg, nk_err **err)
{
	char *const *argv = arg;
	execvp(argv[0], argv);
	return nk_err_sys(err, "exec %s", argv[0]);
}

int nk_userns_exec(const nk_idmap *maps, size_t n, char *const argv[], nk_err **err)
{
	return nk_userns_run(maps, n, exec_fn, (void *)argv, argv[0], err);
}
