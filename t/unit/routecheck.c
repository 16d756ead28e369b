/*
 * Unit tests for worker/core/routecheck.c: can a proxy inbound reach the
 * API (127.0.0.1:9952) and the core's API (127.0.0.1:9953)?  Friendly,
 * hostile and odd routing of Xray/v2fly and sing-box.  The JSON below is
 * written with ' for ".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "routecheck.h"
#include "tap.h"
#include "tmpdir.h"
#include "xmalloc.h"

/* The Xray/v2fly config around a case: the API inbound and vless-in. */
#define X_IN \
	"'api': {'tag': 'api', 'services': ['StatsService']}," \
	"'inbounds': [{'tag': 'api', 'protocol': 'dokodemo-door'}," \
	"{'tag': 'vless-in', 'protocol': 'vless'}],"
#define X_OUT \
	"'outbounds': [{'tag': 'direct', 'protocol': 'freedom'}," \
	"{'tag': 'block', 'protocol': 'blackhole'}],"
#define API_RULE \
	"{'type': 'field', 'inboundTag': ['api'], 'outboundTag': 'api'}"
#define PRIV \
	"['0.0.0.0/8', '127.0.0.0/8', '::/128', '::1/128', '10.0.0.0/8'," \
	"'172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', 'fc00::/7'," \
	"'fe80::/10']"
#define BLOCK_RULE "{'type': 'field', 'ip': " PRIV ", 'outboundTag': 'block'}"
#define X(routing) "{" X_IN X_OUT "'routing': " routing "}"
#define XR(rules) X("{'domainStrategy': 'IPIfNonMatch', 'rules': [" rules "]}")

/* sing-box around a case: vless-in, outbounds direct and block. */
#define S(rest) \
	"{'inbounds': [{'type': 'vless', 'tag': 'vless-in'}]," \
	"'outbounds': [{'type': 'direct', 'tag': 'direct'}," \
	"{'type': 'block', 'tag': 'block'}]" rest "}"
#define SR(rules) S(", 'route': {'rules': [" rules "]}")
#define RESOLVE "{'action': 'resolve'}"
#define REJECT "{'ip_is_private': true, 'action': 'reject'}"

struct tcase {
	const char *name;
	enum core_type type;
	const char *json;
	int findings;
	const char *has; /* a part of the findings, or NULL */
};

