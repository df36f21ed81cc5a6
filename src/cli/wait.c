/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nook wait, nook freeze, nook unfreeze, nook cgroup. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "monitor/cmd.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/parse.h"

static int parse_states(const char *s, unsigned *mask)
{
	_cleanup_free_ char *copy = strdup(s);
	char *save = NULL;
	*mask = 0;
	for (char *t = copy ? strtok_r(copy, "|", &save) : NULL; t; t = strtok_r(NULL, "|", &save)) {
		int st = nk_ct_state_parse(t);
		if (st < 0)
			return -EINVAL;
		*mask |= 1u << st;
	}
	return *mask ? 0 : -EINVAL;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Every state change rewrites <rundir>/monitor, and a monitor's exit closes it: watching the
 * run dir with inotify and re-reading the state after each event misses no transition.
 */
int nk_cmd_wait(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		NK_COMMON_LONGOPTS,
		{ "state", required_argument, 0, 's' },
		{ "timeout", required_argument, 0, 't' },
		{ 0, 0, 0, 0 },
	};
	unsigned mask = 0;
	int64_t timeout = -1;
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS "s:t:", opts, NULL)) != -1) {
		if (c == 's') {
			if (parse_states(optarg, &mask) < 0)
				return nk_cli_usage_error(cli, "-s: expected states such as 'RUNNING|STOPPED', got '%s'", optarg);
		} else if (c == 't') {
			if (nk_parse_i64(optarg, -1, INT_MAX / 1000, &timeout) < 0)
				return nk_cli_usage_error(cli, "-t: expected seconds, got '%s'", optarg);
		} else if ((r = nk_cli_common_opt(cli, c, optarg)) != 0) {
			return r < 0 ? 2 : r;
		}
	}
	if ((r = nk_cli_take_name(cli, argc, argv, true)) != 0)
		return r;
	if (!mask)
		return nk_cli_usage_error(cli, "missing the state to wait for (-s STATE)");
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	if (nk_name_validate(cli->name, &err) < 0)
		return nk_cli_fail(cli, err);
	_cleanup_free_ char *dir = nk_ct_run_dir(cli->lxcpath, cli->name);
	if (nk_run_base_check(true, &err) < 0 || !dir || nk_mkdir_p(dir, 0700, &err) < 0)
		return nk_cli_fail(cli, err);
	_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, dir, IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE) < 0) {
		nk_err_sys(&err, "watch %s", dir);
		return nk_cli_fail(cli, err);
	}
	long long deadline = timeout >= 0 ? now_ms() + timeout * 1000 : -1;
	for (;;) {
		if (mask & (1u << nk_ct_get_state(cli->lxcpath, cli->name)))
			return 0;
		long long left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left <= 0)
			return 1;
		struct pollfd p = { .fd = in, .events = POLLIN };
		/* A monitor killed outright leaves no event: look again at least once a second. */
		if (poll(&p, 1, left < 0 || left > 1000 ? 1000 : (int)left) > 0) {
			char buf[4096];
			while (read(in, buf, sizeof(buf)) > 0)
				;
		}
	}
}

static int freeze_cmd(nk_cli *cli, int argc, char **argv, int cmd)
{
	static const struct option opts[] = { NK_COMMON_LONGOPTS, { 0, 0, 0, 0 } };
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS, opts, NULL)) != -1)
		if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
			return r < 0 ? 2 : r;
	if ((r = nk_cli_take_name(cli, argc, argv, true)) != 0)
		return r;
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	nk_cmd_rsp rsp;
	if (nk_cli_require_running(cli, &err) < 0 ||
	    nk_cmd_call(cli->lxcpath, cli->name, (uint16_t)cmd, 0, NULL, 0, &rsp, NULL, NULL, &err) < 0)
		return nk_cli_fail(cli, err);
	if (rsp.ret < 0) {
		/* The monitor answers EOPNOTSUPP for a container without a cgroup (rootless). */
		nk_err_set(&err, -rsp.ret, "%s %s%s", cmd == NK_CMD_FREEZE ? "freeze" : "unfreeze", cli->name,
			   rsp.ret == -EOPNOTSUPP ? ": a rootless container has no cgroup to freeze" : "");
		return nk_cli_fail(cli, err);
	}
	return 0;
}

int nk_cmd_freeze(nk_cli *cli, int argc, char **argv)
{
	return freeze_cmd(cli, argc, argv, NK_CMD_FREEZE);
}

int nk_cmd_unfreeze(nk_cli *cli, int argc, char **argv)
{
	return freeze_cmd(cli, argc, argv, NK_CMD_UNFREEZE);
}

/* nook cgroup -n NAME KEY [VALUE]: read or write one cgroup file of a running container. */
int nk_cmd_cgroup(nk_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { NK_COMMON_LONGOPTS, { 0, 0, 0, 0 } };
	int c, r;
	while ((c = getopt_long(argc, argv, NK_COMMON_SHORTOPTS, opts, NULL)) != -1)
		if ((r = nk_cli_common_opt(cli, c, optarg)) != 0)
			return r < 0 ? 2 : r;
	if ((r = nk_cli_take_name(cli, argc, argv, true)) != 0)
		return r;
	if (optind >= argc || argc - optind > 2)
		return nk_cli_usage_error(cli, "expected KEY [VALUE], e.g. memory.limit_in_bytes 512M");
	const char *key = argv[optind], *value = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (strchr(key, '/') || key[0] == '.' || !strchr(key, '.'))
		return nk_cli_usage_error(cli, "'%s' is not a cgroup file name (controller.key)", key);
	nk_cli_setup_log(cli);
	_cleanup_err_ nk_err *err = NULL;
	if (nk_cli_require_running(cli, &err) < 0)
		return nk_cli_fail(cli, err);
	_cleanup_free_ char *ctl = strndup(key, strcspn(key, "."));
	_cleanup_free_ char *dir = NULL, *path = NULL;
	nk_cmd_rsp rsp;
	/* The controller's own hierarchy first, then the unified one (v2 and hybrid hosts). */
	const char *tries[] = { ctl, "" };
	for (size_t i = 0; i < ARRAY_SIZE(tries) && !path; i++) {
		free(dir);
		dir = NULL;
		if (nk_cmd_call(cli->lxcpath, cli->name, NK_CMD_CGROUP_PATH, 0, tries[i],
				(uint32_t)strlen(tries[i]) + 1, &rsp, &dir, NULL, &err) < 0)
			return nk_cli_fail(cli, err);
		if (rsp.ret == 0 && asprintf(&path, "%s/%s", dir, key) >= 0 && !nk_path_exists(path)) {
			free(path);
			path = NULL;
		}
	}
	if (!path) {
		nk_err_set(&err, ENOENT, "%s: no such cgroup file for %s", key, cli->name);
		return nk_cli_fail(cli, err);
	}
	if (value) {
		FILE *f = fopen(path, "we");
		if (!f || fputs(value, f) < 0 || fclose(f) != 0) {
			nk_err_sys(&err, "write %s to %s", value, key);
			return nk_cli_fail(cli, err);
		}
		return 0;
	}
	_cleanup_free_ char *text = NULL;
	if (nk_read_file(path, &text, NULL, &err) < 0)
		return nk_cli_fail(cli, err);
	fputs(text, stdout);
	return 0;
}
