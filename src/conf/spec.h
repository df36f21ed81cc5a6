/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * nk_spec: the one internal model of a container. Every front end (LXC config files, OCI
 * config.json, the CLI) fills it; every back end (start sequence, network, cgroups, seccomp)
 * reads only it. Fields are typed and already validated: a back end never re-parses a string
 * that a front end could have rejected.
 *
 * Unset is distinct from "set to the default": numbers and flags use NK_UNSET (-1), strings
 * NULL, lists zero length. The nk_spec_*() accessors at the end apply LXC's defaults, so a back
 * end asks the accessor, and a writer (nook config show) prints only what the user set.
 * The spec owns every string and array in it; nk_spec_free releases all of it.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "util/error.h"

#define NK_UNSET (-1)
/* Unset for signed numbers where -1 is a valid value (lxc.start.order). */
#define NK_UNSET_I64 INT64_MIN
/* console.size and console.buffer.size: the keyword "auto" (LXC: 128 KiB). */
#define NK_SIZE_AUTO (-2)
/* veth.vlan.id: the keyword "none" (leave the bridge's default untagged VLAN). */
#define NK_VLAN_NONE (-2)

typedef struct nk_kv {
	char *key;
	char *value;
} nk_kv;

/* An ordered list of key/value pairs (sysctl, proc, cgroup settings). */
typedef struct nk_kvlist {
	nk_kv *items;
	size_t n;
} nk_kvlist;

/* lxc.mount.auto: one choice per file system, as a bitmask. */
enum {
	NK_AUTO_PROC_MIXED = 1u << 0,
	NK_AUTO_PROC_RW = 1u << 1,
	NK_AUTO_PROC_MASK = NK_AUTO_PROC_MIXED | NK_AUTO_PROC_RW,
	NK_AUTO_SYS_MIXED = 1u << 2,
	NK_AUTO_SYS_RO = 1u << 3,
	NK_AUTO_SYS_RW = 1u << 4,
	NK_AUTO_SYS_MASK = NK_AUTO_SYS_MIXED | NK_AUTO_SYS_RO | NK_AUTO_SYS_RW,
	NK_AUTO_CGROUP_NOSPEC = 1u << 5, /* "cgroup": rw with CAP_SYS_ADMIN kept, else mixed */
	NK_AUTO_CGROUP_MIXED = 1u << 6,
	NK_AUTO_CGROUP_RO = 1u << 7,
	NK_AUTO_CGROUP_RW = 1u << 8,
	NK_AUTO_CGROUP_FULL_NOSPEC = 1u << 9,
	NK_AUTO_CGROUP_FULL_MIXED = 1u << 10,
	NK_AUTO_CGROUP_FULL_RO = 1u << 11,
	NK_AUTO_CGROUP_FULL_RW = 1u << 12,
	NK_AUTO_CGROUP_FORCE = 1u << 13, /* mount even when a cgroup namespace is in use */
	NK_AUTO_CGROUP_MASK = 0x3fe0,    /* bits 5..13: a later cgroup token replaces the former */
	NK_AUTO_SHMOUNTS = 1u << 14,     /* see mount.shmounts_host/_container */
};

enum nk_net_type {
	NK_NET_UNSET = 0, /* keys given for this index, but no type yet */
	NK_NET_EMPTY,
	NK_NET_NONE,
	NK_NET_VETH,
	NK_NET_MACVLAN,
	NK_NET_IPVLAN,
	NK_NET_VLAN,
	NK_NET_PHYS,
	NK_NET_TYPE_MAX,
};

enum nk_gateway_mode { NK_GW_UNSET = 0, NK_GW_ADDR, NK_GW_AUTO, NK_GW_DEV };
enum nk_veth_mode { NK_VETH_BRIDGE = 1, NK_VETH_ROUTER };
enum nk_macvlan_mode {
	NK_MACVLAN_PRIVATE = 1,
	NK_MACVLAN_VEPA,
	NK_MACVLAN_BRIDGE,
	NK_MACVLAN_PASSTHRU
};
enum nk_ipvlan_mode { NK_IPVLAN_L3 = 1, NK_IPVLAN_L3S, NK_IPVLAN_L2 };
enum nk_ipvlan_isolation { NK_IPVLAN_ISO_BRIDGE = 1, NK_IPVLAN_ISO_PRIVATE, NK_IPVLAN_ISO_VEPA };

