/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int nk_send_fds(int sock, char tag, const int *fds, size_t n)
{
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * NK_FDPASS_MAX)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n > NK_FDPASS_MAX)
		return -E2BIG;
	if (n) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	ssize_t r;
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -errno;
}

int nk_recv_fds(int sock, char *tag, int *fds, size_t max)
{
	struct iovec iov = { .iov_base = tag, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * NK_FDPASS_MAX)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t r;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ECONNRESET;
	size_t got = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int tmp[NK_FDPASS_MAX];
		memcpy(tmp, CMSG_DATA(c), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (got < max)
				fds[got++] = tmp[i];
			else
				close(tmp[i]);
		}
	}
	return (int)got;
}
