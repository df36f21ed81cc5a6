/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * NAT for nook's networks through libnftables, only ever in nook's own tables (`table ip nook`,
 * and `table ip6 nook` for a network with IPv6): one postrouting chain per network, named after
 * it, holding its masquerade rule, so removing a network removes exactly its chain. Nothing else
 * in the ruleset is read for writing, flushed or changed.
 */
#include <stdbool.h>

#include "net/netdef.h"
#include "util/error.h"

struct json_object;

#define NK_NFT_TABLE "nook"

/* Adds (or refreshes: idempotent, one atomic transaction) the network's masquerade chain(s). */
int nk_nft_nat_add(const nk_net *n, nk_err **err);
/* Removes the network's chains, and nook's tables once they hold none; missing ones are fine. */
int nk_nft_nat_del(const char *name, nk_err **err);
/* Whether nook's table of family ("ip", "ip6") has the network's chain. */
int nk_nft_nat_present(const char *name, const char *family, bool *present, nk_err **err);
/* The whole ruleset as libnftables prints it with -j (a json-c object: json_object_put it). */
int nk_nft_ruleset(struct json_object **out, nk_err **err);
/*
 * Calls cb for each object of kind ("table", "chain", "rule") in a ruleset from nk_nft_ruleset
 * or a listing; stops at the first nonzero return and returns it.
 */
int nk_nft_foreach(struct json_object *ruleset, const char *kind,
                   int (*cb)(struct json_object *obj, void *data), void *data);