typedef struct nk_inet4 {
	struct in_addr addr;
	unsigned prefix;
	bool has_bcast; /* broadcast given explicitly; else nk_inet4_broadcast() derives it */
	struct in_addr bcast;
} nk_inet4;

typedef struct nk_inet6 {
	struct in6_addr addr;
	unsigned prefix;
} nk_inet6;

/* One lxc.net.N. Type-specific fields are reset when the type changes. */
typedef struct nk_net {
	unsigned index;
	enum nk_net_type type;
	int up;       /* flags = up: 1; NK_UNSET */
	char *link;   /* host device or bridge; phys may end in '+' (every matching device) */
	char *name;   /* name inside the container */
	char *hwaddr; /* as written; 'x' digits are random (nk_hwaddr_randomize) */
	int64_t mtu;  /* NK_UNSET */
	int l2proxy;  /* 0/1/NK_UNSET */
	nk_inet4 *ipv4;
	size_t n_ipv4;
	enum nk_gateway_mode ipv4_gw_mode;
	struct in_addr ipv4_gw;
	nk_inet6 *ipv6;
	size_t n_ipv6;
	enum nk_gateway_mode ipv6_gw_mode;
	struct in6_addr ipv6_gw;
	char *script_up;
	char *script_down;
	/* veth */
	int veth_mode; /* enum nk_veth_mode or NK_UNSET */
	char *veth_pair;
	nk_inet4 *veth_ipv4_routes;
	size_t n_veth_ipv4_routes;
	nk_inet6 *veth_ipv6_routes;
	size_t n_veth_ipv6_routes;
	int veth_vlan_id; /* 0..4094, NK_VLAN_NONE or NK_UNSET */
	uint16_t *veth_vlan_tagged;
	size_t n_veth_vlan_tagged;
	int64_t veth_n_rxqueues;
	int64_t veth_n_txqueues;
	/* macvlan, ipvlan, vlan */
	int macvlan_mode;     /* enum nk_macvlan_mode or NK_UNSET */
	int ipvlan_mode;      /* enum nk_ipvlan_mode or NK_UNSET */
	int ipvlan_isolation; /* enum nk_ipvlan_isolation or NK_UNSET */
	int vlan_id;          /* 0..4094 or NK_UNSET */
} nk_net;

typedef struct nk_idmap {
	char kind; /* 'u' or 'g' */
	uint32_t nsid;
	uint32_t hostid;
	uint32_t range;
} nk_idmap;

typedef struct nk_prlimit {
	int resource; /* RLIMIT_* */
	rlim_t soft;  /* RLIM_INFINITY for "unlimited" */
	rlim_t hard;
} nk_prlimit;

enum nk_hook_type {
	NK_HOOK_PRE_START,
	NK_HOOK_PRE_MOUNT,
	NK_HOOK_MOUNT,
	NK_HOOK_AUTODEV,
	NK_HOOK_START,
	NK_HOOK_START_HOST,
	NK_HOOK_STOP,
	NK_HOOK_POST_STOP,
	NK_HOOK_CLONE,
	NK_HOOK_DESTROY,
	NK_HOOK_MAX,
};

/* Namespaces in /proc/PID/ns naming order. */
enum nk_ns {
	NK_NS_USER,
	NK_NS_MNT,
	NK_NS_PID,
	NK_NS_UTS,
	NK_NS_IPC,
	NK_NS_NET,
	NK_NS_CGROUP,
	NK_NS_TIME,
	NK_NS_MAX,
};

