/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Passing file descriptors over a unix socket with a one-byte tag (SCM_RIGHTS). */
#include <stddef.h>

#define NK_FDPASS_MAX 65

/* Sends tag with n fds (n may be 0). Returns 0 or -errno. */
int nk_send_fds(int sock, char tag, const int *fds, size_t n);
/*
 * Receives one tag and up to max fds (made O_CLOEXEC). Returns the number of fds, or -errno
 * (-ECONNRESET at end of file). Extra fds beyond max are closed.
 */
int nk_recv_fds(int sock, char *tag, int *fds, size_t max);
