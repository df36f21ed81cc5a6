/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Helpers for the src/run tests. They mount for real, as root, but only in a forked child
 * that first unshares its mount namespace and makes "/" a private tree: nothing reaches the
 * host, and the namespace dies with the child. Assertions in the child are CHECK*() macros
 * that print and _exit(1); the parent (cmocka) asserts the child exited 0.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/spec.h"
#include "util/error.h"

/* A temp dir "top" holding "rootfs" (busybox, etc, proc, sys, dev, tmp...) and "outside". */
struct nkt_root {
	char top[64];
	char rootfs[96];
	char outside[96];
};

/* cmocka setup/teardown: *state becomes a struct nkt_root; teardown also checks the host
 * mount table shows nothing under it. */
int nkt_root_setup(void **state);
int nkt_root_teardown(void **state);

/*
 * Runs fn(arg) in a child in new namespaces (CLONE_NEW* flags; CLONE_NEWNS is always added,
 * then "/" is made rprivate). With CLONE_NEWPID, fn runs in a grandchild: pid 1 of the new
 * namespace. Returns the exit status (0 = every CHECK passed).
 */
int nkt_run(int ns_flags, int (*fn)(void *arg), void *arg);
#define NKT_RUN(flags, fn, arg) assert_int_equal(nkt_run((flags), (fn), (arg)), 0)

/* Child side. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: CHECK(%s) failed (errno: %s)\n", __FILE__,         \
			        __LINE__, #cond, strerror(errno));                                 \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)
/* The call, which uses &E as its nk_err **, must succeed. */
#define CHECK_OK(...)                                                                              \
	do {                                                                                       \
		nk_err *E = NULL;                                                                  \
		if ((__VA_ARGS__) < 0) {                                                           \
			char *t_ = nk_err_text(E);                                                 \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #__VA_ARGS__, t_);  \
			_exit(1);                                                                  \
		}                                                                                  \
		nk_err_free(E);                                                                    \
	} while (0)
/* The call must fail with -errnum and a message containing `needle`. */
#define CHECK_FAILS(errnum, needle, ...)                                                           \
	do {                                                                                       \
		nk_err *E = NULL;                                                                  \
		int r_ = (__VA_ARGS__);                                                            \
		char *t_ = nk_err_text(E);                                                         \
		if (r_ != -(errnum) || !E || !strstr(E->msg, (needle))) {                          \
			fprintf(stderr, "%s:%d: %s: expected -%d \"%s\", got %d \"%s\"\n",         \
			        __FILE__, __LINE__, #__VA_ARGS__, (errnum), (needle), r_, t_);     \
			_exit(1);                                                                  \
		}                                                                                  \
		free(t_);                                                                          \
		nk_err_free(E);                                                                    \
	} while (0)

/* The last mountinfo entry whose mount point is path: fstype, super options and root
 * copied out (each may be NULL). */
bool nkt_mount_at(const char *path, char *fstype, char *super, char *root, size_t len);
/* statvfs flags of path (ST_RDONLY, ST_NOSUID...); exits on failure. */
unsigned long nkt_vfs_flags(const char *path);
/* "%s/%s" into a static buffer rotation (4 slots): for building paths in CHECKs. */
const char *nkt_path(const char *a, const char *b);
/* Writes a file (mode 0644), creating it. */
void nkt_write(const char *path, const char *text);
/* Reads up to len-1 bytes of a file as a string; exits on failure. */
char *nkt_read(const char *path, char *buf, size_t len);
/* A new spec with only the fields tests set; exits on allocation failure. */
nk_spec *nkt_spec(void);
/* Whether the directory is empty. */
bool nkt_dir_empty(const char *path);
