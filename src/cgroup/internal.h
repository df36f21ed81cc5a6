/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared between the files of src/cgroup only. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "util/error.h"

/* One mounted hierarchy, and (once a cgroup is built on it) the cgroup's directory in it. */
struct cg_hier {
	char *mountpoint; /* where it is mounted */
	char *
	    mount_root; /* the cgroup path the mountpoint shows ("/" unless a subtree is mounted) */
	char *controllers; /* v1: "cpu,cpuacct" or "name=systemd"; v2: "" */
	char **ctrl;       /* v1: the same, split; v2: NULL */
	bool v2;
	char *self_path; /* the caller's cgroup path, from /proc/self/cgroup */
	char *init_path; /* PID 1's, "/init.scope" pruned; NULL when not reachable through the mount
	                  */
	/* Set for a container cgroup: */
	char *path;   /* its cgroup path */
	char *dir;    /* its absolute directory */
	int fd;       /* O_DIRECTORY fd of dir, or -1 */
	bool created; /* made by the running nk_cgroup_create (unwound on failure) */
};

struct nk_cgroup {
	nk_cg_layout layout;
	char *name;
	struct cg_hier *h;
	size_t n;
	struct cg_hier *unified; /* into h, or NULL */
	char **v2_ctrl;    /* controllers the unified directory has (its cgroup.controllers) */
	char *v2_ctrl_str; /* the same, space-separated */
};

/* detect.c */
int cg_hiers_detect(struct cg_hier **out, size_t *n, nk_err **err);
/* The same from the files' text (tests feed it other hosts' layouts); init_cgroup may be NULL. */
int cg_hiers_parse(const char *mountinfo, const char *self_cgroup, const char *init_cgroup,
                   struct cg_hier **out, size_t *n, nk_err **err);
void cg_hiers_free(struct cg_hier *h, size_t n);
void cg_hier_clear(struct cg_hier *h);
nk_cg_layout cg_layout_of(const struct cg_hier *h, size_t n);
/* Where the kernel stands on a controller, from /proc/cgroups, for error messages. */
const char *cg_kernel_note(const char *controller);

/* cgfile.c: cgroup files, always relative to a directory fd; dir names it in messages. */
int cg_read_at(int dfd, const char *dir, const char *file, char **out, nk_err **err);
int cg_write_at(int dfd, const char *dir, const char *file, const char *val, nk_err **err);
int cg_read_u64_at(int dfd, const char *dir, const char *file, uint64_t *out, nk_err **err);
/* The value of "key N" in a flat-keyed file (cgroup.events, cpu.stat); -ENODATA, with *err
 * untouched, when the file has no such key. */
int cg_read_keyed_at(int dfd, const char *dir, const char *file, const char *key, uint64_t *out,
                     nk_err **err);
bool cg_exists_at(int dfd, const char *file);
int cg_open_dir_at(int dfd, const char *name); /* fd or -errno */

struct cg_pidset {
	pid_t *v;
	size_t n, cap;
};
void cg_pidset_free(struct cg_pidset *ps);
/* Adds every pid of cgroup.procs in dir and its sub-cgroups. */
int cg_collect_pids(int dfd, const char *dir, struct cg_pidset *ps, nk_err **err);
/* Calls visit on dir, then on every cgroup below it (a sub-cgroup removed meanwhile is skipped). */
typedef int (*cg_visit_fn)(int fd, const char *dir, void *data, nk_err **err);
int cg_walk_tree(int dfd, const char *dir, cg_visit_fn visit, void *data, nk_err **err);
void cg_pidset_sort_unique(struct cg_pidset *ps);
/* Removes parentfd/name and its sub-cgroups, children first; a missing one is fine. */
int cg_rmdir_tree(int parentfd, const char *name, const char *path, nk_err **err);

uint64_t cg_now_ms(void);
void cg_sleep_ms(unsigned ms);
bool cg_strv_contains(char *const *v, const char *s);
/* Split on any of seps, dropping empty fields. */
int cg_split(const char *s, const char *seps, char ***out);

/* v1.c */
int cg_v1_cpuset_init(int parentfd, const char *parent_dir, int fd, const char *dir, nk_err **err);
int cg_v1_freeze(struct cg_hier *h, bool frozen, unsigned timeout_ms, nk_err **err);
int cg_v1_is_frozen(struct cg_hier *h, bool *frozen, nk_err **err);
int cg_v1_thaw_tree(int fd, const char *dir, nk_err **err);
int cg_v1_devices_apply(struct cg_hier *h, const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                        nk_err **err);

/* v2.c */
int cg_v2_enable_controllers(int fd, const char *dir, nk_err **err);
int cg_v2_freeze(struct cg_hier *h, bool frozen, unsigned timeout_ms, nk_err **err);
int cg_v2_is_frozen(struct cg_hier *h, bool *frozen, nk_err **err);
/* Writes cgroup.kill; -EOPNOTSUPP (without an error) before kernel 5.14. */
int cg_v2_kill(struct cg_hier *h, nk_err **err);
int cg_v2_cpu_usage_ns(struct cg_hier *h, uint64_t *ns, nk_err **err);

/*
 * devices_bpf.c: device rules on cgroup v2, as an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE)
 * attached to h's directory with BPF_F_ALLOW_MULTI; one from an earlier call is replaced.
 * Works on the unified hierarchy of a hybrid host too (the kernel asks both the v1 controller
 * and the v2 programs).
 */
struct bpf_insn;
int cg_v2_devices_apply(struct cg_hier *h, const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                        nk_err **err);
/* The program alone (malloc'd, *len instructions), for tests; -ENOMEM or -E2BIG. */
int cg_bpf_devices_build(const nk_cg_dev_rule *rules, size_t n, bool default_deny,
                         struct bpf_insn **out, size_t *len);

/* cgroup.c */
struct cg_hier *cg_find_v1(const nk_cgroup *cg, const char *controller);

/* detect.c: whether pid sits in (or below) the cgroup on any of its hierarchies, per /proc. */
bool cg_pid_is_member(const nk_cgroup *cg, pid_t pid);
