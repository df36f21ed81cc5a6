/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/net against the real kernel, as root, no mocks. Every scenario runs in a forked child that
 * first unshares its network namespace: the devices, addresses and routes it makes live and die
 * in that private namespace, and the host's own network is never touched (this matters: the
 * build host's eth0 is its only way to its package mirror).
 *
 * A child reports by exit status: 0 passed, 77 skipped (the kernel lacks a device kind), else
 * failed after printing the failed check. cmocka's own asserts are not used in children: a
 * failure would longjmp into the child's copy of the test runner and go on with the next test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/nl.h"
#include "util/cleanup.h"

#define SKIPPED 77

/* ---- checks inside a child ---------------------------------------------------------------- */

__attribute__((noreturn, format(printf, 2, 3))) static void child_fail(int line, const char *fmt,
                                                                       ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "test_nl.c:%d: ", line);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static char *take_text(nk_err **err)
{
	char *text = nk_err_text(*err);
	nk_err_freep(err);
	*err = NULL;
	return text;
}

#define CK(cond)                                                                                   \
	do {                                                                                       \
		if (!(cond))                                                                       \
			child_fail(__LINE__, "check failed: %s", #cond);                           \
	} while (0)

/* expr takes &err (an nk_err *err in scope) and must succeed. */
#define CK_OK(expr)                                                                                \
	do {                                                                                       \
		int r_ = (expr);                                                                   \
		if (r_ < 0) {                                                                      \
			_cleanup_free_ char *t_ = take_text(&err);                                 \
			child_fail(__LINE__, "%s = %d: %s", #expr, r_, t_);                        \
		}                                                                                  \
	} while (0)

/* expr must fail with -errnum and an error text that contains both substrings. */
#define CK_ERR(expr, errnum, sub1, sub2)                                                           \
	do {                                                                                       \
		int r_ = (expr);                                                                   \
		_cleanup_free_ char *t_ = take_text(&err);                                         \
		if (r_ != -(errnum) || !strstr(t_, sub1) || !strstr(t_, sub2))                     \
			child_fail(__LINE__, "%s = %d \"%s\", want %d with \"%s\", \"%s\"", #expr, \
			           r_, t_, -(errnum), sub1, sub2);                                 \
		fprintf(stderr, "  ok, refused: %s\n", t_);                                        \
	} while (0)

/* ---- running a scenario in its own network namespace ------------------------------------- */

static void in_netns(void (*scenario)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka's crash handlers would resume the runner inside this child. */
		int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT};
		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			signal(sigs[i], SIG_DFL);
		if (unshare(CLONE_NEWNET) < 0) {
			fprintf(stderr, "unshare(CLONE_NEWNET): %m\n");
			exit(errno == EPERM ? SKIPPED : 1);
		}
		scenario();
		exit(0);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	if (WIFEXITED(st) && WEXITSTATUS(st) == SKIPPED)
		skip();
	if (WIFSIGNALED(st))
		fail_msg("scenario killed by signal %d", WTERMSIG(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static ino_t netns_ino(void)
{
	struct stat st;
	CK(stat("/proc/thread-self/ns/net", &st) == 0);
	return st.st_ino;
}

/* A second, empty namespace besides the scenario's own: unshare, keep an fd, come back. */
static int second_netns(void)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	CK(self >= 0);
	CK(unshare(CLONE_NEWNET) == 0);
	int other = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	CK(other >= 0);
	CK(setns(self, CLONE_NEWNET) == 0);
	close(self);
	return other;
}

static void ip(int family, const char *text, void *out)
{
	CK(inet_pton(family, text, out) == 1);
}

static nk_link get(nk_nl *nl, const char *name)
{
	nk_err *err = NULL;
	nk_link l;
	CK_OK(nk_link_get(nl, name, &l, &err));
	return l;
}

/* A device to hang macvlan/ipvlan/vlan on: a dummy when the kernel has them, else a veth end. */
static int make_parent(nk_nl *nl, const char *name)
{
	nk_err *err = NULL;
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
	mnl_attr_nest_end(nlh, li);
	int r = nk_nl_request(nl, nlh, &err, "create dummy %s", name);
	if (r == -EOPNOTSUPP) {
		nk_err_freep(&err);
		err = NULL;
		CK_OK(nk_link_veth_create(nl, name, "nkparpeer", &err));
	} else {
		CK_OK(r);
	}
	return get(nl, name).index;
}

/* ---- devices -------------------------------------------------------------------------------- */

static bool listed(const nk_link *links, size_t n, const char *name, int index)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(links[i].name, name) && links[i].index == index)
			return true;
	return false;
}

static void veth_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	CK_OK(nk_link_veth_create(&nl, "nkv0", "nkv1", &err));
	nk_link a = get(&nl, "nkv0"), b = get(&nl, "nkv1");
	CK(!strcmp(a.kind, "veth") && !strcmp(b.kind, "veth"));
	CK(a.link == b.index && b.link == a.index);
	CK(!(a.flags & IFF_UP) && a.master == 0 && a.mtu == 1500);
	CK(nk_link_index(&nl, "nkv0") == a.index);

	CK_OK(nk_link_set_up(&nl, "nkv0", true, &err));
	CK(get(&nl, "nkv0").flags & IFF_UP);
	unsigned char mac[6];
	nk_mac_random(mac, 0xfe);
	CK_OK(nk_link_set_mac(&nl, "nkv0", mac, &err));
	CK(!memcmp(get(&nl, "nkv0").mac, mac, 6));
	CK_OK(nk_link_set_mtu(&nl, "nkv0", 1400, &err));
	CK(get(&nl, "nkv0").mtu == 1400);

	CK_OK(nk_link_rename(&nl, "nkv1", "nkp1", &err));
	CK(nk_link_index(&nl, "nkv1") == -ENODEV);
	CK(nk_link_index(&nl, "nkp1") == b.index);
	char name[IFNAMSIZ];
	CK_OK(nk_link_name(&nl, b.index, name, &err));
	CK(!strcmp(name, "nkp1"));

	_cleanup_free_ nk_link *links = NULL;
	size_t n = 0;
	CK_OK(nk_link_list(&nl, &links, &n, &err));
	CK(n == 3 && listed(links, n, "lo", 1) && listed(links, n, "nkv0", a.index) &&
	   listed(links, n, "nkp1", b.index));

	CK_OK(nk_link_set_up(&nl, "nkv0", false, &err));
	CK(!(get(&nl, "nkv0").flags & IFF_UP));
	CK_OK(nk_link_delete(&nl, "nkv0", &err));
	CK(nk_link_index(&nl, "nkv0") == -ENODEV);
	CK(nk_link_index(&nl, "nkp1") == -ENODEV); /* a veth pair dies together */
	nk_nl_close(&nl);
}

