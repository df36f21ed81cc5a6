/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which profile a container gets, and loading it (the policy file itself: seccomp_parse.c). */
#include "run/seccomp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "nk_config.h"
#include "util/cleanup.h"
#include "util/log.h"

#define PROFILE_NAME "common.seccomp"
#ifdef NK_DATA_DIR
#define INSTALLED_PROFILE NK_DATA_DIR "/config/seccomp/" PROFILE_NAME
#else
#define INSTALLED_PROFILE NK_TEMPLATE_DIR "/../config/seccomp/" PROFILE_NAME
#endif
#ifdef NK_SOURCE_DIR
#define SOURCE_PROFILE NK_SOURCE_DIR "/config/seccomp/" PROFILE_NAME
#else
#define SOURCE_PROFILE NK_SOURCE_TEMPLATE_DIR "/../config/seccomp/" PROFILE_NAME
#endif

struct nk_seccomp {
	scmp_filter_ctx ctx; /* NULL: nothing to load */
	char *path;
	bool early; /* must load while CAP_SYS_ADMIN is still held */
	bool loaded;
};

/* The first default profile that exists; *path is NULL when there is none. */
static int default_profile(char **path)
{
	const char *dir = getenv("NOOK_SECCOMP_DIR");
	_cleanup_free_ char *env = NULL;
	if (dir && *dir && asprintf(&env, "%s/%s", dir, PROFILE_NAME) < 0)
		return -ENOMEM;
	const char *const places[] = {env, INSTALLED_PROFILE, SOURCE_PROFILE};
	*path = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(places); i++) {
		if (!places[i] || access(places[i], R_OK) < 0)
			continue;
		*path = strdup(places[i]);
		return *path ? 0 : -ENOMEM;
	}
	return 0;
}

int nk_seccomp_profile_path(const nk_spec *spec, char **path, nk_err **err)
{
	const char *p = spec->seccomp.profile;
	if (p && *p) {
		*path = strdup(p);
		return *path ? 0 : nk_err_set(err, ENOMEM, "lxc.seccomp.profile");
	}
	int r = default_profile(path);
	if (r < 0)
		return nk_err_set(err, -r, "default seccomp profile");
	if (!*path)
		return nk_err_set(
		    err, ENOENT,
		    "no default seccomp profile (looked in $NOOK_SECCOMP_DIR, %s, %s); "
		    "set lxc.seccomp.profile, to /dev/null for none",
		    INSTALLED_PROFILE, SOURCE_PROFILE);
	return 0;
}

int nk_seccomp_check(const nk_spec *spec, nk_err **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	int r = nk_seccomp_profile_path(spec, &path, err);
	return r < 0 ? r : nk_seccomp_load_file(path, &ctx, err);
}

/* Whether a seccomp filter is in force: "Seccomp: 2" in /proc/self/status, else prctl. */
static bool confined(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8))
			return strtol(line + 8, NULL, 10) != 0;
	/* No /proc: PR_GET_SECCOMP says 2 under a filter (which could also refuse it). */
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0;
}

int nk_seccomp_prepare(const nk_spec *spec, nk_seccomp **out, nk_err **err)
{
	_cleanup_(nk_seccomp_freep) nk_seccomp *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return nk_err_set(err, ENOMEM, "seccomp");
	int r = nk_seccomp_profile_path(spec, &sc->path, err);
	/* Parsed even when it will not be loaded, so that a broken profile always fails. */
	if (r >= 0)
		r = nk_seccomp_load_file(sc->path, &sc->ctx, err);
	if (r < 0)
		return r;
	/*
	 * LXC's lxc.seccomp.allow_nesting: under a filter already (a nested container), the
	 * new one is stacked only when asked; the filter in force keeps applying either way.
	 */
	if (sc->ctx && spec->seccomp.allow_nesting != 1 && confined()) {
		nk_info("seccomp profile %s not loaded: already under a seccomp filter, and "
		        "lxc.seccomp.allow_nesting is not 1",
		        sc->path);
		nk_seccomp_releasep(&sc->ctx);
		sc->ctx = NULL;
	}
	sc->early = spec->no_new_privs != 1 && !nk_spec_cap_kept(spec, "sys_admin");
	*out = TAKE_PTR(sc);
	return 0;
}

static bool has_sys_admin(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	if (caps) {
		cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
		cap_free(caps);
	}
	return v == CAP_SET;
}

int nk_seccomp_load(nk_seccomp *sc, nk_err **err)
{
	if (!sc || !sc->ctx || sc->loaded)
		return 0;
	/*
	 * The kernel's rule: without no_new_privs, only CAP_SYS_ADMIN may install a filter, or
	 * a filter could make a setuid program fail where it would not expect to. Said here, in
	 * nook's words, rather than as a bare EACCES.
	 */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 && !has_sys_admin())
		return nk_err_set(err, EPERM,
		                  "load seccomp profile %s: without lxc.no_new_privs = 1 that "
		                  "needs CAP_SYS_ADMIN, which this process no longer has",
		                  sc->path);
	int r = seccomp_load(sc->ctx);
	if (r < 0)
		return nk_err_set(err, -r, "load seccomp profile %s", sc->path);
	sc->loaded = true;
	return 0;
}

int nk_seccomp_load_early(nk_seccomp *sc, nk_err **err)
{
	return sc && sc->early ? nk_seccomp_load(sc, err) : 0;
}

const char *nk_seccomp_path(const nk_seccomp *sc)
{
	return sc ? sc->path : NULL;
}

void nk_seccomp_free(nk_seccomp *sc)
{
	if (!sc)
		return;
	nk_seccomp_releasep(&sc->ctx);
	free(sc->path);
	free(sc);
}

void nk_seccomp_freep(nk_seccomp **sc)
{
	nk_seccomp_free(*sc);
}

int nk_seccomp_apply(const nk_spec *spec, nk_err **err)
{
	_cleanup_(nk_seccomp_freep) nk_seccomp *sc = NULL;
	int r = nk_seccomp_prepare(spec, &sc, err);
	return r < 0 ? r : nk_seccomp_load(sc, err);
}
