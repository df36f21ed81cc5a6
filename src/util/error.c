/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nk_err_setv(nk_err **err, int errnum, const char *fmt, va_list ap)
{
	if (errnum < 0)
		errnum = -errnum;
	int ret = errnum ? -errnum : -EINVAL;
	if (!err || *err)
		return ret;
	nk_err *e = calloc(1, sizeof(*e));
	if (!e)
		return ret;
	if (vasprintf(&e->msg, fmt, ap) < 0)
		e->msg = NULL;
	e->errnum = errnum;
	*err = e;
	return ret;
}

int nk_err_set(nk_err **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = nk_err_setv(err, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

int nk_err_sys(nk_err **err, const char *fmt, ...)
{
	int errnum = errno ? errno : EIO;
	va_list ap;
	va_start(ap, fmt);
	int ret = nk_err_setv(err, errnum, fmt, ap);
	va_end(ap);
	errno = errnum;
	return ret;
}

int nk_err_wrap(nk_err **err, int ret, const char *fmt, ...)
{
	if (!err || !*err)
		return ret;
	char *ctx = NULL, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (r < 0)
		return ret;
	if (asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	return ret;
}

char *nk_err_text(const nk_err *e)
{
	char *out = NULL;
	if (!e)
		return strdup("unknown error");
	if (e->errnum) {
		if (asprintf(&out, "%s: %s", e->msg ? e->msg : "", strerror(e->errnum)) < 0)
			out = NULL;
	} else {
		out = strdup(e->msg ? e->msg : "error");
	}
	return out;
}

void nk_err_free(nk_err *e)
{
	if (!e)
		return;
	free(e->msg);
	free(e);
}

void nk_err_freep(nk_err **e)
{
	if (e && *e) {
		nk_err_free(*e);
		*e = NULL;
	}
}
