/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Control groups for one container, on whatever layout the host has: pure cgroup v2, pure v1, or
 * hybrid (v1 controllers plus a controller-less v2 hierarchy, usually at /sys/fs/cgroup/unified).
 * The layout is detected from /proc/self/mountinfo and /proc/self/cgroup on every call that
 * needs it; nothing assumes /sys/fs/cgroup looks a particular way.
 *
 * A container uses two cgroups under the same base (see docs/cgroups.md):
 *   <base>/nook.payload/<name>   the container's processes, and nothing else
 *   <base>/nook.monitor/<name>   the monitor that supervises them
 * Both are nk_cgroup objects; this module does not know which is which.
 *
 * Every function follows the nk_err contract: 0 or a negative errno, *err filled on failure.
 * None of them is thread-safe on the same nk_cgroup; the monitor is single-threaded anyway.
 * Callers hold the container lock around create/destroy (two creators of one name would race).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* The conventional parents, directly under the base (lxc.cgroup.dir replaces this pair). */
#define NK_CG_PAYLOAD_DIR "nook.payload"
#define NK_CG_MONITOR_DIR "nook.monitor"

/* How long kill (SIGKILL) and freeze wait before giving up with -ETIMEDOUT. */
#define NK_CG_TIMEOUT_MS 10000

typedef struct nk_cgroup nk_cgroup;

typedef enum {
	NK_CG_LAYOUT_V1,     /* only v1 hierarchies (possibly with name=systemd) */
	NK_CG_LAYOUT_V2,     /* only the unified hierarchy */
	NK_CG_LAYOUT_HYBRID, /* v1 controllers and a v2 hierarchy side by side */
} nk_cg_layout;

/*
 * Where relative names are rooted, per hierarchy.
 * NK_CG_BASE_INIT: the cgroup of PID 1 (with a trailing "/init.scope" removed), which is "/" on
 *   an ordinary host. Every root process computes the same base, so `nook stop` in one shell finds
 *   what `nook start` in another created, and containers do not inherit the limits of whatever
 *   login session started them. This is LXC's behaviour for root.
 * NK_CG_BASE_SELF: the caller's own cgroup (lxc.cgroup.relative = 1). The base then depends on
 *   who calls, so the runtime must record the absolute paths (nk_cgroup_hier_get) for later.
 */
typedef enum { NK_CG_BASE_INIT, NK_CG_BASE_SELF } nk_cg_base;

const char *nk_cg_layout_name(nk_cg_layout layout); /* "v1", "v2", "hybrid" */
int nk_cgroup_detect(nk_cg_layout *layout, nk_err **err);

/*
 * Create `name` (relative, e.g. "nook.payload/web") under the base on every hierarchy: each v1
 * hierarchy (co-mounted controllers share one directory; name=systemd included) and the unified
 * one. Along the way, v1 cpuset directories get cpuset.cpus/mems copied from their parent (a task
 * cannot join an empty cpuset) and v2 directories above the leaf get every available controller
 * enabled in cgroup.subtree_control.
 * Fails with -EBUSY if the cgroup exists and holds processes (a running container); an existing
 * empty one is stale (a monitor died) and is removed first, with any sub-cgroups.
 * On failure nothing this call created is left behind.
 */
int nk_cgroup_create(const char *name, nk_cgroup **out, nk_err **err);
int nk_cgroup_create_in(nk_cg_base base, const char *name, nk_cgroup **out, nk_err **err);
/* Open an existing cgroup (stop/info/freeze from another process). -ENOENT if it is nowhere. */
int nk_cgroup_open(const char *name, nk_cgroup **out, nk_err **err);
int nk_cgroup_open_in(nk_cg_base base, const char *name, nk_cgroup **out, nk_err **err);

nk_cg_layout nk_cgroup_layout(const nk_cgroup *cg);
const char *nk_cgroup_name(const nk_cgroup *cg);