/* Enough devices that the dump spans several datagrams. */
static void many_links_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	for (int i = 0; i < 60; i++) {
		char a[IFNAMSIZ], b[IFNAMSIZ];
		snprintf(a, sizeof(a), "nkm%da", i);
		snprintf(b, sizeof(b), "nkm%db", i);
		CK_OK(nk_link_veth_create(&nl, a, b, &err));
	}
	_cleanup_free_ nk_link *links = NULL;
	size_t n = 0;
	CK_OK(nk_link_list(&nl, &links, &n, &err));
	CK(n == 121);
	for (size_t i = 0; i < n; i++)
		CK(links[i].index > 0 && links[i].name[0]);
	nk_nl_close(&nl);
}

static void bridge_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	CK_OK(nk_link_bridge_create(&nl, "nkbr0", &err));
	CK_OK(nk_link_veth_create(&nl, "nkb0", "nkb1", &err));
	nk_link br = get(&nl, "nkbr0");
	CK(!strcmp(br.kind, "bridge"));
	CK_OK(nk_link_set_master(&nl, "nkb0", "nkbr0", &err));
	CK(get(&nl, "nkb0").master == br.index);
	CK_OK(nk_link_set_up(&nl, "nkbr0", true, &err));
	CK_OK(nk_link_set_master(&nl, "nkb0", NULL, &err));
	CK(get(&nl, "nkb0").master == 0);
	CK_ERR(nk_link_set_master(&nl, "nkb0", "nope0", &err), ENODEV, "nope0", "No such device");
	CK_OK(nk_link_delete(&nl, "nkbr0", &err));
	nk_nl_close(&nl);
}

static void veth_queues_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int other = second_netns();
	nk_veth_opts o = {.peer_netns_fd = other, .rx_queues = 4, .tx_queues = 3};
	CK_OK(nk_link_veth_create_with(&nl, "nkq0", "nkq1", &o, &err));
	nk_link a = get(&nl, "nkq0");
	CK(a.num_rx_queues == 4 && a.num_tx_queues == 3);
	CK(nk_link_index(&nl, "nkq1") == -ENODEV); /* born in the other namespace */
	nk_nl in;
	CK_OK(nk_nl_open_netns(&in, other, &err));
	nk_link b = get(&in, "nkq1");
	CK(b.num_rx_queues == 4 && b.num_tx_queues == 3);
	nk_nl_close(&in);
	/* The kernel's default when none is asked for. */
	CK_OK(nk_link_veth_create(&nl, "nkq2", "nkq3", &err));
	CK(get(&nl, "nkq2").num_rx_queues >= 1);
	close(other);
	nk_nl_close(&nl);
}

struct port_vlans {
	int ifindex;
	unsigned n, pvid;
	uint16_t vids[8];
	bool untagged[8];
};

