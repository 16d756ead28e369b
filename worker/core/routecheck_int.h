/*
 * Inside the routing check (routecheck.h): the three-valued match, the
 * condition helpers both core shapes use, and the per-core decisions.
 */
#ifndef V2S_ROUTECHECK_INT_H
#define V2S_ROUTECHECK_INT_H

#include <stddef.h>

#include <json-c/json.h>

#include "routecheck.h"

/* Does a condition hold for the connection?  Ordered: AND is the least,
 * OR the greatest. */
enum { RC_NO, RC_MAYBE, RC_YES };

/* The connection asked about: from inbound INBOUND ("" if untagged) to
 * target T, by address or (BY_NAME) by a host name resolving to it. */
struct rc_dest {
	const struct routecheck_target *t;
	const char *inbound;
	int by_name;
};

#define RC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RC_MAX(a, b) ((a) > (b) ? (a) : (b))

/* The member KEY of O if it has type T (any type for json_type_null:
 * then only presence counts), else NULL. */
json_object *rc_get(json_object *o, const char *key, json_type t);

/* 1 if V sets no condition: null, false, "", [] or {}. */
int rc_empty(json_object *v);

/*
 * Whether S is among V: a string (with COMMAS, a comma-separated list, as
 * v2fly's StringList) or an array of strings.  RC_MAYBE when V has another
 * shape.  ICASE compares ignoring ASCII case.
 */
int rc_str_in(json_object *v, const char *s, int commas, int icase);

/* Whether the CIDR or address S ("127.0.0.0/8", "::1") holds T; RC_MAYBE
 * if S does not parse. */
int rc_cidr(const char *s, const struct routecheck_target *t);

/*
 * Whether T is a private address.  GEOIP: the wide list of geoip:private
 * (reserved and special ranges too); else sing-box's ip_is_private
 * (loopback, link-local, RFC 1918, ULA, unspecified, multicast).
 */
int rc_private(const struct routecheck_target *t, int geoip);

/* Whether PORT is among V: a number, a string "53,443,1000-2000" (SEP
 * '-'), or for sing-box (SEP ':') "1000:2000", ":3000", "4000:"; or an
 * array of those.  RC_MAYBE if V does not parse. */
int rc_port_in(json_object *v, int port, char sep);

/* Appends the objects of the array V (with ONE, V itself if an object)
 * to the array *A of *N. */
void rc_collect(json_object *v, json_object ***a, size_t *n, int one);

/* When Xray/v2fly resolve a host name for routing. */
enum rc_strategy { RC_AS_IS, RC_IP_IF_NON_MATCH, RC_IP_ON_DEMAND };

/* An Xray/v2fly config, as routing sees it (pointers into its tree). */
struct rc_xray {
	json_object **rules; /* routing.rules, then routing.settings.rules */
	size_t nrules;
	json_object **outs; /* "outbound", "outboundDetour", "outbounds" */
	size_t nouts;
	enum rc_strategy strategy;
	const char *api_tag; /* the commander's tag, or NULL */
};

/* Fills X from the config ROOT; rc_xray_free() frees it. */
void rc_xray_init(struct rc_xray *x, json_object *root);
void rc_xray_free(struct rc_xray *x);

/*
 * The decision of the core for connection D (D->by_name is the
 * function's) by the routing X: 0 blocked, 1 passed by address, 2 passed
 * under a host name, with the reason in WHY ("routing rule 3 sends it to
 * outbound 'direct'").
 */
int rc_xray_decide(
    const struct rc_xray *x, struct rc_dest *d, char *why, size_t whysz);

/*
 * The decision of the core for connection D (D->t, D->inbound; D->by_name
 * is the function's) by the routing of the sing-box config ROOT whose
 * inbound is IN: 0 blocked, 1 passed by address, 2 passed under a host
 * name, with the reason in WHY ("route rule 3 sends it to outbound
 * 'direct'").
 */
int rc_singbox(json_object *root, json_object *in, struct rc_dest *d, char *why,
    size_t whysz);

#endif
