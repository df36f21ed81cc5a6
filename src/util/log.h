/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Logging: warnings and notes go to stderr (unless quiet) and, when a log file is set, to it
 * with a timestamp. Levels follow LXC's names so -l/--logpriority accepts what LXC's tools do.
 */
enum nk_log_level { NK_LOG_TRACE, NK_LOG_DEBUG, NK_LOG_INFO, NK_LOG_NOTICE, NK_LOG_WARN, NK_LOG_ERROR, NK_LOG_FATAL };

/* Parse "TRACE", "debug", "warn", "WARNING", "4"...; returns a level or -1. */
int nk_log_level_parse(const char *s);
const char *nk_log_level_name(int level);
void nk_log_init(const char *prog, int stderr_level, int quiet);
/* Opens (appends) a log file; file_level is the minimum level written there. */
int nk_log_open_file(const char *path, int file_level);
void nk_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define nk_debug(...) nk_log(NK_LOG_DEBUG, __VA_ARGS__)
#define nk_info(...) nk_log(NK_LOG_INFO, __VA_ARGS__)
#define nk_notice(...) nk_log(NK_LOG_NOTICE, __VA_ARGS__)
#define nk_warn(...) nk_log(NK_LOG_WARN, __VA_ARGS__)
#define nk_error(...) nk_log(NK_LOG_ERROR, __VA_ARGS__)
