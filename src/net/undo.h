/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Rollback for host changes made in several steps (nook net create, attach-uplink): each step
 * that changed something pushes how to undo it; on failure the steps are undone in reverse
 * order, so the host is left as it was found. A command that succeeds commits (forgets them).
 *
 * Declare the undo after the nk_nl it uses: cleanups run in reverse order, so a rollback
 * triggered by the cleanup attribute still has its socket.
 */
#include <stddef.h>

#include "net/nl.h"
#include "util/error.h"

/* Undoes one step; data is the copy made by nk_undo_push. Failures are warned, not fatal. */
typedef int (*nk_undo_fn)(nk_nl *nl, const void *data, nk_err **err);

typedef struct nk_undo_step {
	nk_undo_fn fn;
	void *data;
} nk_undo_step;

typedef struct nk_undo {
	nk_nl *nl;
	nk_undo_step *steps;
	size_t n, cap;
} nk_undo;

/*
 * Records how to undo a step just done (data: size bytes, copied). When even that fails (out
 * of memory) the step is undone at once and -ENOMEM returned, so nothing goes unrecorded.
 */
int nk_undo_push(nk_undo *u, nk_undo_fn fn, const void *data, size_t size, nk_err **err);
/* Undoes every recorded step, last first; each failure is logged as a warning. */
void nk_undo_rollback(nk_undo *u);
/* The steps stay done: forget how to undo them. */
void nk_undo_commit(nk_undo *u);
/* For _cleanup_: rolls back whatever was not committed. */
void nk_undo_rollbackp(nk_undo *u);

/*
 * Test hook: when NOOK_NET_FAIL_AT names this step, fail it ("injected failure at STEP"), so
 * tests can prove that a late failure leaves the host exactly as it was.
 */
int nk_net_fail_at(const char *step, nk_err **err);
