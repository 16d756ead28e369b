/*
 * Can the proxy's customers reach this host's own services through their
 * tunnel?  The core sends a customer's connection wherever its routing
 * says, loopback included: without a rule that sends private and loopback
 * destinations to a blackhole, any customer reaches the HTTP API and the
 * core's gRPC API.  This reads the core config the way the core routes and
 * says, for every proxy inbound (every inbound but the core's API inbound)
 * and each of the addresses to protect, whether a connection there would
 * be blocked.
 *
 * Xray and v2fly: "routing.rules" in order (first match wins), each rule's
 * conditions all holding, an "outboundTag" of a "blackhole" outbound
 * blocking, an unknown tag taking the default (first) outbound, a
 * "balancerTag" passing; "routing.domainStrategy" AsIs means that rules on
 * "ip" never see a host name (a customer asks for "localhost").  sing-box:
 * "route.rules" in order, an outbound of type "block" or the actions
 * "reject" and "hijack-dns" blocking, "route.final" or the first outbound
 * by default, names resolved only by an inbound's "domain_strategy" or a
 * "resolve" action.  A condition the check cannot decide (a user, a source
 * address, a rule set) is assumed to hold for a rule that passes traffic
 * and not to hold for a rule that blocks it; a customer is assumed to pick
 * a host name that no domain rule names.
 */
#ifndef V2S_ROUTECHECK_H
#define V2S_ROUTECHECK_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "buf.h"
#include "cfg.h"

#define ROUTECHECK_TARGETS_MAX 2

/* An address to protect. */
struct routecheck_target {
	char what[32]; /* "the API", "the core's API" */
	char host[48]; /* the address as printed */
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network order; 4 bytes for AF_INET */
	int port;
};

/*
 * The addresses to protect, from CFG: the HTTP API (v2ray-stat.address and
 * .port) and the core's gRPC API (core.api_address).  A wildcard address
 * or a host name counts as 127.0.0.1 (::1 for "::"); an address that
 * cannot be parsed is left out.  Writes them to T; returns how many.
 */
size_t routecheck_targets(
    const struct cfg *cfg, struct routecheck_target t[ROUTECHECK_TARGETS_MAX]);

/*
 * Checks the parsed core config ROOT (shaped for TYPE) against the NT
 * targets T.  Appends to OUT one line per proxy inbound and target it can
 * reach, "inbound 'vless-in' can reach 127.0.0.1:9952 (the API): routing
 * rule 2 sends it to outbound 'direct'\n".  Returns the number of lines
 * (0: every proxy inbound is blocked from every target).
 */
size_t routecheck_tree(json_object *root, enum core_type type,
    const struct routecheck_target *t, size_t nt, struct buf *out);

/*
 * Reads and parses the core config at PATH as the core does, then
 * routecheck_tree().  Returns the number of findings, or -1 with a
 * one-line reason in OUT ("cannot read '/x': ...").  With FP, *FP gets a
 * hash of what the verdict depends on (the routing, the outbounds and the
 * findings), so that a caller can tell a change that matters from a
 * rewrite of the users.
 */
int routecheck_file(const char *path, enum core_type type,
    const struct routecheck_target *t, size_t nt, struct buf *out,
    uint64_t *fp);

#endif
