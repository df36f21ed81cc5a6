/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * rtnetlink through libmnl: links, addresses, routes and neighbours, in-process (no `ip` child
 * on any start path). Every call names the device and the operation in its error:
 * "create veth vethXYZ/eth0: File exists".
 *
 * A socket works in the network namespace it was created in: nk_nl_open_netns creates one in
 * another namespace (setns there and back), so a monitor can configure a container's devices
 * from the host.
 */
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct nk_nl {
	struct mnl_socket *sock;
	unsigned seq;
	unsigned portid;
} nk_nl;

int nk_nl_open(nk_nl *nl, nk_err **err);
/* Aborts the process if the thread cannot return to its own namespace (see nl.c). */
int nk_nl_open_netns(nk_nl *nl, int netns_fd, nk_err **err);
/* Safe on a closed or failed-to-open nl. */
void nk_nl_close(nk_nl *nl);

/* ---- links (link.c) ---- */

typedef struct nk_link {
	int index;
	char name[IFNAMSIZ];
	char kind[16];      /* "veth", "bridge", "macvlan", ... or "" for a physical device */
	unsigned flags;     /* IFF_UP, ... */
	unsigned mtu;
	unsigned char mac[6];
	int master;         /* ifindex of the bridge it is enslaved to, or 0 */
	int link;           /* IFLA_LINK: the parent of a macvlan/vlan, the peer of a veth */
	unsigned num_tx_queues, num_rx_queues; /* as created (numtxqueues, numrxqueues) */
	bool vlan_filtering;   /* a bridge: vlan_filtering on */
	unsigned default_pvid; /* a bridge: the VLAN a new port joins untagged, 0 for none */
} nk_link;

/* ifindex of name, or -ENODEV (no err filled: a lookup is not a failure). */
int nk_link_index(nk_nl *nl, const char *name);
int nk_link_get(nk_nl *nl, const char *name, nk_link *out, nk_err **err);
/* *out is one malloc'd array: free(*out). */
int nk_link_list(nk_nl *nl, nk_link **out, size_t *n, nk_err **err);
/* The name of ifindex in the socket's namespace (if_indextoname only sees the caller's). */
int nk_link_name(nk_nl *nl, int ifindex, char name[IFNAMSIZ], nk_err **err);
/* A kernel interface name: 1..15 bytes, not "." or "..", no '/', ':', space or control byte. */
int nk_link_name_check(const char *name, nk_err **err);

int nk_link_veth_create(nk_nl *nl, const char *name, const char *peer, nk_err **err);

typedef struct nk_veth_opts {
	int peer_netns_fd;             /* the peer is born in that namespace; -1: here */
	unsigned rx_queues, tx_queues; /* of both ends; 0: the kernel's default */
} nk_veth_opts;
int nk_link_veth_create_with(nk_nl *nl, const char *name, const char *peer,
                             const nk_veth_opts *opts, nk_err **err);
int nk_link_bridge_create(nk_nl *nl, const char *name, nk_err **err);
/* mode: MACVLAN_MODE_* from <linux/if_link.h> */
int nk_link_macvlan_create(nk_nl *nl, const char *name, const char *parent, unsigned mode, nk_err **err);
/* mode: IPVLAN_MODE_L2/L3/L3S; flags: IPVLAN_F_PRIVATE/IPVLAN_F_VEPA or 0 */
int nk_link_ipvlan_create(nk_nl *nl, const char *name, const char *parent, unsigned mode,
			  unsigned flags, nk_err **err);
int nk_link_vlan_create(nk_nl *nl, const char *name, const char *parent, unsigned id, nk_err **err);
int nk_link_delete(nk_nl *nl, const char *name, nk_err **err);

int nk_link_set_up(nk_nl *nl, const char *name, bool up, nk_err **err);
/* master NULL: release from its bridge */
int nk_link_set_master(nk_nl *nl, const char *name, const char *master, nk_err **err);
int nk_link_set_mtu(nk_nl *nl, const char *name, unsigned mtu, nk_err **err);
int nk_link_set_mac(nk_nl *nl, const char *name, const unsigned char mac[6], nk_err **err);
int nk_link_rename(nk_nl *nl, const char *name, const char *newname, nk_err **err);
/* Moves name into the namespace of netns_fd, renamed to newname there when newname != NULL. */
int nk_link_move_netns(nk_nl *nl, const char *name, int netns_fd, const char *newname, nk_err **err);

/*
 * VLANs of a bridge port (its bridge needs vlan_filtering): vid joins the port tagged, or as its
 * PVID, egress untagged, when pvid is true; delete takes it off the port.
 */
int nk_bridge_vlan_add(nk_nl *nl, const char *port, unsigned vid, bool pvid, nk_err **err);
int nk_bridge_vlan_del(nk_nl *nl, const char *port, unsigned vid, nk_err **err);

/* ---- addresses (addr.c) ---- */

typedef struct nk_addr {
	int family;          /* AF_INET, AF_INET6 */
	int ifindex;
	unsigned char addr[16];
	unsigned prefix;
	bool has_bcast;
	struct in_addr bcast;
	unsigned char scope;
	unsigned flags;      /* IFA_F_* */
	unsigned valid_lft, preferred_lft; /* seconds; 0xffffffff forever */
	char label[IFNAMSIZ];
} nk_addr;

/*
 * a->ifindex names the device; bcast is used for AF_INET when has_bcast, else the network's
 * broadcast (none for /31, /32). valid_lft 0 adds a permanent address, like 0xffffffff.
 */
