/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/netdef.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/strbuf.h"

/* ---- paths ---- */

const char *nk_net_dir(enum nk_net_dir which)
{
	static const struct {
		const char *env, *def;
	} dirs[] = {
	    [NK_NET_CONFDIR] = {"NOOK_NET_CONFDIR", "/etc/nook/net"},
	    [NK_NET_RUNDIR] = {"NOOK_NET_RUNDIR", "/run/nook/net"},
	    [NK_NET_STATEDIR] = {"NOOK_NET_STATEDIR", "/var/lib/nook/net"},
	};
	const char *env = getenv(dirs[which].env);
	return env && *env ? env : dirs[which].def;
}

char *nk_net_path(enum nk_net_dir which, const char *fmt, ...)
{
	_cleanup_free_ char *tail = NULL;
	char *out = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&tail, fmt, ap);
	va_end(ap);
	if (r < 0 || asprintf(&out, "%s/%s", nk_net_dir(which), tail) < 0)
		return NULL;
	return out;
}

int nk_net_lock(nk_err **err)
{
	_cleanup_free_ char *path = nk_net_path(NK_NET_RUNDIR, "lock");
	if (!path)
		return nk_err_set(err, ENOMEM, "lock");
	int r = nk_mkdir_p(nk_net_dir(NK_NET_RUNDIR), 0755, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return nk_err_sys(err, "open %s", path);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return nk_err_sys(err, "lock %s", path);
	return TAKE_FD(fd);
}

/* ---- names and addresses ---- */

/*
 * Stricter than the kernel's rule on purpose: the name is also a file name under CONFDIR and
 * an nftables chain name, and a leading letter keeps it clear of options and numbers.
 */
int nk_net_name_check(const char *name, nk_err **err)
{
	size_t len = strlen(name);
	if (len == 0)
		return nk_err_set(err, 0, "empty network name");
	if (len >= IFNAMSIZ)
		return nk_err_set(err, 0, "name longer than %d characters (a bridge name's limit)",
		                  IFNAMSIZ - 1);
	if (!isalpha((unsigned char)name[0]))
		return nk_err_set(err, 0, "a network name starts with a letter");
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return nk_err_set(
			    err, 0, "a network name has only letters, digits, '_', '.' and '-'");
	return 0;
}

static int split_prefix(const char *s, char *addr, size_t size, unsigned max, unsigned *prefix)
{
	const char *slash = strchr(s, '/');
	uint64_t p;
	if (!slash || (size_t)(slash - s) >= size || nk_parse_u64(slash + 1, max, &p) < 0)
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	*prefix = (unsigned)p;
	return 0;
}

static uint32_t mask4(unsigned prefix)
{
	return prefix == 0 ? 0 : htonl(~0U << (32 - prefix));
}

int nk_cidr4_parse(const char *s, struct in_addr *net, unsigned *prefix)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr a;
	unsigned p;
	if (split_prefix(s, addr, sizeof(addr), 32, &p) < 0 || inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	if (a.s_addr & ~mask4(p))
		return -EDOM; /* host bits set */
	*net = a;
	*prefix = p;
	return 0;
}

static void mask6(struct in6_addr *a, unsigned prefix)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
		a->s6_addr[i] &= bits >= 8 ? 0xff : (unsigned char)(0xff00 >> bits);
	}
}

int nk_cidr6_parse(const char *s, struct in6_addr *net, unsigned *prefix)
{
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr a, m;
	unsigned p;
	if (split_prefix(s, addr, sizeof(addr), 128, &p) < 0 || inet_pton(AF_INET6, addr, &a) != 1)
		return -EINVAL;
	m = a;
	mask6(&m, p);
	if (memcmp(&m, &a, sizeof(a)) != 0)
		return -EDOM;
	*net = a;
	*prefix = p;
	return 0;
}

bool nk_in_subnet4(struct in_addr a, struct in_addr net, unsigned prefix)
{
	return (a.s_addr & mask4(prefix)) == net.s_addr;
}

bool nk_subnets_overlap4(struct in_addr a, unsigned alen, struct in_addr b, unsigned blen)
{
	unsigned p = alen < blen ? alen : blen;
	return (a.s_addr & mask4(p)) == (b.s_addr & mask4(p));
}

