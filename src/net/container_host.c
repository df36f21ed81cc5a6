/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a container's network changes on the host besides its devices, as LXC does it: the
 * neighbour proxy entries of l2proxy, the VLANs of a veth's bridge port, the host routes of a
 * veth (veth.ipv4.route, veth.ipv6.route, and in router mode the routes to the container's
 * addresses and proxies for its gateways), and script.up/script.down. The settings of the
 * host these need (forwarding, proxy_ndp, a bridge's vlan_filtering) are checked, never
 * changed: they are the administrator's, and shared with everything else on the host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/container_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

int nk_netc_key_err(nk_err **err, const nk_net *net, const char *key, int e, const char *fmt, ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&what, fmt, ap);
	va_end(ap);
	/* The message says it all: no strerror after it; the return value keeps the errno. */
	nk_err_set(err, 0, "lxc.net.%u.%s: %s", net->index, key, n < 0 ? "?" : what);
	return -e;
}

int nk_netc_key_wrap(nk_err **err, const nk_net *net, const char *key, int r)
{
	return nk_err_wrap(err, r, "lxc.net.%u.%s", net->index, key);
}

const char *nk_netc_type_name(enum nk_net_type type)
{
	static const char *const names[NK_NET_TYPE_MAX] = {
	    [NK_NET_EMPTY] = "empty",     [NK_NET_NONE] = "none",     [NK_NET_VETH] = "veth",
	    [NK_NET_MACVLAN] = "macvlan", [NK_NET_IPVLAN] = "ipvlan", [NK_NET_VLAN] = "vlan",
	    [NK_NET_PHYS] = "phys"};
	return type > NK_NET_UNSET && type < NK_NET_TYPE_MAX ? names[type] : "";
}

/* ---- checks ---------------------------------------------------------------------------------- */

/*
 * net.FAMILY.conf.DEV.KEY by path, as a device name may hold a dot ("eth0.100"); in our network
 * namespace, as /proc/sys/net is per namespace. DEV is a checked interface name: no '/'.
 */
static void conf_path(char path[128], const char *family, const char *dev, const char *key)
{
	snprintf(path, 128, "/proc/sys/net/%s/conf/%s/%s", family, dev, key);
}

static bool sysctl_on(const char *family, const char *dev, const char *key)
{
	char path[128];
	_cleanup_free_ char *text = NULL;
	conf_path(path, family, dev, key);
	return nk_read_file(path, &text, NULL, NULL) == 0 && !strcmp(nk_strstrip(text), "1");
}

static int need_sysctl(const nk_net *net, const char *key, const char *family, const char *dev,
                       const char *name, nk_err **err)
{
	if (sysctl_on(family, dev, name))
		return 0;
	return nk_netc_key_err(err, net, key, EINVAL, "needs net.%s.conf.%s.%s = 1", family, dev,
	                       name);
}

/*
 * LXC's rule: the host must forward for the link (and answer neighbour solicitations by proxy
 * for IPv6), or the entries would answer for addresses whose packets then go nowhere.
 */
static int check_l2proxy(const nk_net *net, nk_err **err)
{
	if (net->l2proxy != 1 || !net->link)
		return 0;
	/* Other ipvlan modes never hand the proxied packets to the host's stack. */
	if (net->type == NK_NET_IPVLAN && net->ipvlan_mode != NK_IPVLAN_L3S)
		return nk_netc_key_err(err, net, "l2proxy", EINVAL,
		                       "an ipvlan network needs ipvlan.mode = l3s");
	int r = 0;
	if (net->n_ipv4)
		r = need_sysctl(net, "l2proxy", "ipv4", net->link, "forwarding", err);
	if (r == 0 && net->n_ipv6)
		r = need_sysctl(net, "l2proxy", "ipv6", net->link, "proxy_ndp", err);
	if (r == 0 && net->n_ipv6)
		r = need_sysctl(net, "l2proxy", "ipv6", net->link, "forwarding", err);
	return r;
}

