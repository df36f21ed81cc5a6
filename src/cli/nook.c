/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nook: dispatch to one command per file; lxc-* names reach the same commands (multi-call). */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "monitor/monitor.h"
#include "net/container.h"
#include "nk_config.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/proctitle.h"
#include "util/selfexec.h"

const nk_cmd nk_commands[] = {
	{ "create", nk_cmd_create, "Create a container from a template",
	  "  -t, --template T       template name (nook-T, then LXC's lxc-T) or path\n"
	  "  -f, --config FILE      config merged into the new container's config\n"
	  "      --dir PATH         put the rootfs at PATH instead of LXCPATH/NAME/rootfs\n"
	  "  -B, --bdev TYPE        backing store: only 'dir' for now\n"
	  "      --unprivileged     in a user namespace: a free range of root's /etc/subuid\n"
	  "                         (always so for a normal user, with its own ranges)\n"
	  "  -- ARGS                passed to the template\n" },
	{ "destroy", nk_cmd_destroy, "Destroy a container: its config, rootfs and directory",
	  "  -f, --force            stop it first when it is running\n" },
	{ "ls", nk_cmd_ls, "List containers",
	  "  -f, --fancy            a table: NAME STATE AUTOSTART GROUPS IPV4 IPV6\n"
	  "  -1, --line             one name per line\n"
	  "      --running          only running containers (also --active)\n"
	  "      --stopped          only stopped containers\n"
	  "      --format FMT       table or json\n" },
	{ "info", nk_cmd_info, "Show a container's state, PID, and resource use",
	  "  -s, --state            the state only\n"
	  "  -p, --pid              the PID only\n"
	  "  -i, --ips              the addresses only\n"
	  "  -H, --no-humanize      raw values\n"
	  "      --format FMT       table or json\n" },
	{ "config", nk_cmd_config, "Show, query or edit a container's config",
	  "  show                   the effective config (includes expanded, legacy keys translated)\n"
	  "  get KEY                one key's value\n"
	  "  set KEY VALUE          set KEY in the config file, keeping comments and order\n"
	  "  unset KEY              remove KEY from the config file\n"
	  "  check                  parse it and list keys nook does not apply yet\n"
	  "  keys                   every key nook knows\n"
	  "  -c, --file FILE        work on FILE instead of the container's config\n" },
	{ "update-config", nk_cmd_update_config, "Rewrite a config file's legacy keys as current ones",
	  "  -c, --config FILE      the file to rewrite (required)\n"
	  "  -b, --no-backup        do not keep FILE.backup\n" },
	{ "start", nk_cmd_start, "Start a container under a monitor",
	  "  -d, --daemon           in the background, once RUNNING (the default)\n"
	  "  -F, --foreground       in the foreground, the console on this terminal\n"
	  "  -f, --rcfile FILE      use FILE as the config\n"
	  "  -s, --define KEY=VAL   set a config key for this run\n"
	  "  -p, --pidfile FILE     write init's pid to FILE\n"
	  "  -- CMD                 run CMD as init instead of lxc.init.cmd\n" },
	{ "stop", nk_cmd_stop, "Stop a container: halt signal, then SIGKILL after the timeout",
	  "  -t, --timeout SECONDS  wait this long before killing (default 60, -1 forever)\n"
	  "  -k, --kill             kill at once\n"
	  "  -r, --reboot           reboot it instead\n"
	  "      --nokill           never kill; fail after the timeout\n"
	  "  -W, --nowait           ask and return at once\n" },
	{ "console", nk_cmd_console, "Attach to a tty of a running container",
	  "  -t, --tty N            the tty (0 is the console; default: the first free one)\n"
	  "  -e, --escape C         the escape key: Ctrl+C then q detaches (default a)\n" },
	{ "console-log", nk_cmd_console_log, "Print the console's recent output",
	  "  -c, --clear            clear the buffer after printing it\n" },
	{ "attach", nk_cmd_attach, "Run a command inside a running container",
	  "      --clear-env        start from an empty environment\n"
	  "  -v, --set-var VAR=VAL  set a variable (repeatable)\n"
	  "  -u, --uid UID          run as UID\n"
	  "  -g, --gid GID          run as GID\n"
	  "      --cwd DIR          start in DIR (default /)\n"
	  "  -s, --namespaces NS    enter only these: MOUNT|PID|UTSNAME|IPC|NETWORK|CGROUP\n"
	  "  -e, --elevated-privileges  keep the capabilities the config drops\n"
	  "      --no-pty           never allocate a pty\n"
	  "  -- CMD                 the command (default: the root user's shell)\n" },
	{ "execute", nk_cmd_execute, "Run a command as an application container, in the foreground",
	  "  -f, --rcfile FILE      use FILE as the config\n"
	  "  -s, --define KEY=VAL   set a config key for this run\n"
	  "  -- CMD                 the command, run under nook-init as PID 1\n" },
	{ "wait", nk_cmd_wait, "Wait for a container to reach a state",
	  "  -s, --state STATES     e.g. RUNNING or 'STOPPED|FROZEN'\n"
	  "  -t, --timeout SECONDS  give up (exit 1) after this long\n" },
	{ "freeze", nk_cmd_freeze, "Freeze every process of a container", NULL },
	{ "unfreeze", nk_cmd_unfreeze, "Thaw a frozen container", NULL },
	{ "cgroup", nk_cmd_cgroup, "Read or write a cgroup file of a running container",
	  "  KEY [VALUE]            e.g. memory.limit_in_bytes 512M\n" },
	{ "net", nk_cmd_net, "Manage host networks: bridges with NAT and DHCP, uplinks, diagnosis",
	  "  create NAME [--subnet CIDR] [--nat] [--dhcp START,END] [--ipv6 CIDR]\n"
	  "                         a bridge with the subnet's first host as its gateway\n"
	  "  create --default       nookbr0: 10.0.3.0/24, NAT, DHCP; new containers join it\n"
	  "  ls [--format json]     NAME BRIDGE SUBNET NAT DHCP STATE\n"
	  "  rm NAME [-f|--force]   DHCP, NAT and the bridge nook made (--force: with ports)\n"
	  "  up [NAME...]           bring defined networks (re)up, e.g. at boot; idempotent\n"
	  "  attach-uplink BRIDGE IFACE  enslave IFACE, moving its addresses and routes\n"
	  "  detach-uplink BRIDGE IFACE  move them back to IFACE and release it\n"
	  "  doctor [BRIDGE]        find what breaks container networking (exit 1 if found)\n" },
	{ NULL, NULL, NULL, NULL },
};

