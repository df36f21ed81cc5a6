/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The container store: <lxcpath>/<name>/{config,rootfs,fstab}, runtime state under
 * NK_RUN_DIR/<lxcpath-hash>/<name>/, and a per-container lock that serialises commands.
 */
#include <stdbool.h>

#include "util/error.h"

#define NK_SYSTEM_LXCPATH "/var/lib/nook"
#define NK_SYSTEM_CONF "/etc/nook/default.conf"
#define NK_SYSTEM_RUN_DIR "/run/nook"
#define NK_LXC_LXCPATH "/var/lib/lxc"
#define NK_LXC_DEFAULT_CONF "/etc/lxc/default.conf"
#define NK_LXC_TEMPLATE_DIR "/usr/share/lxc/templates"

/*
 * Defaults that depend on who runs nook. Root: the system-wide paths above. A normal user
 * (rootless): lxcpath $XDG_DATA_HOME/nook (~/.local/share/nook), config
 * $XDG_CONFIG_HOME/nook/default.conf (~/.config/nook/default.conf), runtime directory
 * $XDG_RUNTIME_DIR/nook when that is the user's own directory, else /tmp/nook-UID.
 * Computed once; the strings live for the whole process.
 */
const char *nk_default_lxcpath(void);
const char *nk_default_conf(void);
const char *nk_run_base(void);
/*
 * For a normal user, the runtime directory must be the user's own and closed to others (0700):
 * /tmp/nook-UID could otherwise be made by someone else first. create=true makes it when it is
 * missing. Root's /run/nook is not checked. -ENOENT (err not filled) when it is missing.
 */
int nk_run_base_check(bool create, nk_err **err);
#define NK_DEFAULT_LXCPATH nk_default_lxcpath()
#define NK_DEFAULT_CONF nk_default_conf()
#define NK_RUN_DIR nk_run_base()

/* Names: 1..64 bytes of [A-Za-z0-9_.-], not "." or "..", not starting with '-' or '.'. */
int nk_name_validate(const char *name, nk_err **err);

char *nk_ct_dir(const char *lxcpath, const char *name);
char *nk_ct_config_path(const char *lxcpath, const char *name);
/* NK_RUN_DIR/<hash of the canonical lxcpath>/<name>: where sockets, pid and lock live. */
char *nk_ct_run_dir(const char *lxcpath, const char *name);
/* Removes the runtime directory's lock file and the directory, once nothing runs. */
void nk_ct_run_dir_remove(const char *lxcpath, const char *name);
bool nk_ct_exists(const char *lxcpath, const char *name);

/*
 * Takes the container's command lock (flock on <rundir>/lock). wait=false fails at once with
 * -EBUSY when another command holds it. Returns the lock fd; closing it releases the lock.
 */
int nk_ct_lock(const char *lxcpath, const char *name, bool wait, nk_err **err);

/* Names of the containers in lxcpath (directories holding a config), sorted. */
int nk_ct_list(const char *lxcpath, char ***names, nk_err **err);

typedef enum nk_ct_state {
	NK_STATE_STOPPED,
	NK_STATE_STARTING,
	NK_STATE_RUNNING,
	NK_STATE_STOPPING,
	NK_STATE_ABORTING,
	NK_STATE_FREEZING,
	NK_STATE_FROZEN,
	NK_STATE_THAWED,
} nk_ct_state;
const char *nk_ct_state_name(nk_ct_state s);
int nk_ct_state_parse(const char *s);
/*
 * The state as the runtime directory tells it. A container is running only while its monitor
 * holds the monitor lock; anything else is STOPPED, whatever stale files say.
 */
nk_ct_state nk_ct_get_state(const char *lxcpath, const char *name);

/* Blocks until no monitor holds the container's monitor lock. */
void nk_ct_wait_stopped(const char *lxcpath, const char *name);
/* True when the state file says the container ran but no monitor holds the lock. */
bool nk_ct_monitor_died(const char *lxcpath, const char *name);
/* Takes the monitor lock on fd (the monitor: write; waiters: read). */
int nk_monitor_lock(int fd, bool wait, bool write);

/* Where a template named NAME lives; NULL when none is found. */
char *nk_template_find(const char *name, bool lxc_first);

typedef struct nk_create_opts {
	const char *lxcpath;
	const char *name;
	const char *template;       /* name or absolute path; NULL creates an empty rootfs dir */
	const char *config_file;    /* -f */
	const char *default_conf;   /* merged first when it exists */
	const char *rootfs_dir;     /* --dir */
	char **template_args;       /* after "--" */
	bool quiet;                 /* hide the template's stdout */
	bool lxc_first;             /* look in LXC's template dir before nook's */
	bool unprivileged;          /* root: a user namespace with a range of /etc/subuid of its own */
} nk_create_opts;

/*
 * Creates a container; on any failure nothing it made is left behind (a subordinate id range
 * appended for it included).
 *
 * Unprivileged (o->unprivileged as root, always for a normal user, or whenever the config
 * already has lxc.idmap): root's container gets u/g 0 BASE 65536, BASE a range of root's in
 * /etc/subuid and /etc/subgid that no other container of the lxcpath uses (appended when there
 * is none); the template runs as host root with --mapped-uid/--mapped-gid BASE and the tree is
 * shifted after it (src/util/shift.c). A normal user's container gets the user's own ranges and
 * the template runs as root of a user namespace under them, so its files come out owned by the
 * mapped ids. Either way the container directory is handed to the mapped root.
 */
int nk_ct_create(const nk_create_opts *o, nk_err **err);
/*
 * Removes config, rootfs (without crossing mounts) and the container directory. A normal user's
 * container with lxc.idmap is removed from inside a user namespace under its maps, where the
 * subordinate ids that own its files are the user's to remove.
 */
int nk_ct_destroy(const char *lxcpath, const char *name, nk_err **err);
