/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Network definitions: what `nook net create` was asked for, kept in CONFDIR/NAME.conf as
 * "key = value" lines (bridge, subnet, gateway, nat, dhcp, ipv6), and what nook changed on the
 * host to make it real (RUNDIR/NAME.state: bridge created, forwarding turned on), so `rm`
 * undoes only that. Everything is checked here before anything on the host changes.
 *
 * Directories (test hooks in parentheses, so tests never touch the host's files):
 *   CONFDIR  /etc/nook/net       (NOOK_NET_CONFDIR)   definitions
 *   RUNDIR   /run/nook/net       (NOOK_NET_RUNDIR)    state, dnsmasq pid files, uplink state
 *   STATEDIR /var/lib/nook/net   (NOOK_NET_STATEDIR)  dnsmasq lease files
 */
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "util/error.h"

#define NK_NET_DEFAULT_NAME   "nookbr0"
#define NK_NET_DEFAULT_SUBNET "10.0.3.0/24"
/* Host-side veth ends of containers start with this (lxc.net.N.veth.pair default). */
#define NK_NET_VETH_PREFIX "vnk"

typedef struct nk_net {
	char name[IFNAMSIZ]; /* the network and its bridge */
	bool has_subnet;
	struct in_addr subnet, gateway; /* gateway: the first host, the bridge's address */
	unsigned prefix;
	bool nat;
	bool has_dhcp;
	struct in_addr dhcp_start, dhcp_end;
	bool has_ipv6;
	struct in6_addr subnet6, gateway6;
	unsigned prefix6;
} nk_net;

/* What nook itself changed on the host for a network; only that is undone by rm. */
typedef struct nk_net_state {
	bool created_bridge;
	bool added_addr4, added_addr6;
	bool set_forward4, set_forward6;
} nk_net_state;

enum nk_net_dir { NK_NET_CONFDIR, NK_NET_RUNDIR, NK_NET_STATEDIR };
const char *nk_net_dir(enum nk_net_dir which);
/* DIR/<printf>: malloc'd, NULL when out of memory. */
char *nk_net_path(enum nk_net_dir which, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Serializes the commands that change the host (create, up, rm, attach/detach-uplink): an fd
 * holding an exclusive lock on RUNDIR/lock, released when closed. Waits for the holder.
 */
int nk_net_lock(nk_err **err);

/* A network name is a bridge name and a file name: a letter, then [A-Za-z0-9_.-], max 15. */
int nk_net_name_check(const char *name, nk_err **err);

/* "10.0.3.0/24": the network address (host bits zero), prefix 1..32. 0 or -EINVAL. */
int nk_cidr4_parse(const char *s, struct in_addr *net, unsigned *prefix);
int nk_cidr6_parse(const char *s, struct in6_addr *net, unsigned *prefix);
bool nk_in_subnet4(struct in_addr a, struct in_addr net, unsigned prefix);
bool nk_subnets_overlap4(struct in_addr a, unsigned alen, struct in_addr b, unsigned blen);

/*
 * Setters for one value each; the message says what is wrong with the value, and the caller
 * names where it came from ("--subnet 10.0.3.0/33", "FILE:3: subnet").
 */
int nk_net_set_subnet(nk_net *n, const char *cidr, nk_err **err);
int nk_net_set_dhcp(nk_net *n, const char *range, nk_err **err);
int nk_net_set_ipv6(nk_net *n, const char *cidr, nk_err **err);
/*
 * The checks across values (a range inside the subnet, NAT needing a subnet); as_flags picks
 * how the values are named: "--dhcp" for the command line, "dhcp" for a file.
 */
int nk_net_check(const nk_net *n, bool as_flags, nk_err **err);

/* "10.0.3.0/24" etc. into buf (INET6_ADDRSTRLEN + 4 bytes is always enough). */
void nk_net_fmt_subnet(const nk_net *n, char *buf, size_t size);
void nk_net_fmt_subnet6(const nk_net *n, char *buf, size_t size);
void nk_net_fmt_dhcp(const nk_net *n, char *buf, size_t size); /* "START,END" */

int nk_net_exists(const char *name);
int nk_net_load(const char *name, nk_net *out, nk_err **err);
/* Writes the definition atomically (CONFDIR created when missing). */
int nk_net_save(const nk_net *n, nk_err **err);
/* The defined networks' names, sorted; *out NULL-terminated (may be empty). */
int nk_net_names(char ***out, nk_err **err);

/* The state file: missing reads as "nook changed nothing". */
int nk_net_state_load(const char *name, nk_net_state *out, nk_err **err);
int nk_net_state_save(const char *name, const nk_net_state *st, nk_err **err);

/*
 * Reads "key = value" lines ('#' comments, blank lines skipped), calling cb for each; cb's
 * error is prefixed with "PATH:LINE".
 */
typedef int (*nk_kv_fn)(void *data, const char *key, const char *value, nk_err **err);
int nk_kv_parse(const char *path, nk_kv_fn cb, void *data, nk_err **err);
