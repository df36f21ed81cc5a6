/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "run/limits.h"
#include "util/cleanup.h"
#include "util/fs.h"

const char *const nk_caps_lxc_default_drop[] = {
    "mac_admin", "mac_override", "sys_time", "sys_module", "sys_rawio", NULL,
};

static void cap_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

/*
 * The last capability the kernel knows, asked with PR_CAPBSET_READ (EINVAL past the end)
 * rather than read from /proc/sys/kernel/cap_last_cap: this runs after pivot_root, where
 * /proc is the container's, or not mounted at all.
 */
static int cap_last(void)
{
	int c = 0;
	while (c < 63 && prctl(PR_CAPBSET_READ, (unsigned long)c + 1, 0, 0, 0) >= 0)
		c++;
	return c;
}

/* A name as LXC takes it: any case, "cap_" optional, or the number. */
static int cap_parse(const char *name, cap_value_t *v)
{
	_cleanup_free_ char *full = NULL;
	bool bare = !isdigit((unsigned char)name[0]) && strncasecmp(name, "cap_", 4);
	if (asprintf(&full, "%s%s", bare ? "cap_" : "", name) < 0)
		return -ENOMEM;
	for (char *p = full; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (cap_from_name(full, v) < 0 || *v < 0 || *v > 63)
		return -EINVAL;
	return 0;
}

/* "none" (keep nothing) contributes no bit. */
static int names_mask(char **names, const char *key, uint64_t *mask, nk_err **err)
{
	*mask = 0;
	for (char **p = names; p && *p; p++) {
		cap_value_t v;
		if (!strcasecmp(*p, "none"))
			continue;
		int r = cap_parse(*p, &v);
		if (r < 0)
			return r == -EINVAL
			           ? nk_err_set(err, EINVAL, "%s: unknown capability %s", key, *p)
			           : nk_err_set(err, -r, "%s", key);
		*mask |= UINT64_C(1) << v;
	}
	return 0;
}

int nk_caps_check(const nk_spec *spec, nk_err **err)
{
	uint64_t m;
	int r = names_mask(spec->cap.drop, "lxc.cap.drop", &m, err);
	return r < 0 ? r : names_mask(spec->cap.keep, "lxc.cap.keep", &m, err);
}

int nk_caps_kept_mask(const nk_spec *spec, uint64_t *mask, nk_err **err)
{
	int last = cap_last();
	uint64_t all = last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
	uint64_t drop, keep;
	int r = names_mask(spec->cap.drop, "lxc.cap.drop", &drop, err);
	if (r >= 0)
		r = names_mask(spec->cap.keep, "lxc.cap.keep", &keep, err);
	if (r < 0)
		return r;
	/* LXC: a keep list wins over drop; "keep = none" keeps nothing. */
	*mask = nk_strv_len(spec->cap.keep) ? keep & all : all & ~drop;
	return 0;
}

static int drop_bounding(uint64_t kept, int last, nk_err **err)
{
	/*
	 * The bounding set is what limits a root init: execve gives uid 0 every capability of
	 * the bounding set, whatever the permitted set was before.
	 */
	for (int c = 0; c <= last; c++) {
		/* Already gone (nk_caps_limit): dropping again would need CAP_SETPCAP. */
		if ((kept & (UINT64_C(1) << c)) || prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0 && errno != EINVAL)
			return nk_err_sys(err, "drop capability %d from the bounding set", c);
	}
	return 0;
}

static int clear_ambient(nk_err **err)
{
	/* Ambient capabilities survive execve of any program; kernels before 4.3 have none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return nk_err_sys(err, "clear the ambient capabilities");
	return 0;
}

static int set_process_caps(uint64_t kept, int last, nk_err **err)
{
	_cleanup_(cap_freep) cap_t cur = cap_get_proc();
	_cleanup_(cap_freep) cap_t want = cap_init();
	if (!cur || !want)
		return nk_err_sys(err, "read the process capabilities");
	for (cap_value_t c = 0; c <= last; c++) {
		cap_flag_value_t have = CAP_CLEAR;
		if (!(kept & (UINT64_C(1) << c)) ||
		    cap_get_flag(cur, c, CAP_PERMITTED, &have) < 0 || have != CAP_SET)
			continue;
		if (cap_set_flag(want, CAP_PERMITTED, 1, &c, CAP_SET) < 0 ||
		    cap_set_flag(want, CAP_EFFECTIVE, 1, &c, CAP_SET) < 0)
			return nk_err_sys(err, "set capability %d", c);
	}
	/*
	 * Inheritable stays empty: inheritable bits plus a program's file inheritable bits hand
	 * a capability to it after exec, even to a non-root user (CVE-2022-29162).
	 */
	if (cap_set_proc(want) < 0)
		return nk_err_sys(err, "set the process capabilities");
	return 0;
}

/*
 * After a switch to a non-root uid (PR_SET_KEEPCAPS) the permitted set is intact but the
 * effective one is empty; raise it so CAP_SETPCAP works for the bounding set.
 */
static int raise_effective(nk_err **err)
{
	_cleanup_(cap_freep) cap_t c = cap_get_proc();
	if (!c)
		return nk_err_sys(err, "read the process capabilities");
	if (cap_fill(c, CAP_EFFECTIVE, CAP_PERMITTED) < 0 || cap_set_proc(c) < 0)
		return nk_err_sys(err, "raise the effective capabilities");
	return 0;
}

/* Bounding first: dropping from it needs CAP_SETPCAP, which the last step may drop. */
static int restrict_to(uint64_t kept, nk_err **err)
{
	int last = cap_last();
	int r = drop_bounding(kept, last, err);
	if (r >= 0)
		r = clear_ambient(err);
	if (r >= 0)
		r = set_process_caps(kept, last, err);
	return r;
}

int nk_caps_apply(const nk_spec *spec, nk_err **err)
{
	uint64_t kept;
	int r = nk_caps_kept_mask(spec, &kept, err);
	if (r < 0)
		return r;
	r = raise_effective(err);
	if (r >= 0)
		r = restrict_to(kept, err);
	if (r >= 0)
		r = nk_no_new_privs_apply(spec, err);
	return r < 0 ? nk_err_wrap(err, r, "capabilities") : 0;
}

int nk_caps_limit(const nk_spec *spec, uint64_t also_keep, nk_err **err)
{
	uint64_t kept;
	int r = nk_caps_kept_mask(spec, &kept, err);
	if (r < 0)
		return r;
	r = restrict_to(kept | also_keep, err);
	return r < 0 ? nk_err_wrap(err, r, "capabilities") : 0;
}