static int port_vlans_cb(const struct nlmsghdr *nlh, void *data)
{
	struct port_vlans *v = data;
	if (!nlh) {
		v->n = v->pvid = 0;
		return 0;
	}
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index != v->ifindex)
		return 0;
	const struct nlattr *tb[IFLA_MAX + 1];
	nk_nl_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX);
	if (!tb[IFLA_AF_SPEC])
		return 0;
	const struct nlattr *spec = tb[IFLA_AF_SPEC];
	const char *end = (const char *)spec + spec->nla_len;
	for (const struct nlattr *a = mnl_attr_get_payload(spec);
	     mnl_attr_ok(a, (int)(end - (const char *)a)); a = mnl_attr_next(a)) {
		struct bridge_vlan_info info;
		if (mnl_attr_get_type(a) != IFLA_BRIDGE_VLAN_INFO || v->n == 8 ||
		    !nk_nl_bytes(a, &info, sizeof(info)))
			continue;
		if (info.flags & BRIDGE_VLAN_INFO_PVID)
			v->pvid = info.vid;
		v->untagged[v->n] = info.flags & BRIDGE_VLAN_INFO_UNTAGGED;
		v->vids[v->n++] = info.vid;
	}
	return 0;
}

/* What `bridge vlan show dev PORT` reads: the port's VLANs from an AF_BRIDGE dump. */
static struct port_vlans port_vlans(nk_nl *nl, const char *port)
{
	nk_err *err = NULL;
	struct port_vlans v = {.ifindex = get(nl, port).index};
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN);
	CK_OK(nk_nl_query(nl, nlh, port_vlans_cb, &v, &err, "list vlans"));
	return v;
}

static bool has_vlan(const struct port_vlans *v, unsigned vid, bool untagged)
{
	for (unsigned i = 0; i < v->n; i++)
		if (v->vids[i] == vid)
			return v->untagged[i] == untagged;
	return false;
}

static void bridge_vlan_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	CK_OK(nk_link_bridge_create(&nl, "nkvbr", &err));
	nk_link br = get(&nl, "nkvbr");
	CK(!br.vlan_filtering);
	/* Refused before the kernel is asked: these need no VLAN support. */
	CK_ERR(nk_bridge_vlan_add(&nl, "nkvbr", 4095, false, &err), EINVAL,
	       "add vlan 4095 on nkvbr", "not a VLAN id");
	CK_ERR(nk_bridge_vlan_del(&nl, "nkvbr", 0, &err), EINVAL, "delete vlan 0 on nkvbr",
	       "not a VLAN id");
	CK_ERR(nk_bridge_vlan_add(&nl, "nope0", 5, false, &err), ENODEV, "add vlan 5 on nope0",
	       "No such device");
	/* vlan_filtering on, as `ip link set nkvbr type bridge vlan_filtering 1` does it */
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = br.index;
	struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	int r = nk_nl_request(&nl, nlh, &err, "vlan_filtering on");
	if (r == -EOPNOTSUPP) { /* a kernel without CONFIG_BRIDGE_VLAN_FILTERING */
		_cleanup_free_ char *text = take_text(&err);
		fprintf(stderr, "  skipped: %s\n", text);
		exit(SKIPPED);
	}
	CK_OK(r);
	br = get(&nl, "nkvbr");
	CK(br.vlan_filtering && br.default_pvid == 1);

	CK_OK(nk_link_veth_create(&nl, "nkvp0", "nkvp1", &err));
	CK_OK(nk_link_set_master(&nl, "nkvp0", "nkvbr", &err));
	struct port_vlans v = port_vlans(&nl, "nkvp0");
	CK(v.pvid == 1 && has_vlan(&v, 1, true));
	CK_OK(nk_bridge_vlan_del(&nl, "nkvp0", 1, &err));
	CK_OK(nk_bridge_vlan_add(&nl, "nkvp0", 10, true, &err));
	CK_OK(nk_bridge_vlan_add(&nl, "nkvp0", 20, false, &err));
	v = port_vlans(&nl, "nkvp0");
	CK(v.n == 2 && v.pvid == 10 && has_vlan(&v, 10, true) && has_vlan(&v, 20, false));
	/* Not a port of any bridge: the kernel says so. */
	CK(nk_bridge_vlan_add(&nl, "nkvp1", 5, false, &err) < 0);
	nk_err_freep(&err);
	nk_nl_close(&nl);
}

static void macvlan_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int parent = make_parent(&nl, "nkpar0");
	CK_OK(nk_link_macvlan_create(&nl, "nkmv0", "nkpar0", MACVLAN_MODE_BRIDGE, &err));
	nk_link mv = get(&nl, "nkmv0");
	CK(!strcmp(mv.kind, "macvlan") && mv.link == parent);
	CK_ERR(nk_link_macvlan_create(&nl, "nkmv1", "nope0", MACVLAN_MODE_BRIDGE, &err), ENODEV,
	       "create macvlan nkmv1: parent nope0", "No such device");
	CK_OK(nk_link_delete(&nl, "nkmv0", &err));
	nk_nl_close(&nl);
}

/* -EOPNOTSUPP: this kernel lacks the kind; its extended ack must say so, then skip. */
static void skip_unless_supported(int r, nk_err **err)
{
	if (r != -EOPNOTSUPP)
		return;
	_cleanup_free_ char *text = take_text(err);
	fprintf(stderr, "  skipped: %s\n", text);
	CK(strstr(text, "Unknown device type"));
	exit(SKIPPED);
}

