/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the LXC config parser. Beyond "no crash, no leak, no UB", it checks the
 * writer's promise on every input that parses: the dump reads back, and reads back the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/lxc.h"
#include "util/cleanup.h"
#include "util/log.h"

static void check_round_trip(const char *text)
{
	_cleanup_(nk_spec_freep) nk_spec *again = nk_spec_new();
	_cleanup_free_ char *text2 = NULL;
	nk_err *err = NULL;
	if (!again)
		return;
	if (nk_lxc_parse_text(again, text, strlen(text), "dump", &err) < 0) {
		fprintf(stderr, "dump does not parse: %s\n--- dump:\n%s", err->msg, text);
		abort();
	}
	if (nk_lxc_dump(again, &text2, NULL) < 0)
		return;
	if (strcmp(text, text2)) {
		fprintf(stderr, "dump changes on a round trip\n--- first:\n%s--- second:\n%s", text,
		        text2);
		abort();
	}
}

/*
 * Key names are long exact strings that byte mutations rarely find: unless the caller chose a
 * dictionary, use the one generated from the key table (lxc.dict).
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *args[256];
	int n = *argc;
	for (int i = 1; i < n; i++)
		if (!strncmp((*argv)[i], "-dict=", 6))
			return 0;
	if (n + 2 > (int)(sizeof(args) / sizeof(args[0])))
		return 0;
	args[0] = (*argv)[0];
	args[1] = "-dict=" NK_FUZZ_DICT;
	for (int i = 1; i < n; i++)
		args[i + 1] = (*argv)[i];
	*argc = n + 1;
	*argv = args;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet++)
		nk_log_init("fuzz", NK_LOG_FATAL + 1, 1);
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	nk_err *err = NULL;
	if (!spec)
		return 0;
	if (nk_lxc_parse_text(spec, (const char *)data, size, "fuzz.conf", &err) < 0) {
		/* An error is one line that names its place. */
		if (!err || !err->msg || strchr(err->msg, '\n'))
			abort();
		nk_err_free(err);
		return 0;
	}
	_cleanup_free_ char *text = NULL;
	if (nk_lxc_dump(spec, &text, NULL) == 0)
		check_round_trip(text);
	nk_strv_free(nk_lxc_not_applied(spec));
	return 0;
}
