/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seccomp profiles: LXC's policy format parsed (every malformed-line class with its
 * FILE:LINE), then filters loaded for real in forked children and their effect checked on
 * syscalls of every ABI the host runs (x86 through int $0x80, x32 through the x32 bit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "run/seccomp.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- helpers (child side) ---- */

/* A profile in a new temp file; the caller unlinks it. */
static char *profile(const char *text)
{
	char *path = strdup("/tmp/nook-seccomp-test.XXXXXX");
	CHECK(path);
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	nkt_write(path, text);
	return path;
}

static void unlink_freep(char **path)
{
	if (*path) {
		unlink(*path);
		free(*path);
	}
}
#define _cleanup_profile_ _cleanup_(unlink_freep)

/* A decimal field of /proc/self/status ("Seccomp", "NoNewPrivs"); -1 when absent. */
static long status_field(const char *name)
{
	FILE *f = fopen("/proc/self/status", "re");
	CHECK(f);
	char line[256];
	long v = -1;
	size_t n = strlen(name);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* The errno a raw syscall failed with, 0 when it succeeded. */
#define SYS_ERRNO(...) (syscall(__VA_ARGS__) < 0 ? errno : 0)

static nk_spec *spec_with(const char *profile_path)
{
	nk_spec *s = nkt_spec();
	if (profile_path)
		s->seccomp.profile = strdup(profile_path);
	return s;
}

static void apply(const char *text)
{
	_cleanup_profile_ char *path = profile(text);
	_cleanup_(nk_spec_freep) nk_spec *s = spec_with(path);
	CHECK_OK(nk_seccomp_apply(s, &E));
}

/* fn runs in a forked child that first loads ctx: its exit code, or 128 + the signal. */
static int run_filtered(scmp_filter_ctx ctx, int (*fn)(void))
{
	fflush(stderr);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (seccomp_load(ctx) < 0)
			_exit(100);
		/* The raw syscall: no exit path of a sanitizer runtime may run under the filter. */
		syscall(SYS_exit_group, fn());
		_exit(101);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#if defined(__x86_64__)
/* A syscall of the x86 (i386) ABI from this 64-bit process: the kernel and the filter see
 * AUDIT_ARCH_I386 and the i386 numbers. Returns -errno on failure, as the kernel does. */
static long int80(long nr, long a1, long a2, long a3, long a4)
{
	long r;
	__asm__ volatile("int $0x80"
	                 : "=a"(r)
	                 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
	                 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

static int ia32_probe(void)
{
	return int80(20 /* getpid */, 0, 0, 0, 0) == getpid() ? 0 : 1;
}

/* Whether this kernel runs i386 syscalls (CONFIG_IA32_EMULATION, not ia32_emulation=0). */
static bool ia32_works(void)
{
	fflush(stderr);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(ia32_probe());
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static long nr_of(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);
	CHECK(nr >= 0);
	return nr;
}
#endif

/* ---- version 1 and allowlists ---- */

/* What a filtered child needs to reach _exit, with an allocator that may map and unmap. */
static const char *const basics[] = {"read",   "write", "exit",           "exit_group", "mmap",
                                     "munmap", "brk",   "rt_sigprocmask", "madvise",    "futex"};

static int getpgrp_errno(void)
{
	return SYS_ERRNO(SYS_getpgrp);
}

static int v1_child(void *arg)
{
	char text[512] = "1\nwhitelist\n# native numbers\n";
	for (size_t i = 0; i < ARRAY_SIZE(basics); i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%d\n",
		         seccomp_syscall_resolve_name(basics[i]));
	_cleanup_profile_ char *path = profile(text);
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	size_t n = 0;
	CHECK_OK(nk_seccomp_load_file(path, &ctx, &E));
	CHECK(ctx);
	CHECK(nk_seccomp_count(path, &n) == 0 && n == ARRAY_SIZE(basics));
	/* Version 1 numbers are native ones: no other ABI is in the filter (so it is killed). */
	CHECK(seccomp_arch_exist(ctx, seccomp_arch_native()) == 0);
	CHECK(seccomp_arch_native() != SCMP_ARCH_X86_64 ||
	      seccomp_arch_exist(ctx, SCMP_ARCH_X86) == -EEXIST);
	/* Anything not listed kills. */
	CHECK(run_filtered(ctx, getpgrp_errno) == 128 + SIGSYS);
	return 0;
}

static void test_v1_allowlist(void **state)
{
	NKT_RUN(0, v1_child, NULL);
}

static int allowlist_child(void *arg)
{
	char text[512] = "2\nallowlist errno 77\n[all]\n";
	for (size_t i = 0; i < ARRAY_SIZE(basics); i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\n", basics[i]);
	_cleanup_profile_ char *path = profile(text);
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	CHECK_OK(nk_seccomp_load_file(path, &ctx, &E));
	/* The header's action is the one for every syscall no rule names. */
	CHECK(run_filtered(ctx, getpgrp_errno) == 77);
	return 0;
}

static void test_v2_allowlist_default_action(void **state)
{
	NKT_RUN(0, allowlist_child, NULL);
}

/* ---- denylists: actions, arguments ---- */

static int denylist_kill_child(void *arg)
{
	_cleanup_profile_ char *path = profile("2\nblacklist\ngetpgrp\n");
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	CHECK_OK(nk_seccomp_load_file(path, &ctx, &E));
	/* A denylist rule without an action kills, as in LXC. */
	CHECK(run_filtered(ctx, getpgrp_errno) == 128 + SIGSYS);
	return 0;
}

static void test_v2_denylist_kill(void **state)
{
	NKT_RUN(0, denylist_kill_child, NULL);
}

static int actions_child(void *arg)
{
	apply("2\n"
	      "denylist   # every syscall not named is allowed\n"
	      "sched_getscheduler errno 42\n"
	      "sched_get_priority_max trace 7   # no tracer: ENOSYS\n"
	      "geteuid log\n"
	      "getgid allow      # the default already: changes nothing\n");
	CHECK(SYS_ERRNO(SYS_sched_getscheduler, 0) == 42);
	CHECK(SYS_ERRNO(SYS_sched_get_priority_max, SCHED_OTHER) == ENOSYS);
	CHECK(syscall(SYS_geteuid) == 0);
	CHECK(syscall(SYS_getgid) == 0);
	CHECK(status_field("Seccomp") == 2);
	/* Loading set no no_new_privs: only lxc.no_new_privs does. */
	CHECK(status_field("NoNewPrivs") == 0);
	return 0;
}

static void test_v2_actions(void **state)
{
	NKT_RUN(0, actions_child, NULL);
}

static int args_child(void *arg)
{
	apply("2\ndenylist\n"
	      "personality errno 1 [0,0xffffffff,SCMP_CMP_EQ]\n"
	      "getpriority errno 7 [0,5,>=] [1,0,SCMP_CMP_EQ]\n"
	      "reject_force_umount\n");
	/* personality(0xffffffff) only queries; the rule takes exactly that value. */
	CHECK(SYS_ERRNO(SYS_personality, 0xffffffffUL) == EPERM);
	CHECK(syscall(SYS_personality, PER_LINUX) >= 0);
	CHECK(SYS_ERRNO(SYS_getpriority, 5, 0) == 7);
	CHECK(SYS_ERRNO(SYS_getpriority, 5, 1) == EINVAL);
	CHECK(SYS_ERRNO(SYS_getpriority, 0, 0) == 0);
	/* reject_force_umount: MNT_FORCE in the flags, whatever else is there (a mask). */
	CHECK(SYS_ERRNO(SYS_umount2, "/nonexistent-nook", MNT_FORCE) == EACCES);
	CHECK(SYS_ERRNO(SYS_umount2, "/nonexistent-nook", MNT_FORCE | MNT_DETACH) == EACCES);
	CHECK(SYS_ERRNO(SYS_umount2, "/nonexistent-nook", MNT_DETACH) == ENOENT);
	return 0;
}

static void test_v2_argument_filters(void **state)
{
	NKT_RUN(0, args_child, NULL);
}

static int unknown_child(void *arg)
{
	_cleanup_profile_ char *path =
	    profile("2\ndenylist\n"
	            "no_such_syscall errno 1\n"
	            "kexec_file_load errno 1   # not on x86: skipped there\n"
	            "getpgrp errno 3\n");
	size_t n = 0;
	CHECK(nk_seccomp_count(path, &n) == 0 && n == 3);
	_cleanup_(nk_spec_freep) nk_spec *s = spec_with(path);
	CHECK_OK(nk_seccomp_apply(s, &E));
	CHECK(SYS_ERRNO(SYS_getpgrp) == 3);
	return 0;
}

static void test_unknown_syscall_skipped(void **state)
{
	NKT_RUN(0, unknown_child, NULL);
}

/* ---- architectures ---- */

#if defined(__x86_64__)
static int arch_child(void *arg)
{
	_cleanup_profile_ char *path = profile("2\ndenylist\n"
	                                       "[x86_64]\ngetsid errno 13\n"
	                                       "[x86]\ngetsid errno 11\n"
	                                       "[X32]\ngetsid errno 12\n"
	                                       "[all]\ngetpgrp errno 14\n"
	                                       "[arm64]\ngetpgrp errno 15   # not this host\n"
	                                       "[i386]\ngetuid errno 16\n");
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	size_t n = 0;
	CHECK_OK(nk_seccomp_load_file(path, &ctx, &E));
	CHECK(nk_seccomp_count(path, &n) == 0 && n == 6);
	CHECK(seccomp_arch_exist(ctx, SCMP_ARCH_X86_64) == 0);
	CHECK(seccomp_arch_exist(ctx, SCMP_ARCH_X86) == 0);
	CHECK(seccomp_arch_exist(ctx, SCMP_ARCH_X32) == 0);
	bool ia32 = ia32_works();
	CHECK(seccomp_load(ctx) == 0);

	/* Each section reaches its own ABI only... */
	CHECK(SYS_ERRNO(SYS_getsid, 0) == 13);
	CHECK(SYS_ERRNO(nr_of(SCMP_ARCH_X32, "getsid"), 0) == 12);
	CHECK(syscall(SYS_getuid) == 0);
	/* ...and [all] every one of them. */
	CHECK(SYS_ERRNO(SYS_getpgrp) == 14);
	CHECK(SYS_ERRNO(nr_of(SCMP_ARCH_X32, "getpgrp")) == 14);
	if (ia32) {
		CHECK(int80(nr_of(SCMP_ARCH_X86, "getsid"), 0, 0, 0, 0) == -11);
		CHECK(int80(nr_of(SCMP_ARCH_X86, "getpgrp"), 0, 0, 0, 0) == -14);
		CHECK(int80(nr_of(SCMP_ARCH_X86, "getuid"), 0, 0, 0, 0) == -16);
	} else {
		fprintf(stderr,
		        "note: no i386 syscalls on this kernel; x86 checked in the filter only\n");
	}
	return 0;
}

/* On x86 a socket rule is also a socketcall one, whose arguments a filter cannot see. */
static int socketcall_child(void *arg)
{
	_cleanup_profile_ char *path = profile("2\ndenylist\n[all]\nsocket errno 1 [0,40,==]\n");
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	CHECK_FAILS(EINVAL, ":4: libseccomp cannot add the rule for socket on x86: ",
	            nk_seccomp_load_file(path, &ctx, &E));
	_cleanup_profile_ char *ok = profile("2\ndenylist\n[x86_64]\nsocket errno 1 [0,40,==]\n");
	CHECK_OK(nk_seccomp_load_file(ok, &ctx, &E));
	return 0;
}
#endif

static void test_arch_sections(void **state)
{
#if defined(__x86_64__)
	NKT_RUN(0, arch_child, NULL);
	NKT_RUN(0, socketcall_child, NULL);
#else
	skip();
#endif
}

/* ---- malformed profiles ---- */

static const struct {
	const char *text;
	unsigned line;
	const char *what;
} malformed[] = {
    {"", 1, "expected the policy version, 1 or 2"},
    {"3\nallowlist\n", 1, "expected the policy version, 1 or 2, not \"3\""},
    {"2\n", 2, "expected the policy type, allowlist or denylist"},
    {"2\ngraylist\n", 2, "expected the policy type, allowlist or denylist, not \"graylist\""},
    {"1\ndenylist\n", 2, "a version 1 policy is a bare allowlist of syscall numbers"},
    {"1\nallowlist errno 1\n", 2, "a version 1 policy is a bare allowlist"},
    {"2\nallowlist debug\n", 2, "unknown action \"debug\""},
    {"2\ndenylist errno\n", 2, "expected a number from 0 to 4095 after errno"},
    {"1\nallowlist\n0\nread\n", 4, "expected a syscall number, not \"read\""},
    {"1\nallowlist\n[all]\n", 3, "a version 1 policy has no architecture sections"},
    {"2\ndenylist\n# c\n\ngetpid explode\n", 5, "unknown action \"explode\""},
    {"2\ndenylist\ngetpid errno 4096\n", 3, "expected a number from 0 to 4095 after errno"},
    {"2\ndenylist\ngetpid errno -1\n", 3, "expected a number from 0 to 4095 after errno"},
    {"2\ndenylist\ngetpid trace\n", 3, "expected a number from 0 to 65535 after trace"},
    {"2\ndenylist\ngetpid errno 1 2\n", 3, "unexpected \"2\" after the action"},
    {"2\ndenylist\ngetpid kill now\n", 3, "unexpected \"now\" after the action"},
    {"2\ndenylist\ngetpid notify\n", 3, "the notify action needs a seccomp notification proxy"},
    {"2\ndenylist\n[vax]\n", 3, "unknown architecture [vax]"},
    {"2\ndenylist\n[x86_64\n", 3, "expected [ARCH] or [all], not \"[x86_64\""},
    {"2\ndenylist\nget-pid\n", 3, "expected a syscall name, not \"get-pid\""},
    {"2\ndenylist\ngetpid errno 1 [0,1,SCMP_CMP_EQ\n", 3, "expected ] to close"},
    {"2\ndenylist\ngetpid errno 1 [6,1,SCMP_CMP_EQ]\n", 3,
     "expected an argument index from 0 to 5, not \"6\""},
    {"2\ndenylist\ngetpid errno 1 [0,zz,SCMP_CMP_EQ]\n", 3,
     "expected a number as the value, not \"zz\""},
    {"2\ndenylist\ngetpid errno 1 [0,-1,SCMP_CMP_EQ]\n", 3,
     "expected a number as the value, not \"-1\""},
    {"2\ndenylist\ngetpid errno 1 [0,1,SCMP_CMP_XX]\n", 3, "unknown comparison \"SCMP_CMP_XX\""},
    {"2\ndenylist\ngetpid errno 1 [0,1,SCMP_CMP_MASKED_EQ]\n", 3,
     "SCMP_CMP_MASKED_EQ needs a mask"},
    {"2\ndenylist\ngetpid errno 1 [0,1,SCMP_CMP_EQ,1]\n", 3,
     "only SCMP_CMP_MASKED_EQ takes a mask"},
    {"2\ndenylist\ngetpid errno 1 [0,1,&=,zz]\n", 3, "expected a number as the mask, not \"zz\""},
    {"2\ndenylist\ngetpid errno 1 [0,1]\n", 3, "expected [INDEX,VALUE,OP] or"},
    {"2\ndenylist\ngetpid errno 1 [0,1,==] junk\n", 3,
     "expected [INDEX,VALUE,OP] or the end of the line, not \"junk\""},
    {"2\ndenylist\ngetpid errno 1 [0,1,==][1,1,==][2,1,==][3,1,==][4,1,==][5,1,==][0,2,==]\n", 3,
     "more than 6 argument comparisons"},
    {"2\ndenylist\n[0,1,==]\n", 3, "unknown architecture [0,1,==]"},
    {"2\ndenylist\nreject_force_umount errno 1\n", 3, "reject_force_umount takes no action"},
    {"2\ndenylist\n[all]\npersonality errno 1 [0,1,==] [0,2,==]\n", 4,
     "libseccomp cannot add the rule for personality on "},
    {"2\ndenylist\n[arm64]\ngetpid errno 1 [0,1,<>]\n", 4, "unknown comparison \"<>\""},
};

static int malformed_child(void *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(malformed); i++) {
		_cleanup_profile_ char *path = profile(malformed[i].text);
		_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
		_cleanup_err_ nk_err *err = NULL;
		char want[512];
		snprintf(want, sizeof(want), "%s:%u: %s", path, malformed[i].line,
		         malformed[i].what);
		int r = nk_seccomp_load_file(path, &ctx, &err);
		if (r != -EINVAL || !err || strncmp(err->msg, want, strlen(want)) || ctx) {
			fprintf(stderr, "case %zu: want -EINVAL \"%s\", got %d \"%s\"\n", i, want,
			        r, err ? err->msg : "");
			return 1;
		}
		size_t n;
		CHECK(nk_seccomp_count(path, &n) == -EINVAL);
	}
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	CHECK_FAILS(ENOENT, "seccomp profile /nonexistent/nook.seccomp",
	            nk_seccomp_load_file("/nonexistent/nook.seccomp", &ctx, &E));
	return 0;
}

static void test_malformed_lines(void **state)
{
	NKT_RUN(0, malformed_child, NULL);
}

/* ---- the default profile ---- */

static void check_default_denials(void)
{
	/* Arguments that would fail harmlessly (EINVAL, EBADF, ENOENT) if the call got through. */
	CHECK(SYS_ERRNO(SYS_kexec_load, 0, 0, NULL, 0x8000) == EPERM);
	CHECK(SYS_ERRNO(SYS_kexec_file_load, -1, -1, 0, NULL, 0x8000) == EPERM);
	CHECK(SYS_ERRNO(SYS_open_by_handle_at, -1, NULL, 0) == EPERM);
	CHECK(SYS_ERRNO(SYS_init_module, NULL, 0, "") == EPERM);
	CHECK(SYS_ERRNO(SYS_finit_module, -1, "", 0) == EPERM);
	CHECK(SYS_ERRNO(SYS_delete_module, "nook_no_such_module", O_NONBLOCK) == EPERM);
	CHECK(SYS_ERRNO(SYS_umount2, "/nonexistent-nook", MNT_FORCE) == EACCES);
	CHECK(SYS_ERRNO(SYS_umount2, "/nonexistent-nook", 0) == ENOENT);
	/* LXC's profile leaves the keyring alone, and so does nook's. */
	int e = SYS_ERRNO(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0);
	CHECK(e != EPERM);
}

static void check_default_allows(void)
{
	int p[2];
	char buf[4] = {0};
	CHECK(syscall(SYS_getpid) == getpid() && getpid() > 0);
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK(write(p[1], "ok", 2) == 2 && read(p[0], buf, sizeof(buf)) == 2 && !strcmp(buf, "ok"));
	close(p[0]);
	close(p[1]);
	CHECK(status_field("Seccomp") == 2);
	CHECK(status_field("NoNewPrivs") == 0);
}

#if defined(__x86_64__)
static void check_default_compat(void)
{
	long kexec = nr_of(SCMP_ARCH_X32, "kexec_load");
	long umount = nr_of(SCMP_ARCH_X32, "umount2");
	CHECK(SYS_ERRNO(kexec, 0, 0, NULL, 0x8000) == EPERM);
	CHECK(SYS_ERRNO(umount, "/nonexistent-nook", MNT_FORCE) == EACCES);
	if (!ia32_works())
		return;
	CHECK(int80(nr_of(SCMP_ARCH_X86, "kexec_load"), 0, 0, 0, 0x8000) == -EPERM);
	CHECK(int80(nr_of(SCMP_ARCH_X86, "open_by_handle_at"), -1, 0, 0, 0) == -EPERM);
	CHECK(int80(nr_of(SCMP_ARCH_X86, "init_module"), 0, 0, 0, 0) == -EPERM);
	CHECK(int80(nr_of(SCMP_ARCH_X86, "umount2"), 0, MNT_FORCE, 0, 0) == -EACCES);
	CHECK(int80(nr_of(SCMP_ARCH_X86, "getpid"), 0, 0, 0, 0) == getpid());
}
#endif

static int default_child(void *arg)
{
	unsetenv("NOOK_SECCOMP_DIR");
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	_cleanup_free_ char *path = NULL;
	CHECK_OK(nk_seccomp_profile_path(s, &path, &E));
	size_t len = strlen(path), n = 0;
	const char *tail = "config/seccomp/common.seccomp";
	CHECK(len > strlen(tail) && !strcmp(path + len - strlen(tail), tail));
	/* LXC's rules, kexec_file_load, and the two terminal ioctls (TIOCSTI, TIOCLINUX) */
	CHECK(nk_seccomp_count(path, &n) == 0 && n == 9);
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	CHECK_OK(nk_seccomp_load_file(path, &ctx, &E));
	if (seccomp_arch_native() == SCMP_ARCH_X86_64)
		CHECK(seccomp_arch_exist(ctx, SCMP_ARCH_X86) == 0 &&
		      seccomp_arch_exist(ctx, SCMP_ARCH_X32) == 0);
	/* An empty lxc.seccomp.profile is unset: the default applies. */
	s->seccomp.profile = strdup("");
	CHECK_OK(nk_seccomp_apply(s, &E));
	check_default_denials();
	check_default_allows();
#if defined(__x86_64__)
	check_default_compat();
#endif
	return 0;
}

static void test_default_profile(void **state)
{
	NKT_RUN(0, default_child, NULL);
}

static int env_dir_child(void *arg)
{
	char dir[] = "/tmp/nook-seccomp-dir.XXXXXX";
	CHECK(mkdtemp(dir));
	nkt_write(nkt_path(dir, "common.seccomp"), "2\ndenylist\ngetpgrp errno 21\n");
	CHECK(setenv("NOOK_SECCOMP_DIR", dir, 1) == 0);
	_cleanup_(nk_spec_freep) nk_spec *s = nkt_spec();
	_cleanup_free_ char *path = NULL;
	CHECK_OK(nk_seccomp_profile_path(s, &path, &E));
	CHECK(!strcmp(path, nkt_path(dir, "common.seccomp")));
	CHECK_OK(nk_seccomp_apply(s, &E));
	CHECK(SYS_ERRNO(SYS_getpgrp) == 21);
	CHECK(unlink(nkt_path(dir, "common.seccomp")) == 0 && rmdir(dir) == 0);
	return 0;
}

static void test_env_dir_first(void **state)
{
	NKT_RUN(0, env_dir_child, NULL);
}

static int dev_null_child(void *arg)
{
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	size_t n = 1;
	CHECK_OK(nk_seccomp_load_file("/dev/null", &ctx, &E));
	CHECK(!ctx);
	CHECK(nk_seccomp_count("/dev/null", &n) == 0 && n == 0);
	_cleanup_(nk_spec_freep) nk_spec *s = spec_with("/dev/null");
	CHECK_OK(nk_seccomp_apply(s, &E));
	CHECK(status_field("Seccomp") == 0);
	/* A denylist with no rules allows everything too, but is a filter (as in LXC). */
	apply("2\ndenylist\n");
	CHECK(status_field("Seccomp") == 2);
	CHECK(syscall(SYS_getppid) > 0);
	return 0;
}

static void test_dev_null_is_no_filter(void **state)
{
	NKT_RUN(0, dev_null_child, NULL);
}

/* ---- nesting, validation, privileges ---- */

static int nesting_child(void *arg)
{
	long filters = status_field("Seccomp_filters"); /* -1 before Linux 5.9 */
	apply("2\ndenylist\ngetpgrp errno 3\n");
	CHECK(status_field("Seccomp") == 2);
	_cleanup_profile_ char *inner = profile("2\ndenylist\ngetsid errno 5\n");
	_cleanup_(nk_spec_freep) nk_spec *s = spec_with(inner);
	/* Already confined, allow_nesting unset: LXC loads nothing more. */
	CHECK_OK(nk_seccomp_apply(s, &E));
	CHECK(syscall(SYS_getsid, 0) >= 0);
	CHECK(filters < 0 || status_field("Seccomp_filters") == filters + 1);
	/* allow_nesting = 1: stacked; the outer filter keeps applying. */
	s->seccomp.allow_nesting = 1;
	CHECK_OK(nk_seccomp_apply(s, &E));
	CHECK(SYS_ERRNO(SYS_getsid, 0) == 5);
	CHECK(SYS_ERRNO(SYS_getpgrp) == 3);
	CHECK(filters < 0 || status_field("Seccomp_filters") == filters + 2);
	return 0;
}

static void test_nesting(void **state)
{
	NKT_RUN(0, nesting_child, NULL);
}

static int check_child(void *arg)
{
	_cleanup_profile_ char *good = profile("2\ndenylist\ngetpgrp errno 3\n");
	_cleanup_profile_ char *broken = profile("2\ndenylist\ngetpgrp errno 3\n[mars]\n");
	_cleanup_(nk_spec_freep) nk_spec *s = spec_with(good);
	CHECK_OK(nk_seccomp_check(s, &E));
	free(s->seccomp.profile);
	s->seccomp.profile = strdup(broken);
	char want[128];
	snprintf(want, sizeof(want), "%s:4: unknown architecture [mars]", broken);
	CHECK_FAILS(EINVAL, want, nk_seccomp_check(s, &E));
	free(s->seccomp.profile);
	s->seccomp.profile = strdup("/nonexistent/nook.seccomp");
	CHECK_FAILS(ENOENT, "/nonexistent/nook.seccomp", nk_seccomp_check(s, &E));
	/* Validation loads nothing. */
	CHECK(status_field("Seccomp") == 0);
	return 0;
}

static void test_check(void **state)
{
	NKT_RUN(0, check_child, NULL);
}

static void drop_effective_sys_admin(void)
{
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_SYS_ADMIN;
	CHECK(c && cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) == 0 && cap_set_proc(c) == 0);
	cap_free(c);
}

/* lxc.cap.drop = sys_admin without no_new_privs: the filter goes in before the drop. */
static int early_child(void *arg)
{
	_cleanup_profile_ char *path = profile("2\ndenylist\ngetpgrp errno 3\n");
	_cleanup_(nk_spec_freep) nk_spec *s = spec_with(path);
	CHECK(nk_strv_push(&s->cap.drop, "sys_admin") == 0);
	_cleanup_(nk_seccomp_freep) nk_seccomp *sc = NULL;
	CHECK_OK(nk_seccomp_prepare(s, &sc, &E));
	CHECK(!strcmp(nk_seccomp_path(sc), path));
	CHECK_OK(nk_seccomp_load_early(sc, &E));
	CHECK(SYS_ERRNO(SYS_getpgrp) == 3);
	drop_effective_sys_admin();
	CHECK_OK(nk_seccomp_load(sc, &E)); /* loaded already: nothing to do */
	CHECK(status_field("Seccomp_filters") <= 1);
	return 0;
}

/* Otherwise it goes in last; without CAP_SYS_ADMIN it needs no_new_privs, and says so. */
static int late_child(void *arg)
{
	_cleanup_profile_ char *path = profile("2\ndenylist\ngetpgrp errno 3\n");
	_cleanup_(nk_spec_freep) nk_spec *s = spec_with(path);
	_cleanup_(nk_seccomp_freep) nk_seccomp *sc = NULL;
	CHECK_OK(nk_seccomp_prepare(s, &sc, &E));
	CHECK_OK(nk_seccomp_load_early(sc, &E));
	CHECK(status_field("Seccomp") == 0);
	drop_effective_sys_admin();
	CHECK_FAILS(EPERM, "needs CAP_SYS_ADMIN", nk_seccomp_load(sc, &E));
	CHECK(status_field("Seccomp") == 0);
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK_OK(nk_seccomp_load(sc, &E));
	CHECK(SYS_ERRNO(SYS_getpgrp) == 3);
	return 0;
}

static void test_load_order(void **state)
{
	NKT_RUN(0, early_child, NULL);
	NKT_RUN(0, late_child, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v1_allowlist),
	    cmocka_unit_test(test_v2_allowlist_default_action),
	    cmocka_unit_test(test_v2_denylist_kill),
	    cmocka_unit_test(test_v2_actions),
	    cmocka_unit_test(test_v2_argument_filters),
	    cmocka_unit_test(test_unknown_syscall_skipped),
	    cmocka_unit_test(test_arch_sections),
	    cmocka_unit_test(test_malformed_lines),
	    cmocka_unit_test(test_default_profile),
	    cmocka_unit_test(test_env_dir_first),
	    cmocka_unit_test(test_dev_null_is_no_filter),
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_load_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