static void ipvlan_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int parent = make_parent(&nl, "nkpar0");
	int r = nk_link_ipvlan_create(&nl, "nkiv0", "nkpar0", IPVLAN_MODE_L2, 0, &err);
	skip_unless_supported(r, &err);
	CK_OK(r);
	nk_link iv = get(&nl, "nkiv0");
	CK(!strcmp(iv.kind, "ipvlan") && iv.link == parent);
	CK_OK(nk_link_delete(&nl, "nkiv0", &err));
	nk_nl_close(&nl);
}

static void vlan_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int parent = make_parent(&nl, "nkpar0");
	int r = nk_link_vlan_create(&nl, "nkpar0.5", "nkpar0", 5, &err);
	skip_unless_supported(r, &err);
	CK_OK(r);
	nk_link vl = get(&nl, "nkpar0.5");
	CK(!strcmp(vl.kind, "vlan") && vl.link == parent);
	/* The kernel's extended ack names the fault ("8021q: Invalid VLAN id"). */
	CK_ERR(nk_link_vlan_create(&nl, "nkbad", "nkpar0", 5000, &err), ERANGE,
	       "create vlan nkbad/nkpar0", "Invalid VLAN id");
	nk_nl_close(&nl);
}

static void move_netns_scenario(void)
{
	nk_nl nl, inner;
	nk_err *err = NULL;
	_cleanup_close_ int other = second_netns();
	CK_OK(nk_nl_open(&nl, &err));
	CK_OK(nk_link_veth_create(&nl, "nkh0", "nkc0", &err));
	CK_OK(nk_link_move_netns(&nl, "nkc0", other, "eth0", &err));
	CK(nk_link_index(&nl, "nkc0") == -ENODEV);
	CK(nk_link_index(&nl, "eth0") == -ENODEV);

	ino_t here = netns_ino();
	CK_OK(nk_nl_open_netns(&inner, other, &err));
	CK(netns_ino() == here); /* back home after creating the socket there */
	nk_link eth0 = get(&inner, "eth0");
	CK(!strcmp(eth0.kind, "veth"));
	CK_OK(nk_link_set_up(&inner, "eth0", true, &err));
	CK_OK(nk_link_set_up(&inner, "lo", true, &err));
	nk_addr a = {.family = AF_INET, .ifindex = eth0.index, .prefix = 24};
	ip(AF_INET, "10.5.0.2", a.addr);
	CK_OK(nk_addr_add(&inner, &a, &err));
	_cleanup_free_ nk_addr *addrs = NULL;
	size_t n = 0;
	CK_OK(nk_addr_list(&inner, eth0.index, AF_INET, &addrs, &n, &err));
	CK(n == 1 && !memcmp(addrs[0].addr, a.addr, 4));
	/* Moving without a new name keeps the name. */
	CK_OK(nk_link_veth_create(&nl, "nkh1", "nkc1", &err));
	CK_OK(nk_link_move_netns(&nl, "nkc1", other, NULL, &err));
	CK(nk_link_index(&inner, "nkc1") > 0);
	nk_nl_close(&inner);

	_cleanup_close_ int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CK_ERR(nk_nl_open_netns(&inner, devnull, &err), EINVAL, "enter network namespace",
	       "Invalid argument");
	CK(netns_ino() == here);
	nk_nl_close(&nl);
}

/* ---- addresses ---------------------------------------------------------------------------- */

static const nk_addr *find_addr(const nk_addr *list, size_t n, const nk_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].family == a->family && list[i].prefix == a->prefix &&
		    !memcmp(list[i].addr, a->addr, a->family == AF_INET ? 4 : 16))
			return &list[i];
	return NULL;
}

static nk_addr v4(int ifindex, const char *text, unsigned prefix)
{
	nk_addr a = {.family = AF_INET, .ifindex = ifindex, .prefix = prefix};
	ip(AF_INET, text, a.addr);
	return a;
}

