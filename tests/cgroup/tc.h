/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The cgroup tests are written once (cases.c) and run by two drivers: test_cgroup.c under cmocka
 * on the build host, and tap_main.c, a static TAP driver that runs inside a pure-v2 VM where no
 * static cmocka exists (tests/qemu). A driver supplies tc_fail, which must not return.
 */
#include <stdbool.h>

#include "util/error.h"

struct tc_case {
	const char *name;
	void (*fn)(void);
};
extern const struct tc_case tc_cases[];
extern const unsigned tc_ncases;

/* Once per process: needs root; makes us a child subreaper so double-forked orphans come home. */
int tc_global_init(void); /* 0, or -1 with a reason printed: skip everything */
int tc_setup(void);       /* per case: picks a fresh "nooktest.PID.N" top-level name */
int tc_teardown(void);    /* per case: kills and removes everything under that name */
/* Describes the host on stdout as "# " lines (layout, hierarchies, v2 controllers). */
void tc_describe_host(void);

__attribute__((noreturn, format(printf, 3, 4))) void tc_fail(const char *file, int line,
                                                             const char *fmt, ...);
__attribute__((noreturn)) void tc_fail_err(const char *file, int line, const char *expr, int r,
                                           nk_err **err);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			tc_fail(__FILE__, __LINE__, "check failed: %s", #c);                       \
	} while (0)
/* expr returns 0 / -errno and fills the nk_err *err that the test declares. */
#define CHECK_OK(expr)                                                                             \
	do {                                                                                       \
		int r_ = (expr);                                                                   \
		if (r_ < 0)                                                                        \
			tc_fail_err(__FILE__, __LINE__, #expr, r_, &err);                          \
	} while (0)
