/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a running container's networks leave for its stop, as records (strings: they travel in
 * the monitor's hand-off memfd and on the command line of `nook __net-restore`), in the order
 * they are carried out:
 *
 *   IFINDEX:NAME               a phys NIC lent to the container, moved back under its name
 *   down:TYPE:LINK:PEER:NAME:SCRIPT   script.down, run while the host end still exists
 *   proxy:LINK:ADDR            an l2proxy entry on LINK, deleted (proxylo: and its route to lo)
 *   veth:NAME                  a veth's host end, deleted; its routes, VLANs, host-end settings
 *                              and proxy entries for the gateways go with it
 *
 * Interface and container names hold no ':', so only a script (last) or an IPv6 address (last)
 * may. Everything else a network made on the host lives on a device that goes away by itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/container_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- writing them ---------------------------------------------------------------------------- */

static int push_down(char ***out, const nk_netc *n, const netc_dev *d)
{
	const nk_net *net = d->net;
	if (!n->set_up || !net->script_down || net->type == NK_NET_NONE)
		return 0;
	_cleanup_free_ char *rec = NULL;
	if (asprintf(&rec, "down:%s:%s:%s:%s:%s", nk_netc_type_name(net->type),
	             net->link ? net->link : "", d->host, n->ctname, net->script_down) < 0)
		return -ENOMEM;
	return nk_strv_push(out, rec);
}

static int push_proxies(char ***out, const netc_dev *d)
{
	const char *kind = d->net->type == NK_NET_IPVLAN ? "proxylo" : "proxy";
	for (size_t i = 0; i < d->proxied; i++) {
		const void *addr;
		char ip[INET6_ADDRSTRLEN], rec[128];
		int family = nk_netc_proxy_addr(d->net, i, &addr);
		inet_ntop(family, addr, ip, sizeof(ip));
		snprintf(rec, sizeof(rec), "%s:%s:%s", kind, d->net->link, ip);
		if (nk_strv_push(out, rec) < 0)
			return -ENOMEM;
	}
	return 0;
}

char **nk_netc_phys_records(const nk_netc *n)
{
	_cleanup_strv_ char **out = NULL;
	char rec[64];
	for (size_t i = 0; n && i < n->n; i++) {
		const netc_dev *d = &n->devs[i];
		if (d->net->type != NK_NET_PHYS || d->phys_index <= 0)
			continue;
		snprintf(rec, sizeof(rec), "%d:%s", d->phys_index, d->net->link);
		if (nk_strv_push(&out, rec) < 0)
			return NULL;
	}
	for (size_t i = 0; n && i < n->n; i++)
		if (push_down(&out, n, &n->devs[i]) < 0)
			return NULL;
	for (size_t i = 0; n && i < n->n; i++)
		if (push_proxies(&out, &n->devs[i]) < 0)
			return NULL;
	for (size_t i = 0; n && i < n->n; i++) {
		const netc_dev *d = &n->devs[i];
		if (d->net->type != NK_NET_VETH || !d->created)
			continue;
		snprintf(rec, sizeof(rec), "veth:%s", d->host);
		if (nk_strv_push(&out, rec) < 0)
			return NULL;
	}
	return TAKE_PTR(out);
}

/* ---- carrying them out ----------------------------------------------------------------------- */

typedef struct stop_ctx {
	int ct_netns_fd;
	nk_nl ct;   /* in the container's namespace, opened for the first phys record */
	nk_nl host; /* in ours */
	int first;  /* the first failure; the other records are still carried out */
} stop_ctx;

static nk_nl *ct_sock(stop_ctx *s, nk_err **err)
{
	if (!s->ct.sock && s->ct_netns_fd >= 0 && nk_nl_open_netns(&s->ct, s->ct_netns_fd, err) < 0)
		return NULL;
	return s->ct.sock ? &s->ct : NULL;
}

static nk_nl *host_sock(stop_ctx *s, nk_err **err)
{
	if (!s->host.sock && nk_nl_open(&s->host, err) < 0)
		return NULL;
	return &s->host;
}

