/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static bool apparmor_enabled(void)
{
	_cleanup_free_ char *v = NULL;
	return nk_read_file("/sys/module/apparmor/parameters/enabled", &v, NULL, NULL) >= 0 &&
	       v[0] == 'Y';
}

static bool selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static bool wants_apparmor(const nk_spec *spec)
{
	const char *aa = spec->apparmor.profile;
	return aa && *aa && strcmp(aa, "unconfined") != 0;
}

void nk_lsm_note(const nk_spec *spec)
{
	if (wants_apparmor(spec) && !apparmor_enabled())
		nk_warn("lxc.apparmor.profile = %s ignored: this host does not run AppArmor",
			spec->apparmor.profile);
	if (spec->selinux.context && *spec->selinux.context && !selinux_enabled())
		nk_warn("lxc.selinux.context = %s ignored: this host does not run SELinux",
			  spec->selinux.context);
}

int nk_lsm_prepare(const nk_spec *spec, nk_lsm *out, nk_err **err)
{
	*out = (nk_lsm){ 0 };
	if (wants_apparmor(spec) && apparmor_enabled()) {
		if (strcmp(spec->apparmor.profile, "generated") == 0)
			return nk_err_set(err, EOPNOTSUPP,
					  "lxc.apparmor.profile = generated: nook does not generate "
					  "AppArmor profiles; name a loaded one (lxc-container-default-cgns)");
		out->apparmor = spec->apparmor.profile;
	}
	if (spec->selinux.context && *spec->selinux.context && selinux_enabled())
		out->selinux = spec->selinux.context;
	return 0;
}

/* The label the next execve takes; the kernel checks the transition then. */
static int write_exec_attr(const char *path, const char *fallback, const char *text, nk_err **err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && fallback)
		fd = open(path = fallback, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nk_err_sys(err, "open %s (is proc mounted in the container?)", path);
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	if (n < 0 || (size_t)n != strlen(text))
		return nk_err_set(err, n < 0 ? e : EIO, "write \"%s\" to %s", text, path);
	return 0;
}

int nk_lsm_apply(const nk_lsm *lsm, nk_err **err)
{
	if (lsm->apparmor) {
		char buf[512];
		snprintf(buf, sizeof(buf), "exec %s", lsm->apparmor);
		/* attr/apparmor/ since Linux 5.8, the shared attr/exec before. */
		int r = write_exec_attr("/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec",
					buf, err);
		if (r < 0)
			return nk_err_wrap(err, r, "lxc.apparmor.profile %s", lsm->apparmor);
	}
	if (lsm->selinux) {
		int r = write_exec_attr("/proc/thread-self/attr/exec", NULL, lsm->selinux, err);
		if (r < 0)
			return nk_err_wrap(err, r, "lxc.selinux.context %s", lsm->selinux);
	}
	return 0;
}