static const struct tcase cases[] = {
	/* ---- Xray / v2fly */
	{ "the recommended config", CORE_V2FLY, XR(API_RULE "," BLOCK_RULE), 0,
	    NULL },
	{ "IPOnDemand", CORE_XRAY,
	    X("{'domainStrategy': 'IPOnDemand', 'rules': [" API_RULE
	      "," BLOCK_RULE "]}"),
	    0, NULL },
	{ "domain strategy spelled ip_if_non_match", CORE_XRAY,
	    X("{'domainStrategy': 'ip_if_non_match', 'rules': [" BLOCK_RULE
	      "]}"),
	    0, NULL },
	{ "AsIs: host names pass", CORE_V2FLY,
	    X("{'rules': [" API_RULE "," BLOCK_RULE "]}"), 2,
	    "(the API) under a host name that resolves to it, such as "
	    "localhost: routing.domainStrategy is AsIs" },
	{ "AlwaysIP routes as AsIs", CORE_V2FLY,
	    X("{'domainStrategy': 'AlwaysIP', 'rules': [" BLOCK_RULE "]}"), 2,
	    "under a host name" },
	{ "no routing at all", CORE_V2FLY, "{" X_IN X_OUT "'log': {}}", 2,
	    "inbound 'vless-in' can reach 127.0.0.1:9952 (the API): no "
	    "routing rule blocks it, so outbound 'direct' takes it" },
	{ "only the API's own rule", CORE_V2FLY, XR(API_RULE), 2,
	    "no routing rule blocks it" },
	{ "a blackhole as the default outbound", CORE_XRAY,
	    "{" X_IN "'outbounds': [{'tag': 'b', 'protocol': 'Blackhole'}]}", 0,
	    NULL },
	{ "block rule only for another inbound", CORE_V2FLY,
	    "{" X_IN X_OUT "'routing': {'domainStrategy': 'IPIfNonMatch', "
	    "'rules': [{'ip': " PRIV
	    ", 'inboundTag': ['trojan-in'], 'outboundTag': 'block'}]}}",
	    2, "inbound 'vless-in' can reach 127.0.0.1:9952" },
	{ "block rule for this inbound (a comma string)", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'inboundTag': 'x,vless-in', 'outboundTag': "
	       "'block'}"),
	    0, NULL },
	{ "port-limited block rule", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'port': '1-1000', 'outboundTag': 'block'}"), 2,
	    "no routing rule blocks it" },
	{ "block rule for the API's port only", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'port': '80, 9952', 'outboundTag': 'block'}"),
	    1, "can reach 127.0.0.1:9953 (the core's API)" },
	{ "block rule for a port range", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'port': '9000-9999', 'outboundTag': 'block'}"),
	    0, NULL },
	{ "block rule for a port number", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'port': 9953, 'outboundTag': 'block'}"), 1,
	    "(the API)" },
	{ "malformed port", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'port': '9000-x', 'outboundTag': 'block'}"), 2,
	    NULL },
	{ "the rule goes to a freedom outbound", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'outboundTag': 'direct'}"), 2,
	    "routing rule 1 sends it to outbound 'direct'" },
	{ "an earlier catch-all to direct", CORE_V2FLY,
	    XR(API_RULE
		",{'network': 'tcp,udp', 'outboundTag': 'direct'}," BLOCK_RULE),
	    2, "routing rule 2 sends it to outbound 'direct'" },
	{ "an earlier UDP-only rule", CORE_V2FLY,
	    XR("{'network': 'udp', 'outboundTag': 'direct'}," BLOCK_RULE), 0,
	    NULL },
	{ "an earlier domain rule", CORE_V2FLY,
	    XR("{'domain': ['geosite:google', 'full:localhost'], "
	       "'outboundTag': 'direct'}," BLOCK_RULE),
	    0, NULL },
	{ "an earlier rule for some users", CORE_V2FLY,
	    XR("{'user': ['vip@x'], 'outboundTag': 'direct'}," BLOCK_RULE), 2,
	    "routing rule 1" },
	{ "a block rule for some users", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'user': ['a@x'], 'outboundTag': 'block'}"), 2,
	    NULL },
	{ "a block rule with a condition unknown here", CORE_XRAY,
	    XR("{'ip': " PRIV ", 'localPort': '443', 'outboundTag': 'block'}"),
	    2, NULL },
	{ "empty conditions are no conditions", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'domain': [], 'user': '', 'outboundTag': "
	       "'block'}"),
	    0, NULL },
	{ "a balancer", CORE_XRAY,
	    XR("{'ip': " PRIV ", 'balancerTag': 'lb'}," BLOCK_RULE), 2,
	    "routing rule 1 sends it to balancer 'lb'" },
	{ "an unknown tag takes the default outbound", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'outboundTag': 'nope'}"), 2,
	    "sends it to outbound 'direct'" },
	{ "an unknown tag with a blackhole as default", CORE_V2FLY,
	    "{" X_IN
	    "'outbounds': [{'tag': 'b', 'protocol': 'blackhole'}, {'tag': 'd', "
	    "'protocol': 'freedom'}], 'routing': {'domainStrategy': "
	    "'IPOnDemand', 'rules': [{'ip': " PRIV
	    ", 'outboundTag': 'nope'}, {'inboundTag': ['vless-in'], "
	    "'outboundTag': 'd'}]}}",
	    0, NULL },
	{ "a rule sending customers to the core's API", CORE_V2FLY,
	    XR("{'inboundTag': ['vless-in'], 'outboundTag': "
	       "'api'}," BLOCK_RULE),
	    2, "the core's API (outbound 'api')" },
	{ "geoip:private (Xray with geodata)", CORE_XRAY,
	    XR("{'ip': ['geoip:private'], 'outboundTag': 'block'}"), 0, NULL },
	{ "geoip:!private", CORE_XRAY,
	    XR("{'ip': ['geoip:!private'], 'outboundTag': 'block'}"), 2, NULL },
	{ "geoip:cn", CORE_XRAY,
	    XR("{'ip': ['geoip:cn'], 'outboundTag': 'block'}"), 2, NULL },
	{ "geoip:!cn", CORE_XRAY,
	    XR("{'ip': ['geoip:!cn'], 'outboundTag': 'block'}"), 0, NULL },
	{ "ext: geodata cannot be read here", CORE_XRAY,
	    XR("{'ip': ['ext:my.dat:private'], 'outboundTag': 'block'}"), 2,
	    NULL },
	{ "only ::1 is blocked", CORE_V2FLY,
	    XR("{'ip': ['::1/128'], 'outboundTag': 'block'}"), 2, NULL },
	{ "exactly 127.0.0.1 and 0.0.0.0, as a comma string", CORE_V2FLY,
	    XR("{'ip': '10.0.0.0/8,127.0.0.1,0.0.0.0', 'outboundTag': "
	       "'block'}"),
	    0, NULL },
	{ "0.0.0.0 left open", CORE_V2FLY,
	    XR("{'ip': ['127.0.0.0/8', '10.0.0.0/8'], 'outboundTag': "
	       "'block'}"),
	    2,
	    "can reach 127.0.0.1:9952 (the API) as 0.0.0.0: no routing rule "
	    "blocks it" },
	{ "an IPv4-mapped range", CORE_V2FLY,
	    XR("{'ip': ['::ffff:127.0.0.0/104', '::ffff:0.0.0.0/104'], "
	       "'outboundTag': 'block'}"),
	    0, NULL },
	{ "blanks in a comma string (the core keeps them)", CORE_V2FLY,
	    XR("{'ip': '0.0.0.0/8, 127.0.0.1', 'outboundTag': 'block'}"), 2,
	    NULL },
	{ "a blank in an inbound tag", CORE_V2FLY,
	    XR("{'ip': " PRIV ", 'inboundTag': ' vless-in', 'outboundTag': "
	       "'block'}"),
	    2, NULL },
	{ "malformed ranges", CORE_V2FLY,
	    XR("{'ip': ['127.0.0.0/33', 'localhost', 7, '127.0.0.0/'], "
	       "'outboundTag': 'block'}"),
	    2, NULL },
	{ "a host-name bypass before the block (IPIfNonMatch)", CORE_V2FLY,
	    XR(BLOCK_RULE ",{'inboundTag': ['vless-in'], 'outboundTag': "
			  "'direct'}"),
	    2,
	    "under a host name that resolves to it, such as localhost: "
	    "routing rule 2 sends it to outbound 'direct' before the name is "
	    "resolved" },
	{ "the same with IPOnDemand is blocked", CORE_V2FLY,
	    X("{'domainStrategy': 'IPOnDemand', 'rules': [" BLOCK_RULE
	      ",{'inboundTag': ['vless-in'], 'outboundTag': 'direct'}]}"),
	    0, NULL },
	{ "v2fly's old routing.settings", CORE_V2FLY,
	    X("{'settings': {'domainStrategy': 'IPIfNonMatch', 'rules': "
	      "[" BLOCK_RULE "]}}"),
	    0, NULL },
	{ "old outbound and outboundDetour", CORE_V2FLY,
	    "{" X_IN
	    "'outbound': {'protocol': 'freedom'}, 'outboundDetour': [{'tag': "
	    "'b', 'protocol': 'blackhole'}], 'routing': {'rules': []}}",
	    2, "so outbound '' takes it" },
	{ "old inbound and inboundDetour", CORE_V2FLY,
	    "{'inbound': {'protocol': 'vmess'}, 'inboundDetour': [{'tag': 'x', "
	    "'protocol': 'vless'}]}",
	    4, "inbound 'x' can reach" },
	{ "routing is a string", CORE_V2FLY, "{" X_IN X_OUT "'routing': 'x'}",
	    2, NULL },
	{ "rules is an object, outbounds a string", CORE_V2FLY,
	    "{" X_IN "'outbounds': 'x', 'routing': {'rules': {}}}", 2,
	    "so the core's default outbound takes it" },
	{ "odd rules and inbounds", CORE_V2FLY,
	    "{'api': {'tag': 'api'}, 'inbounds': [1, 'x', null, {'protocol': "
	    "'vless'}, {'tag': 'api'}]," X_OUT
	    "'routing': {'domainStrategy': 7, 'rules': [42, null, 'x', "
	    "{'inboundTag': 5, 'outboundTag': 'block'}, {'outboundTag': "
	    "'direct', 'inboundTag': ['api']}]}}",
	    2,
	    "inbound #1 (no tag) can reach 127.0.0.1:9952 (the API): no "
	    "routing rule blocks it" },
	{ "another API tag", CORE_XRAY,
	    "{'api': {'tag': 'grpc'}, 'inbounds': [{'tag': 'grpc'}, {'tag': "
	    "'api'}]," X_OUT "'routing': {'rules': []}}",
	    2, "inbound 'api' can reach" },
	{ "no inbounds", CORE_XRAY, "{" X_OUT "'log': {}}", 0, NULL },
	{ "a rule without an outbound", CORE_XRAY,
	    XR("{'ip': " PRIV "}," BLOCK_RULE), 2, "balancer ''" },

	/* ---- sing-box */
	{ "sing-box: resolve, then reject private", CORE_SINGBOX,
	    SR(RESOLVE "," REJECT), 0, NULL },
	{ "sing-box: inbound domain_strategy and a block outbound",
	    CORE_SINGBOX,
	    "{'inbounds': [{'type': 'vless', 'tag': 'vless-in', "
	    "'domain_strategy': 'prefer_ipv4'}], 'outbounds': [{'type': "
	    "'direct', 'tag': 'direct'}, {'type': 'block', 'tag': 'b'}], "
	    "'route': {'rules': [{'ip_is_private': true, 'outbound': 'b'}]}}",
	    0, NULL },
	{ "sing-box: names are not resolved", CORE_SINGBOX, SR(REJECT), 2,
	    "under a host name that resolves to it, such as localhost: rules "
	    "on ip_cidr or ip_is_private see a host name only once" },
	{ "sing-box: ip_cidr to block", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_cidr': ['10.0.0.0/8', '127.0.0.0/8', "
		       "'0.0.0.0/8'], 'outbound': 'block'}"),
	    0, NULL },
	{ "sing-box: ip_cidr as one string", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_cidr': '127.0.0.1', 'action': 'reject'}"), 2,
	    "as 0.0.0.0" },
	{ "sing-box: reject options", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_cidr': ['127.0.0.1', '0.0.0.0'], 'action': "
		       "'reject', 'method': 'default', 'no_drop': true}"),
	    0, NULL },
	{ "sing-box: geoip private", CORE_SINGBOX,
	    SR(RESOLVE ",{'geoip': 'private', 'outbound': 'block'}"), 0, NULL },
	{ "sing-box: no route", CORE_SINGBOX, S(""), 2,
	    "no route rule blocks it, so outbound 'direct' takes it" },
	{ "sing-box: no outbounds either", CORE_SINGBOX,
	    "{'inbounds': [{'type': 'trojan', 'tag': 't'}]}", 2,
	    "the default outbound 'direct'" },
	{ "sing-box: a final block outbound", CORE_SINGBOX,
	    S(", 'route': {'final': 'block'}"), 0, NULL },
	{ "sing-box: a final unknown outbound", CORE_SINGBOX,
	    S(", 'route': {'final': 'gone'}"), 2, "'gone' (not found)" },
	{ "sing-box: reject for another inbound", CORE_SINGBOX,
	    SR(RESOLVE ",{'inbound': ['other'], 'ip_is_private': true, "
		       "'action': 'reject'}"),
	    2, "no route rule blocks it" },
	{ "sing-box: reject for this inbound", CORE_SINGBOX,
	    SR(RESOLVE ",{'inbound': 'vless-in', 'ip_is_private': true, "
		       "'action': 'reject'}"),
	    0, NULL },
	{ "sing-box: reject for the API's port range only", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_is_private': true, 'port_range': ['9000:9952'], "
		       "'action': 'reject'}"),
	    1, "(the core's API)" },
	{ "sing-box: reject for ports from 9950", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_is_private': true, 'port': [22], 'port_range': "
		       "'9950:', 'action': 'reject'}"),
	    0, NULL },
	{ "sing-box: private to direct", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_is_private': true, 'outbound': 'direct'}"), 2,
	    "route rule 2 sends it to outbound 'direct'" },
	{ "sing-box: an earlier TCP rule", CORE_SINGBOX,
	    SR(RESOLVE ",{'network': 'tcp', 'outbound': 'direct'}," REJECT), 2,
	    "route rule 2" },
	{ "sing-box: a sniff action first", CORE_SINGBOX,
	    SR("{'action': 'sniff', 'timeout': '1s'}," RESOLVE "," REJECT), 0,
	    NULL },
	{ "sing-box: a resolve limited to some users", CORE_SINGBOX,
	    SR("{'auth_user': ['a'], 'action': 'resolve'}," REJECT), 2,
	    "under a host name" },
	{ "sing-box: a logical rule", CORE_SINGBOX,
	    SR(RESOLVE ",{'type': 'logical', 'mode': 'or', 'rules': [{'ip_is_"
		       "private': true}], 'action': 'reject'}"),
	    2, NULL },
	{ "sing-box: an inverted rule", CORE_SINGBOX,
	    SR(RESOLVE ",{'invert': true, 'ip_cidr': ['8.8.8.8'], 'action': "
		       "'reject'}"),
	    2, NULL },
	{ "sing-box: domain or ip_cidr", CORE_SINGBOX,
	    SR(RESOLVE ",{'domain_suffix': ['.x'], 'ip_cidr': ['127.0.0.0/8', "
		       "'0.0.0.0/32'], 'action': 'reject'}"),
	    0, NULL },
	{ "sing-box: a rule set", CORE_SINGBOX,
	    SR(RESOLVE ",{'rule_set': ['geoip-private'], 'action': 'reject'}"),
	    2, NULL },
	{ "sing-box: an unknown action", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_is_private': true, 'action': 'teleport'}"), 2,
	    "action 'teleport'" },
	{ "sing-box: ip_is_private false is no condition", CORE_SINGBOX,
	    SR("{'ip_is_private': false, 'action': 'reject'}"), 0, NULL },
	{ "sing-box: IPv6 only", CORE_SINGBOX,
	    SR(RESOLVE ",{'ip_version': 6, 'ip_is_private': true, 'action': "
		       "'reject'}"),
	    2, NULL },
	{ "sing-box: odd route", CORE_SINGBOX,
	    S(", 'route': {'rules': [1, null, {'outbound': 5}], 'final': []}"),
	    2, "route rule 3 sends it to no outbound" },
	{ "sing-box: route is an array", CORE_SINGBOX, S(", 'route': []"), 2,
	    NULL },
};

