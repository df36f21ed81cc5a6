/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the LXC config language (src/conf/lxc*.c, value.c, spec.c).
 * Usage: test_lxc [GROUP]; meson runs each group as its own test.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/lxc.h"
#include "conf/value.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

#include "textfile.h"

#ifndef NK_TEST_DATA
#error "NK_TEST_DATA (tests/unit/data) must be defined by the build"
#endif
#ifndef NK_DOCS_CONFIG
#error "NK_DOCS_CONFIG (docs/config.md) must be defined by the build"
#endif

static char tmpdir[] = "/tmp/nook-test-lxc.XXXXXX";

/* ---- helpers ---- */

static nk_spec *parse_ok(const char *text)
{
	nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	assert_non_null(s);
	int r = nk_lxc_parse_text(s, text, strlen(text), "test.conf", &err);
	if (r < 0)
		fail_msg("parse failed: %s\n--- text:\n%s", err->msg, text);
	return s;
}

/* The error message of parsing text as fname (caller frees). */
static char *parse_err(const char *text, const char *fname)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	int r = nk_lxc_parse_text(s, text, strlen(text), fname, &err);
	if (r >= 0)
		fail_msg("parse of '%s' should have failed", text);
	assert_non_null(err);
	char *msg = strdup(err->msg);
	nk_err_free(err);
	return msg;
}

static char *get(const nk_spec *s, const char *key)
{
	char *v = NULL;
	nk_err *err = NULL;
	if (nk_lxc_get(s, key, &v, &err) < 0)
		fail_msg("get %s: %s", key, err->msg);
	return v;
}

static void assert_get(const nk_spec *s, const char *key, const char *want)
{
	_cleanup_free_ char *v = get(s, key);
	if (strcmp(v, want))
		fail_msg("%s: got '%s', want '%s'", key, v, want);
}

/* noinline: inlined, GCC 12 takes the result for a pointer into the local (-Wdangling-pointer). */
__attribute__((noinline)) static char *dump(const nk_spec *s)
{
	char *text = NULL;
	assert_int_equal(nk_lxc_dump(s, &text, NULL), 0);
	return text;
}

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}


static void assert_prefix(const char *msg, const char *prefix)
{
	if (strncmp(msg, prefix, strlen(prefix)))
		fail_msg("message '%s'\ndoes not start with '%s'", msg, prefix);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s'\ndoes not contain '%s'", hay, needle);
}

/* stderr capture, for the legacy-key warnings. */
static int saved_stderr = -1;
static char *capture_path;

static void capture_begin(void)
{
	capture_path = path_in(tmpdir, "stderr");
	fflush(stderr);
	saved_stderr = dup(2);
	int fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
	nk_log_init("nook", NK_LOG_INFO, 0);
}

static char *capture_end(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	nk_log_init("nook", NK_LOG_FATAL + 1, 1);
	char *text = read_text(capture_path);
	unlink(capture_path);
	free(capture_path);
	return text;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* ---- group "keys": the table, one good value per key, the reference ---- */

typedef struct sample {
	const char *doc; /* the name in the key table */
	const char *pre; /* lines needed first (a network type), or NULL */
	const char *key; /* a concrete key */
	const char *value;
	const char *want; /* what get returns */
} sample;

static const sample samples[] = {
    {"lxc.include", NULL, "lxc.include", NK_TEST_DATA "/empty.conf", NK_TEST_DATA "/empty.conf"},
    {"lxc.uts.name", NULL, "lxc.uts.name", "web", "web"},
    {"lxc.arch", NULL, "lxc.arch", "x86_64", "x86_64"},
    {"lxc.rootfs.path", NULL, "lxc.rootfs.path", "dir:/var/lib/nook/web/rootfs",
     "dir:/var/lib/nook/web/rootfs"},
    {"lxc.rootfs.mount", NULL, "lxc.rootfs.mount", "/usr/lib/nook/rootfs", "/usr/lib/nook/rootfs"},
    {"lxc.rootfs.options", NULL, "lxc.rootfs.options", "idmap=container", "idmap=container"},
    {"lxc.rootfs.managed", NULL, "lxc.rootfs.managed", "0", "0"},
    {"lxc.mount.fstab", NULL, "lxc.mount.fstab", "/var/lib/nook/web/fstab",
     "/var/lib/nook/web/fstab"},
    {"lxc.mount.entry", NULL, "lxc.mount.entry", "/dev/fuse dev/fuse none bind,optional 0 0",
     "/dev/fuse dev/fuse none bind,optional 0 0"},
    {"lxc.mount.auto", NULL, "lxc.mount.auto", "proc sys:ro cgroup:rw:force",
     "proc:mixed sys:ro cgroup:rw:force"},
    {"lxc.autodev", NULL, "lxc.autodev", "1", "1"},
    {"lxc.autodev.tmpfs.size", NULL, "lxc.autodev.tmpfs.size", "1000000", "1000000"},
    {"lxc.tty.max", NULL, "lxc.tty.max", "4", "4"},
    {"lxc.tty.dir", NULL, "lxc.tty.dir", "lxc", "lxc"},
    {"lxc.pty.max", NULL, "lxc.pty.max", "1024", "1024"},
    {"lxc.console.path", NULL, "lxc.console.path", "none", "none"},
    {"lxc.console.logfile", NULL, "lxc.console.logfile", "/var/log/c", "/var/log/c"},
    {"lxc.console.rotate", NULL, "lxc.console.rotate", "1", "1"},
    {"lxc.console.buffer.size", NULL, "lxc.console.buffer.size", "128KB", "131072"},
    {"lxc.console.size", NULL, "lxc.console.size", "auto", "auto"},
    {"lxc.init.cmd", NULL, "lxc.init.cmd", "/sbin/init splash", "/sbin/init splash"},
    {"lxc.execute.cmd", NULL, "lxc.execute.cmd", "/bin/sh -c true", "/bin/sh -c true"},
    {"lxc.init.cwd", NULL, "lxc.init.cwd", "/root", "/root"},
    {"lxc.init.uid", NULL, "lxc.init.uid", "1000", "1000"},
    {"lxc.init.gid", NULL, "lxc.init.gid", "1000", "1000"},
    {"lxc.init.groups", NULL, "lxc.init.groups", "10, 20", "10,20"},
    {"lxc.environment", NULL, "lxc.environment", "TERM=xterm", "TERM=xterm"},
    {"lxc.signal.halt", NULL, "lxc.signal.halt", "SIGRTMIN+3", "SIGRTMIN+3"},
    {"lxc.signal.reboot", NULL, "lxc.signal.reboot", "2", "SIGINT"},
    {"lxc.signal.stop", NULL, "lxc.signal.stop", "kill", "SIGKILL"},
    {"lxc.ephemeral", NULL, "lxc.ephemeral", "1", "1"},
    {"lxc.start.auto", NULL, "lxc.start.auto", "1", "1"},
    {"lxc.start.delay", NULL, "lxc.start.delay", "5", "5"},
    {"lxc.start.order", NULL, "lxc.start.order", "-10", "-10"},
    {"lxc.group", NULL, "lxc.group", "web db", "web\ndb"},
    {"lxc.monitor.unshare", NULL, "lxc.monitor.unshare", "1", "1"},
    {"lxc.monitor.signal.pdeath", NULL, "lxc.monitor.signal.pdeath", "0", "0"},
    {"lxc.net", NULL, "lxc.net", "", ""},
    {"lxc.net.[i]", NULL, "lxc.net.0", "", ""},
    {"lxc.net.[i].type", NULL, "lxc.net.0.type", "veth", "veth"},
    {"lxc.net.[i].flags", NULL, "lxc.net.0.flags", "up", "up"},
    {"lxc.net.[i].link", NULL, "lxc.net.0.link", "lxcbr0", "lxcbr0"},
    {"lxc.net.[i].l2proxy", NULL, "lxc.net.0.l2proxy", "1", "1"},
    {"lxc.net.[i].name", NULL, "lxc.net.0.name", "eth0", "eth0"},
    {"lxc.net.[i].hwaddr", NULL, "lxc.net.0.hwaddr", "00:16:3e:xx:xx:xx", "00:16:3e:xx:xx:xx"},
    {"lxc.net.[i].mtu", NULL, "lxc.net.0.mtu", "1500", "1500"},
    {"lxc.net.[i].ipv4.address", NULL, "lxc.net.0.ipv4.address", "10.0.3.5/24", "10.0.3.5/24"},
    {"lxc.net.[i].ipv4.gateway", NULL, "lxc.net.0.ipv4.gateway", "10.0.3.1", "10.0.3.1"},
    {"lxc.net.[i].ipv6.address", NULL, "lxc.net.0.ipv6.address", "fd00::5/64", "fd00::5/64"},
    {"lxc.net.[i].ipv6.gateway", NULL, "lxc.net.0.ipv6.gateway", "fd00::1", "fd00::1"},
    {"lxc.net.[i].script.up", NULL, "lxc.net.0.script.up", "/bin/up", "/bin/up"},
    {"lxc.net.[i].script.down", NULL, "lxc.net.0.script.down", "/bin/down", "/bin/down"},
    {"lxc.net.[i].veth.mode", "lxc.net.0.type = veth", "lxc.net.0.veth.mode", "router", "router"},
    {"lxc.net.[i].veth.pair", "lxc.net.0.type = veth", "lxc.net.0.veth.pair", "vethweb", "vethweb"},
    {"lxc.net.[i].veth.ipv4.route", "lxc.net.0.type = veth", "lxc.net.0.veth.ipv4.route",
     "192.168.1.0/24", "192.168.1.0/24"},
    {"lxc.net.[i].veth.ipv6.route", "lxc.net.0.type = veth", "lxc.net.0.veth.ipv6.route",
     "fd01:0::/64", "fd01::/64"},
    {"lxc.net.[i].veth.vlan.id", "lxc.net.0.type = veth", "lxc.net.0.veth.vlan.id", "none", "none"},
    {"lxc.net.[i].veth.vlan.tagged.id", "lxc.net.0.type = veth", "lxc.net.0.veth.vlan.tagged.id",
     "100", "100"},
    {"lxc.net.[i].veth.n_rxqueues", "lxc.net.0.type = veth", "lxc.net.0.veth.n_rxqueues", "4", "4"},
    {"lxc.net.[i].veth.n_txqueues", "lxc.net.0.type = veth", "lxc.net.0.veth.n_txqueues", "2", "2"},
    {"lxc.net.[i].macvlan.mode", "lxc.net.0.type = macvlan", "lxc.net.0.macvlan.mode", "bridge",
     "bridge"},
    {"lxc.net.[i].ipvlan.mode", "lxc.net.0.type = ipvlan", "lxc.net.0.ipvlan.mode", "l3s", "l3s"},
    {"lxc.net.[i].ipvlan.isolation", "lxc.net.0.type = ipvlan", "lxc.net.0.ipvlan.isolation",
     "private", "private"},
    {"lxc.net.[i].vlan.id", "lxc.net.0.type = vlan", "lxc.net.0.vlan.id", "42", "42"},
    {"lxc.cgroup.[controller].[key]", NULL, "lxc.cgroup.memory.limit_in_bytes", "512M", "512M"},
    {"lxc.cgroup2.[controller].[key]", NULL, "lxc.cgroup2.memory.max", "1G", "1G"},
    {"lxc.cgroup.dir", NULL, "lxc.cgroup.dir", "nook/web", "nook/web"},
    {"lxc.cgroup.dir.monitor", NULL, "lxc.cgroup.dir.monitor", "nook.monitor/web",
     "nook.monitor/web"},
    {"lxc.cgroup.dir.monitor.pivot", NULL, "lxc.cgroup.dir.monitor.pivot", "nook.pivot",
     "nook.pivot"},
    {"lxc.cgroup.dir.container", NULL, "lxc.cgroup.dir.container", "nook.payload/web",
     "nook.payload/web"},
    {"lxc.cgroup.dir.container.inner", NULL, "lxc.cgroup.dir.container.inner", "inner", "inner"},
    {"lxc.cgroup.relative", NULL, "lxc.cgroup.relative", "1", "1"},
    {"lxc.cap.drop", NULL, "lxc.cap.drop", "sys_module MAC_ADMIN", "sys_module\nmac_admin"},
    {"lxc.cap.keep", NULL, "lxc.cap.keep", "CAP_SYS_ADMIN", "sys_admin"},
    {"lxc.no_new_privs", NULL, "lxc.no_new_privs", "1", "1"},
    {"lxc.seccomp.profile", NULL, "lxc.seccomp.profile", "/etc/nook/seccomp", "/etc/nook/seccomp"},
    {"lxc.seccomp.allow_nesting", NULL, "lxc.seccomp.allow_nesting", "1", "1"},
    {"lxc.seccomp.notify.proxy", NULL, "lxc.seccomp.notify.proxy", "unix:@seccomp",
     "unix:@seccomp"},
    {"lxc.seccomp.notify.cookie", NULL, "lxc.seccomp.notify.cookie", "c00kie", "c00kie"},
    {"lxc.apparmor.profile", NULL, "lxc.apparmor.profile", "unconfined", "unconfined"},
    {"lxc.apparmor.allow_incomplete", NULL, "lxc.apparmor.allow_incomplete", "1", "1"},
    {"lxc.apparmor.allow_nesting", NULL, "lxc.apparmor.allow_nesting", "1", "1"},
    {"lxc.apparmor.raw", NULL, "lxc.apparmor.raw", "mount fstype=nfs*,", "mount fstype=nfs*,"},
    {"lxc.selinux.context", NULL, "lxc.selinux.context", "system_u:system_r:lxc_t:s0",
     "system_u:system_r:lxc_t:s0"},
    {"lxc.selinux.context.keyring", NULL, "lxc.selinux.context.keyring",
     "system_u:object_r:lxc_key_t:s0", "system_u:object_r:lxc_key_t:s0"},
    {"lxc.keyring.session", NULL, "lxc.keyring.session", "0", "0"},
    {"lxc.sched.core", NULL, "lxc.sched.core", "1", "1"},
    {"lxc.namespace.clone", NULL, "lxc.namespace.clone", "mount net ipc", "mnt ipc net"},
    {"lxc.namespace.keep", NULL, "lxc.namespace.keep", "user net", "user net"},
    {"lxc.namespace.share.[namespace]", NULL, "lxc.namespace.share.net", "42", "42"},
    {"lxc.time.offset.boot", NULL, "lxc.time.offset.boot", "-10s", "-10s"},
    {"lxc.time.offset.monotonic", NULL, "lxc.time.offset.monotonic", "500ms", "500ms"},
    {"lxc.idmap", NULL, "lxc.idmap", "u  0 100000   65536", "u 0 100000 65536"},
    {"lxc.prlimit.[resource]", NULL, "lxc.prlimit.nofile", "1024:4096", "1024:4096"},
    {"lxc.sysctl.[key]", NULL, "lxc.sysctl.net.ipv4.ip_forward", "1", "1"},
    {"lxc.proc.[file]", NULL, "lxc.proc.oom_score_adj", "10", "10"},
    {"lxc.hook", NULL, "lxc.hook", "", ""},
    {"lxc.hook.version", NULL, "lxc.hook.version", "1", "1"},
    {"lxc.hook.pre-start", NULL, "lxc.hook.pre-start", "/bin/h a", "/bin/h a"},
    {"lxc.hook.pre-mount", NULL, "lxc.hook.pre-mount", "/bin/h b", "/bin/h b"},
    {"lxc.hook.mount", NULL, "lxc.hook.mount", "/bin/h c", "/bin/h c"},
    {"lxc.hook.autodev", NULL, "lxc.hook.autodev", "/bin/h d", "/bin/h d"},
    {"lxc.hook.start-host", NULL, "lxc.hook.start-host", "/bin/h e", "/bin/h e"},
    {"lxc.hook.start", NULL, "lxc.hook.start", "/bin/h f", "/bin/h f"},
    {"lxc.hook.stop", NULL, "lxc.hook.stop", "/bin/h g", "/bin/h g"},
    {"lxc.hook.post-stop", NULL, "lxc.hook.post-stop", "/bin/h h", "/bin/h h"},
    {"lxc.hook.clone", NULL, "lxc.hook.clone", "/bin/h i", "/bin/h i"},
    {"lxc.hook.destroy", NULL, "lxc.hook.destroy", "/bin/h j", "/bin/h j"},
    {"lxc.log.level", NULL, "lxc.log.level", "warn", "WARN"},
    {"lxc.log.file", NULL, "lxc.log.file", "/var/log/web.log", "/var/log/web.log"},
    {"lxc.log.syslog", NULL, "lxc.log.syslog", "daemon", "daemon"},
};

static const sample *sample_for(const char *doc)
{
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++)
		if (!strcmp(samples[i].doc, doc))
			return &samples[i];
	return NULL;
}