const nk_cmd *nk_cmd_find(const char *name)
{
	for (const nk_cmd *c = nk_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void main_help(void)
{
	printf("Usage: nook COMMAND [OPTIONS]\n"
	       "A manager for Linux system containers, compatible with LXC's configs and templates.\n\n"
	       "Commands:\n");
	for (const nk_cmd *c = nk_commands; c->name; c++)
		printf("  %-14s %s\n", c->name, c->summary);
	printf("\nRun 'nook COMMAND --help' for a command's options.\n");
}

/*
 * Commands whose process (or a fork of it) becomes part of a container run from a sealed copy
 * of this binary, so the container's root cannot rewrite the host's nook through
 * /proc/PID/exe (CVE-2019-5736): attach's helper and command; start's and execute's child,
 * which is the container's PID 1 until it execs init (an init of "#!/proc/self/exe" would run
 * nook itself as PID 1, with the container's ld.so); and the monitor, which a reboot
 * re-executes from the same copy.
 */
static int seal_if_needed(const char *cmd, char **argv)
{
	static const char *entering[] = { "attach", "start", "execute" };
	for (size_t i = 0; i < ARRAY_SIZE(entering); i++)
		if (strcmp(cmd, entering[i]) == 0) {
			int r = nk_selfexec_sealed(argv);
			if (r < 0)
				fprintf(stderr, "nook: cannot run from a sealed copy of itself: %s\n", strerror(-r));
			return r;
		}
	return 0;
}

static int run_cmd(nk_cli *cli, const nk_cmd *c, int argc, char **argv)
{
	/* $NOOK_DEFAULT_CONF replaces the default config ("" for none): tests stay independent
	 * of what the host's default network is. */
	const char *defconf = getenv("NOOK_DEFAULT_CONF");
	if (defconf)
		cli->default_conf = *defconf ? defconf : NULL;
	cli->cmd = c->name;
	cli->cmdinfo = c;
	optind = 1;
	opterr = 1;
	int r = c->run(cli, argc, argv);
	return r == NK_EXIT_HELP ? 0 : r;
}

int main(int argc, char **argv)
{
	nk_cli cli = { .prog = "nook", .lxcpath = NK_DEFAULT_LXCPATH,
		       .default_conf = NK_DEFAULT_CONF, .loglevel = -1, .exec_argv = argv };
	/* A copy: argv's memory becomes the monitor's title. */
	static char base[256];
	snprintf(base, sizeof(base), "%s", basename(argv[0]));
	nk_proctitle_init(argc, argv);

	nk_log_init("nook", NK_LOG_WARN, 0);

	const char *compat = nk_lxc_compat_command(base);
	if (compat) {
		cli.prog = base;
		cli.compat = true;
		cli.lxcpath = NK_LXC_LXCPATH;
		cli.default_conf = NK_LXC_DEFAULT_CONF;
		nk_log_init(base, NK_LOG_WARN, 0);
		if (strcmp(compat, "lxc-config") == 0) {
			static const nk_cmd lc = { "lxc-config", nk_cmd_lxc_config,
						   "Query LXC's system configuration",
						   "  -l                     list the keys\n" };
			return run_cmd(&cli, &lc, argc, argv);
		}
		if (seal_if_needed(compat, argv) < 0)
			return 1;
		return run_cmd(&cli, nk_cmd_find(compat), argc, argv);
	}

	if (argc < 2) {
		main_help();
		return 2;
	}
	/* nook-monitor hands a rebooted container back to us to start it again (handoff.c). */
	if (strcmp(argv[1], "__monitor-respawn") == 0 && getenv("NOOK_MONITOR_STATE"))
		return nk_monitor_respawn();
	/* A stopped container's monitor gives lent NICs their names back through us, and has
	 * what else its networks left on the host undone (net/container_stop.c). */
	if (strcmp(argv[1], "__net-restore") == 0 && argc > 2) {
		_cleanup_err_ nk_err *err = NULL;
		if (nk_netc_restore_phys(atoi(argv[2]), argv + 3, &err) < 0) {
			_cleanup_free_ char *t = nk_err_text(err);
			fprintf(stderr, "nook: restore network devices: %s\n", t);
			return 1;
		}
		return 0;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		main_help();
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("nook %s\n", NK_VERSION);
		return 0;
	}
	const nk_cmd *c = nk_cmd_find(argv[1]);
	if (!c) {
		fprintf(stderr, "nook: unknown command '%s'\nTry 'nook --help'.\n", argv[1]);
		return 2;
	}
	if (seal_if_needed(c->name, argv) < 0)
		return 1;
	return run_cmd(&cli, c, argc - 1, argv + 1);
}
