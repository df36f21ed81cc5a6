/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Cleanup attributes: every owned resource is released on every return path. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void nk_freep(void *p)
{
	free(*(void **)p);
}
static inline void nk_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void nk_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void nk_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
/* Frees a NULL-terminated array of strings. */
static inline void nk_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
static inline void nk_strv_freep(char ***v)
{
	nk_strv_free(*v);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(nk_freep)
#define _cleanup_close_ _cleanup_(nk_closep)
#define _cleanup_fclose_ _cleanup_(nk_fclosep)
#define _cleanup_closedir_ _cleanup_(nk_closedirp)
#define _cleanup_strv_ _cleanup_(nk_strv_freep)

/* Ownership moves: the variable is emptied so its cleanup does nothing. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p = (p);                                                            \
		(p) = NULL;                                                                        \
		_p;                                                                                \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
