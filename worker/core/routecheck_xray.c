/*
 * The routing check for Xray and v2fly (see routecheck.h):
 * "routing.rules" in order (then v2fly's old "routing.settings.rules"),
 * every condition of a rule holding, the first rule that matches deciding;
 * "routing.domainStrategy" says whether and when host names are resolved.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonfile.h"
#include "routecheck_int.h"

/* The domain strategy S as the cores spell it, case and '_' '-' aside. */
static enum rc_strategy
strategy_parse(const char *s)
{
	char k[32];
	size_t n = 0;

	for (; s != NULL && *s != '\0' && n < sizeof(k) - 1; s++)
		if (*s != '_' && *s != '-')
			k[n++] = *s;
	k[n] = '\0';
	if (strcasecmp(k, "IPIfNonMatch") == 0)
		return RC_IP_IF_NON_MATCH;
	if (strcasecmp(k, "IPOnDemand") == 0)
		return RC_IP_ON_DEMAND;
	return RC_AS_IS;
}

/* Whether the "ip" item S of a rule holds the target. */
static int
xray_ip_item(const char *s, const struct routecheck_target *t)
{
	int neg, priv;

	if (strncasecmp(s, "geoip:", 6) == 0) {
		s += 6;
		neg = *s == '!';
		s += neg;
		priv = rc_private(t, 1) == RC_YES;
		if (strcasecmp(s, "private") == 0)
			return priv != neg ? RC_YES : RC_NO;
		/* A private address is in no country. */
		return priv ? (neg ? RC_YES : RC_NO) : RC_MAYBE;
	}
	if (strncasecmp(s, "ext:", 4) == 0 || strncasecmp(s, "ext-ip:", 7) == 0)
		return RC_MAYBE;
	return rc_cidr(s, t);
}

static int
xray_ip(json_object *v, const struct routecheck_target *t)
{
	json_object *e;
	const char *s, *p;
	char item[128];
	size_t i, n;
	int m = RC_NO;

	if (json_object_is_type(v, json_type_string)) {
		for (s = json_object_get_string(v);; s = p + 1) {
			p = strchr(s, ',');
			snprintf(item, sizeof(item), "%.*s",
			    p != NULL ? (int)(p - s) : (int)strlen(s), s);
			m = RC_MAX(m, xray_ip_item(item, t));
			if (p == NULL)
				return m;
		}
	}
	if (!json_object_is_type(v, json_type_array))
		return RC_MAYBE;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		m = RC_MAX(m,
		    json_object_is_type(e, json_type_string)
			? xray_ip_item(json_object_get_string(e), t)
			: RC_MAYBE);
	}
	return m;
}

/* Whether the network list V ("tcp,udp" or ["tcp"]) holds TCP. */
static int
xray_network(json_object *v)
{
	return rc_str_in(v, "tcp", 1, 1);
}

/* Whether field rule R matches D: every condition must hold. */
static int
xray_match(json_object *r, const struct rc_dest *d)
{
	int m = RC_YES, c;

	json_object_object_foreach(r, key, val)
	{
		if (strcmp(key, "type") == 0 ||
		    strcmp(key, "outboundTag") == 0 ||
		    strcmp(key, "balancerTag") == 0 ||
		    strcmp(key, "ruleTag") == 0 || rc_empty(val))
			continue;
		if (strcmp(key, "inboundTag") == 0)
			c = d->inbound[0] == '\0'
			    ? RC_NO
			    : rc_str_in(val, d->inbound, 1, 0);
		else if (strcmp(key, "ip") == 0)
			c = d->by_name ? RC_NO : xray_ip(val, d->t);
		else if (strcmp(key, "port") == 0)
			c = rc_port_in(val, d->t->port, '-');
		else if (strcmp(key, "network") == 0)
			c = xray_network(val);
		else if (strcmp(key, "domain") == 0 ||
		    strcmp(key, "domains") == 0)
			c = RC_NO; /* an address, or a name no rule names */
		else
			c = RC_MAYBE; /* user, source, protocol, attrs... */
		m = RC_MIN(m, c);
	}
	return m;
}

/* Whether outbound O is a blackhole; its tag in NAME. */
static int
xray_out_blocks(json_object *o, char *name, size_t namesz)
{
	const char *tag = jsonfile_str(o, "tag"), *p;

	p = jsonfile_str(o, "protocol");
	snprintf(name, namesz, "outbound '%s'", tag != NULL ? tag : "");
	return p != NULL && strcasecmp(p, "blackhole") == 0;
}

