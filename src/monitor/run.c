/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor's start path, in the full nook: set up, run the start sequence, then hand the
 * running container to the small static nook-monitor (handoff.c). Without nook-monitor, or
 * in the foreground, this process stays the monitor itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/internal.h"
#include "nk_config.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static int spawn_container(mon *m, nk_err **err)
{
	nk_start_opts so = { .lxcpath = m->o->lxcpath, .name = m->o->name, .spec = m->o->spec,
			     .argv = m->o->argv, .exec_fd = m->o->exec_fd,
			     .inherit_stdio = m->o->inherit_stdio };
	return nk_container_spawn(&so, &m->c, err);
}

static const char *small_monitor(void)
{
	const char *cands[] = { getenv("NOOK_MONITOR"), NK_LIBEXEC_DIR "/nook-monitor", NK_BUILD_MONITOR };
	for (size_t i = 0; i < ARRAY_SIZE(cands); i++)
		if (cands[i] && nk_is_executable(cands[i]))
			return cands[i];
	return NULL;
}

/* Becomes nook-monitor; returns only if that cannot be done (this process then stays). */
static void hand_off(mon *m)
{
	const char *path = small_monitor();
	if (!path || getenv("NOOK_NO_SMALL_MONITOR"))
		return;
	if (m->exefd < 0)
		m->exefd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	_cleanup_free_ char *title = NULL;
	if (asprintf(&title, "[nook monitor] %s %s", m->o->lxcpath, m->o->name) < 0)
		return;
	char *argv[] = { title, NULL };
	_cleanup_err_ nk_err *err = NULL;
	nk_mon_exec(m, path, -1, argv, &err);
	_cleanup_free_ char *t = nk_err_text(err);
	nk_warn("%s: staying in the full nook: %s", m->o->name, t);
}

static int run(mon *m, nk_err **out_err)
{
	_cleanup_err_ nk_err *err = NULL;
	int r = nk_mon_spawn(m, &err);
	if (r < 0) {
		nk_err_wrap(&err, r, "start %s", m->o->name);
		_cleanup_free_ char *t = nk_err_text(err);
		if (m->statefd >= 0) /* never overwrite the error record of a running container */
			nk_mon_save_error(m, t);
		nk_mon_notify_ready(m, err);
		nk_mon_finish(m);
		if (out_err)
			*out_err = TAKE_PTR(err);
		return r;
	}
	nk_mon_save_error(m, NULL);
	nk_mon_notify_ready(m, NULL);
	if (!m->o->foreground)
		hand_off(m);
	return nk_mon_loop(m);
}

int nk_monitor_run(nk_monitor_opts *o, nk_err **out_err)
{
	mon m = { .o = o, .ep = -1, .sigfd = -1, .lsock = -1, .timerfd = -1, .statefd = -1,
		  .logfd = -1, .exefd = -1 };
	_cleanup_err_ nk_err *err = NULL;
	if (!o->spawn)
		o->spawn = spawn_container;
	m.rundir = nk_ct_run_dir(o->lxcpath, o->name);
	int r = m.rundir ? nk_mon_setup(&m, &err) : nk_err_set(&err, ENOMEM, "run dir");
	if (r < 0) {
		nk_mon_notify_ready(&m, err);
		nk_mon_finish(&m);
		if (out_err)
			*out_err = TAKE_PTR(err);
		return r;
	}
	return run(&m, out_err);
}

int nk_monitor_respawn(void)
{
	mon m = { .ep = -1, .sigfd = -1, .lsock = -1, .timerfd = -1, .statefd = -1, .logfd = -1,
		  .exefd = -1 };
	_cleanup_err_ nk_err *err = NULL;
	int r = nk_mon_restore(&m, &err);
	if (r == 0) {
		m.o->spawn = spawn_container;
		r = nk_mon_loop_fds(&m, &err);
	}
	if (r < 0) {
		_cleanup_free_ char *t = nk_err_text(err);
		if (m.o && m.rundir)
			nk_mon_save_error(&m, t);
		if (m.o && m.rundir)
			nk_mon_finish(&m);
		return 1;
	}
	nk_notice("%s: rebooting", m.o->name);
	return run(&m, NULL) < 0 ? 1 : 0;
}
