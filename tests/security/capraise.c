/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Regaining a dropped capability (CVE-2022-29162 class; tests/security/escape.bats).
 *
 *   capraise grant FILE   writes a security.capability xattr (VFS_CAP_REVISION_2) on FILE giving
 *                         it every capability, permitted and inheritable, with the effective
 *                         bit: what `setcap all+eip FILE` does. The kernel then refuses the exec
 *                         (EPERM) when it cannot grant all of them: the bounding set stopped it
 *   capraise grant-ip FILE the same without the effective bit (`setcap all+ip`): the exec runs
 *                         and gets what the bounding set and the inheritable set let through
 *   capraise raise        tries the ways a running process could add CAP_SYS_MODULE and
 *                         CAP_SYS_TIME: capset() into the inheritable and permitted sets, and
 *                         PR_CAP_AMBIENT_RAISE; prints each result
 *   capraise show         prints CapInh/CapPrm/CapEff/CapBnd/CapAmb as hex (what a binary with
 *                         file capabilities ends up with after exec)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *e(int ok)
{
	return ok ? "OK" : strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

static int show(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	if (!f)
		return 2;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cap", 3))
			fputs(line, stdout);
	fclose(f);
	return 0;
}

static int grant(const char *file, int effective)
{
	struct vfs_cap_data d = {.magic_etc = VFS_CAP_REVISION_2 |
	                                      (effective ? VFS_CAP_FLAGS_EFFECTIVE : 0)};
	for (int i = 0; i < VFS_CAP_U32_2; i++) {
		d.data[i].permitted = 0xffffffffu;
		d.data[i].inheritable = 0xffffffffu;
	}
	int ok = setxattr(file, "security.capability", &d, XATTR_CAPS_SZ_2, 0) == 0;
	printf("setxattr(security.capability)=%s\n", e(ok));
	return ok ? 0 : 1;
}

static int raise_caps(void)
{
	int caps[] = {CAP_SYS_MODULE, CAP_SYS_TIME};
	const char *names[] = {"sys_module", "sys_time"};
	int worked = 0;
	for (int i = 0; i < 2; i++) {
		struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
		struct __user_cap_data_struct d[2];
		syscall(SYS_capget, &h, d);
		d[caps[i] / 32].inheritable |= 1u << (caps[i] % 32);
		int ok = syscall(SYS_capset, &h, d) == 0;
		printf("capset(+inheritable %s)=%s\n", names[i], e(ok));
		worked += ok;
		syscall(SYS_capget, &h, d);
		d[caps[i] / 32].permitted |= 1u << (caps[i] % 32);
		d[caps[i] / 32].effective |= 1u << (caps[i] % 32);
		ok = syscall(SYS_capset, &h, d) == 0;
		printf("capset(+permitted %s)=%s\n", names[i], e(ok));
		worked += ok;
		ok = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0) == 0;
		printf("ambient raise %s=%s\n", names[i], e(ok));
		worked += ok;
	}
	return worked ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "grant"))
		return grant(argv[2], 1);
	if (argc == 3 && !strcmp(argv[1], "grant-ip"))
		return grant(argv[2], 0);
	if (argc == 2 && !strcmp(argv[1], "raise"))
		return raise_caps();
	if (argc == 2 && !strcmp(argv[1], "show"))
		return show();
	fprintf(stderr, "usage: capraise grant|grant-ip FILE | raise | show\n");
	return 2;
}
