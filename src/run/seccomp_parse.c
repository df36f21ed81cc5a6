/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LXC's seccomp policy format, read into a libseccomp filter (docs/seccomp.md):
 *
 *   1                  2
 *   allowlist          denylist [ACTION]          (or allowlist; blacklist, whitelist too)
 *   NUMBER             [ARCH]                     (or [all]: every ABI of the host)
 *   ...                NAME [ACTION] [INDEX,VALUE,OP] [INDEX,VALUE,SCMP_CMP_MASKED_EQ,MASK] ...
 *                      reject_force_umount
 *
 * ACTION is kill, errno N, trap, trace N, allow or log; '#' starts a comment anywhere.
 * Each ABI of the host gets a filter of its own while the file is read, so that an [ARCH]
 * section reaches only its ABI; at the end they are merged into one.
 */
#include "run/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "util/log.h"

#define MAX_ERRNO    4095
#define MAX_ARGS     6
#define MAX_ABIS     3
#define SECTION_ALL  (-1)
#define SECTION_SKIP (-2) /* an architecture this host does not run: its rules are checked only */

/* LXC's section names (any case); i386 is nook's alias for x86. */
static const struct {
	const char *name;
	uint32_t arch;
} arch_names[] = {
    {"x86_64", SCMP_ARCH_X86_64},
    {"x86", SCMP_ARCH_X86},
    {"i386", SCMP_ARCH_X86},
    {"x32", SCMP_ARCH_X32},
    {"arm64", SCMP_ARCH_AARCH64},
    {"arm", SCMP_ARCH_ARM},
    {"ppc64le", SCMP_ARCH_PPC64LE},
    {"ppc64", SCMP_ARCH_PPC64},
    {"ppc", SCMP_ARCH_PPC},
    {"mips64", SCMP_ARCH_MIPS64},
    {"mips64n32", SCMP_ARCH_MIPS64N32},
    {"mips", SCMP_ARCH_MIPS},
    {"mipsel64", SCMP_ARCH_MIPSEL64},
    {"mipsel64n32", SCMP_ARCH_MIPSEL64N32},
    {"mipsel", SCMP_ARCH_MIPSEL},
    {"s390x", SCMP_ARCH_S390X},
    {"s390", SCMP_ARCH_S390},
};

/*
 * The ABIs a 64-bit kernel runs besides its native one. Their syscalls reach the filter with
 * their own architecture and numbers: a filter without those architectures kills every such
 * syscall (libseccomp's bad-architecture action), one with them applies the policy to them
 * too, so 32-bit programs run and are held to the same rules. The same hosts as LXC.
 */
static const struct {
	uint32_t native;
	uint32_t compat[MAX_ABIS - 1];
} host_abis[] = {
    {SCMP_ARCH_X86_64, {SCMP_ARCH_X86, SCMP_ARCH_X32}},
    {SCMP_ARCH_AARCH64, {SCMP_ARCH_ARM}},
    {SCMP_ARCH_PPC64, {SCMP_ARCH_PPC}},
    {SCMP_ARCH_MIPS64, {SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32}},
    {SCMP_ARCH_MIPSEL64, {SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32}},
};

struct policy {
	const char *path;
	unsigned line;
	nk_err **err;
	int version;           /* 0 until read */
	bool header;           /* the policy type line was read */
	uint32_t unmatched;    /* the action for a syscall no rule matches */
	uint32_t rule_default; /* the action of a rule that names none */
	struct {
		uint32_t arch;
		scmp_filter_ctx ctx;
	} abis[MAX_ABIS]; /* [0] is the native ABI */
	size_t n_abis;
	int section; /* SECTION_ALL, SECTION_SKIP or an index in abis */
	size_t n_rules;
};

struct rule {
	const char *name;
	uint32_t action;
	unsigned n_args;
	struct scmp_arg_cmp args[MAX_ARGS];
};

static void policy_done(struct policy *p)
{
	for (size_t i = 0; i < p->n_abis; i++)
		nk_seccomp_releasep(&p->abis[i].ctx);
}