int nk_addr_add(nk_nl *nl, const nk_addr *a, nk_err **err);
int nk_addr_del(nk_nl *nl, const nk_addr *a, nk_err **err);
/* ifindex 0: all devices; family AF_UNSPEC: both. *out is one malloc'd array: free(*out). */
int nk_addr_list(nk_nl *nl, int ifindex, int family, nk_addr **out, size_t *n, nk_err **err);

/* ---- routes (route.c) ---- */

typedef struct nk_route {
	int family;
	int ifindex;            /* RTA_OIF, 0 when none */
	unsigned char dst[16];
	unsigned dst_len;       /* 0 for a default route */
	bool has_gw;
	unsigned char gw[16];
	bool has_prefsrc;
	unsigned char prefsrc[16];
	unsigned metric;        /* RTA_PRIORITY */
	unsigned table;         /* RT_TABLE_MAIN by default */
	unsigned char protocol; /* RTPROT_* (kernel, boot, static, dhcp, ...) */
	unsigned char scope;    /* RT_SCOPE_* */
	unsigned char type;     /* RTN_UNICAST, ... */
	bool onlink;            /* RTNH_F_ONLINK: the gateway is reachable on this device */
} nk_route;

int nk_route_add(nk_nl *nl, const nk_route *r, nk_err **err);
int nk_route_del(nk_nl *nl, const nk_route *r, nk_err **err);
/*
 * The routes of one table (table 0: all tables), family AF_INET, AF_INET6 or AF_UNSPEC, without
 * cached/cloned entries. Multipath routes show their first hop only. free(*out).
 */
int nk_route_list(nk_nl *nl, int family, unsigned table, nk_route **out, size_t *n, nk_err **err);

/* ---- neighbours ---- */

/*
 * Removes every IPv4 and IPv6 neighbour (ARP/NDP) entry of a device except NUD_PERMANENT ones:
 * those were added on purpose by an administrator and the kernel would never relearn them.
 */
int nk_neigh_flush(nk_nl *nl, int ifindex, nk_err **err);
/*
 * Proxy entries (`ip neigh add proxy ADDR dev DEV`): the device answers ARP (IPv4) or neighbour
 * solicitations (IPv6) for addr, 4 or 16 bytes by family. The kernel keeps one entry per address
 * and device: adding one that exists succeeds; deleting one that does not fails (ENOENT).
 */
int nk_neigh_proxy_add(nk_nl *nl, int ifindex, int family, const void *addr, nk_err **err);
int nk_neigh_proxy_del(nk_nl *nl, int ifindex, int family, const void *addr, nk_err **err);

/* ---- helpers ---- */

/*
 * "fe:xx:..." style random MAC: first octet given as is (the caller picks one that is locally
 * administered and unicast, e.g. 0xfe so a bridge never takes it as its own lowest-port MAC).
 */
void nk_mac_random(unsigned char mac[6], unsigned char first);
/* "aa:bb:cc:dd:ee:ff", two hex digits per octet; 0 or -EINVAL. */
int nk_mac_parse(const char *s, unsigned char mac[6]);
void nk_mac_format(const unsigned char mac[6], char buf[18]);

/* ---- raw messages (nl.c): for the src/net files, and tests that build their own ---- */

struct nlmsghdr;
struct nlattr;

/* Room for any request nook builds (names and a few addresses): attributes go in unchecked. */
#define NK_NL_REQ_SIZE 1024
/* Starts a request of type in buf (NK_NL_REQ_SIZE bytes, 4-byte aligned), header zeroed. */
struct nlmsghdr *nk_nl_msg(void *buf, uint16_t type, uint16_t flags);

/*
 * Called for each reply message of nk_nl_query; returns 0 or a negative errno (which ends the
 * query with that error once the kernel is done replying). Called with nlh == NULL when an
 * interrupted dump starts over: drop what was collected.
 */
typedef int (*nk_nl_reply_fn)(const struct nlmsghdr *nlh, void *data);

/*
 * Sends nlh with NLM_F_REQUEST|NLM_F_ACK added and waits for the kernel's answer. On failure
 * *err reads "WHAT: TEXT" (WHAT from fmt): TEXT is the kernel's extended-ack message when it
 * gave one (then errnum is 0 and the message says it all), else errnum is the kernel's errno.
 * The return value is always the kernel's -errno.
 */
int nk_nl_request(nk_nl *nl, struct nlmsghdr *nlh, nk_err **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/*
 * nk_nl_request with replies: a get, or a dump (NLM_F_DUMP), which is read again (3 tries in
 * all) when the kernel marks it interrupted (NLM_F_DUMP_INTR or EINTR).
 */
int nk_nl_query(nk_nl *nl, struct nlmsghdr *nlh, nk_nl_reply_fn cb, void *data, nk_err **err,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* tb[0..max] = the attributes after hdrlen bytes of payload (the last of each type), else NULL. */
void nk_nl_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max);
void nk_nl_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned max);
/* Attribute values, tolerant of a missing (NULL) or malformed attribute: */
uint32_t nk_nl_u32(const struct nlattr *a); /* 0 unless a 4-byte payload */
/* Copies a string attribute into buf (truncated, NUL-terminated); "" when missing. */
void nk_nl_str(const struct nlattr *a, char *buf, size_t size);
/* Copies exactly len payload bytes into dst; false (dst untouched) unless the size matches. */
bool nk_nl_bytes(const struct nlattr *a, void *dst, size_t len);

/* A growing array of size-byte items for dumps: free(items). */
typedef struct nk_nl_vec {
	void *items;
	size_t n, cap, size;
} nk_nl_vec;
/* A zeroed new last item, or NULL when out of memory. */
void *nk_nl_vec_push(nk_nl_vec *v);
