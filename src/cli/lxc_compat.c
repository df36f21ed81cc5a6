/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lxc-* names. Each maps to a nook command that, called this way, takes LXC's defaults
 * (lxcpath /var/lib/lxc, /etc/lxc/default.conf, LXC's templates first) so scripts written
 * for LXC run unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/cleanup.h"

static const struct {
	const char *prog;
	const char *cmd;
} names[] = {
	{ "lxc-create", "create" },
	{ "lxc-destroy", "destroy" },
	{ "lxc-ls", "ls" },
	{ "lxc-info", "info" },
	{ "lxc-update-config", "update-config" },
	{ "lxc-config", "lxc-config" },
	{ "lxc-start", "start" },
	{ "lxc-stop", "stop" },
	{ "lxc-attach", "attach" },
	{ "lxc-console", "console" },
	{ "lxc-execute", "execute" },
	{ "lxc-wait", "wait" },
	{ "lxc-freeze", "freeze" },
	{ "lxc-unfreeze", "unfreeze" },
	{ "lxc-cgroup", "cgroup" },
};

const char *nk_lxc_compat_command(const char *prog)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(prog, names[i].prog) == 0)
			return names[i].cmd;
	return NULL;
}

/* LXC's system-wide settings, as `lxc-config` reports them. */
static const struct {
	const char *key;
	const char *value;
} system_keys[] = {
	{ "lxc.default_config", NK_LXC_DEFAULT_CONF },
	{ "lxc.lxcpath", NK_LXC_LXCPATH },
	{ "lxc.bdev.btrfs.root", "" },
	{ "lxc.bdev.lvm.vg", "lxc" },
	{ "lxc.bdev.lvm.thin_pool", "lxc" },
	{ "lxc.bdev.zfs.root", "lxc" },
	{ "lxc.cgroup.use", "" },
	{ "lxc.cgroup.pattern", "lxc.payload.%n" },
};

int nk_cmd_lxc_config(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, 0, 'l' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	bool list = false;
	while ((c = getopt_long(argc, argv, "lh", opts, NULL)) != -1) {
		if (c == 'l')
			list = true;
		else if (c == 'h') {
			nk_cli_print_help(cli);
			return 0;
		} else
			return nk_cli_usage_error(cli, "bad option");
	}
	if (list) {
		for (size_t i = 0; i < ARRAY_SIZE(system_keys); i++)
			puts(system_keys[i].key);
		return 0;
	}
	if (optind != argc - 1)
		return nk_cli_usage_error(cli, "expected one key, or -l to list them");
	for (size_t i = 0; i < ARRAY_SIZE(system_keys); i++)
		if (strcmp(argv[optind], system_keys[i].key) == 0) {
			puts(system_keys[i].value);
			return 0;
		}
	fprintf(stderr, "%s: unknown key %s\n", cli->prog, argv[optind]);
	return 1;
}
