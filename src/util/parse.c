/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/* Reads leading decimal digits; *end points past them. Overflow is -ERANGE. */
static int parse_digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	*end = p;
	return 0;
}

int nk_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v;
	const char *end;
	int r = parse_digits(s, &v, &end);
	if (r < 0)
		return r;
	if (*end)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int nk_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = *s == '-';
	uint64_t v;
	int r = nk_parse_u64(s + (neg || *s == '+'), UINT64_MAX, &v);
	if (r < 0)
		return r;
	/* INT64_MIN's magnitude is one more than INT64_MAX's. */
	if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return -ERANGE;
	int64_t sv = neg ? (int64_t)(0 - v) : (int64_t)v;
	if (sv < min || sv > max)
		return -ERANGE;
	*out = sv;
	return 0;
}

int nk_parse_bool01(const char *s, bool *out)
{
	if (strcmp(s, "0") && strcmp(s, "1"))
		return -EINVAL;
	*out = s[0] == '1';
	return 0;
}

int nk_parse_bytes(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
	    {"", 0},     {"b", 0},  {"k", 10},  {"kb", 10},  {"kib", 10}, {"m", 20},  {"mb", 20},
	    {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}, {"t", 40},   {"tb", 40}, {"tib", 40},
	};
	uint64_t v;
	const char *end;
	int r = parse_digits(s, &v, &end);
	if (r < 0)
		return r;
	while (*end == ' ' || *end == '\t')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix))
			continue;
		if (v > (UINT64_MAX >> units[i].shift))
			return -ERANGE;
		*out = v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}
