/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nook net create|ls|rm|up|attach-uplink|detach-uplink|doctor: host networks (src/net/host.c,
 * uplink.c, doctor.c). Only parsing and printing here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "net/doctor.h"
#include "net/host.h"
#include "net/uplink.h"
#include "util/cleanup.h"
#include "util/fs.h"

enum {
	OPT_SUBNET = 1 << 0,
	OPT_NAT = 1 << 1,
	OPT_DHCP = 1 << 2,
	OPT_IPV6 = 1 << 3,
	OPT_DEFAULT = 1 << 4,
	OPT_FORMAT = 1 << 5,
	OPT_FORCE = 1 << 6,
	OPT_NETDEF = OPT_SUBNET | OPT_NAT | OPT_DHCP | OPT_IPV6,
};

typedef struct net_opts {
	unsigned given;
	const char *subnet, *dhcp, *ipv6;
	int nargs;
	char **args;
} net_opts;

typedef struct net_sub {
	const char *name;
	int (*run)(nk_cli *cli, net_opts *o);
	unsigned opts;          /* the options it takes */
	int min_args, max_args; /* -1: any number */
	const char *args;       /* for the usage error */
} net_sub;

/* Prints "nook: CONTEXT: error" and returns 1. */
static int fail(nk_cli *cli, nk_err **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(nk_cli *cli, nk_err **err, const char *fmt, ...)
{
	_cleanup_free_ char *ctx = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (!*err)
		nk_err_set(err, ENOMEM, "out of memory");
	if (r >= 0)
		nk_err_wrap(err, -1, "%s", ctx);
	return nk_cli_fail(cli, *err);
}

static void print_notes(nk_cli *cli, nk_net_notes *notes)
{
	for (char **l = notes->lines; !cli->quiet && l && *l; l++)
		printf("%s\n", *l);
}

/* ---- create ---- */

static void fill_default(nk_net *n)
{
	n->nat = true;
	if (!n->has_dhcp) {
		n->has_dhcp = true;
		n->dhcp_start.s_addr = htonl(ntohl(n->gateway.s_addr) + 1);
		n->dhcp_end.s_addr = htonl(ntohl(n->subnet.s_addr | htonl(~0U >> n->prefix)) - 1);
	}
}

static int set_value(nk_cli *cli, const char *name, const char *flag, const char *value,
                     int (*set)(nk_net *, const char *, nk_err **), nk_net *n)
{
	_cleanup_err_ nk_err *err = NULL;
	if (set(n, value, &err) < 0)
		return fail(cli, &err, "net create %s: %s %s", name, flag, value);
	return 0;
}

static int build_net(nk_cli *cli, net_opts *o, const char *name, bool dflt, nk_net *n)
{
	_cleanup_err_ nk_err *err = NULL;
	if (nk_net_name_check(name, &err) < 0)
		return fail(cli, &err, "net create %s", name);
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->nat = o->given & OPT_NAT;
	const char *subnet = o->subnet ? o->subnet : dflt ? NK_NET_DEFAULT_SUBNET : NULL;
	if (subnet && set_value(cli, name, "--subnet", subnet, nk_net_set_subnet, n))
		return 1;
	if (o->dhcp && set_value(cli, name, "--dhcp", o->dhcp, nk_net_set_dhcp, n))
		return 1;
	if (o->ipv6 && set_value(cli, name, "--ipv6", o->ipv6, nk_net_set_ipv6, n))
		return 1;
	if (dflt)
		fill_default(n);
	if (nk_net_check(n, true, &err) < 0)
		return fail(cli, &err, "net create %s", name);
	return 0;
}

static void print_created(const nk_net *n)
{
	char sub[INET6_ADDRSTRLEN + 4], gw[INET_ADDRSTRLEN], range[2 * INET_ADDRSTRLEN];
	nk_net_fmt_subnet(n, sub, sizeof(sub));
	nk_net_fmt_dhcp(n, range, sizeof(range));
	range[strcspn(range, ",")] = n->has_dhcp ? '-' : '\0';
	printf("network %s: bridge %s", n->name, n->name);
	if (n->has_subnet)
		printf(", gateway %s/%u", inet_ntop(AF_INET, &n->gateway, gw, sizeof(gw)),
		       n->prefix);
	if (n->nat)
		printf(", NAT");
	if (n->has_dhcp)
		printf(", DHCP %s", range);
	if (n->has_ipv6) {
		nk_net_fmt_subnet6(n, sub, sizeof(sub));
		printf(", IPv6 %s", sub);
	}
	printf("\n");
}

/*
 * The default network: nookbr0 (or the name given) with 10.0.3.0/24, NAT and DHCP, for
 * --default or for a bare `nook net create nookbr0`; it also points new containers at itself.
 */
static int net_create(nk_cli *cli, net_opts *o)
{
	const char *name = o->nargs ? o->args[0] : cli->name;
	if (!name && !(o->given & OPT_DEFAULT))
		return nk_cli_usage_error(cli, "create: missing the network name (or --default)");
	name = name ? name : NK_NET_DEFAULT_NAME;
	bool is_default = strcmp(name, NK_NET_DEFAULT_NAME) == 0;
	bool dflt = (o->given & OPT_DEFAULT) || (is_default && !(o->given & OPT_NETDEF));
	nk_net n = {0};
	if (build_net(cli, o, name, dflt, &n))
		return 1;
	const char *conf = getenv("NOOK_NET_DEFAULT_CONF");
	conf = conf && *conf ? conf : cli->default_conf;
	_cleanup_(nk_net_notes_free) nk_net_notes notes = {0};
	_cleanup_err_ nk_err *err = NULL;
	if (nk_net_create(&n, dflt || is_default ? conf : NULL, &notes, &err) < 0)
		return fail(cli, &err, "net create %s", name);
	if (!cli->quiet)
		print_created(&n);
	print_notes(cli, &notes);
	return 0;
}

/* ---- ls ---- */

typedef struct net_row {
	nk_net net;
	const char *state;
} net_row;

static json_object *row_json(const net_row *r)
{
	char buf[INET6_ADDRSTRLEN + 4];
	const nk_net *n = &r->net;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(n->name));
	json_object_object_add(o, "bridge", json_object_new_string(n->name));
	nk_net_fmt_subnet(n, buf, sizeof(buf));
	json_object_object_add(o, "subnet", n->has_subnet ? json_object_new_string(buf) : NULL);
	inet_ntop(AF_INET, &n->gateway, buf, sizeof(buf));
	json_object_object_add(o, "gateway", n->has_subnet ? json_object_new_string(buf) : NULL);
	json_object_object_add(o, "nat", json_object_new_boolean(n->nat));
	json_object *dhcp = NULL;
	if (n->has_dhcp) {
		dhcp = json_object_new_object();
		json_object_object_add(
		    dhcp, "start",
		    json_object_new_string(inet_ntop(AF_INET, &n->dhcp_start, buf, sizeof(buf))));
		json_object_object_add(
		    dhcp, "end",
		    json_object_new_string(inet_ntop(AF_INET, &n->dhcp_end, buf, sizeof(buf))));
	}
	json_object_object_add(o, "dhcp", dhcp);
	nk_net_fmt_subnet6(n, buf, sizeof(buf));
	json_object_object_add(o, "ipv6", n->has_ipv6 ? json_object_new_string(buf) : NULL);
	json_object_object_add(o, "state", json_object_new_string(r->state));
	return o;
}

