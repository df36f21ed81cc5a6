/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf/spec.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "util/cleanup.h"

static void net_init(nk_net *net, unsigned index)
{
	*net = (nk_net){.index = index};
	net->up = NK_UNSET;
	net->mtu = NK_UNSET;
	net->l2proxy = NK_UNSET;
	net->veth_mode = NK_UNSET;
	net->veth_vlan_id = NK_UNSET;
	net->veth_n_rxqueues = NK_UNSET;
	net->veth_n_txqueues = NK_UNSET;
	net->macvlan_mode = NK_UNSET;
	net->ipvlan_mode = NK_UNSET;
	net->ipvlan_isolation = NK_UNSET;
	net->vlan_id = NK_UNSET;
}

nk_spec *nk_spec_new(void)
{
	nk_spec *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->rootfs.managed = NK_UNSET;
	s->autodev = NK_UNSET;
	s->autodev_tmpfs_size = NK_UNSET;
	s->tty_max = NK_UNSET;
	s->pty_max = NK_UNSET;
	s->console.rotate = NK_UNSET;
	s->console.buffer_size = NK_UNSET;
	s->console.size = NK_UNSET;
	s->init.uid = NK_UNSET;
	s->init.gid = NK_UNSET;
	s->ephemeral = NK_UNSET;
	s->signal.halt = s->signal.reboot = s->signal.stop = NK_UNSET;
	s->start.autostart = NK_UNSET;
	s->start.delay = NK_UNSET;
	s->start.order = NK_UNSET_I64;
	s->monitor.unshare = NK_UNSET;
	s->monitor.signal_pdeath = NK_UNSET;
	s->log.level = NK_UNSET;
	s->ns.clone = NK_UNSET;
	s->ns.keep = NK_UNSET;
	s->no_new_privs = NK_UNSET;
	s->seccomp.allow_nesting = NK_UNSET;
	s->apparmor.allow_nesting = NK_UNSET;
	s->apparmor.allow_incomplete = NK_UNSET;
	s->keyring_session = NK_UNSET;
	s->sched_core = NK_UNSET;
	s->hook_version = NK_UNSET;
	s->cgroup.relative = NK_UNSET;
	return s;
}

void nk_net_clear_type_fields(nk_net *net)
{
	free(net->veth_pair);
	free(net->veth_ipv4_routes);
	free(net->veth_ipv6_routes);
	free(net->veth_vlan_tagged);
	net->veth_pair = NULL;
	net->veth_ipv4_routes = NULL;
	net->veth_ipv6_routes = NULL;
	net->veth_vlan_tagged = NULL;
	net->n_veth_ipv4_routes = net->n_veth_ipv6_routes = net->n_veth_vlan_tagged = 0;
	net->veth_mode = NK_UNSET;
	net->veth_vlan_id = NK_UNSET;
	net->veth_n_rxqueues = net->veth_n_txqueues = NK_UNSET;
	net->macvlan_mode = NK_UNSET;
	net->ipvlan_mode = NK_UNSET;
	net->ipvlan_isolation = NK_UNSET;
	net->vlan_id = NK_UNSET;
}

void nk_net_clear(nk_net *net)
{
	nk_net_clear_type_fields(net);
	free(net->link);
	free(net->name);
	free(net->hwaddr);
	free(net->ipv4);
	free(net->ipv6);
	free(net->script_up);
	free(net->script_down);
	net_init(net, net->index);
}

static void kvlist_free(nk_kvlist *l)
{
	nk_kvlist_remove(l, NULL);
}

