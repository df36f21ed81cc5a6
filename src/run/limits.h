/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Process and kernel limits of the container's init: lxc.sysctl.*, lxc.prlimit.* and
 * lxc.no_new_privs. Called in the child after pivot_root (nk_limits_apply), and at the very
 * end by nk_caps_apply (nk_no_new_privs_apply).
 */
#include "conf/spec.h"
#include "util/error.h"

/*
 * The path of a sysctl key below /proc/sys: "net.ipv4.ip_forward" -> "net/ipv4/ip_forward".
 * A key with a '/' is taken as a path already (sysctl(8)'s rule, for names with dots like
 * "net/ipv4/conf/eth0.100/forwarding"). Empty, ".", ".." and absolute keys are refused.
 */
int nk_sysctl_path(const char *key, char **path, nk_err **err);
/* Checks every sysctl key and prlimit before anything is applied. */
int nk_limits_check(const nk_spec *spec, nk_err **err);
/*
 * Writes every lxc.sysctl value to /proc/sys of the container's namespaces, then sets every
 * lxc.prlimit on the calling process (init inherits them through exec). When /proc/sys is
 * read-only (proc:mixed), a private, never attached proc instance is written instead.
 */
int nk_limits_apply(const nk_spec *spec, nk_err **err);
/* PR_SET_NO_NEW_PRIVS when lxc.no_new_privs = 1: no exec can gain privileges after it. */
int nk_no_new_privs_apply(const nk_spec *spec, nk_err **err);
