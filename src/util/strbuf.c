/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool strbuf_reserve(nk_strbuf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void nk_strbuf_appendn(nk_strbuf *b, const char *s, size_t n)
{
	if (!strbuf_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void nk_strbuf_append(nk_strbuf *b, const char *s)
{
	nk_strbuf_appendn(b, s, strlen(s));
}

void nk_strbuf_putc(nk_strbuf *b, char c)
{
	nk_strbuf_appendn(b, &c, 1);
}

void nk_strbuf_printf(nk_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!strbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *nk_strbuf_steal(nk_strbuf *b)
{
	char *s = b->oom ? NULL : (b->s ? b->s : strdup(""));
	if (b->oom)
		free(b->s);
	*b = (nk_strbuf){0};
	return s;
}

void nk_strbuf_free(nk_strbuf *b)
{
	free(b->s);
	*b = (nk_strbuf){0};
}
