/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device access on cgroup v2. The unified hierarchy has no devices.allow/deny files: the kernel
 * asks the eBPF programs of type BPF_PROG_TYPE_CGROUP_DEVICE attached to a task's cgroup and its
 * ancestors, once per mknod and per open of a device node, and refuses with EPERM unless every
 * one of them returns 1. We compile the same rule list the v1 controller takes into such a
 * program, by hand (no compiler, no libbpf at run time), load it and attach it.
 *
 * Meaning of a rule list: exactly what the v1 controller makes of the same writes, so a config
 * means one thing on every host. The rules are replayed as v1 does (cg_v1_devices_apply writes
 * the same list): "a" is a reset to allow-all or deny-all that clears the exceptions; a rule of
 * the default's kind removes its access bits from the exception with the very same type and
 * numbers (a pattern removes nothing else); a rule of the other kind adds an exception, merged
 * into one with the same type and numbers. What is left becomes the program:
 *  - deny by default: a request passes if one exception matches the device and holds every
 *    access it asks for (reading and writing through two exceptions is not enough, as in v1);
 *  - allow by default: a request fails if one exception matches the device and holds any of
 *    the access it asks for.
 *
 * Lifetime: an attached program is held by the cgroup, so the program fd is closed once it is
 * attached, and the program goes away with the cgroup's directory.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"

/* Registers of the program. R1 is the context (struct bpf_cgroup_dev_ctx), R0 the verdict. */
enum {
	R_VERDICT = BPF_REG_0,
	R_CTX = BPF_REG_1,
	R_TYPE = BPF_REG_2,   /* BPF_DEVCG_DEV_BLOCK or BPF_DEVCG_DEV_CHAR */
	R_ACCESS = BPF_REG_3, /* the requested BPF_DEVCG_ACC_* bits */
	R_MAJOR = BPF_REG_4,
	R_MINOR = BPF_REG_5,
};
#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)
/* A jump offset that stands for "to the next exception's test" until its test is complete. */
#define OFF_NEXT INT16_MAX
/* Instructions: the prologue, at most 7 per exception, and the default. */
#define PROLOGUE_LEN      6
#define EXCEPTION_MAX_LEN 7

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){
	    .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/*
 * Comparisons use the 64-bit jumps, which every kernel with device programs has (the 32-bit ones
 * came in 5.1). Both sides are exact: a context field loaded as a word is zero-extended, and a
 * number above INT32_MAX in a rule becomes a negative 64-bit immediate that equals no field,
 * which is right, since no device number reaches 2^31 (majors have 12 bits, minors 20).
 */
static struct bpf_insn jne(uint8_t reg, int32_t imm, int16_t off)
{
	return insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, off, imm);
}

static struct bpf_insn ret(int32_t verdict)
{
	return insn(BPF_ALU64 | BPF_MOV | BPF_K, R_VERDICT, 0, 0, verdict);
}

static const struct bpf_insn prologue[PROLOGUE_LEN] = {
    /* access_type is (access << 16) | type */
    {.code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = R_TYPE, .src_reg = R_CTX, .off = 0},
    {.code = BPF_ALU | BPF_MOV | BPF_X, .dst_reg = R_ACCESS, .src_reg = R_TYPE},
    {.code = BPF_ALU | BPF_AND | BPF_K, .dst_reg = R_TYPE, .imm = 0xffff},
    {.code = BPF_ALU | BPF_RSH | BPF_K, .dst_reg = R_ACCESS, .imm = 16},
    {.code = BPF_LDX | BPF_W | BPF_MEM,
     .dst_reg = R_MAJOR,
     .src_reg = R_CTX,
     .off = offsetof(struct bpf_cgroup_dev_ctx, major)},
    {.code = BPF_LDX | BPF_W | BPF_MEM,
     .dst_reg = R_MINOR,
     .src_reg = R_CTX,
     .off = offsetof(struct bpf_cgroup_dev_ctx, minor)},
};

struct prog {
	struct bpf_insn *v;
	size_t n;
};

static void emit(struct prog *p, struct bpf_insn i)
{
	p->v[p->n++] = i;
}

static int32_t bpf_access(unsigned access)
{
	return (access & NK_CG_DEV_READ ? BPF_DEVCG_ACC_READ : 0) |
	       (access & NK_CG_DEV_WRITE ? BPF_DEVCG_ACC_WRITE : 0) |
	       (access & NK_CG_DEV_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0);
}

