/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nk_cgroup against the real kernel, as root: no mocks. Every case works under its own
 * "nooktest.PID.N" directory below the caller's own cgroup (NK_CG_BASE_SELF), so a test run
 * never escapes the cgroup of whoever runs it, and teardown removes it even after a failure.
 * Processes that must live in a test cgroup are forked children that attach themselves.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "tc.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char top[64];
static unsigned seq;

/* ---- helpers ------------------------------------------------------------------------------ */

__attribute__((noreturn)) void tc_fail_err(const char *file, int line, const char *expr, int r,
                                           nk_err **err)
{
	_cleanup_free_ char *text = nk_err_text(err ? *err : NULL);
	nk_err_freep(err);
	tc_fail(file, line, "%s returned %d: %s", expr, r, text ? text : "?");
}

static void msleep(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static char *name_in_top(const char *leaf)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s", top, leaf) < 0)
		tc_fail(__FILE__, __LINE__, "out of memory");
	return s;
}

static nk_cgroup *create_cg(const char *leaf)
{
	_cleanup_free_ char *name = name_in_top(leaf);
	nk_err *err = NULL;
	nk_cgroup *cg = NULL;
	CHECK_OK(nk_cgroup_create_in(NK_CG_BASE_SELF, name, &cg, &err));
	return cg;
}

/* Reads one byte within timeout_ms; false on timeout or EOF. */
static bool read_byte(int fd, unsigned timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;
	return poll(&p, 1, (int)timeout_ms) == 1 && read(fd, &c, 1) == 1;
}

static int wait_exit(pid_t pid, unsigned timeout_ms)
{
	int st = 0;
	for (unsigned t = 0; t <= timeout_ms; t += 10) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		if (r < 0)
			return -1;
		msleep(10);
	}
	return -1;
}

/* A child that attaches itself, reports on fd, then runs body (which should not return). */
static pid_t spawn_in(nk_cgroup *cg, int report, void (*body)(void *), void *arg)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid > 0)
		return pid;
	nk_err *err = NULL;
	if (nk_cgroup_attach(cg, getpid(), &err) < 0)
		_exit(90);
	if (write(report, "a", 1) != 1)
		_exit(91);
	body(arg);
	_exit(0);
}

