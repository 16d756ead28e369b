/*
 * The routing check (see routecheck.h): the addresses to protect, the walk
 * over every proxy inbound and target, and the file.  The routing of each
 * core is in routecheck_xray.c and routecheck_sb.c, the conditions both
 * share in routecheck_cond.c.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfile.h"
#include "routecheck.h"
#include "routecheck_int.h"

/* ------------------------------------------------------------ addresses */

/* Parses the address S into T (family, bytes, printed form). */
static int
addr_parse(const char *s, struct routecheck_target *t)
{
	if (inet_pton(AF_INET, s, t->addr) == 1)
		t->family = AF_INET;
	else if (inet_pton(AF_INET6, s, t->addr) == 1)
		t->family = AF_INET6;
	else
		return -1;
	inet_ntop(t->family, t->addr, t->host, sizeof(t->host));
	return 0;
}

/* Fills T for HOST (N bytes) and PORT: a wildcard or a name is loopback. */
static int
target_set(struct routecheck_target *t, const char *what, const char *host,
    size_t n, long port)
{
	static const unsigned char zero[16];
	char h[64];

	if (port < 1 || port > 65535 || n >= sizeof(h))
		return -1;
	memcpy(h, host, n);
	h[n] = '\0';
	memset(t, 0, sizeof(*t));
	snprintf(t->what, sizeof(t->what), "%s", what);
	t->port = (int)port;
	if (addr_parse(h, t) == -1)
		return addr_parse("127.0.0.1", t);
	if (memcmp(t->addr, zero, t->family == AF_INET ? 4 : 16) == 0)
		return addr_parse(
		    t->family == AF_INET ? "127.0.0.1" : "::1", t);
	return 0;
}

size_t
routecheck_targets(
    const struct cfg *cfg, struct routecheck_target t[ROUTECHECK_TARGETS_MAX])
{
	const char *a = cfg->core_api_address, *colon, *host;
	char *end;
	size_t n = 0, hl;
	long port;

	if (target_set(&t[n], "the API", cfg->listen_address,
		strlen(cfg->listen_address), cfg->listen_port) == 0)
		n++;
	/* host:port, or [v6]:port */
	if ((colon = strrchr(a, ':')) == NULL)
		return n;
	host = a;
	hl = (size_t)(colon - a);
	if (hl >= 2 && a[0] == '[' && a[hl - 1] == ']') {
		host++;
		hl -= 2;
	}
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0')
		return n;
	if (target_set(&t[n], "the core's API", host, hl, port) == 0 &&
	    (n == 0 || t[0].port != t[n].port ||
		strcmp(t[0].host, t[n].host) != 0))
		n++;
	return n;
}

/* ------------------------------------------------------------ the walk */

/*
 * The other address of T's service: a connection to 0.0.0.0 (or ::)
 * reaches a service on 127.0.0.1 (::1) too.  Returns 0 and A, or -1 if T
 * is not on loopback.
 */
static int
alias(const struct routecheck_target *t, struct routecheck_target *a)
{
	static const unsigned char v6lo[16] = { [15] = 1 };

	if (!(t->family == AF_INET && t->addr[0] == 127) &&
	    !(t->family == AF_INET6 && memcmp(t->addr, v6lo, 16) == 0))
		return -1;
	*a = *t;
	memset(a->addr, 0, sizeof(a->addr));
	inet_ntop(a->family, a->addr, a->host, sizeof(a->host));
	return 0;
}

/* The decision for inbound IN (D->inbound) and target T, through T's
 * loopback alias too; with the alias, its address in VIA. */
static int
decide(json_object *root, int singbox, const struct rc_xray *x, json_object *in,
    struct rc_dest *d, const struct routecheck_target *t, char *via,
    size_t viasz, char *why, size_t whysz)
{
	struct routecheck_target a;
	int how;

	via[0] = '\0';
	d->t = t;
	how = singbox ? rc_singbox(root, in, d, why, whysz)
		      : rc_xray_decide(x, d, why, whysz);
	if (how != 0 || alias(t, &a) == -1)
		return how;
	d->t = &a;
	how = singbox ? rc_singbox(root, in, d, why, whysz)
		      : rc_xray_decide(x, d, why, whysz);
	if (how != 0)
		snprintf(via, viasz, " as %s", a.host);
	return how;
}

size_t
routecheck_tree(json_object *root, enum core_type type,
    const struct routecheck_target *t, size_t nt, struct buf *out)
{
	struct rc_xray x;
	struct rc_dest d;
	json_object **ins = NULL;
	const char *tag;
	char why[600], via[64];
	size_t nins = 0, i, j, found = 0;
	int singbox = type == CORE_SINGBOX, how;

	rc_xray_init(&x, root);
	if (!singbox) {
		rc_collect(
		    rc_get(root, "inbound", json_type_null), &ins, &nins, 1);
		rc_collect(rc_get(root, "inboundDetour", json_type_null), &ins,
		    &nins, 0);
	}
	rc_collect(rc_get(root, "inbounds", json_type_null), &ins, &nins, 0);
	for (i = 0; i < nins; i++) {
		tag = jsonfile_str(ins[i], "tag");
		d.inbound = tag != NULL ? tag : "";
		/* The API inbound is the admin's, not a customer's. */
		if (!singbox && x.api_tag != NULL &&
		    strcmp(d.inbound, x.api_tag) == 0)
			continue;
		for (j = 0; j < nt; j++) {
			how = decide(root, singbox, &x, ins[i], &d, &t[j], via,
			    sizeof(via), why, sizeof(why));
			if (how == 0)
				continue;
			if (tag != NULL)
				buf_printf(out, "inbound '%s'", tag);
			else
				buf_printf(out, "inbound #%zu (no tag)", i + 1);
			buf_printf(out, " can reach %s%s%s:%d (%s)%s%s: %s\n",
			    t[j].family == AF_INET6 ? "[" : "", t[j].host,
			    t[j].family == AF_INET6 ? "]" : "", t[j].port,
			    t[j].what, via,
			    how == 2 ? " under a host name that resolves to "
				       "it, such as localhost"
				     : "",
			    why);
			found++;
		}
	}
	free(ins);
	rc_xray_free(&x);
	return found;
}

/* FNV-1a over S, continuing from H. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h ^ 0xff;
}

int
routecheck_file(const char *path, enum core_type type,
    const struct routecheck_target *t, size_t nt, struct buf *out, uint64_t *fp)
{
	static const char *const parts[] = { "routing", "route", "outbound",
		"outboundDetour", "outbounds", "api", NULL };
	json_object *root = NULL;
	char *text = NULL, err[512];
	size_t len, i, start = out->len;
	uint64_t h = 0xcbf29ce484222325ULL;
	int rc = -1;

	if (jsonfile_read(path, &text, &len, err, sizeof(err)) == -1 ||
	    (root = jsonfile_parse(path, text, len, err, sizeof(err))) ==
		NULL) {
		buf_puts(out, err);
		goto out;
	}
	rc = (int)routecheck_tree(root, type, t, nt, out);
	if (fp != NULL) {
		for (i = 0; parts[i] != NULL; i++)
			h = fnv(h,
			    json_object_to_json_string_ext(
				rc_get(root, parts[i], json_type_null),
				JSON_C_TO_STRING_PLAIN));
		*fp = fnv(h, buf_str(out) + start);
	}
out:
	if (root != NULL)
		json_object_put(root);
	free(text);
	return rc;
}
