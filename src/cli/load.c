/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a container's config for the runtime commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/lxc.h"
#include "store/store.h"
#include "run/lsm.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

int nk_cli_load_spec(nk_cli *cli, const char *file, char **sets, nk_spec **out, nk_err **err)
{
	int r = nk_name_validate(cli->name, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = file ? strdup(file) : nk_ct_config_path(cli->lxcpath, cli->name);
	if (!path)
		return nk_err_set(err, ENOMEM, "config");
	if (!file && !nk_path_exists(path))
		return nk_err_set(err, ENOENT, "%s: no such container in %s", cli->name, cli->lxcpath);
	_cleanup_(nk_spec_freep) nk_spec *spec = nk_spec_new();
	if (!spec)
		return nk_err_set(err, ENOMEM, "config");
	if ((r = nk_lxc_parse_file(spec, path, err)) < 0)
		return r;
	/* -s KEY=VALUE: as if the line were appended to the config, for this run only. */
	for (char **s = sets; s && *s; s++) {
		_cleanup_free_ char *kv = strdup(*s);
		char *eq = kv ? strchr(kv, '=') : NULL;
		if (!eq)
			return nk_err_set(err, EINVAL, "-s %s: expected KEY=VALUE", *s);
		*eq = '\0';
		if ((r = nk_lxc_set(spec, nk_strstrip(kv), nk_strstrip(eq + 1), err)) < 0)
			return nk_err_wrap(err, r, "-s %s", *s);
	}
	*out = TAKE_PTR(spec);
	return 0;
}

void nk_cli_warn_not_applied(const nk_spec *spec)
{
	_cleanup_strv_ char **keys = nk_lxc_not_applied(spec);
	for (char **k = keys; k && *k; k++)
		nk_warn("%s is not applied yet (see nook config check)", *k);
	nk_lsm_note(spec);
}