static void body_pause(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

static bool pids_contain(nk_cgroup *cg, pid_t pid, size_t *count)
{
	nk_err *err = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	CHECK_OK(nk_cgroup_pids(cg, &pids, &n, &err));
	if (count)
		*count = n;
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static void kill_and_reap(nk_cgroup *cg, pid_t pid)
{
	nk_err *err = NULL;
	CHECK_OK(nk_cgroup_kill(cg, SIGKILL, &err));
	int st = wait_exit(pid, 5000);
	CHECK(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static char *read_text(const char *dir, const char *file)
{
	_cleanup_free_ char *path = NULL;
	char *s = NULL;
	nk_err *err = NULL;
	CHECK(asprintf(&path, "%s/%s", dir, file) > 0);
	CHECK_OK(nk_read_file(path, &s, NULL, &err));
	s[strcspn(s, "\n")] = '\0';
	return s;
}

/* The limit's controller decides the version: v2 when the unified directory has it. */
static void set_limit(nk_cgroup *cg, const char *ctrl, const char *v1key, const char *v2key,
                      const char *value)
{
	nk_err *err = NULL;
	const char *dir = nk_cgroup_path(cg, ctrl);
	CHECK(dir != NULL);
	bool v2 = nk_cgroup_path(cg, "unified") && !strcmp(dir, nk_cgroup_path(cg, "unified"));
	if (v2)
		CHECK_OK(nk_cgroup_set_v2(cg, v2key, value, &err));
	else
		CHECK_OK(nk_cgroup_set_v1(cg, v1key, value, &err));
	_cleanup_free_ char *back = read_text(dir, v2 ? v2key : v1key);
	CHECK(!strcmp(back, value));
}

/* ---- fixture -------------------------------------------------------------------------------- */

int tc_global_init(void)
{
	if (geteuid() != 0) {
		printf("# cgroup tests need root\n");
		return -1;
	}
	/* Orphans of double forks are reparented to us, so the tests can reap them. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		printf("# PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int tc_setup(void)
{
	snprintf(top, sizeof(top), "nooktest.%d.%u", (int)getpid(), ++seq);
	return 0;
}

int tc_teardown(void)
{
	nk_err *err = NULL;
	nk_cgroup *cg = NULL;
	int ret = 0;
	int r = nk_cgroup_open_in(NK_CG_BASE_SELF, top, &cg, &err);
	if (r == 0) {
		(void)nk_cgroup_freeze(cg, false, NULL);
		if (nk_cgroup_kill(cg, SIGKILL, &err) < 0 || nk_cgroup_destroy(cg, &err) < 0)
			ret = -1;
	} else if (r != -ENOENT) {
		ret = -1;
	}
	if (ret < 0) {
		_cleanup_free_ char *t = nk_err_text(err);
		printf("# teardown of %s: %s\n", top, t ? t : "?");
	}
	nk_err_free(err);
	nk_cgroup_free(cg);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return ret;
}

void tc_describe_host(void)
{
	nk_cg_layout layout;
	nk_err *err = NULL;
	if (nk_cgroup_detect(&layout, &err) < 0) {
		_cleanup_free_ char *t = nk_err_text(err);
		printf("# detect: %s\n", t ? t : "?");
		nk_err_free(err);
		return;
	}
	printf("# cgroup layout: %s\n", nk_cg_layout_name(layout));
	tc_setup();
	nk_cgroup *cg = NULL;
	if (nk_cgroup_create_in(NK_CG_BASE_SELF, top, &cg, &err) == 0) {
		nk_cgroup_hier h;
		for (size_t i = 0; nk_cgroup_hier_get(cg, i, &h); i++)
			printf("# %s %s [%s]\n", h.v2 ? "v2" : "v1", h.mountpoint, h.controllers);
		nk_cgroup_free(cg);
	}
	nk_err_free(err);
	tc_teardown();
}

/* ---- cases ---------------------------------------------------------------------------------- */

/* What /proc/self/mountinfo says, counted independently of the library's parser. */
static void tc_detect(void)
{
	_cleanup_free_ char *mi = NULL;
	nk_err *err = NULL;
	CHECK_OK(nk_read_file("/proc/self/mountinfo", &mi, NULL, &err));
	unsigned v1 = 0, v2 = 0;
	for (char *l = strtok(mi, "\n"); l; l = strtok(NULL, "\n")) {
		const char *sep = strstr(l, " - ");
		if (sep && !strncmp(sep, " - cgroup2 ", 11))
			v2++;
		else if (sep && !strncmp(sep, " - cgroup ", 10))
			v1++;
	}
	nk_cg_layout want = v1 && v2 ? NK_CG_LAYOUT_HYBRID : v2 ? NK_CG_LAYOUT_V2 : NK_CG_LAYOUT_V1;
	nk_cg_layout got;
	CHECK_OK(nk_cgroup_detect(&got, &err));
	printf("# mountinfo: %u v1 and %u v2 mounts; detected %s\n", v1, v2,
	       nk_cg_layout_name(got));
	CHECK(v1 + v2 > 0);
	CHECK(got == want);
}

/* Line "ID:CONTROLLERS:PATH" of /proc/PID/cgroup names hierarchy h and cgroup path? */
static bool line_is(const char *line, const nk_cgroup_hier *h)
{
	const char *c = strchr(line, ':');
	const char *p = c ? strchr(c + 1, ':') : NULL;
	if (!p)
		return false;
	const char *ctrl = h->v2 ? "" : h->controllers;
	return (size_t)(p - c - 1) == strlen(ctrl) && !strncmp(c + 1, ctrl, strlen(ctrl)) &&
	       !strcmp(p + 1, h->path);
}

/* Every hierarchy of cg has a line naming cg's path, and there is no other hierarchy. */
static void check_proc_cgroup(nk_cgroup *cg, pid_t pid)
{
	char file[64];
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	_cleanup_free_ char *s = NULL;
	nk_err *err = NULL;
	CHECK_OK(nk_read_file(file, &s, NULL, &err));
	_cleanup_strv_ char **lines = NULL;
	for (char *l = strtok(s, "\n"); l; l = strtok(NULL, "\n"))
		CHECK(nk_strv_push(&lines, l) == 0);
	nk_cgroup_hier h;
	size_t i;
	for (i = 0; nk_cgroup_hier_get(cg, i, &h); i++) {
		bool found = false;
		for (char **l = lines; l && *l && !found; l++)
			found = line_is(*l, &h);
		if (!found)
			tc_fail(__FILE__, __LINE__, "%s: no line for %s:%s", file, h.controllers,
			        h.path);
		CHECK(!strncmp(h.dir, h.mountpoint, strlen(h.mountpoint)));
		CHECK(!strcmp(h.rel, h.dir + strlen(h.mountpoint)));
	}
	printf("# pid %d is in %s on all %zu hierarchies\n", (int)pid, nk_cgroup_name(cg), i);
	CHECK(i == nk_strv_len(lines));
}

static void body_touch_memory(void *arg)
{
	size_t len = 8u << 20;
	volatile char *m = malloc(len);
	if (!m)
		_exit(92);
	for (size_t i = 0; i < len; i += 4096)
		m[i] = 1;
	if (write(*(int *)arg, "m", 1) != 1)
		_exit(93);
	body_pause(NULL);
}

static void tc_create_attach(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("payload/c1");
	nk_err *err = NULL;
	set_limit(cg, "memory", "memory.limit_in_bytes", "memory.max", "67108864");
	CHECK(nk_cgroup_path(cg, "no-such-controller") == NULL);
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_touch_memory, &p[1]);
	CHECK(read_byte(p[0], 5000) && read_byte(p[0], 5000));
	check_proc_cgroup(cg, pid);
	size_t n;
	CHECK(pids_contain(cg, pid, &n) && n == 1);
	nk_cgroup_stats st;
	CHECK_OK(nk_cgroup_stats_get(cg, &st, &err));
	printf("# stats: memory %llu bytes, cpu %llu ns, %llu pids\n",
	       (unsigned long long)st.memory_bytes, (unsigned long long)st.cpu_ns,
	       (unsigned long long)st.pids);
	CHECK(st.memory_bytes != NK_CG_STAT_UNKNOWN && st.memory_bytes >= (8u << 20));
	CHECK(st.cpu_ns != NK_CG_STAT_UNKNOWN && st.cpu_ns > 0);
	CHECK(st.pids == 1);
	kill_and_reap(cg, pid);
	close(p[0]);
	close(p[1]);
	CHECK_OK(nk_cgroup_destroy(cg, &err));
}

/* Every process forks until fork fails, then reports and waits: a bounded fork bomb. */
static void body_fork_bomb(void *arg)
{
	int fd = *(int *)arg;
	for (;;) {
		pid_t pid = fork();
		if (pid == 0)
			continue;
		if (pid < 0) {
			if (write(fd, errno == EAGAIN ? "E" : "?", 1) != 1)
				_exit(94);
			body_pause(NULL);
		}
	}
}

static void tc_pids_max(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("bomb");
	nk_err *err = NULL;
	set_limit(cg, "pids", "pids.max", "pids.max", "16");
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_fork_bomb, &p[1]);
	CHECK(read_byte(p[0], 5000));
	char c = 0;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	CHECK(poll(&pf, 1, 10000) == 1 && read(p[0], &c, 1) == 1);
	CHECK(c == 'E');
	msleep(200);
	nk_cgroup_stats st;
	CHECK_OK(nk_cgroup_stats_get(cg, &st, &err));
	size_t n;
	CHECK(pids_contain(cg, pid, &n));
	printf("# fork bomb held at %zu processes (pids.current %llu, limit 16)\n", n,
	       (unsigned long long)st.pids);
	CHECK(n >= 2 && n <= 16 && st.pids <= 16);
	kill_and_reap(cg, pid);
	CHECK(pids_contain(cg, -1, &n) == false && n == 0);
	close(p[0]);
	close(p[1]);
}

static void body_count(void *arg)
{
	volatile uint64_t *ctr = arg;
	for (;;)
		(*ctr)++;
}

static uint64_t counter_after(volatile uint64_t *ctr, unsigned ms)
{
	msleep(ms);
	return *ctr;
}

static void tc_freeze(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("ice");
	nk_err *err = NULL;
	volatile uint64_t *ctr =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(ctr != MAP_FAILED);
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_count, (void *)ctr);
	CHECK(read_byte(p[0], 5000));
	uint64_t a = counter_after(ctr, 50);
	CHECK(counter_after(ctr, 100) > a);
	bool frozen = false;
	CHECK_OK(nk_cgroup_freeze(cg, true, &err));
	CHECK_OK(nk_cgroup_is_frozen(cg, &frozen, &err));
	CHECK(frozen);
	a = *ctr;
	uint64_t b = counter_after(ctr, 300);
	printf("# frozen: counter %llu -> %llu over 300 ms\n", (unsigned long long)a,
	       (unsigned long long)b);
	CHECK(a == b);
	CHECK_OK(nk_cgroup_freeze(cg, false, &err));
	CHECK_OK(nk_cgroup_is_frozen(cg, &frozen, &err));
	CHECK(!frozen);
	CHECK(counter_after(ctr, 200) > b);
	/* Killing a frozen cgroup must work too (v1 needs the thaw that kill does). */
	CHECK_OK(nk_cgroup_freeze(cg, true, &err));
	kill_and_reap(cg, pid);
	munmap((void *)ctr, 4096);
	close(p[0]);
	close(p[1]);
}

/* Ignores SIGTERM; leaves a great-grandchild behind via a double fork. */
static void body_double_fork(void *arg)
{
	int fd = *(int *)arg;
	signal(SIGTERM, SIG_IGN);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t leaf = fork();
		if (leaf == 0) {
			signal(SIGTERM, SIG_DFL);
			pid_t me = getpid();
			if (write(fd, &me, sizeof(me)) != sizeof(me))
				_exit(95);
			body_pause(NULL);
		}
		_exit(leaf < 0 ? 96 : 0);
	}
	if (mid < 0 || waitpid(mid, NULL, 0) != mid)
		_exit(97);
	body_pause(NULL);
}

static pid_t parent_of(pid_t pid)
{
	char file[64];
	snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *s = NULL;
	nk_err *err = NULL;
	CHECK_OK(nk_read_file(file, &s, NULL, &err));
	char *close_paren = strrchr(s, ')');
	int ppid = -1;
	CHECK(close_paren && sscanf(close_paren + 2, "%*c %d", &ppid) == 1);
	return (pid_t)ppid;
}

static void tc_kill_tree(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("tree");
	nk_err *err = NULL;
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_double_fork, &p[1]);
	CHECK(read_byte(p[0], 5000));
	pid_t leaf = 0;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	CHECK(poll(&pf, 1, 5000) == 1 && read(p[0], &leaf, sizeof(leaf)) == sizeof(leaf));
	/* The orphan was reparented to us (subreaper): it is no descendant of pid any more. */
	for (unsigned t = 0; parent_of(leaf) != getpid() && t < 200; t++)
		msleep(10);
	CHECK(parent_of(leaf) == getpid());
	CHECK(pids_contain(cg, leaf, NULL) && pids_contain(cg, pid, NULL));
	/* A non-fatal signal goes to everyone once: the leaf dies, pid ignores it. */
	CHECK_OK(nk_cgroup_kill(cg, SIGTERM, &err));
	int st = wait_exit(leaf, 5000);
	CHECK(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	size_t n;
	CHECK(pids_contain(cg, pid, &n) && n == 1);
	kill_and_reap(cg, pid);
	CHECK(!pids_contain(cg, pid, &n) && n == 0);
	close(p[0]);
	close(p[1]);
}

/* A caller inside the cgroup it kills would kill itself: refused (in a child, so we survive). */
static void body_kill_own(void *arg)
{
	nk_cgroup *cg = arg;
	nk_err *err = NULL;
	_exit(nk_cgroup_kill(cg, SIGKILL, &err) == -EDEADLK ? 42 : 43);
}

static void tc_kill_refuses_caller(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("self");
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_kill_own, cg);
	int st = wait_exit(pid, 15000);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 42);
	close(p[0]);
	close(p[1]);
}

