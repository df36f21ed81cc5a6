/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "monitor/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "store/store.h"
#include "util/cleanup.h"

char *nk_cmd_socket_path(const char *lxcpath, const char *name)
{
	_cleanup_free_ char *dir = nk_ct_run_dir(lxcpath, name);
	char *p = NULL;
	if (!dir || asprintf(&p, "%s/command", dir) < 0)
		return NULL;
	return p;
}

static int io_all(int fd, void *buf, size_t len, bool wr)
{
	char *p = buf;
	while (len) {
		ssize_t n = wr ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int nk_cmd_send(int fd, const void *hdr, size_t hlen, const void *data, size_t len, int pass_fd)
{
	struct iovec iov = { .iov_base = (void *)hdr, .iov_len = hlen };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (pass_fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n < hlen) {
		int r = io_all(fd, (char *)hdr + n, hlen - (size_t)n, true);
		if (r < 0)
			return r;
	}
	return len ? io_all(fd, (void *)data, len, true) : 0;
}

/* The header's last uint32 is the data length, as in both nk_cmd_req and nk_cmd_rsp. */
int nk_cmd_recv(int fd, void *hdr, size_t hlen, char **data, size_t max, int *recv_fd)
{
	struct iovec iov = { .iov_base = hdr, .iov_len = hlen };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int got;
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		if (recv_fd && *recv_fd < 0)
			*recv_fd = got;
		else
			close(got);
	}
	if ((size_t)n < hlen) {
		int r = io_all(fd, (char *)hdr + n, hlen - (size_t)n, false);
		if (r < 0)
			return r;
	}
	uint32_t len;
	memcpy(&len, (char *)hdr + hlen - sizeof(uint32_t), sizeof(len));
	if (len > max)
		return -EMSGSIZE;
	char *buf = calloc(1, len + 1);
	if (!buf)
		return -ENOMEM;
	int r = len ? io_all(fd, buf, len, false) : 0;
	if (r < 0 || !data) {
		free(buf);
		return r;
	}
	*data = buf;
	return 0;
}

int nk_cmd_open(const char *lxcpath, const char *name, uint16_t cmd, int32_t arg, const void *in,
		uint32_t inlen, nk_cmd_rsp *rsp, nk_err **err)
{
	_cleanup_free_ char *path = nk_cmd_socket_path(lxcpath, name);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return nk_err_set(err, ENAMETOOLONG, "command socket of %s", name);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nk_err_sys(err, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			return nk_err_set(err, ENOTCONN, "%s is not running", name);
		return nk_err_sys(err, "connect to the monitor of %s", name);
	}
	nk_cmd_req req = { .magic = NK_CMD_MAGIC, .version = NK_CMD_VERSION, .cmd = cmd, .arg = arg,
			   .len = inlen };
	int r = nk_cmd_send(fd, &req, sizeof(req), in, inlen, -1);
	if (r < 0)
		return nk_err_set(err, -r, "send command to the monitor of %s", name);
	return TAKE_FD(fd);
}

int nk_cmd_call(const char *lxcpath, const char *name, uint16_t cmd, int32_t arg, const void *in,
		uint32_t inlen, nk_cmd_rsp *rsp, char **data, int *fd, nk_err **err)
{
	_cleanup_close_ int s = nk_cmd_open(lxcpath, name, cmd, arg, in, inlen, rsp, err);
	if (s < 0)
		return s;
	if (fd)
		*fd = -1;
	int r = nk_cmd_recv(s, rsp, sizeof(*rsp), data, NK_CMD_MAX_DATA, fd);
	if (r < 0)
		return nk_err_set(err, -r, "read the answer of the monitor of %s", name);
	return 0;
}

int nk_cmd_init_pid(const char *lxcpath, const char *name, pid_t *pid, int *pidfd, nk_err **err)
{
	nk_cmd_rsp rsp;
	int r = nk_cmd_call(lxcpath, name, NK_CMD_INIT_PID, 0, NULL, 0, &rsp, NULL, pidfd, err);
	if (r < 0)
		return r;
	if (rsp.ret < 0) {
		if (pidfd && *pidfd >= 0) {
			close(*pidfd);
			*pidfd = -1;
		}
		return nk_err_set(err, -rsp.ret, "%s has no init", name);
	}
	*pid = rsp.arg;
	return 0;
}
