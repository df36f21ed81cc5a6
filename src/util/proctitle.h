/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The process title that ps shows (/proc/PID/cmdline). PR_SET_MM needs CAP_SYS_RESOURCE, which
 * a root without it lacks, so the title is written over the argv and environment strings
 * (whose contents are first copied elsewhere), the way setproctitle(3) does.
 */
void nk_proctitle_init(int argc, char **argv);
void nk_proctitle_set(const char *title);
