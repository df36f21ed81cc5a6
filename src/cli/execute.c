/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nook execute: an application container, with nook-init as PID 1, in the foreground. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/spec.h"
#include "monitor/monitor.h"
#include "nk_config.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/selfexec.h"

/* nook-init: $NOOK_INIT, the installed one, or the one built beside this nook. */
static int open_init(nk_err **err)
{
	const char *cands[] = { getenv("NOOK_INIT"), NK_LIBEXEC_DIR "/nook-init", NK_BUILD_INIT };
	for (size_t i = 0; i < ARRAY_SIZE(cands); i++) {
		if (!cands[i] || !nk_is_executable(cands[i]))
			continue;
		/* A sealed copy: the container can neither replace nor modify what runs as its init. */
		int fd = nk_sealed_copy(cands[i]);
		if (fd < 0)
			return nk_err_set(err, -fd, "copy %s", cands[i]);
		return fd;
	}
	return nk_err_set(err, ENOENT, "nook-init not found (looked in %s)", NK_LIBEXEC_DIR);
}

int nk_cmd_execute(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "rcfile", required_argument, 0, 'f' },
		{ "define", required_argument, 0, 's' },
		{ 0, 0, 0, 0 },
	};
	const char *rcfile = NULL;
	_cleanup_strv_ char **sets = NULL;
	int nargs = argc, c, r;
	char **cmd = NULL;
	nargs = nk_cli_split_dashdash(argc, argv, &cmd);
	while ((c = getopt_long(nargs, argv, NK_COMMON_SHORTOPTS "f:s:", opts, NULL)) != -1) {
		if (c == 'f')
			rcfile = optarg;
		else if (c == 's')
			nk_strv_push(&sets, optarg);
		else if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
			return r < 0 ? 2 : r;
	}
	if ((r = nk_cli_take_name(cli, nargs, argv, true)) != 0)
		return r;
	if (!cmd || !cmd[0])
		return nk_cli_usage_error(cli, "missing the command: nook execute -n NAME -- CMD [ARGS]");
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	if (nk_cli_load_spec(cli, rcfile, sets, &spec, &err) < 0 || nk_spec_validate(spec, &err) < 0)
		return nk_cli_fail(cli, err);
	nk_cli_warn_not_applied(spec);
	_cleanup_close_ int lock = nk_ct_lock(cli->lxcpath, cli->name, false, &err);
	if (lock < 0)
		return nk_cli_fail(cli, err);
	_cleanup_close_ int init = open_init(&err);
	if (init < 0)
		return nk_cli_fail(cli, err);
	_cleanup_strv_ char **args = NULL;
	nk_strv_push(&args, "nook-init");
	for (char **a = cmd; *a; a++)
		nk_strv_push(&args, *a);
	nk_monitor_opts o = { .lxcpath = cli->lxcpath, .name = cli->name, .spec = spec, .argv = args,
			      .exec_fd = init, .ready_fd = -1, .foreground = true, .inherit_stdio = true };
	/* The lock only guards the start; the monitor lock guards the run. */
	close(TAKE_FD(lock));
	r = nk_monitor_run(&o, &err);
	return r < 0 ? nk_cli_fail(cli, err) : r;
}