static struct in_addr add4(struct in_addr a, uint32_t n)
{
	return (struct in_addr){.s_addr = htonl(ntohl(a.s_addr) + n)};
}

/* ---- the values ---- */

int nk_net_set_subnet(nk_net *n, const char *cidr, nk_err **err)
{
	int r = nk_cidr4_parse(cidr, &n->subnet, &n->prefix);
	if (r == -EDOM)
		return nk_err_set(err, 0, "host bits set: give the network address");
	if (r < 0)
		return nk_err_set(err, 0, "expected an IPv4 network in CIDR form");
	/* The gateway and at least one client need room; a /31 or /32 has none. */
	if (n->prefix < 8 || n->prefix > 30)
		return nk_err_set(err, 0, "expected a prefix length from 8 to 30");
	n->gateway = add4(n->subnet, 1);
	n->has_subnet = true;
	return 0;
}

int nk_net_set_dhcp(nk_net *n, const char *range, nk_err **err)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	const char *comma = strchr(range, ',');
	if (!comma || (size_t)(comma - range) >= sizeof(a) || strlen(comma + 1) >= sizeof(b))
		return nk_err_set(err, 0, "expected START,END (two IPv4 addresses)");
	memcpy(a, range, (size_t)(comma - range));
	a[comma - range] = '\0';
	strcpy(b, comma + 1);
	if (inet_pton(AF_INET, a, &n->dhcp_start) != 1 || inet_pton(AF_INET, b, &n->dhcp_end) != 1)
		return nk_err_set(err, 0, "expected START,END (two IPv4 addresses)");
	if (ntohl(n->dhcp_start.s_addr) > ntohl(n->dhcp_end.s_addr))
		return nk_err_set(err, 0, "the range ends before it starts");
	n->has_dhcp = true;
	return 0;
}

int nk_net_set_ipv6(nk_net *n, const char *cidr, nk_err **err)
{
	int r = nk_cidr6_parse(cidr, &n->subnet6, &n->prefix6);
	if (r == -EDOM)
		return nk_err_set(err, 0, "host bits set: give the network address");
	if (r < 0)
		return nk_err_set(err, 0, "expected an IPv6 network in CIDR form");
	if (n->prefix6 < 8 || n->prefix6 > 126)
		return nk_err_set(err, 0, "expected a prefix length from 8 to 126");
	n->gateway6 = n->subnet6;
	n->gateway6.s6_addr[15] |= 1;
	n->has_ipv6 = true;
	return 0;
}

static const char *fmt4(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* The DHCP range must hold client addresses only: not the network, broadcast or gateway. */
static int check_dhcp(const nk_net *n, const char *what, nk_err **err)
{
	char s[INET_ADDRSTRLEN], e[INET_ADDRSTRLEN], sub[INET6_ADDRSTRLEN + 4];
	fmt4(n->dhcp_start, s);
	fmt4(n->dhcp_end, e);
	nk_net_fmt_subnet(n, sub, sizeof(sub));
	struct in_addr bcast = {.s_addr = n->subnet.s_addr | ~mask4(n->prefix)};
	const struct in_addr ends[] = {n->dhcp_start, n->dhcp_end};
	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		char a[INET_ADDRSTRLEN];
		if (!nk_in_subnet4(ends[i], n->subnet, n->prefix) ||
		    ends[i].s_addr == n->subnet.s_addr || ends[i].s_addr == bcast.s_addr)
			return nk_err_set(err, 0, "%s %s,%s: %s is outside %s's client addresses",
			                  what, s, e, fmt4(ends[i], a), sub);
	}
	uint32_t gw = ntohl(n->gateway.s_addr);
	if (ntohl(n->dhcp_start.s_addr) <= gw && gw <= ntohl(n->dhcp_end.s_addr))
		return nk_err_set(err, 0, "%s %s,%s: includes the gateway %s", what, s, e,
		                  fmt4(n->gateway, sub));
	return 0;
}

int nk_net_check(const nk_net *n, bool as_flags, nk_err **err)
{
	const char *subnet = as_flags ? "--subnet" : "subnet";
	const char *dhcp = as_flags ? "--dhcp" : "dhcp =";
	if (n->nat && !n->has_subnet)
		return nk_err_set(err, 0, "%s needs %s", as_flags ? "--nat" : "nat", subnet);
	if (n->has_dhcp && !n->has_subnet)
		return nk_err_set(err, 0, "%s needs %s", as_flags ? "--dhcp" : "dhcp", subnet);
	if (n->has_dhcp)
		return check_dhcp(n, dhcp, err);
	return 0;
}

