/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/container.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/value.h"
#include "net/nl.h"
#include "util/cleanup.h"
#include "util/fs.h"

typedef struct netc_dev {
	const nk_net *net;
	char host[IFNAMSIZ];  /* veth: the host end */
	char temp[IFNAMSIZ];  /* the container end while still on the host */
	char final[IFNAMSIZ]; /* its name inside */
	bool created;         /* we made host-side devices that undo must remove */
	int phys_index;
} netc_dev;

struct nk_netc {
	const nk_spec *spec;
	netc_dev *devs;
	size_t n;
};

static void random_name(char buf[IFNAMSIZ], const char *prefix)
{
	unsigned char r[4];
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		memset(r, 0, sizeof(r));
	snprintf(buf, IFNAMSIZ, "%s%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3]);
}

static int key_err(nk_err **err, const nk_net *net, const char *key, int e, const char *fmt, const char *arg)
{
	char what[256];
	snprintf(what, sizeof(what), fmt, arg);
	/* The message says it all: no strerror after it; the return value keeps the errno. */
	nk_err_set(err, 0, "lxc.net.%u.%s: %s", net->index, key, what);
	return -e;
}

/* The parent device a network hangs on: it must exist (and be a bridge for a bridged veth). */
static int check_link(nk_nl *nl, const nk_net *net, bool bridge, nk_err **err)
{
	if (!net->link)
		return key_err(err, net, "link", EINVAL, "%s", "missing: this type needs a host device");
	nk_link l;
	if (nk_link_get(nl, net->link, &l, NULL) < 0)
		return key_err(err, net, "link", ENODEV, "no host device named %s", net->link);
	if (bridge && strcmp(l.kind, "bridge") != 0)
		return key_err(err, net, "link", EINVAL, "%s is not a bridge", net->link);
	return 0;
}

static bool veth_router(const nk_net *net)
{
	return net->veth_mode == NK_VETH_ROUTER;
}

/* Everything is checked before anything is created, so a bad network leaves nothing. */
static int check_all(nk_nl *nl, const nk_spec *s, nk_err **err)
{
	for (size_t i = 0; i < s->n_nets; i++) {
		const nk_net *net = &s->nets[i];
		int r = 0;
		switch (net->type) {
		case NK_NET_UNSET:
			return nk_err_set(err, EINVAL, "lxc.net.%u.type: missing", net->index);
		case NK_NET_VETH:
			if (!veth_router(net) || net->link)
				r = check_link(nl, net, !veth_router(net), err);
			if (r == 0 && net->veth_pair && nk_link_index(nl, net->veth_pair) > 0)
				r = key_err(err, net, "veth.pair", EEXIST, "%s exists already", net->veth_pair);
			break;
		case NK_NET_MACVLAN:
		case NK_NET_IPVLAN:
		case NK_NET_VLAN:
		case NK_NET_PHYS:
			r = check_link(nl, net, false, err);
			break;
		default:
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* After the clone: the host end here, the container's end born in its namespace, named. */
static int create_veth(nk_nl *nl, netc_dev *d, int netns_fd, nk_err **err)
{
	const nk_net *net = d->net;
	int r = nk_link_veth_create_ns(nl, d->host, d->final, netns_fd, err);
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
	if (net->link && !veth_router(net) && (r = nk_link_set_master(nl, d->host, net->link, err)) < 0)
		return r;
	return nk_link_set_up(nl, d->host, true, err);
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
	case NK_NET_MACVLAN: {
		static const unsigned modes[] = { [NK_MACVLAN_PRIVATE] = MACVLAN_MODE_PRIVATE,
			[NK_MACVLAN_VEPA] = MACVLAN_MODE_VEPA, [NK_MACVLAN_BRIDGE] = MACVLAN_MODE_BRIDGE,
			[NK_MACVLAN_PASSTHRU] = MACVLAN_MODE_PASSTHRU };
		random_name(d->temp, "mvnk");
		int mode = net->macvlan_mode > 0 ? net->macvlan_mode : NK_MACVLAN_PRIVATE;
		d->created = nk_link_macvlan_create(nl, d->temp, net->link, modes[mode], err) == 0;
		return d->created ? 0 : -EIO;
	}
	case NK_NET_IPVLAN: {
		static const unsigned modes[] = { [NK_IPVLAN_L3] = IPVLAN_MODE_L3,
			[NK_IPVLAN_L3S] = IPVLAN_MODE_L3S, [NK_IPVLAN_L2] = IPVLAN_MODE_L2 };
		static const unsigned iso[] = { [NK_IPVLAN_ISO_BRIDGE] = 0,
			[NK_IPVLAN_ISO_PRIVATE] = IPVLAN_F_PRIVATE, [NK_IPVLAN_ISO_VEPA] = IPVLAN_F_VEPA };
		random_name(d->temp, "ipnk");
		int mode = net->ipvlan_mode > 0 ? net->ipvlan_mode : NK_IPVLAN_L3;
		int is = net->ipvlan_isolation > 0 ? net->ipvlan_isolation : NK_IPVLAN_ISO_BRIDGE;
		d->created = nk_link_ipvlan_create(nl, d->temp, net->link, modes[mode], iso[is], err) == 0;
		return d->created ? 0 : -EIO;
	}
	case NK_NET_VLAN:
		random_name(d->temp, "vlnk");
		d->created = nk_link_vlan_create(nl, d->temp, net->link, (unsigned)(net->vlan_id > 0 ? net->vlan_id : 0), err) == 0;
		return d->created ? 0 : -EIO;
	case NK_NET_PHYS:
		snprintf(d->temp, IFNAMSIZ, "%s", net->link);
		d->phys_index = nk_link_index(nl, net->link);
		return d->phys_index > 0 ? 0 : key_err(err, net, "link", ENODEV, "no host device named %s", net->link);
	default:
		return 0;
	}
}

int nk_netc_prepare(const nk_spec *spec, const char *ctname, nk_netc **out, nk_err **err)
{
	*out = NULL;
	if (!spec->n_nets)
		return 0;
	nk_netc *n = calloc(1, sizeof(*n));
	if (!n || !(n->devs = calloc(spec->n_nets, sizeof(netc_dev)))) {
		free(n);
		return nk_err_set(err, ENOMEM, "networks");
	}
	n->spec = spec;
	*out = n;
	nk_nl nl;
	int r = nk_nl_open(&nl, err);
	if (r < 0)
		return r;
	r = check_all(&nl, spec, err);
	unsigned eth = 0;
	for (size_t i = 0; r == 0 && i < spec->n_nets; i++) {
		netc_dev *d = &n->devs[n->n++];
		d->net = &spec->nets[i];
		if (d->net->type == NK_NET_EMPTY || d->net->type == NK_NET_NONE)
			continue;
		if (d->net->name)
			snprintf(d->final, IFNAMSIZ, "%s", d->net->name);
		else
			snprintf(d->final, IFNAMSIZ, "eth%u", eth);
		eth++;
		r = create_one(&nl, d, err);
		if (r < 0)
			nk_err_wrap(err, r, "lxc.net.%u", d->net->index);
	}
	nk_nl_close(&nl);
	return r;
}

int nk_netc_move(nk_netc *n, int netns_fd, nk_err **err)
{
	if (!n)
		return 0;
	nk_nl nl = { 0 };
	int r = nk_nl_open(&nl, err);
	for (size_t i = 0; r == 0 && i < n->n; i++) {
		netc_dev *d = &n->devs[i];
		if (d->net->type == NK_NET_VETH) {
			r = create_veth(&nl, d, netns_fd, err);
			if (r < 0)
				nk_err_wrap(err, r, "lxc.net.%u", d->net->index);
			continue;
		}
		if (!d->temp[0])
			continue;
		r = nk_link_move_netns(&nl, d->temp, netns_fd, d->final, err);
		if (r == 0 && d->net->type != NK_NET_VETH)
			d->created = false; /* gone from the host: it dies with the container */
	}
	if (nl.sock)
		nk_nl_close(&nl);
	return r;
}

/* lxc.net.N.ipv4.gateway = auto: the first IPv4 address of the bridge the veth hangs on. */
static int auto_gateway(const nk_net *net, struct in_addr *gw, nk_err **err)
{
	nk_nl nl = { 0 };
	_cleanup_free_ nk_addr *addrs = NULL;
	size_t na = 0;
	int r = net->link ? nk_nl_open(&nl, err) : key_err(err, net, "ipv4.gateway", EINVAL, "%s", "auto needs a link");
	int idx = r == 0 ? nk_link_index(&nl, net->link) : -ENODEV;
	if (r == 0 && idx > 0)
		r = nk_addr_list(&nl, idx, AF_INET, &addrs, &na, err);
	if (nl.sock)
		nk_nl_close(&nl);
	if (r < 0)
		return r;
	if (!na)
		return key_err(err, net, "ipv4.gateway", EADDRNOTAVAIL, "auto: %s has no IPv4 address", net->link);
	memcpy(gw, addrs[0].addr, sizeof(*gw));
	return 0;
}

static int add_addresses(nk_nl *nl, int idx, const nk_net *net, nk_err **err)
{
	for (size_t i = 0; i < net->n_ipv4; i++) {
		nk_addr a = { .family = AF_INET, .ifindex = idx, .prefix = net->ipv4[i].prefix,
			      .has_bcast = true, .bcast = nk_inet4_broadcast(&net->ipv4[i]) };
		memcpy(a.addr, &net->ipv4[i].addr, 4);
		int r = nk_addr_add(nl, &a, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < net->n_ipv6; i++) {
		nk_addr a = { .family = AF_INET6, .ifindex = idx, .prefix = net->ipv6[i].prefix };
		memcpy(a.addr, &net->ipv6[i].addr, 16);
		int r = nk_addr_add(nl, &a, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_gateways(nk_nl *nl, int idx, const nk_net *net, nk_err **err)
{
	int r = 0;
	if (net->ipv4_gw_mode != NK_GW_UNSET) {
		nk_route rt = { .family = AF_INET, .ifindex = idx };
		struct in_addr gw = net->ipv4_gw;
		if (net->ipv4_gw_mode == NK_GW_AUTO && (r = auto_gateway(net, &gw, err)) < 0)
			return r;
		if (net->ipv4_gw_mode != NK_GW_DEV) {
			rt.has_gw = true;
			memcpy(rt.gw, &gw, 4);
			/* A gateway outside the container's subnets is still reached on this link. */
			rt.onlink = true;
		}
		if ((r = nk_route_add(nl, &rt, err)) < 0)
			return key_err(err, net, "ipv4.gateway", -r, "%s", (*err)->msg);
	}
	if (net->ipv6_gw_mode == NK_GW_ADDR || net->ipv6_gw_mode == NK_GW_DEV) {
		nk_route rt = { .family = AF_INET6, .ifindex = idx };
		if (net->ipv6_gw_mode == NK_GW_ADDR) {
			rt.has_gw = true;
			memcpy(rt.gw, &net->ipv6_gw, 16);
		}
		r = nk_route_add(nl, &rt, err);
	}
	return r;
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
			return key_err(err, net, "hwaddr", EINVAL, "bad MAC %s", hw);
		r = nk_link_set_mac(nl, d->final, mac, err);
	}
	if (r == 0 && net->mtu > 0)
		r = nk_link_set_mtu(nl, d->final, (unsigned)net->mtu, err);
	int idx = nk_link_index(nl, d->final);
	if (r == 0 && idx <= 0)
		r = nk_err_set(err, ENODEV, "%s did not arrive in the container", d->final);
	if (r == 0)
		r = add_addresses(nl, idx, net, err);
	/* LXC's rule: a device comes up only with flags = up (and a gateway needs it up). */
	if (r == 0 && net->up == 1)
		r = nk_link_set_up(nl, d->final, true, err);
	if (r == 0 && net->up == 1)
		r = add_gateways(nl, idx, net, err);
	return r < 0 ? nk_err_wrap(err, r, "lxc.net.%u (%s)", net->index, d->final) : 0;
}

/* Router mode: the host reaches the container's addresses through the host end. */
static int router_routes(const netc_dev *d, nk_err **err)
{
	const nk_net *net = d->net;
	nk_nl nl = { 0 };
	int r = nk_nl_open(&nl, err);
	int idx = r == 0 ? nk_link_index(&nl, d->host) : -ENODEV;
	for (size_t i = 0; r == 0 && i < net->n_ipv4; i++) {
		nk_route rt = { .family = AF_INET, .ifindex = idx, .dst_len = 32 };
		memcpy(rt.dst, &net->ipv4[i].addr, 4);
		r = nk_route_add(&nl, &rt, err);
	}
	for (size_t i = 0; r == 0 && i < net->n_ipv6; i++) {
		nk_route rt = { .family = AF_INET6, .ifindex = idx, .dst_len = 128 };
		memcpy(rt.dst, &net->ipv6[i].addr, 16);
		r = nk_route_add(&nl, &rt, err);
	}
	if (nl.sock)
		nk_nl_close(&nl);
	return r;
}

int nk_netc_configure(nk_netc *n, int netns_fd, nk_err **err)
{
	nk_nl nl = { 0 };
	int r = nk_nl_open_netns(&nl, netns_fd, err);
	if (r < 0)
		return r;
	r = nk_link_set_up(&nl, "lo", true, err);
	for (size_t i = 0; r == 0 && n && i < n->n; i++)
		if (n->devs[i].final[0])
			r = configure_one(&nl, &n->devs[i], err);
	nk_nl_close(&nl);
	for (size_t i = 0; r == 0 && n && i < n->n; i++)
		if (n->devs[i].net->type == NK_NET_VETH && veth_router(n->devs[i].net))
			r = router_routes(&n->devs[i], err);
	return r;
}

static int run_script(const char *script, const char *ctname, const nk_net *net, const char *hostdev)
{
	_cleanup_free_ char *cmd = NULL;
	static const char *types[] = { "", "empty", "none", "veth", "macvlan", "ipvlan", "vlan", "phys" };
	if (asprintf(&cmd, "%s %s net up %s %s", script, ctname, types[net->type], hostdev) < 0)
		return -ENOMEM;
	pid_t pid = fork();
	if (pid == 0) {
		setenv("LXC_NAME", ctname, 1);
		setenv("LXC_NET_TYPE", types[net->type], 1);
		setenv("LXC_NET_PARENT", net->link ? net->link : "", 1);
		if (hostdev[0])
			setenv("LXC_NET_PEER", hostdev, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

int nk_netc_scripts_up(nk_netc *n, const char *ctname, nk_err **err)
{
	for (size_t i = 0; n && i < n->n; i++) {
		const netc_dev *d = &n->devs[i];
		if (d->net->script_up && run_script(d->net->script_up, ctname, d->net, d->host) < 0)
			return key_err(err, d->net, "script.up", EIO, "%s failed", d->net->script_up);
	}
	return 0;
}

void nk_netc_undo(nk_netc *n)
{
	nk_nl nl = { 0 };
	if (!n || nk_nl_open(&nl, NULL) < 0)
		return;
	for (size_t i = 0; i < n->n; i++) {
		netc_dev *d = &n->devs[i];
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
	free(n);
}

char **nk_netc_phys_records(const nk_netc *n)
{
	char **out = NULL;
	for (size_t i = 0; n && i < n->n; i++) {
		const netc_dev *d = &n->devs[i];
		char rec[64];
		if (d->net->type == NK_NET_VETH && d->host[0])
			snprintf(rec, sizeof(rec), "veth:%s", d->host);
		else if (d->net->type == NK_NET_PHYS && d->phys_index > 0)
			snprintf(rec, sizeof(rec), "%d:%s", d->phys_index, d->net->link);
		else
			continue;
		nk_strv_push(&out, rec);
	}
	return out;
}

/*
 * The kernel removes a dead namespace's devices, veth peers with them, in a work queue a
 * little later; deleting the host ends now makes "stopped" mean "gone from the host".
 */
static int delete_veths(char **records, nk_err **err)
{
	nk_nl nl = { 0 };
	int r = nk_nl_open(&nl, err);
	for (char **rec = records; r == 0 && rec && *rec; rec++) {
		if (!nk_str_has_prefix(*rec, "veth:"))
			continue;
		int d = nk_link_delete(&nl, *rec + 5, NULL);
		if (d < 0 && d != -ENODEV)
			r = nk_link_delete(&nl, *rec + 5, err);
	}
	if (nl.sock)
		nk_nl_close(&nl);
	return r;
}

int nk_netc_restore_phys(int ct_netns_fd, char **records, nk_err **err)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	nk_nl nl = { 0 };
	if (self < 0)
		return nk_err_sys(err, "open /proc/self/ns/net");
	int r = ct_netns_fd >= 0 ? nk_nl_open_netns(&nl, ct_netns_fd, err) : 0;
	for (char **rec = records; r == 0 && rec && *rec; rec++) {
		if (nk_str_has_prefix(*rec, "veth:"))
			continue; /* below, from our own namespace */
		int idx = atoi(*rec);
		const char *want = strchr(*rec, ':') ? strchr(*rec, ':') + 1 : "";
		char now[IFNAMSIZ] = "";
		if (nk_link_name(&nl, idx, now, NULL) < 0)
			continue; /* gone already (a real NIC the kernel gave back itself) */
		if ((r = nk_link_set_up(&nl, now, false, err)) == 0)
			r = nk_link_move_netns(&nl, now, self, want, err);
	}
	if (nl.sock)
		nk_nl_close(&nl);
	return r < 0 ? r : delete_veths(records, err);
}

char **nk_netc_addresses(pid_t pid, int family)
{
	char path[64], buf[INET6_ADDRSTRLEN];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	_cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
	nk_nl nl = { 0 };
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
