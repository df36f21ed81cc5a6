/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Seccomp: the container's syscall filter, from a policy file in LXC's format
 * (lxc.container.conf(5), "SECCOMP CONFIGURATION"; docs/seccomp.md), built with libseccomp.
 *
 * The profile is lxc.seccomp.profile, or nook's default (config/seccomp/common.seccomp) when
 * that is unset or empty. Unlike LXC, which loads nothing without the key, nook always loads a
 * filter; "lxc.seccomp.profile = /dev/null" (an empty file that is not a regular file) loads
 * none.
 *
 * The profile is a host path, so it is parsed while the host is still visible (before
 * pivot_root, or before an attach enters the container's mount namespace): the parsed filter
 * is plain memory and survives fork and clone. It is loaded at the very end, just before exec.
 */
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/spec.h"
#include "util/error.h"

static inline void nk_seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_seccomp_ctx_ __attribute__((cleanup(nk_seccomp_releasep)))

/*
 * Parses a policy file into a filter that is not loaded. Version 1 (an allowlist of native
 * syscall numbers) covers the native ABI only; version 2 covers every ABI the host runs (on
 * x86_64: x86_64, x86 and x32), with [all] rules in each and [ARCH] rules in their own.
 * Syscalls libseccomp does not know, or that an ABI lacks, are skipped (with a warning for the
 * former); anything malformed fails with "FILE:LINE: what was expected". *out is NULL, and 0
 * returned, for an empty file that is not a regular file (/dev/null): no filter at all.
 * The filter leaves no_new_privs alone (SCMP_FLTATR_CTL_NNP is 0).
 */
int nk_seccomp_load_file(const char *path, scmp_filter_ctx *out, nk_err **err);
/* The number of rule lines in a profile, every section counted; 0 for /dev/null. */
int nk_seccomp_count(const char *path, size_t *n_rules);

/*
 * The profile a spec uses: lxc.seccomp.profile when set and not empty, else the default
 * common.seccomp, looked for in $NOOK_SECCOMP_DIR, then the installed data directory, then
 * the source tree. Fails, naming every place looked in, when there is no default.
 */
int nk_seccomp_profile_path(const nk_spec *spec, char **path, nk_err **err);
/* Parses the spec's profile without loading it: for validation before the host is touched. */
int nk_seccomp_check(const nk_spec *spec, nk_err **err);

/* A parsed profile on its way to the kernel. */
typedef struct nk_seccomp nk_seccomp;

/*
 * Parses the spec's profile (while its path is reachable). LXC's lxc.seccomp.allow_nesting:
 * when this process is already under a seccomp filter and allow_nesting is not 1, nothing
 * will be loaded (the filter in force stays; LXC does the same); with 1 the new filter is
 * stacked on it.
 */
int nk_seccomp_prepare(const nk_spec *spec, nk_seccomp **out, nk_err **err);
/*
 * Loading a filter without no_new_privs needs CAP_SYS_ADMIN (in the process's user
 * namespace). A spec that removes sys_admin (lxc.cap.drop/keep) without lxc.no_new_privs = 1
 * must therefore load before the capabilities go: nk_seccomp_load_early loads only in that
 * case, and is called before the switch to lxc.init.uid and the capability drop;
 * nk_seccomp_load loads if that did not, and is called after them, just before exec. A filter
 * loaded early sees nook's last setup syscalls (setresuid, capset, prctl, close_range), as
 * runc's does in the same case. Both do nothing when there is nothing to load; both fail,
 * rather than run the container unfiltered, when the kernel refuses.
 */
int nk_seccomp_load_early(nk_seccomp *sc, nk_err **err);
int nk_seccomp_load(nk_seccomp *sc, nk_err **err);
/* The profile's path; NULL for NULL. */
const char *nk_seccomp_path(const nk_seccomp *sc);
void nk_seccomp_free(nk_seccomp *sc);
void nk_seccomp_freep(nk_seccomp **sc);

/* nk_seccomp_prepare then nk_seccomp_load, for a caller that can still reach the profile. */
int nk_seccomp_apply(const nk_spec *spec, nk_err **err);