static void addr_v4_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	CK_OK(nk_link_veth_create(&nl, "nka0", "nka1", &err));
	CK_OK(nk_link_set_up(&nl, "nka0", true, &err));
	int idx = get(&nl, "nka0").index;

	nk_addr plain = v4(idx, "10.1.2.3", 24), given = v4(idx, "10.9.0.1", 24);
	nk_addr p2p = v4(idx, "10.7.0.1", 31), timed = v4(idx, "10.1.2.4", 24);
	given.has_bcast = true;
	ip(AF_INET, "10.9.0.254", &given.bcast);
	snprintf(given.label, sizeof(given.label), "nka0:web");
	timed.valid_lft = 3600, timed.preferred_lft = 1800;
	CK_OK(nk_addr_add(&nl, &plain, &err));
	/* The kernel explains this one in its own words ("ipv4: Address already assigned"). */
	CK_ERR(nk_addr_add(&nl, &plain, &err), EEXIST,
	       "add address 10.1.2.3/24 on nka0: ", "already assigned");
	CK_OK(nk_addr_add(&nl, &given, &err));
	CK_OK(nk_addr_add(&nl, &p2p, &err));
	CK_OK(nk_addr_add(&nl, &timed, &err));

	_cleanup_free_ nk_addr *list = NULL;
	size_t n = 0;
	CK_OK(nk_addr_list(&nl, idx, AF_INET, &list, &n, &err));
	CK(n == 4);
	const nk_addr *got = find_addr(list, n, &plain);
	CK(got && got->has_bcast && got->bcast.s_addr == htonl(0x0a0102ff));
	CK(got->flags & IFA_F_PERMANENT && got->valid_lft == 0xffffffffu);
	CK(!strcmp(got->label, "nka0") && got->ifindex == idx);
	got = find_addr(list, n, &given);
	CK(got && got->has_bcast && got->bcast.s_addr == given.bcast.s_addr);
	CK(!strcmp(got->label, "nka0:web"));
	got = find_addr(list, n, &p2p);
	CK(got && !got->has_bcast);
	got = find_addr(list, n, &timed);
	CK(got && !(got->flags & IFA_F_PERMANENT));
	CK(got->valid_lft <= 3600 && got->valid_lft > 3500 && got->preferred_lft <= 1800);

	/* timed is a secondary of plain's subnet: deleting plain first would take it along. */
	nk_addr all[] = {timed, plain, given, p2p};
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		CK_OK(nk_addr_del(&nl, &all[i], &err));
	CK_ERR(nk_addr_del(&nl, &plain, &err), EADDRNOTAVAIL,
	       "delete address 10.1.2.3/24 on nka0: ", "not found");
	free(list);
	list = NULL;
	CK_OK(nk_addr_list(&nl, idx, AF_INET, &list, &n, &err));
	CK(n == 0);
	nk_nl_close(&nl);
}

static void addr_v6_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	CK_OK(nk_link_veth_create(&nl, "nka0", "nka1", &err));
	CK_OK(nk_link_set_up(&nl, "nka0", true, &err));
	int idx = get(&nl, "nka0").index;
	nk_addr a6 = {.family = AF_INET6, .ifindex = idx, .prefix = 64};
	ip(AF_INET6, "fd00:1::1", a6.addr);
	nk_addr a4 = v4(idx, "10.1.0.1", 16);
	CK_OK(nk_addr_add(&nl, &a6, &err));
	CK_OK(nk_addr_add(&nl, &a4, &err));

	_cleanup_free_ nk_addr *list = NULL;
	size_t n = 0;
	CK_OK(nk_addr_list(&nl, idx, AF_INET6, &list, &n, &err));
	const nk_addr *got = find_addr(list, n, &a6);
	CK(got && !(got->flags & IFA_F_NODAD) && (got->flags & IFA_F_PERMANENT));
	CK(!find_addr(list, n, &a4));
	free(list);
	list = NULL;
	CK_OK(nk_addr_list(&nl, 0, AF_UNSPEC, &list, &n, &err));
	CK(find_addr(list, n, &a6) && find_addr(list, n, &a4));

	CK_OK(nk_addr_del(&nl, &a6, &err));
	free(list);
	list = NULL;
	CK_OK(nk_addr_list(&nl, idx, AF_INET6, &list, &n, &err));
	CK(!find_addr(list, n, &a6));
	nk_addr bad = a6;
	bad.prefix = 129;
	CK_ERR(nk_addr_add(&nl, &bad, &err), EINVAL, "add address", "prefix /129");
	nk_nl_close(&nl);
}

/* ---- routes and neighbours --------------------------------------------------------------- */

static const nk_route *find_route(const nk_route *list, size_t n, int family, const char *dst,
                                  unsigned dst_len)
{
	unsigned char want[16] = {0};
	if (dst)
		ip(family, dst, want);
	for (size_t i = 0; i < n; i++)
		if (list[i].family == family && list[i].dst_len == dst_len &&
		    !memcmp(list[i].dst, want, family == AF_INET ? 4 : 16))
			return &list[i];
	return NULL;
}

/* nkr0 up with 10.2.0.1/24, its peer up too so the link has carrier. */
static int route_setup(nk_nl *nl)
{
	nk_err *err = NULL;
	CK_OK(nk_link_veth_create(nl, "nkr0", "nkr1", &err));
	CK_OK(nk_link_set_up(nl, "nkr0", true, &err));
	CK_OK(nk_link_set_up(nl, "nkr1", true, &err));
	int idx = get(nl, "nkr0").index;
	nk_addr a = v4(idx, "10.2.0.1", 24);
	CK_OK(nk_addr_add(nl, &a, &err));
	return idx;
}

