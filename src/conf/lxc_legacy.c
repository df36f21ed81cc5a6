/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Legacy keys (LXC before 3.0): every legacy row of the key table reads as a current key, with
 * one warning naming the place, so the rest of nook only ever sees current keys. The editor's
 * update records the translations to rewrite the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/lxc_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static void legacy_warn(const lxc_ctx *c, const char *old, const char *current)
{
	if (c->quiet_legacy)
		return;
	if (c->file)
		nk_warn("%s:%u: %s is a legacy key, read as %s", c->file, c->line, old, current);
	else
		nk_warn("%s is a legacy key, read as %s", old, current);
}

/* Reads a legacy line as target: one warning, the translation recorded for the editor. */
static int legacy_apply(lxc_ctx *c, const char *old, const char *target, const char *value,
                        nk_err **err)
{
	legacy_warn(c, old, target);
	if (c->translate && c->depth == 1) {
		int ret = c->translate(c->translate_data, c->line, old, target, err);
		if (ret < 0)
			return ret;
	}
	return lxc_apply(c, target, value, err);
}

int lxc_legacy_rename(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                      nk_err **err)
{
	_cleanup_free_ char *target = NULL;
	int ret = r->kind == ROW_LEGACY_PREFIX ? lxc_legacy_prefix_target(c->spec, r, sub, &target)
	                                       : lxc_legacy_key_target(c->spec, r, c->key, &target);
	if (ret == -ENOENT)
		return lxc_key_error(c, err, "unknown key");
	if (ret < 0)
		return lxc_oom(c, err);
	return legacy_apply(c, c->key, target, value, err);
}

int lxc_legacy_ignore(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                      nk_err **err)
{
	nk_spec *spec = obj;
	if (c->file)
		nk_notice("%s:%u: %s is obsolete and ignored", c->file, c->line, r->name);
	else
		nk_notice("%s is obsolete and ignored", r->name);
	if (c->translate && c->depth == 1) {
		int ret = c->translate(c->translate_data, c->line, r->name, NULL, err);
		if (ret < 0)
			return ret;
	}
	for (char **p = spec->ignored; p && *p; p++)
		if (!strcmp(*p, r->name))
			return 0;
	return nk_strv_push(&spec->ignored, r->name) < 0 ? lxc_oom(c, err) : 0;
}

static int highest_net(const nk_spec *spec)
{
	return spec->n_nets ? (int)spec->nets[spec->n_nets - 1].index : -1;
}

/* "lxc.net.[i].link" with [i] replaced by index. */
static int net_pattern(const char *pattern, unsigned index, char **out)
{
	const char *at = strstr(pattern, "[i]");
	if (!at)
		return (*out = strdup(pattern)) ? 0 : -ENOMEM;
	return asprintf(out, "%.*s%u%s", (int)(at - pattern), pattern, index, at + 3) < 0 ? -ENOMEM
	                                                                                  : 0;
}

/*
 * lxc.network.*: before LXC 3.0 each lxc.network.type opened the next network and the other
 * lxc.network keys applied to the last one opened.
 */
int lxc_legacy_net(lxc_ctx *c, const lxc_row *r, void *obj, const char *sub, const char *value,
                   nk_err **err)
{
	nk_spec *spec = obj;
	int last = highest_net(spec);
	bool opens = r->arg == 1;
	_cleanup_free_ char *target = NULL;
	if (opens && !*value)
		target = strdup("lxc.net");
	else if (opens || last >= 0)
		/* Unsigned: past the largest index, the lookup rejects the index, without overflow.
		 */
		net_pattern(r->legacy, (unsigned)last + opens, &target);
	else
		return lxc_key_error(c, err, "no network yet: lxc.network.type must come first");
	if (!target)
		return lxc_oom(c, err);
	return legacy_apply(c, c->key, target, value, err);
}

int lxc_legacy_key_target(const nk_spec *spec, const lxc_row *r, const char *key, char **out)
{
	if (r->set == lxc_legacy_net) {
		int last = highest_net(spec);
		return net_pattern(r->legacy, last < 0 ? 0 : (unsigned)last, out);
	}
	return (*out = strdup(r->legacy)) ? 0 : -ENOMEM;
}

/*
 * "lxc.network.N.X" (the LXC 2.x indexed form) -> "lxc.net.N.X", with ipv4/ipv6 -> *.address.
 * -ENOENT when sub is not of that form (an unknown lxc.network key).
 */
static int legacy_indexed_net(const char *sub, char **out)
{
	size_t digits = strspn(sub, "0123456789");
	const char *rest = sub + digits;
	if (!digits || (*rest && *rest != '.'))
		return -ENOENT;
	if (*rest)
		rest++;
	const char *suffix = !strcmp(rest, "ipv4") || !strcmp(rest, "ipv6") ? ".address" : "";
	int n =
	    asprintf(out, "lxc.net.%.*s%s%s%s", (int)digits, sub, *rest ? "." : "", rest, suffix);
	return n < 0 ? -ENOMEM : 0;
}

int lxc_legacy_prefix_target(const nk_spec *spec, const lxc_row *r, const char *sub, char **out)
{
	if (!sub)
		return (*out = strdup(r->legacy)) ? 0 : -ENOMEM;
	if (!strcmp(r->name, "lxc.network"))
		return legacy_indexed_net(sub, out);
	return asprintf(out, "%s.%s", r->legacy, sub) < 0 ? -ENOMEM : 0;
}