/* lxc.time.offset.*: a signed count of one unit, kept as written. */
typedef struct nk_time_offset {
	bool set;
	int64_t value;
	char unit[3]; /* "h", "m", "s", "ms", "us", "ns" */
} nk_time_offset;

typedef struct nk_spec {
	struct {
		char *path;    /* "dir:/x", "/x", "overlayfs:/lower:/upper", "loop:/f", ... */
		char *mount;   /* where the rootfs is bound before pivot_root */
		char *options; /* extra mount options, fstab syntax (idmap= included) */
		int managed;   /* 0/1/NK_UNSET */
	} rootfs;

	struct {
		char *fstab;         /* lxc.mount.fstab */
		char **entries;      /* lxc.mount.entry, raw fstab lines in order */
		unsigned auto_flags; /* NK_AUTO_* */
		char *shmounts_host;
		char *shmounts_container;
	} mount;

	char *uts_name;
	char *arch;
	int autodev;                /* 0/1/NK_UNSET */
	int64_t autodev_tmpfs_size; /* bytes; NK_UNSET */
	int64_t tty_max;
	int64_t pty_max;
	char *tty_dir;

	struct {
		char *path; /* "none" disables the console */
		char *logfile;
		int rotate;
		int64_t buffer_size; /* bytes, NK_SIZE_AUTO or NK_UNSET */
		int64_t size;
	} console;

	struct {
		char *cmd;
		char *execute_cmd; /* lxc.execute.cmd, for application containers */
		int64_t uid;
		int64_t gid;
		gid_t *groups; /* lxc.init.groups */
		size_t n_groups;
		char *cwd;
	} init;

	char **environment; /* "KEY=VALUE", or "KEY" to pass the caller's value through */
	int ephemeral;

	struct {
		int halt; /* signal numbers; NK_UNSET */
		int reboot;
		int stop;
	} signal;

	struct {
		int autostart; /* lxc.start.auto */
		int64_t delay;
		int64_t order; /* NK_UNSET_I64 */
	} start;
	char **groups; /* lxc.group */

	struct {
		int unshare;
		int signal_pdeath; /* 0 = none; NK_UNSET */
	} monitor;

	struct {
		int level; /* LXC levels 0 (trace) .. 8 (fatal); NK_UNSET */
		char *file;
		char *syslog; /* facility */
	} log;

	nk_kvlist sysctl;
	nk_kvlist proc;
	nk_prlimit *prlimits;
	size_t n_prlimits;

	struct {
		int clone; /* CLONE_NEW* mask; NK_UNSET */
		int keep;
		char *share[NK_NS_MAX]; /* container name, pid or path */
	} ns;

	nk_idmap *idmaps;
	size_t n_idmaps;

	struct {
		char **drop; /* capability names, lower case, no "cap_" */
		char **keep; /* "none" marks "keep nothing" (drop everything) */
	} cap;
	int no_new_privs;

	struct {
		char *profile;
		int allow_nesting;
		char *notify_proxy; /* "unix:/path" or "unix:@abstract" */
		char *notify_cookie;
	} seccomp;

	struct {
		char *profile;
		int allow_nesting;
		int allow_incomplete;
		char **raw;
	} apparmor;

	struct {
		char *context;
		char *context_keyring;
	} selinux;
	int keyring_session;
	int sched_core;
	nk_time_offset time_boot;
	nk_time_offset time_monotonic;

	char **hooks[NK_HOOK_MAX];
	int hook_version; /* 0/1/NK_UNSET */

	struct {
		nk_kvlist v1; /* "devices.allow" -> "c 1:3 rwm", in order, repeats kept */
		nk_kvlist v2;
		char *dir;
		char *dir_monitor;
		char *dir_monitor_pivot;
		char *dir_container;
		char *dir_container_inner;
		int relative;
	} cgroup;

	nk_net *nets; /* sorted by index; indexes may be sparse */
	size_t n_nets;

	char **includes;   /* every file read through lxc.include, in order */
	nk_kvlist origins; /* current key -> "FILE:LINE" of the line that set it last */
	char **ignored;    /* obsolete keys read and ignored ("lxc.kmsg"), for `config check` */
} nk_spec;