/* Every current key of the table has a sample, and the sample parses and reads back. */
static void test_every_key_parses(void **state)
{
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys);
	assert_true(n > 100);
	for (size_t i = 0; i < n; i++) {
		if (keys[i].legacy)
			continue;
		const sample *s = sample_for(keys[i].name);
		if (!s)
			fail_msg("key %s has no sample in test_lxc.c", keys[i].name);
		_cleanup_free_ char *text = NULL;
		assert_true(
		    asprintf(&text, "%s\n%s = %s\n", s->pre ? s->pre : "", s->key, s->value) > 0);
		_cleanup_(nk_spec_freep) nk_spec *spec = parse_ok(text);
		assert_get(spec, s->key, s->want);
		/* nk_lxc_set takes the same syntax, and "" clears it again. */
		_cleanup_(nk_spec_freep) nk_spec *spec2 = parse_ok(s->pre ? s->pre : "");
		assert_int_equal(nk_lxc_set(spec2, s->key, s->value, NULL), 0);
		assert_get(spec2, s->key, s->want);
		assert_int_equal(nk_lxc_set(spec2, s->key, "", NULL), 0);
		if (strcmp(s->key, "lxc.include"))
			assert_get(spec2, s->key, "");
	}
}

static void test_every_sample_is_a_key(void **state)
{
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys);
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		bool found = false;
		for (size_t k = 0; k < n && !found; k++)
			found = !strcmp(keys[k].name, samples[i].doc);
		if (!found)
			fail_msg("sample %s names no key of the table", samples[i].doc);
	}
}

static void test_docs_list_every_key(void **state)
{
	_cleanup_free_ char *docs = read_text(NK_DOCS_CONFIG);
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *quoted = NULL;
		assert_true(asprintf(&quoted, "`%s`", keys[i].name) > 0);
		if (!strstr(docs, quoted))
			fail_msg("docs/config.md does not document %s", keys[i].name);
		/* A current key's row says whether nook applies it: the table is the truth. */
		_cleanup_free_ char *row = NULL;
		assert_true(asprintf(&row, "| `%s` | %s |", keys[i].name,
				     keys[i].applied ? "yes" : "not yet") > 0);
		if (!keys[i].legacy && !strstr(docs, row))
			fail_msg("docs/config.md: %s should read \"%s\"", keys[i].name, row);
		assert_non_null(keys[i].summary);
		assert_true(strlen(keys[i].summary) > 5);
	}
}

