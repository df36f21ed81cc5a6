/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf/value.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "util/cleanup.h"
#include "util/parse.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static const struct {
	const char *name;
	int sig;
} signames[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

/* "RTMIN+3", "RTMAX-2", "RTMIN", "RTMAX" (after any "SIG"). */
static int rt_signal_parse(const char *s, int *sig)
{
	bool min = !strncasecmp(s, "RTMIN", 5);
	if (!min && strncasecmp(s, "RTMAX", 5))
		return -EINVAL;
	int base = min ? SIGRTMIN : SIGRTMAX;
	const char *rest = s + 5;
	int64_t off = 0;
	if (*rest) {
		if (*rest != (min ? '+' : '-'))
			return -EINVAL;
		if (nk_parse_i64(rest + 1, 0, SIGRTMAX - SIGRTMIN, &off) < 0)
			return -EINVAL;
	}
	*sig = min ? base + (int)off : base - (int)off;
	return 0;
}

int nk_signal_parse(const char *s, int *sig)
{
	int64_t n;
	if (nk_parse_i64(s, 1, SIGRTMAX, &n) == 0) {
		*sig = (int)n;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signames); i++) {
		if (!strcasecmp(s, signames[i].name)) {
			*sig = signames[i].sig;
			return 0;
		}
	}
	return rt_signal_parse(s, sig);
}

const char *nk_signal_format(int sig, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(signames); i++) {
		if (signames[i].sig == sig) {
			snprintf(buf, len, "SIG%s", signames[i].name);
			return buf;
		}
	}
	if (sig == SIGRTMAX)
		snprintf(buf, len, "SIGRTMAX");
	else if (sig > SIGRTMIN && sig < SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else if (sig == SIGRTMIN)
		snprintf(buf, len, "SIGRTMIN");
	else
		snprintf(buf, len, "%d", sig);
	return buf;
}

/* Pre-CIDR class default, which LXC uses for an address written without a prefix. */
static unsigned inet4_class_prefix(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	if ((h & 0x80000000u) == 0)
		return 8;
	if ((h & 0xc0000000u) == 0x80000000u)
		return 16;
	if ((h & 0xe0000000u) == 0xc0000000u)
		return 24;
	return 0;
}

/* Splits "ADDR/PREFIX" in place; *prefix is NULL without a slash. */
static void split_prefix(char *s, char **prefix)
{
	char *slash = strchr(s, '/');
	*prefix = NULL;
	if (slash) {
		*slash = '\0';
		*prefix = slash + 1;
	}
}

int nk_inet4_parse(const char *s, bool need_prefix, bool allow_bcast, nk_inet4 *out)
{
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	nk_inet4 a = {0};
	char *bcast = strpbrk(copy, " \t");
	if (bcast) {
		if (!allow_bcast)
			return -EINVAL;
		*bcast++ = '\0';
		while (*bcast == ' ' || *bcast == '\t')
			bcast++;
		if (inet_pton(AF_INET, bcast, &a.bcast) != 1)
			return -EINVAL;
		a.has_bcast = true;
	}
	char *prefix;
	split_prefix(copy, &prefix);
	if (inet_pton(AF_INET, copy, &a.addr) != 1)
		return -EINVAL;
	uint64_t p;
	if (prefix) {
		if (nk_parse_u64(prefix, 32, &p) < 0)
			return -EINVAL;
		a.prefix = (unsigned)p;
	} else if (need_prefix) {
		return -EINVAL;
	} else {
		a.prefix = inet4_class_prefix(a.addr);
	}
	*out = a;
	return 0;
}

int nk_inet6_parse(const char *s, bool need_prefix, nk_inet6 *out)
{
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	nk_inet6 a = {.prefix = 64};
	char *prefix;
	split_prefix(copy, &prefix);
	if (inet_pton(AF_INET6, copy, &a.addr) != 1)
		return -EINVAL;
	uint64_t p;
	if (prefix) {
		if (nk_parse_u64(prefix, 128, &p) < 0)
			return -EINVAL;
		a.prefix = (unsigned)p;
	} else if (need_prefix) {
		return -EINVAL;
	}
	*out = a;
	return 0;
}

