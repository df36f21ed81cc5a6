/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/proctitle.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static char *area;
static size_t area_len;

void nk_proctitle_init(int argc, char **argv)
{
	extern char **environ;
	if (argc < 1 || !argv[0])
		return;
	char *end = argv[0] + strlen(argv[0]) + 1;
	for (int i = 1; i < argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	/* The environment usually follows argv: take it too, after moving it to the heap. */
	size_t n = 0;
	while (environ[n])
		n++;
	char **copy = calloc(n + 1, sizeof(char *));
	if (copy) {
		for (size_t i = 0; i < n; i++) {
			if (environ[i] == end)
				end = environ[i] + strlen(environ[i]) + 1;
			copy[i] = strdup(environ[i]);
		}
		environ = copy;
	}
	area = argv[0];
	area_len = (size_t)(end - argv[0]);
}

void nk_proctitle_set(const char *title)
{
	if (!area || area_len < 2)
		return;
	size_t n = strlen(title);
	if (n > area_len - 1)
		n = area_len - 1;
	memcpy(area, title, n);
	memset(area + n, 0, area_len - n);
	prctl(PR_SET_NAME, "nook-monitor", 0, 0, 0);
}
