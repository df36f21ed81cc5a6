/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv4 and IPv6 addresses of devices over rtnetlink: adding, deleting and listing them. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/nl.h"
#include "util/cleanup.h"

#define FOREVER 0xffffffffu

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* "10.0.0.2/24 on eth0" for messages; the device by index when it has no name (anymore). */
static void describe(nk_nl *nl, const nk_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?", dev[IFNAMSIZ];
	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	_cleanup_err_ nk_err *e = NULL;
	if (nk_link_name(nl, a->ifindex, dev, &e) < 0)
		snprintf(dev, sizeof(dev), "ifindex %d", a->ifindex);
	snprintf(buf, size, "%s/%u on %s", ip, a->prefix, dev);
}

static int check(const nk_addr *a, const char *op, nk_err **err)
{
	size_t len = addr_len(a->family);
	if (!len)
		return nk_err_set(err, EAFNOSUPPORT, "%s address: family %d", op, a->family);
	if (a->prefix > len * 8)
		return nk_err_set(err, 0, "%s address: prefix /%u is longer than %zu bits", op,
		                  a->prefix, len * 8);
	if (a->ifindex <= 0)
		return nk_err_set(err, ENODEV, "%s address: no device (ifindex %d)", op,
		                  a->ifindex);
	return 0;
}

/*
 * The directed broadcast of an IPv4 network, the default when none is given. /31 and /32 have
 * none (RFC 3021: both addresses of a /31 are hosts).
 */
static bool default_bcast(const nk_addr *a, struct in_addr *out)
{
	if (a->prefix >= 31)
		return false;
	uint32_t host = a->prefix ? 0xffffffffu >> a->prefix : 0xffffffffu;
	uint32_t ip;
	memcpy(&ip, a->addr, 4);
	out->s_addr = ip | htonl(host);
	return true;
}

/* The request shared by add and delete: header, IFA_LOCAL (IPv4) and IFA_ADDRESS. */
static struct nlmsghdr *addr_msg(void *buf, uint16_t type, uint16_t flags, const nk_addr *a)
{
	struct nlmsghdr *nlh = nk_nl_msg(buf, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)a->family;
	ifa->ifa_prefixlen = (unsigned char)a->prefix;
	ifa->ifa_scope = a->scope;
	ifa->ifa_index = (unsigned)a->ifindex;
	size_t len = addr_len(a->family);
	/* IPv4 keeps the local address apart from the (peer or network) address; without a peer
	 * both are ours. IPv6 takes the address alone. */
	if (a->family == AF_INET)
		mnl_attr_put(nlh, IFA_LOCAL, len, a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, a->addr);
	return nlh;
}

/* Lifetimes: none given (valid 0) or infinite is a permanent address; else IFA_CACHEINFO. */
static void put_lifetime(struct nlmsghdr *nlh, const nk_addr *a, unsigned flags)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (a->valid_lft && a->valid_lft != FOREVER) {
		struct ifa_cacheinfo ci = {.ifa_valid = a->valid_lft,
		                           .ifa_prefered = a->preferred_lft < a->valid_lft
		                                               ? a->preferred_lft
		                                               : a->valid_lft};
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	} else {
		flags |= IFA_F_PERMANENT;
	}
	/* ifa_flags holds only 8 bits; IFA_FLAGS carries them all (IFA_F_NOPREFIXROUTE, ...). */
	ifa->ifa_flags = (unsigned char)flags;
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
}

/* IFA_F_NODAD is not implied: duplicate address detection stays on unless a->flags asks. */
int nk_addr_add(nk_nl *nl, const nk_addr *a, nk_err **err)
{
	int r = check(a, "add", err);
	if (r < 0)
		return r;
	char what[80];
	describe(nl, a, what, sizeof(what));
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = addr_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, a);
	struct in_addr bcast = a->bcast;
	if (a->family == AF_INET && (a->has_bcast || default_bcast(a, &bcast)))
		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(bcast), &bcast);
	if (a->family == AF_INET && a->label[0])
		mnl_attr_put_strz(nlh, IFA_LABEL, a->label);
	put_lifetime(nlh, a, a->flags);
	return nk_nl_request(nl, nlh, err, "add address %s", what);
}

int nk_addr_del(nk_nl *nl, const nk_addr *a, nk_err **err)
{
	int r = check(a, "delete", err);
	if (r < 0)
		return r;
	char what[80];
	describe(nl, a, what, sizeof(what));
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = addr_msg(buf, RTM_DELADDR, 0, a);
	return nk_nl_request(nl, nlh, err, "delete address %s", what);
}

/* ---- listing ------------------------------------------------------------------------------ */

static int parse_addr(const struct nlmsghdr *nlh, nk_addr *a)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1];
	nk_nl_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
	*a = (nk_addr){.family = ifa->ifa_family,
	               .ifindex = (int)ifa->ifa_index,
	               .prefix = ifa->ifa_prefixlen,
	               .scope = ifa->ifa_scope,
	               .flags = tb[IFA_FLAGS] ? nk_nl_u32(tb[IFA_FLAGS]) : ifa->ifa_flags,
	               .valid_lft = FOREVER,
	               .preferred_lft = FOREVER};
	/* IFA_LOCAL is ours when present (IPv4, or an IPv6 peer setup), else IFA_ADDRESS is. */
	size_t len = addr_len(a->family);
	if (!nk_nl_bytes(tb[IFA_LOCAL], a->addr, len))
		nk_nl_bytes(tb[IFA_ADDRESS], a->addr, len);
	a->has_bcast = nk_nl_bytes(tb[IFA_BROADCAST], &a->bcast, sizeof(a->bcast));
	nk_nl_str(tb[IFA_LABEL], a->label, sizeof(a->label));
	struct ifa_cacheinfo ci;
	if (nk_nl_bytes(tb[IFA_CACHEINFO], &ci, sizeof(ci))) {
		a->valid_lft = ci.ifa_valid;
		a->preferred_lft = ci.ifa_prefered;
	}
	return 0;
}

struct addr_dump {
	nk_nl_vec v;
	int ifindex, family;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	if (!nlh) {
		d->v.n = 0;
		return 0;
	}
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	/* An AF_UNSPEC dump walks every family that has addresses; only IP is ours. */
	if (!addr_len(ifa->ifa_family) || (d->family && ifa->ifa_family != d->family) ||
	    (d->ifindex && (int)ifa->ifa_index != d->ifindex))
		return 0;
	nk_addr *a = nk_nl_vec_push(&d->v);
	return a ? parse_addr(nlh, a) : -ENOMEM;
}

int nk_addr_list(nk_nl *nl, int ifindex, int family, nk_addr **out, size_t *n, nk_err **err)
{
	if (family != AF_UNSPEC && !addr_len(family))
		return nk_err_set(err, EAFNOSUPPORT, "list addresses: family %d", family);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	struct addr_dump d = {.v = {.size = sizeof(nk_addr)}, .ifindex = ifindex, .family = family};
	int r = nk_nl_query(nl, nlh, addr_cb, &d, err, "list addresses");
	if (r < 0) {
		free(d.v.items);
		return r;
	}
	*out = d.v.items;
	*n = d.v.n;
	return 0;
}