/* A sub-cgroup inside the container's directory, as a container's own init would make. */
static void make_inner(nk_cgroup *cg)
{
	nk_cgroup_hier h;
	for (size_t i = 0; nk_cgroup_hier_get(cg, i, &h); i++) {
		_cleanup_free_ char *d = NULL;
		CHECK(asprintf(&d, "%s/inner", h.dir) > 0);
		CHECK(mkdir(d, 0755) == 0);
	}
}

static void tc_destroy(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("gone");
	nk_err *err = NULL;
	_cleanup_strv_ char **dirs = NULL;
	nk_cgroup_hier h;
	for (size_t i = 0; nk_cgroup_hier_get(cg, i, &h); i++)
		CHECK(nk_strv_push(&dirs, h.dir) == 0);
	make_inner(cg);
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_pause, NULL);
	CHECK(read_byte(p[0], 5000));
	CHECK(nk_cgroup_destroy(cg, &err) == -EBUSY);
	nk_err_freep(&err);
	CHECK(nk_is_dir(dirs[0]));
	kill_and_reap(cg, pid);
	CHECK_OK(nk_cgroup_destroy(cg, &err));
	for (char **d = dirs; *d; d++)
		CHECK(!nk_path_exists(*d));
	close(p[0]);
	close(p[1]);
}

