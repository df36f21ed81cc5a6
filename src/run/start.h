/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The start sequence of a system container (DESIGN.md, "The start sequence"): cgroup, clone
 * into new namespaces, the child's mounts, /dev and ttys, pivot_root, limits, capabilities,
 * exec of init. The caller (the monitor) owns the result: init's pid, a pidfd, the tty masters
 * and the cgroup, and tears them down with nk_container_teardown.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "conf/spec.h"
#include "util/error.h"

typedef struct nk_container {
	const char *lxcpath;
	const char *name;
	const nk_spec *spec;
	char *rootfs;      /* plain directory of lxc.rootfs.path */
	char *cgroup_name; /* relative to the hierarchies' roots */
	nk_cgroup *cg;      /* limits, device rules, kill, freeze: never visible inside */
	nk_cgroup *init_cg; /* its child where init runs: the root of the cgroup namespace */
	pid_t pid;         /* init, in the host's pid namespace */
	int pidfd;
	int *masters;      /* [0] console (-1 when lxc.console.path = none), [1..] tty1..N */
	size_t n_masters;
	struct nk_netc *net; /* while starting: the networks being set up (undone on failure) */
	char **phys;       /* records of what stop undoes on the host (net/container_stop.c) */
	int netns_fd;      /* the container's network namespace, held until those are undone */
} nk_container;

typedef struct nk_start_opts {
	const char *lxcpath;
	const char *name;
	const nk_spec *spec;
	char **argv;       /* replaces lxc.init.cmd when set */
	int exec_fd;       /* when >= 0: an fd of an executable run as init (nook-init) with argv */
	bool inherit_stdio; /* init keeps the caller's fds 0-2 (nook execute) instead of the console */
} nk_start_opts;

/* Runs the whole sequence; on failure every step taken is undone and *out untouched. */
int nk_container_spawn(const nk_start_opts *o, nk_container **out, nk_err **err);
/* Kills whatever is left in the cgroup, removes it, closes the masters; frees c. */
int nk_container_teardown(nk_container *c, nk_err **err);
/* The cgroup directory name a container uses ("nook.payload/NAME" or lxc.cgroup.dir). */
char *nk_container_cgroup_name(const char *lxcpath, const char *name, const nk_spec *spec);
/* The child of that cgroup where init and attached processes run (lxc.cgroup.dir.container.inner,
 * default "ns"). */
char *nk_container_init_cgroup_name(const char *lxcpath, const char *name, const nk_spec *spec);
