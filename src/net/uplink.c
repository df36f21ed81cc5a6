/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/netdef.h"
#include "net/nl.h"
#include "net/undo.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void nl_closep(nk_nl *nl)
{
	nk_nl_close(nl);
}

/* ---- the layer-3 state of one device ---- */

typedef struct l3_snap {
	nk_addr *addrs;
	size_t naddrs;
	nk_route *routes; /* device routes first, so gateways are reachable when theirs come */
	size_t nroutes;
} l3_snap;

static void snap_free(l3_snap *s)
{
	free(s->addrs);
	free(s->routes);
}

static bool is_link_local6(const nk_addr *a)
{
	return a->family == AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
}

/*
 * Routes the kernel made for an address (proto kernel) come back with the address; the local
 * table is the kernel's own too. Everything else that leaves by the device is moved: static,
 * boot, dhcp, ra, in any table, with metric, scope, protocol and prefsrc as they were.
 */
static bool route_moves(const nk_route *r, int ifindex)
{
	return r->ifindex == ifindex && r->type == RTN_UNICAST && r->protocol != RTPROT_KERNEL &&
	       r->table != RT_TABLE_LOCAL;
}

static int route_order(const void *a, const void *b)
{
	const nk_route *x = a, *y = b;
	if (x->has_gw != y->has_gw)
		return x->has_gw ? 1 : -1;
	return (int)y->dst_len - (int)x->dst_len;
}

static int snap_take(nk_nl *nl, int ifindex, l3_snap *s, nk_err **err)
{
	_cleanup_free_ nk_addr *addrs = NULL;
	_cleanup_free_ nk_route *routes = NULL;
	size_t na, nr;
	int r = nk_addr_list(nl, ifindex, AF_UNSPEC, &addrs, &na, err);
	if (r == 0)
		r = nk_route_list(nl, AF_UNSPEC, 0, &routes, &nr, err);
	if (r < 0)
		return r;
	*s = (l3_snap){.addrs = TAKE_PTR(addrs), .routes = TAKE_PTR(routes)};
	/* The bridge makes its own IPv6 link-local address; the port keeps its one. */
	for (size_t i = 0; i < na; i++)
		if (!is_link_local6(&s->addrs[i]))
			s->addrs[s->naddrs++] = s->addrs[i];
	for (size_t i = 0; i < nr; i++)
		if (route_moves(&s->routes[i], ifindex))
			s->routes[s->nroutes++] = s->routes[i];
	qsort(s->routes, s->nroutes, sizeof(nk_route), route_order);
	return 0;
}

/* The address as it goes onto ifindex: only the flags one may set; an IPv4 label of from
 * ("eth0", "eth0:1") renamed for to, when given. */
static nk_addr addr_onto(const nk_addr *a, int ifindex, const char *from, const char *to)
{
	const unsigned settable = IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS |
	                          IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR | IFA_F_MCAUTOJOIN;
	nk_addr out = *a;
	out.ifindex = ifindex;
	out.flags = a->flags & settable;
	/* Moved, the address is not new on the link: a tentative period would only cut
	 * traffic. Put back (rollback), it is exactly what it was. */
	if (a->family == AF_INET6 && from)
		out.flags |= IFA_F_NODAD;
	size_t flen = from ? strlen(from) : 0;
	if (from && a->family == AF_INET && strncmp(a->label, from, flen) == 0 &&
	    (a->label[flen] == '\0' || a->label[flen] == ':'))
		snprintf(out.label, sizeof(out.label), "%s%.*s", to,
		         (int)(IFNAMSIZ - 1 - strlen(to)), a->label + flen);
	return out;
}

/* Keeps the first real failure of a best-effort series; "already there" is no failure. */
static void keep_first(int r, nk_err **e, int *ret, nk_err **err)
{
	if (r < 0 && r != -EEXIST && *ret == 0) {
		*ret = r;
		if (err && !*err)
			*err = TAKE_PTR(*e);
	}
}

