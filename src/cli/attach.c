/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/term.h"
#include "conf/spec.h"
#include "run/attach.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/parse.h"

static void pty_winch(void *data, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	ioctl(*(int *)data, TIOCSWINSZ, &ws);
}

static int wait_status(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int nk_cmd_attach(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "clear-env", no_argument, 0, 'C' },
		{ "keep-env", no_argument, 0, 'K' },
		{ "set-var", required_argument, 0, 'v' },
		{ "uid", required_argument, 0, 'u' },
		{ "gid", required_argument, 0, 'g' },
		{ "cwd", required_argument, 0, 'c' },
		{ "namespaces", required_argument, 0, 's' },
		{ "elevated-privileges", optional_argument, 0, 'e' },
		{ "no-pty", no_argument, 0, 'T' },
		{ 0, 0, 0, 0 },
	};
	nk_attach_opts o = { .uid = -1, .gid = -1 };
	_cleanup_strv_ char **vars = NULL;
	int nargs = argc, c, r;
	bool no_pty = false;
	nargs = nk_cli_split_dashdash(argc, argv, &o.argv);
	while ((c = getopt_long(nargs, argv, NK_COMMON_SHORTOPTS "v:u:g:s:e::", opts, NULL)) != -1) {
		switch (c) {
		case 'C': o.clear_env = true; break;
		case 'K': o.clear_env = false; break;
		case 'v':
			if (!strchr(optarg, '='))
				return nk_cli_usage_error(cli, "-v: expected VAR=VALUE, got '%s'", optarg);
			nk_strv_push(&vars, optarg);
			break;
		case 'u':
		case 'g':
			if (nk_parse_i64(optarg, 0, UINT32_MAX - 1, c == 'u' ? &o.uid : &o.gid) < 0)
				return nk_cli_usage_error(cli, "-%c: expected a numeric id, got '%s'", c, optarg);
			break;
		case 'c': o.cwd = optarg; break;
		case 's':
			if (nk_attach_ns_parse(optarg, &o.ns_mask) < 0)
				return nk_cli_usage_error(cli, "-s: expected namespaces such as 'NETWORK|UTSNAME', got '%s'", optarg);
			break;
		case 'e': o.keep_caps = true; break;
		case 'T': no_pty = true; break;
		default:
			if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
				return r < 0 ? 2 : r;
		}
	}
	if ((r = nk_cli_take_name(cli, nargs, argv, true)) != 0)
		return r;
	if (optind < nargs) /* lxc-attach -n web cmd: a command without "--" */
		o.argv = argv + optind;
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	if (nk_cli_require_running(cli, &err) < 0 || nk_cli_load_spec(cli, NULL, NULL, &spec, &err) < 0)
		return nk_cli_fail(cli, err);
	o.lxcpath = cli->lxcpath;
	o.name = cli->name;
	o.spec = spec;
	o.setenv = vars;
	/* A pty whenever the caller has a terminal on any of 0-2: the container must never get the
	 * caller's terminal itself (TIOCSTI would type into it). Pipes pass through untouched. */
	o.pty = !no_pty && (isatty(STDIN_FILENO) || isatty(STDOUT_FILENO) || isatty(STDERR_FILENO));
	pid_t pid;
	int master = -1;
	if (nk_attach_spawn(&o, &pid, &master, &err) < 0)
		return nk_cli_fail(cli, err);
	if (master >= 0) {
		nk_term t;
		nk_proxy p = { .in = STDIN_FILENO, .out = STDOUT_FILENO, .peer = master, .escape = -1,
			       .winch = pty_winch, .data = &master };
		nk_term_raw(&t, STDIN_FILENO);
		nk_proxy_run(&p);
		nk_term_restore(&t);
		close(master);
	}
	return wait_status(pid);
}