static void tc_refuse_running(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("busy");
	_cleanup_free_ char *name = name_in_top("busy");
	nk_err *err = NULL;
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_pause, NULL);
	CHECK(read_byte(p[0], 5000));
	nk_cgroup *again = NULL;
	CHECK(nk_cgroup_create_in(NK_CG_BASE_SELF, name, &again, &err) == -EBUSY);
	CHECK(again == NULL && err && strstr(err->msg, "in use"));
	nk_err_freep(&err);
	CHECK(pids_contain(cg, pid, NULL));
	kill_and_reap(cg, pid);
	/* Now it is stale: empty, with a leftover sub-cgroup. Create takes it over cleanly. */
	make_inner(cg);
	CHECK_OK(nk_cgroup_create_in(NK_CG_BASE_SELF, name, &again, &err));
	_cleanup_cgroup_ nk_cgroup *fresh = again;
	nk_cgroup_hier h;
	for (size_t i = 0; nk_cgroup_hier_get(fresh, i, &h); i++) {
		_cleanup_free_ char *d = NULL;
		CHECK(asprintf(&d, "%s/inner", h.dir) > 0);
		CHECK(!nk_path_exists(d));
	}
	close(p[0]);
	close(p[1]);
}

static void expect_err(int r, nk_err **err, const char *needle)
{
	_cleanup_free_ char *t = nk_err_text(*err);
	printf("# expected error: %s\n", t ? t : "(none)");
	CHECK(r < 0 && t && strstr(t, needle));
	nk_err_freep(err);
}