/* Puts a snapshot back on its device (rollback): what is already there is fine. */
static int snap_restore(nk_nl *nl, const l3_snap *s, int ifindex, nk_err **err)
{
	int ret = 0;
	for (size_t i = 0; i < s->naddrs; i++) {
		_cleanup_err_ nk_err *e = NULL;
		nk_addr a = addr_onto(&s->addrs[i], ifindex, NULL, NULL);
		keep_first(nk_addr_add(nl, &a, &e), &e, &ret, err);
	}
	for (size_t i = 0; i < s->nroutes; i++) {
		_cleanup_err_ nk_err *e = NULL;
		nk_route rt = s->routes[i];
		rt.ifindex = ifindex;
		keep_first(nk_route_add(nl, &rt, &e), &e, &ret, err);
	}
	return ret;
}

/* ---- undo steps ---- */

typedef struct restore_undo {
	const l3_snap *snap; /* lives until the command returns, after its rollback */
	int ifindex;
} restore_undo;

typedef struct mac_undo {
	char name[IFNAMSIZ];
	unsigned char mac[6];
} mac_undo;

typedef struct port_undo {
	char port[IFNAMSIZ], bridge[IFNAMSIZ];
} port_undo;

static int undo_restore(nk_nl *nl, const void *data, nk_err **err)
{
	const restore_undo *u = data;
	return snap_restore(nl, u->snap, u->ifindex, err);
}

static int undo_mac(nk_nl *nl, const void *data, nk_err **err)
{
	const mac_undo *u = data;
	return nk_link_set_mac(nl, u->name, u->mac, err);
}

static int undo_master(nk_nl *nl, const void *data, nk_err **err)
{
	const port_undo *u = data;
	return nk_link_set_master(nl, u->port, u->bridge[0] ? u->bridge : NULL, err);
}

static int undo_del_link(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_link_delete(nl, data, err);
}

static int undo_down(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_link_set_up(nl, data, false, err);
}

static int undo_del_addr(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_addr_del(nl, data, err);
}

static int undo_del_route(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_route_del(nl, data, err);
}

static int undo_unlink(nk_nl *nl, const void *data, nk_err **err)
{
	return unlink(data) < 0 && errno != ENOENT
	           ? nk_err_sys(err, "remove %s", (const char *)data)
	           : 0;
}

/* ---- moving addresses and routes ---- */

typedef struct move {
	nk_nl *nl;
	nk_undo *undo;
	const l3_snap *snap; /* of from */
	const char *from, *to;
	int from_index, to_index;
} move;

/* Hands a failure's error on to the caller's; returns r. */
static int pass(int r, nk_err **e, nk_err **err)
{
	if (r < 0 && err && !*err)
		*err = TAKE_PTR(*e);
	return r;
}

/* Already removed, by the kernel with something else: not a failure for a delete. */
static bool gone(int r)
{
	return r == 0 || r == -ESRCH || r == -ENOENT || r == -EADDRNOTAVAIL;
}

/*
 * Each address leaves from before it appears on to, so the host never answers for one IP on
 * two devices. Removing a primary IPv4 address takes its secondaries (and removing the last
 * address takes the device's routes) with it: the snapshot still has them all.
 */
static int move_addr(move *m, const nk_addr *a, nk_err **err)
{
	nk_addr to = addr_onto(a, m->to_index, m->from, m->to);
	_cleanup_err_ nk_err *e = NULL;
	int r = nk_addr_del(m->nl, a, &e);
	if (!gone(r))
		return pass(r, &e, err);
	if ((r = nk_addr_add(m->nl, &to, err)) < 0)
		return r;
	return nk_undo_push(m->undo, undo_del_addr, &to, sizeof(to), err);
}

/*
 * The old route goes first: IPv4 and IPv6 alike refuse a second route with the same
 * destination and metric through another device (EEXIST), so adding first would fail, or
 * worse, be taken for "already there". What exists on to afterwards (the kernel's prefix
 * route, made again with the address) is fine.
 */
