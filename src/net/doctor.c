/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/doctor.h"
#include "net/iptlegacy.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dnsmasq.h"
#include "net/nft.h"
#include "net/nl.h"
#include "net/uplink.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strbuf.h"

typedef struct doc {
	nk_nl nl;
	const char *only; /* the bridge asked about, or NULL for all */
	nk_link *links;
	size_t nlinks;
	nk_addr *addrs;
	size_t naddrs;
	nk_route *routes;
	size_t nroutes;
	nk_net *nets; /* defined networks (only the one asked about, when given) */
	size_t nnets;
	json_object *ruleset; /* NULL when it could not be read */
	nk_net_notes *problems, *notes;
} doc;

static void doc_free(doc *d)
{
	nk_nl_close(&d->nl);
	free(d->links);
	free(d->addrs);
	free(d->routes);
	free(d->nets);
	if (d->ruleset)
		json_object_put(d->ruleset);
}

static const nk_link *link_by_index(const doc *d, int index)
{
	for (size_t i = 0; i < d->nlinks; i++)
		if (d->links[i].index == index)
			return &d->links[i];
	return NULL;
}

static bool is_bridge(const nk_link *l)
{
	return l && strcmp(l->kind, "bridge") == 0;
}

/* A bridge the user asked about (all of them when no name was given). */
static bool in_scope(const doc *d, const nk_link *br)
{
	return is_bridge(br) && (!d->only || strcmp(d->only, br->name) == 0);
}

static const char *fmt_ip(int family, const unsigned char *a, char buf[INET6_ADDRSTRLEN])
{
	return inet_ntop(family, a, buf, INET6_ADDRSTRLEN);
}

/* ---- gathering ---- */

static int load_nets(doc *d, nk_err **err)
{
	_cleanup_strv_ char **names = NULL;
	int r = nk_net_names(&names, err);
	if (r < 0)
		return r;
	d->nets = calloc(nk_strv_len(names) + 1, sizeof(nk_net));
	if (!d->nets)
		return nk_err_set(err, ENOMEM, "doctor");
	for (char **p = names; *p; p++) {
		_cleanup_err_ nk_err *e = NULL;
		if (d->only && strcmp(*p, d->only) != 0)
			continue;
		if (nk_net_load(*p, &d->nets[d->nnets], &e) < 0) {
			_cleanup_free_ char *t = nk_err_text(e);
			nk_net_note(d->problems,
			            "network %s: unreadable definition: %s; fix: correct it "
			            "or nook net rm %s",
			            *p, t ? t : "?", *p);
			continue;
		}
		d->nnets++;
	}
	return 0;
}

static int gather(doc *d, nk_err **err)
{
	int r = nk_nl_open(&d->nl, err);
	if (r == 0)
		r = nk_link_list(&d->nl, &d->links, &d->nlinks, err);
	if (r == 0)
		r = nk_addr_list(&d->nl, 0, AF_UNSPEC, &d->addrs, &d->naddrs, err);
	if (r == 0)
		r = nk_route_list(&d->nl, AF_UNSPEC, 0, &d->routes, &d->nroutes, err);
	if (r == 0)
		r = load_nets(d, err);
	if (r < 0)
		return r;
	_cleanup_err_ nk_err *e = NULL;
	if (nk_nft_ruleset(&d->ruleset, &e) < 0) {
		_cleanup_free_ char *t = nk_err_text(e);
		nk_net_note(d->notes, "nftables checks skipped: %s", t ? t : "?");
	}
	return 0;
}

/* ---- an enslaved port with layer-3 state ---- */

/*
 * Once a device is a bridge port, the bridge takes every frame it receives: an address or a
 * route left on it stops working (the trap of `ip link set eth0 master br0`).
 */
