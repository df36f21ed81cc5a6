/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing limits: lxc.cgroup.KEY, lxc.cgroup2.KEY and device rules. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/parse.h"

/*
 * A key names a file inside the container's own cgroup directory and comes from configuration,
 * so it is held to the shape of a controller file: lower-case words joined by dots, the first of
 * them the controller. No slash can get through, so no key reaches outside the directory.
 */
static int key_controller(const char *key, char *ctrl, size_t size)
{
	size_t len = strlen(key);
	if (len == 0 || len > 128 || key[0] == '.' || key[len - 1] == '.' || strstr(key, ".."))
		return -EINVAL;
	for (const char *p = key; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' &&
		    *p != '.')
			return -EINVAL;
	const char *dot = strchr(key, '.');
	if (!dot || (size_t)(dot - key) >= size)
		return -EINVAL;
	memcpy(ctrl, key, (size_t)(dot - key));
	ctrl[dot - key] = '\0';
	return 0;
}

static int check_key(const char *prefix, const char *key, const char *value, char *ctrl,
                     size_t size, nk_err **err)
{
	if (key_controller(key, ctrl, size) < 0)
		return nk_err_set(err, 0, "%s%s: not a cgroup file name", prefix, key);
	if (!value || !*value)
		return nk_err_set(err, 0, "%s%s: empty value", prefix, key);
	return 0;
}

/* Write and name both the key and the file on failure; a missing file gets its own words. */
static int write_key(struct cg_hier *h, const char *prefix, const char *key, const char *value,
                     nk_err **err)
{
	if (!cg_exists_at(h->fd, key))
		return nk_err_set(err, 0, "%s%s: %s has no file %s (not a %s key on this kernel?)",
		                  prefix, key, h->dir, key, h->v2 ? "cgroup v2" : "cgroup v1");
	int r = cg_write_at(h->fd, h->dir, key, value, err);
	return r < 0 ? nk_err_wrap(err, r, "%s%s", prefix, key) : 0;
}

int nk_cgroup_set_v1(nk_cgroup *cg, const char *key, const char *value, nk_err **err)
{
	static const char prefix[] = "lxc.cgroup.";
	char ctrl[64];
	int r = check_key(prefix, key, value, ctrl, sizeof(ctrl), err);
	if (r < 0)
		return r;
	struct cg_hier *h = cg_find_v1(cg, ctrl);
	if (h)
		return write_key(h, prefix, key, value, err);
	if (!strcmp(ctrl, "cgroup"))
		return nk_err_set(err, 0, "%s%s: an interface file, not a limit", prefix, key);
	if (cg->layout == NK_CG_LAYOUT_V2)
		return nk_err_set(err, 0,
		                  "%s%s: this host has no cgroup v1 hierarchies (it is pure "
		                  "cgroup v2: use lxc.cgroup2.*)",
		                  prefix, key);
	if (cg_strv_contains(cg->v2_ctrl, ctrl))
		return nk_err_set(err, 0,
		                  "%s%s: this host has no cgroup v1 %s controller (it is on "
		                  "cgroup v2 here: use lxc.cgroup2.*)",
		                  prefix, key, ctrl);
	return nk_err_set(err, 0, "%s%s: this host has no cgroup v1 %s controller%s", prefix, key,
	                  ctrl, cg_kernel_note(ctrl));
}

/* Available at the top of the hierarchy but not here: some parent could not delegate it. */
static bool v2_root_has(const nk_cgroup *cg, const char *ctrl)
{
	_cleanup_free_ char *s = NULL;
	_cleanup_strv_ char **v = NULL;
	_cleanup_close_ int fd = cg_open_dir_at(AT_FDCWD, cg->unified->mountpoint);
	if (fd < 0 || cg_read_at(fd, cg->unified->mountpoint, "cgroup.controllers", &s, NULL) < 0)
		return false;
	return cg_split(s, " ", &v) == 0 && cg_strv_contains(v, ctrl);
}

static int v2_missing(const nk_cgroup *cg, const char *prefix, const char *key, const char *ctrl,
                      nk_err **err)
{
	if (!cg->unified)
		return nk_err_set(err, 0,
		                  "%s%s: this host has no cgroup v2 hierarchy (it is pure "
		                  "cgroup v1: use lxc.cgroup.*)",
		                  prefix, key);
	if (v2_root_has(cg, ctrl))
		return nk_err_set(err, 0,
		                  "%s%s: the cgroup v2 %s controller is not enabled for %s "
		                  "(a parent's cgroup.subtree_control lacks it)",
		                  prefix, key, ctrl, cg->unified->dir);
	if (cg_find_v1(cg, ctrl))
		return nk_err_set(err, 0,
		                  "%s%s: this host has no cgroup v2 %s controller (it is on "
		                  "cgroup v1 here: use lxc.cgroup.*)",
		                  prefix, key, ctrl);
	return nk_err_set(err, 0, "%s%s: this host has no cgroup v2 %s controller%s", prefix, key,
	                  ctrl, cg_kernel_note(ctrl));
}

int nk_cgroup_set_v2(nk_cgroup *cg, const char *key, const char *value, nk_err **err)
{
	static const char prefix[] = "lxc.cgroup2.";
	char ctrl[64];
	int r = check_key(prefix, key, value, ctrl, sizeof(ctrl), err);
	if (r < 0)
		return r;
	if (!strcmp(ctrl, "cgroup")) {
		/* Core files: only the two that are limits; cgroup.procs & co. are not config. */
		if (strcmp(key, "cgroup.max.depth") != 0 &&
		    strcmp(key, "cgroup.max.descendants") != 0)
			return nk_err_set(err, 0, "%s%s: an interface file, not a limit", prefix,
			                  key);
		if (!cg->unified)
			return v2_missing(cg, prefix, key, ctrl, err);
		return write_key(cg->unified, prefix, key, value, err);
	}
	if (!cg->unified || !cg_strv_contains(cg->v2_ctrl, ctrl))
		return v2_missing(cg, prefix, key, ctrl, err);
	return write_key(cg->unified, prefix, key, value, err);
}

