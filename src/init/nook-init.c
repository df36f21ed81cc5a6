/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nook-init: PID 1 of an application container (nook execute). Static, tiny, no library of
 * nook's, because the container's rootfs may have no libc at all. It runs the command, passes
 * on every signal it can catch, reaps every orphan that the pid namespace hands it, and exits
 * with the command's status (128+N when the command died of signal N).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child = -1;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "nook-init: usage: nook-init CMD [ARG...]\n");
		return 127;
	}
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* As PID 1 we only receive signals we handle: handle all that can be handled. */
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD)
			continue;
		struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
		sigaction(s, &sa, NULL);
	}
	child = fork();
	if (child < 0) {
		perror("nook-init: fork");
		return 127;
	}
	if (child == 0) {
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* Its own process group in the foreground, as a shell would start it. */
		setpgid(0, 0);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "nook-init: exec %s: %s\n", argv[1], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	int status = 0, code = 0;
	for (;;) {
		pid_t p = wait(&status);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: the command and every orphan are gone */
		}
		if (p == child) {
			code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			child = -1;
			/* Orphans left behind are killed when we exit: we are the namespace's init. */
			break;
		}
	}
	return code;
}