static void test_key_info(void **state)
{
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys);
	size_t legacy = 0, net_first = 0, net_last = 0;
	for (size_t i = 0; i < n; i++) {
		const nk_lxc_key_info *k = &keys[i];
		legacy += k->legacy != NULL;
		if (!strcmp(k->name, "lxc.rootfs.path") || !strcmp(k->name, "lxc.cap.drop") ||
		    !strcmp(k->name, "lxc.net.[i].ipv4.address"))
			assert_true(k->applied);
		if (!strcmp(k->name, "lxc.apparmor.raw") || !strcmp(k->name, "lxc.arch") ||
		    !strcmp(k->name, "lxc.start.auto"))
			assert_false(k->applied);
		if (!strcmp(k->name, "lxc.utsname"))
			assert_string_equal(k->legacy, "lxc.uts.name");
		if (!strcmp(k->name, "lxc.kmsg"))
			assert_string_equal(k->legacy, "");
		if (!strncmp(k->name, "lxc.net.[i]", 11)) {
			net_first = net_first ? net_first : i;
			net_last = i;
		}
	}
	assert_true(legacy >= 40);
	/* The writer groups networks by index: their rows stand together, type first. */
	for (size_t i = net_first; i <= net_last; i++)
		assert_true(!strncmp(keys[i].name, "lxc.net.[i]", 11));
	assert_string_equal(keys[net_first + 1].name, "lxc.net.[i].type");
}

/* ---- group "values": semantics of values and lists ---- */

static void test_lines(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("# a comment\n"
	                                               "   # an indented comment\n"
	                                               "\n"
	                                               "  lxc.uts.name\t=   web  \r\n"
	                                               "lxc.environment = A=b=c\n"
	                                               "lxc.init.cmd = /bin/echo # not a comment\n"
	                                               "lxc.apparmor.raw = \"  spaced  \"\n"
	                                               "lxc.apparmor.raw = 'single'\n"
	                                               "lxc.environment = \"X\n"
	                                               "lxc.log.file=/x");
	assert_get(s, "lxc.uts.name", "web");
	assert_get(s, "lxc.environment", "A=b=c\n\"X");
	assert_get(s, "lxc.init.cmd", "/bin/echo # not a comment");
	assert_get(s, "lxc.apparmor.raw", "  spaced  \nsingle");
	assert_get(s, "lxc.log.file", "/x");
}

static void test_list_clearing(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("lxc.cap.drop = sys_module sys_time\n"
	                                               "lxc.cap.drop =\n"
	                                               "lxc.cap.drop = mknod\n"
	                                               "lxc.mount.entry = a b c\n"
	                                               "lxc.mount.entry = d e f\n"
	                                               "lxc.environment = A=1\n"
	                                               "lxc.environment =\n"
	                                               "lxc.group = x\n"
	                                               "lxc.group = y z\n"
	                                               "lxc.hook.start = /a\n"
	                                               "lxc.hook.stop = /b\n"
	                                               "lxc.hook =\n"
	                                               "lxc.hook.stop = /c\n"
	                                               "lxc.idmap = u 0 1000 1\n"
	                                               "lxc.idmap = \n"
	                                               "lxc.idmap = g 0 2000 10\n");
	assert_get(s, "lxc.cap.drop", "mknod");
	assert_get(s, "lxc.mount.entry", "a b c\nd e f");
	assert_get(s, "lxc.environment", "");
	assert_get(s, "lxc.group", "x\ny\nz");
	assert_get(s, "lxc.hook.start", "");
	assert_get(s, "lxc.hook.stop", "/c");
	assert_get(s, "lxc.hook", "lxc.hook.stop = /c");
	assert_get(s, "lxc.idmap", "g 0 2000 10");
	assert_int_equal(s->n_idmaps, 1);
	assert_int_equal(s->idmaps[0].kind, 'g');
	assert_int_equal(s->idmaps[0].hostid, 2000);
}

static void test_cap_keep_none(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("lxc.cap.keep = sys_admin\n"
	                                               "lxc.cap.keep = none\n");
	assert_get(s, "lxc.cap.keep", "none");
	assert_false(nk_spec_cap_kept(s, "sys_admin"));
	assert_int_equal(nk_lxc_set(s, "lxc.cap.keep", "net_raw 12", NULL), 0);
	assert_get(s, "lxc.cap.keep", "none\nnet_raw\nnet_admin");
	assert_true(nk_spec_cap_kept(s, "net_admin"));
	assert_false(nk_spec_cap_kept(s, "sys_admin"));
	_cleanup_(nk_spec_freep) nk_spec *d = parse_ok("lxc.cap.drop = sys_module");
	assert_false(nk_spec_cap_kept(d, "sys_module"));
	assert_true(nk_spec_cap_kept(d, "sys_admin"));
	_cleanup_free_ char *e = parse_err("lxc.cap.drop = none\n", "c");
	assert_prefix(e, "c:1: lxc.cap.drop: expected capability names");
}

static void test_prefix_keys(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s =
	    parse_ok("lxc.sysctl.net.ipv4.ip_forward = 1\n"
	             "lxc.sysctl.kernel.msgmax = 10\n"
	             "lxc.sysctl.net.ipv4.ip_forward = 0\n"
	             "lxc.sysctl.net.ipv4.conf.eth0/100.forwarding = 1\n"
	             "lxc.cgroup2.devices.allow = c 1:3 rwm\n"
	             "lxc.cgroup2.devices.allow = c 1:5 rwm\n"
	             "lxc.cgroup2.memory.max = 1G\n"
	             "lxc.cgroup.devices.deny = a\n"
	             "lxc.cgroup.devices.deny =\n"
	             "lxc.prlimit.nofile = 10\n"
	             "lxc.prlimit.core = unlimited\n"
	             "lxc.prlimit.nofile = 20:30\n"
	             "lxc.namespace.share.net = web\n"
	             "lxc.namespace.share.mount = /opt/c3\n");
	assert_get(s, "lxc.sysctl.net.ipv4.ip_forward", "0");
	assert_get(s, "lxc.sysctl.kernel.msgmax", "10");
	assert_get(s, "lxc.sysctl",
	           "lxc.sysctl.net.ipv4.ip_forward = 0\n"
	           "lxc.sysctl.kernel.msgmax = 10\n"
	           "lxc.sysctl.net.ipv4.conf.eth0/100.forwarding = 1");
	assert_get(s, "lxc.cgroup2.devices.allow", "c 1:3 rwm\nc 1:5 rwm");
	assert_get(s, "lxc.cgroup.devices.deny", "");
	assert_get(s, "lxc.cgroup.memory.max", "");
	assert_get(s, "lxc.prlimit.nofile", "20:30");
	assert_get(s, "lxc.prlimit.core", "unlimited");
	assert_int_equal(s->n_prlimits, 2);
	assert_get(s, "lxc.namespace.share.net", "web");
	assert_string_equal(s->ns.share[NK_NS_MNT], "/opt/c3");
	assert_int_equal(nk_lxc_set(s, "lxc.cgroup2", "", NULL), 0);
	assert_get(s, "lxc.cgroup2", "");
	assert_int_equal(nk_lxc_set(s, "lxc.prlimit.core", "", NULL), 0);
	assert_int_equal(s->n_prlimits, 1);
	assert_int_equal(nk_lxc_set(s, "lxc.sysctl", "", NULL), 0);
	assert_int_equal(s->sysctl.n, 0);
}

static void test_networks(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s =
	    parse_ok("lxc.net.10.type = veth\n"
	             "lxc.net.2.type = empty\n"
	             "lxc.net.02.flags = up\n"
	             "lxc.net.10.ipv4.address = 10.0.0.1\n"
	             "lxc.net.10.ipv4.address = 10.1.0.1/16 10.1.255.255\n"
	             "lxc.net.10.veth.pair = v10\n"
	             "lxc.net.10.veth.vlan.tagged.id = 5\n"
	             "lxc.net.5.link = br0\n");
	assert_int_equal(s->n_nets, 3);
	assert_int_equal(s->nets[0].index, 2);
	assert_int_equal(s->nets[1].index, 5);
	assert_int_equal(s->nets[2].index, 10);
	assert_int_equal(s->nets[0].up, 1);
	assert_get(s, "lxc.net.10.ipv4.address", "10.0.0.1/8\n10.1.0.1/16 10.1.255.255");
	struct in_addr b = nk_inet4_broadcast(&s->nets[2].ipv4[0]);
	assert_int_equal(ntohl(b.s_addr), 0x0affffffu);
	assert_get(s, "lxc.net",
	           "lxc.net.2.type = empty\nlxc.net.2.flags = up\n"
	           "lxc.net.5.link = br0\n"
	           "lxc.net.10.type = veth\n"
	           "lxc.net.10.ipv4.address = 10.0.0.1/8\n"
	           "lxc.net.10.ipv4.address = 10.1.0.1/16 10.1.255.255\n"
	           "lxc.net.10.veth.pair = v10\n"
	           "lxc.net.10.veth.vlan.tagged.id = 5");
	/* Changing the type drops what belonged to the old one. */
	assert_int_equal(nk_lxc_set(s, "lxc.net.10.type", "macvlan", NULL), 0);
	assert_get(s, "lxc.net.10.veth.pair", "");
	assert_get(s, "lxc.net.10.ipv4.address", "10.0.0.1/8\n10.1.0.1/16 10.1.255.255");
	assert_int_equal(nk_lxc_set(s, "lxc.net.5", "", NULL), 0);
	assert_int_equal(s->n_nets, 2);
	assert_int_equal(nk_lxc_set(s, "lxc.net", "", NULL), 0);
	assert_int_equal(s->n_nets, 0);
}

static void test_mount_auto(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("lxc.mount.auto = proc:rw sys cgroup\n"
	                                               "lxc.mount.auto = sys:ro cgroup-full:mixed\n"
	                                               "lxc.mount.auto = shmounts:/run/x\n");
	assert_get(s, "lxc.mount.auto", "proc:rw sys:ro cgroup-full:mixed shmounts:/run/x");
	assert_int_equal(s->mount.auto_flags, NK_AUTO_PROC_RW | NK_AUTO_SYS_RO |
	                                          NK_AUTO_CGROUP_FULL_MIXED | NK_AUTO_SHMOUNTS);
	assert_null(s->mount.shmounts_container);
	assert_int_equal(nk_lxc_set(s, "lxc.mount.auto", "", NULL), 0);
	assert_int_equal(s->mount.auto_flags, 0);
	assert_int_equal(nk_lxc_set(s, "lxc.mount.auto", "cgroup:force", NULL), 0);
	assert_get(s, "lxc.mount.auto", "cgroup:force");
}

