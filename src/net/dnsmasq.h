/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * One dnsmasq per network with DHCP, serving DHCP and DNS on its bridge only, started detached
 * (dnsmasq daemonizes itself and reports start-up errors through its exit status) and found
 * again through its pid file, RUNDIR/NAME/dnsmasq.pid. A pid is only trusted (signalled) when
 * the process is dnsmasq, was given that pid file, and lives in this network namespace.
 */
#include <sys/types.h>

#include "net/netdef.h"
#include "util/error.h"

#define NK_DNSMASQ_PATH "/usr/sbin/dnsmasq"

int nk_dnsmasq_start(const nk_net *n, nk_err **err);
/* Stops the network's dnsmasq (TERM, then KILL after 5 s); not running is fine. */
int nk_dnsmasq_stop(const char *name, nk_err **err);
/* The pid of the network's dnsmasq when it runs, else 0. */
pid_t nk_dnsmasq_pid(const char *name);