static void tc_set_errors(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("keys");
	nk_err *err = NULL;
	expect_err(nk_cgroup_set_v1(cg, "../cgroup.procs", "1", &err), &err, "not a cgroup file");
	expect_err(nk_cgroup_set_v1(cg, "tasks", "1", &err), &err, "not a cgroup file");
	expect_err(nk_cgroup_set_v2(cg, "cgroup.procs", "1", &err), &err, "interface file");
	expect_err(nk_cgroup_set_v2(cg, "pids.max", "", &err), &err, "empty value");
	nk_cg_layout layout = nk_cgroup_layout(cg);
	if (layout == NK_CG_LAYOUT_HYBRID)
		expect_err(nk_cgroup_set_v2(cg, "memory.max", "1M", &err), &err,
		           "lxc.cgroup2.memory.max: this host has no cgroup v2 memory controller");
	if (layout == NK_CG_LAYOUT_V2)
		expect_err(nk_cgroup_set_v1(cg, "memory.limit_in_bytes", "1M", &err), &err,
		           "lxc.cgroup.memory.limit_in_bytes: this host has no cgroup v1");
	if (layout == NK_CG_LAYOUT_V1)
		expect_err(nk_cgroup_set_v2(cg, "memory.max", "1M", &err), &err,
		           "no cgroup v2 hierarchy");
	bool v2 = layout == NK_CG_LAYOUT_V2;
	const char *bad = v2 ? "memory.max" : "memory.limit_in_bytes";
	int r =
	    v2 ? nk_cgroup_set_v2(cg, bad, "lots", &err) : nk_cgroup_set_v1(cg, bad, "lots", &err);
	expect_err(r, &err, bad);
	CHECK(strstr(nk_cgroup_path(cg, "memory"), "keys"));
	r = v2 ? nk_cgroup_set_v2(cg, "memory.nosuchfile", "1", &err)
	       : nk_cgroup_set_v1(cg, "memory.nosuchfile", "1", &err);
	expect_err(r, &err, "has no file memory.nosuchfile");
}

static void check_rule(const char *in, const char *out)
{
	nk_err *err = NULL;
	nk_cg_dev_rule r;
	char buf[NK_CG_DEV_RULE_MAX];
	CHECK_OK(nk_cg_dev_rule_parse(in, true, &r, &err));
	CHECK(!strcmp(nk_cg_dev_rule_format(&r, buf, sizeof(buf)), out));
}

static void tc_device_rules(void)
{
	check_rule("c 1:3 rwm", "c 1:3 rwm");
	check_rule("a", "a");
	check_rule("a *:* rwm", "a");
	check_rule("b *:* m", "b *:* m");
	check_rule("c 136:* wr", "c 136:* rw");
	const char *bad[] = {"",        "x 1:3 r", "c 1:3",         "c 1:3 rwx",        "c 1:3 rr",
	                     "c a:3 r", "a 1:3 r", "c 1:3 r extra", "c 4294967296:1 r", "c",
	                     "c -1:3 r"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		nk_err *err = NULL;
		nk_cg_dev_rule r;
		CHECK(nk_cg_dev_rule_parse(bad[i], false, &r, &err) == -EINVAL);
		nk_err_freep(&err);
	}
}

/* eBPF device programs attached to cg's unified directory itself. */
static unsigned count_device_progs(nk_cgroup *cg)
{
	uint32_t ids[64];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)nk_cgroup_unified_fd(cg);
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uintptr_t)ids;
	a.query.prog_cnt = ARRAY_SIZE(ids);
	if (syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof(a)) < 0)
		tc_fail(__FILE__, __LINE__, "BPF_PROG_QUERY: %s", strerror(errno));
	return a.query.prog_cnt;
}

/* Child: /dev/null (allowed) opens, /dev/zero (not allowed) does not. */
static void body_devices(void *arg)
{
	int fd = *(int *)arg;
	int ok = open("/dev/null", O_RDWR | O_CLOEXEC) >= 0;
	int denied = open("/dev/zero", O_RDONLY | O_CLOEXEC) < 0 && errno == EPERM;
	char c = ok && denied ? 'Y' : ok ? 'z' : 'n';
	if (write(fd, &c, 1) != 1)
		_exit(98);
	body_pause(NULL);
}

static void tc_devices(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("dev");
	nk_err *err = NULL;
	nk_cg_dev_rule rules[2];
	CHECK_OK(nk_cg_dev_rule_parse("c 1:3 rw", true, &rules[0], &err));
	CHECK_OK(nk_cg_dev_rule_parse("c 1:7 rwm", true, &rules[1], &err));
	CHECK_OK(nk_cgroup_devices_apply(cg, rules, 2, true, &err));
	if (nk_cgroup_path(cg, "devices")) {
		_cleanup_free_ char *list = NULL;
		_cleanup_free_ char *path = NULL;
		CHECK(asprintf(&path, "%s/devices.list", nk_cgroup_path(cg, "devices")) > 0);
		CHECK_OK(nk_read_file(path, &list, NULL, &err));
		CHECK(!strcmp(list, "c 1:3 rw\nc 1:7 rwm\n"));
	} else {
		printf("# no v1 devices controller: the rules are an eBPF program on %s\n",
		       nk_cgroup_path(cg, "unified"));
		CHECK(count_device_progs(cg) == 1);
	}
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_devices, &p[1]);
	CHECK(read_byte(p[0], 5000));
	char c = 0;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	CHECK(poll(&pf, 1, 5000) == 1 && read(p[0], &c, 1) == 1);
	CHECK(c == 'Y');
	kill_and_reap(cg, pid);
	close(p[0]);
	close(p[1]);
}