static int move_route(move *m, const nk_route *old, nk_err **err)
{
	nk_route to = *old;
	to.ifindex = m->to_index;
	_cleanup_err_ nk_err *e = NULL, *e2 = NULL;
	int r = nk_route_del(m->nl, old, &e);
	if (!gone(r))
		return pass(r, &e, err);
	r = nk_route_add(m->nl, &to, &e2);
	if (r == -EEXIST)
		return 0;
	if (r < 0)
		return pass(r, &e2, err);
	return nk_undo_push(m->undo, undo_del_route, &to, sizeof(to), err);
}

static int move_addrs(move *m, nk_err **err)
{
	int r = nk_net_fail_at("move_addresses", err);
	for (size_t i = 0; r == 0 && i < m->snap->naddrs; i++)
		r = move_addr(m, &m->snap->addrs[i], err);
	return r;
}

static int move_routes(move *m, nk_err **err)
{
	int r = nk_net_fail_at("move_routes", err);
	for (size_t i = 0; r == 0 && i < m->snap->nroutes; i++)
		r = move_route(m, &m->snap->routes[i], err);
	return r;
}

static int move_l3(move *m, nk_err **err)
{
	int r = move_addrs(m, err);
	if (r == 0)
		r = move_routes(m, err);
	if (r < 0)
		return r;
	if ((r = nk_net_fail_at("flush_neigh", err)) < 0)
		return r;
	/* ARP/NDP entries learnt on from would answer for to's traffic from a stale device. */
	return nk_neigh_flush(m->nl, m->from_index, err);
}

/* ---- the record ---- */

typedef struct uplink_state {
	char iface[IFNAMSIZ];
	bool created_bridge;
} uplink_state;

static int state_key(void *data, const char *key, const char *value, nk_err **err)
{
	uplink_state *st = data;
	if (strcmp(key, "iface") == 0) {
		int r = nk_link_name_check(value, err);
		if (r == 0)
			snprintf(st->iface, sizeof(st->iface), "%s", value);
		return r;
	}
	if (strcmp(key, "created_bridge") == 0) {
		st->created_bridge = strcmp(value, "1") == 0;
		return 0;
	}
	return nk_err_set(err, 0, "unknown key");
}

static char *state_path(const char *bridge)
{
	return nk_net_path(NK_NET_RUNDIR, "uplink-%s.state", bridge);
}

static int state_load(const char *bridge, uplink_state *st, bool *found, nk_err **err)
{
	_cleanup_free_ char *path = state_path(bridge);
	*st = (uplink_state){0};
	*found = path && nk_path_exists(path);
	return *found ? nk_kv_parse(path, state_key, st, err) : 0;
}

static int state_save(const char *bridge, const uplink_state *st, nk_err **err)
{
	_cleanup_free_ char *path = state_path(bridge), *text = NULL;
	if (!path ||
	    asprintf(&text, "# nook net attach-uplink %s %s\niface = %s\ncreated_bridge = %d\n",
	             bridge, st->iface, st->iface, st->created_bridge) < 0)
		return nk_err_set(err, ENOMEM, "write uplink state");
	int r = nk_mkdir_p(nk_net_dir(NK_NET_RUNDIR), 0755, err);
	return r < 0 ? r : nk_write_file_atomic(path, text, strlen(text), 0644, err);
}

int nk_uplink_of(const char *bridge, char iface[IFNAMSIZ])
{
	uplink_state st;
	bool found;
	if (state_load(bridge, &st, &found, NULL) < 0 || !found)
		return -ENOENT;
	memcpy(iface, st.iface, IFNAMSIZ);
	return 0;
}

/* ---- the entry both commands share ---- */

/* A command's check (reads, changes nothing) or its steps (each recorded on the undo stack). */
typedef int (*uplink_fn)(void *cmd, nk_net_notes *notes, nk_err **err);

typedef struct uplink_cmd {
	const char *bridge, *iface;
	nk_nl **nl;     /* pointed at the socket, while uplink_run runs */
	nk_undo **undo; /* pointed at the undo stack of the steps, while they run */
	uplink_fn check, steps;
	void *cmd;
} uplink_cmd;