static void test_signals(void **state)
{
	const struct {
		const char *in;
		int sig;
		const char *out;
	} cases[] = {
	    {"SIGPWR", SIGPWR, "SIGPWR"},       {"pwr", SIGPWR, "SIGPWR"},
	    {"30", SIGPWR, "SIGPWR"},           {"SIGRTMIN+3", SIGRTMIN + 3, "SIGRTMIN+3"},
	    {"RTMIN", SIGRTMIN, "SIGRTMIN"},    {"SIGRTMAX-10", SIGRTMAX - 10, "SIGRTMIN+20"},
	    {"SIGRTMAX", SIGRTMAX, "SIGRTMAX"}, {"sigkill", SIGKILL, "SIGKILL"},
	};
	char buf[32];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int sig = -1;
		assert_int_equal(nk_signal_parse(cases[i].in, &sig), 0);
		assert_int_equal(sig, cases[i].sig);
		assert_string_equal(nk_signal_format(sig, buf, sizeof(buf)), cases[i].out);
	}
	const char *bad[] = {"0", "65", "SIGFOO", "RTMIN-1", "RTMAX+1", "SIGRTMIN+99", "-1", ""};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int sig;
		if (nk_signal_parse(bad[i], &sig) == 0)
			fail_msg("signal '%s' should be rejected", bad[i]);
	}
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("lxc.signal.halt = SIGRTMIN+3\n");
	assert_int_equal(nk_spec_halt_signal(s), SIGRTMIN + 3);
	assert_int_equal(nk_spec_stop_signal(s), SIGKILL);
	assert_int_equal(nk_spec_reboot_signal(s), SIGINT);
}

static void test_addresses(void **state)
{
	nk_inet4 a4;
	nk_inet6 a6;
	char buf[96];
	assert_int_equal(nk_inet4_parse("192.168.1.7/20", false, true, &a4), 0);
	assert_int_equal(a4.prefix, 20);
	assert_int_equal(nk_inet4_parse("172.16.1.1", false, true, &a4), 0);
	assert_int_equal(a4.prefix, 16);
	assert_int_equal(nk_inet4_parse("192.168.1.1", false, true, &a4), 0);
	assert_int_equal(a4.prefix, 24);
	const char *bad4[] = {"10.0.3.300/24",     "10.0.3.5/33", "10.0.3/24",   "10.0.3.5/", "x",
	                      "10.0.3.5/24 1.2.3", "10.0.3.5/-1", "10.0.3.5/2 4"};
	for (size_t i = 0; i < ARRAY_SIZE(bad4); i++)
		if (nk_inet4_parse(bad4[i], false, true, &a4) == 0)
			fail_msg("'%s' should be rejected", bad4[i]);
	assert_int_not_equal(nk_inet4_parse("10.0.0.0", true, false, &a4), 0);
	assert_int_equal(nk_inet6_parse("fd00::1", false, &a6), 0);
	assert_int_equal(a6.prefix, 64);
	nk_inet6_format(&a6, buf, sizeof(buf));
	assert_string_equal(buf, "fd00::1/64");
	assert_int_not_equal(nk_inet6_parse("fd00::1/129", false, &a6), 0);
	assert_int_not_equal(nk_inet6_parse("fd00:::1/64", false, &a6), 0);
	assert_int_not_equal(nk_inet6_parse("10.0.0.1/24", false, &a6), 0);
	assert_true(nk_hwaddr_valid("00:16:3e:xx:xx:xx"));
	assert_true(nk_hwaddr_valid("AA:bb:CC:dd:EE:ff"));
	assert_false(nk_hwaddr_valid("00:16:3e:xx:xx"));
	assert_false(nk_hwaddr_valid("00:16:3e:xx:xx:xg"));
	assert_false(nk_hwaddr_valid("00-16-3e-12-34-56"));
	char mac[] = "xx:16:3e:xx:xx:XX";
	nk_hwaddr_randomize(mac);
	assert_true(nk_hwaddr_valid(mac));
	assert_null(strpbrk(mac, "xX"));
	unsigned first = (unsigned)strtoul(mac, NULL, 16);
	assert_int_equal(first & 3, 2); /* unicast, locally administered */
}

static void test_idmap_prlimit(void **state)
{
	nk_idmap m;
	assert_int_equal(nk_idmap_parse("g 0 100000 65536", &m), 0);
	assert_int_equal(m.kind, 'g');
	assert_int_equal(m.range, 65536);
	assert_int_equal(nk_idmap_parse("u 4294967295 0 1", &m), 0);
	const char *bad[] = {"u 0 100000",       "x 0 1 1",   "u 0 1 0",
	                     "u -1 1 1",         "u 0 1 1 1", "u 4294967295 0 2",
	                     "u 0 4294967296 1", "u0 1 1 1",  ""};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (nk_idmap_parse(bad[i], &m) == 0)
			fail_msg("idmap '%s' should be rejected", bad[i]);
	rlim_t soft, hard;
	assert_int_equal(nk_rlimit_parse("unlimited", &soft, &hard), 0);
	assert_true(soft == RLIM_INFINITY && hard == RLIM_INFINITY);
	assert_int_equal(nk_rlimit_parse("10:unlimited", &soft, &hard), 0);
	assert_true(soft == 10 && hard == RLIM_INFINITY);
	const char *badl[] = {"20:10", "unlimited:10", "ten", "10:", ":10", "-1"};
	for (size_t i = 0; i < ARRAY_SIZE(badl); i++)
		if (nk_rlimit_parse(badl[i], &soft, &hard) == 0)
			fail_msg("limit '%s' should be rejected", badl[i]);
}

static void test_misc_values(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("lxc.console.size = 1MB\n"
	                                               "lxc.console.buffer.size = 4096\n"
	                                               "lxc.log.level = 7\n"
	                                               "lxc.init.groups = 1\n"
	                                               "lxc.init.groups = 2,3\n"
	                                               "lxc.namespace.clone = net\n"
	                                               "lxc.namespace.clone = user\n"
	                                               "lxc.time.offset.boot = 2h\n");
	assert_get(s, "lxc.console.size", "1048576");
	assert_int_equal(nk_spec_console_size(s), 1048576);
	assert_get(s, "lxc.log.level", "ALERT");
	assert_get(s, "lxc.init.groups", "1,2,3");
	assert_get(s, "lxc.namespace.clone", "user net");
	assert_get(s, "lxc.time.offset.boot", "2h");
	_cleanup_(nk_spec_freep) nk_spec *d = nk_spec_new();
	assert_string_equal(nk_spec_init_cmd(d), "/sbin/init");
	assert_true(nk_spec_autodev(d));
	assert_int_equal(nk_spec_log_level(d), 5);
	assert_int_equal(nk_spec_pdeath_signal(d), SIGKILL);
	assert_int_equal(nk_spec_autodev_tmpfs_size(d), 500000);
	_cleanup_free_ char *e =
	    parse_err("lxc.namespace.clone = net\nlxc.namespace.keep = ipc\n", "f");
	assert_string_equal(e, "f:2: lxc.namespace.keep: lxc.namespace.clone and "
	                       "lxc.namespace.keep exclude each other");
}

