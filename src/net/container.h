/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * A container's networks (lxc.net.N.*), in three steps of the start sequence:
 *   nk_netc_prepare   before clone, on the host: check every network, create the host-side
 *                     devices (veth pairs on their bridge, macvlan/ipvlan/vlan on their parent)
 *   nk_netc_move      after clone: the container's ends into its network namespace, renamed
 *   nk_netc_configure inside it, from the host through a netlink socket opened there:
 *                     loopback, MAC, MTU, addresses, up, gateways
 * nk_netc_undo removes what prepare made when the start fails. A running container needs no
 * teardown: its devices die with its namespace, veth peers with them. A phys device is moved
 * back, under its own name, by nk_netc_restore_phys while the monitor still holds the dead
 * container's namespace open (a virtual device lent as phys would die with it otherwise).
 */
#include <sys/types.h>

#include "conf/spec.h"
#include "util/error.h"

typedef struct nk_netc nk_netc;

int nk_netc_prepare(const nk_spec *spec, const char *ctname, nk_netc **out, nk_err **err);
int nk_netc_move(nk_netc *n, int netns_fd, nk_err **err);
int nk_netc_configure(nk_netc *n, int netns_fd, nk_err **err);
/* Runs lxc.net.N.script.up on the host (after configure). */
int nk_netc_scripts_up(nk_netc *n, const char *ctname, nk_err **err);
void nk_netc_undo(nk_netc *n);
void nk_netc_free(nk_netc *n);
/*
 * "ifindex:name" records of the phys NICs moved in, for the monitor to rename them back once
 * the container's namespace is gone (NULL-terminated; caller frees).
 */
char **nk_netc_phys_records(const nk_netc *n);
/* The addresses (no prefix) of a running container's devices but loopback, read in its
 * network namespace: family AF_INET or AF_INET6 (link-local v6 left out). */
char **nk_netc_addresses(pid_t pid, int family);
/* Moves each recorded device from the container's namespace back to ours, named as before. */
int nk_netc_restore_phys(int ct_netns_fd, char **records, nk_err **err);
