#include "config.h"

/*
 * Reading the core's JSON config.  The file belongs to the admin and to the
 * core, not to us, so nothing in it is trusted: every member is looked up
 * with its type checked, and an entry that does not fit is skipped instead
 * of failing the load.  Only an unreadable file, a JSON syntax error or a
 * top level that is not an object fail.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cfg.h"
#include "corecfg.h"
#include "jsonfile.h"
#include "xmalloc.h"

/* Returns the member KEY of O if it has type T, else NULL. */
static json_object *
jget(json_object *o, const char *key, json_type t)
{
	json_object *m;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, t))
		return NULL;
	return m;
}

/*
 * The port in member KEY: a JSON integer, or a string of digits, in
 * 1..65535.  Anything else (a range "1000-2000", "env:PORT", a float) is 0.
 */
static int
jport(json_object *o, const char *key)
{
	json_object *m;
	const char *s;
	int64_t v;
	int n;

	if (!json_object_object_get_ex(o, key, &m))
		return 0;
	if (json_object_is_type(m, json_type_int)) {
		v = json_object_get_int64(m);
		return v >= 1 && v <= 65535 ? (int)v : 0;
	}
	if (!json_object_is_type(m, json_type_string))
		return 0;
	s = json_object_get_string(m);
	if (s == NULL || *s == '\0' || strlen(s) > 5)
		return 0;
	for (n = 0; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
	}
	return n >= 1 && n <= 65535 ? n : 0;
}

enum proto
proto_parse(const char *s)
{
	if (s == NULL)
		return PROTO_OTHER;
	if (strcasecmp(s, "vless") == 0)
		return PROTO_VLESS;
	if (strcasecmp(s, "vmess") == 0)
		return PROTO_VMESS;
	if (strcasecmp(s, "trojan") == 0)
		return PROTO_TROJAN;
	return PROTO_OTHER;
}

const char *
proto_name(enum proto p)
{
	switch (p) {
	case PROTO_VLESS:
		return "vless";
	case PROTO_VMESS:
		return "vmess";
	case PROTO_TROJAN:
		return "trojan";
	default:
		return "other";
	}
}

/*
 * Adds the users of array USERS to CC for inbound IN.  NAMEKEY is "email"
 * or "name", IDKEY "id" or "uuid" (trojan always uses "password").
 */
static void
add_users(struct corecfg *cc, struct core_inbound *in, json_object *users,
    const char *namekey, const char *idkey)
{
	struct core_client *c;
	json_object *u;
	const char *email, *cred, *flow;
	size_t i, n;
	int first;

	first = 1;
	n = json_object_array_length(users);
	/* Room for all at once: a config may list 100 000 users. */
	if (n > 0)
		cc->clients = xreallocarray(
		    cc->clients, cc->nclients + n, sizeof(*cc->clients));
	for (i = 0; i < n; i++) {
		u = json_object_array_get_idx(users, i);
		if (u == NULL || !json_object_is_type(u, json_type_object))
			continue;
		email = jsonfile_str(u, namekey);
		cred = jsonfile_str(
		    u, in->proto == PROTO_TROJAN ? "password" : idkey);
		if (email == NULL || cred == NULL)
			continue;
		flow = jsonfile_str(u, "flow");
		c = &cc->clients[cc->nclients++];
		c->email = xstrdup(email);
		c->credential = xstrdup(cred);
		c->inbound_tag = xstrdup(in->tag);
		c->proto = in->proto;
		c->flow = flow != NULL ? xstrdup(flow) : NULL;
		if (first && flow != NULL)
			in->flow = xstrdup(flow);
		first = 0;
	}
}

