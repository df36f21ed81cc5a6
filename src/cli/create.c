/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/log.h"

int nk_cmd_create(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "template", required_argument, 0, 't' },
		{ "config", required_argument, 0, 'f' },
		{ "dir", required_argument, 0, 'D' },
		{ "bdev", required_argument, 0, 'B' },
		{ "unprivileged", no_argument, 0, 'U' },
		{ 0, 0, 0, 0 },
	};
	nk_create_opts o = { .default_conf = cli->default_conf, .lxc_first = cli->compat };
	/* Everything after "--" belongs to the template, untouched by our option parser. */
	int nargs = nk_cli_split_dashdash(argc, argv, &o.template_args);
	int c, r;
	while ((c = getopt_long(nargs, argv, NK_COMMON_SHORTOPTS "t:f:B:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.template = optarg;
			break;
		case 'f':
			o.config_file = optarg;
			break;
		case 'D':
			o.rootfs_dir = optarg;
			break;
		case 'U': /* a normal user's containers are always unprivileged */
			o.unprivileged = true;
			break;
		case 'B':
			if (strcmp(optarg, "dir") != 0 && strcmp(optarg, "best") != 0)
				return nk_cli_usage_error(cli, "-B %s: only the 'dir' backing store is supported", optarg);
			break;
		default:
			if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
				return r < 0 ? 2 : r;
		}
	}
	if ((r = nk_cli_take_name(cli, nargs, argv, true)) != 0)
		return r;
	if (optind < nargs)
		return nk_cli_usage_error(cli, "unexpected argument '%s' (template arguments go after --)", argv[optind]);
	nk_cli_setup_log(cli);
	o.lxcpath = cli->lxcpath;
	o.name = cli->name;
	o.quiet = cli->quiet;
	_cleanup_err_ nk_err *err = NULL;
	if (nk_ct_create(&o, &err) < 0)
		return nk_cli_fail(cli, err);
	if (!cli->quiet && !cli->compat)
		printf("Created container %s in %s\n", o.name, o.lxcpath);
	return 0;
}
