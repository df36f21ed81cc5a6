/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The error contract: a function that can fail takes `nk_err **err`, returns 0 on success or a
 * negative errno on failure, and fills *err only on failure. Callers add context by wrapping
 * (nk_err_wrap), so one line reaches the user: "start web: mount /proc on ...: Permission denied".
 */
#include <stdarg.h>

typedef struct nk_err {
	int errnum;  /* positive errno, 0 when the message says it all */
	char *msg;   /* full message, context first */
} nk_err;

/* Fill *err (if err and *err is NULL) and return -errnum (or -EINVAL when errnum is 0). */
int nk_err_set(nk_err **err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int nk_err_setv(nk_err **err, int errnum, const char *fmt, va_list ap);
/* Like nk_err_set with errno as errnum. */
int nk_err_sys(nk_err **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the existing error with "context: "; returns ret unchanged. */
int nk_err_wrap(nk_err **err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The error's message with ": strerror(errnum)" appended when errnum is set; static buffer-free. */
char *nk_err_text(const nk_err *e);
void nk_err_free(nk_err *e);
void nk_err_freep(nk_err **e);
#define _cleanup_err_ __attribute__((cleanup(nk_err_freep)))