static void print_rows(nk_cli *cli, const net_row *rows, size_t n)
{
	if (cli->format == NK_FORMAT_JSON) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, row_json(&rows[i]));
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
		                                             JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
		return;
	}
	printf("%-15s %-15s %-18s %-4s %-31s %s\n", "NAME", "BRIDGE", "SUBNET", "NAT", "DHCP",
	       "STATE");
	for (size_t i = 0; i < n; i++) {
		char sub[INET6_ADDRSTRLEN + 4], range[2 * INET_ADDRSTRLEN];
		nk_net_fmt_subnet(&rows[i].net, sub, sizeof(sub));
		nk_net_fmt_dhcp(&rows[i].net, range, sizeof(range));
		range[strcspn(range, ",")] = rows[i].net.has_dhcp ? '-' : '\0';
		printf("%-15s %-15s %-18s %-4s %-31s %s\n", rows[i].net.name, rows[i].net.name, sub,
		       rows[i].net.nat ? "yes" : "no", range, rows[i].state);
	}
}

/* A network whose definition or state cannot be read still lists, as "invalid". */
static int net_ls(nk_cli *cli, net_opts *o)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_err_ nk_err *err = NULL;
	if (nk_net_names(&names, &err) < 0)
		return fail(cli, &err, "net ls");
	size_t n = nk_strv_len(names);
	_cleanup_free_ net_row *rows = calloc(n + 1, sizeof(net_row));
	if (!rows)
		return fail(cli, &err, "net ls");
	for (size_t i = 0; i < n; i++) {
		_cleanup_err_ nk_err *e = NULL;
		nk_net_status st;
		rows[i].state = "invalid";
		snprintf(rows[i].net.name, sizeof(rows[i].net.name), "%s", names[i]);
		if (nk_net_load(names[i], &rows[i].net, &e) == 0 &&
		    nk_net_status_get(&rows[i].net, &st, &e) == 0)
			rows[i].state = st.state;
		else
			fail(cli, &e, "net ls %s", names[i]);
	}
	print_rows(cli, rows, n);
	return 0;
}

