/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "cli/cli.h"
#include "conf/spec.h"
#include "monitor/cmd.h"
#include "monitor/monitor.h"
#include "net/container.h"
#include "run/start.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

typedef struct ct_info {
	char **ipv4, **ipv6;
	const char *state;
	int pid;                /* 0 when stopped */
	nk_cgroup_stats st;
	char *ttys_busy;        /* "1 2" */
	char *reason;           /* why the last run ended or failed */
} ct_info;

static void load_running(nk_cli *cli, ct_info *in)
{
	nk_cmd_rsp rsp;
	if (nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_INIT_PID, 0, NULL, 0, &rsp, NULL, NULL, NULL) == 0 &&
	    rsp.ret == 0)
		in->pid = rsp.arg;
	if (in->pid) {
		in->ipv4 = nk_netc_addresses(in->pid, AF_INET);
		in->ipv6 = nk_netc_addresses(in->pid, AF_INET6);
	}
	_cleanup_free_ char *ttys = NULL;
	if (nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_TTYS, 0, NULL, 0, &rsp, &ttys, NULL, NULL) == 0) {
		size_t len = 0;
		FILE *f = open_memstream(&in->ttys_busy, &len);
		int n;
		char state[8];
		for (char *l = ttys; f && l && *l;) {
			if (sscanf(l, "%d %7s", &n, state) == 2 && strcmp(state, "busy") == 0)
				fprintf(f, "%s%d", len ? " " : "", n), fflush(f);
			if ((l = strchr(l, '\n')))
				l++;
		}
		if (f)
			fclose(f);
	}
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	_cleanup_free_ char *cgname = NULL;
	nk_cgroup *cg = NULL;
	if (nk_cli_load_spec(cli, NULL, NULL, &spec, NULL) == 0 &&
	    (cgname = nk_container_cgroup_name(cli->lxcpath, cli->name, spec)) &&
	    nk_cgroup_open(cgname, &cg, NULL) == 0) {
		nk_cgroup_stats_get(cg, &in->st, NULL);
		nk_cgroup_free(cg);
	}
}

static void print_json(nk_cli *cli, ct_info *in)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(cli->name));
	json_object_object_add(o, "state", json_object_new_string(in->state));
	if (in->pid) {
		json_object_object_add(o, "pid", json_object_new_int(in->pid));
		if (in->st.memory_bytes != NK_CG_STAT_UNKNOWN)
			json_object_object_add(o, "memory_bytes", json_object_new_uint64(in->st.memory_bytes));
		if (in->st.cpu_ns != NK_CG_STAT_UNKNOWN)
			json_object_object_add(o, "cpu_ns", json_object_new_uint64(in->st.cpu_ns));
		json_object_object_add(o, "ttys_in_use", json_object_new_string(in->ttys_busy ? in->ttys_busy : ""));
	}
	json_object *v4 = json_object_new_array(), *v6 = json_object_new_array();
	for (char **a = in->ipv4; a && *a; a++)
		json_object_array_add(v4, json_object_new_string(*a));
	for (char **a = in->ipv6; a && *a; a++)
		json_object_array_add(v6, json_object_new_string(*a));
	json_object_object_add(o, "ipv4", v4);
	json_object_object_add(o, "ipv6", v6);
	if (in->reason)
		json_object_object_add(o, "reason", json_object_new_string(in->reason));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void print_ips(ct_info *in)
{
	for (char **a = in->ipv4; a && *a; a++)
		printf("%-15s %s\n", "IP:", *a);
	for (char **a = in->ipv6; a && *a; a++)
		printf("%-15s %s\n", "IP:", *a);
}

static void print_table(nk_cli *cli, ct_info *in, bool state_only, bool pid_only, bool ips_only,
			bool raw)
{
	if (state_only || pid_only || ips_only) {
		if (state_only)
			printf("%-15s %s\n", "State:", in->state);
		if (pid_only && in->pid)
			printf("%-15s %d\n", "PID:", in->pid);
		if (ips_only)
			print_ips(in);
		return;
	}
	printf("%-15s %s\n", "Name:", cli->name);
	printf("%-15s %s\n", "State:", in->state);
	if (in->pid) {
		printf("%-15s %d\n", "PID:", in->pid);
		print_ips(in);
		if (in->st.cpu_ns != NK_CG_STAT_UNKNOWN)
			printf(raw ? "%-15s %.0f\n" : "%-15s %.2f seconds\n", "CPU use:",
			       raw ? (double)in->st.cpu_ns : in->st.cpu_ns / 1e9);
		if (in->st.memory_bytes != NK_CG_STAT_UNKNOWN)
			printf(raw ? "%-15s %.0f\n" : "%-15s %.2f MiB\n", "Memory use:",
			       raw ? (double)in->st.memory_bytes : in->st.memory_bytes / 1048576.0);
		printf("%-15s %s\n", "TTYs in use:", in->ttys_busy && *in->ttys_busy ? in->ttys_busy : "none");
	}
	if (in->reason)
		printf("%-15s %s\n", "Reason:", in->reason);
}

int nk_cmd_info(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "state", no_argument, 0, 's' },
		{ "pid", no_argument, 0, 'p' },
		{ "ips", no_argument, 0, 'i' },
		{ "no-humanize", no_argument, 0, 'H' },
		{ "format", required_argument, 0, 'F' },
		{ 0, 0, 0, 0 },
	};
	bool state_only = false, pid_only = false, ips_only = false, raw = false;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "spiH", opts, NULL)) != -1) {
		switch (c) {
		case 's': state_only = true; break;
		case 'p': pid_only = true; break;
		case 'i': ips_only = true; break;
		case 'H': raw = true; break;
		case 'F':
			if ((r = nk_cli_parse_format(cli, optarg)) != 0)
				return r;
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
	if (nk_name_validate(cli->name, &err) < 0)
		return nk_cli_fail(cli, err);
	if (!nk_ct_exists(cli->lxcpath, cli->name)) {
		nk_err_set(&err, 0, "%s doesn't exist in %s", cli->name, cli->lxcpath);
		return nk_cli_fail(cli, err);
	}
	nk_ct_state st = nk_ct_get_state(cli->lxcpath, cli->name);
	ct_info in = { .state = nk_ct_state_name(st),
		       .st = { NK_CG_STAT_UNKNOWN, NK_CG_STAT_UNKNOWN, NK_CG_STAT_UNKNOWN } };
	if (st != NK_STATE_STOPPED)
		load_running(cli, &in);
	else if (nk_ct_monitor_died(cli->lxcpath, cli->name))
		in.reason = strdup("the monitor died while the container ran; 'nook stop' cleans up");
	else
		in.reason = nk_monitor_last_error(cli->lxcpath, cli->name);
	if (cli->format == NK_FORMAT_JSON)
		print_json(cli, &in);
	else
		print_table(cli, &in, state_only, pid_only, ips_only, raw);
	nk_strv_free(in.ipv4);
	nk_strv_free(in.ipv6);
	free(in.ttys_busy);
	free(in.reason);
	return 0;
}
