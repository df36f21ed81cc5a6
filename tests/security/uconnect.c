/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Connects to an abstract unix socket (tests/security/escape.bats): abstract names live in the
 * network namespace, so a container with its own cannot reach the host's (X11's @/tmp/.X11-unix,
 * containerd-shim's sockets in CVE-2020-15257, D-Bus, systemd's private sockets...).
 *
 * usage: uconnect NAME   (NAME without the leading NUL; SOCK_STREAM, then SOCK_SEQPACKET and
 *                         SOCK_DGRAM)
 * Prints connect(TYPE)=OK|ERRNO for each type; exits 0 when one connected, 1 when none did.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2 || strlen(argv[1]) >= sizeof(((struct sockaddr_un *)0)->sun_path) - 1) {
		fprintf(stderr, "usage: uconnect NAME\n");
		return 2;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t n = strlen(argv[1]);
	memcpy(a.sun_path + 1, argv[1], n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	const struct {
		int type;
		const char *name;
	} types[] = {
	    {SOCK_STREAM, "stream"},
	    {SOCK_SEQPACKET, "seqpacket"},
	    {SOCK_DGRAM, "dgram"},
	};
	int connected = 0;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int s = socket(AF_UNIX, types[i].type | SOCK_CLOEXEC, 0);
		int ok = s >= 0 && connect(s, (struct sockaddr *)&a, len) == 0;
		printf("connect(%s)=%s\n", types[i].name,
		       ok                       ? "OK"
		       : strerrorname_np(errno) ? strerrorname_np(errno)
		                                : "E?");
		connected += ok;
		if (s >= 0)
			close(s);
	}
	return connected ? 0 : 1;
}