static void route_v4_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int idx = route_setup(&nl);
	_cleanup_free_ nk_route *list = NULL;
	size_t n = 0;
	CK_OK(nk_route_list(&nl, AF_INET, RT_TABLE_MAIN, &list, &n, &err));
	const nk_route *c = find_route(list, n, AF_INET, "10.2.0.0", 24);
	CK(c && c->protocol == RTPROT_KERNEL && c->scope == RT_SCOPE_LINK && c->ifindex == idx);
	CK(c->has_prefsrc && c->table == RT_TABLE_MAIN && c->type == RTN_UNICAST);

	nk_route def = {.family = AF_INET, .has_gw = true, .metric = 100};
	ip(AF_INET, "10.2.0.254", def.gw);
	CK_OK(nk_route_add(&nl, &def, &err));
	CK_ERR(nk_route_add(&nl, &def, &err), EEXIST, "add route default via 10.2.0.254",
	       "File exists");
	free(list);
	list = NULL;
	CK_OK(nk_route_list(&nl, AF_INET, RT_TABLE_MAIN, &list, &n, &err));
	const nk_route *d = find_route(list, n, AF_INET, NULL, 0);
	CK(d && d->has_gw && !memcmp(d->gw, def.gw, 4) && d->metric == 100);
	CK(d->protocol == RTPROT_BOOT && d->scope == RT_SCOPE_UNIVERSE && d->ifindex == idx);
	CK_OK(nk_route_del(&nl, &def, &err));
	free(list);
	list = NULL;
	CK_OK(nk_route_list(&nl, AF_INET, RT_TABLE_MAIN, &list, &n, &err));
	CK(!find_route(list, n, AF_INET, NULL, 0));
	CK_ERR(nk_route_del(&nl, &def, &err), ESRCH, "delete route default via 10.2.0.254",
	       "No such process");

	/* The local table holds the host's own addresses: all tables show it, main does not. */
	CK(!find_route(list, n, AF_INET, "10.2.0.1", 32));
	free(list);
	list = NULL;
	CK_OK(nk_route_list(&nl, AF_UNSPEC, 0, &list, &n, &err));
	const nk_route *local = find_route(list, n, AF_INET, "10.2.0.1", 32);
	CK(local && local->table == RT_TABLE_LOCAL && local->type == RTN_LOCAL);
	nk_nl_close(&nl);
}

static void route_onlink_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int idx = route_setup(&nl);
	nk_route r = {.family = AF_INET, .ifindex = idx, .has_gw = true, .table = 100};
	ip(AF_INET, "192.168.77.1", r.gw);
	/* Off-subnet without onlink: refused, in the kernel's words. */
	const char *what = "add route default via 192.168.77.1 dev nkr0 table 100";
	CK_ERR(nk_route_add(&nl, &r, &err), ENETUNREACH, what, "gateway");
	r.onlink = true;
	CK_OK(nk_route_add(&nl, &r, &err));
	_cleanup_free_ nk_route *list = NULL;
	size_t n = 0;
	CK_OK(nk_route_list(&nl, AF_INET, 100, &list, &n, &err));
	CK(n == 1 && list[0].onlink && list[0].table == 100 && list[0].ifindex == idx);
	CK(list[0].has_gw && !memcmp(list[0].gw, r.gw, 4));
	CK_OK(nk_route_del(&nl, &r, &err));
	nk_nl_close(&nl);
}

static void route_v6_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int idx = route_setup(&nl);
	nk_route r = {.family = AF_INET6, .ifindex = idx, .dst_len = 64, .metric = 50};
	ip(AF_INET6, "2001:db8:1::", r.dst);
	CK_OK(nk_route_add(&nl, &r, &err));
	_cleanup_free_ nk_route *list = NULL;
	size_t n = 0;
	CK_OK(nk_route_list(&nl, AF_INET6, RT_TABLE_MAIN, &list, &n, &err));
	const nk_route *got = find_route(list, n, AF_INET6, "2001:db8:1::", 64);
	CK(got && got->metric == 50 && got->ifindex == idx && !got->has_gw);
	CK(!find_route(list, n, AF_INET, "10.2.0.0", 24));
	CK_OK(nk_route_del(&nl, &r, &err));
	free(list);
	list = NULL;
	CK_OK(nk_route_list(&nl, AF_INET6, RT_TABLE_MAIN, &list, &n, &err));
	CK(!find_route(list, n, AF_INET6, "2001:db8:1::", 64));
	nk_nl_close(&nl);
}

static void neigh_add(nk_nl *nl, int ifindex, int family, const char *dst, uint16_t state)
{
	nk_err *err = NULL;
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	unsigned char addr[16], mac[6] = {0x02, 0, 0, 0, 0, 0x09};
	ip(family, dst, addr);
	mnl_attr_put(nlh, NDA_DST, family == AF_INET ? 4 : 16, addr);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(mac), mac);
	CK_OK(nk_nl_request(nl, nlh, &err, "add neighbour %s", dst));
}

struct neigh_count {
	int ifindex;
	unsigned all, permanent;
};

static int neigh_count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_count *c = data;
	if (!nlh) {
		c->all = c->permanent = 0;
		return 0;
	}
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_ifindex == c->ifindex) {
		c->all++;
		c->permanent += !!(ndm->ndm_state & NUD_PERMANENT);
	}
	return 0;
}