static void test_validate(void **state)
{
	const struct {
		const char *text;
		const char *msg; /* NULL: valid */
	} cases[] = {
	    {"lxc.net.0.type = veth\nlxc.idmap = u 0 1000 10\nlxc.idmap = g 0 1000 10\n", NULL},
	    {"lxc.net.3.link = br0\n", "lxc.net.3: no lxc.net.3.type"},
	    {"lxc.net.0.type = macvlan\n",
	     "lxc.net.0.link: a network of this type needs the host device to use"},
	    {"lxc.net.0.type = veth\nlxc.net.0.ipv4.gateway = auto\n",
	     "lxc.net.0: gateway auto takes the address of lxc.net.0.link, which is not set"},
	    {"lxc.net.0.type = phys\nlxc.net.0.link = eth1\nlxc.net.0.ipv6.gateway = auto\n",
	     "lxc.net.0: gateway auto needs a veth, macvlan or ipvlan network"},
	    {"lxc.cap.drop = sys_module\nlxc.cap.keep = sys_admin\n",
	     "lxc.cap.drop and lxc.cap.keep exclude each other"},
	    {"lxc.idmap = u 0 1000 10\n", "lxc.idmap: a user namespace needs both u and g maps"},
	    {"lxc.idmap = u 0 1000 10\nlxc.idmap = u 5 5000 10\nlxc.idmap = g 0 1 1\n",
	     "lxc.idmap: 'u 5 5000 10' overlaps 'u 0 1000 10'"},
	    {"lxc.idmap = g 0 1000 10\nlxc.idmap = g 100 1009 1\nlxc.idmap = u 0 1 1\n",
	     "lxc.idmap: 'g 100 1009 1' overlaps 'g 0 1000 10'"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_(nk_spec_freep) nk_spec *s = parse_ok(cases[i].text);
		nk_err *err = NULL;
		int r = nk_spec_validate(s, &err);
		if (!cases[i].msg) {
			assert_int_equal(r, 0);
			continue;
		}
		assert_int_equal(r, -EINVAL);
		assert_string_equal(err->msg, cases[i].msg);
		nk_err_free(err);
	}
}

/* ---- group "legacy" ---- */

static const struct {
	const char *line;
	const char *key;
	const char *want;
} legacy_cases[] = {
    {"lxc.rootfs = /r", "lxc.rootfs.path", "/r"},
    {"lxc.utsname = u", "lxc.uts.name", "u"},
    {"lxc.mount = /f", "lxc.mount.fstab", "/f"},
    {"lxc.tty = 3", "lxc.tty.max", "3"},
    {"lxc.pts = 9", "lxc.pty.max", "9"},
    {"lxc.devttydir = lxc", "lxc.tty.dir", "lxc"},
    {"lxc.id_map = u 0 1 2", "lxc.idmap", "u 0 1 2"},
    {"lxc.aa_profile = unconfined", "lxc.apparmor.profile", "unconfined"},
    {"lxc.aa_allow_incomplete = 1", "lxc.apparmor.allow_incomplete", "1"},
    {"lxc.se_context = c", "lxc.selinux.context", "c"},
    {"lxc.seccomp = /s", "lxc.seccomp.profile", "/s"},
    {"lxc.console = none", "lxc.console.path", "none"},
    {"lxc.haltsignal = SIGUSR1", "lxc.signal.halt", "SIGUSR1"},
    {"lxc.rebootsignal = SIGTERM", "lxc.signal.reboot", "SIGTERM"},
    {"lxc.stopsignal = SIGKILL", "lxc.signal.stop", "SIGKILL"},
    {"lxc.loglevel = 0", "lxc.log.level", "TRACE"},
    {"lxc.logfile = /l", "lxc.log.file", "/l"},
    {"lxc.syslog = local0", "lxc.log.syslog", "local0"},
    {"lxc.init_cmd = /i", "lxc.init.cmd", "/i"},
    {"lxc.init_uid = 5", "lxc.init.uid", "5"},
    {"lxc.init_gid = 6", "lxc.init.gid", "6"},
    {"lxc.limit.nofile = 7", "lxc.prlimit.nofile", "7"},
    {"lxc.network.type = veth", "lxc.net.0.type", "veth"},
    {"lxc.network.0.link = br9", "lxc.net.0.link", "br9"},
    {"lxc.network.0.ipv4 = 10.0.0.2/8", "lxc.net.0.ipv4.address", "10.0.0.2/8"},
};

static void test_legacy_keys(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(legacy_cases); i++) {
		capture_begin();
		_cleanup_(nk_spec_freep) nk_spec *s = parse_ok(legacy_cases[i].line);
		_cleanup_free_ char *out = capture_end();
		assert_get(s, legacy_cases[i].key, legacy_cases[i].want);
		/* get on the legacy name reads the current key */
		_cleanup_free_ char *old =
		    strndup(legacy_cases[i].line, strcspn(legacy_cases[i].line, " "));
		if (!strstr(old, ".0."))
			assert_get(s, old, legacy_cases[i].want);
		_cleanup_free_ char *want = NULL;
		assert_true(asprintf(&want,
		                     "nook: warning: test.conf:1: %s is a legacy key, read as %s\n",
		                     old, legacy_cases[i].key) > 0);
		assert_string_equal(out, want);
	}
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys), tested = 0;
	for (size_t k = 0; k < n; k++)
		tested +=
		    keys[k].legacy && keys[k].legacy[0] && strncmp(keys[k].name, "lxc.network", 11);
	/* Every renamed (non-network) legacy key is in legacy_cases. */
	assert_int_equal(tested, 22);
}

static void test_legacy_network_blocks(void **state)
{
	capture_begin();
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("lxc.net.0.type = empty\n"
	                                               "lxc.network.type = veth\n"
	                                               "lxc.network.link = lxcbr0\n"
	                                               "lxc.network.ipv4 = 10.0.3.5/24\n"
	                                               "lxc.network.ipv4.gateway = 10.0.3.1\n"
	                                               "lxc.network.ipv6 = fd00::5\n"
	                                               "lxc.network.veth.pair = vp\n"
	                                               "lxc.network.type = macvlan\n"
	                                               "lxc.network.macvlan.mode = vepa\n"
	                                               "lxc.network.flags = up\n"
	                                               "lxc.network.hwaddr = 00:16:3e:00:00:01\n"
	                                               "lxc.network.script.up = /u\n");
	_cleanup_free_ char *out = capture_end();
	assert_int_equal(count_lines(out), 11);
	assert_contains(out, "test.conf:4: lxc.network.ipv4 is a legacy key, read as "
	                     "lxc.net.1.ipv4.address\n");
	assert_contains(out, "test.conf:9: lxc.network.macvlan.mode is a legacy key, read as "
	                     "lxc.net.2.macvlan.mode\n");
	assert_get(s, "lxc.net.0.type", "empty");
	assert_get(s, "lxc.net.1.type", "veth");
	assert_get(s, "lxc.net.1.link", "lxcbr0");
	assert_get(s, "lxc.net.1.ipv4.address", "10.0.3.5/24");
	assert_get(s, "lxc.net.1.ipv4.gateway", "10.0.3.1");
	assert_get(s, "lxc.net.1.ipv6.address", "fd00::5/64");
	assert_get(s, "lxc.net.1.veth.pair", "vp");
	assert_get(s, "lxc.net.2.type", "macvlan");
	assert_get(s, "lxc.net.2.macvlan.mode", "vepa");
	assert_get(s, "lxc.net.2.flags", "up");
	assert_get(s, "lxc.net.2.script.up", "/u");
	assert_get(s, "lxc.network.link", "");
	assert_get(s, "lxc.network.script.up", "/u");
	/* lxc.network = clears every network, as lxc.net = does */
	_cleanup_(nk_spec_freep) nk_spec *c = parse_ok("lxc.network.type = veth\nlxc.network =\n");
	assert_int_equal(c->n_nets, 0);
	_cleanup_free_ char *big =
	    parse_err("lxc.net.2147483647.type = veth\nlxc.network.type = veth\n", "b");
	assert_string_equal(big, "b:2: lxc.net.2147483648.type: expected a network index "
	                         "(lxc.net.0.type), got '2147483648'");
	_cleanup_free_ char *e = parse_err("lxc.network.link = br0\n", "n");
	assert_string_equal(e, "n:1: lxc.network.link: no network yet: lxc.network.type must come "
	                       "first");
}

static void test_legacy_ignored(void **state)
{
	capture_begin();
	_cleanup_(nk_spec_freep) nk_spec *s = parse_ok("lxc.kmsg = 0\nlxc.pivotdir = x\n"
	                                               "lxc.rootfs.backend = dir\nlxc.kmsg = 1\n");
	_cleanup_free_ char *out = capture_end();
	assert_string_equal(out,
	                    "nook: note: test.conf:1: lxc.kmsg is obsolete and ignored\n"
	                    "nook: note: test.conf:2: lxc.pivotdir is obsolete and ignored\n"
	                    "nook: note: test.conf:3: lxc.rootfs.backend is obsolete and ignored\n"
	                    "nook: note: test.conf:4: lxc.kmsg is obsolete and ignored\n");
	assert_int_equal(nk_strv_len(s->ignored), 3);
	assert_get(s, "lxc.kmsg", "");
	_cleanup_free_ char *d = dump(s);
	assert_string_equal(d, "");
	_cleanup_free_ char *e = parse_err("lxc.network.foo = 1\n", "n");
	assert_string_equal(e, "n:1: lxc.network.foo: unknown key");
}

/* ---- group "include" ---- */

static void test_include_file_and_dir(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	assert_int_equal(nk_lxc_parse_file(s, NK_TEST_DATA "/include/main.conf", NULL), 0);
	/* main, then sub/rel.conf, then conf.d/ in name order (the .txt is not a drop-in) */
	assert_get(s, "lxc.uts.name", "twenty");
	assert_get(s, "lxc.cap.drop", "sys_module\nmac_admin\nsys_time");
	assert_get(s, "lxc.tty.max", "2");
	assert_get(s, "lxc.include",
	           NK_TEST_DATA "/include/sub/rel.conf\n" NK_TEST_DATA
	                        "/include/conf.d/10-first.conf\n" NK_TEST_DATA
	                        "/include/conf.d/20-second.conf");
}

static void test_origins(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	assert_int_equal(nk_lxc_parse_file(s, NK_TEST_DATA "/include/main.conf", NULL), 0);
	assert_string_equal(nk_spec_origin(s, "lxc.uts.name"),
	                    NK_TEST_DATA "/include/conf.d/20-second.conf:2");
	assert_string_equal(nk_spec_origin(s, "lxc.tty.max"), NK_TEST_DATA "/include/main.conf:5");
	_cleanup_(nk_spec_freep) nk_spec *l = parse_ok("\nlxc.network.type = veth\n"
	                                               "lxc.net.00.link = br0\n"
	                                               "lxc.cgroup2.memory.max = 1G\n");
	assert_string_equal(nk_spec_origin(l, "lxc.net.0.type"), "test.conf:2");
	assert_string_equal(nk_spec_origin(l, "lxc.net.0.link"), "test.conf:3");
	assert_string_equal(nk_spec_origin(l, "lxc.cgroup2.memory.max"), "test.conf:4");
	assert_null(nk_spec_origin(l, "lxc.uts.name"));
	assert_int_equal(nk_lxc_set(l, "lxc.uts.name", "x", NULL), 0);
	assert_null(nk_spec_origin(l, "lxc.uts.name"));
}

static void test_include_missing_dir_with_slash(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s =
	    parse_ok("lxc.include = /nonexistent/nook.conf.d/\nlxc.uts.name = x\n");
	assert_get(s, "lxc.uts.name", "x");
}

