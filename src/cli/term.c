/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli/term.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

void nk_term_raw(nk_term *t, int fd)
{
	t->fd = fd;
	t->raw = false;
	if (!isatty(fd) || tcgetattr(fd, &t->saved) < 0)
		return;
	struct termios raw = t->saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR; /* our own messages still start at column 0 */
	/* TCSANOW, not TCSAFLUSH: what the user typed ahead (an Enter) must not be lost. */
	if (tcsetattr(fd, TCSANOW, &raw) == 0)
		t->raw = true;
}

void nk_term_restore(nk_term *t)
{
	if (t->raw)
		tcsetattr(t->fd, TCSADRAIN, &t->saved);
	t->raw = false;
}

int nk_escape_parse(const char *s)
{
	if (s[0] == '^')
		s++;
	if (!s[0] || s[1] || !isalpha((unsigned char)s[0]))
		return -1;
	return tolower((unsigned char)s[0]) - 'a' + 1;
}

static int write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Feeds user input through the escape state machine; returns 1 on "escape q". */
static int user_input(const nk_proxy *p, bool *pending, const char *buf, size_t n)
{
	char out[4096];
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (*pending) {
			*pending = false;
			if (c == 'q')
				return 1;
			if (c != p->escape)
				out[o++] = (char)p->escape;
			out[o++] = (char)c;
		} else if (p->escape > 0 && c == p->escape) {
			*pending = true;
		} else {
			out[o++] = (char)c;
		}
	}
	return o && write_all(p->peer, out, o) < 0 ? -1 : 0;
}

static void send_winch(const nk_proxy *p)
{
	struct winsize ws;
	if (p->winch && ioctl(p->in, TIOCGWINSZ, &ws) == 0)
		p->winch(p->data, ws.ws_row, ws.ws_col);
}

int nk_proxy_run(const nk_proxy *p)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	send_winch(p);
	struct pollfd fds[3] = { { .fd = p->in, .events = POLLIN }, { .fd = p->peer, .events = POLLIN },
				 { .fd = sfd, .events = POLLIN } };
	bool pending = false;
	int ret = 0;
	char buf[8192];
	for (;;) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			(void)!read(sfd, &si, sizeof(si));
			send_winch(p);
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(p->peer, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR))
				break;
			if (n > 0 && write_all(p->out, buf, (size_t)n) < 0)
				break;
		}
		if (fds[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(p->in, buf, sizeof(buf));
			if (n <= 0) {
				fds[0].fd = -1; /* end of input: keep showing output until the peer ends */
				if (p->escape < 0)
					shutdown(p->peer, SHUT_WR);
				continue;
			}
			int r = user_input(p, &pending, buf, (size_t)n);
			if (r != 0) {
				ret = r > 0 ? 1 : 0;
				break;
			}
		}
	}
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