/* ---- rm, up ---- */

static int net_rm(nk_cli *cli, net_opts *o)
{
	int ret = 0;
	for (int i = 0; i < o->nargs; i++) {
		_cleanup_(nk_net_notes_free) nk_net_notes notes = {0};
		_cleanup_err_ nk_err *err = NULL;
		if (nk_net_rm(o->args[i], o->given & OPT_FORCE, &notes, &err) < 0) {
			ret = fail(cli, &err, "net rm %s", o->args[i]);
			continue;
		}
		print_notes(cli, &notes);
		const char *conf = getenv("NOOK_NET_DEFAULT_CONF");
		conf = conf && *conf ? conf : cli->default_conf;
		bool removed = false;
		if (conf && nk_net_default_conf_remove(conf, o->args[i], &removed, &err) < 0)
			ret = fail(cli, &err, "net rm %s", o->args[i]);
		else if (removed && !cli->quiet)
			printf("new containers no longer join %s: its lines left %s\n", o->args[i], conf);
	}
	return ret;
}

/* Every network is tried, so one broken definition does not keep the others down at boot. */
static int net_up(nk_cli *cli, net_opts *o)
{
	_cleanup_strv_ char **all = NULL;
	_cleanup_err_ nk_err *err = NULL;
	if (!o->nargs && nk_net_names(&all, &err) < 0)
		return fail(cli, &err, "net up");
	char **names = o->nargs ? o->args : all;
	int ret = 0;
	for (size_t i = 0; o->nargs ? (int)i < o->nargs : names[i] != NULL; i++) {
		_cleanup_(nk_net_notes_free) nk_net_notes notes = {0};
		_cleanup_err_ nk_err *e = NULL;
		if (nk_net_up(names[i], &notes, &e) < 0) {
			ret = fail(cli, &e, "net up %s", names[i]);
			continue;
		}
		if (!cli->quiet)
			printf("network %s: up\n", names[i]);
		print_notes(cli, &notes);
	}
	return ret;
}

/* ---- uplinks, doctor ---- */

static int net_attach(nk_cli *cli, net_opts *o)
{
	_cleanup_(nk_net_notes_free) nk_net_notes notes = {0};
	_cleanup_err_ nk_err *err = NULL;
	if (nk_uplink_attach(o->args[0], o->args[1], &notes, &err) < 0)
		return fail(cli, &err, "net attach-uplink %s %s", o->args[0], o->args[1]);
	print_notes(cli, &notes);
	return 0;
}

static int net_detach(nk_cli *cli, net_opts *o)
{
	_cleanup_(nk_net_notes_free) nk_net_notes notes = {0};
	_cleanup_err_ nk_err *err = NULL;
	if (nk_uplink_detach(o->args[0], o->args[1], &notes, &err) < 0)
		return fail(cli, &err, "net detach-uplink %s %s", o->args[0], o->args[1]);
	print_notes(cli, &notes);
	return 0;
}

/* Exit 0: nothing wrong; 1: problems found (one line each, with its fix) or the check failed. */
static int net_doctor(nk_cli *cli, net_opts *o)
{
	_cleanup_(nk_net_notes_free) nk_net_notes problems = {0}, notes = {0};
	_cleanup_err_ nk_err *err = NULL;
	const char *bridge = o->nargs ? o->args[0] : NULL;
	if (nk_doctor_run(bridge, &problems, &notes, &err) < 0)
		return fail(cli, &err, "net doctor");
	for (char **l = notes.lines; !cli->quiet && l && *l; l++)
		fprintf(stderr, "note: %s\n", *l);
	for (char **l = problems.lines; l && *l; l++)
		printf("%s\n", *l);
	if (problems.lines && *problems.lines)
		return 1;
	if (!cli->quiet)
		printf("no problem found\n");
	return 0;
}