static void test_include_errors(void **state)
{
	_cleanup_free_ char *e1 =
	    parse_err("\nlxc.include = /nonexistent/nook.conf\n", "/c/config");
	assert_string_equal(e1, "/c/config:2: lxc.include: cannot read /nonexistent/nook.conf");
	_cleanup_free_ char *e2 = parse_err("lxc.include = missing.conf\n", NK_TEST_DATA "/x.conf");
	assert_string_equal(e2, NK_TEST_DATA "/x.conf:1: lxc.include: cannot read " NK_TEST_DATA
	                                     "/missing.conf");
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	assert_int_equal(nk_lxc_parse_file(s, NK_TEST_DATA "/loop/a.conf", &err), -EINVAL);
	assert_string_equal(err->msg,
	                    NK_TEST_DATA "/loop/b.conf:2: lxc.include: include loop: " NK_TEST_DATA
	                                 "/loop/a.conf is already being read");
	nk_err_free(err);
	/* A file including itself, through another spelling of its path */
	_cleanup_free_ char *self = path_in(tmpdir, "self.conf");
	write_text(self, "lxc.include = ./self.conf\n");
	_cleanup_(nk_spec_freep) nk_spec *s2 = nk_spec_new();
	err = NULL;
	assert_int_equal(nk_lxc_parse_file(s2, self, &err), -EINVAL);
	assert_contains(err->msg, "self.conf:1: lxc.include: include loop: ");
	nk_err_free(err);
	/* Devices and FIFOs are not config files (reading /dev/zero would never end) */
	_cleanup_free_ char *e4 = parse_err("lxc.include = /dev/zero\n", "z");
	assert_string_equal(e4, "z:1: lxc.include: cannot read /dev/zero: not a regular file");
	/* Unreadable (permission): only meaningful when not root */
	if (geteuid() != 0) {
		_cleanup_free_ char *secret = path_in(tmpdir, "secret.conf");
		write_text(secret, "lxc.uts.name = x\n");
		chmod(secret, 0);
		_cleanup_free_ char *text = NULL;
		assert_true(asprintf(&text, "lxc.include = %s\n", secret) > 0);
		_cleanup_free_ char *e3 = parse_err(text, "p");
		assert_prefix(e3, "p:1: lxc.include: cannot read ");
	}
}

/* ---- group "errors": one line, FILE:LINE: KEY: what was expected ---- */

static void test_errors(void **state)
{
	const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"lxc.uts.name = a\nlxc.foo.bar = 1\n",
	     "/var/lib/nook/web/config:2: lxc.foo.bar: unknown key"},
	    {"lxc.utsname.x = 1\n", "/var/lib/nook/web/config:1: lxc.utsname.x: unknown key"},
	    {"lxc.uts.nme = x\n",
	     "/var/lib/nook/web/config:1: lxc.uts.nme: unknown key (did you mean lxc.uts.name?)"},
	    {"lxc.net.0.ipv4.adress = 10.0.0.1/8\n",
	     "/var/lib/nook/web/config:1: lxc.net.0.ipv4.adress: unknown key (did you mean "
	     "lxc.net.N.ipv4.address?)"},
	    {"wibble = 1\n", "/var/lib/nook/web/config:1: wibble: unknown key"},
	    {"lxc.tty.max = four\n",
	     "/var/lib/nook/web/config:1: lxc.tty.max: expected an integer from 0 to 65536, got "
	     "'four'"},
	    {"lxc.init.uid = -1\n",
	     "/var/lib/nook/web/config:1: lxc.init.uid: expected an integer from 0 to 4294967294, "
	     "got '-1'"},
	    {"lxc.autodev = yes\n",
	     "/var/lib/nook/web/config:1: lxc.autodev: expected 0 or 1, got 'yes'"},
	    {"\n\n\n\n\n\nlxc.net.0.ipv4.address = 10.0.3.300/24\n",
	     "/var/lib/nook/web/config:7: lxc.net.0.ipv4.address: expected an IPv4 address in "
	     "CIDR form (10.0.3.5/24), got '10.0.3.300/24'"},
	    {"lxc.net.0.ipv6.address = fd00::g/64\n",
	     "/var/lib/nook/web/config:1: lxc.net.0.ipv6.address: expected an IPv6 address in "
	     "CIDR form (fd00::5/64), got 'fd00::g/64'"},
	    {"lxc.net.0.hwaddr = 00:16:3e:zz:00:00\n",
	     "/var/lib/nook/web/config:1: lxc.net.0.hwaddr: expected a MAC address "
	     "(00:16:3e:xx:xx:xx), got '00:16:3e:zz:00:00'"},
	    {"lxc.signal.halt = SIGBOGUS\n",
	     "/var/lib/nook/web/config:1: lxc.signal.halt: expected a signal name or number "
	     "(SIGPWR, SIGRTMIN+3, 30), got 'SIGBOGUS'"},
	    {"lxc.idmap = u 0 100000\n",
	     "/var/lib/nook/web/config:1: lxc.idmap: expected 'u|g NSID HOSTID RANGE' "
	     "(u 0 100000 65536), got 'u 0 100000'"},
	    {"lxc.uts.name web\n",
	     "/var/lib/nook/web/config:1: lxc.uts.name web: expected 'key = value'"},
	    {" = web\n", "/var/lib/nook/web/config:1: expected a key before '='"},
	    {"lxc.net.x.type = veth\n",
	     "/var/lib/nook/web/config:1: lxc.net.x.type: expected a network index "
	     "(lxc.net.0.type), got 'x'"},
	    {"lxc.net.-1.type = veth\n",
	     "/var/lib/nook/web/config:1: lxc.net.-1.type: expected a network index "
	     "(lxc.net.0.type), got '-1'"},
	    {"lxc.net.99999999999.type = veth\n",
	     "/var/lib/nook/web/config:1: lxc.net.99999999999.type: expected a network index "
	     "(lxc.net.0.type), got '99999999999'"},
	    {"lxc.net.type = veth\n",
	     "/var/lib/nook/web/config:1: lxc.net.type: expected a network index "
	     "(lxc.net.0.type), got 'type'"},
	    {"lxc.net = x\n",
	     "/var/lib/nook/web/config:1: lxc.net: takes no value (an empty value clears every "
	     "lxc.net key)"},
	    {"lxc.net.0.veth.pair = v0\n",
	     "/var/lib/nook/web/config:1: lxc.net.0.veth.pair: not valid for this network type "
	     "(lxc.net.0.type is not set)"},
	    {"lxc.net.1.type = macvlan\nlxc.net.1.veth.pair = v0\n",
	     "/var/lib/nook/web/config:2: lxc.net.1.veth.pair: not valid for this network type "
	     "(lxc.net.1.type is macvlan)"},
	    {"lxc.net.0.type = bridge\n",
	     "/var/lib/nook/web/config:1: lxc.net.0.type: expected a network type (empty, none, "
	     "veth, macvlan, ipvlan, vlan, phys), got 'bridge'"},
	    {"lxc.sysctl = 1\n",
	     "/var/lib/nook/web/config:1: lxc.sysctl: takes no value (an empty value clears "
	     "every lxc.sysctl key); expected lxc.sysctl.[key]"},
	    {"lxc.sysctl.net..x = 1\n",
	     "/var/lib/nook/web/config:1: lxc.sysctl.net..x: expected a sysctl name "
	     "(net.ipv4.ip_forward), got 'net..x'"},
	    {"lxc.prlimit.files = 1\n",
	     "/var/lib/nook/web/config:1: lxc.prlimit.files: expected a resource name (nofile, "
	     "nproc, core, memlock, ...), got 'files'"},
	    {"lxc.prlimit.bogus =\n",
	     "/var/lib/nook/web/config:1: lxc.prlimit.bogus: expected a resource name (nofile, "
	     "nproc, core, memlock, ...), got 'bogus'"},
	    {"lxc.tty.dir = ../etc\n",
	     "/var/lib/nook/web/config:1: lxc.tty.dir: expected a directory name under /dev "
	     "(lxc), got '../etc'"},
	    {"lxc.cgroup.dir = ../../escape\n",
	     "/var/lib/nook/web/config:1: lxc.cgroup.dir: expected a relative cgroup path "
	     "without . or .. (lxc/web), got '../../escape'"},
	    {"lxc.mount.auto = proc:ro\n",
	     "/var/lib/nook/web/config:1: lxc.mount.auto: expected proc[:mixed|:rw], "
	     "sys[:mixed|:ro|:rw], cgroup[-full][:mixed|:ro|:rw][:force] or "
	     "shmounts:HOST[:CONTAINER], got 'proc:ro'"},
	    {"lxc.cap.drop = sys_admin sys_bogus\n",
	     "/var/lib/nook/web/config:1: lxc.cap.drop: expected capability names as in "
	     "capabilities(7) without CAP_ (sys_admin net_raw), got 'sys_bogus'"},
	    {"lxc.namespace.clone = net foo\n",
	     "/var/lib/nook/web/config:1: lxc.namespace.clone: expected namespace names (cgroup "
	     "ipc mnt net pid time user uts), got 'foo'"},
	    {"lxc.prlimit.nofile = 20:10\n",
	     "/var/lib/nook/web/config:1: lxc.prlimit.nofile: expected 'unlimited', a number or "
	     "SOFT:HARD with SOFT <= HARD, got '20:10'"},
	    {"lxc.mount.entry = /only/two fields\n",
	     "/var/lib/nook/web/config:1: lxc.mount.entry: expected an fstab line (SOURCE "
	     "TARGET FSTYPE [OPTIONS [0 0]]), got '/only/two fields'"},
	    {"lxc.hook = /bin/true\n",
	     "/var/lib/nook/web/config:1: lxc.hook: takes no value (an empty value clears "
	     "every lxc.hook key)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *e = parse_err(cases[i].text, "/var/lib/nook/web/config");
		assert_string_equal(e, cases[i].msg);
		assert_null(strchr(e, '\n'));
	}
	/* a NUL byte in the middle of a line */
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	assert_true(nk_lxc_parse_text(s, "lxc.uts.name = a\nlxc.tty\0.max = 1\n", 33, "n", &err) <
	            0);
	assert_string_equal(err->msg, "n:2: the line holds a NUL byte");
	nk_err_free(err);
	/* get and set report an unknown key as -ENOENT */
	char *v = NULL;
	err = NULL;
	assert_int_equal(nk_lxc_get(s, "lxc.nope", &v, &err), -ENOENT);
	assert_string_equal(err->msg, "lxc.nope: unknown key");
	nk_err_free(err);
	err = NULL;
	assert_int_equal(nk_lxc_set(s, "lxc.nope", "1", &err), -ENOENT);
	nk_err_free(err);
	err = NULL;
	assert_int_equal(nk_lxc_set(s, "lxc.uts.name", "a\nb", &err), -EINVAL);
	assert_string_equal(err->msg, "lxc.uts.name: a value is one line");
	nk_err_free(err);
}