static struct neigh_count neigh_count(nk_nl *nl, int ifindex)
{
	nk_err *err = NULL;
	struct neigh_count c = {.ifindex = ifindex};
	int families[] = {AF_INET, AF_INET6};
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
		struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_GETNEIGH, NLM_F_DUMP);
		struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = (unsigned char)families[i];
		struct neigh_count one = {.ifindex = ifindex};
		CK_OK(nk_nl_query(nl, nlh, neigh_count_cb, &one, &err, "list neighbours"));
		c.all += one.all;
		c.permanent += one.permanent;
	}
	return c;
}

static void neigh_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int idx = route_setup(&nl);
	neigh_add(&nl, idx, AF_INET, "10.2.0.9", NUD_REACHABLE);
	neigh_add(&nl, idx, AF_INET, "10.2.0.10", NUD_STALE);
	neigh_add(&nl, idx, AF_INET, "10.2.0.11", NUD_PERMANENT);
	neigh_add(&nl, idx, AF_INET6, "fd00:2::9", NUD_STALE);
	struct neigh_count c = neigh_count(&nl, idx);
	CK(c.all >= 4 && c.permanent == 1);
	CK_OK(nk_neigh_flush(&nl, idx, &err));
	c = neigh_count(&nl, idx);
	CK(c.all == 1 && c.permanent == 1);
	CK_ERR(nk_neigh_flush(&nl, 999, &err), ENODEV, "flush neighbours", "No such device");
	nk_nl_close(&nl);
}

struct proxy_find {
	int ifindex, family;
	unsigned char dst[16];
	bool found;
};

static int proxy_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct proxy_find *f = data;
	if (!nlh) {
		f->found = false;
		return 0;
	}
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1];
	nk_nl_attrs(nlh, sizeof(*ndm), tb, NDA_MAX);
	unsigned char dst[16];
	size_t len = f->family == AF_INET ? 4 : 16;
	if (ndm->ndm_ifindex == f->ifindex && ndm->ndm_family == f->family &&
	    (ndm->ndm_flags & NTF_PROXY) && nk_nl_bytes(tb[NDA_DST], dst, len) &&
	    !memcmp(dst, f->dst, len))
		f->found = true;
	return 0;
}

/* `ip neigh show proxy`: a dump asked with ndm_flags NTF_PROXY lists the proxy entries. */
static bool proxy_listed(nk_nl *nl, int ifindex, int family, const char *dst)
{
	nk_err *err = NULL;
	struct proxy_find f = {.ifindex = ifindex, .family = family};
	ip(family, dst, f.dst);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_GETNEIGH, NLM_F_DUMP);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	ndm->ndm_flags = NTF_PROXY;
	CK_OK(nk_nl_query(nl, nlh, proxy_find_cb, &f, &err, "list proxy entries"));
	return f.found;
}

static void neigh_proxy_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	int idx = route_setup(&nl);
	unsigned char a4[4], a6[16];
	ip(AF_INET, "10.2.0.50", a4);
	ip(AF_INET6, "fd00:2::50", a6);
	CK_OK(nk_neigh_proxy_add(&nl, idx, AF_INET, a4, &err));
	CK_OK(nk_neigh_proxy_add(&nl, idx, AF_INET6, a6, &err));
	CK(proxy_listed(&nl, idx, AF_INET, "10.2.0.50"));
	CK(proxy_listed(&nl, idx, AF_INET6, "fd00:2::50"));
	CK_OK(nk_neigh_proxy_add(&nl, idx, AF_INET, a4, &err)); /* one entry, as before */
	CK_OK(nk_neigh_proxy_del(&nl, idx, AF_INET, a4, &err));
	CK_OK(nk_neigh_proxy_del(&nl, idx, AF_INET6, a6, &err));
	CK(!proxy_listed(&nl, idx, AF_INET, "10.2.0.50"));
	CK(!proxy_listed(&nl, idx, AF_INET6, "fd00:2::50"));
	CK_ERR(nk_neigh_proxy_del(&nl, idx, AF_INET, a4, &err), ENOENT,
	       "delete proxy entry 10.2.0.50", "No such file");
	nk_nl_close(&nl);
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void errors_scenario(void)
{
	nk_nl nl;
	nk_err *err = NULL;
	CK_OK(nk_nl_open(&nl, &err));
	CK_OK(nk_link_veth_create(&nl, "nke0", "nke1", &err));
	CK_ERR(nk_link_veth_create(&nl, "nke0", "nke1", &err), EEXIST, "create veth nke0/nke1",
	       ": File exists");

	const char *bad[] = {"",  "a/b", "a b",   "x:y", "0123456789abcdef",
	                     ".", "..",  "t\tab", "n\n"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CK_ERR(nk_link_veth_create(&nl, bad[i], "nkok0", &err), EINVAL, "create veth",
		       "interface name");
		CK_ERR(nk_link_set_up(&nl, bad[i], true, &err), EINVAL, "set link up", "name");
	}
	CK(nk_link_index(&nl, "nkok0") == -ENODEV); /* nothing reached the kernel */
	CK(nk_link_index(&nl, "a/b") == -EINVAL);

	CK_ERR(nk_link_set_up(&nl, "nope0", true, &err), ENODEV, "set nope0 up", "No such device");
	CK_ERR(nk_link_delete(&nl, "nope0", &err), ENODEV, "delete link nope0", "No such device");
	CK_ERR(nk_link_set_mtu(&nl, "nope0", 1400, &err), ENODEV, "nope0", "No such device");
	CK_ERR(nk_link_get(&nl, "nope0", &(nk_link){0}, &err), ENODEV, "get link nope0",
	       "No such device");
	CK_ERR(nk_link_rename(&nl, "nope0", "nope1", &err), ENODEV, "rename nope0 to nope1",
	       "No such device");
	char name[IFNAMSIZ];
	CK_ERR(nk_link_name(&nl, 4242, name, &err), ENODEV, "get link 4242", "No such device");

	/* The kernel's extended ack, not just its errno, reaches the message. */
	CK_ERR(nk_link_set_mtu(&nl, "nke0", 70000, &err), EINVAL,
	       "set mtu 70000 on nke0: ", "mtu greater than device maximum");
	CK(err == NULL);
	_Alignas(NLMSG_ALIGNTO) char buf[NK_NL_REQ_SIZE];
	struct nlmsghdr *nlh = nk_nl_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "nkodd0");
	struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "nookbogus");
	mnl_attr_nest_end(nlh, li);
	CK_ERR(nk_nl_request(&nl, nlh, &err, "create nookbogus %s", "nkodd0"), EOPNOTSUPP,
	       "create nookbogus nkodd0: ", "Unknown device type");
	nk_nl_close(&nl);
}