/*
 * Both names checked, the host lock held, a netlink socket; then the command's check, and its
 * steps: when one fails, every step done is undone, last first, before the lock goes.
 */
static int uplink_run(const uplink_cmd *c, nk_net_notes *notes, nk_err **err)
{
	_cleanup_(nl_closep) nk_nl nl = {0};
	int r = nk_link_name_check(c->bridge, err);
	if (r == 0)
		r = nk_link_name_check(c->iface, err);
	_cleanup_close_ int lock = r < 0 ? -1 : nk_net_lock(err);
	if (lock < 0)
		return r < 0 ? r : lock;
	*c->nl = &nl;
	r = nk_nl_open(&nl, err);
	if (r == 0)
		r = c->check(c->cmd, notes, err);
	if (r < 0)
		return r;
	_cleanup_(nk_undo_rollbackp) nk_undo undo = {.nl = &nl};
	*c->undo = &undo;
	r = c->steps(c->cmd, notes, err);
	if (r == 0)
		nk_undo_commit(&undo);
	return r;
}

/* ---- attach ---- */

typedef struct attach {
	nk_nl *nl;
	nk_undo *undo;
	const char *bridge, *iface;
	nk_link br, nic;
	bool br_existed;
	l3_snap snap;
} attach;

static int attach_check(void *cmd, nk_net_notes *notes, nk_err **err)
{
	attach *a = cmd;
	int r = nk_link_get(a->nl, a->iface, &a->nic, err);
	if (r < 0)
		return r;
	if (strcmp(a->bridge, a->iface) == 0 || strcmp(a->nic.kind, "bridge") == 0 ||
	    (a->nic.flags & IFF_LOOPBACK))
		return nk_err_set(err, 0, "%s cannot be a bridge's uplink", a->iface);
	a->br_existed = nk_link_get(a->nl, a->bridge, &a->br, NULL) == 0;
	if (a->br_existed && strcmp(a->br.kind, "bridge") != 0)
		return nk_err_set(err, 0, "%s is a %s device, not a bridge", a->bridge,
		                  a->br.kind[0] ? a->br.kind : "physical");
	if (a->nic.master && (!a->br_existed || a->nic.master != a->br.index)) {
		char m[IFNAMSIZ] = "?";
		nk_link_name(a->nl, a->nic.master, m, NULL);
		return nk_err_set(err, EBUSY, "%s is already a port of %s", a->iface, m);
	}
	return snap_take(a->nl, a->nic.index, &a->snap, err);
}

static int attach_bridge(attach *a, nk_err **err)
{
	int r = nk_net_fail_at("create_bridge", err);
	if (r < 0 || a->br_existed)
		return r;
	if ((r = nk_link_bridge_create(a->nl, a->bridge, err)) < 0 ||
	    (r = nk_undo_push(a->undo, undo_del_link, a->bridge, strlen(a->bridge) + 1, err)) < 0)
		return r;
	return nk_link_get(a->nl, a->bridge, &a->br, err);
}

/* The NIC's MAC on the bridge: the host keeps its identity (DHCP leases, switch port
 * security, ARP caches), and a MAC set by hand never changes as ports come and go. */
static int attach_mac(attach *a, nk_err **err)
{
	mac_undo u;
	int r = nk_net_fail_at("set_mac", err);
	/* Set even when equal: a bridge that merely inherited it from its lowest port would
	 * change it again when a port with a lower MAC joins; a set one is pinned. */
	if (r == 0)
		r = nk_link_set_mac(a->nl, a->bridge, a->nic.mac, err);
	if (r < 0 || !a->br_existed || memcmp(a->br.mac, a->nic.mac, 6) == 0)
		return r;
	snprintf(u.name, sizeof(u.name), "%s", a->bridge);
	memcpy(u.mac, a->br.mac, 6);
	return nk_undo_push(a->undo, undo_mac, &u, sizeof(u), err);
}

static int attach_up(attach *a, nk_err **err)
{
	int r = nk_net_fail_at("bridge_up", err);
	if (r < 0 || (a->br.flags & IFF_UP))
		return r;
	if ((r = nk_link_set_up(a->nl, a->bridge, true, err)) < 0)
		return r;
	return nk_undo_push(a->undo, undo_down, a->bridge, strlen(a->bridge) + 1, err);
}

