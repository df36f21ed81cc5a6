/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The monitor's command socket: <rundir>/command, a unix stream socket only root (the
 * monitor's own uid) may use, checked by peer credentials.
 *
 * Protocol version 1 (docs/monitor-protocol.md). A client sends one request; the monitor
 * answers with one response, then closes, except for CONSOLE (the connection becomes the
 * tty's byte stream) and SUBSCRIBE (state lines follow until the monitor exits).
 * Command numbers are frozen: a changed meaning gets a new number.
 */
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define NK_CMD_MAGIC 0x4e4f4f4bu /* "NOOK" */
#define NK_CMD_VERSION 1
#define NK_CMD_MAX_DATA (1u << 20)

enum nk_cmd_id {
	NK_CMD_STATE = 1,       /* -> data: state name */
	NK_CMD_INIT_PID = 2,    /* -> arg: init's pid in the host pid ns; fd: a pidfd when available */
	NK_CMD_STOP = 3,        /* arg: timeout in seconds (-1: wait forever, 0: kill now); answered once stopped */
	NK_CMD_REBOOT = 4,      /* sends the reboot signal; answered at once */
	NK_CMD_CONSOLE = 5,     /* arg: tty number (0 = console); then raw bytes both ways */
	NK_CMD_WINSIZE = 6,     /* arg: tty; data: struct winsize */
	NK_CMD_CONSOLE_LOG = 7, /* arg: 1 to clear after reading; -> data: the ring buffer */
	NK_CMD_FREEZE = 8,
	NK_CMD_UNFREEZE = 9,
	NK_CMD_CGROUP_PATH = 10, /* data: controller ("" for the unified one) -> data: absolute path */
	NK_CMD_CONFIG_ITEM = 11, /* data: key -> data: value as the running container has it */
	NK_CMD_SUBSCRIBE = 12,   /* -> "STATE\n" lines as the state changes */
	NK_CMD_TTYS = 13,        /* -> data: "N busy|free\n" per tty */
	NK_CMD_ERROR = 14,       /* -> data: why the last start attempt or run failed ("" if none) */
};

typedef struct nk_cmd_req {
	uint32_t magic;
	uint16_t version;
	uint16_t cmd;
	int32_t arg;
	uint32_t len;
} nk_cmd_req;

typedef struct nk_cmd_rsp {
	int32_t ret; /* 0 or -errno */
	int32_t arg;
	uint32_t len;
} nk_cmd_rsp;

/* Client side: one request, one response. *data (NUL-terminated) and *fd are optional outputs. */
int nk_cmd_call(const char *lxcpath, const char *name, uint16_t cmd, int32_t arg, const void *in,
		uint32_t inlen, nk_cmd_rsp *rsp, char **data, int *fd, nk_err **err);
/* Init's pid in the host's pid namespace (NK_CMD_INIT_PID), and a pidfd when pidfd is set. */
int nk_cmd_init_pid(const char *lxcpath, const char *name, pid_t *pid, int *pidfd, nk_err **err);
/* Connects and sends a request, returning the connected socket (for CONSOLE and SUBSCRIBE). */
int nk_cmd_open(const char *lxcpath, const char *name, uint16_t cmd, int32_t arg, const void *in,
		uint32_t inlen, nk_cmd_rsp *rsp, nk_err **err);
char *nk_cmd_socket_path(const char *lxcpath, const char *name);

/* Both sides: exact-length I/O that retries EINTR and short transfers. */
int nk_cmd_send(int fd, const void *hdr, size_t hlen, const void *data, size_t len, int pass_fd);
int nk_cmd_recv(int fd, void *hdr, size_t hlen, char **data, size_t max, int *recv_fd);