static void
load_inbounds(struct corecfg *cc, json_object *root, enum core_type type)
{
	struct core_inbound *in;
	json_object *arr, *o, *users;
	const char *tag, *proto;
	size_t i, n;
	int singbox;

	singbox = type == CORE_SINGBOX;
	if ((arr = jget(root, "inbounds", json_type_array)) == NULL)
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		if (o == NULL || !json_object_is_type(o, json_type_object))
			continue;
		tag = jsonfile_str(o, "tag");
		proto = jsonfile_str(o, singbox ? "type" : "protocol");
		cc->inbounds = xreallocarray(
		    cc->inbounds, cc->ninbounds + 1, sizeof(*cc->inbounds));
		in = &cc->inbounds[cc->ninbounds++];
		memset(in, 0, sizeof(*in));
		in->tag = xstrdup(tag != NULL ? tag : "");
		in->protocol = xstrdup(proto != NULL ? proto : "");
		in->proto = proto_parse(proto);
		in->port = jport(o, singbox ? "listen_port" : "port");
		if (in->proto == PROTO_OTHER)
			continue;
		if (singbox)
			users = jget(o, "users", json_type_array);
		else
			users = jget(jget(o, "settings", json_type_object),
			    "clients", json_type_array);
		if (users != NULL)
			add_users(cc, in, users, singbox ? "name" : "email",
			    singbox ? "uuid" : "id");
	}
}

static void
load_outbounds(struct corecfg *cc, json_object *root)
{
	json_object *arr;
	const char *tag;
	size_t i, n;

	if ((arr = jget(root, "outbounds", json_type_array)) == NULL)
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		if ((tag = jsonfile_str(
			 json_object_array_get_idx(arr, i), "tag")) == NULL)
			continue;
		cc->outbounds = xreallocarray(
		    cc->outbounds, cc->noutbounds + 1, sizeof(*cc->outbounds));
		cc->outbounds[cc->noutbounds++] = xstrdup(tag);
	}
}

int
corecfg_load(struct corecfg *cc, const char *path, enum core_type type,
    char *err, size_t errsz)
{
	json_object *root, *api;
	const char *tag;
	char *text;
	size_t len;
	int rc;

	memset(cc, 0, sizeof(*cc));
	if (errsz > 0)
		err[0] = '\0';
	root = NULL;
	text = NULL;
	rc = -1;
	if (jsonfile_read(path, &text, &len, err, errsz) == -1)
		goto out;
	if ((root = jsonfile_parse(path, text, len, err, errsz)) == NULL)
		goto out;
	load_inbounds(cc, root, type);
	load_outbounds(cc, root);
	corecfg_index(cc);
	if (type != CORE_SINGBOX &&
	    (api = jget(root, "api", json_type_object)) != NULL &&
	    (tag = jsonfile_str(api, "tag")) != NULL)
		cc->api_tag = xstrdup(tag);
	rc = 0;
out:
	if (root != NULL)
		json_object_put(root);
	free(text);
	return rc;
}

const struct core_inbound *
corecfg_inbound(const struct corecfg *cc, const char *tag)
{
	size_t i;

	if (tag == NULL)
		return NULL;
	for (i = 0; i < cc->ninbounds; i++)
		if (strcmp(cc->inbounds[i].tag, tag) == 0)
			return &cc->inbounds[i];
	return NULL;
}

void
corecfg_free(struct corecfg *cc)
{
	size_t i;

	for (i = 0; i < cc->ninbounds; i++) {
		free(cc->inbounds[i].tag);
		free(cc->inbounds[i].protocol);
		free(cc->inbounds[i].flow);
	}
	free(cc->inbounds);
	for (i = 0; i < cc->noutbounds; i++)
		free(cc->outbounds[i]);
	free(cc->outbounds);
	for (i = 0; i < cc->nclients; i++) {
		free(cc->clients[i].email);
		free(cc->clients[i].credential);
		free(cc->clients[i].inbound_tag);
		free(cc->clients[i].flow);
	}
	free(cc->clients);
	free(cc->api_tag);
	for (i = 0; i < cc->nindexed; i++) {
		free(cc->by_name[i].key);
		free(cc->by_cred[i].key);
	}
	free(cc->by_name);
	free(cc->by_cred);
	memset(cc, 0, sizeof(*cc));
}
