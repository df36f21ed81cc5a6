/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * A growable string. Appends never fail loudly: on allocation failure the buffer remembers it
 * (oom) and every later append is a no-op, so a writer checks once at the end.
 */
#include <stdbool.h>
#include <stddef.h>

typedef struct nk_strbuf {
	char *s; /* NUL-terminated once anything was appended; may be NULL when empty */
	size_t len;
	size_t cap;
	bool oom;
} nk_strbuf;

void nk_strbuf_appendn(nk_strbuf *b, const char *s, size_t n);
void nk_strbuf_append(nk_strbuf *b, const char *s);
void nk_strbuf_putc(nk_strbuf *b, char c);
void nk_strbuf_printf(nk_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); NULL when an allocation failed. The buffer is left empty. */
char *nk_strbuf_steal(nk_strbuf *b);
void nk_strbuf_free(nk_strbuf *b);

#define _cleanup_strbuf_ __attribute__((cleanup(nk_strbuf_free)))