static void check_port_l3(doc *d, const nk_link *port, const nk_link *br)
{
	_cleanup_strbuf_ nk_strbuf b = {0};
	size_t nroutes = 0;
	char ip[INET6_ADDRSTRLEN];
	for (size_t i = 0; i < d->naddrs; i++) {
		const nk_addr *a = &d->addrs[i];
		bool ll6 =
		    a->family == AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
		if (a->ifindex == port->index && !ll6)
			nk_strbuf_printf(&b, "%s%s/%u", b.len ? ", " : "",
			                 fmt_ip(a->family, a->addr, ip), a->prefix);
	}
	for (size_t i = 0; i < d->nroutes; i++) {
		const nk_route *r = &d->routes[i];
		nroutes += r->ifindex == port->index && r->type == RTN_UNICAST &&
		           r->protocol != RTPROT_KERNEL && r->table != RT_TABLE_LOCAL;
	}
	if (!b.len && !nroutes)
		return;
	char routes[48] = "";
	if (nroutes)
		snprintf(routes, sizeof(routes), "%s%zu route%s", b.len ? " and " : "", nroutes,
		         nroutes == 1 ? "" : "s");
	nk_net_note(
	    d->problems,
	    "%s: port of bridge %s still has %s%s%s, which stopped working when %s took its "
	    "frames; fix: nook net attach-uplink %s %s (moves them to %s)",
	    port->name, br->name, b.len ? "the address " : "", b.len ? b.s : "", routes, br->name,
	    br->name, port->name, br->name);
}

static void check_ports(doc *d)
{
	for (size_t i = 0; i < d->nlinks; i++) {
		const nk_link *br = link_by_index(d, d->links[i].master);
		if (in_scope(d, br))
			check_port_l3(d, &d->links[i], br);
	}
}

/* ---- the networks nook defined ---- */

static bool json_covers(json_object *right, const nk_net *n)
{
	json_object *p, *addr, *len;
	struct in_addr a;
	if (!json_object_object_get_ex(right, "prefix", &p) ||
	    !json_object_object_get_ex(p, "addr", &addr) ||
	    !json_object_object_get_ex(p, "len", &len) ||
	    inet_pton(AF_INET, json_object_get_string(addr), &a) != 1)
		return false;
	unsigned plen = (unsigned)json_object_get_int(len);
	return plen <= n->prefix && nk_in_subnet4(n->subnet, a, plen);
}

static bool is_saddr_match(json_object *m)
{
	json_object *left, *payload, *field;
	return json_object_object_get_ex(m, "left", &left) &&
	       json_object_object_get_ex(left, "payload", &payload) &&
	       json_object_object_get_ex(payload, "field", &field) &&
	       strcmp(json_object_get_string(field), "saddr") == 0;
}

struct masq_scan {
	const nk_net *n;
	bool found;
};

/* A masquerade or snat rule (nook's, or anyone's) whose source match, if any, covers the
 * subnet: the network's traffic leaves NATed either way. */
static int scan_masq(json_object *rule, void *data)
{
	struct masq_scan *s = data;
	json_object *fam, *expr, *m;
	if (!json_object_object_get_ex(rule, "family", &fam) ||
	    (strcmp(json_object_get_string(fam), "ip") &&
	     strcmp(json_object_get_string(fam), "inet")) ||
	    !json_object_object_get_ex(rule, "expr", &expr))
		return 0;
	bool nat = false, covers = true;
	for (size_t i = 0; i < json_object_array_length(expr); i++) {
		json_object *e = json_object_array_get_idx(expr, i);
		nat |= json_object_object_get_ex(e, "masquerade", NULL) ||
		       json_object_object_get_ex(e, "snat", NULL);
		if (json_object_object_get_ex(e, "match", &m) && is_saddr_match(m))
			covers = json_object_object_get_ex(m, "right", &m) && json_covers(m, s->n);
	}
	s->found |= nat && covers;
	return s->found;
}

static void check_net_nat(doc *d, const nk_net *n)
{
	struct masq_scan s = {.n = n};
	char sub[INET6_ADDRSTRLEN + 4];
	if (!n->nat || !d->ruleset)
		return;
	nk_nft_foreach(d->ruleset, "rule", scan_masq, &s);
	nk_net_fmt_subnet(n, sub, sizeof(sub));
	if (!s.found)
		nk_net_note(d->problems,
		            "network %s: no masquerade for %s in any nftables table, so "
		            "containers reach nothing beyond the host; fix: nook net up %s",
		            n->name, sub, n->name);
}

