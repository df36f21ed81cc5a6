/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network devices over rtnetlink: creating veth pairs, bridges, macvlan/ipvlan/vlan devices,
 * changing a device (state, bridge, MTU, MAC, name, namespace), reading them back, and the
 * interface-name and MAC-address helpers that go with them.
 */
#include <ctype.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/nl.h"
#include "util/cleanup.h"

/* ---- names and MAC addresses ------------------------------------------------------------ */

/*
 * The kernel's own rule (dev_valid_name), checked here so a bad name from a config file is
 * refused with a message that says why rather than a bare EINVAL from the kernel. Control
 * characters are refused too: the kernel takes them, but they break every tool that prints names.
 */
int nk_link_name_check(const char *name, nk_err **err)
{
	if (!name || !*name)
		return nk_err_set(err, 0, "empty interface name");
	size_t len = strlen(name);
	if (len >= IFNAMSIZ)
		return nk_err_set(err, 0, "interface name \"%s\" is longer than %d bytes", name,
		                  IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return nk_err_set(err, 0, "interface name \"%s\" is not allowed", name);
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		/* Not echoed: the message must stay one printable line. */
		if (iscntrl(c))
			return nk_err_set(err, 0, "interface name contains control character %#x",
			                  c);
		if (c == '/' || c == ':' || isspace(c) || c == 0xa0)
			return nk_err_set(err, 0, "interface name \"%s\" contains '%c'", name,
			                  c == 0xa0 ? ' ' : c);
	}
	return 0;
}

/* Without getrandom (pre-3.17 kernels, a seccomp filter), a weaker mix still keeps two
 * devices on one host apart, which is all a MAC needs. */
static void weak_random(unsigned char *buf, size_t len)
{
	static unsigned counter;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^
	                  ((unsigned long)getpid() << 8) ^ ++counter;
	for (size_t i = 0; i < len; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		buf[i] = (unsigned char)(x >> 33);
	}
}

void nk_mac_random(unsigned char mac[6], unsigned char first)
{
	size_t got = 0;
	while (got < 5) {
		ssize_t n = getrandom(mac + 1 + got, 5 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			weak_random(mac + 1 + got, 5 - got);
			break;
		}
		got += (size_t)n;
	}
	mac[0] = first;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int nk_mac_parse(const char *s, unsigned char mac[6])
{
	unsigned char out[6];
	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	memcpy(mac, out, 6);
	return 0;
}

void nk_mac_format(const unsigned char mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
	         mac[5]);
}

/* ---- reading devices ---------------------------------------------------------------------- */

static void parse_bridge(const struct nlattr *data, nk_link *l)
{
	const struct nlattr *tb[IFLA_BR_MAX + 1];
	nk_nl_nested(data, tb, IFLA_BR_MAX);
	uint8_t filtering = 0;
	uint16_t pvid = 0;
	nk_nl_bytes(tb[IFLA_BR_VLAN_FILTERING], &filtering, sizeof(filtering));
	nk_nl_bytes(tb[IFLA_BR_VLAN_DEFAULT_PVID], &pvid, sizeof(pvid));
	l->vlan_filtering = filtering != 0;
	l->default_pvid = pvid;
}

static int parse_link(const struct nlmsghdr *nlh, nk_link *l)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	nk_nl_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX);
	*l = (nk_link){.index = ifi->ifi_index, .flags = ifi->ifi_flags};
	nk_nl_str(tb[IFLA_IFNAME], l->name, sizeof(l->name));
	l->mtu = nk_nl_u32(tb[IFLA_MTU]);
	l->master = (int)nk_nl_u32(tb[IFLA_MASTER]);
	l->link = (int)nk_nl_u32(tb[IFLA_LINK]);
	l->num_tx_queues = nk_nl_u32(tb[IFLA_NUM_TX_QUEUES]);
	l->num_rx_queues = nk_nl_u32(tb[IFLA_NUM_RX_QUEUES]);
	/* Only Ethernet-like addresses fit; a tunnel's 4- or 16-byte one reads as zeroes. */
	nk_nl_bytes(tb[IFLA_ADDRESS], l->mac, sizeof(l->mac));
	if (tb[IFLA_LINKINFO]) {
		nk_nl_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
		nk_nl_str(info[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
		if (!strcmp(l->kind, "bridge") && info[IFLA_INFO_DATA])
			parse_bridge(info[IFLA_INFO_DATA], l);
	}
	return 0;
}

struct one_link {
	nk_link *out;
	bool found;
};

static int one_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct one_link *o = data;
	if (!nlh)
		return 0;
	int r = parse_link(nlh, o->out);
	o->found = r == 0;
	return r;
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	nk_nl_vec *v = data;
	if (!nlh) {
		v->n = 0;
		return 0;
	}
	nk_link *l = nk_nl_vec_push(v);
	return l ? parse_link(nlh, l) : -ENOMEM;
}