nk_spec *nk_spec_new(void);
void nk_spec_free(nk_spec *spec);
void nk_spec_freep(nk_spec **spec);

/*
 * Checks that need the whole spec, for the runtime to call before it touches the host (each
 * value was already checked when it was read): every network has a type, and the devices its
 * type needs; a gateway of "auto" has a link to take it from; lxc.cap.drop and lxc.cap.keep are
 * not both set; id maps come in u and g pairs without overlaps.
 */
int nk_spec_validate(const nk_spec *spec, nk_err **err);

/*
 * Where a key was last set, "FILE:LINE", for errors found later ("lxc.net.0.link: no bridge
 * lxcbr0 (/var/lib/nook/web/config:7)"); NULL when it was not read from a file. Keys are in
 * current syntax with canonical network indexes ("lxc.net.0.link", "lxc.cgroup2.memory.max").
 */
const char *nk_spec_origin(const nk_spec *spec, const char *key);

/* Network list: lookup by index, create in index order, remove. */
nk_net *nk_spec_net(const nk_spec *spec, unsigned index);
nk_net *nk_spec_net_add(nk_spec *spec, unsigned index);
void nk_spec_net_remove(nk_spec *spec, unsigned index);
void nk_spec_nets_clear(nk_spec *spec);
/* Resets the fields that only make sense for one network type (on a type change). */
void nk_net_clear_type_fields(nk_net *net);
void nk_net_clear(nk_net *net);

/* Ordered key/value lists. set replaces the first pair with key (in place) or appends. */
int nk_kvlist_add(nk_kvlist *l, const char *key, const char *value);
int nk_kvlist_set(nk_kvlist *l, const char *key, const char *value);
/* Removes every pair with key (all pairs when key is NULL). */
void nk_kvlist_remove(nk_kvlist *l, const char *key);
const char *nk_kvlist_get(const nk_kvlist *l, const char *key);

/*
 * Effective values with LXC's defaults applied, for the runtime.
 */
int nk_spec_halt_signal(const nk_spec *spec);              /* SIGPWR */
int nk_spec_reboot_signal(const nk_spec *spec);            /* SIGINT */
int nk_spec_stop_signal(const nk_spec *spec);              /* SIGKILL */
int nk_spec_pdeath_signal(const nk_spec *spec);            /* SIGKILL */
const char *nk_spec_init_cmd(const nk_spec *spec);         /* "/sbin/init" */
uid_t nk_spec_init_uid(const nk_spec *spec);               /* 0 */
gid_t nk_spec_init_gid(const nk_spec *spec);               /* 0 */
bool nk_spec_autodev(const nk_spec *spec);                 /* true */
uint64_t nk_spec_autodev_tmpfs_size(const nk_spec *spec);  /* 500000 bytes */
unsigned nk_spec_tty_max(const nk_spec *spec);             /* 0 */
unsigned nk_spec_pty_max(const nk_spec *spec);             /* 0: no limit given */
uint64_t nk_spec_console_buffer_size(const nk_spec *spec); /* 0 = no ring buffer; auto 128 KiB */
uint64_t nk_spec_console_size(const nk_spec *spec);        /* 0 = no limit; auto 128 KiB */
int nk_spec_log_level(const nk_spec *spec);                /* 5 (error) */
int nk_spec_hook_version(const nk_spec *spec);             /* 0 */
/* True when the capability (lower-case name without "cap_") is kept by cap.drop/cap.keep. */
bool nk_spec_cap_kept(const nk_spec *spec, const char *cap);
/* The broadcast address of an IPv4 address: the given one, else all host bits set. */
struct in_addr nk_inet4_broadcast(const nk_inet4 *a);
/* Fills each 'x'/'X' with a random digit; the first octet stays unicast, locally administered. */
void nk_hwaddr_randomize(char *hwaddr);