void nk_inet4_format(const nk_inet4 *a, char *buf, size_t len)
{
	char addr[INET_ADDRSTRLEN], bcast[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a->addr, addr, sizeof(addr));
	if (a->has_bcast) {
		inet_ntop(AF_INET, &a->bcast, bcast, sizeof(bcast));
		snprintf(buf, len, "%s/%u %s", addr, a->prefix, bcast);
	} else {
		snprintf(buf, len, "%s/%u", addr, a->prefix);
	}
}

void nk_inet6_format(const nk_inet6 *a, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &a->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, a->prefix);
}

bool nk_hwaddr_valid(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (size_t i = 0; i < 17; i++) {
		char c = s[i];
		if (i % 3 == 2) {
			if (c != ':')
				return false;
		} else if (!isxdigit((unsigned char)c) && c != 'x' && c != 'X') {
			return false;
		}
	}
	return true;
}

bool nk_ifname_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
}

int nk_idmap_parse(const char *s, nk_idmap *out)
{
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	char *w[5] = {0}, *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		if (n < ARRAY_SIZE(w))
			w[n++] = t;
		else
			return -EINVAL;
	if (n != 4 || (strcmp(w[0], "u") && strcmp(w[0], "g")))
		return -EINVAL;
	uint64_t ns, host, range;
	if (nk_parse_u64(w[1], UINT32_MAX, &ns) < 0 || nk_parse_u64(w[2], UINT32_MAX, &host) < 0 ||
	    nk_parse_u64(w[3], UINT32_MAX, &range) < 0 || range == 0)
		return -EINVAL;
	/* The last id of either side must still be a 32-bit id. */
	if (ns + range - 1 > UINT32_MAX || host + range - 1 > UINT32_MAX)
		return -ERANGE;
	*out = (nk_idmap){w[0][0], (uint32_t)ns, (uint32_t)host, (uint32_t)range};
	return 0;
}

void nk_idmap_format(const nk_idmap *m, char *buf, size_t len)
{
	snprintf(buf, len, "%c %u %u %u", m->kind, m->nsid, m->hostid, m->range);
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

int nk_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++)
		if (!strcmp(name, rlimits[i].name))
			return rlimits[i].resource;
	return -1;
}

const char *nk_rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].name;
	return NULL;
}

