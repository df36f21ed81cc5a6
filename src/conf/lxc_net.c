/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The handlers of the lxc.net.N.* rows of the key table: types, addresses, gateways, VLANs and
 * the type-specific modes. A network's fields live in nk_net; lxc_apply hands the right one in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/lxc_internal.h"
#include "conf/value.h"
#include "util/parse.h"

static const char *const net_type_names[NK_NET_TYPE_MAX] = {
    [NK_NET_EMPTY] = "empty",     [NK_NET_NONE] = "none",     [NK_NET_VETH] = "veth",
    [NK_NET_MACVLAN] = "macvlan", [NK_NET_IPVLAN] = "ipvlan", [NK_NET_VLAN] = "vlan",
    [NK_NET_PHYS] = "phys",
};

/* The first runtime milestone sets up loopback-only, host-shared and veth networks. */
/* Applied by the start sequence (src/net/container.c). */
const bool lxc_net_type_applied[NK_NET_TYPE_MAX] = {
    [NK_NET_EMPTY] = true,  [NK_NET_NONE] = true, [NK_NET_VETH] = true,  [NK_NET_MACVLAN] = true,
    [NK_NET_IPVLAN] = true, [NK_NET_VLAN] = true, [NK_NET_PHYS] = true,
};

const char *lxc_net_type_name(enum nk_net_type type)
{
	return type > NK_NET_UNSET && type < NK_NET_TYPE_MAX ? net_type_names[type] : "?";
}

int lxc_set_net_type(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                     nk_err **err)
{
	nk_net *net = obj;
	int t = NK_NET_EMPTY;
	while (t < NK_NET_TYPE_MAX && strcmp(value, net_type_names[t]))
		t++;
	if (t == NK_NET_TYPE_MAX)
		return lxc_bad_value(c, err,
		                     "a network type (empty, none, veth, macvlan, ipvlan, "
		                     "vlan, phys)",
		                     value);
	if ((int)net->type != t)
		nk_net_clear_type_fields(net);
	net->type = (enum nk_net_type)t;
	return 0;
}

void lxc_clr_net_type(const lxc_row *r, void *obj, const char *sub)
{
	nk_net *net = obj;
	nk_net_clear_type_fields(net);
	net->type = NK_NET_UNSET;
}

void lxc_write_net_type(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_net *net = obj;
	if (net->type != NK_NET_UNSET)
		lxc_emit(s, key, net_type_names[net->type]);
}

int lxc_set_flags(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                  nk_err **err)
{
	if (strcmp(value, "up"))
		return lxc_bad_value(c, err, "'up'", value);
	*LXC_FIELD(obj, r, int) = 1;
	return 0;
}

void lxc_write_flags(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	if (*LXC_CFIELD(obj, r, int) == 1)
		lxc_emit(s, key, "up");
}

static const char *const *const enum_names[] = {
    (const char *const[]){NULL, "bridge", "router", NULL},
    (const char *const[]){NULL, "private", "vepa", "bridge", "passthru", NULL},
    (const char *const[]){NULL, "l3", "l3s", "l2", NULL},
    (const char *const[]){NULL, "bridge", "private", "vepa", NULL},
};

static const char *const enum_expected[] = {
    "bridge or router",
    "private, vepa, bridge or passthru",
    "l3, l3s or l2",
    "bridge, private or vepa",
};

/* A keyword stored as its 1-based position in enum_names[r->arg]. */
int lxc_set_enum(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                 nk_err **err)
{
	const char *const *names = enum_names[r->arg];
	for (int i = 1; names[i]; i++) {
		if (!strcmp(names[i], value)) {
			*LXC_FIELD(obj, r, int) = i;
			return 0;
		}
	}
	return lxc_bad_value(c, err, enum_expected[r->arg], value);
}

void lxc_write_enum(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	int v = *LXC_CFIELD(obj, r, int);
	if (v > 0)
		lxc_emit(s, key, enum_names[r->arg][v]);
}

/* A VLAN id 0..4094; rows with arg 1 also take "none". */
int lxc_set_vlan(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                 nk_err **err)
{
	int64_t id;
	if (r->arg && !strcmp(value, "none")) {
		*LXC_FIELD(obj, r, int) = NK_VLAN_NONE;
		return 0;
	}
	if (nk_parse_i64(value, 0, 4094, &id) < 0)
		return lxc_bad_value(c, err,
		                     r->arg ? "a VLAN id from 0 to 4094, or none"
		                            : "a VLAN id from 0 to 4094",
		                     value);
	*LXC_FIELD(obj, r, int) = (int)id;
	return 0;
}

void lxc_write_vlan(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	int v = *LXC_CFIELD(obj, r, int);
	if (v == NK_VLAN_NONE)
		lxc_emit(s, key, "none");
	else if (v >= 0)
		lxc_emitf(s, key, "%d", v);
}

int lxc_set_vlan_tagged(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                        nk_err **err)
{
	nk_net *net = obj;
	int64_t id;
	if (nk_parse_i64(value, 1, 4094, &id) < 0)
		return lxc_bad_value(c, err, "a VLAN id from 1 to 4094", value);
	uint16_t *v = realloc(net->veth_vlan_tagged, (net->n_veth_vlan_tagged + 1) * sizeof(*v));
	if (!v)
		return lxc_oom(c, err);
	v[net->n_veth_vlan_tagged++] = (uint16_t)id;
	net->veth_vlan_tagged = v;
	return 0;
}

