/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cli/cli.h"
#include "monitor/cmd.h"
#include "store/store.h"

int nk_cmd_destroy(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "force", no_argument, 0, 'f' },
		{ "snapshots", no_argument, 0, 's' },
		{ 0, 0, 0, 0 },
	};
	bool force = false;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "fs", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 's': /* no snapshots exist yet: nothing else to remove */
			break;
		default:
			if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
				return r < 0 ? 2 : r;
		}
	}
	if ((r = nk_cli_take_name(cli, argc, argv, true)) != 0)
		return r;
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	if (force && nk_name_validate(cli->name, NULL) == 0 &&
	    nk_ct_get_state(cli->lxcpath, cli->name) != NK_STATE_STOPPED) {
		nk_cmd_rsp rsp;
		if (nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_STOP, 0, NULL, 0, &rsp, NULL, NULL, &err) < 0)
			return nk_cli_fail(cli, err);
		nk_ct_wait_stopped(cli->lxcpath, cli->name);
	}
	if (nk_ct_destroy(cli->lxcpath, cli->name, &err) < 0)
		return nk_cli_fail(cli, err);
	if (!cli->quiet && !cli->compat)
		printf("Destroyed container %s\n", cli->name);
	return 0;
}
