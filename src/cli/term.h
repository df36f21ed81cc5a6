/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The user's terminal: raw mode, and a byte proxy to a tty (console, attach, start -F). */
#include <stdbool.h>
#include <termios.h>

typedef struct nk_term {
	int fd;
	bool raw;
	struct termios saved;
} nk_term;

/* Puts fd in raw mode when it is a terminal; nk_term_restore undoes it. */
void nk_term_raw(nk_term *t, int fd);
void nk_term_restore(nk_term *t);

typedef struct nk_proxy {
	int in, out;      /* the user's side */
	int peer;         /* the tty's side: a pty master or a monitor's console stream */
	int escape;       /* Ctrl+<escape> q detaches; -1 for none */
	/* Called on SIGWINCH with the user's new size. */
	void (*winch)(void *data, unsigned short rows, unsigned short cols);
	void *data;
} nk_proxy;

/* Runs until the peer closes (returns 0) or the escape sequence is typed (returns 1). */
int nk_proxy_run(const nk_proxy *p);
/* Parses "a" or "^a" into the control code of that letter; -1 when invalid. */
int nk_escape_parse(const char *s);
