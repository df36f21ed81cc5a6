/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "net/nft.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <json-c/json.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

/*
 * libnftables is opened on first use rather than linked: it brings libnftnl, libxtables,
 * libjansson and libgmp along, which every nook process would otherwise map at each exec
 * (start, attach and execute exec twice, the second time from the sealed copy), when only the
 * host side of `nook net` ever calls it. The header still gives each function's type.
 */
#define LIBNFTABLES "libnftables.so.1"

static struct {
	void *handle;
	typeof(nft_ctx_new) *nft_ctx_new;
	typeof(nft_ctx_free) *nft_ctx_free;
	typeof(nft_ctx_buffer_output) *nft_ctx_buffer_output;
	typeof(nft_ctx_buffer_error) *nft_ctx_buffer_error;
	typeof(nft_ctx_output_set_flags) *nft_ctx_output_set_flags;
	typeof(nft_run_cmd_from_buffer) *nft_run_cmd_from_buffer;
	typeof(nft_ctx_get_output_buffer) *nft_ctx_get_output_buffer;
	typeof(nft_ctx_get_error_buffer) *nft_ctx_get_error_buffer;
} nft;

static void *nft_sym(void *handle, const char *name, const char **missing)
{
	void *p = dlsym(handle, name);
	if (!p && !*missing)
		*missing = name;
	return p;
}

#define NFT_LOAD(h, f, missing) (nft.f = (typeof(nft.f))nft_sym(h, #f, missing))

static int nft_open(nk_err **err)
{
	if (nft.handle)
		return 0;
	void *h = dlopen(LIBNFTABLES, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return nk_err_set(err, ELIBACC, "nftables: %s", dlerror());
	const char *missing = NULL;
	NFT_LOAD(h, nft_ctx_new, &missing);
	NFT_LOAD(h, nft_ctx_free, &missing);
	NFT_LOAD(h, nft_ctx_buffer_output, &missing);
	NFT_LOAD(h, nft_ctx_buffer_error, &missing);
	NFT_LOAD(h, nft_ctx_output_set_flags, &missing);
	NFT_LOAD(h, nft_run_cmd_from_buffer, &missing);
	NFT_LOAD(h, nft_ctx_get_output_buffer, &missing);
	NFT_LOAD(h, nft_ctx_get_error_buffer, &missing);
	if (missing) {
		dlclose(h);
		return nk_err_set(err, ELIBBAD, "nftables: %s has no %s", LIBNFTABLES, missing);
	}
	nft.handle = h;
	return 0;
}

static void ctx_freep(struct nft_ctx **c)
{
	if (*c)
		nft.nft_ctx_free(*c);
}

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

/* libnftables' error text is several lines (the command, carets): the first one says it. */
static int nft_error(struct nft_ctx *ctx, nk_err **err, const char *what)
{
	const char *e = nft.nft_ctx_get_error_buffer(ctx);
	if (!e || !*e)
		return nk_err_set(err, EIO, "nftables: %s", what);
	if (strncmp(e, "Error: ", 7) == 0)
		e += 7;
	return nk_err_set(err, 0, "nftables: %s: %.*s", what, (int)strcspn(e, "\n"), e);
}

/*
 * Runs cmd with JSON output; JSON input is also taken when the buffer is JSON (libnftables
 * tries it first in JSON mode). Input goes in as JSON so that a network name never meets nft's
 * parser, where a name like "nat" or "1br" would be a keyword or a number. *out gets the parsed
 * output when asked for.
 */
static int nft_run(const char *cmd, json_object **out, nk_err **err, const char *what)
{
	int r = nft_open(err);
	if (r < 0)
		return r;
	_cleanup_(ctx_freep) struct nft_ctx *ctx = nft.nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx || nft.nft_ctx_buffer_output(ctx) < 0 || nft.nft_ctx_buffer_error(ctx) < 0)
		return nk_err_set(err, ENOMEM, "nftables: %s", what);
	nft.nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	if (nft.nft_run_cmd_from_buffer(ctx, cmd) != 0)
		return nft_error(ctx, err, what);
	if (!out)
		return 0;
	const char *text = nft.nft_ctx_get_output_buffer(ctx);
	*out = json_tokener_parse(text ? text : "");
	if (!*out)
		return nk_err_set(err, 0, "nftables: %s: unreadable JSON output", what);
	return 0;
}

int nk_nft_foreach(json_object *ruleset, const char *kind, int (*cb)(json_object *obj, void *data),
                   void *data)
{
	json_object *arr, *obj;
	if (!json_object_object_get_ex(ruleset, "nftables", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *item = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(item, kind, &obj))
			continue;
		int r = cb(obj, data);
		if (r)
			return r;
	}
	return 0;
}

int nk_nft_ruleset(json_object **out, nk_err **err)
{
	return nft_run("list ruleset", out, err, "list ruleset");
}

