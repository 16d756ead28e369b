/*
 * Test helper: the comparison of two core configs apart from the managed
 * users (see corecmp.h).  Both trees are walked side by side; a context
 * says where in the config a value sits, which decides what is skipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cfg.h"
#include "corecfg.h"
#include "corecmp.h"
#include "coreparse.h"
#include "jsonfile.h"
#include "xmalloc.h"

/* Reads and parses PATH as corewrite_sync() does; NULL with ERR set. */
static json_object *
load_path(const char *path, char *err, size_t errsz)
{
	json_object *root;
	char *text;
	size_t len;

	root = NULL;
	if (jsonfile_read(path, &text, &len, err, errsz) == 0)
		root = coreparse_text(path, text, len, err, errsz);
	free(text);
	return root;
}

/* Where in a core config a value sits, as far as comparing cares. */
enum cmp_ctx {
	CTX_ANY,
	CTX_ROOT,
	CTX_INBOUNDS,
	CTX_INBOUND,
	CTX_SETTINGS,
	CTX_EXP,
	CTX_V2API,
	CTX_STATS,
};

struct cmp {
	int singbox;
	char path[512];
	size_t plen;
	char *err;
	size_t errsz;
};

static int cmp_value(
    struct cmp *c, json_object *a, json_object *b, enum cmp_ctx ctx);

static void
path_push(struct cmp *c, size_t *saved, const char *key, size_t idx)
{
	*saved = c->plen;
	if (c->plen >= sizeof(c->path) - 1)
		return;
	if (key != NULL)
		snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "%s%s",
		    c->plen > 0 ? "." : "", key);
	else
		snprintf(
		    c->path + c->plen, sizeof(c->path) - c->plen, "[%zu]", idx);
	c->plen = strlen(c->path);
}

static void
path_pop(struct cmp *c, size_t saved)
{
	c->plen = saved;
	c->path[saved] = '\0';
}

static int
differ(struct cmp *c, const char *what)
{
	snprintf(c->err, c->errsz, "%s: %s",
	    c->plen > 0 ? c->path : "(top level)", what);
	return 1;
}

/* Whether O is an object holding nothing but "clients". */
static int
only_clients(json_object *o)
{
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return 0;
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (strcmp(key, "clients") != 0)
			return 0;
	}
	return 1;
}

/* Whether member KEY of object O (whose peer is OTHER) is left out. */
static int
skipped(const struct cmp *c, enum cmp_ctx ctx, int managed, const char *key,
    json_object *val, json_object *other)
{
	switch (ctx) {
	case CTX_INBOUND:
		if (!managed)
			return 0;
		if (c->singbox)
			return strcmp(key, "users") == 0;
		return strcmp(key, "settings") == 0 && only_clients(val) &&
		    !json_object_object_get_ex(other, "settings", NULL);
	case CTX_SETTINGS:
		return strcmp(key, "clients") == 0;
	case CTX_STATS:
		return strcmp(key, "users") == 0;
	default:
		return 0;
	}
}

static enum cmp_ctx
child_ctx(const struct cmp *c, enum cmp_ctx ctx, int managed, const char *key)
{
	if (ctx == CTX_ROOT && strcmp(key, "inbounds") == 0)
		return CTX_INBOUNDS;
	if (ctx == CTX_INBOUND && managed && !c->singbox &&
	    strcmp(key, "settings") == 0)
		return CTX_SETTINGS;
	if (c->singbox && ctx == CTX_ROOT && strcmp(key, "experimental") == 0)
		return CTX_EXP;
	if (ctx == CTX_EXP && strcmp(key, "v2ray_api") == 0)
		return CTX_V2API;
	if (ctx == CTX_V2API && strcmp(key, "stats") == 0)
		return CTX_STATS;
	return CTX_ANY;
}

/* The keys of O that count, in order; *N of them (caller frees). */
static const char **
kept_keys(const struct cmp *c, json_object *o, json_object *other,
    enum cmp_ctx ctx, int managed, size_t *n)
{
	const char **k;
	size_t i;

	k = xcalloc((size_t)json_object_object_length(o) + 1, sizeof(*k));
	i = 0;
	json_object_object_foreach(o, key, val)
	{
		if (!skipped(c, ctx, managed, key, val, other))
			k[i++] = key;
	}
	*n = i;
	return k;
}