static void check_net(doc *d, const nk_net *n)
{
	const nk_link *br = NULL;
	for (size_t i = 0; i < d->nlinks; i++)
		if (strcmp(d->links[i].name, n->name) == 0)
			br = &d->links[i];
	if (!is_bridge(br)) {
		nk_net_note(d->problems, "network %s: no bridge %s; fix: nook net up %s", n->name,
		            n->name, n->name);
		return;
	}
	if (!(br->flags & IFF_UP))
		nk_net_note(d->problems, "network %s: bridge %s is down; fix: nook net up %s",
		            n->name, n->name, n->name);
	bool addr = !n->has_subnet;
	for (size_t i = 0; i < d->naddrs; i++)
		addr |= d->addrs[i].ifindex == br->index && d->addrs[i].family == AF_INET &&
		        memcmp(d->addrs[i].addr, &n->gateway, 4) == 0;
	char gw[INET_ADDRSTRLEN];
	if (!addr)
		nk_net_note(d->problems,
		            "network %s: bridge %s lacks its gateway address %s/%u, so "
		            "containers have no router; fix: nook net up %s",
		            n->name, n->name, inet_ntop(AF_INET, &n->gateway, gw, sizeof(gw)),
		            n->prefix, n->name);
	check_net_nat(d, n);
	if (n->has_dhcp && nk_dnsmasq_pid(n->name) <= 0)
		nk_net_note(d->problems,
		            "network %s: its dnsmasq is not running, so containers get no "
		            "address by DHCP; fix: nook net up %s",
		            n->name, n->name);
}

static void check_forwarding(doc *d)
{
	bool v4 = false, v6 = false;
	int on;
	for (size_t i = 0; i < d->nnets; i++) {
		v4 |= d->nets[i].has_subnet;
		v6 |= d->nets[i].has_ipv6;
	}
	if (v4 && nk_sysctl_read("net.ipv4.ip_forward", &on, NULL) == 0 && !on)
		nk_net_note(d->problems,
		            "net.ipv4.ip_forward is 0: the host routes nothing for its "
		            "networks; fix: sysctl -w net.ipv4.ip_forward=1 (nook net up does)");
	if (v6 && nk_sysctl_read("net.ipv6.conf.all.forwarding", &on, NULL) == 0 && !on)
		nk_net_note(d->problems,
		            "net.ipv6.conf.all.forwarding is 0: the host routes no IPv6 "
		            "for its networks; fix: sysctl -w "
		            "net.ipv6.conf.all.forwarding=1 (nook net up does)");
}

/* ---- firewall: forward-hook drop policies, br_netfilter ---- */

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* The meta key a match tests ("iifname"), or "". */
static const char *meta_key(json_object *m)
{
	json_object *left, *meta;
	if (json_object_object_get_ex(m, "left", &left) &&
	    json_object_object_get_ex(left, "meta", &meta))
		return jstr(meta, "key");
	return "";
}

struct accept_scan {
	json_object *chain;
	const char *dev;
	bool found;
};

/* A rule of the chain with `iifname "DEV"` and an accept verdict. */
static int scan_accept(json_object *rule, void *data)
{
	struct accept_scan *s = data;
	json_object *expr, *m, *right;
	if (strcmp(jstr(rule, "family"), jstr(s->chain, "family")) ||
	    strcmp(jstr(rule, "table"), jstr(s->chain, "table")) ||
	    strcmp(jstr(rule, "chain"), jstr(s->chain, "name")) ||
	    !json_object_object_get_ex(rule, "expr", &expr))
		return 0;
	bool iif = false, accept = false;
	for (size_t i = 0; i < json_object_array_length(expr); i++) {
		json_object *e = json_object_array_get_idx(expr, i);
		accept |= json_object_object_get_ex(e, "accept", NULL);
		if (json_object_object_get_ex(e, "match", &m) &&
		    strcmp(meta_key(m), "iifname") == 0 &&
		    json_object_object_get_ex(m, "right", &right) &&
		    strcmp(json_object_get_string(right), s->dev) == 0)
			iif = true;
	}
	s->found |= iif && accept;
	return s->found;
}

