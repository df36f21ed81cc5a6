/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A container's networks in the start sequence: everything checked first, the host-side
 * devices, the container's ends moved in and configured there, script.up; and undo when the
 * start fails. What a running container leaves for its stop is in container_stop.c, what a
 * network changes on the host besides devices in container_host.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "conf/value.h"
#include "net/container_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void random_name(char buf[IFNAMSIZ], const char *prefix)
{
	unsigned char r[4];
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		memset(r, 0, sizeof(r));
	snprintf(buf, IFNAMSIZ, "%s%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3]);
}

/* The parent device a network hangs on: it must exist (and be a bridge for a bridged veth). */
static int check_link(nk_nl *nl, const nk_net *net, bool bridge, nk_err **err)
{
	if (!net->link)
		return nk_netc_key_err(err, net, "link", EINVAL,
		                       "missing: this type needs a host device");
	nk_link l;
	if (nk_link_get(nl, net->link, &l, NULL) < 0)
		return nk_netc_key_err(err, net, "link", ENODEV, "no host device named %s",
		                       net->link);
	if (bridge && strcmp(l.kind, "bridge") != 0)
		return nk_netc_key_err(err, net, "link", EINVAL, "%s is not a bridge", net->link);
	return 0;
}

static int check_one(nk_nl *nl, const nk_net *net, nk_err **err)
{
	int r = 0;
	switch (net->type) {
	case NK_NET_UNSET: return nk_err_set(err, EINVAL, "lxc.net.%u.type: missing", net->index);
	case NK_NET_VETH:
		if (!nk_netc_router(net) || net->link)
			r = check_link(nl, net, !nk_netc_router(net), err);
		if (r == 0 && net->veth_pair && nk_link_index(nl, net->veth_pair) > 0)
			r = nk_netc_key_err(err, net, "veth.pair", EEXIST, "%s exists already",
			                    net->veth_pair);
		break;
	case NK_NET_MACVLAN:
	case NK_NET_IPVLAN:
	case NK_NET_VLAN:
	case NK_NET_PHYS: r = check_link(nl, net, false, err); break;
	default: break;
	}
	return r < 0 ? r : nk_netc_check_host(nl, net, err);
}

/* Everything is checked before anything is created, so a bad network leaves nothing. */
static int check_all(nk_nl *nl, const nk_spec *s, nk_err **err)
{
	for (size_t i = 0; i < s->n_nets; i++) {
		int r = check_one(nl, &s->nets[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The pair: the host end here with an fe: MAC (and the MTU), on its bridge; the other end born
 * in the container's namespace, named. */
static int veth_pair(nk_nl *nl, netc_dev *d, int netns_fd, nk_err **err)
{
	const nk_net *net = d->net;
	nk_veth_opts o = {.peer_netns_fd = netns_fd};
	if (net->veth_n_rxqueues > 0)
		o.rx_queues = (unsigned)net->veth_n_rxqueues;
	if (net->veth_n_txqueues > 0)
		o.tx_queues = (unsigned)net->veth_n_txqueues;
	int r = nk_link_veth_create_with(nl, d->host, d->final, &o, err);
	if (r < 0)
		return r;
	d->created = true;
	/* fe: the highest locally administered MACs: a bridge takes the lowest MAC of its ports,
	 * so a container's host end never becomes the bridge's address (and never changes it). */
	unsigned char mac[6];
	nk_mac_random(mac, 0xfe);
	if ((r = nk_link_set_mac(nl, d->host, mac, err)) < 0)
		return r;
	if (net->mtu > 0 && (r = nk_link_set_mtu(nl, d->host, (unsigned)net->mtu, err)) < 0)
		return r;
	if (net->link && !nk_netc_router(net))
		r = nk_link_set_master(nl, d->host, net->link, err);
	return r;
}

/* After the clone: the pair, the host end's VLANs, up, its routes (LXC's order). */
static int create_veth(nk_nl *nl, netc_dev *d, int netns_fd, nk_err **err)
{
	const nk_net *net = d->net;
	int r = veth_pair(nl, d, netns_fd, err);
	if (r < 0)
		return nk_err_wrap(err, r, "lxc.net.%u", net->index);
	if (net->link && !nk_netc_router(net) && (r = nk_netc_veth_vlans(nl, d, err)) < 0)
		return r;
	if ((r = nk_link_set_up(nl, d->host, true, err)) < 0)
		return nk_err_wrap(err, r, "lxc.net.%u", net->index);
	return nk_netc_veth_routes(nl, d, err);
}

/* A macvlan, ipvlan or vlan device on the link, under a temporary name until it moves in. */
static int create_child(nk_nl *nl, netc_dev *d, nk_err **err)
{
	static const unsigned macvlan[] = {[NK_MACVLAN_PRIVATE] = MACVLAN_MODE_PRIVATE,
	                                   [NK_MACVLAN_VEPA] = MACVLAN_MODE_VEPA,
	                                   [NK_MACVLAN_BRIDGE] = MACVLAN_MODE_BRIDGE,
	                                   [NK_MACVLAN_PASSTHRU] = MACVLAN_MODE_PASSTHRU};
	static const unsigned ipvlan[] = {[NK_IPVLAN_L3] = IPVLAN_MODE_L3,
	                                  [NK_IPVLAN_L3S] = IPVLAN_MODE_L3S,
	                                  [NK_IPVLAN_L2] = IPVLAN_MODE_L2};
	static const unsigned iso[] = {[NK_IPVLAN_ISO_BRIDGE] = 0,
	                               [NK_IPVLAN_ISO_PRIVATE] = IPVLAN_F_PRIVATE,
	                               [NK_IPVLAN_ISO_VEPA] = IPVLAN_F_VEPA};
	const nk_net *net = d->net;
	int r;
	if (net->type == NK_NET_MACVLAN) {
		random_name(d->temp, "mvnk");
		int mode = net->macvlan_mode > 0 ? net->macvlan_mode : NK_MACVLAN_PRIVATE;
		r = nk_link_macvlan_create(nl, d->temp, net->link, macvlan[mode], err);
	} else if (net->type == NK_NET_IPVLAN) {
		random_name(d->temp, "ipnk");
		int mode = net->ipvlan_mode > 0 ? net->ipvlan_mode : NK_IPVLAN_L3;
		int is = net->ipvlan_isolation > 0 ? net->ipvlan_isolation : NK_IPVLAN_ISO_BRIDGE;
		r = nk_link_ipvlan_create(nl, d->temp, net->link, ipvlan[mode], iso[is], err);
	} else {
		random_name(d->temp, "vlnk");
		unsigned id = (unsigned)(net->vlan_id > 0 ? net->vlan_id : 0);
		r = nk_link_vlan_create(nl, d->temp, net->link, id, err);
	}
	d->created = r == 0;
	return r < 0 ? nk_err_wrap(err, r, "lxc.net.%u", net->index) : 0;
}

static int create_one(nk_nl *nl, netc_dev *d, nk_err **err)
{
	const nk_net *net = d->net;
	switch (net->type) {
	case NK_NET_VETH:
		/* made after the clone (nk_netc_move); its host name is chosen now */
		if (net->veth_pair)
			snprintf(d->host, IFNAMSIZ, "%s", net->veth_pair);
		else
			random_name(d->host, "vnk");
		return 0;
	case NK_NET_MACVLAN:
	case NK_NET_IPVLAN:
	case NK_NET_VLAN: return create_child(nl, d, err);
	case NK_NET_PHYS:
		snprintf(d->temp, IFNAMSIZ, "%s", net->link);
		d->phys_index = nk_link_index(nl, net->link);
		if (d->phys_index <= 0)
			return nk_netc_key_err(err, net, "link", ENODEV, "no host device named %s",
			                       net->link);
		return 0;
	default: return 0;
	}
}

static nk_netc *netc_new(const nk_spec *spec, const char *ctname)
{
	nk_netc *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->spec = spec;
	n->devs = calloc(spec->n_nets, sizeof(netc_dev));
	n->ctname = strdup(ctname);
	if (!n->devs || !n->ctname) {
		nk_netc_free(n);
		return NULL;
	}
	return n;
}

/* Host-side devices, then l2proxy's entries on their links (LXC's order). */
static int prepare_all(nk_nl *nl, nk_netc *n, nk_err **err)
{
	const nk_spec *spec = n->spec;
	unsigned eth = 0;
	for (size_t i = 0; i < spec->n_nets; i++) {
		netc_dev *d = &n->devs[n->n++];
		d->net = &spec->nets[i];
		if (d->net->type == NK_NET_EMPTY || d->net->type == NK_NET_NONE)
			continue;
		if (d->net->name)
			snprintf(d->final, IFNAMSIZ, "%s", d->net->name);
		else
			snprintf(d->final, IFNAMSIZ, "eth%u", eth);
		eth++;
		int r = create_one(nl, d, err);
		if (r == 0)
			r = nk_netc_l2proxy_add(nl, d, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int nk_netc_prepare(const nk_spec *spec, const char *ctname, nk_netc **out, nk_err **err)
{
	*out = NULL;
	if (!spec->n_nets)
		return 0;
	nk_netc *n = netc_new(spec, ctname);
	if (!n)
		return nk_err_set(err, ENOMEM, "networks");
	*out = n;
	nk_nl nl;
	int r = nk_nl_open(&nl, err);
	if (r < 0)
		return r;
	r = check_all(&nl, spec, err);
	if (r == 0)
		r = prepare_all(&nl, n, err);
	nk_nl_close(&nl);
	return r;
}

int nk_netc_move(nk_netc *n, int netns_fd, nk_err **err)
{
	if (!n)
		return 0;
	nk_nl nl = {0};
	int r = nk_nl_open(&nl, err);
	for (size_t i = 0; r == 0 && i < n->n; i++) {
		netc_dev *d = &n->devs[i];
		if (d->net->type == NK_NET_VETH) {
			r = create_veth(&nl, d, netns_fd, err);
			continue;
		}
		if (!d->temp[0])
			continue;
		r = nk_link_move_netns(&nl, d->temp, netns_fd, d->final, err);
		if (r == 0)
			d->created = false; /* gone from the host: it dies with the container */
		else
			nk_err_wrap(err, r, "lxc.net.%u", d->net->index);
	}
	if (nl.sock)
		nk_nl_close(&nl);
	return r;
}

/* gateway = auto: the first address of that family on the link (the bridge), as LXC. */
static int auto_gateway(const nk_net *net, int family, void *gw, nk_err **err)
{
	const char *key = family == AF_INET ? "ipv4.gateway" : "ipv6.gateway";
	nk_nl nl = {0};
	_cleanup_free_ nk_addr *addrs = NULL;
	size_t na = 0;
	int r = net->link ? nk_nl_open(&nl, err)
	                  : nk_netc_key_err(err, net, key, EINVAL, "auto needs a link");
	int idx = r == 0 ? nk_link_index(&nl, net->link) : -ENODEV;
	if (r == 0 && idx > 0)
		r = nk_addr_list(&nl, idx, family, &addrs, &na, err);
	if (nl.sock)
		nk_nl_close(&nl);
	if (r < 0)
		return r;
	if (!na)
		return nk_netc_key_err(err, net, key, EADDRNOTAVAIL,
		                       "auto: %s has no IPv%c address", net->link,
		                       family == AF_INET ? '4' : '6');
	memcpy(gw, addrs[0].addr, family == AF_INET ? 4 : 16);
	return 0;
}

static int add_addresses(nk_nl *nl, int idx, const nk_net *net, nk_err **err)
{
	for (size_t i = 0; i < net->n_ipv4; i++) {
		nk_addr a = {.family = AF_INET,
		             .ifindex = idx,
		             .prefix = net->ipv4[i].prefix,
		             .has_bcast = true,
		             .bcast = nk_inet4_broadcast(&net->ipv4[i])};
		memcpy(a.addr, &net->ipv4[i].addr, 4);
		int r = nk_addr_add(nl, &a, err);
		if (r < 0)
			return nk_netc_key_wrap(err, net, "ipv4.address", r);
	}
	for (size_t i = 0; i < net->n_ipv6; i++) {
		nk_addr a = {.family = AF_INET6, .ifindex = idx, .prefix = net->ipv6[i].prefix};
		memcpy(a.addr, &net->ipv6[i].addr, 16);
		int r = nk_addr_add(nl, &a, err);
		if (r < 0)
			return nk_netc_key_wrap(err, net, "ipv6.address", r);
	}
	return 0;
}

/* One default route: through gw, or (mode dev) straight out of the device. */
static int add_gateway(nk_nl *nl, int idx, const nk_net *net, int family, nk_err **err)
{
	enum nk_gateway_mode mode = family == AF_INET ? net->ipv4_gw_mode : net->ipv6_gw_mode;
	const char *key = family == AF_INET ? "ipv4.gateway" : "ipv6.gateway";
	if (mode == NK_GW_UNSET)
		return 0;
	nk_route rt = {.family = family, .ifindex = idx};
	if (mode == NK_GW_ADDR)
		memcpy(rt.gw, family == AF_INET ? (const void *)&net->ipv4_gw : &net->ipv6_gw,
		       family == AF_INET ? 4 : 16);
	int r = mode == NK_GW_AUTO ? auto_gateway(net, family, rt.gw, err) : 0;
	if (r < 0)
		return r;
	rt.has_gw = mode != NK_GW_DEV;
	/* An IPv4 gateway outside the container's subnets is still reached on this link. */
	rt.onlink = rt.has_gw && family == AF_INET;
	r = nk_route_add(nl, &rt, err);
	return r < 0 ? nk_netc_key_wrap(err, net, key, r) : 0;
}

static int configure_one(nk_nl *nl, const netc_dev *d, nk_err **err)
{
	const nk_net *net = d->net;
	int r = 0;
	if (net->hwaddr) {
		char hw[32];
		unsigned char mac[6];
		snprintf(hw, sizeof(hw), "%s", net->hwaddr);
		nk_hwaddr_randomize(hw);
		if (nk_mac_parse(hw, mac) < 0)
			return nk_netc_key_err(err, net, "hwaddr", EINVAL, "bad MAC %s", hw);
		if ((r = nk_link_set_mac(nl, d->final, mac, err)) < 0)
			return nk_netc_key_wrap(err, net, "hwaddr", r);
	}
	if (net->mtu > 0 && (r = nk_link_set_mtu(nl, d->final, (unsigned)net->mtu, err)) < 0)
		return nk_netc_key_wrap(err, net, "mtu", r);
	int idx = nk_link_index(nl, d->final);
	if (idx <= 0)
		return nk_err_set(err, ENODEV, "lxc.net.%u: %s did not arrive in the container",
		                  net->index, d->final);
	if ((r = add_addresses(nl, idx, net, err)) < 0)
		return r;
	/* LXC's rule: a device comes up only with flags = up (and a gateway needs it up). */
	if (net->up != 1)
		return 0;
	if ((r = nk_link_set_up(nl, d->final, true, err)) < 0)
		return nk_netc_key_wrap(err, net, "flags", r);
	r = add_gateway(nl, idx, net, AF_INET, err);
	return r < 0 ? r : add_gateway(nl, idx, net, AF_INET6, err);
}

int nk_netc_configure(nk_netc *n, int netns_fd, nk_err **err)
{
	nk_nl nl = {0};
	int r = nk_nl_open_netns(&nl, netns_fd, err);
	if (r < 0)
		return r;
	r = nk_link_set_up(&nl, "lo", true, err);
	for (size_t i = 0; r == 0 && n && i < n->n; i++)
		if (n->devs[i].final[0])
			r = configure_one(&nl, &n->devs[i], err);
	nk_nl_close(&nl);
	return r;
}

/* The link and host end a network's scripts are given. */
static const char *dev_link(const netc_dev *d)
{
	return d->net->link ? d->net->link : "";
}

int nk_netc_scripts_up(nk_netc *n, const char *ctname, nk_err **err)
{
	for (size_t i = 0; n && i < n->n; i++) {
		netc_dev *d = &n->devs[i];
		const nk_net *net = d->net;
		/* No network of its own, nothing to run for: LXC runs none for type none. */
		if (!net->script_up || net->type == NK_NET_NONE)
			continue;
		if (nk_netc_script(net->script_up, ctname, "up", nk_netc_type_name(net->type),
		                   dev_link(d), d->host, NULL) < 0)
			return nk_netc_key_err(err, net, "script.up", EIO, "%s failed",
			                       net->script_up);
		d->up_ran = true;
	}
	if (n)
		n->set_up = true;
	return 0;
}

/* A failed start: script.down where script.up ran, l2proxy's entries, the devices made here. */
void nk_netc_undo(nk_netc *n)
{
	nk_nl nl = {0};
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		netc_dev *d = &n->devs[i];
		if (d->up_ran && d->net->script_down)
			nk_netc_script(d->net->script_down, n->ctname, "down",
			               nk_netc_type_name(d->net->type), dev_link(d), d->host, NULL);
		d->up_ran = false;
	}
	if (nk_nl_open(&nl, NULL) < 0)
		return;
	for (size_t i = 0; i < n->n; i++) {
		netc_dev *d = &n->devs[i];
		nk_netc_l2proxy_del(&nl, d->net, d->proxied);
		d->proxied = 0;
		if (!d->created)
			continue;
		/* A veth goes with either end; the others by the name they still have here. */
		nk_link_delete(&nl, d->host[0] ? d->host : d->temp, NULL);
		d->created = false;
	}
	nk_nl_close(&nl);
}

void nk_netc_free(nk_netc *n)
{
	if (!n)
		return;
	free(n->devs);
	free(n->ctname);
	free(n);
}

char **nk_netc_addresses(pid_t pid, int family)
{
	char path[64], buf[INET6_ADDRSTRLEN];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	_cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
	nk_nl nl = {0};
	_cleanup_free_ nk_addr *addrs = NULL;
	size_t n = 0;
	char **out = calloc(1, sizeof(char *));
	if (ns < 0 || !out || nk_nl_open_netns(&nl, ns, NULL) < 0)
		return out;
	int lo = nk_link_index(&nl, "lo");
	if (nk_addr_list(&nl, 0, family, &addrs, &n, NULL) < 0)
		n = 0;
	nk_nl_close(&nl);
	for (size_t i = 0; i < n; i++) {
		if (addrs[i].ifindex == lo || (family == AF_INET6 && addrs[i].addr[0] == 0xfe &&
		                               (addrs[i].addr[1] & 0xc0) == 0x80))
			continue;
		if (inet_ntop(family, addrs[i].addr, buf, sizeof(buf)))
			nk_strv_push(&out, buf);
	}
	return out;
}
