/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Capabilities of the container's init, from lxc.cap.drop / lxc.cap.keep. Applied last in
 * the child, just before seccomp and exec: mounts, devpts and sysctls need CAP_SYS_ADMIN and
 * friends, and dropping from the bounding set needs CAP_SETPCAP.
 */
#include <stdint.h>

#include "conf/spec.h"
#include "util/error.h"

/*
 * LXC's common.conf drop list (mac_admin mac_override sys_time sys_module sys_rawio), for
 * templates and docs. nk_caps_apply never adds it: the config says exactly what is dropped.
 */
extern const char *const nk_caps_lxc_default_drop[];

/* Checks that every name in cap.drop and cap.keep is a capability ("none" only in keep). */
int nk_caps_check(const nk_spec *spec, nk_err **err);
/* The kept set as a bit mask (bit N = capability N), for every capability the kernel knows. */
int nk_caps_kept_mask(const nk_spec *spec, uint64_t *mask, nk_err **err);
/*
 * Drops every capability not kept from the bounding set, clears the ambient set, sets
 * permitted and effective to the kept capabilities we hold and inheritable to nothing, then
 * sets no_new_privs when lxc.no_new_privs = 1 (nk_no_new_privs_apply).
 */
int nk_caps_apply(const nk_spec *spec, nk_err **err);
/*
 * The same without no_new_privs, keeping also_keep (a bit mask) on top of the kept set: for a
 * process that must still change its identity before nk_caps_apply (attach's helper).
 */
int nk_caps_limit(const nk_spec *spec, uint64_t also_keep, nk_err **err);
