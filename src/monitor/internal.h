/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The monitor's state, shared by its loop (monitor.c), the start path (run.c), the hand-off
 * between the two binaries (handoff.c) and the small static monitor (main.c). */
#include <stdbool.h>

#include "monitor/console.h"
#include "monitor/monitor.h"
#include "run/start.h"
#include "store/store.h"

#define DEFAULT_RING (64 * 1024)

enum ev_type { EV_SIGNAL = 1, EV_LISTEN, EV_TIMER, EV_MASTER, EV_CLIENT, EV_STDIN };
#define EV(type, idx) (((uint64_t)(type) << 32) | (uint32_t)(idx))

enum client_kind { CL_REQUEST, CL_TTY, CL_SUBSCRIBER, CL_STOP_WAITER };

typedef struct client {
	int fd;
	enum client_kind kind;
	int tty;
	struct client *next;
} client;

struct nk_monitor {
	nk_monitor_opts *o;
	nk_container *c;
	int ep, sigfd, lsock, timerfd, statefd, logfd;
	nk_ring ring;
	int *slaves;        /* held open so a tty never hangs up while its getty respawns */
	client *tty_owner[65];
	client *clients;
	nk_ct_state state;
	bool stopping, nokill, want_exit;
	int init_status;    /* wait status of init's last exit */
	char *rundir;
	int exefd;          /* O_PATH fd of the full nook binary, for a restart from main.c */
};
typedef struct nk_monitor mon;


/* monitor.c */
void nk_mon_set_state(mon *m, nk_ct_state s);
void nk_mon_save_error(mon *m, const char *text);
int nk_mon_setup(mon *m, nk_err **err);        /* lock, socket, loop fds, console log */
int nk_mon_loop_fds(mon *m, nk_err **err);     /* epoll, signalfd, timerfd (again after exec) */
int nk_mon_spawn(mon *m, nk_err **err);        /* o->spawn, then the ttys are watched */
void nk_mon_adopt(mon *m);                     /* watch the ttys of a container already running */
void nk_mon_notify_ready(mon *m, nk_err *err);
int nk_mon_loop(mon *m);                       /* until the container is gone; exit code */
void nk_mon_finish(mon *m);

/* handoff.c: the state crosses exec in a memfd named by NOOK_MONITOR_STATE */
#define NK_MONITOR_STATE_ENV "NOOK_MONITOR_STATE"
/* Execs path (or fd when path is NULL) with the state; returns only on failure. */
int nk_mon_exec(mon *m, const char *path, int fd, char *const argv[], nk_err **err);
/* Rebuilds m (and m->o, allocated) from the state of the process that exec'd us. */
int nk_mon_restore(mon *m, nk_err **err);
