/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The store's side of unprivileged containers: which ids a new container's root is, handing its
 * tree to those ids after the template, and removing a normal user's container, whose files
 * belong to subordinate ids the user can only reach from inside a user namespace.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/spec.h"
#include "util/error.h"

typedef struct nk_unpriv {
	nk_idmap *maps; /* the container's lxc.idmap; none: a privileged container */
	size_t n;
	bool from_config;  /* the config had them; nook wrote none */
	uint32_t root_uid; /* host ids of the container's root */
	uint32_t root_gid;
	bool appended; /* root:root_uid:65536 was appended to /etc/subuid and /etc/subgid */
	/* A normal user's: the maps plus the user's own uid and gid, at the ids below. */
	nk_idmap *ns_maps;
	size_t n_ns;
	uint32_t caller_uid;
	uint32_t caller_gid;
} nk_unpriv;

void nk_unpriv_done(nk_unpriv *u);

/* Takes the spec's lxc.idmap (none is fine); need_root: the container's root must be mapped. */
int nk_unpriv_from_spec(nk_unpriv *u, const nk_spec *spec, bool need_root, nk_err **err);
/*
 * Root: a range of root's in /etc/subuid and /etc/subgid that no container of lxcpath uses,
 * appended when there is none. The caller holds nk_subid_lock until the config naming the range
 * is written, so that the next create sees it taken.
 */
int nk_unpriv_allocate_root(nk_unpriv *u, const char *lxcpath, nk_err **err);
/* Takes back a range nk_unpriv_allocate_root appended; warns when it cannot. */
void nk_unpriv_release(nk_unpriv *u);
/* A normal user: the user's own ranges of /etc/subuid and /etc/subgid. */
int nk_unpriv_rootless(nk_unpriv *u, nk_err **err);
/* A normal user: ns_maps, the maps plus the user's own ids where the maps leave ids free. */
int nk_unpriv_add_caller(nk_unpriv *u, nk_err **err);

/*
 * After the template: root shifts the rootfs into the maps (src/util/shift.c); a normal user's
 * rootfs is the namespace root's already, and only its top is chowned (from inside). Either way
 * the container directory goes to the mapped root (group: the user's, for a normal user), so
 * that the container's root can reach its rootfs.
 */
int nk_unpriv_hand_over(const nk_unpriv *u, const char *ctdir, const char *rootfs, bool rootless,
                        nk_err **err);
/* A normal user: removes the trees (NULL entries skipped) from inside a user namespace. */
int nk_unpriv_remove(const nk_unpriv *u, const char *const *paths, size_t n, nk_err **err);

/* The lxc.idmap lines for the config, "lxc.idmap = u 0 BASE 65536\n..." (caller frees). */
char *nk_unpriv_config_lines(const nk_unpriv *u);
