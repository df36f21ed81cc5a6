/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Putting a host's physical NIC under a bridge without cutting the host off. The trap (LXC's
 * guides fall into it): `ip link set eth0 master br0` leaves the IP, routes and ARP entries on
 * eth0, whose frames now go to the bridge, so the host loses its network. attach-uplink gives
 * the bridge the NIC's MAC (so DHCP servers and switches still see the same host), enslaves
 * the NIC and moves every address and route to the bridge; detach-uplink moves them back.
 * Either undoes all of its steps, last first, when one fails.
 *
 * RUNDIR/uplink-BRIDGE.state records the uplink and whether nook created the bridge.
 */
#include <net/if.h>

#include "net/host.h"
#include "util/error.h"

int nk_uplink_attach(const char *bridge, const char *iface, nk_net_notes *notes, nk_err **err);
int nk_uplink_detach(const char *bridge, const char *iface, nk_net_notes *notes, nk_err **err);
/* The uplink attach-uplink put on bridge: 0, or -ENOENT when there is none on record. */
int nk_uplink_of(const char *bridge, char iface[IFNAMSIZ]);