/* The v1 controller's state after the writes: its default and its exceptions. */
struct v1_state {
	bool deny;
	nk_cg_dev_rule *ex; /* type 'b' or 'c'; allow == deny: the opposite of the default */
	size_t n;
};

static nk_cg_dev_rule *find_same(struct v1_state *st, const nk_cg_dev_rule *r)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->ex[i].type == r->type && st->ex[i].major == r->major &&
		    st->ex[i].minor == r->minor)
			return &st->ex[i];
	return NULL;
}

/* st->ex has room for every rule. */
static void replay(struct v1_state *st, const nk_cg_dev_rule *r)
{
	if (r->type == 'a') {
		st->deny = !r->allow;
		st->n = 0;
		return;
	}
	nk_cg_dev_rule *same = find_same(st, r);
	if (r->allow != st->deny) { /* deny under deny-all, allow under allow-all */
		if (same && !(same->access &= ~r->access))
			*same = st->ex[--st->n];
		return;
	}
	if (same) {
		same->access |= r->access;
		return;
	}
	st->ex[st->n] = *r;
	st->ex[st->n++].allow = st->deny;
}

/* The test of one exception; the last two instructions are its verdict. */
static void emit_exception(struct prog *p, const nk_cg_dev_rule *ex)
{
	size_t start = p->n;
	int32_t acc = bpf_access(ex->access);
	emit(p, jne(R_TYPE, ex->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, OFF_NEXT));
	if (ex->major != NK_CG_DEV_ANY)
		emit(p, jne(R_MAJOR, (int32_t)ex->major, OFF_NEXT));
	if (ex->minor != NK_CG_DEV_ANY)
		emit(p, jne(R_MINOR, (int32_t)ex->minor, OFF_NEXT));
	if (acc != ACC_ALL && ex->allow) {
		/* Every bit asked for must be one of ours: skip if any other is set. */
		emit(p, insn(BPF_JMP | BPF_JSET | BPF_K, R_ACCESS, 0, OFF_NEXT, ACC_ALL & ~acc));
	} else if (acc != ACC_ALL) {
		/* One bit asked for that is ours denies: skip unless one is set. */
		emit(p, insn(BPF_JMP | BPF_JSET | BPF_K, R_ACCESS, 0, 1, acc));
		emit(p, insn(BPF_JMP | BPF_JA, 0, 0, OFF_NEXT, 0));
	}
	emit(p, ret(ex->allow ? 1 : 0));
	emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	for (size_t i = start; i < p->n; i++)
		if (BPF_CLASS(p->v[i].code) == BPF_JMP && p->v[i].off == OFF_NEXT)
			p->v[i].off = (int16_t)(p->n - i - 1);
}

int cg_bpf_devices_build(const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                         struct bpf_insn **out, size_t *len)
{
	if (n > (SIZE_MAX / sizeof(struct bpf_insn) - PROLOGUE_LEN - 2) / EXCEPTION_MAX_LEN)
		return -E2BIG;
	_cleanup_free_ nk_cg_dev_rule *ex = calloc(n ? n : 1, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	struct v1_state st = {.deny = default_deny, .ex = ex};
	for (size_t i = 0; i < n; i++)
		replay(&st, &rules[i]);
	struct prog p = {.v = calloc(PROLOGUE_LEN + st.n * EXCEPTION_MAX_LEN + 2, sizeof(*p.v))};
	if (!p.v)
		return -ENOMEM;
	for (size_t i = 0; i < PROLOGUE_LEN; i++)
		emit(&p, prologue[i]);
	for (size_t i = 0; i < st.n; i++)
		emit_exception(&p, &st.ex[i]);
	emit(&p, ret(st.deny ? 0 : 1));
	emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	*out = p.v;
	*len = p.n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : (int)r;
}

/* The verifier's reason for refusing: the last line of its log before its statistics. */
static const char *log_reason(char *log, size_t size)
{
	log[size - 1] = '\0';
	for (;;) {
		size_t len = strlen(log);
		while (len > 0 && (log[len - 1] == '\n' || log[len - 1] == ' '))
			log[--len] = '\0';
		char *nl = strrchr(log, '\n');
		char *line = nl ? nl + 1 : log;
		if (!nl || (strncmp(line, "processed ", 10) != 0 &&
		            strncmp(line, "verification time", 17) != 0))
			return line;
		*nl = '\0';
	}
}

/*
 * Load without a log first: at log level 1 the verifier traces every instruction, and a trace
 * that overflows the buffer fails the load (ENOSPC) even for a good program. Only a refused
 * program is loaded again with the log, for the verifier's reason. EAGAIN is retried as libbpf
 * does (the verifier can be interrupted).
 */
static int prog_load(const struct bpf_insn *v, size_t len, nk_err **err)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)v;
	a.insn_cnt = (uint32_t)len;
	a.license = (uintptr_t) "GPL";
	memcpy(a.prog_name, "nook_devices", sizeof("nook_devices"));
	int fd; /* the kernel makes it close-on-exec */
	for (int tries = 0; (fd = sys_bpf(BPF_PROG_LOAD, &a)) == -EAGAIN && tries < 5; tries++)
		;
	if (fd >= 0)
		return fd;
	if (fd == -EPERM)
		return nk_err_set(err, EPERM,
		                  "load eBPF device program (needs CAP_BPF or CAP_SYS_ADMIN, and "
		                  "before Linux 5.11 enough RLIMIT_MEMLOCK)");
	const size_t log_size = 64 * 1024;
	_cleanup_free_ char *log = calloc(1, log_size);
	if (!log)
		return nk_err_set(err, -fd, "load eBPF device program");
	a.log_level = 1;
	a.log_buf = (uintptr_t)log;
	a.log_size = (uint32_t)log_size;
	int r = sys_bpf(BPF_PROG_LOAD, &a);
	if (r >= 0) /* refused once, accepted now: take it */
		return r;
	const char *why = log_reason(log, log_size);
	return nk_err_set(err, -fd, "load eBPF device program (%zu instructions)%s%s", len,
	                  *why ? ": " : "", why);
}

