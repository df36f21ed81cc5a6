/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nook config show|get|set|unset|check|keys, and nook update-config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/lxc.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int load(const char *path, nk_spec **out, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	if (!spec)
		return nk_err_set(err, ENOMEM, "parse %s", path);
	int r = nk_lxc_parse_file(spec, path, err);
	if (r < 0)
		return r;
	*out = TAKE_PTR(spec);
	return 0;
}

static int do_show(nk_cli *cli, const char *path, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	_cleanup_free_ char *text = NULL;
	int r = load(path, &spec, err);
	if (r == 0)
		r = nk_lxc_dump(spec, &text, err);
	if (r == 0)
		fputs(text, stdout);
	return r;
}

static int do_get(nk_cli *cli, const char *path, const char *key, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	_cleanup_free_ char *val = NULL;
	int r = load(path, &spec, err);
	if (r == 0)
		r = nk_lxc_get(spec, key, &val, err);
	if (r == 0 && *val)
		printf("%s%s", val, val[strlen(val) - 1] == '\n' ? "" : "\n");
	return r;
}

/* The new value is checked against the whole config before the file is touched. */
static int do_set(nk_cli *cli, const char *path, const char *key, const char *value, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	int r = load(path, &spec, err);
	if (r == 0)
		r = nk_lxc_set(spec, key, value, err);
	if (r == 0)
		r = nk_lxc_file_set(path, key, value, err);
	return r;
}

static int do_unset(nk_cli *cli, const char *path, const char *key, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	_cleanup_free_ char *val = NULL;
	int r = load(path, &spec, err);
	if (r == 0)
		r = nk_lxc_get(spec, key, &val, err); /* an unknown key is an error, not a no-op */
	if (r == 0)
		r = nk_lxc_file_unset(path, key, err);
	return r;
}

static int do_check(nk_cli *cli, const char *path, nk_err **err)
{
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	int r = load(path, &spec, err);
	if (r == 0)
		r = nk_spec_validate(spec, err);
	if (r < 0)
		return nk_err_wrap(err, r, "%s", path);
	_cleanup_strv_ char **todo = nk_lxc_not_applied(spec);
	for (char **k = todo; k && *k; k++)
		printf("%s: not yet applied\n", *k);
	if (!cli->quiet)
		printf("%s: OK (%zu key%s not yet applied)\n", path, nk_strv_len(todo),
		       nk_strv_len(todo) == 1 ? "" : "s");
	return 0;
}

static void do_keys(void)
{
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys);
	for (size_t i = 0; i < n; i++) {
		if (keys[i].legacy)
			printf("%-40s legacy, read as %s\n", keys[i].name, keys[i].legacy);
		else
			printf("%-40s %s\n", keys[i].name, keys[i].applied ? "applied" : "not yet applied");
	}
}

int nk_cmd_config(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "file", required_argument, 0, 'c' },
		{ 0, 0, 0, 0 },
	};
	const char *file = NULL;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "c:", opts, NULL)) != -1) {
		if (c == 'c')
			file = optarg;
		else if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
			return r < 0 ? 2 : r;
	}
	if (optind >= argc)
		return nk_cli_usage_error(cli, "missing what to do: show, get, set, unset, check or keys");
	const char *sub = argv[optind++];
	static const struct { const char *name; int nargs; } subs[] = {
		{ "show", 0 }, { "get", 1 }, { "set", 2 }, { "unset", 1 }, { "check", 0 }, { "keys", 0 },
	};
	int want = -1;
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (strcmp(sub, subs[i].name) == 0)
			want = subs[i].nargs;
	if (want < 0)
		return nk_cli_usage_error(cli, "unknown action '%s': expected show, get, set, unset, check or keys", sub);
	nk_cli_setup_log(cli);
	if (strcmp(sub, "keys") == 0) {
		do_keys();
		return 0;
	}
	/* The name may come first when -n is not given: nook config get web lxc.uts.name */
	if (!file && !cli->name && argc - optind > want)
		cli->name = argv[optind++];
	if (argc - optind != want)
		return nk_cli_usage_error(cli, "%s takes %d argument%s", sub, want, want == 1 ? "" : "s");
	if (!file && !cli->name)
		return nk_cli_usage_error(cli, "missing the container name (-n NAME) or a file (-c FILE)");

	_cleanup_err_ nk_err *err = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int lock = -1;
	if (file) {
		path = strdup(file);
	} else {
		if (nk_name_validate(cli->name, &err) < 0)
			return nk_cli_fail(cli, err);
		if (!nk_ct_exists(cli->lxcpath, cli->name)) {
			nk_err_set(&err, ENOENT, "config %s: no such container in %s", cli->name, cli->lxcpath);
			return nk_cli_fail(cli, err);
		}
		path = nk_ct_config_path(cli->lxcpath, cli->name);
		/* Edits hold the container lock so two of them never interleave. */
		if (!strcmp(sub, "set") || !strcmp(sub, "unset")) {
			lock = nk_ct_lock(cli->lxcpath, cli->name, true, &err);
			if (lock < 0)
				return nk_cli_fail(cli, err);
		}
	}
	if (!strcmp(sub, "show"))
		r = do_show(cli, path, &err);
	else if (!strcmp(sub, "get"))
		r = do_get(cli, path, argv[optind], &err);
	else if (!strcmp(sub, "set"))
		r = do_set(cli, path, argv[optind], argv[optind + 1], &err);
	else if (!strcmp(sub, "unset"))
		r = do_unset(cli, path, argv[optind], &err);
	else
		r = do_check(cli, path, &err);
	return r < 0 ? nk_cli_fail(cli, err) : 0;
}

int nk_cmd_update_config(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "config", required_argument, 0, 'c' },
		{ "no-backup", no_argument, 0, 'b' },
		{ 0, 0, 0, 0 },
	};
	const char *file = NULL;
	bool backup = true;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "c:b", opts, NULL)) != -1) {
		if (c == 'c')
			file = optarg;
		else if (c == 'b')
			backup = false;
		else if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
			return r < 0 ? 2 : r;
	}
	if (!file)
		return nk_cli_usage_error(cli, "missing the file to rewrite (-c FILE)");
	if (optind < argc)
		return nk_cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	int changed = 0;
	if (nk_lxc_file_update(file, backup, &changed, &err) < 0)
		return nk_cli_fail(cli, err);
	if (!cli->quiet)
		printf("%s: %d line%s updated\n", file, changed, changed == 1 ? "" : "s");
	return 0;
}