/* What a child in the cgroup may do, one letter each: 'o' allowed, 'E' refused with EPERM. */
static const struct dev_probe {
	const char *path;
	int flags; /* -1: mknod of c 1:3 at path */
} dev_probes[] = {
    {"/dev/null", O_RDWR},   {"/dev/zero", O_RDONLY}, {"/dev/zero", O_RDWR},
    {"/dev/full", O_RDONLY}, {"/dev/full", O_WRONLY}, {NULL, -1},
};

static char probe_one(const struct dev_probe *p, const char *tmp)
{
	int r;
	if (p->flags == -1) {
		r = mknod(tmp, S_IFCHR | 0600, makedev(1, 3));
		if (r == 0)
			unlink(tmp);
	} else {
		r = open(p->path, p->flags | O_CLOEXEC);
		if (r >= 0)
			close(r);
	}
	return r >= 0 ? 'o' : errno == EPERM ? 'E' : '?';
}

static void body_probe(void *arg)
{
	int fd = *(int *)arg;
	char tmp[64], res[ARRAY_SIZE(dev_probes)];
	snprintf(tmp, sizeof(tmp), "/tmp/nooktest-node.%d", (int)getpid());
	for (size_t i = 0; i < ARRAY_SIZE(dev_probes); i++)
		res[i] = probe_one(&dev_probes[i], tmp);
	_exit(write(fd, res, sizeof(res)) == sizeof(res) ? 0 : 99);
}

/* Runs the probes in a child in cg and checks the letters against want. */
static void expect_probes(nk_cgroup *cg, const char *how, const char *want)
{
	int p[2];
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid_t pid = spawn_in(cg, p[1], body_probe, &p[1]);
	close(p[1]);
	char got[ARRAY_SIZE(dev_probes) + 1] = "";
	CHECK(read_byte(p[0], 5000));
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	CHECK(poll(&pf, 1, 5000) == 1 && read(p[0], got, sizeof(got) - 1) == sizeof(got) - 1);
	close(p[0]);
	int st = wait_exit(pid, 5000);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("# %s: null rw, zero r, zero rw, full r, full w, mknod c 1:3: %s (want %s)\n", how,
	       got, want);
	CHECK(!strcmp(got, want));
}

/* A rule list as text: "+c 1:5 rwm" allows, "-c 1:3 rwm" denies. */
struct dev_case {
	const char *rules[6];
	bool default_deny;
	const char *want; /* the probes' letters */
};

static size_t parse_case(const struct dev_case *dc, nk_cg_dev_rule *rules)
{
	nk_err *err = NULL;
	size_t n = 0;
	for (; n < ARRAY_SIZE(dc->rules) && dc->rules[n]; n++)
		CHECK_OK(nk_cg_dev_rule_parse(dc->rules[n] + 1, dc->rules[n][0] == '+', &rules[n],
		                              &err));
	return n;
}

/*
 * The eBPF device program, straight on the unified directory: the kernel asks it on a hybrid
 * host too, so this runs on every host with a v2 hierarchy. Each list goes to the program and,
 * where there is one, to the v1 controller of another cgroup: both must give the same letters,
 * since the program means what v1 means. A second program replaces the first.
 */
static void tc_devices_bpf(void)
{
	static const struct dev_case cases[] = {
	    {{"+c 1:5 rwm"}, true, "EooEEE"},
	    {{"+c 1:3 rwm", "-c 1:3 m", "+c 1:5 r", "+c 1:7 rw", "-c 1:7 w"}, true, "ooEoEE"},
	    {{"-c 1:5 w", "-c 1:7 rwm", "+c 1:7 r"}, false, "ooEoEo"},
	    /* "a" resets */
	    {{"-c *:* rwm", "+c 1:3 rw", "-a", "+c 1:5 rwm", "+b *:* m"}, false, "EooEEE"},
	    /* a pattern removes only its own exception; one exception must hold all the access */
	    {{"+c 1:3 rwm", "-c *:* rwm", "+c *:* r", "+c 1:5 w"}, true, "ooEoEo"},
	};
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("bpf");
	if (!cg->unified) {
		printf("# no cgroup v2 hierarchy: no eBPF device programs\n");
		return;
	}
	_cleanup_cgroup_ nk_cgroup *v1 = cg_find_v1(cg, "devices") ? create_cg("v1") : NULL;
	nk_err *err = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		nk_cg_dev_rule rules[ARRAY_SIZE(cases[i].rules)];
		size_t n = parse_case(&cases[i], rules);
		CHECK_OK(cg_v2_devices_apply(cg->unified, rules, n, cases[i].default_deny, &err));
		CHECK(count_device_progs(cg) == 1);
		expect_probes(cg, "eBPF", cases[i].want);
		if (!v1)
			continue;
		CHECK_OK(cg_v1_devices_apply(cg_find_v1(v1, "devices"), rules, n,
		                             cases[i].default_deny, &err));
		expect_probes(v1, "v1  ", cases[i].want);
	}
	/* A reset as the last rule leaves the verdict alone. */
	nk_cg_dev_rule r[2];
	CHECK_OK(nk_cg_dev_rule_parse("c 1:3 rwm", true, &r[0], &err));
	CHECK_OK(nk_cg_dev_rule_parse("a", false, &r[1], &err));
	_cleanup_free_ struct bpf_insn *v = NULL;
	size_t len = 0;
	CHECK(cg_bpf_devices_build(r, 2, false, &v, &len) == 0 && len == 8);
}