static int
has_key(const char **k, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(k[i], key) == 0)
			return 1;
	return 0;
}

static int
cmp_object(struct cmp *c, json_object *a, json_object *b, enum cmp_ctx ctx)
{
	const char **ka, **kb;
	json_object *va, *vb;
	size_t na, nb, i, saved;
	int managed, rc;

	managed =
	    ctx == CTX_INBOUND && coreparse_proto(a, c->singbox) != PROTO_OTHER;
	ka = kept_keys(c, a, b, ctx, managed, &na);
	kb = kept_keys(c, b, a, ctx, managed, &nb);
	rc = 0;
	for (i = 0; i < na && rc == 0; i++) {
		if (!has_key(kb, nb, ka[i])) {
			path_push(c, &saved, ka[i], 0);
			rc = differ(c, "missing in B");
			path_pop(c, saved);
		}
	}
	for (i = 0; i < nb && rc == 0; i++) {
		if (!has_key(ka, na, kb[i])) {
			path_push(c, &saved, kb[i], 0);
			rc = differ(c, "missing in A");
			path_pop(c, saved);
		}
	}
	for (i = 0; i < na && rc == 0; i++)
		if (strcmp(ka[i], kb[i]) != 0)
			rc = differ(c, "the keys are in another order");
	for (i = 0; i < na && rc == 0; i++) {
		(void)json_object_object_get_ex(a, ka[i], &va);
		(void)json_object_object_get_ex(b, ka[i], &vb);
		path_push(c, &saved, ka[i], 0);
		rc = cmp_value(c, va, vb, child_ctx(c, ctx, managed, ka[i]));
		path_pop(c, saved);
	}
	free(ka);
	free(kb);
	return rc;
}

static int
cmp_value(struct cmp *c, json_object *a, json_object *b, enum cmp_ctx ctx)
{
	size_t i, n, saved;
	int rc;

	if (json_object_get_type(a) != json_object_get_type(b))
		return differ(c, "the types differ");
	switch (json_object_get_type(a)) {
	case json_type_null:
		return 0;
	case json_type_boolean:
		if (json_object_get_boolean(a) != json_object_get_boolean(b))
			return differ(c, "the values differ");
		return 0;
	case json_type_int:
	case json_type_double:
		if (strcmp(json_object_to_json_string_ext(
			       a, JSON_C_TO_STRING_PLAIN),
			json_object_to_json_string_ext(
			    b, JSON_C_TO_STRING_PLAIN)) != 0)
			return differ(c, "the numbers differ");
		return 0;
	case json_type_string:
		if (json_object_get_string_len(a) !=
			json_object_get_string_len(b) ||
		    memcmp(json_object_get_string(a), json_object_get_string(b),
			(size_t)json_object_get_string_len(a)) != 0)
			return differ(c, "the strings differ");
		return 0;
	case json_type_array:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return differ(c, "the arrays differ in length");
		for (i = 0, rc = 0; i < n && rc == 0; i++) {
			path_push(c, &saved, NULL, i);
			rc = cmp_value(c, json_object_array_get_idx(a, i),
			    json_object_array_get_idx(b, i),
			    ctx == CTX_INBOUNDS ? CTX_INBOUND : CTX_ANY);
			path_pop(c, saved);
		}
		return rc;
	case json_type_object:
		return cmp_object(c, a, b, ctx);
	}
	return differ(c, "unknown type");
}

int
corecmp_files(
    const char *a, const char *b, enum core_type type, char *err, size_t errsz)
{
	struct cmp c;
	json_object *ra, *rb;
	int rc;

	if (errsz > 0)
		err[0] = '\0';
	rc = -1;
	rb = NULL;
	if ((ra = load_path(a, err, errsz)) == NULL)
		goto out;
	if ((rb = load_path(b, err, errsz)) == NULL)
		goto out;
	memset(&c, 0, sizeof(c));
	c.singbox = type == CORE_SINGBOX;
	c.err = err;
	c.errsz = errsz;
	rc = cmp_value(&c, ra, rb, CTX_ROOT);
out:
	if (ra != NULL)
		json_object_put(ra);
	if (rb != NULL)
		json_object_put(rb);
	return rc;
}