/* The NIC's own state comes back only once it is released: its restore is recorded first. */
static int attach_enslave(attach *a, nk_err **err)
{
	restore_undo ru = {.snap = &a->snap, .ifindex = a->nic.index};
	port_undo pu = {.bridge = ""};
	int r = nk_undo_push(a->undo, undo_restore, &ru, sizeof(ru), err);
	if (r == 0)
		r = nk_net_fail_at("enslave", err);
	if (r < 0 || a->nic.master == a->br.index)
		return r;
	snprintf(pu.port, sizeof(pu.port), "%s", a->iface);
	if ((r = nk_link_set_master(a->nl, a->iface, a->bridge, err)) < 0)
		return r;
	return nk_undo_push(a->undo, undo_master, &pu, sizeof(pu), err);
}

static int attach_state(attach *a, nk_err **err)
{
	uplink_state st = {.created_bridge = !a->br_existed};
	_cleanup_free_ char *path = state_path(a->bridge);
	snprintf(st.iface, sizeof(st.iface), "%s", a->iface);
	int r = nk_net_fail_at("write_state", err);
	if (r == 0 && !path)
		r = nk_err_set(err, ENOMEM, "write uplink state");
	if (r == 0)
		r = state_save(a->bridge, &st, err);
	return r < 0 ? r : nk_undo_push(a->undo, undo_unlink, path, strlen(path) + 1, err);
}

static int attach_steps(void *cmd, nk_net_notes *notes, nk_err **err)
{
	attach *a = cmd;
	move m = {.nl = a->nl,
	          .undo = a->undo,
	          .snap = &a->snap,
	          .from = a->iface,
	          .to = a->bridge,
	          .from_index = a->nic.index};
	int r = attach_bridge(a, err);
	if (r == 0)
		r = attach_mac(a, err);
	if (r == 0)
		r = attach_up(a, err);
	if (r == 0)
		r = attach_enslave(a, err);
	m.to_index = a->br.index;
	if (r == 0)
		r = move_l3(&m, err);
	if (r == 0)
		r = attach_state(a, err);
	return r;
}

int nk_uplink_attach(const char *bridge, const char *iface, nk_net_notes *notes, nk_err **err)
{
	attach a = {.bridge = bridge, .iface = iface};
	uplink_cmd c = {.bridge = bridge,
	                .iface = iface,
	                .nl = &a.nl,
	                .undo = &a.undo,
	                .check = attach_check,
	                .steps = attach_steps,
	                .cmd = &a};
	int r = uplink_run(&c, notes, err);
	if (r == 0 && !(a.nic.flags & IFF_UP))
		nk_net_note(notes, "%s is down, so %s has no link: ip link set %s up", iface,
		            bridge, iface);
	if (r == 0)
		nk_net_note(notes, "%s: moved %zu address%s and %zu route%s from %s", bridge,
		            a.snap.naddrs, a.snap.naddrs == 1 ? "" : "es", a.snap.nroutes,
		            a.snap.nroutes == 1 ? "" : "s", iface);
	snap_free(&a.snap);
	return r;
}

/* ---- detach ---- */

typedef struct detach {
	nk_nl *nl;
	nk_undo *undo;
	const char *bridge, *iface;
	nk_link br, nic;
	uplink_state st;
	bool recorded;
	l3_snap snap;
} detach;

static int detach_check(void *cmd, nk_net_notes *notes, nk_err **err)
{
	detach *d = cmd;
	int r = state_load(d->bridge, &d->st, &d->recorded, err);
	if (r == 0)
		r = nk_link_get(d->nl, d->bridge, &d->br, err);
	if (r == 0)
		r = nk_link_get(d->nl, d->iface, &d->nic, err);
	if (r < 0)
		return r;
	if (d->recorded && strcmp(d->st.iface, d->iface) != 0)
		return nk_err_set(err, 0, "%s's uplink is %s, not %s", d->bridge, d->st.iface,
		                  d->iface);
	if (d->nic.master != d->br.index)
		return nk_err_set(err, 0, "%s is not a port of %s", d->iface, d->bridge);
	return snap_take(d->nl, d->br.index, &d->snap, err);
}

