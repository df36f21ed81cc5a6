/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store/subid.h"

#include <ctype.h>
#include <errno.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/strbuf.h"

void nk_subid_free(nk_subid *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].owner);
	free(v);
}

/* "owner:start:count" with start + count - 1 still a 32-bit id; false for anything else. */
static bool parse_line(char *line, nk_subid *e)
{
	char *s = nk_strstrip(line);
	if (!*s || *s == '#')
		return false;
	char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || c1 == s)
		return false;
	*c1 = *c2 = '\0';
	uint64_t start, count;
	if (nk_parse_u64(c1 + 1, UINT32_MAX, &start) < 0 ||
	    nk_parse_u64(c2 + 1, UINT32_MAX, &count) < 0)
		return false;
	if (count == 0 || start + count - 1 > UINT32_MAX)
		return false;
	e->owner = s;
	e->start = (uint32_t)start;
	e->count = (uint32_t)count;
	return true;
}

int nk_subid_parse(const char *text, nk_subid **out, size_t *n, nk_err **err)
{
	_cleanup_free_ char *copy = strdup(text);
	nk_subid *v = NULL;
	size_t len = 0;
	if (!copy)
		return nk_err_set(err, ENOMEM, "parse subordinate ids");
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		nk_subid e;
		if (!parse_line(line, &e))
			continue;
		nk_subid *nv = realloc(v, (len + 1) * sizeof(*v));
		char *owner = strdup(e.owner);
		if (!nv || !owner) {
			free(owner);
			nk_subid_free(nv ? nv : v, len);
			return nk_err_set(err, ENOMEM, "parse subordinate ids");
		}
		v = nv;
		e.owner = owner;
		v[len++] = e;
	}
	*out = v;
	*n = len;
	return 0;
}

int nk_subid_read(const char *path, nk_subid **out, size_t *n, nk_err **err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_err_ nk_err *e = NULL;
	int r = nk_read_file(path, &text, NULL, &e);
	if (r == -ENOENT) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	if (r < 0) {
		if (err && !*err)
			*err = TAKE_PTR(e);
		return r;
	}
	return nk_err_wrap(err, nk_subid_parse(text, out, n, err), "%s", path);
}

bool nk_subid_is_owner(const nk_subid *e, const char *user, uid_t uid)
{
	if (user && strcmp(e->owner, user) == 0)
		return true;
	uint64_t v;
	return nk_parse_u64(e->owner, UINT32_MAX, &v) == 0 && v == uid;
}

uint64_t nk_subid_end(const nk_subid *v, size_t n)
{
	uint64_t end = NK_SUBID_MIN;
	for (size_t i = 0; i < n; i++)
		if ((uint64_t)v[i].start + v[i].count > end)
			end = (uint64_t)v[i].start + v[i].count;
	return end;
}

static const nk_idspan *overlap(const nk_idspan *t, size_t n, uint64_t start, uint64_t count)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].start < start + count && start < t[i].start + t[i].count)
			return &t[i];
	return NULL;
}

int nk_subid_choose(const nk_idspan *own, size_t n_own, const nk_idspan *taken, size_t n_taken,
                    uint32_t size, uint32_t *start)
{
	uint64_t best = UINT64_MAX;
	for (size_t i = 0; i < n_own; i++) {
		uint64_t end = own[i].start + own[i].count;
		/* Each step moves past a taken span, so this ends. */
		for (uint64_t c = own[i].start; c + size <= end;) {
			const nk_idspan *t = overlap(taken, n_taken, c, size);
			if (!t) {
				best = c < best ? c : best;
				break;
			}
			c = t->start + t->count;
		}
	}
	if (best == UINT64_MAX)
		return -ENOSPC;
	*start = (uint32_t)best;
	return 0;
}