/*
 * Every base chain on a hook sees the packet, and a drop in any of them is final: an accept in
 * nook's table (or anyone's) cannot override another table's drop policy. So the fix belongs in
 * the chain that drops.
 */
static void forward_drop_routed(doc *d, json_object *chain)
{
	for (size_t i = 0; i < d->nnets; i++) {
		struct accept_scan s = {.chain = chain, .dev = d->nets[i].name};
		if (!d->nets[i].has_subnet)
			continue;
		nk_nft_foreach(d->ruleset, "rule", scan_accept, &s);
		if (s.found)
			continue;
		nk_net_note(
		    d->problems,
		    "table %s %s, chain %s: policy drop on the forward hook drops network %s's "
		    "routed traffic (an accept in another table cannot override it); fix: in "
		    "that chain, iifname \"%s\" accept and oifname \"%s\" ct state "
		    "established,related accept (iptables: -I FORWARD -i %s -j ACCEPT; -I "
		    "FORWARD -o %s -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT)",
		    jstr(chain, "family"), jstr(chain, "table"), jstr(chain, "name"),
		    d->nets[i].name, d->nets[i].name, d->nets[i].name, d->nets[i].name,
		    d->nets[i].name);
	}
}

static bool any_bridge(const doc *d)
{
	for (size_t i = 0; i < d->nlinks; i++)
		if (in_scope(d, &d->links[i]))
			return true;
	return false;
}

static int scan_forward_chain(json_object *chain, void *data)
{
	doc *d = data;
	const char *family = jstr(chain, "family");
	if (strcmp(jstr(chain, "hook"), "forward") || strcmp(jstr(chain, "policy"), "drop"))
		return 0;
	if (strcmp(family, "bridge") == 0 && any_bridge(d))
		nk_net_note(
		    d->problems,
		    "table bridge %s, chain %s: policy drop on the bridge forward hook drops "
		    "frames between ports of every bridge (containers, uplinks); fix: accept "
		    "them in that chain, or policy accept",
		    jstr(chain, "table"), jstr(chain, "name"));
	else if (strcmp(family, "ip") == 0 || strcmp(family, "ip6") == 0 ||
	         strcmp(family, "inet") == 0)
		forward_drop_routed(d, chain);
	return 0;
}

/*
 * iptables-legacy keeps its rules out of nftables' sight: its filter table's FORWARD chain is
 * read with the calls iptables-legacy itself makes. A DROP policy there drops a routed
 * network's traffic unless a plain "-i BRIDGE -j ACCEPT" lets it through.
 */
static void check_iptables_legacy(doc *d)
{
	_cleanup_free_ char *tables = NULL;
	if (nk_read_file("/proc/net/ip_tables_names", &tables, NULL, NULL) < 0 || !strstr(tables, "filter"))
		return;
	nk_ipt_forward f;
	_cleanup_err_ nk_err *e = NULL;
	if (nk_ipt_legacy_forward(&f, &e) < 0) {
		if (e)
			nk_net_note(d->notes, "iptables-legacy's filter table was not read: %s",
				    e->msg ? e->msg : "error");
		return;
	}
	for (size_t i = 0; f.policy_drop && i < d->nnets; i++) {
		const char *br = d->nets[i].name;
		bool accepted = false;
		for (char **a = f.accept_in; a && *a && !accepted; a++)
			accepted = strcmp(*a, br) == 0;
		if (!d->nets[i].has_subnet || accepted)
			continue;
		nk_net_note(d->problems,
			    "iptables-legacy, table filter, chain FORWARD: policy DROP drops network "
			    "%s's routed traffic; fix: iptables-legacy -I FORWARD -i %s -j ACCEPT; "
			    "iptables-legacy -I FORWARD -o %s -m conntrack --ctstate "
			    "RELATED,ESTABLISHED -j ACCEPT",
			    br, br, br);
	}
	nk_ipt_forward_free(&f);
}