static const char *str_field(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static bool str_is(json_object *o, const char *key, const char *want)
{
	const char *v = str_field(o, key);
	return v && strcmp(v, want) == 0;
}

/* One family's part of the NAT transaction: table, chain (flushed, so a re-run refreshes it)
 * and the masquerade of the subnet's traffic leaving by any other device than the bridge. */
static int nat_cmds(char **out, const char *family, const char *name, const char *addr,
                    unsigned prefix)
{
	return asprintf(
	    out,
	    "{\"add\":{\"table\":{\"family\":\"%1$s\",\"name\":\"" NK_NFT_TABLE "\"}}},"
	    "{\"add\":{\"chain\":{\"family\":\"%1$s\",\"table\":\"" NK_NFT_TABLE "\","
	    "\"name\":\"%2$s\",\"type\":\"nat\",\"hook\":\"postrouting\",\"prio\":100,"
	    "\"policy\":\"accept\"}}},"
	    "{\"flush\":{\"chain\":{\"family\":\"%1$s\",\"table\":\"" NK_NFT_TABLE "\","
	    "\"name\":\"%2$s\"}}},"
	    "{\"add\":{\"rule\":{\"family\":\"%1$s\",\"table\":\"" NK_NFT_TABLE "\","
	    "\"chain\":\"%2$s\",\"comment\":\"nook net %2$s\",\"expr\":["
	    "{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"%1$s\","
	    "\"field\":\"saddr\"}},\"right\":{\"prefix\":{\"addr\":\"%3$s\",\"len\":%4$u}}}},"
	    "{\"match\":{\"op\":\"!=\",\"left\":{\"meta\":{\"key\":\"oifname\"}},"
	    "\"right\":\"%2$s\"}},{\"masquerade\":null}]}}}",
	    family, name, addr, prefix);
}

/* The network name is checked by nk_net_name_check and the addresses come from inet_ntop,
 * so nothing in the JSON needs escaping. */
int nk_nft_nat_add(const nk_net *n, nk_err **err)
{
	char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
	_cleanup_free_ char *v4 = NULL, *v6 = NULL, *cmd = NULL;
	inet_ntop(AF_INET, &n->subnet, a4, sizeof(a4));
	if (nat_cmds(&v4, "ip", n->name, a4, n->prefix) < 0)
		return nk_err_set(err, ENOMEM, "add masquerade for %s", n->name);
	if (n->has_ipv6) {
		inet_ntop(AF_INET6, &n->subnet6, a6, sizeof(a6));
		if (nat_cmds(&v6, "ip6", n->name, a6, n->prefix6) < 0)
			return nk_err_set(err, ENOMEM, "add masquerade for %s", n->name);
	}
	if (asprintf(&cmd, "{\"nftables\":[%s%s%s]}", v4, v6 ? "," : "", v6 ? v6 : "") < 0)
		return nk_err_set(err, ENOMEM, "add masquerade for %s", n->name);
	return nft_run(cmd, NULL, err, "add masquerade for network");
}

struct chain_scan {
	const char *name;
	bool found;
	size_t others; /* nook's chains of other networks */
};

static int scan_chain(json_object *chain, void *data)
{
	struct chain_scan *s = data;
	if (!str_is(chain, "table", NK_NFT_TABLE))
		return 0;
	if (str_is(chain, "name", s->name))
		s->found = true;
	else
		s->others++;
	return 0;
}

/* nook's table of one family, scanned for the network's chain; a missing table is no error
 * ("list ruleset FAMILY" lists nothing rather than failing). */
static int scan_family(const char *family, const char *name, struct chain_scan *s, nk_err **err)
{
	_cleanup_free_ char *cmd = NULL;
	_cleanup_(json_putp) json_object *rs = NULL;
	*s = (struct chain_scan){.name = name};
	if (asprintf(&cmd, "list ruleset %s", family) < 0)
		return nk_err_set(err, ENOMEM, "list ruleset %s", family);
	int r = nft_run(cmd, &rs, err, cmd);
	if (r == 0)
		nk_nft_foreach(rs, "chain", scan_chain, s);
	return r;
}

int nk_nft_nat_present(const char *name, const char *family, bool *present, nk_err **err)
{
	struct chain_scan s;
	int r = scan_family(family, name, &s, err);
	if (r == 0)
		*present = s.found;
	return r;
}

int nk_nft_nat_del(const char *name, nk_err **err)
{
	static const char *families[] = {"ip", "ip6"};
	char *parts[ARRAY_SIZE(families)] = {NULL, NULL};
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(families) && r == 0; i++) {
		struct chain_scan s;
		if ((r = scan_family(families[i], name, &s, err)) < 0 || !s.found)
			continue;
		/* The last chain takes nook's table with it: no empty table is left behind. */
		if (s.others == 0)
			r = asprintf(
			    &parts[i],
			    "{\"delete\":{\"table\":{\"family\":\"%s\",\"name\":\"" NK_NFT_TABLE
			    "\"}}}",
			    families[i]);
		else
			r = asprintf(
			    &parts[i],
			    "{\"delete\":{\"chain\":{\"family\":\"%s\",\"table\":\"" NK_NFT_TABLE
			    "\",\"name\":\"%s\"}}}",
			    families[i], name);
		r = r < 0 ? nk_err_set(err, ENOMEM, "remove masquerade of %s", name) : 0;
	}
	_cleanup_free_ char *cmd = NULL;
	if (r == 0 && (parts[0] || parts[1]) &&
	    asprintf(&cmd, "{\"nftables\":[%s%s%s]}", parts[0] ? parts[0] : "",
	             parts[0] && parts[1] ? "," : "", parts[1] ? parts[1] : "") < 0)
		r = nk_err_set(err, ENOMEM, "remove masquerade of %s", name);
	free(parts[0]);
	free(parts[1]);
	if (r == 0 && cmd)
		r = nft_run(cmd, NULL, err, "remove masquerade of network");
	return r;
}