/* RTM_GETLINK for ifindex, or for name when ifindex is 0; statistics left out. */
static struct nlmsghdr *getlink_msg(void *buf, uint16_t flags, int ifindex, const char *name)
{
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_GETLINK, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nlh;
}

int nk_link_get(nk_nl *nl, const char *name, nk_link *out, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r < 0)
		return nk_err_wrap(err, r, "get link");
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct one_link o = {.out = out};
	r = nk_nl_query(nl, getlink_msg(buf, 0, 0, name), one_link_cb, &o, err, "get link %s",
	                name);
	if (r < 0)
		return r;
	return o.found ? 0 : nk_err_set(err, ENODEV, "get link %s", name);
}

int nk_link_index(nk_nl *nl, const char *name)
{
	nk_link l;
	_cleanup_err_ nk_err *e = NULL;
	int r = nk_link_get(nl, name, &l, &e);
	return r < 0 ? r : l.index;
}

int nk_link_name(nk_nl *nl, int ifindex, char name[IFNAMSIZ], nk_err **err)
{
	if (ifindex <= 0)
		return nk_err_set(err, ENODEV, "get link %d", ifindex);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	nk_link l;
	struct one_link o = {.out = &l};
	int r = nk_nl_query(nl, getlink_msg(buf, 0, ifindex, NULL), one_link_cb, &o, err,
	                    "get link %d", ifindex);
	if (r < 0)
		return r;
	if (!o.found)
		return nk_err_set(err, ENODEV, "get link %d", ifindex);
	memcpy(name, l.name, IFNAMSIZ);
	return 0;
}

int nk_link_list(nk_nl *nl, nk_link **out, size_t *n, nk_err **err)
{
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	nk_nl_vec v = {.size = sizeof(nk_link)};
	int r =
	    nk_nl_query(nl, getlink_msg(buf, NLM_F_DUMP, 0, NULL), list_cb, &v, err, "list links");
	if (r < 0) {
		free(v.items);
		return r;
	}
	*out = v.items;
	*n = v.n;
	return 0;
}

/* ---- creating devices --------------------------------------------------------------------- */

/* The head of an RTM_NEWLINK creating name (on parent when nonzero): the device's own
 * attributes go after it, before open_kind. */
static struct nlmsghdr *create_head(void *buf, const char *name, int parent)
{
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (parent)
		mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)parent);
	return nlh;
}

/* Opens IFLA_LINKINFO and IFLA_INFO_DATA in *nest so the caller adds its kind's data;
 * create_send closes them. */
static void open_kind(struct nlmsghdr *nlh, const char *kind, struct nlattr *nest[2])
{
	nest[0] = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	nest[1] = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
}

/* RTM_NEWLINK creating name of kind, with IFLA_INFO_DATA open (open_kind). */
static struct nlmsghdr *create_msg(void *buf, const char *name, const char *kind, int parent,
                                   struct nlattr *nest[2])
{
	struct nlmsghdr *nlh = create_head(buf, name, parent);
	open_kind(nlh, kind, nest);
	return nlh;
}

static int create_send(nk_nl *nl, struct nlmsghdr *nlh, struct nlattr *nest[2], nk_err **err,
                       const char *what, const char *name, const char *other)
{
	mnl_attr_nest_end(nlh, nest[1]);
	mnl_attr_nest_end(nlh, nest[0]);
	return nk_nl_request(nl, nlh, err, "create %s %s%s%s", what, name, other ? "/" : "",
	                     other ? other : "");
}

int nk_link_veth_create(nk_nl *nl, const char *name, const char *peer, nk_err **err)
{
	return nk_link_veth_create_with(nl, name, peer, &(nk_veth_opts){.peer_netns_fd = -1}, err);
}

/* IFLA_NUM_*_QUEUES of one end; the kernel sizes a device's queues only when it is made. */
static void put_queues(struct nlmsghdr *nlh, const nk_veth_opts *o)
{
	if (o->rx_queues)
		mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, o->rx_queues);
	if (o->tx_queues)
		mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, o->tx_queues);
}

