/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nook-monitor: the small, static monitor of one running container (see handoff.c). It is
 * exec'd by the full nook once the container runs, and execs the full nook again when the
 * container reboots, since the start sequence lives there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "monitor/internal.h"
#include "util/cleanup.h"
#include "util/log.h"

/* A reboot: the start sequence is the full nook's; the state goes back to it. */
static int spawn_in_nook(mon *m, nk_err **err)
{
	_cleanup_free_ char *title = NULL;
	if (m->exefd < 0)
		return nk_err_set(err, ENOENT, "no nook binary to restart the container with");
	if (asprintf(&title, "[nook monitor] %s %s", m->o->lxcpath, m->o->name) < 0)
		return nk_err_set(err, ENOMEM, "restart");
	char *argv[] = { title, "__monitor-respawn", NULL };
	return nk_mon_exec(m, NULL, m->exefd, argv, err);
}

/*
 * The code that took over the container (the config parser above all) will not run again:
 * drop its pages from this process's page tables. Only executable mappings of the binary,
 * which are never written, so the kernel faults any page back in from the file unchanged if
 * it is needed; writable or relocated mappings are left alone. What stays resident is what
 * the loop uses, which is the monitor's real footprint.
 */
static void drop_startup_text(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && strcmp(perms, "r-xp") == 0 &&
		    strstr(line, "nook-monitor"))
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	mon m = { .ep = -1, .sigfd = -1, .lsock = -1, .timerfd = -1, .statefd = -1, .logfd = -1,
		  .exefd = -1 };
	_cleanup_err_ nk_err *err = NULL;
	nk_log_init("nook-monitor", NK_LOG_WARN, 0);
	int r = nk_mon_restore(&m, &err);
	if (r == 0) {
		m.o->spawn = spawn_in_nook;
		r = nk_mon_loop_fds(&m, &err);
	}
	if (r < 0) {
		_cleanup_free_ char *t = nk_err_text(err);
		nk_error("%s", t ? t : "cannot take over the container");
		/* Without a working monitor the container must not run unmanaged. */
		if (m.c && m.c->pid > 0)
			kill(m.c->pid, SIGKILL);
		return 1;
	}
	nk_mon_adopt(&m);
	nk_mon_set_state(&m, NK_STATE_RUNNING);
	drop_startup_text();
	return nk_mon_loop(&m);
}