void nk_net_fmt_subnet(const nk_net *n, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN];
	if (!n->has_subnet)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s/%u", fmt4(n->subnet, a), n->prefix);
}

void nk_net_fmt_subnet6(const nk_net *n, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	if (!n->has_ipv6)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s/%u", inet_ntop(AF_INET6, &n->subnet6, a, sizeof(a)),
		         n->prefix6);
}

void nk_net_fmt_dhcp(const nk_net *n, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	if (!n->has_dhcp)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s,%s", fmt4(n->dhcp_start, a), fmt4(n->dhcp_end, b));
}

/* ---- key = value files ---- */

static int kv_line(char *line, unsigned lineno, const char *path, nk_kv_fn cb, void *data,
                   nk_err **err)
{
	char *s = nk_strstrip(line);
	if (*s == '\0' || *s == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (!eq)
		return nk_err_set(err, 0, "%s:%u: expected KEY = VALUE", path, lineno);
	*eq = '\0';
	char *key = nk_strstrip(s), *value = nk_strstrip(eq + 1);
	int r = cb(data, key, value, err);
	return r < 0 ? nk_err_wrap(err, r, "%s:%u: %s", path, lineno, key) : 0;
}

int nk_kv_parse(const char *path, nk_kv_fn cb, void *data, nk_err **err)
{
	_cleanup_free_ char *text = NULL;
	int r = nk_read_file(path, &text, NULL, err);
	if (r < 0)
		return r;
	unsigned lineno = 0;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((r = kv_line(line, ++lineno, path, cb, data, err)) < 0)
			return r;
	}
	return 0;
}

static int parse_bool(const char *value, bool *out, nk_err **err)
{
	return nk_parse_bool01(value, out) < 0
	           ? nk_err_set(err, 0, "expected 0 or 1, got '%s'", value)
	           : 0;
}

/* ---- definitions ---- */

static int def_key(void *data, const char *key, const char *value, nk_err **err)
{
	nk_net *n = data;
	if (strcmp(key, "bridge") == 0) {
		if (strcmp(value, n->name) != 0)
			return nk_err_set(err, 0, "'%s' is not the network's name", value);
		return 0;
	}
	if (strcmp(key, "subnet") == 0)
		return nk_net_set_subnet(n, value, err);
	if (strcmp(key, "gateway") == 0)
		return 0; /* always the subnet's first host: written for readers, checked after */
	if (strcmp(key, "nat") == 0)
		return parse_bool(value, &n->nat, err);
	if (strcmp(key, "dhcp") == 0)
		return nk_net_set_dhcp(n, value, err);
	if (strcmp(key, "ipv6") == 0)
		return nk_net_set_ipv6(n, value, err);
	return nk_err_set(err, 0, "unknown key");
}

int nk_net_exists(const char *name)
{
	_cleanup_free_ char *path = nk_net_path(NK_NET_CONFDIR, "%s.conf", name);
	return path && nk_path_exists(path);
}

int nk_net_load(const char *name, nk_net *out, nk_err **err)
{
	nk_net n = {0};
	int r = nk_net_name_check(name, err);
	if (r < 0)
		return r;
	snprintf(n.name, sizeof(n.name), "%s", name);
	_cleanup_free_ char *path = nk_net_path(NK_NET_CONFDIR, "%s.conf", name);
	if (!path)
		return nk_err_set(err, ENOMEM, "load network %s", name);
	if (!nk_path_exists(path))
		return nk_err_set(err, ENOENT, "no such network (no %s)", path);
	if ((r = nk_kv_parse(path, def_key, &n, err)) < 0)
		return r;
	if ((r = nk_net_check(&n, false, err)) < 0)
		return nk_err_wrap(err, r, "%s", path);
	*out = n;
	return 0;
}

