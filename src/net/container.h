/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * A container's networks (lxc.net.N.*), in three steps of the start sequence:
 *   nk_netc_prepare   before clone, on the host: check every network and what it needs of the
 *                     host, create the host-side devices (macvlan/ipvlan/vlan on their parent)
 *                     and l2proxy's neighbour proxy entries on the link
 *   nk_netc_move      after clone: veth pairs created (the host end on its bridge, with its
 *                     VLANs, up, with its host routes; the other end born inside), the other
 *                     devices moved into the container's network namespace, renamed
 *   nk_netc_configure inside it, from the host through a netlink socket opened there:
 *                     loopback, MAC, MTU, addresses, up, gateways
 * then nk_netc_scripts_up. nk_netc_undo removes what they made when the start fails (after
 * script.down where script.up ran). A running container's devices die with its namespace;
 * what they leave on the host is undone at stop from records (nk_netc_phys_records) by
 * nk_netc_restore_phys, while the monitor still holds the dead container's namespace open: a
 * phys device moved back under its own name (a virtual device lent as phys would die with the
 * namespace otherwise), script.down, l2proxy's entries, the veths' host ends.
 */
#include <sys/types.h>

#include "conf/spec.h"
#include "util/error.h"

typedef struct nk_netc nk_netc;

int nk_netc_prepare(const nk_spec *spec, const char *ctname, nk_netc **out, nk_err **err);
int nk_netc_move(nk_netc *n, int netns_fd, nk_err **err);
int nk_netc_configure(nk_netc *n, int netns_fd, nk_err **err);
/* Runs lxc.net.N.script.up on the host (after configure), as LXC does (container_int.h). */
int nk_netc_scripts_up(nk_netc *n, const char *ctname, nk_err **err);
void nk_netc_undo(nk_netc *n);
void nk_netc_free(nk_netc *n);
/*
 * The records of what the host must undo at stop (phys NICs to give back, script.down, proxy
 * entries, veth host ends; see container_stop.c), NULL-terminated (caller frees); NULL when
 * there is nothing to undo.
 */
char **nk_netc_phys_records(const nk_netc *n);
/* The addresses (no prefix) of a running container's devices but loopback, read in its
 * network namespace: family AF_INET or AF_INET6 (link-local v6 left out). */
char **nk_netc_addresses(pid_t pid, int family);
/*
 * Carries out the records in order: phys devices from the container's namespace (ct_netns_fd,
 * or -1 when gone) back to ours, named as before; script.down; proxy entries and veth host ends
 * deleted. Every record is tried; the first failure is returned.
 */
int nk_netc_restore_phys(int ct_netns_fd, char **records, nk_err **err);