static void check_firewall(doc *d)
{
	int on;
	if (d->ruleset)
		nk_nft_foreach(d->ruleset, "chain", scan_forward_chain, d);
	check_iptables_legacy(d);
	if (any_bridge(d) && nk_sysctl_read("net.bridge.bridge-nf-call-iptables", &on, NULL) == 0 &&
	    on)
		nk_net_note(
		    d->problems,
		    "br_netfilter is loaded with net.bridge.bridge-nf-call-iptables=1: frames "
		    "bridged between containers and uplinks also pass the IP forward hooks, so "
		    "a forward drop there cuts traffic that is never routed; fix: sysctl -w "
		    "net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 "
		    "(unless bridged traffic must be filtered)");
}

/* ---- container veths and bridge MACs ---- */

static void check_veths(doc *d)
{
	for (size_t i = 0; i < d->nlinks; i++) {
		const nk_link *l = &d->links[i];
		if (strcmp(l->kind, "veth") == 0 &&
		    nk_str_has_prefix(l->name, NK_NET_VETH_PREFIX) && !l->master)
			nk_net_note(d->problems,
			            "%s: a container's host-side veth on no bridge, so that "
			            "container has no network; fix: ip link set %s master "
			            "BRIDGE (or restart the container)",
			            l->name, l->name);
	}
}

/* The uplink: the one attach-uplink recorded, else the one port that is not a container's. */
static const nk_link *find_uplink(const doc *d, const nk_link *br)
{
	char name[IFNAMSIZ];
	bool recorded = nk_uplink_of(br->name, name) == 0;
	const nk_link *up = NULL;
	size_t others = 0;
	for (size_t i = 0; i < d->nlinks; i++) {
		const nk_link *l = &d->links[i];
		if (l->master != br->index)
			continue;
		if (recorded ? strcmp(l->name, name) == 0
		             : !nk_str_has_prefix(l->name, NK_NET_VETH_PREFIX)) {
			up = l;
			others++;
		}
	}
	return others == 1 ? up : NULL;
}

/*
 * A bridge whose MAC was never set takes its lowest port's: a port below the uplink's MAC
 * makes the host's MAC (DHCP leases, ARP caches, switch port security) change when that port
 * joins. nook's container veths use fe: MACs so they never win.
 */
static void check_bridge_mac(doc *d, const nk_link *br)
{
	const nk_link *up = find_uplink(d, br);
	if (!up || memcmp(br->mac, up->mac, 6) == 0)
		return;
	for (size_t i = 0; i < d->nlinks; i++) {
		const nk_link *p = &d->links[i];
		if (p->master != br->index || p == up || memcmp(p->mac, br->mac, 6) != 0 ||
		    memcmp(p->mac, up->mac, 6) >= 0)
			continue;
		char pm[18], um[18];
		nk_mac_format(p->mac, pm);
		nk_mac_format(up->mac, um);
		nk_net_note(
		    d->problems,
		    "%s: port %s's MAC %s is lower than uplink %s's %s, and the bridge took it "
		    "(a bridge without a set MAC takes its lowest port's), so the host's MAC "
		    "changes as ports come and go; fix: ip link set %s address %s",
		    br->name, p->name, pm, up->name, um, br->name, um);
		return;
	}
}

static void check_macs(doc *d)
{
	for (size_t i = 0; i < d->nlinks; i++)
		if (in_scope(d, &d->links[i]))
			check_bridge_mac(d, &d->links[i]);
}

/* ---- all of it ---- */

int nk_doctor_run(const char *bridge, nk_net_notes *problems, nk_net_notes *notes, nk_err **err)
{
	_cleanup_(doc_free) doc d = {.only = bridge, .problems = problems, .notes = notes};
	int r = gather(&d, err);
	if (r < 0)
		return r;
	bool known = !bridge || d.nnets > 0;
	for (size_t i = 0; !known && i < d.nlinks; i++)
		known = strcmp(d.links[i].name, bridge) == 0;
	if (!known)
		return nk_err_set(err, ENODEV, "%s: no such bridge or network", bridge);
	check_ports(&d);
	for (size_t i = 0; i < d.nnets; i++)
		check_net(&d, &d.nets[i]);
	check_forwarding(&d);
	check_firewall(&d);
	check_veths(&d);
	check_macs(&d);
	return 0;
}