static int check_vlans(nk_nl *nl, const nk_net *net, nk_err **err)
{
	bool pvid = net->veth_vlan_id != NK_UNSET;
	if (net->type != NK_NET_VETH || (!pvid && !net->n_veth_vlan_tagged))
		return 0;
	const char *key = pvid ? "veth.vlan.id" : "veth.vlan.tagged.id";
	if (nk_netc_router(net) || !net->link)
		return nk_netc_key_err(err, net, key, EINVAL,
		                       "needs veth.mode = bridge and a link");
	if (net->veth_vlan_id == 0)
		return nk_netc_key_err(err, net, key, EINVAL,
		                       "0 is no VLAN a port can be in: 1 to 4094, or none");
	for (size_t i = 0; i < net->n_veth_vlan_tagged; i++)
		if (net->veth_vlan_tagged[i] == net->veth_vlan_id)
			return nk_netc_key_err(err, net, "veth.vlan.tagged.id", EINVAL,
			                       "%d is veth.vlan.id already", net->veth_vlan_id);
	nk_link br;
	int r = nk_link_get(nl, net->link, &br, err);
	if (r < 0)
		return nk_netc_key_wrap(err, net, "link", r);
	if (br.vlan_filtering)
		return 0;
	return nk_netc_key_err(err, net, key, EINVAL,
	                       "bridge %s does not filter VLANs (ip link set %s type bridge "
	                       "vlan_filtering 1)",
	                       net->link, net->link);
}

/* Router mode routes the container's IPv6 through the host: the kernel needs it to forward. */
static int check_router(const nk_net *net, nk_err **err)
{
	if (net->type != NK_NET_VETH || !nk_netc_router(net) || net->ipv6_gw_mode != NK_GW_ADDR)
		return 0;
	return need_sysctl(net, "ipv6.gateway", "ipv6", "all", "forwarding", err);
}

int nk_netc_check_host(nk_nl *nl, const nk_net *net, nk_err **err)
{
	int r = check_l2proxy(net, err);
	if (r == 0)
		r = check_vlans(nl, net, err);
	if (r == 0)
		r = check_router(net, err);
	return r;
}

/* ---- l2proxy --------------------------------------------------------------------------------- */

int nk_netc_proxy_addr(const nk_net *net, size_t i, const void **addr)
{
	if (i < net->n_ipv4) {
		*addr = &net->ipv4[i].addr;
		return AF_INET;
	}
	*addr = &net->ipv6[i - net->n_ipv4].addr;
	return AF_INET6;
}

/* ipvlan (l3s) hands a packet to the host's stack only when it is routed locally: to lo. */
static nk_route lo_route(nk_nl *nl, int family, const void *addr)
{
	nk_route rt = {.family = family,
	               .ifindex = nk_link_index(nl, "lo"),
	               .dst_len = family == AF_INET ? 32 : 128};
	memcpy(rt.dst, addr, family == AF_INET ? 4 : 16);
	return rt;
}

int nk_netc_l2proxy_add(nk_nl *nl, netc_dev *d, nk_err **err)
{
	const nk_net *net = d->net;
	if (net->l2proxy != 1 || !net->link)
		return 0;
	bool lo = net->type == NK_NET_IPVLAN;
	int link = nk_link_index(nl, net->link);
	if (link < 0)
		return nk_netc_key_err(err, net, "link", -link, "no host device named %s",
		                       net->link);
	for (size_t i = 0; i < net->n_ipv4 + net->n_ipv6; i++) {
		const void *addr;
		int family = nk_netc_proxy_addr(net, i, &addr);
		int r = nk_neigh_proxy_add(nl, link, family, addr, err);
		if (r == 0 && lo) {
			nk_route rt = lo_route(nl, family, addr);
			if ((r = nk_route_add(nl, &rt, err)) < 0)
				nk_neigh_proxy_del(nl, link, family, addr, NULL);
		}
		if (r < 0)
			return nk_netc_key_wrap(err, net, "l2proxy", r);
		d->proxied++;
	}
	return 0;
}