void nk_spec_free(nk_spec *s)
{
	if (!s)
		return;
	free(s->rootfs.path);
	free(s->rootfs.mount);
	free(s->rootfs.options);
	free(s->mount.fstab);
	nk_strv_free(s->mount.entries);
	free(s->mount.shmounts_host);
	free(s->mount.shmounts_container);
	free(s->uts_name);
	free(s->arch);
	free(s->tty_dir);
	free(s->console.path);
	free(s->console.logfile);
	free(s->init.cmd);
	free(s->init.execute_cmd);
	free(s->init.groups);
	free(s->init.cwd);
	nk_strv_free(s->environment);
	nk_strv_free(s->groups);
	free(s->log.file);
	free(s->log.syslog);
	kvlist_free(&s->sysctl);
	kvlist_free(&s->proc);
	free(s->prlimits);
	for (size_t i = 0; i < NK_NS_MAX; i++)
		free(s->ns.share[i]);
	free(s->idmaps);
	nk_strv_free(s->cap.drop);
	nk_strv_free(s->cap.keep);
	free(s->seccomp.profile);
	free(s->seccomp.notify_proxy);
	free(s->seccomp.notify_cookie);
	free(s->apparmor.profile);
	nk_strv_free(s->apparmor.raw);
	free(s->selinux.context);
	free(s->selinux.context_keyring);
	for (size_t i = 0; i < NK_HOOK_MAX; i++)
		nk_strv_free(s->hooks[i]);
	kvlist_free(&s->cgroup.v1);
	kvlist_free(&s->cgroup.v2);
	free(s->cgroup.dir);
	free(s->cgroup.dir_monitor);
	free(s->cgroup.dir_monitor_pivot);
	free(s->cgroup.dir_container);
	free(s->cgroup.dir_container_inner);
	nk_spec_nets_clear(s);
	nk_strv_free(s->includes);
	nk_strv_free(s->ignored);
	kvlist_free(&s->origins);
	free(s);
}

void nk_spec_freep(nk_spec **s)
{
	if (*s) {
		nk_spec_free(*s);
		*s = NULL;
	}
}

nk_net *nk_spec_net(const nk_spec *s, unsigned index)
{
	for (size_t i = 0; i < s->n_nets; i++)
		if (s->nets[i].index == index)
			return &s->nets[i];
	return NULL;
}

nk_net *nk_spec_net_add(nk_spec *s, unsigned index)
{
	nk_net *found = nk_spec_net(s, index);
	if (found)
		return found;
	nk_net *nets = realloc(s->nets, (s->n_nets + 1) * sizeof(*nets));
	if (!nets)
		return NULL;
	s->nets = nets;
	size_t pos = 0;
	while (pos < s->n_nets && nets[pos].index < index)
		pos++;
	memmove(&nets[pos + 1], &nets[pos], (s->n_nets - pos) * sizeof(*nets));
	s->n_nets++;
	net_init(&nets[pos], index);
	return &nets[pos];
}

void nk_spec_net_remove(nk_spec *s, unsigned index)
{
	nk_net *net = nk_spec_net(s, index);
	if (!net)
		return;
	size_t pos = (size_t)(net - s->nets);
	nk_net_clear(net);
	memmove(&s->nets[pos], &s->nets[pos + 1], (s->n_nets - pos - 1) * sizeof(*net));
	s->n_nets--;
}

void nk_spec_nets_clear(nk_spec *s)
{
	for (size_t i = 0; i < s->n_nets; i++)
		nk_net_clear(&s->nets[i]);
	free(s->nets);
	s->nets = NULL;
	s->n_nets = 0;
}

int nk_kvlist_add(nk_kvlist *l, const char *key, const char *value)
{
	_cleanup_free_ char *k = strdup(key);
	_cleanup_free_ char *v = strdup(value);
	if (!k || !v)
		return -ENOMEM;
	nk_kv *items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	l->items = items;
	items[l->n++] = (nk_kv){TAKE_PTR(k), TAKE_PTR(v)};
	return 0;
}

int nk_kvlist_set(nk_kvlist *l, const char *key, const char *value)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].key, key))
			continue;
		char *v = strdup(value);
		if (!v)
			return -ENOMEM;
		free(l->items[i].value);
		l->items[i].value = v;
		return 0;
	}
	return nk_kvlist_add(l, key, value);
}