/* ---- the cmocka side --------------------------------------------------------------------------
 */

#define NETNS_TEST(name)                                                                           \
	static void test_##name(void **state)                                                      \
	{                                                                                          \
		(void)state;                                                                       \
		in_netns(name##_scenario);                                                         \
	}

NETNS_TEST(veth)
NETNS_TEST(many_links)
NETNS_TEST(bridge)
NETNS_TEST(bridge_vlan)
NETNS_TEST(veth_queues)
NETNS_TEST(macvlan)
NETNS_TEST(ipvlan)
NETNS_TEST(vlan)
NETNS_TEST(move_netns)
NETNS_TEST(addr_v4)
NETNS_TEST(addr_v6)
NETNS_TEST(route_v4)
NETNS_TEST(route_onlink)
NETNS_TEST(route_v6)
NETNS_TEST(neigh)
NETNS_TEST(neigh_proxy)
NETNS_TEST(errors)

static void test_mac(void **state)
{
	(void)state;
	unsigned char mac[6], other[6];
	char text[18];
	assert_int_equal(nk_mac_parse("aa:BB:0c:dd:ee:0f", mac), 0);
	nk_mac_format(mac, text);
	assert_string_equal(text, "aa:bb:0c:dd:ee:0f");
	const char *bad[] = {"",
	                     "aa:bb:cc:dd:ee",
	                     "aa:bb:cc:dd:ee:ff:",
	                     "aa:bb:cc:dd:ee:ff:00",
	                     "aabbccddeeff",
	                     "a:b:c:d:e:f",
	                     "zz:bb:cc:dd:ee:ff",
	                     "aa-bb-cc-dd-ee-ff",
	                     "aa:bb:cc:dd:ee:f"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(nk_mac_parse(bad[i], mac), -EINVAL);
	nk_mac_random(mac, 0xfe);
	nk_mac_random(other, 0xfe);
	assert_int_equal(mac[0], 0xfe);
	assert_int_equal(other[0], 0xfe);
	assert_memory_not_equal(mac + 1, other + 1, 5);
}

static void test_name_check(void **state)
{
	(void)state;
	nk_err *err = NULL;
	assert_int_equal(nk_link_name_check("eth0", &err), 0);
	assert_int_equal(nk_link_name_check("veth1234567890a", &err), 0); /* 15 bytes */
	assert_null(err);
	assert_int_equal(nk_link_name_check("veth1234567890ab", &err), -EINVAL);
	assert_non_null(strstr(err->msg, "longer than 15 bytes"));
	nk_err_freep(&err);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_nl: needs root (network namespaces)\n");
		return SKIPPED;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mac),          cmocka_unit_test(test_name_check),
	    cmocka_unit_test(test_veth),         cmocka_unit_test(test_many_links),
	    cmocka_unit_test(test_bridge),       cmocka_unit_test(test_macvlan),
	    cmocka_unit_test(test_ipvlan),       cmocka_unit_test(test_vlan),
	    cmocka_unit_test(test_move_netns),   cmocka_unit_test(test_addr_v4),
	    cmocka_unit_test(test_addr_v6),      cmocka_unit_test(test_route_v4),
	    cmocka_unit_test(test_route_onlink), cmocka_unit_test(test_route_v6),
	    cmocka_unit_test(test_neigh),        cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_bridge_vlan),  cmocka_unit_test(test_veth_queues),
	    cmocka_unit_test(test_neigh_proxy),
	};
	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
