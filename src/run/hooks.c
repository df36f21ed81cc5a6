/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run/hooks.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"

static const char *hook_names[NK_HOOK_MAX] = {
	[NK_HOOK_PRE_START] = "pre-start", [NK_HOOK_PRE_MOUNT] = "pre-mount",
	[NK_HOOK_MOUNT] = "mount",         [NK_HOOK_AUTODEV] = "autodev",
	[NK_HOOK_START] = "start",         [NK_HOOK_START_HOST] = "start-host",
	[NK_HOOK_STOP] = "stop",           [NK_HOOK_POST_STOP] = "post-stop",
	[NK_HOOK_CLONE] = "clone",         [NK_HOOK_DESTROY] = "destroy",
};

const char *nk_hook_name(enum nk_hook_type type)
{
	return type < NK_HOOK_MAX ? hook_names[type] : "?";
}

static void set_both(const char *suffix, const char *value)
{
	if (!value)
		return;
	char key[64];
	snprintf(key, sizeof(key), "LXC_%s", suffix);
	setenv(key, value, 1);
	snprintf(key, sizeof(key), "NOOK_%s", suffix);
	setenv(key, value, 1);
}

static void hook_env(enum nk_hook_type type, const nk_hook_ctx *c)
{
	char pid[16];
	set_both("NAME", c->name);
	set_both("PATH", c->lxcpath);
	set_both("CONFIG_FILE", c->config);
	set_both("ROOTFS_PATH", c->rootfs);
	set_both("ROOTFS_MOUNT", c->rootfs_mount);
	set_both("HOOK_TYPE", hook_names[type]);
	set_both("HOOK_SECTION", "lxc");
	set_both("CGNS_AWARE", "1");
	set_both("TARGET", c->target);
	if (c->pid > 0) {
		snprintf(pid, sizeof(pid), "%d", c->pid);
		set_both("PID", pid);
	}
}

static int run_one(const char *line, enum nk_hook_type type, const nk_hook_ctx *c, nk_err **err)
{
	_cleanup_free_ char *cmd = NULL;
	if (asprintf(&cmd, "%s %s lxc %s%s%s", line, c->name, hook_names[type],
		     c->target ? " " : "", c->target ? c->target : "") < 0)
		return nk_err_set(err, ENOMEM, "hook");
	pid_t pid = fork();
	if (pid < 0)
		return nk_err_sys(err, "lxc.hook.%s: fork", hook_names[type]);
	if (pid == 0) {
		hook_env(type, c);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		fprintf(stderr, "nook: lxc.hook.%s: exec /bin/sh: %s\n", hook_names[type], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return nk_err_sys(err, "lxc.hook.%s: wait", hook_names[type]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return nk_err_set(err, 0, "lxc.hook.%s %s: killed by signal %d", hook_names[type], line,
				  WTERMSIG(status));
	return nk_err_set(err, 0, "lxc.hook.%s %s: exit status %d", hook_names[type], line,
			  WEXITSTATUS(status));
}

int nk_hooks_run(const nk_spec *spec, enum nk_hook_type type, const nk_hook_ctx *ctx, nk_err **err)
{
	for (char **h = spec->hooks[type]; h && *h; h++) {
		int r = run_one(*h, type, ctx, err);
		if (r < 0)
			return r;
	}
	return 0;
}