/* The owner's entries of one file as spans. */
static int owned_spans(const nk_subid *v, size_t n, const char *owner, uid_t uid, nk_idspan **out,
                       size_t *nout)
{
	nk_idspan *s = calloc(n ? n : 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (nk_subid_is_owner(&v[i], owner, uid))
			s[k++] = (nk_idspan){v[i].start, v[i].count};
	*out = s;
	*nout = k;
	return 0;
}

/* The ids that lie in a span of a and in a span of b. */
static int intersect(const nk_idspan *a, size_t na, const nk_idspan *b, size_t nb, nk_idspan **out,
                     size_t *nout)
{
	nk_idspan *s = calloc(na && nb ? na * nb : 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++) {
			uint64_t lo = a[i].start > b[j].start ? a[i].start : b[j].start;
			uint64_t ha = a[i].start + a[i].count, hb = b[j].start + b[j].count;
			uint64_t hi = ha < hb ? ha : hb;
			if (lo < hi)
				s[k++] = (nk_idspan){lo, hi - lo};
		}
	*out = s;
	*nout = k;
	return 0;
}

/* A start after every entry of both files, moved past any taken span it would overlap. */
static int fresh_start(const nk_subid *u, size_t nu, const nk_subid *g, size_t ng,
                       const nk_idspan *taken, size_t n_taken, uint32_t size, uint32_t *start)
{
	uint64_t eu = nk_subid_end(u, nu), eg = nk_subid_end(g, ng);
	uint64_t s = eu > eg ? eu : eg;
	const nk_idspan *t;
	while ((t = overlap(taken, n_taken, s, size)))
		s = t->start + t->count;
	if (s + size - 1 > UINT32_MAX)
		return -ENOSPC;
	*start = (uint32_t)s;
	return 0;
}

int nk_subid_allocate(const char *uid_file, const char *gid_file, const char *owner,
                      const nk_idspan *taken, size_t n_taken, uint32_t size, uint32_t *start,
                      bool *appended, nk_err **err)
{
	nk_subid *u = NULL, *g = NULL;
	size_t nu = 0, ng = 0, nou = 0, nog = 0, nown = 0;
	_cleanup_free_ nk_idspan *ou = NULL, *og = NULL, *own = NULL;
	uid_t uid = strcmp(owner, "root") == 0 ? 0 : (uid_t)-1;
	*appended = false;
	int r = nk_subid_read(uid_file, &u, &nu, err);
	if (r == 0)
		r = nk_subid_read(gid_file, &g, &ng, err);
	if (r == 0 && (owned_spans(u, nu, owner, uid, &ou, &nou) < 0 ||
	               owned_spans(g, ng, owner, uid, &og, &nog) < 0 ||
	               intersect(ou, nou, og, nog, &own, &nown) < 0))
		r = nk_err_set(err, ENOMEM, "subordinate ids of %s", owner);
	if (r == 0 && nk_subid_choose(own, nown, taken, n_taken, size, start) == 0) {
		/* a free range of the owner's own */
	} else if (r == 0 && fresh_start(u, nu, g, ng, taken, n_taken, size, start) < 0) {
		r = nk_err_set(err, ENOSPC, "no %u free subordinate ids left in %s and %s", size,
		               uid_file, gid_file);
	} else if (r == 0 && (r = nk_subid_append(uid_file, owner, *start, size, err)) == 0) {
		r = nk_subid_append(gid_file, owner, *start, size, err);
		if (r < 0)
			nk_subid_remove(uid_file, owner, *start, size, NULL);
		*appended = r == 0;
	}
	nk_subid_free(u, nu);
	nk_subid_free(g, ng);
	return r;
}

/* The file's text ("" when it does not exist) and the mode to write it back with. */
static int load(const char *path, char **text, mode_t *mode, nk_err **err)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return nk_err_sys(err, "stat %s", path);
		*mode = 0644;
		*text = strdup("");
		return *text ? 0 : nk_err_set(err, ENOMEM, "read %s", path);
	}
	*mode = st.st_mode & 07777;
	return nk_read_file(path, text, NULL, err);
}

int nk_subid_append(const char *path, const char *owner, uint32_t start, uint32_t count,
                    nk_err **err)
{
	_cleanup_free_ char *text = NULL;
	mode_t mode;
	int r = load(path, &text, &mode, err);
	if (r < 0)
		return r;
	_cleanup_strbuf_ nk_strbuf b = {0};
	size_t len = strlen(text);
	nk_strbuf_append(&b, text);
	if (len && text[len - 1] != '\n')
		nk_strbuf_putc(&b, '\n');
	nk_strbuf_printf(&b, "%s:%u:%u\n", owner, start, count);
	_cleanup_free_ char *out = nk_strbuf_steal(&b);
	if (!out)
		return nk_err_set(err, ENOMEM, "update %s", path);
	return nk_write_file_atomic(path, out, strlen(out), mode, err);
}

int nk_subid_remove(const char *path, const char *owner, uint32_t start, uint32_t count,
                    nk_err **err)
{
	_cleanup_free_ char *text = NULL, *want = NULL;
	mode_t mode;
	int r = load(path, &text, &mode, err);
	if (r < 0)
		return r;
	if (asprintf(&want, "%s:%u:%u", owner, start, count) < 0)
		return nk_err_set(err, ENOMEM, "update %s", path);
	size_t wl = strlen(want);
	char *hit = NULL;
	for (char *p = text; (p = strstr(p, want)); p += wl)
		if ((p == text || p[-1] == '\n') && (p[wl] == '\n' || p[wl] == '\0'))
			hit = p;
	if (!hit)
		return 0;
	memmove(hit, hit + wl + (hit[wl] == '\n'), strlen(hit + wl + (hit[wl] == '\n')) + 1);
	return nk_write_file_atomic(path, text, strlen(text), mode, err);
}

int nk_subid_user_range(const char *path, char kind, const char *user, uid_t uid, uint32_t size,
                        uint32_t *start, nk_err **err)
{
	nk_subid *v = NULL;
	size_t n = 0;
	int r = nk_subid_read(path, &v, &n, err);
	if (r < 0)
		return r;
	const nk_subid *small = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!nk_subid_is_owner(&v[i], user, uid))
			continue;
		if (v[i].count >= size) {
			*start = v[i].start;
			nk_subid_free(v, n);
			return 0;
		}
		small = small ? small : &v[i];
	}
	uint64_t free_at = nk_subid_end(v, n);
	const char *opt = kind == 'u' ? "--add-subuids" : "--add-subgids";
	if (small)
		r = nk_err_set(
		    err, 0,
		    "%s gives %s only %u ids (from %u), a container needs %u: as root, run "
		    "usermod %s %llu-%llu %s",
		    path, user, small->count, small->start, size, opt, (unsigned long long)free_at,
		    (unsigned long long)free_at + size - 1, user);
	else
		r = nk_err_set(err, 0,
		               "%s has no range for %s: as root, run usermod %s %llu-%llu %s", path,
		               user, opt, (unsigned long long)free_at,
		               (unsigned long long)free_at + size - 1, user);
	nk_subid_free(v, n);
	return r;
}

int nk_subid_lock(nk_err **err)
{
	/* lckpwdf waits up to 15 seconds for useradd, usermod or passwd to finish. */
	errno = 0;
	if (lckpwdf() < 0)
		return errno ? nk_err_sys(err, "lock the user database (/etc/.pwd.lock)")
		             : nk_err_set(err, EBUSY, "lock the user database (/etc/.pwd.lock)");
	return 0;
}

void nk_subid_unlock(void)
{
	ulckpwdf();
}
