/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *names[] = { "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "FATAL" };
static const char *log_prog = "nook";
static int log_stderr_level = NK_LOG_WARN;
static int log_quiet;
static int log_fd = -1;
static int log_file_level = NK_LOG_INFO;

int nk_log_level_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (s[0] >= '0' && s[0] <= '9' && s[1] == '\0')
		return s[0] - '0' <= NK_LOG_FATAL ? s[0] - '0' : -1;
	for (int i = 0; i <= NK_LOG_FATAL; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	if (strcasecmp(s, "WARNING") == 0)
		return NK_LOG_WARN;
	if (strcasecmp(s, "ALERT") == 0 || strcasecmp(s, "CRIT") == 0)
		return NK_LOG_FATAL;
	return -1;
}

const char *nk_log_level_name(int level)
{
	return level >= 0 && level <= NK_LOG_FATAL ? names[level] : "?";
}

void nk_log_init(const char *prog, int stderr_level, int quiet)
{
	if (prog)
		log_prog = prog;
	log_stderr_level = stderr_level;
	log_quiet = quiet;
}

int nk_log_open_file(const char *path, int file_level)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	log_file_level = file_level;
	return 0;
}

void nk_log(int level, const char *fmt, ...)
{
	va_list ap;
	if (!log_quiet && level >= log_stderr_level) {
		va_start(ap, fmt);
		fprintf(stderr, "%s: ", log_prog);
		if (level == NK_LOG_WARN)
			fputs("warning: ", stderr);
		else if (level == NK_LOG_NOTICE)
			fputs("note: ", stderr);
		else if (level < NK_LOG_NOTICE)
			fprintf(stderr, "%s: ", names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	if (log_fd >= 0 && level >= log_file_level) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		strftime(ts, sizeof(ts), "%Y%m%d%H%M%S", gmtime_r(&now, &tm));
		va_start(ap, fmt);
		dprintf(log_fd, "%s %s %s ", log_prog, ts, names[level]);
		vdprintf(log_fd, fmt, ap);
		dprintf(log_fd, "\n");
		va_end(ap);
	}
}
