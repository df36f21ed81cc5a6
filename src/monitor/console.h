/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The console's ring buffer (lxc.console.buffer.size) and log file (lxc.console.logfile). */
#include <stddef.h>

typedef struct nk_ring {
	char *buf;
	size_t size; /* 0: no ring buffer */
	size_t len;  /* bytes held, <= size */
	size_t head; /* where the next byte goes */
} nk_ring;

int nk_ring_init(nk_ring *r, size_t size);
void nk_ring_free(nk_ring *r);
void nk_ring_write(nk_ring *r, const char *data, size_t len);
/* Copies the held bytes, oldest first, into a new buffer of *len bytes. */
char *nk_ring_read(const nk_ring *r, size_t *len);
void nk_ring_clear(nk_ring *r);