int nk_link_veth_create_with(nk_nl *nl, const char *name, const char *peer,
                             const nk_veth_opts *opts, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r >= 0)
		r = nk_link_name_check(peer, err);
	if (r < 0)
		return nk_err_wrap(err, r, "create veth");
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlattr *nest[2];
	struct nlmsghdr *nlh = create_head(buf, name, 0);
	put_queues(nlh, opts);
	open_kind(nlh, "veth", nest);
	/* The peer is described like a device of its own: its ifinfomsg, then its attributes. */
	struct nlattr *p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	put_queues(nlh, opts);
	/* Born in the other namespace: no move later, whose synchronize_net() costs an RCU
	 * grace period on every start. */
	if (opts->peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)opts->peer_netns_fd);
	mnl_attr_nest_end(nlh, p);
	return create_send(nl, nlh, nest, err, "veth", name, peer);
}

int nk_link_bridge_create(nk_nl *nl, const char *name, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r < 0)
		return nk_err_wrap(err, r, "create bridge");
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlattr *nest[2];
	struct nlmsghdr *nlh = create_msg(buf, name, "bridge", 0, nest);
	return create_send(nl, nlh, nest, err, "bridge", name, NULL);
}

/* Checks both names and finds the parent: its ifindex, or -errno with err "create KIND NAME..". */
static int child_parent(nk_nl *nl, const char *kind, const char *name, const char *parent,
                        nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r >= 0)
		r = nk_link_name_check(parent, err);
	if (r < 0)
		return nk_err_wrap(err, r, "create %s", kind);
	int index = nk_link_index(nl, parent);
	if (index < 0)
		return nk_err_set(err, -index, "create %s %s: parent %s", kind, name, parent);
	return index;
}

int nk_link_macvlan_create(nk_nl *nl, const char *name, const char *parent, unsigned mode,
                           nk_err **err)
{
	int index = child_parent(nl, "macvlan", name, parent, err);
	if (index < 0)
		return index;
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlattr *nest[2];
	struct nlmsghdr *nlh = create_msg(buf, name, "macvlan", index, nest);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, mode);
	return create_send(nl, nlh, nest, err, "macvlan", name, parent);
}

int nk_link_ipvlan_create(nk_nl *nl, const char *name, const char *parent, unsigned mode,
                          unsigned flags, nk_err **err)
{
	if (mode > UINT16_MAX || flags > UINT16_MAX)
		return nk_err_set(err, 0, "create ipvlan %s: mode %u or flags %#x out of range",
		                  name, mode, flags);
	int index = child_parent(nl, "ipvlan", name, parent, err);
	if (index < 0)
		return index;
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlattr *nest[2];
	struct nlmsghdr *nlh = create_msg(buf, name, "ipvlan", index, nest);
	mnl_attr_put_u16(nlh, IFLA_IPVLAN_MODE, (uint16_t)mode);
	mnl_attr_put_u16(nlh, IFLA_IPVLAN_FLAGS, (uint16_t)flags);
	return create_send(nl, nlh, nest, err, "ipvlan", name, parent);
}

/* Ids 4095..65535 reach the kernel on purpose: its refusal says what the valid range is. */
int nk_link_vlan_create(nk_nl *nl, const char *name, const char *parent, unsigned id, nk_err **err)
{
	if (id > UINT16_MAX)
		return nk_err_set(err, ERANGE, "create vlan %s: id %u", name, id);
	int index = child_parent(nl, "vlan", name, parent, err);
	if (index < 0)
		return index;
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlattr *nest[2];
	struct nlmsghdr *nlh = create_msg(buf, name, "vlan", index, nest);
	mnl_attr_put_u16(nlh, IFLA_VLAN_ID, (uint16_t)id);
	return create_send(nl, nlh, nest, err, "vlan", name, parent);
}

/* ---- changing and deleting devices ---------------------------------------------------------- */

/*
 * A request about an existing device. By name (ifindex 0) the kernel looks the device up in the
 * same request, so there is no window for it to be replaced; ifindex is for the requests whose
 * IFLA_IFNAME carries a new name instead.
 */
static struct nlmsghdr *change_msg(void *buf, uint16_t type, const char *name, int ifindex,
                                   struct ifinfomsg **ifi_out)
{
	struct nlmsghdr *nlh = nk_nl_msg(buf, type, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (ifi_out)
		*ifi_out = ifi;
	return nlh;
}

int nk_link_delete(nk_nl *nl, const char *name, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r < 0)
		return nk_err_wrap(err, r, "delete link");
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	return nk_nl_request(nl, change_msg(buf, RTM_DELLINK, name, 0, NULL), err, "delete link %s",
	                     name);
}

int nk_link_set_up(nk_nl *nl, const char *name, bool up, nk_err **err)
{
	const char *state = up ? "up" : "down";
	int r = nk_link_name_check(name, err);
	if (r < 0)
		return nk_err_wrap(err, r, "set link %s", state);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = change_msg(buf, RTM_NEWLINK, name, 0, &ifi);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return nk_nl_request(nl, nlh, err, "set %s %s", name, state);
}