/*
 * Limits. key is a cgroup file name whose prefix names the controller: v1 "memory.limit_in_bytes",
 * "cpuset.cpus", "devices.allow" (as in lxc.cgroup.KEY); v2 "memory.max", "pids.max" (as in
 * lxc.cgroup2.KEY), plus "cgroup.max.depth" and "cgroup.max.descendants". The error names the key
 * and the file, or says that this host has no such controller on that cgroup version.
 * Interface files (cgroup.procs, tasks, release_agent, ...) are refused: they are not limits.
 */
int nk_cgroup_set_v1(nk_cgroup *cg, const char *key, const char *value, nk_err **err);
int nk_cgroup_set_v2(nk_cgroup *cg, const char *key, const char *value, nk_err **err);

/*
 * Move pid (0: the caller) into the cgroup on every hierarchy. Pass only the caller itself or a
 * child it has not reaped: any other pid number may be recycled under us. If this fails half way
 * the process is in some hierarchies only; the caller kills it.
 */
int nk_cgroup_attach(nk_cgroup *cg, pid_t pid, nk_err **err);
/*
 * Move the calling process, which must be single-threaded, into the cgroup on every hierarchy
 * (but the unified one when born_in_unified: a clone3 with CLONE_INTO_CGROUP put it there).
 * Unlike nk_cgroup_attach, which takes the kernel's cgroup threadgroup lock for writing and so
 * waits for an RCU grace period (5 to 15 ms) whenever no migration ran just before, this does
 * not wait on cgroup v1: a thread that moves itself skips that lock. On cgroup v2 it does wait.
 * A child that moves itself this way must do it before it closes the cgroup's fds (and before
 * it enters anything); the parent learns of a failure from the child.
 */
int nk_cgroup_enter(nk_cgroup *cg, bool born_in_unified, nk_err **err);
/*
 * The unified directory as an O_DIRECTORY fd owned by cg (or -1 without a v2 hierarchy), for
 * clone3(CLONE_INTO_CGROUP), which puts a child in its cgroup before it runs a single instruction.
 */
int nk_cgroup_unified_fd(const nk_cgroup *cg);

/*
 * Send sig to every process in the cgroup and its sub-cgroups. For SIGKILL, loop until it is
 * empty (-ETIMEDOUT after NK_CG_TIMEOUT_MS): cgroup.kill on v2 (kernel >= 5.14), else freeze,
 * kill every pid, thaw, repeat, so a fork loop cannot outrun us. Other signals are sent once.
 */
int nk_cgroup_kill(nk_cgroup *cg, int sig, nk_err **err);
/* Freeze or thaw, and wait until the kernel reports it done. -EOPNOTSUPP without a freezer. */
int nk_cgroup_freeze(nk_cgroup *cg, bool frozen, nk_err **err);
int nk_cgroup_is_frozen(nk_cgroup *cg, bool *frozen, nk_err **err);
/* Every pid in the cgroup and its sub-cgroups, on every hierarchy, sorted and unique. */
int nk_cgroup_pids(nk_cgroup *cg, pid_t **pids, size_t *n, nk_err **err);

#define NK_CG_STAT_UNKNOWN UINT64_MAX
typedef struct nk_cgroup_stats {
	uint64_t memory_bytes; /* v2 memory.current, v1 memory.usage_in_bytes */
	uint64_t cpu_ns;       /* v2 cpu.stat usage_usec * 1000, v1 cpuacct.usage */
	uint64_t pids;         /* pids.current */
} nk_cgroup_stats;
/* Fields this host cannot report are NK_CG_STAT_UNKNOWN; that alone is not an error. */
int nk_cgroup_stats_get(nk_cgroup *cg, nk_cgroup_stats *st, nk_err **err);

/*
 * Absolute directory of the cgroup for a controller ("memory", "cpuacct", "name=systemd"), or of
 * the v2 hierarchy for "unified" or "" or NULL; NULL when this host has none.
 */
const char *nk_cgroup_path(const nk_cgroup *cg, const char *controller);

