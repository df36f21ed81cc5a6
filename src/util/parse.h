/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Strict number parsers for configuration values: decimal only, the whole string must be the
 * number (no sign for unsigned, no trailing text). They return 0, -EINVAL (not a number) or
 * -ERANGE (outside [min, max]) and never touch *out on failure.
 */
#include <stdbool.h>
#include <stdint.h>

int nk_parse_u64(const char *s, uint64_t max, uint64_t *out);
int nk_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* "0" or "1", as LXC's boolean keys take. */
int nk_parse_bool01(const char *s, bool *out);
/*
 * A byte count with an optional binary suffix, case-insensitive: "4096", "128K", "128KB",
 * "1MiB", "2g". Multiples of 1024, as LXC's size keys use.
 */
int nk_parse_bytes(const char *s, uint64_t *out);
