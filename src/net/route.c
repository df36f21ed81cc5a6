/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Routes over rtnetlink (add, delete, list), and neighbour entries: flush, proxy entries. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/nl.h"
#include "util/cleanup.h"

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* The device's name for messages, or "ifindex N" when it has none (anymore). */
static void dev_name(nk_nl *nl, int ifindex, char name[IFNAMSIZ])
{
	_cleanup_err_ nk_err *e = NULL;
	if (nk_link_name(nl, ifindex, name, &e) < 0)
		snprintf(name, IFNAMSIZ, "ifindex %d", ifindex);
}

/* "default via 10.0.0.1 dev eth0 table 100" for messages, in `ip route` words. */
static void describe(nk_nl *nl, const nk_route *r, char *buf, size_t size)
{
	char dst[INET6_ADDRSTRLEN] = "?", gw[INET6_ADDRSTRLEN] = "?", dev[IFNAMSIZ] = "";
	inet_ntop(r->family, r->dst, dst, sizeof(dst));
	inet_ntop(r->family, r->gw, gw, sizeof(gw));
	if (r->ifindex)
		dev_name(nl, r->ifindex, dev);
	char len[16] = "";
	if (r->dst_len)
		snprintf(len, sizeof(len), "/%u", r->dst_len);
	char table[24] = "";
	if (r->table && r->table != RT_TABLE_MAIN)
		snprintf(table, sizeof(table), " table %u", r->table);
	snprintf(buf, size, "%s%s%s%s%s%s%s", r->dst_len ? dst : "default", len,
	         r->has_gw ? " via " : "", r->has_gw ? gw : "", r->ifindex ? " dev " : "", dev,
	         table);
}

static int check(const nk_route *r, const char *op, nk_err **err)
{
	size_t len = addr_len(r->family);
	if (!len)
		return nk_err_set(err, EAFNOSUPPORT, "%s route: family %d", op, r->family);
	if (r->dst_len > len * 8)
		return nk_err_set(err, 0, "%s route: prefix /%u is longer than %zu bits", op,
		                  r->dst_len, len * 8);
	return 0;
}

/* What `ip route` picks: a gateway route reaches the universe, a device route its link. */
static unsigned char default_scope(const nk_route *r)
{
	switch (r->type) {
	case RTN_LOCAL:
	case RTN_NAT: return RT_SCOPE_HOST;
	case RTN_BROADCAST:
	case RTN_MULTICAST:
	case RTN_ANYCAST: return RT_SCOPE_LINK;
	case RTN_UNSPEC:
	case RTN_UNICAST: return r->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	default: return RT_SCOPE_UNIVERSE;
	}
}

/*
 * Add fills in the defaults; delete leaves unset fields at their wildcard (protocol and type 0,
 * scope NOWHERE) so that it matches the route however it was added.
 */
static struct nlmsghdr *route_msg(void *buf, uint16_t type, uint16_t flags, const nk_route *r)
{
	bool add = type == RTM_NEWROUTE;
	struct nlmsghdr *nlh = nk_nl_msg(buf, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	unsigned table = r->table ? r->table : RT_TABLE_MAIN;
	rtm->rtm_family = (unsigned char)r->family;
	rtm->rtm_dst_len = (unsigned char)r->dst_len;
	rtm->rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol || !add ? r->protocol : RTPROT_BOOT;
	rtm->rtm_scope = r->scope ? r->scope : add ? default_scope(r) : RT_SCOPE_NOWHERE;
	rtm->rtm_type = r->type || !add ? r->type : RTN_UNICAST;
	rtm->rtm_flags = r->onlink ? RTNH_F_ONLINK : 0;
	size_t len = addr_len(r->family);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (r->dst_len)
		mnl_attr_put(nlh, RTA_DST, len, r->dst);
	if (r->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, len, r->gw);
	if (r->ifindex)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->ifindex);
	if (r->has_prefsrc)
		mnl_attr_put(nlh, RTA_PREFSRC, len, r->prefsrc);
	if (r->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	return nlh;
}

int nk_route_add(nk_nl *nl, const nk_route *r, nk_err **err)
{
	int ret = check(r, "add", err);
	if (ret < 0)
		return ret;
	char what[128];
	describe(nl, r, what, sizeof(what));
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r);
	return nk_nl_request(nl, nlh, err, "add route %s", what);
}