__attribute__((format(printf, 2, 3))) static int bad(struct policy *p, const char *fmt, ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r < 0)
		return nk_err_set(p->err, ENOMEM, "%s:%u", p->path, p->line);
	return nk_err_set(p->err, 0, "%s:%u: %s", p->path, p->line, what);
}

static const char *arch_name(uint32_t arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++)
		if (arch_names[i].arch == arch)
			return arch_names[i].name;
	return "the native architecture";
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Decimal, 0x hex or 0 octal, as LXC reads them; no sign, nothing after. */
static bool parse_u64(const char *s, uint64_t *v)
{
	if (!isdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

/* Splits s at whitespace into at most cap words; returns how many were taken. */
static size_t split_words(char *s, char **w, size_t cap)
{
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \t", &save); t && n < cap; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	return n;
}

/* Splits s at commas, each field trimmed; returns the number of fields (some maybe not kept). */
static size_t split_fields(char *s, char **f, size_t cap)
{
	size_t n = 0;
	for (;;) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (n < cap)
			f[n] = trim(s);
		n++;
		if (!comma)
			return n;
		s = comma + 1;
	}
}

/* ---- actions and arguments ---- */

/* An action in w[0..n): "kill", "errno N", "trap", "trace N", "allow", "log"; all n words. */
static int parse_action(struct policy *p, char **w, size_t n, uint32_t *action)
{
	static const struct {
		const char *name;
		uint32_t action;
		uint64_t max; /* of the number it takes; 0: none */
	} actions[] = {
	    {"kill", SCMP_ACT_KILL, 0},
	    {"trap", SCMP_ACT_TRAP, 0},
	    {"allow", SCMP_ACT_ALLOW, 0},
	    {"log", SCMP_ACT_LOG, 0},
	    {"errno", SCMP_ACT_ERRNO(0), MAX_ERRNO},
	    {"trace", SCMP_ACT_TRACE(0), 0xffff},
	};
	/* A notify rule blocks the caller until a supervisor answers: nook runs none. */
	if (!strcmp(w[0], "notify"))
		return bad(p, "the notify action needs a seccomp notification proxy, which nook "
		              "does not support");
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (strcmp(w[0], actions[i].name))
			continue;
		size_t words = actions[i].max ? 2 : 1;
		uint64_t v = 0;
		if (words == 2 && (n < 2 || !parse_u64(w[1], &v) || v > actions[i].max))
			return bad(p, "expected a number from 0 to %llu after %s",
			           (unsigned long long)actions[i].max, w[0]);
		if (n > words)
			return bad(p, "unexpected \"%s\" after the action", w[words]);
		*action = actions[i].action | (uint32_t)v;
		return 0;
	}
	return bad(p, "unknown action \"%s\" (expected kill, errno N, trap, trace N, allow or log)",
	           w[0]);
}

