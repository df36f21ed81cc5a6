/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/log.h"

int nk_cli_common_opt(nk_cli *cli, int c, const char *arg)
{
	switch (c) {
	case 'n':
		cli->name = arg;
		return 0;
	case 'P':
		cli->lxcpath = arg;
		return 0;
	case 'q':
		cli->quiet = true;
		return 0;
	case 'o':
		cli->logfile = arg;
		return 0;
	case 'l':
		cli->loglevel = nk_log_level_parse(arg);
		if (cli->loglevel < 0)
			return nk_cli_usage_error(cli, "--logpriority: expected TRACE, DEBUG, INFO, NOTICE, WARN or ERROR, got '%s'", arg);
		return 0;
	case 'h':
		nk_cli_print_help(cli);
		return NK_EXIT_HELP;
	case '?':
		return nk_cli_usage_error(cli, "bad option (see above)");
	case ':':
		return nk_cli_usage_error(cli, "option needs a value");
	}
	return -1;
}

int nk_cli_take_name(nk_cli *cli, int argc, char **argv, bool required)
{
	if (!cli->name && optind < argc)
		cli->name = argv[optind++];
	if (required && !cli->name)
		return nk_cli_usage_error(cli, "missing the container name (-n NAME)");
	return 0;
}

void nk_cli_setup_log(nk_cli *cli)
{
	int level = cli->loglevel >= 0 ? cli->loglevel : NK_LOG_WARN;
	/* -l raises or lowers what the log file gets; the terminal never gets less than warnings. */
	nk_log_init(cli->prog, cli->logfile ? (level < NK_LOG_WARN ? NK_LOG_WARN : level) : level,
		    cli->quiet);
	if (cli->logfile && nk_log_open_file(cli->logfile, level) < 0)
		fprintf(stderr, "%s: warning: cannot open log file %s\n", cli->prog, cli->logfile);
}

static const char *who(nk_cli *cli)
{
	return cli->compat ? cli->prog : "nook";
}

int nk_cli_usage_error(nk_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s%s%s: ", who(cli), cli->compat ? "" : " ", cli->compat ? "" : cli->cmd);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help'.\n", who(cli), cli->compat ? "" : " ",
		cli->compat ? "" : cli->cmd);
	return 2;
}

int nk_cli_fail(nk_cli *cli, nk_err *err)
{
	_cleanup_free_ char *text = nk_err_text(err);
	fprintf(stderr, "%s: %s\n", who(cli), text ? text : "out of memory");
	return 1;
}

void nk_cli_print_help(nk_cli *cli)
{
	const nk_cmd *c = cli->cmdinfo;
	if (cli->compat)
		printf("Usage: %s [OPTIONS]\n%s.\n\n", cli->prog, c->summary);
	else
		printf("Usage: nook %s [OPTIONS]\n%s.\n\n", c->name, c->summary);
	printf("Options:\n%s", c->usage ? c->usage : "");
	printf(NK_COMMON_USAGE);
}

int nk_cli_parse_format(nk_cli *cli, const char *arg)
{
	if (strcmp(arg, "table") == 0)
		cli->format = NK_FORMAT_TABLE;
	else if (strcmp(arg, "json") == 0)
		cli->format = NK_FORMAT_JSON;
	else
		return nk_cli_usage_error(cli, "--format: expected table or json, got '%s'", arg);
	return 0;
}

int nk_cli_split_dashdash(int argc, char **argv, char ***rest)
{
	*rest = NULL;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			*rest = argv[i + 1] ? argv + i + 1 : NULL;
			return i;
		}
	return argc;
}
