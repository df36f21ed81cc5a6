/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * lxc.apparmor.profile and lxc.selinux.context: the label init execs into. Applied when the
 * host runs that LSM, ignored with a note when it does not (LXC's behaviour).
 */
#include <stdbool.h>

#include "conf/spec.h"
#include "util/error.h"

typedef struct nk_lsm {
	const char *apparmor; /* profile to exec into, or NULL */
	const char *selinux;  /* context to exec into, or NULL */
} nk_lsm;

/* On the host, before the clone (or attach): what the child applies. */
int nk_lsm_prepare(const nk_spec *spec, nk_lsm *out, nk_err **err);
/* The note a command prints for a label this host cannot apply. */
void nk_lsm_note(const nk_spec *spec);
/* In the child, after the mounts (it writes /proc/thread-self/attr), before exec. */
int nk_lsm_apply(const nk_lsm *lsm, nk_err **err);
