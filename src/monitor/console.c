/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "monitor/console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int nk_ring_init(nk_ring *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	if (!size)
		return 0;
	r->buf = malloc(size);
	if (!r->buf)
		return -ENOMEM;
	r->size = size;
	return 0;
}

void nk_ring_free(nk_ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void nk_ring_write(nk_ring *r, const char *data, size_t len)
{
	if (!r->size)
		return;
	if (len >= r->size) { /* only the newest size bytes can survive */
		memcpy(r->buf, data + len - r->size, r->size);
		r->head = 0;
		r->len = r->size;
		return;
	}
	size_t first = r->size - r->head < len ? r->size - r->head : len;
	memcpy(r->buf + r->head, data, first);
	memcpy(r->buf, data + first, len - first);
	r->head = (r->head + len) % r->size;
	r->len = r->len + len > r->size ? r->size : r->len + len;
}

char *nk_ring_read(const nk_ring *r, size_t *len)
{
	char *out = malloc(r->len + 1);
	if (!out)
		return NULL;
	size_t start = (r->head + r->size - r->len) % (r->size ? r->size : 1);
	size_t first = r->size - start < r->len ? r->size - start : r->len;
	if (r->len) {
		memcpy(out, r->buf + start, first);
		memcpy(out + first, r->buf, r->len - first);
	}
	out[r->len] = '\0';
	*len = r->len;
	return out;
}

void nk_ring_clear(nk_ring *r)
{
	r->len = 0;
	r->head = 0;
}
