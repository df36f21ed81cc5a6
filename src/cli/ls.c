/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/lxc.h"
#include "monitor/cmd.h"
#include "net/container.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

typedef struct ct_row {
	const char *name;
	nk_ct_state state;
	char *autostart;
	char *groups;
	char **ipv4, **ipv6;
} ct_row;

/* One key of a container's config, "" when unset or unreadable (a broken config still lists). */
static char *config_value(const char *lxcpath, const char *name, const char *key)
{
	_cleanup_free_ char *cfg = nk_ct_config_path(lxcpath, name);
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	_cleanup_err_ nk_err *err = NULL;
	char *val = NULL;
	if (cfg && spec && nk_lxc_parse_file(spec, cfg, &err) == 0 &&
	    nk_lxc_get(spec, key, &val, &err) == 0)
		return val;
	return strdup("");
}

static void row_load(ct_row *r, const char *lxcpath, const char *name)
{
	r->name = name;
	r->state = nk_ct_get_state(lxcpath, name);
	_cleanup_free_ char *a = config_value(lxcpath, name, "lxc.start.auto");
	r->autostart = strdup(a && strcmp(a, "1") == 0 ? "1" : "0");
	r->groups = config_value(lxcpath, name, "lxc.group");
	nk_cmd_rsp rsp;
	if (r->state != NK_STATE_STOPPED &&
	    nk_cmd_call(lxcpath, name, NK_CMD_INIT_PID, 0, NULL, 0, &rsp, NULL, NULL, NULL) == 0 &&
	    rsp.ret == 0) {
		r->ipv4 = nk_netc_addresses(rsp.arg, AF_INET);
		r->ipv6 = nk_netc_addresses(rsp.arg, AF_INET6);
	}
	/* A list key gives one value per line; the table shows them comma-separated. */
	for (char *p = r->groups; p && *p; p++)
		if (*p == '\n')
			*p = p[1] ? ',' : '\0';
}

static void print_json(ct_row *rows, size_t n)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(rows[i].name));
		json_object_object_add(o, "state", json_object_new_string(nk_ct_state_name(rows[i].state)));
		json_object_object_add(o, "autostart", json_object_new_boolean(!strcmp(rows[i].autostart, "1")));
		json_object *g = json_object_new_array();
		_cleanup_free_ char *groups = strdup(rows[i].groups ? rows[i].groups : "");
		char *save = NULL;
		for (char *t = groups ? strtok_r(groups, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
			json_object_array_add(g, json_object_new_string(t));
		json_object_object_add(o, "groups", g);
		json_object *v4 = json_object_new_array(), *v6 = json_object_new_array();
		for (char **a = rows[i].ipv4; a && *a; a++)
			json_object_array_add(v4, json_object_new_string(*a));
		for (char **a = rows[i].ipv6; a && *a; a++)
			json_object_array_add(v6, json_object_new_string(*a));
		json_object_object_add(o, "ipv4", v4);
		json_object_object_add(o, "ipv6", v6);
		json_object_array_add(arr, o);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

/* "a, b" or NULL for an empty list (the table shows "-"). */
static char *join_list(char **v)
{
	char *out = NULL;
	size_t len = 0;
	if (!v || !*v)
		return NULL;
	FILE *f = open_memstream(&out, &len);
	for (char **p = v; f && *p; p++)
		fprintf(f, "%s%s", p == v ? "" : ", ", *p);
	if (f)
		fclose(f);
	return out;
}

static void print_fancy(ct_row *rows, size_t n)
{
	int w = 4;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].name) > w)
			w = (int)strlen(rows[i].name);
	printf("%-*s %-8s %-9s %-12s %-15s %s\n", w, "NAME", "STATE", "AUTOSTART", "GROUPS", "IPV4", "IPV6");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *v4 = join_list(rows[i].ipv4);
		_cleanup_free_ char *v6 = join_list(rows[i].ipv6);
		printf("%-*s %-8s %-9s %-12s %-15s %s\n", w, rows[i].name, nk_ct_state_name(rows[i].state),
		       rows[i].autostart, *rows[i].groups ? rows[i].groups : "-", v4 ? v4 : "-",
		       v6 ? v6 : "-");
	}
}

int nk_cmd_ls(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "fancy", no_argument, 0, 'f' },
		{ "line", no_argument, 0, '1' },
		{ "running", no_argument, 0, 'R' },
		{ "active", no_argument, 0, 'R' },
		{ "stopped", no_argument, 0, 'S' },
		{ "format", required_argument, 0, 'F' },
		{ 0, 0, 0, 0 },
	};
	bool fancy = false, one = false, running = false, stopped = false;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "f1", opts, NULL)) != -1) {
		switch (c) {
		case 'f': fancy = true; break;
		case '1': one = true; break;
		case 'R': running = true; break;
		case 'S': stopped = true; break;
		case 'F':
			if ((r = nk_cli_parse_format(cli, optarg)) != 0)
				return r;
			break;
		default:
			if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
				return r < 0 ? 2 : r;
		}
	}
	if (optind < argc)
		return nk_cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	_cleanup_strv_ char **names = NULL;
	if (nk_ct_list(cli->lxcpath, &names, &err) < 0)
		return nk_cli_fail(cli, err);
	size_t n = 0, total = nk_strv_len(names);
	ct_row *rows = calloc(total + 1, sizeof(*rows));
	if (!rows)
		return 1;
	for (size_t i = 0; i < total; i++) {
		row_load(&rows[n], cli->lxcpath, names[i]);
		bool up = rows[n].state != NK_STATE_STOPPED;
		if ((running && !up) || (stopped && up)) {
			free(rows[n].autostart);
			free(rows[n].groups);
			nk_strv_free(rows[n].ipv4);
			nk_strv_free(rows[n].ipv6);
			continue;
		}
		n++;
	}
	if (cli->format == NK_FORMAT_JSON)
		print_json(rows, n);
	else if (fancy)
		print_fancy(rows, n);
	else
		for (size_t i = 0; i < n; i++)
			printf("%s%s", rows[i].name, one || !isatty(STDOUT_FILENO) || i + 1 == n ? "\n" : "  ");
	for (size_t i = 0; i < n; i++) {
		free(rows[i].autostart);
		free(rows[i].groups);
		nk_strv_free(rows[i].ipv4);
		nk_strv_free(rows[i].ipv6);
	}
	free(rows);
	return 0;
}