int nk_link_set_master(nk_nl *nl, const char *name, const char *master, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r >= 0 && master)
		r = nk_link_name_check(master, err);
	if (r < 0)
		return nk_err_wrap(err, r, "set master");
	int index = master ? nk_link_index(nl, master) : 0;
	if (index < 0)
		return nk_err_set(err, -index, "set master of %s: %s", name, master);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = change_msg(buf, RTM_NEWLINK, name, 0, NULL);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)index);
	if (!master)
		return nk_nl_request(nl, nlh, err, "release %s from its master", name);
	return nk_nl_request(nl, nlh, err, "set master of %s to %s", name, master);
}

int nk_link_set_mtu(nk_nl *nl, const char *name, unsigned mtu, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r < 0)
		return nk_err_wrap(err, r, "set mtu");
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = change_msg(buf, RTM_NEWLINK, name, 0, NULL);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nk_nl_request(nl, nlh, err, "set mtu %u on %s", mtu, name);
}

int nk_link_set_mac(nk_nl *nl, const char *name, const unsigned char mac[6], nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r < 0)
		return nk_err_wrap(err, r, "set mac");
	char text[18];
	nk_mac_format(mac, text);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = change_msg(buf, RTM_NEWLINK, name, 0, NULL);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return nk_nl_request(nl, nlh, err, "set mac %s on %s", text, name);
}

int nk_link_rename(nk_nl *nl, const char *name, const char *newname, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r >= 0)
		r = nk_link_name_check(newname, err);
	if (r < 0)
		return nk_err_wrap(err, r, "rename link");
	int index = nk_link_index(nl, name);
	if (index < 0)
		return nk_err_set(err, -index, "rename %s to %s", name, newname);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = change_msg(buf, RTM_NEWLINK, newname, index, NULL);
	return nk_nl_request(nl, nlh, err, "rename %s to %s", name, newname);
}

/* With IFLA_NET_NS_FD, IFLA_IFNAME is the device's name in the target namespace. */
int nk_link_move_netns(nk_nl *nl, const char *name, int netns_fd, const char *newname, nk_err **err)
{
	int r = nk_link_name_check(name, err);
	if (r >= 0 && newname)
		r = nk_link_name_check(newname, err);
	if (r < 0)
		return nk_err_wrap(err, r, "move link to network namespace");
	int index = nk_link_index(nl, name);
	if (index < 0)
		return nk_err_set(err, -index, "move %s to network namespace", name);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = change_msg(buf, RTM_NEWLINK, newname, index, NULL);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	return nk_nl_request(nl, nlh, err, "move %s to network namespace%s%s", name,
	                     newname ? " as " : "", newname ? newname : "");
}

/* ---- bridge port VLANs -------------------------------------------------------------------- */

/*
 * What `bridge vlan add/del` sends: an AF_BRIDGE request about the port (by ifindex only: the
 * bridge family takes no name), addressed to the bridge it is a port of (BRIDGE_FLAGS_MASTER).
 */
static int bridge_vlan(nk_nl *nl, uint16_t type, const char *port, unsigned vid, uint16_t flags,
                       nk_err **err)
{
	const char *op = type == RTM_SETLINK ? "add" : "delete";
	int r = nk_link_name_check(port, err);
	if (r < 0)
		return nk_err_wrap(err, r, "%s vlan", op);
	if (vid < 1 || vid > 4094)
		return nk_err_set(err, 0, "%s vlan %u on %s: not a VLAN id (1 to 4094)", op, vid,
		                  port);
	int index = nk_link_index(nl, port);
	if (index < 0)
		return nk_err_set(err, -index, "%s vlan %u on %s", op, vid, port);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = change_msg(buf, type, NULL, index, &ifi);
	ifi->ifi_family = AF_BRIDGE;
	struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	mnl_attr_put_u16(nlh, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_MASTER);
	struct bridge_vlan_info info = {.flags = flags, .vid = (uint16_t)vid};
	mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info);
	mnl_attr_nest_end(nlh, spec);
	return nk_nl_request(nl, nlh, err, "%s vlan %u on %s", op, vid, port);
}

int nk_bridge_vlan_add(nk_nl *nl, const char *port, unsigned vid, bool pvid, nk_err **err)
{
	uint16_t flags = pvid ? BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED : 0;
	return bridge_vlan(nl, RTM_SETLINK, port, vid, flags, err);
}

int nk_bridge_vlan_del(nk_nl *nl, const char *port, unsigned vid, nk_err **err)
{
	return bridge_vlan(nl, RTM_DELLINK, port, vid, 0, err);
}