int nk_route_del(nk_nl *nl, const nk_route *r, nk_err **err)
{
	int ret = check(r, "delete", err);
	if (ret < 0)
		return ret;
	char what[128];
	describe(nl, r, what, sizeof(what));
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = route_msg(buf, RTM_DELROUTE, 0, r);
	return nk_nl_request(nl, nlh, err, "delete route %s", what);
}

/* ---- listing ------------------------------------------------------------------------------ */

/* A multipath route has no RTA_OIF/RTA_GATEWAY of its own: report its first next hop. */
static void first_hop(const struct nlattr *mp, nk_route *r)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	size_t len = mnl_attr_get_payload_len(mp);
	if (len < sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > len)
		return;
	r->ifindex = nh->rtnh_ifindex;
	r->onlink = r->onlink || (nh->rtnh_flags & RTNH_F_ONLINK);
	const char *end = (const char *)nh + nh->rtnh_len;
	for (const struct nlattr *a = (const void *)RTNH_DATA(nh);
	     mnl_attr_ok(a, (int)(end - (const char *)a)); a = mnl_attr_next(a))
		if (mnl_attr_get_type(a) == RTA_GATEWAY)
			r->has_gw = nk_nl_bytes(a, r->gw, addr_len(r->family));
}

static void parse_route(const struct nlmsghdr *nlh, nk_route *r)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];
	nk_nl_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	size_t len = addr_len(rtm->rtm_family);
	*r = (nk_route){.family = rtm->rtm_family,
	                .dst_len = rtm->rtm_dst_len,
	                .table = tb[RTA_TABLE] ? nk_nl_u32(tb[RTA_TABLE]) : rtm->rtm_table,
	                .protocol = rtm->rtm_protocol,
	                .scope = rtm->rtm_scope,
	                .type = rtm->rtm_type,
	                .onlink = rtm->rtm_flags & RTNH_F_ONLINK,
	                .ifindex = (int)nk_nl_u32(tb[RTA_OIF]),
	                .metric = nk_nl_u32(tb[RTA_PRIORITY])};
	nk_nl_bytes(tb[RTA_DST], r->dst, len);
	r->has_gw = nk_nl_bytes(tb[RTA_GATEWAY], r->gw, len);
	r->has_prefsrc = nk_nl_bytes(tb[RTA_PREFSRC], r->prefsrc, len);
	if (tb[RTA_MULTIPATH] && !r->ifindex)
		first_hop(tb[RTA_MULTIPATH], r);
}

