/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/iptlegacy.h"

#include <errno.h>
#include <netinet/in.h> /* before the kernel's headers, which then skip their own in.h */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* A standard target's verdict is stored as -verdict - 1 (a positive value is a jump). */
#define STD_VERDICT(v) (-(v)-1)

static const struct xt_entry_target *entry_target(const struct ipt_entry *e)
{
	return (const void *)((const char *)e + e->target_offset);
}

static bool is_std_verdict(const struct ipt_entry *e, int verdict)
{
	const struct xt_entry_target *t = entry_target(e);
	if (strcmp(t->u.user.name, XT_STANDARD_TARGET) != 0)
		return false;
	return ((const struct xt_standard_target *)t)->verdict == STD_VERDICT(verdict);
}

/* "-i IFACE -j ACCEPT" with nothing else: no address, protocol or match narrows it. */
static const char *plain_accept_in(const struct ipt_entry *e)
{
	const struct ipt_ip *ip = &e->ip;
	if (!ip->iniface[0] || ip->src.s_addr || ip->dst.s_addr || ip->proto || ip->invflags ||
	    e->target_offset != sizeof(*e) || !is_std_verdict(e, NF_ACCEPT))
		return NULL;
	return ip->iniface;
}

int nk_ipt_legacy_forward(nk_ipt_forward *out, nk_err **err)
{
	*out = (nk_ipt_forward){ 0 };
	_cleanup_close_ int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return nk_err_sys(err, "iptables-legacy: socket");
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t len = sizeof(info);
	if (getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &info, &len) < 0)
		return errno == ENOENT || errno == ENOPROTOOPT ? -ENOENT
							       : nk_err_sys(err, "iptables-legacy: read the filter table");
	if (!(info.valid_hooks & (1U << NF_INET_FORWARD)))
		return -ENOENT;
	size_t size = sizeof(struct ipt_get_entries) + info.size;
	_cleanup_free_ struct ipt_get_entries *ents = calloc(1, size);
	if (!ents)
		return nk_err_set(err, ENOMEM, "iptables-legacy");
	strcpy(ents->name, "filter");
	ents->size = info.size;
	len = (socklen_t)size;
	if (getsockopt(fd, IPPROTO_IP, IPT_SO_GET_ENTRIES, ents, &len) < 0)
		return nk_err_sys(err, "iptables-legacy: read the filter table's rules");
	const char *base = (const char *)ents->entrytable;
	unsigned first = info.hook_entry[NF_INET_FORWARD], last = info.underflow[NF_INET_FORWARD];
	if (last >= info.size || first > last)
		return nk_err_set(err, EPROTO, "iptables-legacy: a FORWARD chain out of bounds");
	/* The chain's rules, then its policy: the entry at underflow. */
	for (unsigned off = first; off < last;) {
		const struct ipt_entry *e = (const void *)(base + off);
		if (e->next_offset < sizeof(*e) || off + e->next_offset > info.size)
			return nk_err_set(err, EPROTO, "iptables-legacy: a malformed rule");
		const char *iface = plain_accept_in(e);
		if (iface)
			nk_strv_push(&out->accept_in, iface);
		off += e->next_offset;
	}
	out->policy_drop = is_std_verdict((const void *)(base + last), NF_DROP);
	return 0;
}

void nk_ipt_forward_free(nk_ipt_forward *f)
{
	nk_strv_free(f->accept_in);
	f->accept_in = NULL;
}
