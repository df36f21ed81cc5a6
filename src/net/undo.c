/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/undo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/log.h"

static void run_one(nk_nl *nl, nk_undo_step *s)
{
	_cleanup_err_ nk_err *e = NULL;
	if (s->fn(nl, s->data, &e) < 0) {
		_cleanup_free_ char *text = nk_err_text(e);
		nk_warn("rollback: %s", text ? text : "out of memory");
	}
	free(s->data);
	s->data = NULL;
}

int nk_undo_push(nk_undo *u, nk_undo_fn fn, const void *data, size_t size, nk_err **err)
{
	nk_undo_step s = {.fn = fn, .data = malloc(size ? size : 1)};
	if (s.data)
		memcpy(s.data, data, size);
	if (s.data && u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		nk_undo_step *v = realloc(u->steps, cap * sizeof(*v));
		if (v) {
			u->steps = v;
			u->cap = cap;
		}
	}
	if (!s.data || u->n == u->cap) {
		/* Cannot remember it: undo it now rather than leave it behind unrecorded. */
		if (s.data)
			run_one(u->nl, &s);
		else
			fn(u->nl, data, NULL);
		return nk_err_set(err, ENOMEM, "record a rollback step");
	}
	u->steps[u->n++] = s;
	return 0;
}

void nk_undo_rollback(nk_undo *u)
{
	while (u->n > 0)
		run_one(u->nl, &u->steps[--u->n]);
	nk_undo_commit(u);
}

void nk_undo_commit(nk_undo *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->steps[i].data);
	free(u->steps);
	u->steps = NULL;
	u->n = u->cap = 0;
}

void nk_undo_rollbackp(nk_undo *u)
{
	nk_undo_rollback(u);
}

int nk_net_fail_at(const char *step, nk_err **err)
{
	const char *want = getenv("NOOK_NET_FAIL_AT");
	if (want && strcmp(want, step) == 0)
		return nk_err_set(err, 0, "%s: injected failure (NOOK_NET_FAIL_AT)", step);
	return 0;
}
