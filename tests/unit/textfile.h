/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Test helpers (cmocka must be included first): whole text files in, whole text files out. */
#include <string.h>

#include "util/fs.h"

static inline void write_text(const char *path, const char *text)
{
	assert_int_equal(nk_write_file_atomic(path, text, strlen(text), 0644, NULL), 0);
}

/* The caller frees the text. */
static inline char *read_text(const char *path)
{
	char *t = NULL;
	assert_int_equal(nk_read_file(path, &t, NULL, NULL), 0);
	return t;
}