void nk_kvlist_remove(nk_kvlist *l, const char *key)
{
	size_t out = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (key && strcmp(l->items[i].key, key)) {
			l->items[out++] = l->items[i];
			continue;
		}
		free(l->items[i].key);
		free(l->items[i].value);
	}
	l->n = out;
	if (out == 0) {
		free(l->items);
		l->items = NULL;
	}
}

const char *nk_kvlist_get(const nk_kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].key, key))
			return l->items[i].value;
	return NULL;
}

const char *nk_spec_origin(const nk_spec *s, const char *key)
{
	return nk_kvlist_get(&s->origins, key);
}

int nk_spec_halt_signal(const nk_spec *s)
{
	return s->signal.halt > 0 ? s->signal.halt : SIGPWR;
}

int nk_spec_reboot_signal(const nk_spec *s)
{
	return s->signal.reboot > 0 ? s->signal.reboot : SIGINT;
}

int nk_spec_stop_signal(const nk_spec *s)
{
	return s->signal.stop > 0 ? s->signal.stop : SIGKILL;
}

int nk_spec_pdeath_signal(const nk_spec *s)
{
	return s->monitor.signal_pdeath >= 0 ? s->monitor.signal_pdeath : SIGKILL;
}

const char *nk_spec_init_cmd(const nk_spec *s)
{
	return s->init.cmd ? s->init.cmd : "/sbin/init";
}

uid_t nk_spec_init_uid(const nk_spec *s)
{
	return s->init.uid >= 0 ? (uid_t)s->init.uid : 0;
}

gid_t nk_spec_init_gid(const nk_spec *s)
{
	return s->init.gid >= 0 ? (gid_t)s->init.gid : 0;
}

bool nk_spec_autodev(const nk_spec *s)
{
	return s->autodev != 0;
}

uint64_t nk_spec_autodev_tmpfs_size(const nk_spec *s)
{
	return s->autodev_tmpfs_size >= 0 ? (uint64_t)s->autodev_tmpfs_size : 500000;
}

unsigned nk_spec_tty_max(const nk_spec *s)
{
	return s->tty_max >= 0 ? (unsigned)s->tty_max : 0;
}

unsigned nk_spec_pty_max(const nk_spec *s)
{
	return s->pty_max >= 0 ? (unsigned)s->pty_max : 0;
}

static uint64_t console_size(int64_t v)
{
	if (v == NK_SIZE_AUTO)
		return 128 * 1024;
	return v >= 0 ? (uint64_t)v : 0;
}

uint64_t nk_spec_console_buffer_size(const nk_spec *s)
{
	return console_size(s->console.buffer_size);
}

uint64_t nk_spec_console_size(const nk_spec *s)
{
	return console_size(s->console.size);
}

int nk_spec_log_level(const nk_spec *s)
{
	return s->log.level >= 0 ? s->log.level : 5;
}

int nk_spec_hook_version(const nk_spec *s)
{
	return s->hook_version >= 0 ? s->hook_version : 0;
}

static bool strv_contains(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

bool nk_spec_cap_kept(const nk_spec *s, const char *cap)
{
	/* LXC: a non-empty keep list wins; everything not in it is dropped. */
	if (s->cap.keep && s->cap.keep[0])
		return strv_contains(s->cap.keep, cap);
	return !strv_contains(s->cap.drop, cap);
}

struct in_addr nk_inet4_broadcast(const nk_inet4 *a)
{
	if (a->has_bcast)
		return a->bcast;
	uint32_t host = a->prefix >= 32 ? 0 : 0xffffffffu >> a->prefix;
	struct in_addr b = {.s_addr = a->addr.s_addr | htonl(host)};
	return b;
}

void nk_hwaddr_randomize(char *hwaddr)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[32];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		/* Uniqueness on one host is all that is needed, not secrecy. */
		unsigned seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)hwaddr;
		for (size_t i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)rand_r(&seed);
	}
	for (size_t i = 0; hwaddr[i] && i < sizeof(rnd); i++) {
		if (hwaddr[i] != 'x' && hwaddr[i] != 'X')
			continue;
		unsigned v = rnd[i] & 0xf;
		/* Second digit of the first octet: unicast (bit 0 clear), locally administered (bit
		 * 1). */
		if (i == 1)
			v = (v & 0xc) | 0x2;
		hwaddr[i] = hex[v];
	}
}

