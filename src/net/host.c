/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/dnsmasq.h"
#include "net/nft.h"
#include "net/nl.h"
#include "net/undo.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strbuf.h"

static void nl_closep(nk_nl *nl)
{
	if (nl->sock)
		nk_nl_close(nl);
}
#define _cleanup_nl_ _cleanup_(nl_closep)

/* ---- notes ---- */

void nk_net_notes_free(nk_net_notes *notes)
{
	nk_strv_free(notes->lines);
	notes->lines = NULL;
}

void nk_net_note(nk_net_notes *notes, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (notes && r >= 0)
		nk_strv_push(&notes->lines, s);
}

/* ---- sysctls ---- */

static int sysctl_path(const char *key, char *path, size_t size)
{
	int n = snprintf(path, size, "/proc/sys/%s", key);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int nk_sysctl_read(const char *key, int *out, nk_err **err)
{
	char path[256];
	_cleanup_free_ char *text = NULL;
	if (sysctl_path(key, path, sizeof(path)) < 0)
		return nk_err_set(err, ENAMETOOLONG, "read %s", key);
	int r = nk_read_file(path, &text, NULL, err);
	if (r < 0)
		return r;
	*out = atoi(text);
	return 0;
}

int nk_sysctl_write(const char *key, int value, nk_err **err)
{
	char path[256], buf[16];
	if (sysctl_path(key, path, sizeof(path)) < 0)
		return nk_err_set(err, ENAMETOOLONG, "set %s", key);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%d\n", value);
	if (fd < 0 || write(fd, buf, (size_t)len) != len)
		return nk_err_sys(err, "set %s = %d", key, value);
	return 0;
}

/* ---- undo steps ---- */

typedef struct sysctl_undo {
	char key[64];
	int value;
} sysctl_undo;

static int undo_sysctl(nk_nl *nl, const void *data, nk_err **err)
{
	const sysctl_undo *s = data;
	return nk_sysctl_write(s->key, s->value, err);
}

static int undo_del_bridge(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_link_delete(nl, data, err);
}

static int undo_set_down(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_link_set_up(nl, data, false, err);
}

static int undo_del_addr(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_addr_del(nl, data, err);
}

static int undo_nat(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_nft_nat_del(data, err);
}

static int undo_dnsmasq(nk_nl *nl, const void *data, nk_err **err)
{
	return nk_dnsmasq_stop(data, err);
}

/* The network's run and state directories: the pid file's, and the leases'. */
static int remove_dirs(const char *name, nk_err **err)
{
	_cleanup_free_ char *rundir = nk_net_path(NK_NET_RUNDIR, "%s", name);
	_cleanup_free_ char *statedir = nk_net_path(NK_NET_STATEDIR, "%s", name);
	if (!rundir || !statedir)
		return nk_err_set(err, ENOMEM, "remove files");
	int r = nk_rm_rf(statedir, err);
	if (r == 0 && rmdir(rundir) < 0 && errno != ENOENT)
		r = nk_err_sys(err, "remove %s", rundir);
	return r;
}

static int undo_dirs(nk_nl *nl, const void *data, nk_err **err)
{
	return remove_dirs(data, err);
}

static int undo_unlink(nk_nl *nl, const void *data, nk_err **err)
{
	return unlink(data) < 0 && errno != ENOENT
	           ? nk_err_sys(err, "remove %s", (const char *)data)
	           : 0;
}

/* ---- checks before anything changes ---- */

static const char *kind_name(const nk_link *l)
{
	return l->kind[0] ? l->kind : "physical";
}

/* Another network's subnet, or an address on another device, in the new subnet: the host
 * would route one of them wrong. */
static int check_overlap_defs(const nk_net *n, nk_err **err)
{
	_cleanup_strv_ char **names = NULL;
	int r = nk_net_names(&names, err);
	for (char **p = names; r == 0 && *p; p++) {
		nk_net o;
		if (strcmp(*p, n->name) == 0 || nk_net_load(*p, &o, NULL) < 0 || !o.has_subnet)
			continue;
		if (nk_subnets_overlap4(n->subnet, n->prefix, o.subnet, o.prefix)) {
			char s[INET6_ADDRSTRLEN + 4];
			nk_net_fmt_subnet(&o, s, sizeof(s));
			return nk_err_set(err, 0, "overlaps network %s (%s)", o.name, s);
		}
	}
	return r;
}

static int check_overlap_addrs(nk_nl *nl, const nk_net *n, int bridge, nk_err **err)
{
	_cleanup_free_ nk_addr *addrs = NULL;
	size_t na;
	int r = nk_addr_list(nl, 0, AF_INET, &addrs, &na, err);
	for (size_t i = 0; r == 0 && i < na; i++) {
		struct in_addr a;
		memcpy(&a, addrs[i].addr, 4);
		if (addrs[i].ifindex == bridge ||
		    !nk_subnets_overlap4(n->subnet, n->prefix, a, addrs[i].prefix))
			continue;
		char ip[INET_ADDRSTRLEN], dev[IFNAMSIZ];
		if (nk_link_name(nl, addrs[i].ifindex, dev, NULL) < 0)
			snprintf(dev, sizeof(dev), "?");
		return nk_err_set(err, 0, "overlaps %s/%u on %s",
		                  inet_ntop(AF_INET, &a, ip, sizeof(ip)), addrs[i].prefix, dev);
	}
	return r;
}

/* Errors name the flag they are about; the caller adds "net create NAME". */
static int check_host(nk_nl *nl, const nk_net *n, nk_err **err)
{
	_cleanup_free_ char *conf = nk_net_path(NK_NET_CONFDIR, "%s.conf", n->name);
	if (conf && nk_path_exists(conf))
		return nk_err_set(err, EEXIST, "already defined in %s (nook net rm %s first)", conf,
		                  n->name);
	nk_link l;
	int bridge = 0;
	if (nk_link_get(nl, n->name, &l, NULL) == 0) {
		if (strcmp(l.kind, "bridge") != 0)
			return nk_err_set(err, 0, "%s is a %s device, not a bridge", n->name,
			                  kind_name(&l));
		bridge = l.index;
	}
	if (!n->has_subnet)
		return 0;
	char sub[INET6_ADDRSTRLEN + 4];
	nk_net_fmt_subnet(n, sub, sizeof(sub));
	int r = check_overlap_defs(n, err);
	if (r == 0)
		r = check_overlap_addrs(nl, n, bridge, err);
	return r < 0 ? nk_err_wrap(err, r, "--subnet %s", sub) : 0;
}

/* ---- the steps that make a network real; each records its undo ---- */

typedef struct bringup {
	nk_nl *nl;
	nk_undo *undo;
	const nk_net *n;
	nk_net_state *st;
	int ifindex;
	bool fresh; /* the bridge or its address is new: a running dnsmasq is bound to the old */
} bringup;

/*
 * A bridge without an address of its own set takes the lowest MAC of its ports, so the
 * gateway's MAC would change as containers come and go; an explicit one never changes.
 */
static int create_bridge(bringup *b, nk_err **err)
{
	unsigned char mac[6];
	int r = nk_link_bridge_create(b->nl, b->n->name, err);
	if (r == 0)
		r = nk_undo_push(b->undo, undo_del_bridge, b->n->name, IFNAMSIZ, err);
	if (r < 0)
		return r;
	b->st->created_bridge = true;
	b->fresh = true;
	nk_mac_random(mac, 0x02);
	return nk_link_set_mac(b->nl, b->n->name, mac, err);
}

static int step_bridge(bringup *b, nk_err **err)
{
	nk_link l;
	int r = nk_net_fail_at("create_bridge", err);
	if (r < 0)
		return r;
	if (nk_link_get(b->nl, b->n->name, &l, NULL) < 0) {
		if ((r = create_bridge(b, err)) < 0 ||
		    (r = nk_link_get(b->nl, b->n->name, &l, err)) < 0)
			return r;
	} else if (strcmp(l.kind, "bridge") != 0) {
		return nk_err_set(err, 0, "%s is a %s device, not a bridge", l.name, kind_name(&l));
	}
	b->ifindex = l.index;
	return 0;
}

static int has_addr(nk_nl *nl, const nk_addr *want, bool *found, nk_err **err)
{
	_cleanup_free_ nk_addr *addrs = NULL;
	size_t n;
	int r = nk_addr_list(nl, want->ifindex, want->family, &addrs, &n, err);
	*found = false;
	for (size_t i = 0; r == 0 && i < n; i++)
		if (addrs[i].prefix == want->prefix &&
		    memcmp(addrs[i].addr, want->addr, want->family == AF_INET ? 4 : 16) == 0)
			*found = true;
	return r;
}

static int ensure_addr(bringup *b, const nk_addr *a, bool *added, nk_err **err)
{
	bool found;
	int r = has_addr(b->nl, a, &found, err);
	if (r < 0 || found)
		return r;
	if ((r = nk_addr_add(b->nl, a, err)) < 0)
		return r;
	*added = true;
	b->fresh = true;
	return nk_undo_push(b->undo, undo_del_addr, a, sizeof(*a), err);
}

static int step_addr(bringup *b, nk_err **err)
{
	int r = nk_net_fail_at("add_address", err);
	if (r < 0)
		return r;
	if (b->n->has_subnet) {
		nk_addr a = {.family = AF_INET, .ifindex = b->ifindex, .prefix = b->n->prefix};
		memcpy(a.addr, &b->n->gateway, 4);
		if ((r = ensure_addr(b, &a, &b->st->added_addr4, err)) < 0)
			return r;
	}
	if (b->n->has_ipv6) {
		/* No duplicate address detection: the gateway must be usable (dnsmasq binds it)
		 * at once, and on nook's own bridge nobody else holds it. */
		nk_addr a = {.family = AF_INET6,
		             .ifindex = b->ifindex,
		             .prefix = b->n->prefix6,
		             .flags = IFA_F_NODAD};
		memcpy(a.addr, &b->n->gateway6, 16);
		r = ensure_addr(b, &a, &b->st->added_addr6, err);
	}
	return r;
}

static int step_up(bringup *b, nk_err **err)
{
	nk_link l;
	int r = nk_net_fail_at("bridge_up", err);
	if (r == 0)
		r = nk_link_get(b->nl, b->n->name, &l, err);
	if (r < 0 || (l.flags & IFF_UP))
		return r;
	r = nk_link_set_up(b->nl, b->n->name, true, err);
	return r < 0 ? r : nk_undo_push(b->undo, undo_set_down, b->n->name, IFNAMSIZ, err);
}

static int ensure_sysctl_on(bringup *b, const char *key, bool *set, nk_err **err)
{
	sysctl_undo s = {.value = 0};
	snprintf(s.key, sizeof(s.key), "%s", key);
	int r = nk_sysctl_read(key, &s.value, err);
	if (r < 0 || s.value == 1)
		return r;
	if ((r = nk_sysctl_write(key, 1, err)) < 0)
		return r;
	*set = true;
	return nk_undo_push(b->undo, undo_sysctl, &s, sizeof(s), err);
}

/* Routing the subnet (NAT or not) needs forwarding; it is host-wide, so rm leaves it on. */
static int step_forwarding(bringup *b, nk_err **err)
{
	int r = nk_net_fail_at("forwarding", err);
	if (r == 0 && b->n->has_subnet)
		r = ensure_sysctl_on(b, "net.ipv4.ip_forward", &b->st->set_forward4, err);
	if (r == 0 && b->n->has_ipv6)
		r = ensure_sysctl_on(b, "net.ipv6.conf.all.forwarding", &b->st->set_forward6, err);
	return r;
}

static int step_nat(bringup *b, nk_err **err)
{
	bool present = false;
	int r = nk_net_fail_at("nat", err);
	if (r < 0 || !b->n->nat)
		return r;
	if ((r = nk_nft_nat_present(b->n->name, "ip", &present, err)) < 0 ||
	    (r = nk_nft_nat_add(b->n, err)) < 0)
		return r;
	/* A chain that was there before is only refreshed: a rollback must not remove it. */
	return present ? 0 : nk_undo_push(b->undo, undo_nat, b->n->name, IFNAMSIZ, err);
}

static int step_dhcp(bringup *b, nk_err **err)
{
	int r = nk_net_fail_at("dnsmasq", err);
	if (r < 0 || !b->n->has_dhcp)
		return r;
	/* With --bind-interfaces its sockets belong to the address it found at start: one that
	 * outlived its bridge (deleted and made again) serves nobody, so it starts afresh. */
	if (b->fresh && (r = nk_dnsmasq_stop(b->n->name, err)) < 0)
		return r;
	if (nk_dnsmasq_pid(b->n->name) > 0)
		return 0;
	if ((r = nk_dnsmasq_start(b->n, err)) < 0)
		return r;
	return nk_undo_push(b->undo, undo_dnsmasq, b->n->name, IFNAMSIZ, err);
}

static int bring_up(bringup *b, nk_err **err)
{
	static int (*const steps[])(bringup *, nk_err **) = {
	    step_bridge, step_addr, step_up, step_forwarding, step_nat, step_dhcp,
	};
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		int r = steps[i](b, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- create, up ---- */

static int step_files(bringup *b, nk_err **err)
{
	_cleanup_free_ char *conf = nk_net_path(NK_NET_CONFDIR, "%s.conf", b->n->name);
	_cleanup_free_ char *state = nk_net_path(NK_NET_RUNDIR, "%s.state", b->n->name);
	if (!conf || !state)
		return nk_err_set(err, ENOMEM, "write definition");
	int r = nk_net_fail_at("write_definition", err);
	if (r == 0)
		r = nk_net_state_save(b->n->name, b->st, err);
	if (r == 0)
		r = nk_undo_push(b->undo, undo_unlink, state, strlen(state) + 1, err);
	if (r == 0)
		r = nk_net_save(b->n, err);
	if (r == 0)
		r = nk_undo_push(b->undo, undo_unlink, conf, strlen(conf) + 1, err);
	return r;
}

static void note_changes(const nk_net_state *st, nk_net_notes *notes)
{
	if (st->set_forward4)
		nk_net_note(notes,
		            "turned on net.ipv4.ip_forward (host-wide; nook net rm leaves it on)");
	if (st->set_forward6)
		nk_net_note(notes, "turned on net.ipv6.conf.all.forwarding (host-wide; nook net rm "
		                   "leaves it on; an uplink that takes its route from router "
		                   "advertisements needs accept_ra=2)");
}

static int default_step(const nk_net *n, const char *default_conf, nk_net_notes *notes,
                        nk_err **err)
{
	bool written = false;
	int r = nk_net_fail_at("default_conf", err);
	if (r == 0)
		r = nk_net_default_conf(default_conf, n->name, &written, err);
	if (r == 0 && written)
		nk_net_note(notes, "new containers join %s: lxc.net.0 added to %s", n->name,
		            default_conf);
	else if (r == 0)
		nk_net_note(notes, "%s already has lxc.net keys: left as it is", default_conf);
	return r;
}

int nk_net_create(const nk_net *n, const char *default_conf, nk_net_notes *notes, nk_err **err)
{
	_cleanup_nl_ nk_nl nl = {0};
	int r = nk_net_name_check(n->name, err);
	if (r == 0)
		r = nk_net_check(n, true, err);
	_cleanup_close_ int lock = r < 0 ? -1 : nk_net_lock(err);
	if (lock < 0)
		return r < 0 ? r : lock;
	r = nk_nl_open(&nl, err);
	if (r == 0)
		r = check_host(&nl, n, err);
	if (r < 0)
		return r;
	nk_net_state st = {0};
	_cleanup_(nk_undo_rollbackp) nk_undo undo = {.nl = &nl};
	bringup b = {.nl = &nl, .undo = &undo, .n = n, .st = &st};
	/* A network that never came to be keeps no leases or run directory either. */
	r = nk_undo_push(&undo, undo_dirs, n->name, IFNAMSIZ, err);
	if (r == 0)
		r = bring_up(&b, err);
	if (r == 0)
		r = step_files(&b, err);
	if (r == 0 && default_conf)
		r = default_step(n, default_conf, notes, err);
	if (r < 0)
		return r;
	nk_undo_commit(&undo);
	note_changes(&st, notes);
	return 0;
}

int nk_net_up(const char *name, nk_net_notes *notes, nk_err **err)
{
	_cleanup_nl_ nk_nl nl = {0};
	nk_net n;
	nk_net_state st, before;
	_cleanup_close_ int lock = nk_net_lock(err);
	if (lock < 0)
		return lock;
	int r = nk_net_load(name, &n, err);
	if (r == 0)
		r = nk_net_state_load(name, &st, err);
	if (r == 0)
		r = nk_nl_open(&nl, err);
	if (r < 0)
		return r;
	before = st;
	_cleanup_(nk_undo_rollbackp) nk_undo undo = {.nl = &nl};
	bringup b = {.nl = &nl, .undo = &undo, .n = &n, .st = &st};
	r = bring_up(&b, err);
	if (r == 0)
		r = nk_net_state_save(name, &st, err);
	if (r < 0)
		return r;
	nk_undo_commit(&undo);
	nk_net_state news = {.set_forward4 = st.set_forward4 && !before.set_forward4,
	                     .set_forward6 = st.set_forward6 && !before.set_forward6};
	note_changes(&news, notes);
	return 0;
}

/* ---- rm ---- */

static int list_ports(nk_nl *nl, int bridge, char **out, nk_err **err)
{
	_cleanup_free_ nk_link *links = NULL;
	_cleanup_strbuf_ nk_strbuf b = {0};
	size_t n;
	int r = nk_link_list(nl, &links, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (links[i].master == bridge)
			nk_strbuf_printf(&b, "%s%s", b.len ? ", " : "", links[i].name);
	if (r == 0 && !(*out = nk_strbuf_steal(&b)))
		r = nk_err_set(err, ENOMEM, "list ports");
	return r;
}

/*
 * Whether rm deletes the bridge: only one nook created, and only without ports (a running
 * container's veth, an uplink) unless forced. A bridge carrying an uplink is never deleted
 * here: the host's own addresses live on it (detach-uplink moves them back first).
 */
static int rm_decide(nk_nl *nl, const char *name, const nk_net_state *st, bool force, bool *del,
                     nk_err **err)
{
	nk_link l;
	*del = false;
	if (nk_link_get(nl, name, &l, NULL) < 0 || strcmp(l.kind, "bridge") != 0)
		return 0;
	_cleanup_free_ char *uplink = nk_net_path(NK_NET_RUNDIR, "uplink-%s.state", name);
	if (uplink && nk_path_exists(uplink))
		return st->created_bridge || force
		           ? nk_err_set(err, EBUSY,
		                        "%s carries an uplink (nook net detach-uplink "
		                        "first)",
		                        name)
		           : 0;
	_cleanup_free_ char *ports = NULL;
	int r = list_ports(nl, l.index, &ports, err);
	if (r < 0)
		return r;
	if (st->created_bridge && *ports && !force)
		return nk_err_set(err, EBUSY,
		                  "bridge %s still has ports: %s (running containers? "
		                  "stop them, or --force)",
		                  name, ports);
	*del = st->created_bridge || force;
	return 0;
}

static int rm_addrs(nk_nl *nl, const nk_net *n, const nk_net_state *st, nk_err **err)
{
	int idx = nk_link_index(nl, n->name), r = 0;
	if (idx < 0)
		return 0;
	nk_addr a = {.family = AF_INET, .ifindex = idx, .prefix = n->prefix};
	memcpy(a.addr, &n->gateway, 4);
	if (st->added_addr4 && n->has_subnet && (r = nk_addr_del(nl, &a, err)) == -EADDRNOTAVAIL)
		r = 0;
	a = (nk_addr){.family = AF_INET6, .ifindex = idx, .prefix = n->prefix6};
	memcpy(a.addr, &n->gateway6, 16);
	if (r == 0 && st->added_addr6 && n->has_ipv6 &&
	    (r = nk_addr_del(nl, &a, err)) == -EADDRNOTAVAIL)
		r = 0;
	return r;
}

static int rm_files(const char *name, nk_err **err)
{
	_cleanup_free_ char *conf = nk_net_path(NK_NET_CONFDIR, "%s.conf", name);
	_cleanup_free_ char *state = nk_net_path(NK_NET_RUNDIR, "%s.state", name);
	if (!conf || !state)
		return nk_err_set(err, ENOMEM, "remove files");
	int r = remove_dirs(name, err);
	if (r == 0 && unlink(state) < 0 && errno != ENOENT)
		r = nk_err_sys(err, "remove %s", state);
	/* The definition goes last: a rm that failed half-way can be run again. */
	if (r == 0 && unlink(conf) < 0)
		r = nk_err_sys(err, "remove %s", conf);
	return r;
}

int nk_net_rm(const char *name, bool force, nk_net_notes *notes, nk_err **err)
{
	_cleanup_nl_ nk_nl nl = {0};
	nk_net n;
	nk_net_state st;
	bool del = false;
	_cleanup_close_ int lock = nk_net_lock(err);
	if (lock < 0)
		return lock;
	int r = nk_net_load(name, &n, err);
	if (r == 0)
		r = nk_net_state_load(name, &st, err);
	if (r == 0)
		r = nk_nl_open(&nl, err);
	if (r == 0)
		r = rm_decide(&nl, name, &st, force, &del, err);
	if (r == 0)
		r = nk_dnsmasq_stop(name, err);
	if (r == 0)
		r = nk_nft_nat_del(name, err);
	if (r == 0 && del && (r = nk_link_delete(&nl, name, err)) == -ENODEV)
		r = 0;
	if (r == 0 && !del)
		r = rm_addrs(&nl, &n, &st, err);
	if (r == 0)
		r = rm_files(name, err);
	if (r < 0)
		return r;
	if (!del && nk_link_index(&nl, name) >= 0)
		nk_net_note(notes, "bridge %s kept: nook did not create it", name);
	if (st.set_forward4 || st.set_forward6)
		nk_net_note(notes,
		            "IP forwarding left on (nook turned it on for %s; other routing may "
		            "rely on it)",
		            name);
	return 0;
}

/* ---- status ---- */

static const char *state_name(const nk_net *n, const nk_net_status *st)
{
	if (!st->bridge)
		return "missing";
	if (!st->up)
		return "down";
	if (n->has_subnet && !st->addr)
		return "no-address";
	if (n->nat && !st->nat)
		return "no-nat";
	if (n->has_dhcp && !st->dhcp)
		return "no-dhcp";
	return "up";
}

int nk_net_status_get(const nk_net *n, nk_net_status *st, nk_err **err)
{
	_cleanup_nl_ nk_nl nl = {0};
	nk_link l;
	*st = (nk_net_status){0};
	int r = nk_nl_open(&nl, err);
	if (r < 0)
		return r;
	if (nk_link_get(&nl, n->name, &l, NULL) == 0 && strcmp(l.kind, "bridge") == 0) {
		st->bridge = true;
		st->up = l.flags & IFF_UP;
		nk_addr a = {.family = AF_INET, .ifindex = l.index, .prefix = n->prefix};
		memcpy(a.addr, &n->gateway, 4);
		if (n->has_subnet && (r = has_addr(&nl, &a, &st->addr, err)) < 0)
			return r;
	}
	if (n->nat && (r = nk_nft_nat_present(n->name, "ip", &st->nat, err)) < 0)
		return r;
	st->dhcp = n->has_dhcp && nk_dnsmasq_pid(n->name) > 0;
	st->state = state_name(n, st);
	return 0;
}

/* ---- default.conf ---- */

static bool has_net_keys(const char *text)
{
	for (const char *line = text; line;) {
		line += strspn(line, " \t");
		/* lxc.network.* is the legacy spelling of the same keys */
		if (nk_str_has_prefix(line, "lxc.net.") || nk_str_has_prefix(line, "lxc.network"))
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

/* The block nk_net_default_conf writes, for one bridge. */
static char *default_block(const char *bridge)
{
	char *b = NULL;
	if (asprintf(&b, "# new containers join nook's default network (nook net create)\n"
			 "lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.flags = up\n"
			 "lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\n", bridge) < 0)
		return NULL;
	return b;
}

int nk_net_default_conf_remove(const char *default_conf, const char *bridge, bool *removed,
			       nk_err **err)
{
	_cleanup_free_ char *text = NULL, *block = default_block(bridge);
	*removed = false;
	if (!block)
		return nk_err_set(err, ENOMEM, "update %s", default_conf);
	if (!nk_path_exists(default_conf))
		return 0;
	int r = nk_read_file(default_conf, &text, NULL, err);
	char *at = r == 0 ? strstr(text, block) : NULL;
	if (!at)
		return r; /* edited by hand since: not ours to touch */
	memmove(at, at + strlen(block), strlen(at + strlen(block)) + 1);
	r = nk_write_file_atomic(default_conf, text, strlen(text), 0644, err);
	*removed = r == 0;
	return r;
}

int nk_net_default_conf(const char *default_conf, const char *bridge, bool *written, nk_err **err)
{
	_cleanup_free_ char *old = NULL, *text = NULL, *dir = strdup(default_conf);
	*written = false;
	if (!dir)
		return nk_err_set(err, ENOMEM, "update %s", default_conf);
	int r = nk_path_exists(default_conf) ? nk_read_file(default_conf, &old, NULL, err) : 0;
	if (r < 0)
		return r;
	if (old && has_net_keys(old))
		return 0;
	size_t len = old ? strlen(old) : 0;
	if (asprintf(&text,
	             "%s%s# new containers join nook's default network (nook net create)\n"
	             "lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.flags = up\n"
	             "lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\n",
	             old ? old : "", len && old[len - 1] != '\n' ? "\n" : "", bridge) < 0)
		return nk_err_set(err, ENOMEM, "update %s", default_conf);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	r = slash && slash != dir ? nk_mkdir_p(dir, 0755, err) : 0;
	if (r == 0)
		r = nk_write_file_atomic(default_conf, text, strlen(text), 0644, err);
	if (r == 0)
		*written = true;
	return r;
}
