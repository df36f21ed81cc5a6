/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * nook net doctor: the classic host-network faults behind "my container has no network", each
 * found one reported as one line with its fix: an IP or route left on an enslaved port, a
 * network's bridge down or without its address, forwarding off, no masquerade, a forward-hook
 * drop policy, br_netfilter pushing bridged frames through the IP hooks, a container veth on
 * no bridge, a bridge that took a port's MAC instead of its uplink's.
 */
#include "net/host.h"
#include "util/error.h"

/*
 * Runs every check, about bridge only when given (the host-wide ones still run). Problems go
 * to problems, remarks that are not faults (a check that could not run) to notes.
 */
int nk_doctor_run(const char *bridge, nk_net_notes *problems, nk_net_notes *notes, nk_err **err);