static int validate_net(const nk_net *net, nk_err **err)
{
	unsigned i = net->index;
	if (net->type == NK_NET_UNSET)
		return nk_err_set(err, EINVAL, "lxc.net.%u: no lxc.net.%u.type", i, i);
	/* These attach to a host device; without one there is nothing to create. */
	bool needs_link = net->type == NK_NET_MACVLAN || net->type == NK_NET_IPVLAN ||
	                  net->type == NK_NET_VLAN || net->type == NK_NET_PHYS;
	if (needs_link && !net->link)
		return nk_err_set(err, EINVAL,
		                  "lxc.net.%u.link: a network of this type needs the "
		                  "host device to use",
		                  i);
	bool auto_gw = net->ipv4_gw_mode == NK_GW_AUTO || net->ipv6_gw_mode == NK_GW_AUTO;
	if (auto_gw && !net->link)
		return nk_err_set(err, EINVAL,
		                  "lxc.net.%u: gateway auto takes the address of "
		                  "lxc.net.%u.link, which is not set",
		                  i, i);
	if (auto_gw && net->type != NK_NET_VETH && net->type != NK_NET_MACVLAN &&
	    net->type != NK_NET_IPVLAN)
		return nk_err_set(err, EINVAL,
		                  "lxc.net.%u: gateway auto needs a veth, macvlan or "
		                  "ipvlan network",
		                  i);
	return 0;
}

static bool ranges_overlap(uint32_t a, uint32_t b, uint32_t len_a, uint32_t len_b)
{
	return (uint64_t)a < (uint64_t)b + len_b && (uint64_t)b < (uint64_t)a + len_a;
}

/* The kernel refuses overlapping ranges on either side of a map. */
static int validate_idmaps(const nk_spec *s, nk_err **err)
{
	bool u = false, g = false;
	for (size_t i = 0; i < s->n_idmaps; i++) {
		const nk_idmap *a = &s->idmaps[i];
		u = u || a->kind == 'u';
		g = g || a->kind == 'g';
		for (size_t j = 0; j < i; j++) {
			const nk_idmap *b = &s->idmaps[j];
			if (a->kind != b->kind)
				continue;
			if (ranges_overlap(a->nsid, b->nsid, a->range, b->range) ||
			    ranges_overlap(a->hostid, b->hostid, a->range, b->range))
				return nk_err_set(err, EINVAL,
				                  "lxc.idmap: '%c %u %u %u' overlaps '%c %u %u %u'",
				                  a->kind, a->nsid, a->hostid, a->range, b->kind,
				                  b->nsid, b->hostid, b->range);
		}
	}
	if (s->n_idmaps && !(u && g))
		return nk_err_set(err, EINVAL,
		                  "lxc.idmap: a user namespace needs both u and g maps");
	return 0;
}

int nk_spec_validate(const nk_spec *s, nk_err **err)
{
	for (size_t i = 0; i < s->n_nets; i++) {
		int r = validate_net(&s->nets[i], err);
		if (r < 0)
			return r;
	}
	/* LXC refuses both: a keep list already drops everything it does not name. */
	if (s->cap.drop && s->cap.drop[0] && s->cap.keep && s->cap.keep[0])
		return nk_err_set(err, EINVAL, "lxc.cap.drop and lxc.cap.keep exclude each other");
	return validate_idmaps(s, err);
}
