/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Shared by the files behind net/container.h: container.c (the start sequence),
 * container_host.c (what a network changes on the host besides its devices: neighbour proxy
 * entries, bridge VLANs, routes, the scripts) and container_stop.c (the records a running
 * container leaves for its stop, and carrying them out).
 */
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/spec.h"
#include "net/container.h"
#include "net/nl.h"
#include "util/error.h"

typedef struct netc_dev {
	const nk_net *net;
	char host[IFNAMSIZ];  /* veth: the host end */
	char temp[IFNAMSIZ];  /* the container end while still on the host */
	char final[IFNAMSIZ]; /* its name inside */
	bool created;         /* we made host-side devices that undo must remove */
	bool up_ran;          /* script.up ran: a failed start runs script.down */
	size_t proxied;       /* l2proxy: addresses whose proxy entries exist (IPv4 first) */
	int phys_index;
} netc_dev;

struct nk_netc {
	const nk_spec *spec;
	char *ctname;
	netc_dev *devs;
	size_t n;
	bool set_up; /* every network set up, script.up run: the stop runs script.down */
};

/* "lxc.net.N.KEY: WHAT" as the whole message (no strerror after it); returns -e. */
int nk_netc_key_err(nk_err **err, const nk_net *net, const char *key, int e, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prefixes an error with "lxc.net.N.KEY"; returns r. */
int nk_netc_key_wrap(nk_err **err, const nk_net *net, const char *key, int r);

static inline bool nk_netc_router(const nk_net *net)
{
	return net->veth_mode == NK_VETH_ROUTER;
}

/* ---- container_host.c ---- */

/* What a network needs of the host's settings (sysctls, a bridge's vlan_filtering), checked
 * before anything is created. */
int nk_netc_check_host(nk_nl *nl, const nk_net *net, nk_err **err);
/* l2proxy = 1: proxy entries on the link for the container's addresses (d->proxied counts). */
int nk_netc_l2proxy_add(nk_nl *nl, netc_dev *d, nk_err **err);
/* Removes the first n of them; best effort, as undo and stop are. */
void nk_netc_l2proxy_del(nk_nl *nl, const nk_net *net, size_t n);
/* One proxy entry, and for ipvlan its route to lo, gone (either may be gone already). */
int nk_netc_proxy_del_one(nk_nl *nl, const char *link, int family, const void *addr, bool lo,
                          nk_err **err);
/* The address of the i-th l2proxy entry of net: IPv4 addresses, then IPv6; its family. */
int nk_netc_proxy_addr(const nk_net *net, size_t i, const void **addr);
/* A veth's host end, after it is on its bridge and before it is up: its VLANs. */
int nk_netc_veth_vlans(nk_nl *nl, const netc_dev *d, nk_err **err);
/* A veth's host end once up: veth.ipv4/ipv6.route, and in router mode the host routes to the
 * container's addresses and the proxy entries that answer for its gateways. */
int nk_netc_veth_routes(nk_nl *nl, const netc_dev *d, nk_err **err);
/*
 * lxc.net.N.script.up/down, as LXC runs them: `sh -c "SCRIPT NAME net HOOK TYPE [LINK [PEER]]"`
 * with LXC_NAME, LXC_HOOK_TYPE, LXC_HOOK_SECTION, LXC_NET_TYPE, LXC_NET_PARENT, LXC_NET_PEER
 * (and LXC_NET_NS, the container's network namespace, when netns is given). 0, or -EIO when it
 * fails.
 */
int nk_netc_script(const char *script, const char *ctname, const char *hook, const char *type,
                   const char *link, const char *peer, const char *netns);
const char *nk_netc_type_name(enum nk_net_type type);