int nk_netc_proxy_del_one(nk_nl *nl, const char *link, int family, const void *addr, bool lo,
                          nk_err **err)
{
	_cleanup_err_ nk_err *e = NULL, *e_lo = NULL;
	/* Gone already is as good: with its device (a phys link moved away), or never made. */
	int index = nk_link_index(nl, link);
	int r = index > 0 ? nk_neigh_proxy_del(nl, index, family, addr, &e) : 0;
	if (r == -ENOENT)
		r = 0;
	if (lo) {
		nk_route rt = lo_route(nl, family, addr);
		int r_lo = nk_route_del(nl, &rt, &e_lo);
		if (r == 0 && r_lo < 0 && r_lo != -ESRCH) {
			r = r_lo;
			nk_err_freep(&e);
			e = TAKE_PTR(e_lo);
		}
	}
	if (r < 0 && err && !*err)
		*err = TAKE_PTR(e);
	return r;
}

void nk_netc_l2proxy_del(nk_nl *nl, const nk_net *net, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const void *addr;
		int family = nk_netc_proxy_addr(net, i, &addr);
		nk_netc_proxy_del_one(nl, net->link, family, addr, net->type == NK_NET_IPVLAN,
		                      NULL);
	}
}

/* ---- a veth's host end ----------------------------------------------------------------------- */

/*
 * As LXC: a port joins its bridge in the bridge's default PVID (untagged); veth.vlan.id takes it
 * out of that one (none: out of every untagged VLAN) and into its own; tagged VLANs come on top.
 */
int nk_netc_veth_vlans(nk_nl *nl, const netc_dev *d, nk_err **err)
{
	const nk_net *net = d->net;
	int r = 0;
	if (net->veth_vlan_id != NK_UNSET) {
		nk_link br;
		if ((r = nk_link_get(nl, net->link, &br, err)) < 0)
			return nk_netc_key_wrap(err, net, "veth.vlan.id", r);
		if (br.default_pvid && (int)br.default_pvid != net->veth_vlan_id)
			r = nk_bridge_vlan_del(nl, d->host, br.default_pvid, err);
		if (r == 0 && net->veth_vlan_id > 0)
			r = nk_bridge_vlan_add(nl, d->host, (unsigned)net->veth_vlan_id, true, err);
		if (r < 0)
			return nk_netc_key_wrap(err, net, "veth.vlan.id", r);
	}
	for (size_t i = 0; r == 0 && i < net->n_veth_vlan_tagged; i++)
		if ((r = nk_bridge_vlan_add(nl, d->host, net->veth_vlan_tagged[i], false, err)) < 0)
			return nk_netc_key_wrap(err, net, "veth.vlan.tagged.id", r);
	return 0;
}

static int add_route(nk_nl *nl, int ifindex, int family, const void *dst, unsigned len,
                     const nk_net *net, const char *key, nk_err **err)
{
	nk_route rt = {.family = family, .ifindex = ifindex, .dst_len = len};
	memcpy(rt.dst, dst, family == AF_INET ? 4 : 16);
	int r = nk_route_add(nl, &rt, err);
	return r < 0 ? nk_netc_key_wrap(err, net, key, r) : 0;
}

/* The routes of veth.ipv4.route and veth.ipv6.route, in any mode. */
static int given_routes(nk_nl *nl, int idx, const nk_net *net, nk_err **err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < net->n_veth_ipv4_routes; i++)
		r = add_route(nl, idx, AF_INET, &net->veth_ipv4_routes[i].addr,
		              net->veth_ipv4_routes[i].prefix, net, "veth.ipv4.route", err);
	for (size_t i = 0; r == 0 && i < net->n_veth_ipv6_routes; i++)
		r = add_route(nl, idx, AF_INET6, &net->veth_ipv6_routes[i].addr,
		              net->veth_ipv6_routes[i].prefix, net, "veth.ipv6.route", err);
	return r;
}

