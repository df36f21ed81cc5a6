/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nook console (a tty of a running container) and nook console-log (the console's buffer). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/term.h"
#include "monitor/cmd.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/parse.h"

struct winch_ctx {
	nk_cli *cli;
	int tty;
};

static void send_winsize(void *data, unsigned short rows, unsigned short cols)
{
	struct winch_ctx *w = data;
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	nk_cmd_rsp rsp;
	nk_cmd_call(w->cli->lxcpath, w->cli->name, NK_CMD_WINSIZE, w->tty, &ws, sizeof(ws), &rsp,
		    NULL, NULL, NULL);
}

/* The first free tty from 1 up, as lxc-console picks one; the console when there is none. */
static int first_free_tty(nk_cli *cli)
{
	nk_cmd_rsp rsp;
	_cleanup_free_ char *list = NULL;
	if (nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_TTYS, 0, NULL, 0, &rsp, &list, NULL, NULL) < 0)
		return 1;
	int n;
	char state[8];
	for (char *line = list; line && *line;) {
		if (sscanf(line, "%d %7s", &n, state) == 2 && n > 0 && strcmp(state, "free") == 0)
			return n;
		if ((line = strchr(line, '\n')))
			line++;
	}
	return 0;
}

int nk_cli_require_running(nk_cli *cli, nk_err **err)
{
	int r = nk_name_validate(cli->name, err);
	if (r < 0)
		return r;
	if (!nk_ct_exists(cli->lxcpath, cli->name))
		return nk_err_set(err, ENOENT, "%s: no such container in %s", cli->name, cli->lxcpath);
	if (nk_ct_get_state(cli->lxcpath, cli->name) == NK_STATE_STOPPED)
		return nk_err_set(err, 0, "%s is not running", cli->name);
	return 0;
}

int nk_cmd_console(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "tty", required_argument, 0, 't' },
		{ "escape", required_argument, 0, 'e' },
		{ 0, 0, 0, 0 },
	};
	int64_t tty = -1;
	int escape = 1, c, r; /* Ctrl+a */
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "t:e:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (nk_parse_i64(optarg, 0, 64, &tty) < 0)
				return nk_cli_usage_error(cli, "-t: expected a tty number from 0 (the console) to 64, got '%s'", optarg);
			break;
		case 'e':
			if ((escape = nk_escape_parse(optarg)) < 0)
				return nk_cli_usage_error(cli, "-e: expected a letter such as 'a' or '^b', got '%s'", optarg);
			break;
		default:
			if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
				return r < 0 ? 2 : r;
		}
	}
	if ((r = nk_cli_take_name(cli, argc, argv, true)) != 0)
		return r;
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	if (nk_cli_require_running(cli, &err) < 0)
		return nk_cli_fail(cli, err);
	if (tty < 0)
		tty = first_free_tty(cli);
	nk_cmd_rsp rsp = { 0 };
	_cleanup_close_ int fd = nk_cmd_open(cli->lxcpath, cli->name, NK_CMD_CONSOLE, (int32_t)tty, NULL, 0, &rsp, &err);
	if (fd < 0)
		return nk_cli_fail(cli, err);
	r = nk_cmd_recv(fd, &rsp, sizeof(rsp), NULL, 0, NULL);
	if (r == 0 && rsp.ret == -EBUSY)
		nk_err_set(&err, 0, "tty %lld of %s is in use by another console", (long long)tty, cli->name);
	else if (r == 0 && rsp.ret == -ENXIO)
		nk_err_set(&err, 0, "%s has no tty %lld (see lxc.tty.max)", cli->name, (long long)tty);
	else if (r < 0 || rsp.ret < 0)
		nk_err_set(&err, r < 0 ? -r : -rsp.ret, "console of %s", cli->name);
	if (err)
		return nk_cli_fail(cli, err);
	char key = (char)('a' + escape - 1);
	if (!cli->quiet)
		fprintf(stderr, "\nConnected to tty %lld\nType <Ctrl+%c q> to exit the console, "
			"<Ctrl+%c Ctrl+%c> to enter Ctrl+%c itself\n\n", (long long)tty, key, key, key, key);
	struct winch_ctx w = { .cli = cli, .tty = (int)tty };
	nk_proxy p = { .in = STDIN_FILENO, .out = STDOUT_FILENO, .peer = fd, .escape = escape,
		       .winch = isatty(STDIN_FILENO) ? send_winsize : NULL, .data = &w };
	nk_term t;
	nk_term_raw(&t, STDIN_FILENO);
	nk_proxy_run(&p);
	nk_term_restore(&t);
	if (!cli->quiet)
		fprintf(stderr, "\n");
	return 0;
}

int nk_cmd_console_log(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "clear", no_argument, 0, 'c' },
		{ 0, 0, 0, 0 },
	};
	bool clear = false;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "c", opts, NULL)) != -1) {
		if (c == 'c')
			clear = true;
		else if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
			return r < 0 ? 2 : r;
	}
	if ((r = nk_cli_take_name(cli, argc, argv, true)) != 0)
		return r;
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	if (nk_cli_require_running(cli, &err) < 0)
		return nk_cli_fail(cli, err);
	nk_cmd_rsp rsp;
	_cleanup_free_ char *data = NULL;
	if (nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_CONSOLE_LOG, clear, NULL, 0, &rsp, &data, NULL, &err) < 0)
		return nk_cli_fail(cli, err);
	if (data)
		fwrite(data, 1, rsp.len, stdout);
	return 0;
}
