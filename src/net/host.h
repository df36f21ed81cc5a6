/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * `nook net` on the host: a network is a Linux bridge with the gateway address, IP forwarding,
 * optionally nook's masquerade (nft.c) and a dnsmasq (dnsmasq.c). Every command validates all
 * of its input before the host changes, and undoes what it did itself when a step fails.
 * Works in the network namespace it runs in.
 */
#include <stdbool.h>

#include "net/netdef.h"
#include "util/error.h"

/* Things worth telling the user that are not errors, one line each (CLI prints them). */
typedef struct nk_net_notes {
	char **lines;
} nk_net_notes;
void nk_net_notes_free(nk_net_notes *notes);
void nk_net_note(nk_net_notes *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Creates network n: checks it against the host (the name, other networks' and devices'
 * subnets), then bridge, address, up, forwarding, NAT, dnsmasq, the definition file and, when
 * default_conf is not NULL, the lines there that put new containers on it. A failure at any
 * step undoes the earlier ones.
 */
int nk_net_create(const nk_net *n, const char *default_conf, nk_net_notes *notes, nk_err **err);
/* Brings a defined network back (after a reboot, or to repair it): idempotent. */
int nk_net_up(const char *name, nk_net_notes *notes, nk_err **err);
/*
 * Stops dnsmasq, removes nook's NAT chain and the definition; deletes the bridge when nook
 * created it and no port is left on it, or with force. Forwarding is left on (said in notes).
 */
int nk_net_rm(const char *name, bool force, nk_net_notes *notes, nk_err **err);
/* Takes back the lxc.net.0 block create wrote for bridge into default_conf, if still as written
 * (new containers would otherwise point at a bridge that no longer exists). */
int nk_net_default_conf_remove(const char *default_conf, const char *bridge, bool *removed,
			       nk_err **err);

typedef struct nk_net_status {
	bool bridge, up, addr, nat, dhcp; /* what exists of the network now */
	const char *state;                /* "up", "missing", "down", "no-address", ... */
} nk_net_status;
int nk_net_status_get(const nk_net *n, nk_net_status *st, nk_err **err);

/*
 * Points new containers at bridge through default_conf (veth, link, flags up, a random
 * 00:16:3e MAC), unless it already has lxc.net keys. *written tells which.
 */
int nk_net_default_conf(const char *default_conf, const char *bridge, bool *written, nk_err **err);

/* "net.ipv4.ip_forward" style access to /proc/sys; read returns the first integer. */
int nk_sysctl_read(const char *key, int *out, nk_err **err);
int nk_sysctl_write(const char *key, int value, nk_err **err);