static void tc_open(void)
{
	_cleanup_cgroup_ nk_cgroup *cg = create_cg("o");
	_cleanup_free_ char *name = name_in_top("o");
	nk_err *err = NULL;
	nk_cgroup *o = NULL;
	CHECK_OK(nk_cgroup_open_in(NK_CG_BASE_SELF, name, &o, &err));
	_cleanup_cgroup_ nk_cgroup *opened = o;
	nk_cgroup_hier a, b;
	size_t i;
	for (i = 0; nk_cgroup_hier_get(cg, i, &a); i++) {
		CHECK(nk_cgroup_hier_get(opened, i, &b));
		CHECK(!strcmp(a.dir, b.dir) && !strcmp(a.controllers, b.controllers));
	}
	CHECK(!nk_cgroup_hier_get(opened, i, &b));
	CHECK(nk_cgroup_layout(cg) == nk_cgroup_layout(opened));
	_cleanup_free_ char *missing = name_in_top("absent");
	o = NULL;
	CHECK(nk_cgroup_open_in(NK_CG_BASE_SELF, missing, &o, &err) == -ENOENT && !o);
	nk_err_freep(&err);
	CHECK(nk_cgroup_create_in(NK_CG_BASE_SELF, "../escape", &o, &err) == -EINVAL && !o);
	nk_err_freep(&err);
	CHECK(nk_cgroup_create_in(NK_CG_BASE_SELF, "/abs", &o, &err) == -EINVAL);
	nk_err_freep(&err);
	CHECK(nk_cgroup_create_in(NK_CG_BASE_SELF, "a//b", &o, &err) == -EINVAL);
	nk_err_freep(&err);
}

/* ---- layouts of other hosts, fed to the parser as text ------------------------------------ */

static struct cg_hier *parse_layout(const char *mi, const char *self, const char *init, size_t *n,
                                    nk_cg_layout *layout)
{
	nk_err *err = NULL;
	struct cg_hier *h = NULL;
	CHECK_OK(cg_hiers_parse(mi, self, init, &h, n, &err));
	*layout = cg_layout_of(h, *n);
	return h;
}

static const struct cg_hier *hier_named(const struct cg_hier *h, size_t n, const char *ctrl)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].controllers, ctrl))
			return &h[i];
	tc_fail(__FILE__, __LINE__, "no hierarchy \"%s\"", ctrl);
}

#define STREQ(a, b) ((a) && !strcmp((a), (b)))

/* A legacy systemd host: co-mounted controllers, options that are not controllers, a v1
 * hierarchy the kernel lists but nobody mounted (rdma), PID 1 in init.scope. */
static void tc_parse_v1(void)
{
	const char *mi =
	    "25 20 0:22 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
	    "26 25 0:23 / /sys/fs/cgroup/systemd rw shared:10 - cgroup cgroup "
	    "rw,xattr,name=systemd\n"
	    "27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw shared:11 - cgroup cgroup rw,cpu,cpuacct\n"
	    "28 25 0:25 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
	    "29 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "30 25 0:27 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,clone_children\n";
	const char *self =
	    "7:rdma:/\n6:cpuset:/\n5:memory:/user.slice/user-0.slice/session-1.scope\n"
	    "3:net_cls,net_prio:/\n2:cpu,cpuacct:/user.slice\n"
	    "1:name=systemd:/user.slice/user-0.slice/session-1.scope\n";
	const char *init = "7:rdma:/\n6:cpuset:/\n5:memory:/init.scope\n3:net_cls,net_prio:/\n"
	                   "2:cpu,cpuacct:/init.scope\n1:name=systemd:/init.scope\n";
	size_t n;
	nk_cg_layout layout;
	struct cg_hier *h = parse_layout(mi, self, init, &n, &layout);
	CHECK(layout == NK_CG_LAYOUT_V1 && n == 5);
	const struct cg_hier *cpu = hier_named(h, n, "cpu,cpuacct");
	CHECK(STREQ(cpu->mountpoint, "/sys/fs/cgroup/cpu,cpuacct") && !cpu->v2);
	CHECK(STREQ(cpu->self_path, "/user.slice") && STREQ(cpu->init_path, "/"));
	CHECK(cpu->ctrl && STREQ(cpu->ctrl[0], "cpu") && STREQ(cpu->ctrl[1], "cpuacct"));
	const struct cg_hier *sd = hier_named(h, n, "name=systemd");
	CHECK(STREQ(sd->mountpoint, "/sys/fs/cgroup/systemd") && STREQ(sd->init_path, "/"));
	CHECK(STREQ(hier_named(h, n, "cpuset")->mountpoint, "/sys/fs/cgroup/cpuset"));
	cg_hiers_free(h, n);
}

