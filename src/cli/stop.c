/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/spec.h"
#include "monitor/cmd.h"
#include "run/start.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/parse.h"

/*
 * No monitor, but processes left in the container's cgroup (the monitor was killed with a
 * container that outlived it): kill them through the cgroup and remove it.
 */
static int stop_orphan(nk_cli *cli, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	int r = nk_cli_load_spec(cli, NULL, NULL, &spec, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *name = nk_container_cgroup_name(cli->lxcpath, cli->name, spec);
	nk_cgroup *cg = NULL;
	if (!name || nk_cgroup_open(name, &cg, NULL) < 0)
		return 1; /* nothing there: it is simply stopped */
	r = nk_cgroup_kill_destroy(cg, err);
	nk_cgroup_free(cg);
	return r < 0 ? r : 0;
}

int nk_cmd_stop(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "timeout", required_argument, 0, 't' },
		{ "kill", no_argument, 0, 'k' },
		{ "reboot", no_argument, 0, 'r' },
		{ "nokill", no_argument, 0, 'K' },
		{ "nowait", no_argument, 0, 'W' },
		{ "nolock", no_argument, 0, 'N' },
		{ 0, 0, 0, 0 },
	};
	int64_t timeout = 60;
	bool kill_now = false, reboot = false, nokill = false, nowait = false;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "t:krW", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (nk_parse_i64(optarg, -1, 86400, &timeout) < 0)
				return nk_cli_usage_error(cli, "-t: expected seconds (-1 waits forever), got '%s'", optarg);
			break;
		case 'k': kill_now = true; break;
		case 'r': reboot = true; break;
		case 'K': nokill = true; break;
		case 'W': nowait = true; break;
		case 'N': break; /* commands never hold a lock while waiting for the monitor */
		default:
			if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
				return r < 0 ? 2 : r;
		}
	}
	if ((r = nk_cli_take_name(cli, argc, argv, true)) != 0)
		return r;
	if (kill_now && nokill)
		return nk_cli_usage_error(cli, "-k and --nokill contradict each other");
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	if (nk_name_validate(cli->name, &err) < 0 || (!nk_ct_exists(cli->lxcpath, cli->name) &&
	    nk_err_set(&err, ENOENT, "%s: no such container in %s", cli->name, cli->lxcpath)))
		return nk_cli_fail(cli, err);
	if (nk_ct_get_state(cli->lxcpath, cli->name) == NK_STATE_STOPPED) {
		r = stop_orphan(cli, &err);
		if (r < 0)
			return nk_cli_fail(cli, err);
		if (r == 0)
			return 0;
		fprintf(stderr, "%s: %s is not running\n", cli->compat ? cli->prog : "nook", cli->name);
		return cli->compat ? 2 : 1;
	}
	nk_cmd_rsp rsp = { 0 };
	if (reboot) {
		r = nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_REBOOT, 0, NULL, 0, &rsp, NULL, NULL, &err);
	} else {
		const char *flag = nokill ? "nokill" : "";
		int32_t t = kill_now ? 0 : (int32_t)timeout;
		if (nowait) {
			int fd = nk_cmd_open(cli->lxcpath, cli->name, NK_CMD_STOP, t, flag, (uint32_t)strlen(flag), &rsp, &err);
			if (fd < 0)
				return nk_cli_fail(cli, err);
			close(fd);
			return 0;
		}
		r = nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_STOP, t, flag, (uint32_t)strlen(flag), &rsp,
				NULL, NULL, &err);
	}
	if (r < 0)
		return nk_cli_fail(cli, err);
	if (rsp.ret == -ETIMEDOUT) {
		nk_err_set(&err, 0, "stop %s: still running after %lld s (--nokill)", cli->name, (long long)timeout);
		return nk_cli_fail(cli, err);
	}
	if (rsp.ret < 0) {
		nk_err_set(&err, -rsp.ret, "stop %s", cli->name);
		return nk_cli_fail(cli, err);
	}
	if (!reboot)
		nk_ct_wait_stopped(cli->lxcpath, cli->name);
	return 0;
}