/* Ids of the device programs attached to the cgroup itself (not its ancestors'). */
static int query_attached(int cgfd, const char *dir, uint32_t **ids, uint32_t *n, nk_err **err)
{
	for (uint32_t cap = 16;; cap *= 2) {
		_cleanup_free_ uint32_t *v = calloc(cap, sizeof(*v));
		if (!v)
			return nk_err_set(err, ENOMEM, "query eBPF device programs of %s", dir);
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.query.target_fd = (uint32_t)cgfd;
		a.query.attach_type = BPF_CGROUP_DEVICE;
		a.query.prog_ids = (uintptr_t)v;
		a.query.prog_cnt = cap;
		int r = sys_bpf(BPF_PROG_QUERY, &a);
		if (r == -ENOSPC && cap < 65536)
			continue;
		if (r < 0)
			return nk_err_set(err, -r, "query eBPF device programs of %s", dir);
		*ids = TAKE_PTR(v);
		*n = a.query.prog_cnt;
		return 0;
	}
}

/* A program another call detached meanwhile is fine: it is gone either way. */
static int detach_id(int cgfd, const char *dir, uint32_t id, nk_err **err)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	_cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return nk_err_set(err, -fd, "open eBPF program %u of %s", id, dir);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	int r = sys_bpf(BPF_PROG_DETACH, &a);
	if (r < 0 && r != -ENOENT)
		return nk_err_set(err, -r, "detach eBPF program %u from %s", id, dir);
	return 0;
}

/*
 * BPF_F_ALLOW_MULTI: the kernel runs our program and every one attached below (a nested manager
 * inside the container may add its own), and a device is usable only if all of them allow it,
 * so nothing attached below can loosen our rules. A program from an earlier call on the same
 * cgroup is detached only after the new one is in place, so there is no moment without rules.
 */
int cg_v2_devices_apply(struct cg_hier *h, const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                        nk_err **err)
{
	_cleanup_free_ struct bpf_insn *v = NULL;
	size_t len = 0;
	int r = cg_bpf_devices_build(rules, n, default_deny, &v, &len);
	if (r < 0)
		return nk_err_set(err, -r, "build eBPF device program for %zu rules", n);
	_cleanup_free_ uint32_t *old = NULL;
	uint32_t n_old = 0;
	r = query_attached(h->fd, h->dir, &old, &n_old, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = prog_load(v, len, err);
	if (fd < 0)
		return fd;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)h->fd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	r = sys_bpf(BPF_PROG_ATTACH, &a);
	if (r < 0)
		return nk_err_set(err, -r, "attach eBPF device program to %s", h->dir);
	for (uint32_t i = 0; i < n_old; i++) {
		r = detach_id(h->fd, h->dir, old[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}
