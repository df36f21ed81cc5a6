/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup cases (cases.c) under cmocka, on the build host's real cgroups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tc.h"

void tc_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("%s:%d: %s\n", file, line, msg);
	_fail(file, line);
	abort(); /* _fail jumps out of the test; never reached */
}

static void run_case(void **state)
{
	const struct tc_case *c = *state;
	c->fn();
}

static int setup(void **state)
{
	(void)state;
	return tc_setup();
}

static int teardown(void **state)
{
	(void)state;
	return tc_teardown();
}

int main(void)
{
	if (tc_global_init() < 0)
		return 77; /* meson: skipped */
	tc_describe_host();
	struct CMUnitTest *tests = calloc(tc_ncases, sizeof(*tests));
	if (!tests)
		return 1;
	for (unsigned i = 0; i < tc_ncases; i++)
		tests[i] = (struct CMUnitTest){.name = tc_cases[i].name,
		                               .test_func = run_case,
		                               .setup_func = setup,
		                               .teardown_func = teardown,
		                               .initial_state = (void *)&tc_cases[i]};
	int failed = _cmocka_run_group_tests("cgroup", tests, tc_ncases, NULL, NULL);
	free(tests);
	return failed ? 1 : 0;
}