/* Prints the findings, one diagnostic line each. */
static void
diag_lines(const char *s)
{
	const char *p;

	for (; *s != '\0'; s = p + 1) {
		if ((p = strchr(s, '\n')) == NULL) {
			tap_diag("%s", s);
			return;
		}
		tap_diag("%.*s", (int)(p - s), s);
	}
}

/* The case's JSON with ' turned into ". */
static json_object *
parse(const char *s)
{
	char *t = xstrdup(s), *p;
	json_object *o;

	for (p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	o = json_tokener_parse(t);
	free(t);
	return o;
}

static void
t_cases(const struct routecheck_target *t, size_t nt)
{
	const struct tcase *c;
	struct buf out;
	json_object *root;
	size_t i, n;

	buf_init(&out);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		if ((root = parse(c->json)) == NULL) {
			ok(0, "%s: the case's JSON parses", c->name);
			continue;
		}
		buf_reset(&out);
		n = routecheck_tree(root, c->type, t, nt, &out);
		if (!is_int((long long)n, c->findings, "%s: %d findings",
			c->name, c->findings))
			diag_lines(buf_str(&out));
		if (c->has != NULL &&
		    !ok(strstr(buf_str(&out), c->has) != NULL, "%s: says '%s'",
			c->name, c->has))
			diag_lines(buf_str(&out));
		json_object_put(root);
	}
	buf_free(&out);
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static void
t_targets(void)
{
	struct routecheck_target t[ROUTECHECK_TARGETS_MAX];
	struct cfg cfg;
	size_t n;

	cfg_defaults(&cfg);
	n = routecheck_targets(&cfg, t);
	is_int((long long)n, 2, "defaults: two targets");
	is_str(t[0].host, "127.0.0.1", "the API's address");
	is_int(t[0].port, 9952, "the API's port");
	is_str(t[0].what, "the API", "the API's name");
	is_str(t[1].host, "127.0.0.1", "the core API's address");
	is_int(t[1].port, 9953, "the core API's port");

	set(&cfg.listen_address, "0.0.0.0");
	set(&cfg.core_api_address, "[::]:10085");
	n = routecheck_targets(&cfg, t);
	is_int((long long)n, 2, "wildcards: two targets");
	is_str(t[0].host, "127.0.0.1", "0.0.0.0 is checked as 127.0.0.1");
	is_str(t[1].host, "::1", "[::] is checked as ::1");
	is_int(t[1].port, 10085, "[::]:10085: the port");

	set(&cfg.listen_address, "localhost");
	set(&cfg.core_api_address, "[fe80::1]:9953");
	n = routecheck_targets(&cfg, t);
	is_str(t[0].host, "127.0.0.1", "a host name is checked as 127.0.0.1");
	is_str(t[1].host, "fe80::1", "an IPv6 literal is kept");

	set(&cfg.listen_address, "10.1.2.3");
	set(&cfg.core_api_address, "unix:/run/core.sock");
	n = routecheck_targets(&cfg, t);
	is_int((long long)n, 1, "a core address without a port is left out");
	is_str(t[0].host, "10.1.2.3", "a private address is kept");

	set(&cfg.core_api_address, "10.1.2.3:9952");
	n = routecheck_targets(&cfg, t);
	is_int((long long)n, 1, "the same address twice is checked once");
	set(&cfg.core_api_address, "127.0.0.1:99999");
	is_int((long long)routecheck_targets(&cfg, t), 1,
	    "a port out of range is left out");
	cfg_free(&cfg);
}

/* Targets on IPv6 and on a private address. */
static void
t_other_targets(void)
{
	struct routecheck_target t[ROUTECHECK_TARGETS_MAX];
	struct cfg cfg;
	struct buf out;
	json_object *root;
	size_t n;

	buf_init(&out);
	cfg_defaults(&cfg);
	set(&cfg.listen_address, "::1");
	set(&cfg.core_api_address, "10.9.8.7:9953");
	n = routecheck_targets(&cfg, t);
	root = parse(XR("{'ip': ['127.0.0.0/8', '::/128'], 'outboundTag': "
			"'block'}"));
	is_int((long long)routecheck_tree(root, CORE_XRAY, t, n, &out), 2,
	    "127.0.0.0/8 leaves ::1 and 10.9.8.7 open");
	ok(strstr(buf_str(&out), "can reach [::1]:9952 (the API)") != NULL,
	    "an IPv6 target is printed in brackets");
	json_object_put(root);
	root = parse(XR(BLOCK_RULE));
	buf_reset(&out);
	is_int((long long)routecheck_tree(root, CORE_XRAY, t, n, &out), 0,
	    "the private ranges cover ::1 and 10.9.8.7");
	json_object_put(root);
	root = parse(XR("{'ip': ['::1/128', '10.0.0.0/8'], 'outboundTag': "
			"'block'}"));
	buf_reset(&out);
	is_int((long long)routecheck_tree(root, CORE_XRAY, t, n, &out), 1,
	    "::1 blocked but not ::");
	ok(strstr(buf_str(&out), "can reach [::1]:9952 (the API) as ::: ") !=
		NULL,
	    "... the API can be reached as ::");
	json_object_put(root);
	root = parse(SR(RESOLVE "," REJECT));
	is_int((long long)routecheck_tree(root, CORE_SINGBOX, t, n, &out), 0,
	    "sing-box: ip_is_private covers ::1 and 10.9.8.7");
	json_object_put(root);
	buf_free(&out);
	cfg_free(&cfg);
}

static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	char *t = xstrdup(s), *p;

	for (p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	if (f == NULL || fputs(t, f) == EOF || fclose(f) == EOF)
		ok(0, "write %s", path);
	free(t);
}

static void
t_file(void)
{
	struct routecheck_target t[ROUTECHECK_TARGETS_MAX];
	struct cfg cfg;
	struct buf out;
	const char *dir;
	char *path;
	uint64_t fp1, fp2, fp3;
	size_t n;

	buf_init(&out);
	cfg_defaults(&cfg);
	n = routecheck_targets(&cfg, t);
	dir = tmpdir_make("routecheck");
	path = xasprintf("%s/core.json", dir);

	is_int(routecheck_file(path, CORE_XRAY, t, n, &out, NULL), -1,
	    "a missing file: -1");
	ok(strstr(buf_str(&out), "cannot read") != NULL, "... it says so: %s",
	    buf_str(&out));
	put(path, "{'inbounds': [");
	buf_reset(&out);
	is_int(routecheck_file(path, CORE_XRAY, t, n, &out, NULL), -1,
	    "broken JSON: -1");
	ok(strstr(buf_str(&out), "line") != NULL, "... with the line: %s",
	    buf_str(&out));

	put(path,
	    "// comments as the core allows them\n" XR(
		API_RULE "," BLOCK_RULE));
	buf_reset(&out);
	is_int(routecheck_file(path, CORE_V2FLY, t, n, &out, &fp1), 0,
	    "the recommended config, with a comment: no finding");
	put(path,
	    "{" X_IN X_OUT
	    "'routing': {'domainStrategy': 'IPIfNonMatch', 'rules': [" API_RULE
	    "," BLOCK_RULE "]}, 'log': {'loglevel': 'debug'}}");
	is_int(routecheck_file(path, CORE_V2FLY, t, n, &out, &fp2), 0,
	    "the same with another log level");
	ok(fp1 == fp2, "... the same fingerprint");
	put(path, XR(API_RULE));
	buf_reset(&out);
	is_int(routecheck_file(path, CORE_V2FLY, t, n, &out, &fp3), 2,
	    "without the block rule: 2 findings");
	ok(fp3 != fp1, "... another fingerprint");
	unlink(path);
	free(path);
	tmpdir_remove(dir);
	buf_free(&out);
	cfg_free(&cfg);
}

int
main(void)
{
	struct routecheck_target t[ROUTECHECK_TARGETS_MAX];
	struct cfg cfg;
	size_t n;

	cfg_defaults(&cfg);
	n = routecheck_targets(&cfg, t);
	cfg_free(&cfg);
	t_cases(t, n);
	t_targets();
	t_other_targets();
	t_file();
	return tap_done();
}