static int rlim_value_parse(const char *s, rlim_t *out)
{
	if (!strcmp(s, "unlimited")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	uint64_t v;
	/* RLIM_INFINITY itself is only spelled "unlimited". */
	if (nk_parse_u64(s, (uint64_t)RLIM_INFINITY - 1, &v) < 0)
		return -EINVAL;
	*out = (rlim_t)v;
	return 0;
}

int nk_rlimit_parse(const char *s, rlim_t *soft, rlim_t *hard)
{
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	char *colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	rlim_t sv, hv;
	if (rlim_value_parse(copy, &sv) < 0)
		return -EINVAL;
	hv = sv;
	if (colon && rlim_value_parse(colon + 1, &hv) < 0)
		return -EINVAL;
	if (sv != RLIM_INFINITY && (hv != RLIM_INFINITY && sv > hv))
		return -ERANGE;
	if (sv == RLIM_INFINITY && hv != RLIM_INFINITY)
		return -ERANGE;
	*soft = sv;
	*hard = hv;
	return 0;
}

static void rlim_value_format(rlim_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

void nk_rlimit_format(rlim_t soft, rlim_t hard, char *buf, size_t len)
{
	char s[24], h[24];
	rlim_value_format(soft, s, sizeof(s));
	rlim_value_format(hard, h, sizeof(h));
	if (soft == hard)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%s:%s", s, h);
}

int nk_cap_parse(const char *s, char **canonical)
{
	_cleanup_free_ char *name = NULL;
	bool numeric = isdigit((unsigned char)s[0]);
	bool prefixed = !strncasecmp(s, "cap_", 4);
	if (asprintf(&name, "%s%s", numeric || prefixed ? "" : "cap_", s) < 0)
		return -ENOMEM;
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	cap_value_t v;
	if (cap_from_name(name, &v) < 0)
		return -EINVAL;
	char *lib = cap_to_name(v);
	if (!lib)
		return -ENOMEM;
	/* libcap names a capability it does not know by its number; keep that as is. */
	char *out = strdup(strncmp(lib, "cap_", 4) ? lib : lib + 4);
	cap_free(lib);
	if (!out)
		return -ENOMEM;
	*canonical = out;
	return 0;
}

static const struct {
	const char *name;
	int flag;
} namespaces[NK_NS_MAX] = {
    [NK_NS_USER] = {"user", CLONE_NEWUSER},       [NK_NS_MNT] = {"mnt", CLONE_NEWNS},
    [NK_NS_PID] = {"pid", CLONE_NEWPID},          [NK_NS_UTS] = {"uts", CLONE_NEWUTS},
    [NK_NS_IPC] = {"ipc", CLONE_NEWIPC},          [NK_NS_NET] = {"net", CLONE_NEWNET},
    [NK_NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP}, [NK_NS_TIME] = {"time", CLONE_NEWTIME},
};

int nk_ns_from_name(const char *s)
{
	if (!strcmp(s, "mount"))
		return NK_NS_MNT;
	for (int i = 0; i < NK_NS_MAX; i++)
		if (!strcmp(s, namespaces[i].name))
			return i;
	return -1;
}

const char *nk_ns_name(int ns)
{
	return ns >= 0 && ns < NK_NS_MAX ? namespaces[ns].name : NULL;
}

int nk_ns_clone_flag(int ns)
{
	return ns >= 0 && ns < NK_NS_MAX ? namespaces[ns].flag : 0;
}

int nk_ns_parse_list(const char *s, int *mask, char **bad)
{
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	int m = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		int ns = nk_ns_from_name(w);
		if (ns < 0) {
			if (bad)
				*bad = strdup(w);
			return -EINVAL;
		}
		m |= namespaces[ns].flag;
	}
	*mask = m;
	return 0;
}

bool nk_arch_valid(const char *s)
{
	/* LXC's personality names: the 32-bit ones select PER_LINUX32. */
	static const char *const arches[] = {
	    "arm",   "armel",   "armhf",   "armv7l",    "athlon",  "i386",   "i486",
	    "i586",  "i686",    "linux32", "mips",      "mipsel",  "ppc",    "powerpc",
	    "x86",   "aarch64", "amd64",   "arm64",     "linux64", "mips64", "mips64el",
	    "ppc64", "ppc64el", "ppc64le", "powerpc64", "riscv64", "s390x",  "x86_64",
	};
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (!strcmp(s, arches[i]))
			return true;
	return false;
}

static const char *const lxc_levels[] = {"TRACE", "DEBUG", "INFO",  "NOTICE", "WARN",
                                         "ERROR", "CRIT",  "ALERT", "FATAL"};

int nk_lxc_log_level_parse(const char *s)
{
	uint64_t n;
	if (nk_parse_u64(s, ARRAY_SIZE(lxc_levels) - 1, &n) == 0)
		return (int)n;
	for (size_t i = 0; i < ARRAY_SIZE(lxc_levels); i++)
		if (!strcasecmp(s, lxc_levels[i]))
			return (int)i;
	if (!strcasecmp(s, "WARNING"))
		return 4;
	return -EINVAL;
}

const char *nk_lxc_log_level_name(int level)
{
	return level >= 0 && (size_t)level < ARRAY_SIZE(lxc_levels) ? lxc_levels[level] : "?";
}

bool nk_syslog_facility_valid(const char *s)
{
	static const char *const facilities[] = {"daemon", "local0", "local1", "local2", "local3",
	                                         "local4", "local5", "local6", "local7"};
	for (size_t i = 0; i < ARRAY_SIZE(facilities); i++)
		if (!strcmp(s, facilities[i]))
			return true;
	return false;
}

int nk_time_offset_parse(const char *s, nk_time_offset *out)
{
	/* Longest suffix first ("ms" before "s"); the offset must fit in int64 nanoseconds. */
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {
	    {"ms", 1000000},      {"us", 1000},       {"ns", 1},
	    {"h", 3600000000000}, {"m", 60000000000}, {"s", 1000000000},
	};
	size_t n = strlen(s);
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		size_t ul = strlen(units[i].unit);
		if (n <= ul || strcmp(s + n - ul, units[i].unit))
			continue;
		char num[32];
		if (n - ul >= sizeof(num))
			return -ERANGE;
		memcpy(num, s, n - ul);
		num[n - ul] = '\0';
		int64_t v, max = INT64_MAX / units[i].ns;
		if (nk_parse_i64(num, -max, max, &v) < 0)
			return -EINVAL;
		*out = (nk_time_offset){.set = true, .value = v};
		memcpy(out->unit, units[i].unit, ul + 1);
		return 0;
	}
	return -EINVAL;
}