/* ---- the command ---- */

static const net_sub subs[] = {
    {"create", net_create, OPT_NETDEF | OPT_DEFAULT, 0, 1, "[NAME]"},
    {"ls", net_ls, OPT_FORMAT, 0, 0, ""},
    {"rm", net_rm, OPT_FORCE, 1, -1, "NAME..."},
    {"up", net_up, 0, 0, -1, "[NAME...]"},
    {"attach-uplink", net_attach, 0, 2, 2, "BRIDGE IFACE"},
    {"detach-uplink", net_detach, 0, 2, 2, "BRIDGE IFACE"},
    {"doctor", net_doctor, 0, 0, 1, "[BRIDGE]"},
};

static const char *const opt_names[] = {"--subnet",  "--nat",    "--dhcp", "--ipv6",
                                        "--default", "--format", "--force"};

static unsigned opt_bit(int c)
{
	switch (c) {
	case 's': return OPT_SUBNET;
	case 'N': return OPT_NAT;
	case 'D': return OPT_DHCP;
	case '6': return OPT_IPV6;
	case 'd': return OPT_DEFAULT;
	case 'F': return OPT_FORMAT;
	case 'f': return OPT_FORCE;
	}
	return 0;
}

static int parse_opts(nk_cli *cli, int argc, char **argv, net_opts *o)
{
	static const struct option opts[] = {
	    NK_COMMON_LONGOPTS,
	    {"subnet", required_argument, 0, 's'},
	    {"nat", no_argument, 0, 'N'},
	    {"dhcp", required_argument, 0, 'D'},
	    {"ipv6", required_argument, 0, '6'},
	    {"default", no_argument, 0, 'd'},
	    {"format", required_argument, 0, 'F'},
	    {"force", no_argument, 0, 'f'},
	    {0, 0, 0, 0},
	};
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "f", opts, NULL)) != -1) {
		unsigned bit = opt_bit(c);
		o->given |= bit;
		if (c == 's')
			o->subnet = optarg;
		else if (c == 'D')
			o->dhcp = optarg;
		else if (c == '6')
			o->ipv6 = optarg;
		else if (c == 'F' && (r = nk_cli_parse_format(cli, optarg)) != 0)
			return r;
		else if (!bit && (r = nk_cli_common_opt(cli, c, optarg)) != 0)
			return r < 0 ? 2 : r;
	}
	return 0;
}

/* An option of another action is a usage error naming it, not silently ignored. */
static int check_sub(nk_cli *cli, const net_sub *sub, net_opts *o)
{
	unsigned extra = o->given & ~sub->opts;
	for (size_t i = 0; i < ARRAY_SIZE(opt_names); i++)
		if (extra & (1u << i))
			return nk_cli_usage_error(cli, "%s: %s is not an option of %s", sub->name,
			                          opt_names[i], sub->name);
	if (o->nargs < sub->min_args || (sub->max_args >= 0 && o->nargs > sub->max_args))
		return nk_cli_usage_error(cli, "usage: nook net %s %s", sub->name, sub->args);
	return 0;
}

int nk_cmd_net(nk_cli *cli, int argc, char **argv)
{
	net_opts o = {0};
	int r = parse_opts(cli, argc, argv, &o);
	if (r)
		return r;
	if (optind >= argc)
		return nk_cli_usage_error(cli, "missing what to do: create, ls, rm, up, "
		                               "attach-uplink, detach-uplink or doctor");
	const char *what = argv[optind++];
	o.args = argv + optind;
	o.nargs = argc - optind;
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		if (strcmp(what, subs[i].name) != 0)
			continue;
		if ((r = check_sub(cli, &subs[i], &o)) != 0)
			return r;
		nk_cli_setup_log(cli);
		return subs[i].run(cli, &o);
	}
	return nk_cli_usage_error(cli,
	                          "unknown action '%s': expected create, ls, rm, up, "
	                          "attach-uplink, detach-uplink or doctor",
	                          what);
}