void lxc_clr_vlan_tagged(const lxc_row *r, void *obj, const char *sub)
{
	nk_net *net = obj;
	free(net->veth_vlan_tagged);
	net->veth_vlan_tagged = NULL;
	net->n_veth_vlan_tagged = 0;
}

void lxc_write_vlan_tagged(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_net *net = obj;
	for (size_t i = 0; i < net->n_veth_vlan_tagged; i++)
		lxc_emitf(s, key, "%u", net->veth_vlan_tagged[i]);
}

/* Address lists. arg selects the list: 0 ipv4.address, 1 veth.ipv4.route, 2 ipv6.address,
 * 3 veth.ipv6.route. Routes need a prefix; only addresses take a broadcast. */
static void *addr_list(nk_net *net, long long which, size_t **n)
{
	switch (which) {
	case 0: *n = &net->n_ipv4; return &net->ipv4;
	case 1: *n = &net->n_veth_ipv4_routes; return &net->veth_ipv4_routes;
	case 2: *n = &net->n_ipv6; return &net->ipv6;
	default: *n = &net->n_veth_ipv6_routes; return &net->veth_ipv6_routes;
	}
}

int lxc_set_addr(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                 nk_err **err)
{
	size_t *n;
	void **list = addr_list(obj, r->arg, &n);
	bool v6 = r->arg >= 2, route = r->arg % 2 == 1;
	nk_inet4 a4;
	nk_inet6 a6;
	int ret =
	    v6 ? nk_inet6_parse(value, route, &a6) : nk_inet4_parse(value, route, !route, &a4);
	if (ret == -ENOMEM)
		return lxc_oom(c, err);
	if (ret < 0)
		return lxc_bad_value(c, err,
		                     v6 ? "an IPv6 address in CIDR form (fd00::5/64)"
		                        : "an IPv4 address in CIDR form (10.0.3.5/24)",
		                     value);
	size_t size = v6 ? sizeof(a6) : sizeof(a4);
	char *grown = realloc(*list, (*n + 1) * size);
	if (!grown)
		return lxc_oom(c, err);
	memcpy(grown + *n * size, v6 ? (void *)&a6 : (void *)&a4, size);
	*list = grown;
	(*n)++;
	return 0;
}

void lxc_clr_addr(const lxc_row *r, void *obj, const char *sub)
{
	size_t *n;
	void **list = addr_list(obj, r->arg, &n);
	free(*list);
	*list = NULL;
	*n = 0;
}

void lxc_write_addr(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	size_t *n;
	void **list = addr_list((nk_net *)obj, r->arg, &n);
	char buf[96];
	for (size_t i = 0; i < *n; i++) {
		if (r->arg >= 2)
			nk_inet6_format(&((nk_inet6 *)*list)[i], buf, sizeof(buf));
		else
			nk_inet4_format(&((nk_inet4 *)*list)[i], buf, sizeof(buf));
		lxc_emit(s, key, buf);
	}
}

/* ipv4.gateway (arg 0) / ipv6.gateway (arg 1): an address, "auto" or "dev". */
int lxc_set_gateway(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                    nk_err **err)
{
	nk_net *net = obj;
	enum nk_gateway_mode *mode = r->arg ? &net->ipv6_gw_mode : &net->ipv4_gw_mode;
	void *addr = r->arg ? (void *)&net->ipv6_gw : (void *)&net->ipv4_gw;
	if (!strcmp(value, "auto"))
		*mode = NK_GW_AUTO;
	else if (!strcmp(value, "dev"))
		*mode = NK_GW_DEV;
	else if (inet_pton(r->arg ? AF_INET6 : AF_INET, value, addr) == 1)
		*mode = NK_GW_ADDR;
	else
		return lxc_bad_value(c, err,
		                     r->arg ? "an IPv6 address, auto or dev"
		                            : "an IPv4 address, auto or dev",
		                     value);
	return 0;
}

void lxc_clr_gateway(const lxc_row *r, void *obj, const char *sub)
{
	nk_net *net = obj;
	*(r->arg ? &net->ipv6_gw_mode : &net->ipv4_gw_mode) = NK_GW_UNSET;
}

void lxc_write_gateway(const lxc_row *r, const void *obj, const char *key, lxc_sink *s)
{
	const nk_net *net = obj;
	char buf[INET6_ADDRSTRLEN];
	switch (r->arg ? net->ipv6_gw_mode : net->ipv4_gw_mode) {
	case NK_GW_AUTO: lxc_emit(s, key, "auto"); break;
	case NK_GW_DEV: lxc_emit(s, key, "dev"); break;
	case NK_GW_ADDR:
		inet_ntop(r->arg ? AF_INET6 : AF_INET,
		          r->arg ? (const void *)&net->ipv6_gw : (const void *)&net->ipv4_gw, buf,
		          sizeof(buf));
		lxc_emit(s, key, buf);
		break;
	case NK_GW_UNSET: break;
	}
}