static enum scmp_compare parse_op(const char *s)
{
	/* LXC's names, and the symbols it also takes. */
	static const struct {
		const char *name, *sym;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", "!=", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", "<", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", "<=", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", "==", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", ">=", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", ">", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", "&=", SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(s, ops[i].name) || !strcmp(s, ops[i].sym))
			return ops[i].op;
	return _SCMP_CMP_MIN;
}

/* The inside of "[INDEX,VALUE,OP]" or "[INDEX,VALUE,SCMP_CMP_MASKED_EQ,MASK]". */
static int parse_arg(struct policy *p, char *s, struct scmp_arg_cmp *cmp)
{
	char *f[4];
	size_t n = split_fields(s, f, 4);
	uint64_t index, value, mask = 0;
	if (n < 3 || n > 4)
		return bad(p, "expected [INDEX,VALUE,OP] or [INDEX,VALUE,SCMP_CMP_MASKED_EQ,MASK]");
	if (!parse_u64(f[0], &index) || index >= MAX_ARGS)
		return bad(p, "expected an argument index from 0 to 5, not \"%s\"", f[0]);
	if (!parse_u64(f[1], &value))
		return bad(p, "expected a number as the value, not \"%s\"", f[1]);
	enum scmp_compare op = parse_op(f[2]);
	if (op == _SCMP_CMP_MIN)
		return bad(p,
		           "unknown comparison \"%s\" (expected SCMP_CMP_NE, SCMP_CMP_LT, "
		           "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or "
		           "SCMP_CMP_MASKED_EQ)",
		           f[2]);
	if (op == SCMP_CMP_MASKED_EQ && n != 4)
		return bad(
		    p, "SCMP_CMP_MASKED_EQ needs a mask: [INDEX,VALUE,SCMP_CMP_MASKED_EQ,MASK]");
	if (op != SCMP_CMP_MASKED_EQ && n != 3)
		return bad(p, "only SCMP_CMP_MASKED_EQ takes a mask");
	if (n == 4 && !parse_u64(f[3], &mask))
		return bad(p, "expected a number as the mask, not \"%s\"", f[3]);
	/* The file says value then mask; libseccomp takes mask then value: (arg & mask) == value.
	 */
	if (op == SCMP_CMP_MASKED_EQ)
		*cmp = (struct scmp_arg_cmp){(unsigned)index, op, mask, value};
	else
		*cmp = (struct scmp_arg_cmp){(unsigned)index, op, value, 0};
	return 0;
}

/* Argument comparisons; s follows the first '['. */
static int parse_args(struct policy *p, char *s, struct rule *rule)
{
	for (;;) {
		char *close = strchr(s, ']');
		if (!close)
			return bad(p, "expected ] to close the argument comparison");
		*close = '\0';
		if (rule->n_args == MAX_ARGS)
			return bad(p, "more than %d argument comparisons", MAX_ARGS);
		int r = parse_arg(p, s, &rule->args[rule->n_args++]);
		if (r < 0)
			return r;
		s = trim(close + 1);
		if (!*s)
			return 0;
		if (*s != '[')
			return bad(
			    p, "expected [INDEX,VALUE,OP] or the end of the line, not \"%s\"", s);
		s++;
	}
}

/* ---- lines ---- */

static bool is_syscall_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * LXC's reject_force_umount: umount2 with MNT_FORCE fails with EACCES. A forced unmount of
 * a file system the host also has mounted (NFS) aborts the host's own requests on it.
 */
static void force_umount_rule(struct rule *rule)
{
	rule->name = "umount2";
	rule->action = SCMP_ACT_ERRNO(EACCES);
	rule->n_args = 1;
	rule->args[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, MNT_FORCE, MNT_FORCE);
}

/* "NAME [ACTION] [ARGS...]" or "reject_force_umount". */
static int parse_rule(struct policy *p, char *line, struct rule *rule)
{
	char *open = strchr(line, '[');
	if (open)
		*open = '\0';
	char *w[4];
	size_t n = split_words(line, w, ARRAY_SIZE(w));
	if (n == 0)
		return bad(p, "expected a syscall name before the argument comparisons");
	if (!is_syscall_name(w[0]))
		return bad(p, "expected a syscall name, not \"%s\"", w[0]);
	if (!strcmp(w[0], "reject_force_umount")) {
		if (n > 1 || open)
			return bad(p, "reject_force_umount takes no action and no arguments");
		force_umount_rule(rule);
		return 0;
	}
	rule->name = w[0];
	rule->action = p->rule_default;
	int r = n > 1 ? parse_action(p, w + 1, n - 1, &rule->action) : 0;
	if (r >= 0 && open)
		r = parse_args(p, open + 1, rule);
	return r;
}

static int add_rule(struct policy *p, const struct rule *rule)
{
	int nr = seccomp_syscall_resolve_name(rule->name);
	if (nr == __NR_SCMP_ERROR) {
		/* As LXC: a newer kernel's syscall (or a typo) must not stop the container. */
		const struct scmp_version *v = seccomp_version();
		nk_warn("%s:%u: %s is no syscall libseccomp %u.%u knows; rule skipped", p->path,
		        p->line, rule->name, v->major, v->minor);
		return 0;
	}
	/* A rule with the filter's own default changes nothing (libseccomp refuses it). */
	if (rule->action == p->unmatched)
		return 0;
	for (size_t i = 0; i < p->n_abis; i++) {
		if (p->section != SECTION_ALL && p->section != (int)i)
			continue;
		/* nr is the native number (or libseccomp's pseudo number); it translates. */
		int r = seccomp_rule_add_exact_array(p->abis[i].ctx, rule->action, nr, rule->n_args,
		                                     rule->args);
		if (r == -EDOM) /* not a syscall of this ABI: kexec_file_load on x86 */
			continue;
		if (r < 0)
			return bad(p, "libseccomp cannot add the rule for %s on %s: %s", rule->name,
			           arch_name(p->abis[i].arch), strerror(-r));
	}
	return 0;
}

/* Version 1: a syscall number of the native ABI, allowed. */
static int add_v1(struct policy *p, const char *line)
{
	uint64_t nr;
	if (!parse_u64(line, &nr) || nr > INT_MAX)
		return bad(p, "expected a syscall number, not \"%s\"", line);
	p->n_rules++;
	int r = seccomp_rule_add_exact(p->abis[0].ctx, SCMP_ACT_ALLOW, (int)nr, 0);
	if (r < 0)
		return bad(p, "libseccomp cannot allow syscall %d: %s", (int)nr, strerror(-r));
	return 0;
}

static int parse_section(struct policy *p, char *line)
{
	size_t len = strlen(line);
	if (p->version == 1)
		return bad(p, "a version 1 policy has no architecture sections");
	if (len < 3 || line[len - 1] != ']')
		return bad(p, "expected [ARCH] or [all], not \"%s\"", line);
	line[len - 1] = '\0';
	const char *name = line + 1;
	if (!strcasecmp(name, "all")) {
		p->section = SECTION_ALL;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++) {
		if (strcasecmp(name, arch_names[i].name))
			continue;
		p->section = SECTION_SKIP;
		for (size_t j = 0; j < p->n_abis; j++)
			if (p->abis[j].arch == arch_names[i].arch)
				p->section = (int)j;
		return 0;
	}
	return bad(p, "unknown architecture [%s]", name);
}

/* ---- the filters ---- */

static int filter_new(uint32_t unmatched, uint32_t arch, scmp_filter_ctx *out)
{
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = seccomp_init(unmatched);
	if (!ctx)
		return -ENOMEM;
	/* lxc.no_new_privs alone decides no_new_privs: loading the filter must not set it. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* The kernel's own errno when loading fails, rather than libseccomp's ECANCELED. */
	if (r >= 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (r >= 0 && arch != seccomp_arch_native()) {
		r = seccomp_arch_add(ctx, arch);
		if (r >= 0)
			r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	}
	if (r < 0)
		return r;
	*out = TAKE_PTR(ctx);
	return 0;
}

/* One filter per ABI: version 1 numbers are native ones, so it gets the native ABI only. */
static int filters_create(struct policy *p)
{
	uint32_t native = seccomp_arch_native();
	p->abis[p->n_abis++].arch = native;
	for (size_t i = 0; p->version == 2 && i < ARRAY_SIZE(host_abis); i++)
		for (size_t j = 0; host_abis[i].native == native && j < MAX_ABIS - 1; j++)
			if (host_abis[i].compat[j])
				p->abis[p->n_abis++].arch = host_abis[i].compat[j];
	for (size_t i = 0; i < p->n_abis; i++) {
		int r = filter_new(p->unmatched, p->abis[i].arch, &p->abis[i].ctx);
		if (r < 0)
			return nk_err_set(p->err, -r, "%s: a seccomp filter for %s", p->path,
			                  arch_name(p->abis[i].arch));
	}
	return 0;
}

static int filters_merge(struct policy *p)
{
	for (size_t i = 1; i < p->n_abis; i++) {
		int r = seccomp_merge(p->abis[0].ctx, p->abis[i].ctx);
		if (r < 0)
			return nk_err_set(p->err, -r, "%s: merge the %s filter", p->path,
			                  arch_name(p->abis[i].arch));
		p->abis[i].ctx = NULL; /* merged, and released by libseccomp */
	}
	return 0;
}

/* ---- the file ---- */

static int parse_version(struct policy *p, const char *line)
{
	if (strcmp(line, "1") && strcmp(line, "2"))
		return bad(p, "expected the policy version, 1 or 2, not \"%s\"", line);
	p->version = line[0] - '0';
	return 0;
}

/* "allowlist" or "denylist" (LXC's older "whitelist" and "blacklist"), then maybe an action. */
static int parse_header(struct policy *p, char *line)
{
	char *w[4];
	size_t n = split_words(line, w, ARRAY_SIZE(w));
	bool deny = !strcmp(w[0], "denylist") || !strcmp(w[0], "blacklist");
	bool allow = !strcmp(w[0], "allowlist") || !strcmp(w[0], "whitelist");
	if (!deny && !allow)
		return bad(p, "expected the policy type, allowlist or denylist, not \"%s\"", w[0]);
	if (p->version == 1 && (deny || n > 1))
		return bad(p, "a version 1 policy is a bare allowlist of syscall numbers");
	p->unmatched = deny ? SCMP_ACT_ALLOW : SCMP_ACT_KILL;
	p->rule_default = deny ? SCMP_ACT_KILL : SCMP_ACT_ALLOW;
	/* As LXC: the action after the type is the one for every syscall no rule matches. */
	int r = n > 1 ? parse_action(p, w + 1, n - 1, &p->unmatched) : 0;
	p->header = true;
	return r < 0 ? r : filters_create(p);
}

static int parse_line(struct policy *p, char *line)
{
	line[strcspn(line, "#")] = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	if (!p->version)
		return parse_version(p, line);
	if (!p->header)
		return parse_header(p, line);
	if (line[0] == '[')
		return parse_section(p, line);
	if (p->version == 1)
		return add_v1(p, line);
	struct rule rule = {0};
	int r = parse_rule(p, line, &rule);
	if (r < 0)
		return r;
	/* Rules of other architectures' sections are checked and counted, not added. */
	p->n_rules++;
	return p->section == SECTION_SKIP ? 0 : add_rule(p, &rule);
}

static int parse_stream(struct policy *p, FILE *f, bool regular)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	while (getline(&buf, &cap, f) >= 0) {
		p->line++;
		int r = parse_line(p, buf);
		if (r < 0)
			return r;
	}
	if (ferror(f))
		return nk_err_sys(p->err, "read %s", p->path);
	/* /dev/null: no filter at all. An empty regular file is more likely a truncated one. */
	if (p->line == 0 && !regular)
		return 0;
	p->line++; /* the missing line */
	if (!p->version)
		return bad(p, "expected the policy version, 1 or 2");
	if (!p->header)
		return bad(p, "expected the policy type, allowlist or denylist");
	return 0;
}

static int parse_policy(const char *path, scmp_filter_ctx *out, size_t *n_rules, nk_err **err)
{
	_cleanup_(policy_done) struct policy p = {.path = path, .err = err, .section = SECTION_ALL};
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct stat st;
	if (!f || fstat(fileno(f), &st) < 0)
		return nk_err_sys(err, "seccomp profile %s", path);
	int r = parse_stream(&p, f, S_ISREG(st.st_mode));
	if (r >= 0)
		r = filters_merge(&p);
	if (r < 0)
		return r;
	if (n_rules)
		*n_rules = p.n_rules;
	*out = p.n_abis ? TAKE_PTR(p.abis[0].ctx) : NULL;
	return 0;
}

int nk_seccomp_load_file(const char *path, scmp_filter_ctx *out, nk_err **err)
{
	return parse_policy(path, out, NULL, err);
}

int nk_seccomp_count(const char *path, size_t *n_rules)
{
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	_cleanup_err_ nk_err *err = NULL;
	return parse_policy(path, &ctx, n_rules, &err);
}
