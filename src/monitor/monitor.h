/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The monitor: one small single-threaded process per running container. It runs the start
 * sequence, then an epoll loop: it reaps init, serves the command socket, proxies the ttys,
 * keeps the console log, and on init's exit tears everything down (or starts again after an
 * in-container reboot).
 */
#include <stdbool.h>

#include "conf/spec.h"
#include "util/error.h"

struct nk_monitor;

typedef struct nk_monitor_opts {
	const char *lxcpath;
	const char *name;
	nk_spec *spec;
	char **argv;     /* replaces lxc.init.cmd */
	int exec_fd;     /* see nk_start_opts */
	int ready_fd;    /* gets "0" once RUNNING, or "1<error>" if the start failed; then closed */
	bool foreground; /* the console is this process's terminal (nook start -F, execute) */
	bool inherit_stdio; /* init gets this process's stdin/out/err instead of the console */
	const char *config; /* the config file the spec came from, and the -s overrides on it: */
	char **defines;     /* the small monitor re-reads them after the hand-off (handoff.c) */
	/* Starts the container (run.c: the start sequence; main.c: back to the full nook). */
	int (*spawn)(struct nk_monitor *m, nk_err **err);
} nk_monitor_opts;

/*
 * Runs the container to its end. A failed start returns a negative errno with err filled (and
 * the reason also sent on ready_fd and kept for `nook info`). Otherwise 0, or in foreground
 * mode init's exit status (128+signal when killed).
 */
int nk_monitor_run(nk_monitor_opts *o, nk_err **err);
/* Entry of the full nook exec'd back by nook-monitor to start a rebooted container again. */
int nk_monitor_respawn(void);
/* Sets the process title seen by ps: "[nook monitor] LXCPATH NAME". */
void nk_monitor_set_title(const char *lxcpath, const char *name);
/* The reason the last run ended or failed, kept in the run dir for `nook info`; NULL if none. */
char *nk_monitor_last_error(const char *lxcpath, const char *name);
