/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor lives in two binaries: the full nook runs the start sequence (it links libmnl,
 * libseccomp, ...), then execs the small static nook-monitor for the container's life, whose
 * resident memory stays under 1 MiB; a reboot inside the container execs the full nook again
 * for the new start. The process, its pid, its locks, its socket, its children and the tty
 * masters survive each exec; this file carries the rest across, as "key value" lines in a
 * memfd named by $NOOK_MONITOR_STATE. Values are escaped (%0a, %25), so any path fits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conf/lxc.h"
#include "monitor/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void put(FILE *f, const char *key, const char *v)
{
	fprintf(f, "%s ", key);
	for (; v && *v; v++) {
		if (*v == '\n' || *v == '%')
			fprintf(f, "%%%02x", (unsigned char)*v);
		else
			fputc(*v, f);
	}
	fputc('\n', f);
}

static void put_fd(FILE *f, const char *key, int fd)
{
	/* Passed fds must survive the exec; the other side marks them close-on-exec again. */
	if (fd >= 0)
		fcntl(fd, F_SETFD, 0);
	fprintf(f, "%s %d\n", key, fd);
}

static int ring_memfd(const nk_ring *r)
{
	size_t len = 0;
	_cleanup_free_ char *data = nk_ring_read(r, &len);
	int fd = memfd_create("nook-console", MFD_CLOEXEC);
	if (fd < 0 || !data)
		return fd;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static void write_state(mon *m, FILE *f)
{
	char num[32];
	nk_monitor_opts *o = m->o;
	put(f, "lxcpath", o->lxcpath);
	put(f, "name", o->name);
	put(f, "config", o->config);
	for (char **d = o->defines; d && *d; d++)
		put(f, "define", *d);
	for (char **a = o->argv; a && *a; a++)
		put(f, "argv", *a);
	put_fd(f, "statefd", m->statefd);
	put_fd(f, "lsock", m->lsock);
	put_fd(f, "logfd", m->logfd);
	put_fd(f, "exefd", m->exefd);
	put_fd(f, "ring", ring_memfd(&m->ring));
	snprintf(num, sizeof(num), "%zu", m->ring.size);
	put(f, "ringsize", num);
	if (!m->c)
		return;
	put_fd(f, "pid", m->c->pid);
	put_fd(f, "pidfd", m->c->pidfd);
	put(f, "rootfs", m->c->rootfs);
	put(f, "cgroup", m->c->cgroup_name);
	for (size_t i = 0; i < m->c->n_masters; i++)
		put_fd(f, "master", m->c->masters[i]);
	for (char **p = m->c->phys; p && *p; p++)
		put(f, "phys", *p);
	put_fd(f, "netns", m->c->netns_fd);
}

int nk_mon_exec(mon *m, const char *path, int fd, char *const argv[], nk_err **err)
{
	_cleanup_close_ int mfd = memfd_create("nook-monitor-state", 0);
	if (mfd < 0)
		return nk_err_sys(err, "memfd");
	FILE *f = fdopen(dup(mfd), "w");
	if (!f)
		return nk_err_sys(err, "state");
	write_state(m, f);
	if (fclose(f) != 0)
		return nk_err_sys(err, "state");
	char env[32];
	snprintf(env, sizeof(env), "%d", mfd);
	setenv(NK_MONITOR_STATE_ENV, env, 1);
	extern char **environ;
	if (path)
		execve(path, argv, environ);
	else
		syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	int r = nk_err_sys(err, "exec %s", path ? path : "nook");
	unsetenv(NK_MONITOR_STATE_ENV);
	/* Staying: every fd is close-on-exec again, as this process keeps them all. */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	return r;
}

/* "%0a" back to a newline; in place. */
static char *unescape(char *v)
{
	char *w = v;
	for (char *r = v; *r; r++) {
		unsigned x;
		if (r[0] == '%' && sscanf(r + 1, "%2x", &x) == 1) {
			*w++ = (char)x;
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return v;
}

static int take_fd(const char *v)
{
	int fd = atoi(v);
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static nk_container *new_container(void)
{
	nk_container *c = calloc(1, sizeof(*c));
	if (c)
		c->pid = c->pidfd = c->netns_fd = -1;
	return c;
}

static int apply(mon *m, nk_monitor_opts *o, const char *k, char *v, int *ringfd)
{
	int r = 0;
	if (!strcmp(k, "lxcpath")) o->lxcpath = strdup(v);
	else if (!strcmp(k, "name")) o->name = strdup(v);
	else if (!strcmp(k, "config")) o->config = strdup(v);
	else if (!strcmp(k, "define")) r = nk_strv_push(&o->defines, v);
	else if (!strcmp(k, "argv")) r = nk_strv_push(&o->argv, v);
	else if (!strcmp(k, "statefd")) m->statefd = take_fd(v);
	else if (!strcmp(k, "lsock")) m->lsock = take_fd(v);
	else if (!strcmp(k, "logfd")) m->logfd = take_fd(v);
	else if (!strcmp(k, "exefd")) m->exefd = take_fd(v);
	else if (!strcmp(k, "ring")) *ringfd = take_fd(v);
	else if (!strcmp(k, "ringsize")) r = nk_ring_init(&m->ring, strtoul(v, NULL, 10));
	else if (!m->c && !(m->c = new_container())) r = -ENOMEM;
	if (r < 0 || !m->c || !strcmp(k, "ringsize"))
		return r;
	if (!strcmp(k, "pid")) m->c->pid = atoi(v);
	else if (!strcmp(k, "pidfd")) m->c->pidfd = take_fd(v);
	else if (!strcmp(k, "rootfs")) m->c->rootfs = strdup(v);
	else if (!strcmp(k, "cgroup")) m->c->cgroup_name = strdup(v);
	else if (!strcmp(k, "phys")) return nk_strv_push(&m->c->phys, v);
	else if (!strcmp(k, "netns")) m->c->netns_fd = take_fd(v);
	else if (!strcmp(k, "master")) {
		int *nm = realloc(m->c->masters, (m->c->n_masters + 1) * sizeof(int));
		if (!nm)
			return -ENOMEM;
		m->c->masters = nm;
		m->c->masters[m->c->n_masters++] = take_fd(v);
	}
	return 0;
}

/* The config as it was at start: the file, then the -s overrides. */
static int load_spec(nk_monitor_opts *o, nk_err **err)
{
	o->spec = nk_spec_new();
	if (!o->spec)
		return nk_err_set(err, ENOMEM, "config");
	int r = nk_lxc_parse_file(o->spec, o->config, err);
	for (char **d = o->defines; r == 0 && d && *d; d++) {
		_cleanup_free_ char *kv = strdup(*d);
		char *eq = kv ? strchr(kv, '=') : NULL;
		r = eq ? (*eq = '\0', nk_lxc_set(o->spec, nk_strstrip(kv), nk_strstrip(eq + 1), err))
		       : nk_err_set(err, EINVAL, "define %s", *d);
	}
	return r;
}

static void ring_refill(mon *m, int fd)
{
	char buf[8192];
	ssize_t n;
	if (fd < 0)
		return;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		nk_ring_write(&m->ring, buf, (size_t)n);
	close(fd);
}

int nk_mon_restore(mon *m, nk_err **err)
{
	const char *env = getenv(NK_MONITOR_STATE_ENV);
	if (!env)
		return nk_err_set(err, EINVAL, "no monitor state to take over");
	int sfd = atoi(env);
	unsetenv(NK_MONITOR_STATE_ENV);
	_cleanup_free_ char *text = NULL;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sfd);
	int r = nk_read_file(path, &text, NULL, err);
	close(sfd);
	if (r < 0)
		return r;
	nk_monitor_opts *o = calloc(1, sizeof(*o));
	if (!o)
		return nk_err_set(err, ENOMEM, "monitor state");
	o->ready_fd = -1;
	o->exec_fd = -1;
	m->o = o;
	int ringfd = -1;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line && r == 0; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		r = apply(m, o, line, unescape(sp + 1), &ringfd);
	}
	ring_refill(m, ringfd);
	if (r == 0 && m->c)
		m->c->lxcpath = o->lxcpath, m->c->name = o->name;
	m->rundir = r == 0 ? nk_ct_run_dir(o->lxcpath, o->name) : NULL;
	if (r == 0 && !m->rundir)
		r = -ENOMEM;
	if (r < 0)
		return nk_err_set(err, -r, "monitor state");
	r = load_spec(o, err);
	if (r == 0 && m->c) {
		m->c->spec = o->spec;
		/* A rootless container has no cgroup of its own (src/run/start.c create_cgroups). */
		if (geteuid() == 0)
			r = nk_cgroup_open(m->c->cgroup_name, &m->c->cg, err);
	}
	return r;
}