/* ---- group "dump": writers and round trips ---- */

static void assert_round_trip(const nk_spec *s)
{
	_cleanup_free_ char *d1 = dump(s);
	_cleanup_(nk_spec_freep) nk_spec *again = parse_ok(d1);
	_cleanup_free_ char *d2 = dump(again);
	assert_string_equal(d1, d2);
	/* and key by key, through the table */
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys);
	for (size_t i = 0; i < n; i++) {
		const sample *smp = sample_for(keys[i].name);
		if (keys[i].legacy || !smp || !strcmp(smp->key, "lxc.include"))
			continue;
		_cleanup_free_ char *a = get(s, smp->key);
		_cleanup_free_ char *b = get(again, smp->key);
		assert_string_equal(a, b);
	}
}

static long offset_of(const char *hay, const char *needle)
{
	const char *at = strstr(hay, needle);
	return at ? (long)(at - hay) : -1;
}

/* Whether a dump has a line for the key named doc in the table ("lxc.net.[i].mtu"). */
static bool dump_has(const char *d, const char *doc)
{
	const char *br = strchr(doc, '[');
	bool net = !strncmp(doc, "lxc.net.[i].", 12);
	for (const char *line = d; *line; line = strchr(line, '\n') + 1) {
		if (net && !strncmp(line, "lxc.net.", 8)) {
			const char *sub = line + 8 + strspn(line + 8, "0123456789");
			if (*sub == '.' && !strncmp(sub + 1, doc + 12, strlen(doc + 12)) &&
			    !strncmp(sub + 1 + strlen(doc + 12), " = ", 3))
				return true;
		} else if (!net && br && !strncmp(line, doc, (size_t)(br - doc))) {
			return true;
		} else if (!br && !strncmp(line, doc, strlen(doc)) &&
		           !strncmp(line + strlen(doc), " = ", 3)) {
			return true;
		}
	}
	return false;
}

static void test_dump_round_trip_full(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	assert_int_equal(nk_lxc_parse_file(s, NK_TEST_DATA "/full.conf", NULL), 0);
	_cleanup_free_ char *d = dump(s);
	/* Every current key but lxc.include, .net, .net.N, .hook and .namespace.keep is there. */
	const nk_lxc_key_info *keys;
	size_t n = nk_lxc_keys(&keys), lines = 0;
	for (size_t i = 0; i < n; i++) {
		const sample *smp = sample_for(keys[i].name);
		if (keys[i].legacy || !smp || !smp->value[0] || !strcmp(smp->key, "lxc.include") ||
		    !strcmp(smp->key, "lxc.namespace.keep"))
			continue;
		if (!dump_has(d, keys[i].name))
			fail_msg("dump lacks %s:\n%s", keys[i].name, d);
		lines++;
	}
	assert_true(lines > 100);
	assert_round_trip(s);
	/* networks come out grouped by index, in index order, type first */
	long n0 = offset_of(d, "lxc.net.0.type = veth\n");
	long n3 = offset_of(d, "lxc.net.3.type = ipvlan\n");
	long n7 = offset_of(d, "lxc.net.7.type = macvlan\n");
	assert_true(n0 >= 0 && n0 < n3 && n3 < n7);
	assert_true(offset_of(d, "lxc.net.7.macvlan.mode") > n7);
	assert_true(offset_of(d, "lxc.include") < 0);
}

static void test_dump_quoting(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	assert_int_equal(nk_lxc_set(s, "lxc.environment", " lead", NULL), 0);
	assert_int_equal(nk_lxc_set(s, "lxc.environment", "'quoted'", NULL), 0);
	assert_int_equal(nk_lxc_set(s, "lxc.environment", "\"x\"", NULL), 0);
	assert_int_equal(nk_lxc_set(s, "lxc.environment", "a = b", NULL), 0);
	assert_int_equal(nk_lxc_set(s, "lxc.uts.name", "#web", NULL), 0);
	_cleanup_free_ char *d = dump(s);
	assert_string_equal(d, "lxc.uts.name = #web\n"
	                       "lxc.environment = \" lead\"\n"
	                       "lxc.environment = \"'quoted'\"\n"
	                       "lxc.environment = \"\"x\"\"\n"
	                       "lxc.environment = a = b\n");
	assert_round_trip(s);
	_cleanup_(nk_spec_freep) nk_spec *again = parse_ok(d);
	assert_get(again, "lxc.environment", " lead\n'quoted'\n\"x\"\na = b");
}

static void test_round_trip_legacy(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	assert_int_equal(nk_lxc_parse_file(s, NK_TEST_DATA "/legacy.conf", NULL), 0);
	assert_round_trip(s);
	_cleanup_free_ char *d = dump(s);
	assert_null(strstr(d, "lxc.network"));
	assert_contains(d, "lxc.net.0.ipv4.address = 10.0.3.5/24 10.0.3.255\n");
	assert_contains(d, "lxc.net.2.vlan.id = 42\n");
}

static void test_not_applied(void **state)
{
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	assert_int_equal(nk_lxc_parse_file(s, NK_TEST_DATA "/full.conf", NULL), 0);
	_cleanup_strv_ char **na = nk_lxc_not_applied(s);
	_cleanup_free_ char *joined = NULL;
	nk_strbuf b = {0};
	for (char **p = na; p && *p; p++)
		nk_strbuf_printf(&b, "%s\n", *p);
	joined = nk_strbuf_steal(&b);
	assert_string_equal(joined, "lxc.arch\n"
	                            "lxc.rootfs.mount\n"
	                            "lxc.rootfs.managed\n"
	                            "lxc.execute.cmd\n"
	                            "lxc.ephemeral\n"
	                            "lxc.start.auto\n"
	                            "lxc.start.delay\n"
	                            "lxc.start.order\n"
	                            "lxc.group\n"
	                            "lxc.monitor.unshare\n"
	                            "lxc.seccomp.notify.proxy\n"
	                            "lxc.seccomp.notify.cookie\n"
	                            "lxc.apparmor.allow_incomplete\n"
	                            "lxc.apparmor.allow_nesting\n"
	                            "lxc.apparmor.raw\n"
	                            "lxc.selinux.context.keyring\n"
	                            "lxc.keyring.session\n"
	                            "lxc.sched.core\n"
	                            "lxc.time.offset.boot\n"
	                            "lxc.time.offset.monotonic\n"
	                            "lxc.proc.oom_score_adj\n");
	_cleanup_(nk_spec_freep) nk_spec *min =
	    parse_ok("lxc.uts.name = a\nlxc.net.0.type = empty\n");
	_cleanup_strv_ char **none = nk_lxc_not_applied(min);
	assert_non_null(none);
	assert_null(none[0]);
}

/* ---- group "edit": changes in place ---- */

static const char edit_base[] = "# web container\n"
                                "lxc.uts.name = web   # keep me\n"
                                "\n"
                                "  # indented comment\n"
                                "lxc.cap.drop = sys_module\n"
                                "lxc.utsname = old\n"
                                "lxc.cap.drop = mknod\n"
                                "lxc.net.0.type = veth\n"
                                "lxc.net.0.link = lxcbr0\n"
                                "lxc.net.1.type = empty\n";

static void test_file_set(void **state)
{
	_cleanup_free_ char *p = path_in(tmpdir, "set.conf");
	write_text(p, edit_base);
	chmod(p, 0600);
	assert_int_equal(nk_lxc_file_set(p, "lxc.uts.name", "db", NULL), 0);
	assert_int_equal(nk_lxc_file_set(p, "lxc.cap.drop", "sys_time net_raw", NULL), 0);
	assert_int_equal(nk_lxc_file_set(p, "lxc.net.00.link", "br1", NULL), 0);
	assert_int_equal(nk_lxc_file_set(p, "lxc.tty.max", "4", NULL), 0);
	assert_int_equal(nk_lxc_file_set(p, "lxc.environment", " spaced", NULL), 0);
	_cleanup_free_ char *t = read_text(p);
	assert_string_equal(t, "# web container\n"
	                       "lxc.uts.name = db\n"
	                       "\n"
	                       "  # indented comment\n"
	                       "lxc.cap.drop = sys_time net_raw\n"
	                       "lxc.net.0.type = veth\n"
	                       "lxc.net.0.link = br1\n"
	                       "lxc.net.1.type = empty\n"
	                       "lxc.tty.max = 4\n"
	                       "lxc.environment = \" spaced\"\n");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* refused: the file stays as it was */
	nk_err *err = NULL;
	assert_int_equal(nk_lxc_file_set(p, "lxc.tty.max", "many", &err), -EINVAL);
	assert_contains(err->msg, "set.conf:9: lxc.tty.max: expected an integer");
	nk_err_free(err);
	err = NULL;
	assert_int_equal(nk_lxc_file_set(p, "lxc.bogus", "1", &err), -ENOENT);
	nk_err_free(err);
	_cleanup_free_ char *t2 = read_text(p);
	assert_string_equal(t, t2);
}