/* systemd's hybrid mode: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified. */
static void tc_parse_hybrid(void)
{
	const char *mi =
	    "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 "
	    "rw,nsdelegate\n"
	    "31 25 0:27 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup "
	    "rw,xattr,name=systemd\n"
	    "32 25 0:28 / /sys/fs/cgroup/memory rw shared:12 - cgroup cgroup rw,memory\n";
	const char *self =
	    "2:memory:/system.slice/x.service\n1:name=systemd:/system.slice/x.service\n"
	    "0::/system.slice/x.service\n";
	const char *init = "2:memory:/init.scope\n1:name=systemd:/init.scope\n0::/init.scope\n";
	size_t n;
	nk_cg_layout layout;
	struct cg_hier *h = parse_layout(mi, self, init, &n, &layout);
	CHECK(layout == NK_CG_LAYOUT_HYBRID && n == 3);
	const struct cg_hier *u = hier_named(h, n, "");
	CHECK(u->v2 && STREQ(u->mountpoint, "/sys/fs/cgroup/unified") && !u->ctrl);
	CHECK(STREQ(u->init_path, "/") && STREQ(u->self_path, "/system.slice/x.service"));
	cg_hiers_free(h, n);
}

/* Pure v2 in a container: only a subtree mounted, a mount we cannot reach, PID 1 outside our
 * cgroup namespace ("/.."), a mountpoint with an escaped space. */
static void tc_parse_v2_nested(void)
{
	const char *mi =
	    "40 30 0:30 /elsewhere /mnt/a\\040b rw - cgroup2 cgroup2 rw\n"
	    "41 30 0:30 /lxc.payload.c1 /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
	    "42 30 0:30 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n";
	size_t n;
	nk_cg_layout layout;
	struct cg_hier *h = parse_layout(mi, "0::/lxc.payload.c1/a\n", "0::/../..\n", &n, &layout);
	CHECK(layout == NK_CG_LAYOUT_V2 && n == 1);
	CHECK(STREQ(h[0].mountpoint, "/sys/fs/cgroup") &&
	      STREQ(h[0].mount_root, "/lxc.payload.c1"));
	CHECK(h[0].init_path == NULL && STREQ(h[0].self_path, "/lxc.payload.c1/a"));
	cg_hiers_free(h, n);
	h = parse_layout(mi, "0::/x\n", NULL, &n, &layout);
	CHECK(n == 1 && STREQ(h[0].mountpoint, "/mnt/with space") && STREQ(h[0].mount_root, "/"));
	cg_hiers_free(h, n);
	nk_err *err = NULL;
	CHECK(cg_hiers_parse("1 0 0:1 / / rw - ext4 /dev/sda rw\n", "0::/\n", NULL, &h, &n, &err) ==
	      -ENOENT);
	nk_err_freep(&err);
	CHECK(cg_hiers_parse(mi, "garbage\n", NULL, &h, &n, &err) == -EINVAL);
	nk_err_freep(&err);
}

/* Nothing named nooktest.<our pid>.* is left anywhere on the cgroup file systems. */
static bool find_leftover(const char *dir, const char *prefix, int depth)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d || depth > 8)
		return false;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *sub = NULL;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			return true;
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			printf("# left over: %s\n", sub);
			return true;
		}
		if (find_leftover(sub, prefix, depth + 1))
			return true;
	}
	return false;
}

static void tc_no_leftovers(void)
{
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "nooktest.%d.", (int)getpid());
	CHECK(!find_leftover("/sys/fs/cgroup", prefix, 0));
}

const struct tc_case tc_cases[] = {
    {"detect_matches_mountinfo", tc_detect},
    {"create_attach_memory_limit", tc_create_attach},
    {"pids_max_stops_fork_bomb", tc_pids_max},
    {"freeze_thaw", tc_freeze},
    {"kill_reaches_double_forked", tc_kill_tree},
    {"kill_refuses_own_cgroup", tc_kill_refuses_caller},
    {"destroy_removes_every_dir", tc_destroy},
    {"create_refuses_running_clears_stale", tc_refuse_running},
    {"set_errors_name_key_and_host", tc_set_errors},
    {"device_rule_syntax", tc_device_rules},
    {"devices_enforced", tc_devices},
    {"devices_bpf_program", tc_devices_bpf},
    {"open_existing_and_bad_names", tc_open},
    {"parse_v1_comounted", tc_parse_v1},
    {"parse_hybrid_systemd", tc_parse_hybrid},
    {"parse_v2_nested", tc_parse_v2_nested},
    {"no_leftovers", tc_no_leftovers},
};
const unsigned tc_ncases = ARRAY_SIZE(tc_cases);