static int detach_release(detach *d, nk_err **err)
{
	restore_undo ru = {.snap = &d->snap, .ifindex = d->br.index};
	port_undo pu;
	snprintf(pu.port, sizeof(pu.port), "%s", d->iface);
	snprintf(pu.bridge, sizeof(pu.bridge), "%s", d->bridge);
	int r = nk_undo_push(d->undo, undo_restore, &ru, sizeof(ru), err);
	if (r == 0)
		r = nk_net_fail_at("release", err);
	if (r == 0)
		r = nk_link_set_master(d->nl, d->iface, NULL, err);
	return r < 0 ? r : nk_undo_push(d->undo, undo_master, &pu, sizeof(pu), err);
}

typedef struct state_undo {
	char bridge[IFNAMSIZ];
	uplink_state st;
} state_undo;

static int undo_state(nk_nl *nl, const void *data, nk_err **err)
{
	const state_undo *u = data;
	return state_save(u->bridge, &u->st, err);
}

static int detach_forget(detach *d, nk_err **err)
{
	state_undo u = {.st = d->st};
	_cleanup_free_ char *path = state_path(d->bridge);
	snprintf(u.bridge, sizeof(u.bridge), "%s", d->bridge);
	int r = nk_net_fail_at("remove_state", err);
	if (r == 0 && (!path || (unlink(path) < 0 && errno != ENOENT)))
		r = nk_err_sys(err, "remove %s", path ? path : "uplink state");
	if (r < 0 || !d->recorded)
		return r;
	return nk_undo_push(d->undo, undo_state, &u, sizeof(u), err);
}

/* Last, and not undone: nothing after it can fail. Only a bridge nook made, and only empty. */
static int detach_bridge(detach *d, nk_net_notes *notes, nk_err **err)
{
	_cleanup_free_ nk_link *links = NULL;
	size_t n, ports = 0;
	int r = nk_net_fail_at("delete_bridge", err);
	if (r < 0 || !d->st.created_bridge)
		return r;
	if ((r = nk_link_list(d->nl, &links, &n, err)) < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		ports += links[i].master == d->br.index;
	if (ports) {
		nk_net_note(notes, "bridge %s kept: %zu port%s left on it", d->bridge, ports,
		            ports == 1 ? "" : "s");
		return 0;
	}
	return nk_link_delete(d->nl, d->bridge, err);
}

static int detach_steps(void *cmd, nk_net_notes *notes, nk_err **err)
{
	detach *d = cmd;
	move m = {.nl = d->nl,
	          .undo = d->undo,
	          .snap = &d->snap,
	          .from = d->bridge,
	          .to = d->iface,
	          .from_index = d->br.index,
	          .to_index = d->nic.index};
	int r = detach_release(d, err);
	if (r == 0)
		r = move_l3(&m, err);
	if (r == 0)
		r = detach_forget(d, err);
	if (r == 0)
		r = detach_bridge(d, notes, err);
	return r;
}

int nk_uplink_detach(const char *bridge, const char *iface, nk_net_notes *notes, nk_err **err)
{
	detach d = {.bridge = bridge, .iface = iface};
	uplink_cmd c = {.bridge = bridge,
	                .iface = iface,
	                .nl = &d.nl,
	                .undo = &d.undo,
	                .check = detach_check,
	                .steps = detach_steps,
	                .cmd = &d};
	int r = uplink_run(&c, notes, err);
	if (r == 0)
		nk_net_note(notes, "%s: moved %zu address%s and %zu route%s back from %s", iface,
		            d.snap.naddrs, d.snap.naddrs == 1 ? "" : "es", d.snap.nroutes,
		            d.snap.nroutes == 1 ? "" : "s", bridge);
	snap_free(&d.snap);
	return r;
}