static void test_file_unset(void **state)
{
	_cleanup_free_ char *p = path_in(tmpdir, "unset.conf");
	write_text(p, edit_base);
	assert_int_equal(nk_lxc_file_unset(p, "lxc.cap.drop", NULL), 0);
	assert_int_equal(nk_lxc_file_unset(p, "lxc.uts.name", NULL), 0);
	assert_int_equal(nk_lxc_file_unset(p, "lxc.net.0", NULL), 0);
	assert_int_equal(nk_lxc_file_unset(p, "lxc.tty.max", NULL), 0);
	_cleanup_free_ char *t = read_text(p);
	assert_string_equal(t, "# web container\n"
	                       "\n"
	                       "  # indented comment\n"
	                       "lxc.net.1.type = empty\n");
	/* removing a network's type but not its typed keys would leave a bad file */
	write_text(p, "lxc.net.0.type = veth\nlxc.net.0.veth.pair = v\n");
	nk_err *err = NULL;
	assert_int_equal(nk_lxc_file_unset(p, "lxc.net.0.type", &err), -EINVAL);
	assert_contains(err->msg, "unset.conf:1: lxc.net.0.veth.pair: not valid");
	nk_err_free(err);
	assert_int_equal(nk_lxc_file_unset(p, "lxc.net", NULL), 0);
	_cleanup_free_ char *t2 = read_text(p);
	assert_string_equal(t2, "");
	/* a bare open key removes its own settings only; lxc.hook keeps lxc.hook.version */
	write_text(p,
	           "lxc.cgroup.dir = x\nlxc.cgroup.devices.allow = a\nlxc.cgroup.cpu.shares = 2\n"
	           "lxc.cgroup2.memory.max = 1G\nlxc.hook.version = 1\nlxc.hook.start = /s\n"
	           "lxc.limit.nofile = 5\nlxc.prlimit.core = 0\nlxc.uts.name = u\n");
	assert_int_equal(nk_lxc_file_unset(p, "lxc.cgroup", NULL), 0);
	assert_int_equal(nk_lxc_file_unset(p, "lxc.hook", NULL), 0);
	assert_int_equal(nk_lxc_file_unset(p, "lxc.prlimit", NULL), 0);
	_cleanup_free_ char *t3 = read_text(p);
	assert_string_equal(t3, "lxc.cgroup.dir = x\nlxc.cgroup2.memory.max = 1G\n"
	                        "lxc.hook.version = 1\nlxc.uts.name = u\n");
}

static void test_file_update(void **state)
{
	_cleanup_free_ char *p = path_in(tmpdir, "legacy.conf");
	_cleanup_free_ char *orig = read_text(NK_TEST_DATA "/legacy.conf");
	write_text(p, orig);
	_cleanup_(nk_spec_freep) nk_spec *before = nk_spec_new();
	assert_int_equal(nk_lxc_parse_file(before, p, NULL), 0);
	int changed = -1;
	assert_int_equal(nk_lxc_file_update(p, true, &changed, NULL), 0);
	assert_int_equal(changed, 45);
	_cleanup_free_ char *backup = path_in(tmpdir, "legacy.conf.backup");
	_cleanup_free_ char *b = read_text(backup);
	assert_string_equal(b, orig);
	_cleanup_free_ char *t = read_text(p);
	assert_null(strstr(t, "lxc.network"));
	assert_null(strstr(t, "lxc.kmsg"));
	assert_null(strstr(t, "lxc.rootfs.backend"));
	assert_contains(t, "# A container config as LXC 2.x wrote it.\n");
	assert_contains(t,
	                "\n# Network configuration\nlxc.net.0.type = veth\nlxc.net.0.flags = up\n");
	assert_contains(t, "lxc.net.0.ipv4.address = 10.0.3.5/24 10.0.3.255\n");
	assert_contains(t, "lxc.net.0.ipv6.gateway = auto\n");
	assert_contains(t, "\nlxc.net.1.type = macvlan\nlxc.net.1.macvlan.mode = bridge\n");
	assert_contains(t, "lxc.net.2.vlan.id = 42\nlxc.net.2.link = eth2\n");
	assert_contains(t, "lxc.prlimit.nofile = 1024:4096\n");
	assert_contains(t, "lxc.idmap = g 0 100000 65536\n");
	/* the same container, and nothing left to update */
	capture_begin();
	_cleanup_(nk_spec_freep) nk_spec *after = nk_spec_new();
	assert_int_equal(nk_lxc_parse_file(after, p, NULL), 0);
	_cleanup_free_ char *warnings = capture_end();
	assert_string_equal(warnings, "");
	_cleanup_free_ char *d1 = dump(before);
	_cleanup_free_ char *d2 = dump(after);
	assert_string_equal(d1, d2);
	assert_int_equal(nk_lxc_file_update(p, false, &changed, NULL), 0);
	assert_int_equal(changed, 0);
}

static void test_file_update_after_include(void **state)
{
	/* The included file already defines lxc.net.0: the legacy block becomes lxc.net.1. */
	_cleanup_free_ char *inc = path_in(tmpdir, "net0.conf");
	_cleanup_free_ char *p = path_in(tmpdir, "mixed.conf");
	write_text(inc, "lxc.net.0.type = empty\n");
	write_text(p, "lxc.include = net0.conf\nlxc.network.type = veth\nlxc.network.link = br0\n");
	int changed = 0;
	assert_int_equal(nk_lxc_file_update(p, false, &changed, NULL), 0);
	assert_int_equal(changed, 2);
	_cleanup_free_ char *t = read_text(p);
	assert_string_equal(t, "lxc.include = net0.conf\nlxc.net.1.type = veth\n"
	                       "lxc.net.1.link = br0\n");
}

/* ---- group "system": real configurations ---- */

static void test_usr_share_lxc_config(void **state)
{
	const char *dir = "/usr/share/lxc/config";
	if (!nk_is_dir(dir))
		skip();
	_cleanup_closedir_ DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	size_t n = 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		_cleanup_free_ char *path = path_in(dir, de->d_name);
		_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
		nk_err *err = NULL;
		if (nk_lxc_parse_file(s, path, &err) < 0)
			fail_msg("%s", err->msg);
		assert_round_trip(s);
		n++;
	}
	assert_true(n > 10);
}

static void test_debian_legacy_config(void **state)
{
	if (!nk_path_exists("/usr/share/lxc/config/debian.common.conf"))
		skip();
	static const char text[] = "lxc.network.type = empty\n"
	                           "lxc.rootfs = /var/lib/lxc/DebianTestContainer/rootfs\n"
	                           "lxc.include = /usr/share/lxc/config/debian.common.conf\n"
	                           "lxc.mount = /var/lib/lxc/DebianTestContainer/fstab\n"
	                           "lxc.utsname = DebianTestContainer\n"
	                           "lxc.arch = amd64\n"
	                           "lxc.autodev = 1\n"
	                           "lxc.kmsg = 0\n";
	_cleanup_free_ char *p = path_in(tmpdir, "DebianTestContainer.config");
	write_text(p, text);
	_cleanup_(nk_spec_freep) nk_spec *s = nk_spec_new();
	nk_err *err = NULL;
	if (nk_lxc_parse_file(s, p, &err) < 0)
		fail_msg("%s", err->msg);
	assert_get(s, "lxc.net.0.type", "empty");
	assert_get(s, "lxc.rootfs.path", "/var/lib/lxc/DebianTestContainer/rootfs");
	assert_get(s, "lxc.uts.name", "DebianTestContainer");
	assert_get(s, "lxc.mount.fstab", "/var/lib/lxc/DebianTestContainer/fstab");
	assert_get(s, "lxc.arch", "amd64");
	assert_get(s, "lxc.autodev", "1");
	assert_get(s, "lxc.tty.dir", "");
	assert_get(s, "lxc.mount.auto", "proc:mixed sys:mixed cgroup:mixed");
	assert_contains(s->includes[0], "debian.common.conf");
	assert_round_trip(s);
}

/* ---- main ---- */

static int setup(void **state)
{
	nk_log_init("nook", NK_LOG_FATAL + 1, 1);
	strcpy(tmpdir, "/tmp/nook-test-lxc.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return nk_rm_rf(tmpdir, NULL);
}

#define GROUP(name, ...)                                                                           \
	{                                                                                          \
		name, (const struct CMUnitTest[]){__VA_ARGS__},                                    \
		    sizeof((const struct CMUnitTest[]){__VA_ARGS__}) / sizeof(struct CMUnitTest)   \
	}

int main(int argc, char **argv)
{
	const struct {
		const char *name;
		const struct CMUnitTest *tests;
		size_t n;
	} groups[] = {
	    GROUP("keys", cmocka_unit_test(test_every_key_parses),
	          cmocka_unit_test(test_every_sample_is_a_key),
	          cmocka_unit_test(test_docs_list_every_key), cmocka_unit_test(test_key_info)),
	    GROUP("values", cmocka_unit_test(test_lines), cmocka_unit_test(test_list_clearing),
	          cmocka_unit_test(test_cap_keep_none), cmocka_unit_test(test_prefix_keys),
	          cmocka_unit_test(test_networks), cmocka_unit_test(test_mount_auto),
	          cmocka_unit_test(test_signals), cmocka_unit_test(test_addresses),
	          cmocka_unit_test(test_idmap_prlimit), cmocka_unit_test(test_misc_values),
	          cmocka_unit_test(test_validate)),
	    GROUP("legacy", cmocka_unit_test(test_legacy_keys),
	          cmocka_unit_test(test_legacy_network_blocks),
	          cmocka_unit_test(test_legacy_ignored)),
	    GROUP("include", cmocka_unit_test(test_include_file_and_dir),
	          cmocka_unit_test(test_origins),
	          cmocka_unit_test(test_include_missing_dir_with_slash),
	          cmocka_unit_test(test_include_errors)),
	    GROUP("errors", cmocka_unit_test(test_errors)),
	    GROUP("dump", cmocka_unit_test(test_dump_round_trip_full),
	          cmocka_unit_test(test_dump_quoting), cmocka_unit_test(test_round_trip_legacy),
	          cmocka_unit_test(test_not_applied)),
	    GROUP("edit", cmocka_unit_test(test_file_set), cmocka_unit_test(test_file_unset),
	          cmocka_unit_test(test_file_update),
	          cmocka_unit_test(test_file_update_after_include)),
	    GROUP("system", cmocka_unit_test(test_usr_share_lxc_config),
	          cmocka_unit_test(test_debian_legacy_config)),
	};
	int failed = 0;
	bool ran = false;
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		if (argc > 1 && strcmp(argv[1], groups[i].name))
			continue;
		ran = true;
		failed += _cmocka_run_group_tests(groups[i].name, groups[i].tests, groups[i].n,
		                                  setup, teardown);
	}
	if (!ran) {
		fprintf(stderr, "test_lxc: no test group %s\n", argv[1]);
		return 2;
	}
	return failed ? 1 : 0;
}