/* Turns on net.FAMILY.conf.DEV.KEY of our own host end: the setting goes with the device. */
static int sysctl_set(const char *family, const char *dev, const char *key, nk_err **err)
{
	char path[128];
	conf_path(path, family, dev, key);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1\n", 2) != 2)
		return nk_err_sys(err, "set net.%s.conf.%s.%s = 1", family, dev, key);
	return 0;
}

/*
 * Router mode: the host reaches each container address through the host end, and the host end
 * answers ARP/NDP for the container's gateway address, which need not exist anywhere (LXC's
 * example uses 169.254.0.1), so the container sends everything to the host, which routes it.
 */
static int router_routes(nk_nl *nl, int idx, const netc_dev *d, nk_err **err)
{
	const nk_net *net = d->net;
	int r = 0;
	for (size_t i = 0; r == 0 && i < net->n_ipv4; i++)
		r = add_route(nl, idx, AF_INET, &net->ipv4[i].addr, 32, net, "ipv4.address", err);
	for (size_t i = 0; r == 0 && i < net->n_ipv6; i++)
		r = add_route(nl, idx, AF_INET6, &net->ipv6[i].addr, 128, net, "ipv6.address", err);
	if (r == 0 && net->ipv4_gw_mode == NK_GW_ADDR) {
		r = sysctl_set("ipv4", d->host, "forwarding", err);
		if (r == 0)
			r = nk_neigh_proxy_add(nl, idx, AF_INET, &net->ipv4_gw, err);
		if (r < 0)
			return nk_netc_key_wrap(err, net, "ipv4.gateway", r);
	}
	if (r == 0 && net->ipv6_gw_mode == NK_GW_ADDR) {
		r = sysctl_set("ipv6", d->host, "forwarding", err);
		if (r == 0)
			r = sysctl_set("ipv6", d->host, "proxy_ndp", err);
		if (r == 0)
			r = nk_neigh_proxy_add(nl, idx, AF_INET6, &net->ipv6_gw, err);
		if (r < 0)
			return nk_netc_key_wrap(err, net, "ipv6.gateway", r);
	}
	return r;
}

int nk_netc_veth_routes(nk_nl *nl, const netc_dev *d, nk_err **err)
{
	int idx = nk_link_index(nl, d->host);
	if (idx < 0)
		return nk_err_set(err, -idx, "lxc.net.%u: host end %s", d->net->index, d->host);
	int r = given_routes(nl, idx, d->net, err);
	if (r == 0 && nk_netc_router(d->net))
		r = router_routes(nl, idx, d, err);
	return r;
}

/* ---- script.up, script.down ------------------------------------------------------------------ */

static void script_env(const char *ctname, const char *hook, const char *type, const char *link,
                       const char *peer, const char *netns)
{
	setenv("LXC_NAME", ctname, 1);
	setenv("LXC_HOOK_TYPE", hook, 1);
	setenv("LXC_HOOK_SECTION", "net", 1);
	setenv("LXC_NET_TYPE", type, 1);
	if (!strcmp(type, "veth") || !strcmp(type, "macvlan") || !strcmp(type, "phys"))
		setenv("LXC_NET_PARENT", link, 1);
	if (!strcmp(type, "veth"))
		setenv("LXC_NET_PEER", peer, 1);
	if (netns)
		setenv("LXC_NET_NS", netns, 1);
}

int nk_netc_script(const char *script, const char *ctname, const char *hook, const char *type,
                   const char *link, const char *peer, const char *netns)
{
	_cleanup_free_ char *cmd = NULL;
	/* LXC's arguments: the type, then the link for every type but empty, then a veth's host
	 * end. Joined by spaces for sh, so an empty link is no argument at all, as with LXC. */
	bool has_link = strcmp(type, "empty") != 0;
	bool has_peer = !strcmp(type, "veth");
	if (asprintf(&cmd, "%s %s net %s %s%s%s%s%s", script, ctname, hook, type,
	             has_link ? " " : "", has_link ? link : "", has_peer ? " " : "",
	             has_peer ? peer : "") < 0)
		return -ENOMEM;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		script_env(ctname, hook, type, link, peer, netns);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}