/* From the container's namespace back to ours, named as before. */
static int stop_phys(stop_ctx *s, const char *rec, nk_err **err)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return nk_err_sys(err, "open /proc/self/ns/net");
	int idx = atoi(rec);
	const char *want = strchr(rec, ':') + 1;
	char now[IFNAMSIZ] = "";
	nk_nl *nl = ct_sock(s, err);
	if (!nl)
		return s->ct_netns_fd >= 0 ? -EIO : 0;
	if (nk_link_name(nl, idx, now, NULL) < 0)
		return 0; /* gone already (a real NIC the kernel gave back itself) */
	int r = nk_link_set_up(nl, now, false, err);
	return r < 0 ? r : nk_link_move_netns(nl, now, self, want, err);
}

/* down:TYPE:LINK:PEER:NAME:SCRIPT */
static int stop_down(stop_ctx *s, const char *rec, nk_err **err)
{
	_cleanup_free_ char *copy = strdup(rec + strlen("down:"));
	char *f[5] = {0}, *p = copy;
	for (int i = 0; p && i < 4; i++) {
		f[i] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	f[4] = p;
	if (!f[4])
		return nk_err_set(err, EINVAL, "bad record %s", rec);
	char ns[64];
	snprintf(ns, sizeof(ns), "/proc/%d/fd/%d", (int)getpid(), s->ct_netns_fd);
	if (nk_netc_script(f[4], f[3], "down", f[0], f[1], f[2], s->ct_netns_fd >= 0 ? ns : NULL) <
	    0)
		return nk_err_set(err, 0, "script.down %s failed", f[4]);
	return 0;
}

/* proxy:LINK:ADDR, proxylo:LINK:ADDR */
static int stop_proxy(stop_ctx *s, const char *rec, bool lo, nk_err **err)
{
	char link[IFNAMSIZ] = "";
	unsigned char addr[16];
	const char *l = strchr(rec, ':') + 1, *a = strchr(l, ':');
	if (!a || (size_t)(a - l) >= sizeof(link))
		return nk_err_set(err, EINVAL, "bad record %s", rec);
	memcpy(link, l, (size_t)(a - l));
	int family = strchr(++a, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, a, addr) != 1)
		return nk_err_set(err, EINVAL, "bad record %s", rec);
	nk_nl *nl = host_sock(s, err);
	return nl ? nk_netc_proxy_del_one(nl, link, family, addr, lo, err) : -EIO;
}

/*
 * The kernel removes a dead namespace's devices, veth peers with them, in a work queue a
 * little later; deleting the host ends now makes "stopped" mean "gone from the host".
 */
static int stop_veth(stop_ctx *s, const char *name, nk_err **err)
{
	nk_nl *nl = host_sock(s, err);
	if (!nl)
		return -EIO;
	int r = nk_link_delete(nl, name, NULL);
	return r < 0 && r != -ENODEV ? nk_link_delete(nl, name, err) : 0;
}

static int stop_one(stop_ctx *s, const char *rec, nk_err **err)
{
	if (nk_str_has_prefix(rec, "down:"))
		return stop_down(s, rec, err);
	if (nk_str_has_prefix(rec, "proxy:"))
		return stop_proxy(s, rec, false, err);
	if (nk_str_has_prefix(rec, "proxylo:"))
		return stop_proxy(s, rec, true, err);
	if (nk_str_has_prefix(rec, "veth:"))
		return stop_veth(s, rec + strlen("veth:"), err);
	if (rec[0] >= '0' && rec[0] <= '9' && strchr(rec, ':'))
		return stop_phys(s, rec, err);
	return nk_err_set(err, EINVAL, "bad record %s", rec);
}

int nk_netc_restore_phys(int ct_netns_fd, char **records, nk_err **err)
{
	stop_ctx s = {.ct_netns_fd = ct_netns_fd};
	for (char **rec = records; rec && *rec; rec++) {
		_cleanup_err_ nk_err *e = NULL;
		int r = stop_one(&s, *rec, &e);
		if (r < 0 && !s.first) {
			s.first = r;
			if (err && !*err)
				*err = TAKE_PTR(e);
		}
	}
	nk_nl_close(&s.ct);
	nk_nl_close(&s.host);
	return s.first;
}
