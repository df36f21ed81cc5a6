/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup cases (cases.c) as a static TAP program, for the pure-v2 VM (tests/qemu), where
 * the initramfs has no libraries: Debian ships no static libcmocka, so this driver stands in.
 * Exit status: 0 all passed, 1 some failed, 77 skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "tc.h"

static jmp_buf case_jmp;

void tc_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# %s:%d: ", file, line);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	longjmp(case_jmp, 1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_case(const struct tc_case *c)
{
	volatile int ok = 0;
	if (tc_setup() < 0)
		return 0;
	if (setjmp(case_jmp) == 0) {
		c->fn();
		ok = 1;
	}
	if (tc_teardown() < 0)
		ok = 0;
	return ok;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	if (tc_global_init() < 0) {
		printf("1..0 # SKIP not root\n");
		return 77;
	}
	tc_describe_host();
	printf("1..%u\n", tc_ncases);
	unsigned failed = 0;
	for (unsigned i = 0; i < tc_ncases; i++) {
		double t0 = now_s();
		int ok = run_case(&tc_cases[i]);
		failed += !ok;
		printf("%sok %u - %s # %.2f s\n", ok ? "" : "not ", i + 1, tc_cases[i].name,
		       now_s() - t0);
	}
	printf("# %u passed, %u failed\n", tc_ncases - failed, failed);
	return failed ? 1 : 0;
}
