/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Running a command inside a running container (nook attach): its namespaces, cgroup,
 * identity and capability limits, in a new session, with a pty from the container's own
 * devpts when asked.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "conf/spec.h"
#include "run/lsm.h"
#include "util/error.h"

typedef struct nk_attach_opts {
	const char *lxcpath;
	const char *name;
	const nk_spec *spec;
	char **argv;     /* NULL: the user's login shell from the container's /etc/passwd */
	char **setenv;   /* -v VAR=VALUE */
	bool clear_env;
	int64_t uid, gid; /* -1: as the config's lxc.init.uid/gid */
	const char *cwd;  /* NULL: / */
	int ns_mask;      /* CLONE_NEW* to enter; 0: all of them */
	bool pty;
	bool keep_caps;   /* lxc-attach -e: keep the capabilities the config drops */
	struct nk_seccomp *seccomp; /* set by nk_attach_spawn: the profile, parsed on the host */
	nk_lsm lsm;                 /* set by nk_attach_spawn: the label the command execs into */
} nk_attach_opts;

/*
 * Starts the command. *pid is a host-side helper whose exit status is the command's (128+N
 * when killed by signal N); *master is the pty master to proxy, or -1 without a pty.
 */
int nk_attach_spawn(const nk_attach_opts *o, pid_t *pid, int *master, nk_err **err);
/* "MOUNT|PID|UTSNAME|IPC|USER|NETWORK|CGROUP" (LXC's -s syntax) into CLONE_NEW* flags. */
int nk_attach_ns_parse(const char *s, int *mask);