struct route_dump {
	nk_nl_vec v;
	int family;
	unsigned table;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	if (!nlh) {
		d->v.n = 0;
		return 0;
	}
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	/* Cloned entries are the kernel's per-destination cache (PMTU, redirects), not routes. */
	if (!addr_len(rtm->rtm_family) || (d->family && rtm->rtm_family != d->family) ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	nk_route r;
	parse_route(nlh, &r);
	if (d->table && r.table != d->table)
		return 0;
	nk_route *slot = nk_nl_vec_push(&d->v);
	if (!slot)
		return -ENOMEM;
	*slot = r;
	return 0;
}

int nk_route_list(nk_nl *nl, int family, unsigned table, nk_route **out, size_t *n, nk_err **err)
{
	if (family != AF_UNSPEC && !addr_len(family))
		return nk_err_set(err, EAFNOSUPPORT, "list routes: family %d", family);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	struct route_dump d = {.v = {.size = sizeof(nk_route)}, .family = family, .table = table};
	int r = nk_nl_query(nl, nlh, route_cb, &d, err, "list routes");
	if (r < 0) {
		free(d.v.items);
		return r;
	}
	*out = d.v.items;
	*n = d.v.n;
	return 0;
}

/* ---- neighbours --------------------------------------------------------------------------- */

struct neigh {
	int family;
	unsigned char dst[16];
};

struct neigh_dump {
	nk_nl_vec v;
	int ifindex;
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump *d = data;
	if (!nlh) {
		d->v.n = 0;
		return 0;
	}
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return -EBADMSG;
	if (ndm->ndm_ifindex != d->ifindex || !addr_len(ndm->ndm_family) ||
	    (ndm->ndm_state & NUD_PERMANENT))
		return 0;
	const struct nlattr *tb[NDA_MAX + 1];
	nk_nl_attrs(nlh, sizeof(*ndm), tb, NDA_MAX);
	struct neigh n = {.family = ndm->ndm_family};
	if (!nk_nl_bytes(tb[NDA_DST], n.dst, addr_len(n.family)))
		return 0;
	struct neigh *slot = nk_nl_vec_push(&d->v);
	if (!slot)
		return -ENOMEM;
	*slot = n;
	return 0;
}

/* The device's entries of one family; NDA_IFINDEX lets the kernel skip the others. */
static int neigh_collect(nk_nl *nl, int family, struct neigh_dump *d, const char *dev, nk_err **err)
{
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_GETNEIGH, NLM_F_DUMP);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	mnl_attr_put_u32(nlh, NDA_IFINDEX, (uint32_t)d->ifindex);
	return nk_nl_query(nl, nlh, neigh_cb, d, err, "flush neighbours of %s: list", dev);
}

/* An entry that vanished on its own since the dump is as good as deleted. */
static int neigh_delete(nk_nl *nl, int ifindex, const struct neigh *n, const char *dev,
                        nk_err **err)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(n->family, n->dst, ip, sizeof(ip));
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_DELNEIGH, 0);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)n->family;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, addr_len(n->family), n->dst);
	_cleanup_err_ nk_err *e = NULL;
	int r = nk_nl_request(nl, nlh, &e, "flush neighbours of %s: delete %s", dev, ip);
	if (r == -ENOENT)
		return 0;
	if (r < 0 && err && !*err)
		*err = TAKE_PTR(e);
	return r;
}

int nk_neigh_flush(nk_nl *nl, int ifindex, nk_err **err)
{
	char dev[IFNAMSIZ];
	int r = nk_link_name(nl, ifindex, dev, err);
	if (r < 0)
		return nk_err_wrap(err, r, "flush neighbours");
	static const int families[] = {AF_INET, AF_INET6};
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		struct neigh_dump d = {.v = {.size = sizeof(struct neigh)}, .ifindex = ifindex};
		r = neigh_collect(nl, families[f], &d, dev, err);
		const struct neigh *items = d.v.items;
		for (size_t i = 0; r >= 0 && i < d.v.n; i++)
			r = neigh_delete(nl, ifindex, &items[i], dev, err);
		free(d.v.items);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- proxy entries ------------------------------------------------------------------------ */

static int neigh_proxy(nk_nl *nl, uint16_t type, int ifindex, int family, const void *addr,
                       nk_err **err)
{
	const char *op = type == RTM_NEWNEIGH ? "add" : "delete";
	char ip[INET6_ADDRSTRLEN] = "?", dev[IFNAMSIZ];
	size_t len = addr_len(family);
	if (!len)
		return nk_err_set(err, EAFNOSUPPORT, "%s proxy entry: family %d", op, family);
	inet_ntop(family, addr, ip, sizeof(ip));
	dev_name(nl, ifindex, dev);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh =
	    nk_nl_msg(buf, type, type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = NTF_PROXY;
	mnl_attr_put(nlh, NDA_DST, len, addr);
	return nk_nl_request(nl, nlh, err, "%s proxy entry %s on %s", op, ip, dev);
}

int nk_neigh_proxy_add(nk_nl *nl, int ifindex, int family, const void *addr, nk_err **err)
{
	return neigh_proxy(nl, RTM_NEWNEIGH, ifindex, family, addr, err);
}

int nk_neigh_proxy_del(nk_nl *nl, int ifindex, int family, const void *addr, nk_err **err)
{
	return neigh_proxy(nl, RTM_DELNEIGH, ifindex, family, addr, err);
}
