/*
 * The routing check for sing-box (see routecheck.h): "route.rules" in
 * order, where the destination conditions (domain..., ip_cidr,
 * ip_is_private, geoip, rule_set) hold if any of them does, the port
 * conditions likewise, and every other condition must hold too.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "jsonfile.h"
#include "routecheck_int.h"

/* What a rule does with a connection it matches. */
enum { SB_PASS, SB_BLOCK, SB_NEXT, SB_RESOLVE };

/* Members that name what a rule does, not what it matches. */
static const char *const not_conditions[] = { "type", "invert", "outbound",
	"action", "method", "no_drop", "sniffer", "timeout", "strategy",
	"server", "disable_cache", "disable_optimistic_cache", "rewrite_ttl",
	"client_subnet", "override_address", "override_port",
	"network_strategy", "fallback_network_type", "fallback_delay",
	"udp_disable_domain_unmapping", "udp_connect", "udp_timeout",
	"tls_fragment", "tls_fragment_fallback_delay", "tls_record_fragment",
	"tls_spoof", "tls_spoof_method", "rule_set_ip_cidr_match_source",
	"rule_set_ipcidr_match_source", NULL };

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Whether the ip_cidr list V holds T. */
static int
cidrs(json_object *v, const struct routecheck_target *t)
{
	json_object *e;
	size_t i, n;
	int m = RC_NO;

	if (json_object_is_type(v, json_type_string))
		return rc_cidr(json_object_get_string(v), t);
	if (!json_object_is_type(v, json_type_array))
		return RC_MAYBE;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		m = RC_MAX(m,
		    json_object_is_type(e, json_type_string)
			? rc_cidr(json_object_get_string(e), t)
			: RC_MAYBE);
	}
	return m;
}

/* Whether the geoip list V holds T (a private address is in no country). */
static int
geoip(json_object *v, const struct routecheck_target *t)
{
	int priv = rc_private(t, 1) == RC_YES;

	if (rc_str_in(v, "private", 0, 1) == RC_YES)
		return priv ? RC_YES : RC_NO;
	return priv ? RC_NO : RC_MAYBE;
}

/* Whether rule R matches D. */
static int
match(json_object *r, const struct rc_dest *d)
{
	const struct routecheck_target *t = d->t;
	json_object *inv = rc_get(r, "invert", json_type_boolean);
	const char *type = jsonfile_str(r, "type");
	int m = RC_YES, addr = -1, port = -1, c;

	/* Not worth deciding: neither blocks nor passes for sure. */
	if ((type != NULL && strcmp(type, "logical") == 0) ||
	    (inv != NULL && json_object_get_boolean(inv)))
		return RC_MAYBE;
	json_object_object_foreach(r, key, val)
	{
		if (in_list(not_conditions, key) || rc_empty(val))
			continue;
		c = RC_YES;
		if (strcmp(key, "inbound") == 0)
			c = d->inbound[0] == '\0'
			    ? RC_NO
			    : rc_str_in(val, d->inbound, 0, 0);
		else if (strcmp(key, "ip_version") == 0)
			c = json_object_get_int(val) ==
				(t->family == AF_INET ? 4 : 6)
			    ? RC_YES
			    : RC_NO;
		else if (strcmp(key, "network") == 0)
			c = rc_str_in(val, "tcp", 0, 1);
		else if (strncmp(key, "domain", 6) == 0 ||
		    strcmp(key, "geosite") == 0)
			addr = RC_MAX(addr, RC_NO);
		else if (strcmp(key, "ip_cidr") == 0)
			addr = RC_MAX(addr, d->by_name ? RC_NO : cidrs(val, t));
		else if (strcmp(key, "ip_is_private") == 0)
			addr =
			    RC_MAX(addr, d->by_name ? RC_NO : rc_private(t, 0));
		else if (strcmp(key, "geoip") == 0)
			addr = RC_MAX(addr, d->by_name ? RC_NO : geoip(val, t));
		else if (strcmp(key, "rule_set") == 0)
			addr = RC_MAX(addr, RC_MAYBE);
		else if (strcmp(key, "port") == 0 ||
		    strcmp(key, "port_range") == 0)
			port = RC_MAX(port, rc_port_in(val, t->port, ':'));
		else
			c = RC_MAYBE; /* source, user, protocol... */
		m = RC_MIN(m, c);
	}
	if (addr >= 0)
		m = RC_MIN(m, addr);
	if (port >= 0)
		m = RC_MIN(m, port);
	return m;
}

