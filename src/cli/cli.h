/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The command line: one table of commands, one file each, sharing these helpers. */
#include <getopt.h>
#include <stdbool.h>

#include "util/error.h"

enum nk_format { NK_FORMAT_TABLE, NK_FORMAT_JSON };

typedef struct nk_cli {
	const char *prog;         /* "nook" or "lxc-create": the name errors start with */
	const char *cmd;          /* "create" */
	const struct nk_cmd *cmdinfo;
	bool compat;              /* called by an lxc-* name: LXC's defaults and output */
	const char *lxcpath;
	const char *default_conf;
	const char *name;
	bool quiet;
	const char *logfile;
	int loglevel;
	enum nk_format format;
	char **exec_argv;         /* the whole command line, to re-execute it */
} nk_cli;

typedef struct nk_cmd {
	const char *name;
	int (*run)(nk_cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage;  /* the flags, one per line, after the synopsis */
} nk_cmd;

extern const nk_cmd nk_commands[];
const nk_cmd *nk_cmd_find(const char *name);

/* Options every command takes; each command appends its own after these. */
#define NK_COMMON_SHORTOPTS "n:P:qo:l:h"
#define NK_COMMON_LONGOPTS                                                                         \
	{ "name", required_argument, 0, 'n' }, { "lxcpath", required_argument, 0, 'P' },            \
		{ "quiet", no_argument, 0, 'q' }, { "logfile", required_argument, 0, 'o' },         \
		{ "logpriority", required_argument, 0, 'l' }, { "help", no_argument, 0, 'h' }
#define NK_COMMON_USAGE                                                                            \
	"  -n, --name NAME        the container (or give NAME as the first argument)\n"             \
	"  -P, --lxcpath PATH     where containers live (default /var/lib/nook; for a normal\n"    \
	"                         user ~/.local/share/nook)\n"                                    \
	"  -q, --quiet            print nothing but errors\n"                                       \
	"  -o, --logfile FILE     append a log to FILE\n"                                           \
	"  -l, --logpriority LVL  TRACE, DEBUG, INFO, NOTICE, WARN, ERROR\n"                        \
	"  -h, --help             this help\n"

/*
 * Handles a common option. Returns 0 when handled, -1 when c is not common, or an exit code
 * (>0) when the command must end now (help printed: 0 is returned as NK_EXIT_HELP).
 */
#define NK_EXIT_HELP 1000
int nk_cli_common_opt(nk_cli *cli, int c, const char *arg);
/* After getopt: takes the name from the first positional if -n was not given. */
int nk_cli_take_name(nk_cli *cli, int argc, char **argv, bool required);
/*
 * Everything after "--" belongs to the command or template, untouched by getopt: returns the
 * argc to parse options from, and *rest the words after "--" (NULL when none).
 */
int nk_cli_split_dashdash(int argc, char **argv, char ***rest);
/* Applies logging options; called once options are parsed. */
void nk_cli_setup_log(nk_cli *cli);

/* "nook create: <msg>\nTry 'nook create --help'." Returns 2. */
int nk_cli_usage_error(nk_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the error in one line ("nook: <msg>"); returns 1. */
int nk_cli_fail(nk_cli *cli, nk_err *err);
void nk_cli_print_help(nk_cli *cli);
int nk_cli_parse_format(nk_cli *cli, const char *arg);

int nk_cmd_create(nk_cli *cli, int argc, char **argv);
int nk_cmd_destroy(nk_cli *cli, int argc, char **argv);
int nk_cmd_ls(nk_cli *cli, int argc, char **argv);
int nk_cmd_info(nk_cli *cli, int argc, char **argv);
int nk_cmd_config(nk_cli *cli, int argc, char **argv);
int nk_cmd_update_config(nk_cli *cli, int argc, char **argv);
int nk_cmd_lxc_config(nk_cli *cli, int argc, char **argv);

/* lxc-* names: the command an argv[0] basename stands for, or NULL. */
const char *nk_lxc_compat_command(const char *prog);

typedef struct nk_spec nk_spec;
/* The container's config (or FILE), with -s KEY=VALUE overrides applied. */
int nk_cli_load_spec(nk_cli *cli, const char *file, char **sets, nk_spec **out, nk_err **err);
/* One warning per key that is set but that nook does not apply yet. */
void nk_cli_warn_not_applied(const nk_spec *spec);
/* Requires the container to be running; fills err otherwise. */
int nk_cli_require_running(nk_cli *cli, nk_err **err);

int nk_cmd_start(nk_cli *cli, int argc, char **argv);
int nk_cmd_stop(nk_cli *cli, int argc, char **argv);
int nk_cmd_console(nk_cli *cli, int argc, char **argv);
int nk_cmd_attach(nk_cli *cli, int argc, char **argv);
int nk_cmd_execute(nk_cli *cli, int argc, char **argv);
int nk_cmd_wait(nk_cli *cli, int argc, char **argv);
int nk_cmd_freeze(nk_cli *cli, int argc, char **argv);
int nk_cmd_unfreeze(nk_cli *cli, int argc, char **argv);
int nk_cmd_console_log(nk_cli *cli, int argc, char **argv);
int nk_cmd_cgroup(nk_cli *cli, int argc, char **argv);
int nk_cmd_net(nk_cli *cli, int argc, char **argv);