/*
 * The hierarchies in use, for a runtime that mounts the container's view (lxc.mount.auto =
 * cgroup:mixed: each hierarchy read-only, the container's own directory bound read-write on top).
 *   for (size_t i = 0; nk_cgroup_hier_get(cg, i, &h); i++) ...
 * The strings belong to cg.
 */
typedef struct nk_cgroup_hier {
	/* "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/unified" */
	const char *mountpoint;
	/* v1: "cpu,cpuacct" or "name=systemd"; v2: the cgroup's controllers, "memory pids" */
	const char *controllers;
	const char *dir;  /* absolute directory of this cgroup: mountpoint + rel */
	const char *rel;  /* dir below the mountpoint, "/nook.payload/web" */
	const char *path; /* the cgroup path as /proc/PID/cgroup shows it */
	bool v2;
} nk_cgroup_hier;
bool nk_cgroup_hier_get(const nk_cgroup *cg, size_t i, nk_cgroup_hier *h);

/* Hands the cgroup (not its limits) to a user-namespaced container's root on every hierarchy. */
int nk_cgroup_chown(nk_cgroup *cg, uid_t uid, gid_t gid, nk_err **err);

/*
 * Remove the cgroup's directory and every sub-cgroup (children first) on every hierarchy.
 * -EBUSY, naming a pid, if processes remain. Parents (nook.payload) stay: other containers share
 * them, and removing one would race with a concurrent create.
 */
int nk_cgroup_destroy(nk_cgroup *cg, nk_err **err);
/* Frees memory and closes fds; the cgroups themselves stay. */
void nk_cgroup_free(nk_cgroup *cg);
/* nk_cgroup_destroy, and when processes remain, nk_cgroup_kill (SIGKILL) first. */
int nk_cgroup_kill_destroy(nk_cgroup *cg, nk_err **err);
void nk_cgroup_freep(nk_cgroup **cg);
#define _cleanup_cgroup_ __attribute__((cleanup(nk_cgroup_freep)))

/*
 * Device access, in LXC's (and the v1 kernel's) rule syntax: "a" (everything), or
 * "TYPE MAJOR:MINOR ACCESS" with TYPE one of a/b/c, MAJOR/MINOR a number or "*", ACCESS from "rwm".
 */
enum { NK_CG_DEV_READ = 1, NK_CG_DEV_WRITE = 2, NK_CG_DEV_MKNOD = 4 };
#define NK_CG_DEV_ANY (-1) /* "*" as a major or minor */
typedef struct nk_cg_dev_rule {
	bool allow;    /* devices.allow (true) or devices.deny */
	char type;     /* 'a', 'b' or 'c' */
	int64_t major; /* NK_CG_DEV_ANY or 0..UINT32_MAX */
	int64_t minor;
	unsigned access; /* NK_CG_DEV_* bits */
} nk_cg_dev_rule;
/* Parse one rule; allow says which list it came from (lxc.cgroup.devices.allow or .deny). */
int nk_cg_dev_rule_parse(const char *s, bool allow, nk_cg_dev_rule *r, nk_err **err);
/* Back to the kernel's syntax ("c 1:3 rwm", "a"); buf of at least NK_CG_DEV_RULE_MAX bytes. */
#define NK_CG_DEV_RULE_MAX 48
const char *nk_cg_dev_rule_format(const nk_cg_dev_rule *r, char *buf, size_t size);
/*
 * Start from deny-all (default_deny) or allow-all, then apply rules in order. With a v1 devices
 * controller (v1 and hybrid hosts), through its devices.deny/devices.allow files; without one,
 * as an eBPF device program on the unified directory (see docs/cgroups.md), which the cgroup
 * keeps until it is removed; a second call replaces the first one's program. -EOPNOTSUPP when
 * the host has neither, which the caller may turn into a warning.
 */
int nk_cgroup_devices_apply(nk_cgroup *cg, const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                            nk_err **err);