int nk_net_save(const nk_net *n, nk_err **err)
{
	char sub[INET6_ADDRSTRLEN + 4], gw[INET_ADDRSTRLEN], range[2 * INET_ADDRSTRLEN];
	_cleanup_strbuf_ nk_strbuf b = {0};
	nk_strbuf_printf(&b, "# nook network %s: written by nook net create; see nook-net(1)\n",
	                 n->name);
	nk_strbuf_printf(&b, "bridge = %s\n", n->name);
	if (n->has_subnet) {
		nk_net_fmt_subnet(n, sub, sizeof(sub));
		nk_strbuf_printf(&b, "subnet = %s\ngateway = %s\n", sub, fmt4(n->gateway, gw));
	}
	nk_strbuf_printf(&b, "nat = %d\n", n->nat);
	if (n->has_dhcp) {
		nk_net_fmt_dhcp(n, range, sizeof(range));
		nk_strbuf_printf(&b, "dhcp = %s\n", range);
	}
	if (n->has_ipv6) {
		nk_net_fmt_subnet6(n, sub, sizeof(sub));
		nk_strbuf_printf(&b, "ipv6 = %s\n", sub);
	}
	_cleanup_free_ char *path = nk_net_path(NK_NET_CONFDIR, "%s.conf", n->name);
	if (b.oom || !path)
		return nk_err_set(err, ENOMEM, "write network %s", n->name);
	int r = nk_mkdir_p(nk_net_dir(NK_NET_CONFDIR), 0755, err);
	if (r == 0)
		r = nk_write_file_atomic(path, b.s, b.len, 0644, err);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nk_net_names(char ***out, nk_err **err)
{
	const char *dir = nk_net_dir(NK_NET_CONFDIR);
	_cleanup_strv_ char **names = calloc(1, sizeof(char *));
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!names)
		return nk_err_set(err, ENOMEM, "list networks");
	if (!d && errno != ENOENT)
		return nk_err_sys(err, "list networks in %s", dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		e->d_name[len - 5] = '\0';
		if (nk_net_name_check(e->d_name, NULL) == 0 && nk_strv_push(&names, e->d_name) < 0)
			return nk_err_set(err, ENOMEM, "list networks");
	}
	qsort(names, nk_strv_len(names), sizeof(char *), cmp_str);
	*out = TAKE_PTR(names);
	return 0;
}

/* ---- state ---- */

static int state_key(void *data, const char *key, const char *value, nk_err **err)
{
	nk_net_state *st = data;
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"created_bridge", offsetof(nk_net_state, created_bridge)},
	    {"added_addr4", offsetof(nk_net_state, added_addr4)},
	    {"added_addr6", offsetof(nk_net_state, added_addr6)},
	    {"set_forward4", offsetof(nk_net_state, set_forward4)},
	    {"set_forward6", offsetof(nk_net_state, set_forward6)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(key, keys[i].key) == 0)
			return parse_bool(value, (bool *)((char *)st + keys[i].off), err);
	return nk_err_set(err, 0, "unknown key");
}

int nk_net_state_load(const char *name, nk_net_state *out, nk_err **err)
{
	nk_net_state st = {0};
	_cleanup_free_ char *path = nk_net_path(NK_NET_RUNDIR, "%s.state", name);
	if (!path)
		return nk_err_set(err, ENOMEM, "load state of %s", name);
	if (nk_path_exists(path)) {
		int r = nk_kv_parse(path, state_key, &st, err);
		if (r < 0)
			return r;
	}
	*out = st;
	return 0;
}

int nk_net_state_save(const char *name, const nk_net_state *st, nk_err **err)
{
	_cleanup_free_ char *path = nk_net_path(NK_NET_RUNDIR, "%s.state", name);
	_cleanup_free_ char *text = NULL;
	if (!path ||
	    asprintf(&text,
	             "# what nook changed on the host for network %s (undone by nook net rm)\n"
	             "created_bridge = %d\nadded_addr4 = %d\nadded_addr6 = %d\n"
	             "set_forward4 = %d\nset_forward6 = %d\n",
	             name, st->created_bridge, st->added_addr4, st->added_addr6, st->set_forward4,
	             st->set_forward6) < 0)
		return nk_err_set(err, ENOMEM, "save state of %s", name);
	int r = nk_mkdir_p(nk_net_dir(NK_NET_RUNDIR), 0755, err);
	if (r == 0)
		r = nk_write_file_atomic(path, text, strlen(text), 0644, err);
	return r;
}
