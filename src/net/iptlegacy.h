/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The FORWARD chain of iptables-legacy's filter table (IPv4), read with the getsockopt calls
 * iptables-legacy itself uses: nftables does not see these rules, so `nook net doctor` reads
 * them here.
 */
#include <stdbool.h>

#include "util/error.h"

typedef struct nk_ipt_forward {
	bool policy_drop; /* the chain's policy is DROP */
	char **accept_in; /* interfaces with an unconditional "-i IFACE -j ACCEPT" rule */
} nk_ipt_forward;

/* -ENOENT when this network namespace has no legacy filter table. */
int nk_ipt_legacy_forward(nk_ipt_forward *out, nk_err **err);
void nk_ipt_forward_free(nk_ipt_forward *f);