/* The default outbound: 1 if it blocks; else its name in NAME. */
static int
xray_default(const struct rc_xray *x, char *name, size_t namesz)
{
	if (x->nouts == 0) {
		snprintf(name, namesz, "the core's default outbound");
		return 0;
	}
	return xray_out_blocks(x->outs[0], name, namesz);
}

/* Where rule R sends a connection: 1 a blackhole, 0 elsewhere (NAME). */
static int
xray_target(const struct rc_xray *x, json_object *r, char *name, size_t namesz)
{
	const char *tag = jsonfile_str(r, "outboundTag"), *bal, *ot;
	size_t i;

	if (tag == NULL) {
		bal = jsonfile_str(r, "balancerTag");
		snprintf(name, namesz, "balancer '%s'", bal != NULL ? bal : "");
		return 0;
	}
	if (x->api_tag != NULL && strcmp(tag, x->api_tag) == 0) {
		snprintf(name, namesz, "the core's API (outbound '%s')", tag);
		return 0;
	}
	for (i = 0; i < x->nouts; i++)
		if ((ot = jsonfile_str(x->outs[i], "tag")) != NULL &&
		    strcmp(tag, ot) == 0)
			return xray_out_blocks(x->outs[i], name, namesz);
	/* The core takes an unknown tag for its default outbound. */
	return xray_default(x, name, namesz);
}

/*
 * The route of D: 0 blocked, 1 passed (WHY).  A name under IPIfNonMatch
 * that no rule took is resolved and routed again.
 */
static int
xray_route(const struct rc_xray *x, struct rc_dest *d, char *why, size_t whysz)
{
	char name[160];
	size_t i;
	int m;

	for (i = 0; i < x->nrules; i++) {
		if ((m = xray_match(x->rules[i], d)) == RC_NO)
			continue;
		if (xray_target(x, x->rules[i], name, sizeof(name))) {
			if (m == RC_YES)
				return 0;
			continue; /* only some of it is blocked */
		}
		snprintf(why, whysz, "routing rule %zu sends it to %s%s", i + 1,
		    name,
		    d->by_name && x->strategy == RC_IP_IF_NON_MATCH
			? " before the name is resolved"
			: "");
		return 1;
	}
	if (d->by_name && x->strategy == RC_IP_IF_NON_MATCH) {
		d->by_name = 0;
		return xray_route(x, d, why, whysz);
	}
	if (xray_default(x, name, sizeof(name)))
		return 0;
	snprintf(why, whysz, "no routing rule blocks it, so %s takes it", name);
	return 1;
}

int
rc_xray_decide(
    const struct rc_xray *x, struct rc_dest *d, char *why, size_t whysz)
{
	char r[300];

	d->by_name = 0;
	if (xray_route(x, d, why, whysz))
		return 1;
	if (x->strategy == RC_IP_ON_DEMAND)
		return 0;
	d->by_name = 1;
	if (!xray_route(x, d, r, sizeof(r)))
		return 0;
	snprintf(why, whysz, "%s%s",
	    x->strategy == RC_AS_IS
		? "routing.domainStrategy is AsIs, so rules "
		  "on \"ip\" never see host names; "
		: "",
	    r);
	return 2;
}

void
rc_xray_init(struct rc_xray *x, json_object *root)
{
	json_object *routing = rc_get(root, "routing", json_type_object);
	json_object *settings = rc_get(routing, "settings", json_type_object);
	json_object *api = rc_get(root, "api", json_type_object);
	const char *ds;

	memset(x, 0, sizeof(*x));
	rc_collect(
	    rc_get(routing, "rules", json_type_null), &x->rules, &x->nrules, 0);
	rc_collect(rc_get(settings, "rules", json_type_null), &x->rules,
	    &x->nrules, 0);
	rc_collect(
	    rc_get(root, "outbound", json_type_null), &x->outs, &x->nouts, 1);
	rc_collect(rc_get(root, "outboundDetour", json_type_null), &x->outs,
	    &x->nouts, 0);
	rc_collect(
	    rc_get(root, "outbounds", json_type_null), &x->outs, &x->nouts, 0);
	if ((ds = jsonfile_str(routing, "domainStrategy")) == NULL)
		ds = jsonfile_str(settings, "domainStrategy");
	x->strategy = strategy_parse(ds);
	x->api_tag = api != NULL ? jsonfile_str(api, "tag") : NULL;
}

void
rc_xray_free(struct rc_xray *x)
{
	free(x->rules);
	free(x->outs);
	memset(x, 0, sizeof(*x));
}
