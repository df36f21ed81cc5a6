/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Typed configuration values: parse (strict, 0 or -EINVAL/-ERANGE, nothing written on failure)
 * and format back to the canonical text. Shared by every front end, so "SIGRTMIN+3" or
 * "10.0.3.5/24" mean the same in an LXC config, on the command line and in OCI input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

#include "conf/spec.h"

/* "SIGPWR", "PWR", "sigpwr", "SIGRTMIN+3", "RTMAX-1", "30": 1..64. */
int nk_signal_parse(const char *s, int *sig);
/* "SIGPWR", "SIGRTMIN+3", or the number for one without a name. */
const char *nk_signal_format(int sig, char *buf, size_t len);

/*
 * "A.B.C.D/P" with an optional " BCAST" after it when allow_bcast. Without "/P" the prefix is
 * the address's class default (LXC's rule) unless need_prefix.
 */
int nk_inet4_parse(const char *s, bool need_prefix, bool allow_bcast, nk_inet4 *out);
int nk_inet6_parse(const char *s, bool need_prefix, nk_inet6 *out); /* default prefix 64 */
void nk_inet4_format(const nk_inet4 *a, char *buf, size_t len);     /* buf >= 48 */
void nk_inet6_format(const nk_inet6 *a, char *buf, size_t len);     /* buf >= 52 */

/* "00:16:3e:xx:xx:xx": six octets of two hex digits, where 'x' stands for a random digit. */
bool nk_hwaddr_valid(const char *s);
/* A kernel network device name: 1..15 bytes, no '/', ':' or white space, not "." or "..". */
bool nk_ifname_valid(const char *s);

/* "u 0 100000 65536": kind, first id inside, first id on the host, count (> 0, no wrap). */
int nk_idmap_parse(const char *s, nk_idmap *out);
void nk_idmap_format(const nk_idmap *m, char *buf, size_t len);

/* "nofile" -> RLIMIT_NOFILE, and back. */
int nk_rlimit_from_name(const char *name);
const char *nk_rlimit_name(int resource);
/* "unlimited", "1024", "1024:4096", "1024:unlimited": soft <= hard. */
int nk_rlimit_parse(const char *s, rlim_t *soft, rlim_t *hard);
void nk_rlimit_format(rlim_t soft, rlim_t hard, char *buf, size_t len);

/*
 * A capability as LXC writes it ("sys_admin"; any case, "cap_" optional, or its number),
 * checked with libcap. *canonical is the lower-case name without "cap_" (caller frees).
 */
int nk_cap_parse(const char *s, char **canonical);

/* "net" -> NK_NS_NET ("mount" is accepted for "mnt"); -1 when unknown. */
int nk_ns_from_name(const char *s);
const char *nk_ns_name(int ns);
int nk_ns_clone_flag(int ns);
/* A space separated list of namespace names to a CLONE_NEW* mask; *bad gets the bad word. */
int nk_ns_parse_list(const char *s, int *mask, char **bad);

/* lxc.arch values ("x86_64", "amd64", "i686", "arm64", ...). */
bool nk_arch_valid(const char *s);
/* LXC log levels: 0..8 or TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, FATAL. */
int nk_lxc_log_level_parse(const char *s);
const char *nk_lxc_log_level_name(int level);
bool nk_syslog_facility_valid(const char *s);
/* "-10s", "2h", "500ms": a signed integer and one of h, m, s, ms, us, ns (within +-292 years). */
int nk_time_offset_parse(const char *s, nk_time_offset *out);