/* Whether the outbound tagged TAG (the first one if NULL) blocks; its
 * name in NAME. */
static int
outbound(json_object *root, const char *tag, char *name, size_t namesz)
{
	json_object *outs = rc_get(root, "outbounds", json_type_array), *o;
	const char *t, *type;
	size_t i, n = outs != NULL ? json_object_array_length(outs) : 0;

	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(outs, i);
		t = jsonfile_str(o, "tag");
		if (tag != NULL && (t == NULL || strcmp(t, tag) != 0))
			continue;
		type = jsonfile_str(o, "type");
		snprintf(name, namesz, "outbound '%s'", t != NULL ? t : "");
		return type != NULL && strcmp(type, "block") == 0;
	}
	if (tag != NULL)
		snprintf(name, namesz, "outbound '%s' (not found)", tag);
	else
		snprintf(name, namesz, "the default outbound 'direct'");
	return 0;
}

/* What rule R does; for SB_PASS, where to in NAME. */
static int
action(json_object *root, json_object *r, char *name, size_t namesz)
{
	const char *a = jsonfile_str(r, "action");
	const char *o = jsonfile_str(r, "outbound");

	if (a == NULL || strcmp(a, "route") == 0 ||
	    (strcmp(a, "bypass") == 0 && o != NULL)) {
		if (o == NULL) {
			snprintf(name, namesz, "no outbound");
			return SB_PASS;
		}
		return outbound(root, o, name, namesz) ? SB_BLOCK : SB_PASS;
	}
	if (strcmp(a, "reject") == 0 || strcmp(a, "hijack-dns") == 0)
		return SB_BLOCK;
	if (strcmp(a, "sniff") == 0 || strcmp(a, "route-options") == 0 ||
	    strcmp(a, "bypass") == 0)
		return SB_NEXT;
	if (strcmp(a, "resolve") == 0)
		return SB_RESOLVE;
	snprintf(name, namesz, "action '%s'", a);
	return SB_PASS;
}

/* The route of D: 0 blocked, 1 passed (WHY). */
static int
route(json_object *root, struct rc_dest *d, char *why, size_t whysz)
{
	json_object *rt = rc_get(root, "route", json_type_object), *rules, *r;
	const char *final = jsonfile_str(rt, "final");
	char name[160];
	size_t i, n;
	int m;

	rules = rc_get(rt, "rules", json_type_array);
	n = rules != NULL ? json_object_array_length(rules) : 0;
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(rules, i);
		if (!json_object_is_type(r, json_type_object) ||
		    (m = match(r, d)) == RC_NO)
			continue;
		switch (action(root, r, name, sizeof(name))) {
		case SB_NEXT:
			continue;
		case SB_RESOLVE:
			if (m == RC_YES)
				d->by_name = 0;
			continue;
		case SB_BLOCK:
			if (m == RC_YES)
				return 0;
			continue;
		}
		snprintf(
		    why, whysz, "route rule %zu sends it to %s", i + 1, name);
		return 1;
	}
	if (outbound(root, final, name, sizeof(name)))
		return 0;
	snprintf(why, whysz, "no route rule blocks it, so %s takes it", name);
	return 1;
}

int
rc_singbox(json_object *root, json_object *in, struct rc_dest *d, char *why,
    size_t whysz)
{
	char r[300];

	d->by_name = 0;
	if (route(root, d, why, whysz))
		return 1;
	/* An inbound's domain_strategy resolves names before routing. */
	if (jsonfile_str(in, "domain_strategy") != NULL)
		return 0;
	d->by_name = 1;
	if (!route(root, d, r, sizeof(r)))
		return 0;
	snprintf(why, whysz,
	    "rules on ip_cidr or ip_is_private see a host name only once the "
	    "inbound's domain_strategy or a \"resolve\" action resolved it; %s",
	    r);
	return 2;
}