static int parse_dev_num(const char *s, int64_t *out)
{
	if (!strcmp(s, "*")) {
		*out = NK_CG_DEV_ANY;
		return 0;
	}
	uint64_t v;
	int r = nk_parse_u64(s, UINT32_MAX, &v);
	if (r == 0)
		*out = (int64_t)v;
	return r;
}

static int parse_access(const char *s, unsigned *out)
{
	unsigned acc = 0;
	for (const char *p = s; *p; p++) {
		unsigned bit = *p == 'r'   ? NK_CG_DEV_READ
		               : *p == 'w' ? NK_CG_DEV_WRITE
		               : *p == 'm' ? NK_CG_DEV_MKNOD
		                           : 0;
		if (!bit || (acc & bit))
			return -EINVAL;
		acc |= bit;
	}
	*out = acc;
	return acc ? 0 : -EINVAL;
}

/* "TYPE MAJOR:MINOR ACCESS" after the type character has been checked. */
static int parse_dev_fields(char *s, nk_cg_dev_rule *r)
{
	char *save = NULL, *type = strtok_r(s, " \t", &save);
	char *nums = strtok_r(NULL, " \t", &save), *acc = strtok_r(NULL, " \t", &save);
	if (!type || !nums || !acc || strtok_r(NULL, " \t", &save) || strlen(type) != 1)
		return -EINVAL;
	char *colon = strchr(nums, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	if (parse_dev_num(nums, &r->major) < 0 || parse_dev_num(colon + 1, &r->minor) < 0)
		return -EINVAL;
	if (parse_access(acc, &r->access) < 0)
		return -EINVAL;
	/* "a" means every device; a number with it would be silently ignored by the kernel. */
	if (r->type == 'a' && (r->major != NK_CG_DEV_ANY || r->minor != NK_CG_DEV_ANY))
		return -EINVAL;
	return 0;
}

int nk_cg_dev_rule_parse(const char *s, bool allow, nk_cg_dev_rule *out, nk_err **err)
{
	_cleanup_free_ char *copy = strdup(s ? s : "");
	if (!copy)
		return nk_err_set(err, ENOMEM, "device rule");
	char *t = copy;
	while (*t == ' ' || *t == '\t')
		t++;
	nk_cg_dev_rule r = {.allow = allow,
	                    .type = t[0],
	                    .major = NK_CG_DEV_ANY,
	                    .minor = NK_CG_DEV_ANY,
	                    .access = NK_CG_DEV_READ | NK_CG_DEV_WRITE | NK_CG_DEV_MKNOD};
	if (r.type != 'a' && r.type != 'b' && r.type != 'c')
		return nk_err_set(err, 0, "device rule \"%s\": type must be a, b or c", s);
	bool all = t[1] == '\0' || (r.type == 'a' && strspn(t + 1, " \t") == strlen(t + 1));
	if (!all && parse_dev_fields(t, &r) < 0)
		return nk_err_set(err, 0,
		                  "device rule \"%s\": expected \"TYPE MAJOR:MINOR "
		                  "ACCESS\" as in \"c 1:3 rwm\"",
		                  s);
	if (all && r.type != 'a')
		return nk_err_set(err, 0, "device rule \"%s\": missing MAJOR:MINOR ACCESS", s);
	*out = r;
	return 0;
}

static void fmt_num(char *buf, size_t size, int64_t v)
{
	if (v == NK_CG_DEV_ANY)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%lld", (long long)v);
}

const char *nk_cg_dev_rule_format(const nk_cg_dev_rule *r, char *buf, size_t size)
{
	if (r->type == 'a') {
		snprintf(buf, size, "a");
		return buf;
	}
	char maj[16], min[16], acc[4];
	size_t n = 0;
	fmt_num(maj, sizeof(maj), r->major);
	fmt_num(min, sizeof(min), r->minor);
	if (r->access & NK_CG_DEV_READ)
		acc[n++] = 'r';
	if (r->access & NK_CG_DEV_WRITE)
		acc[n++] = 'w';
	if (r->access & NK_CG_DEV_MKNOD)
		acc[n++] = 'm';
	acc[n] = '\0';
	snprintf(buf, size, "%c %s:%s %s", r->type, maj, min, acc);
	return buf;
}

int nk_cgroup_devices_apply(nk_cgroup *cg, const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                            nk_err **err)
{
	/* A hybrid host keeps its v1 controller: the kernel would ask both, and v1 is what the
	 * rest of the host (and `lxc.cgroup.devices.*`) already uses there. */
	struct cg_hier *h = cg_find_v1(cg, "devices");
	int r;
	if (h)
		r = cg_v1_devices_apply(h, rules, n, default_deny, err);
	else if (cg->unified && cg->unified->fd >= 0)
		r = cg_v2_devices_apply(cg->unified, rules, n, default_deny, err);
	else
		return nk_err_set(err, EOPNOTSUPP,
		                  "device rules for cgroup %s: this host has neither a cgroup v1 "
		                  "devices controller nor a cgroup v2 hierarchy",
		                  cg->name);
	return r < 0 ? nk_err_wrap(err, r, "device rules for cgroup %s", cg->name) : 0;
}
