/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/term.h"
#include "conf/spec.h"
#include "monitor/cmd.h"
#include "monitor/monitor.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* The monitor's stdio: the log file when one was asked for, else /dev/null. */
static void monitor_stdio(nk_cli *cli)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int out = cli->logfile ? open(cli->logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640) : -1;
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(out >= 0 ? out : fd, STDOUT_FILENO);
	dup2(out >= 0 ? out : fd, STDERR_FILENO);
	close(fd);
	if (out >= 0)
		close(out);
}

/* Forks the monitor and waits for its word: "0" once RUNNING, "1<error>" on failure. */
static int start_daemon(nk_cli *cli, nk_monitor_opts *o, int lock, nk_err **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return nk_err_sys(err, "pipe");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return nk_err_sys(err, "fork the monitor");
	if (pid == 0) {
		close(p[0]);
		close(lock); /* the command lock stays with the caller, who ends once we are up */
		/* Whatever the caller's caller left open must not live on in the monitor. */
		syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
		setsid();
		/* The monitor must not pin the caller's cwd (a mount) for the container's life. */
		if (chdir("/") < 0)
			_exit(1);
		umask(022);
		monitor_stdio(cli);
		/* The title overwrites argv, where these strings live. */
		o->lxcpath = strdup(o->lxcpath);
		o->name = strdup(o->name);
		char **args = NULL;
		for (char **a = o->argv; a && *a; a++)
			if (nk_strv_push(&args, *a) < 0)
				_exit(1);
		o->argv = args;
		if (!o->lxcpath || !o->name)
			_exit(1);
		nk_monitor_set_title(o->lxcpath, o->name);
		o->ready_fd = p[1];
		_exit(nk_monitor_run(o, NULL) < 0 ? 1 : 0);
	}
	close(p[1]);
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
					 (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	close(p[0]);
	buf[len] = '\0';
	if (len && buf[0] == '0')
		return 0;
	if (len && buf[0] == '1')
		return nk_err_set(err, 0, "%s", buf + 1);
	return nk_err_set(err, 0, "start %s: the monitor died during the start", cli->name);
}

static int write_pidfile(nk_cli *cli, const char *path, nk_err **err)
{
	nk_cmd_rsp rsp;
	int r = nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_INIT_PID, 0, NULL, 0, &rsp, NULL, NULL, err);
	if (r < 0)
		return r;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", rsp.arg);
	return nk_write_file_atomic(path, buf, (size_t)n, 0644, err);
}

int nk_cmd_start(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "daemon", no_argument, 0, 'd' },
		{ "foreground", no_argument, 0, 'F' },
		{ "rcfile", required_argument, 0, 'f' },
		{ "define", required_argument, 0, 's' },
		{ "pidfile", required_argument, 0, 'p' },
		{ 0, 0, 0, 0 },
	};
	bool fg = false;
	const char *rcfile = NULL, *pidfile = NULL;
	_cleanup_strv_ char **sets = NULL;
	char **cmd = NULL;
	int nargs = argc, c, r;
	nargs = nk_cli_split_dashdash(argc, argv, &cmd);
	while ((c = getopt_long(nargs, argv, NK_COMMON_SHORTOPTS "dFf:s:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': fg = false; break;
		case 'F': fg = true; break;
		case 'f': rcfile = optarg; break;
		case 's': nk_strv_push(&sets, optarg); break;
		case 'p': pidfile = optarg; break;
		default:
			if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
				return r < 0 ? 2 : r;
		}
	}
	if ((r = nk_cli_take_name(cli, nargs, argv, true)) != 0)
		return r;
	if (optind < nargs)
		return nk_cli_usage_error(cli, "unexpected argument '%s' (a command goes after --)", argv[optind]);
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	_cleanup_(nk_spec_freep) nk_spec *spec = NULL;
	if (nk_cli_load_spec(cli, rcfile, sets, &spec, &err) < 0 || nk_spec_validate(spec, &err) < 0)
		return nk_cli_fail(cli, err);
	nk_cli_warn_not_applied(spec);
	_cleanup_close_ int lock = nk_ct_lock(cli->lxcpath, cli->name, false, &err);
	if (lock < 0)
		return nk_cli_fail(cli, err);
	if (nk_ct_get_state(cli->lxcpath, cli->name) != NK_STATE_STOPPED) {
		nk_err_set(&err, EBUSY, "start %s: it is already running", cli->name);
		return nk_cli_fail(cli, err);
	}
	_cleanup_free_ char *config = rcfile ? realpath(rcfile, NULL) : nk_ct_config_path(cli->lxcpath, cli->name);
	nk_monitor_opts o = { .lxcpath = cli->lxcpath, .name = cli->name, .spec = spec,
			      .argv = cmd, .exec_fd = -1, .ready_fd = -1, .foreground = fg,
			      .config = config, .defines = sets };
	if (fg) {
		nk_term t;
		nk_term_raw(&t, STDIN_FILENO);
		r = nk_monitor_run(&o, &err);
		nk_term_restore(&t);
		return r < 0 ? nk_cli_fail(cli, err) : r;
	}
	if (start_daemon(cli, &o, lock, &err) < 0)
		return nk_cli_fail(cli, err);
	if (pidfile && write_pidfile(cli, pidfile, &err) < 0)
		return nk_cli_fail(cli, err);
	return 0;
}
