/*
 * Reading the proxy core's JSON config file (core.config): which inbounds
 * exist, which protocol each speaks, which users each has, and which
 * outbound tags exist.  Xray and v2fly share one shape ("inbounds[].tag,
 * .protocol, .settings.clients[]"); sing-box has its own ("inbounds[].type,
 * .tag, .users[]").  Reading never changes the file.
 */
#ifndef V2S_CORECFG_H
#define V2S_CORECFG_H

#include <stddef.h>

#include "cfg.h"

enum proto {
	PROTO_OTHER, /* an inbound that has no users we manage */
	PROTO_VLESS,
	PROTO_VMESS,
	PROTO_TROJAN,
};

struct core_inbound {
	char *tag; /* owned; "" if the inbound has no tag */
	char *protocol; /* owned: the protocol/type string as written */
	enum proto proto;
	char *flow; /* owned: the flow of its first client, or NULL */
	int port; /* 0 if absent or not a plain number */
};

struct core_client {
	char *email; /* owned: xray "email" / sing-box "name" */
	char *credential; /* owned: vless/vmess id (uuid) or trojan password */
	char *inbound_tag; /* owned */
	enum proto proto;
	char *flow; /* owned or NULL */
};

struct corecfg {
	struct core_inbound *inbounds; /* owned */
	size_t ninbounds;
	char **outbounds; /* owned: outbound tags */
	size_t noutbounds;
	struct core_client *clients; /* owned: users of vless/vmess/trojan */
	size_t nclients;
	char *api_tag; /* owned: xray/v2fly "api.tag", or NULL */
};

/*
 * Reads the core config at PATH, shaped for TYPE (CORE_SINGBOX or not).
 * Comments are allowed as the cores allow them.  Clients without an email
 * or credential are skipped.  Returns 0, or -1 with a one-line reason in
 * ERR ("cannot read '/x': No such file or directory", "line 3: ...") and
 * CC zeroed.
 */
int corecfg_load(struct corecfg *cc, const char *path, enum core_type type,
    char *err, size_t errsz);

/* Returns the inbound tagged TAG, or NULL. */
const struct core_inbound *corecfg_inbound(
    const struct corecfg *cc, const char *tag);

/* The protocol named S, ignoring case; PROTO_OTHER for another name or
 * NULL. */
enum proto proto_parse(const char *s);

/* "vless", "vmess", "trojan" or "other". */
const char *proto_name(enum proto p);

/* Frees everything and zeroes CC; accepts a zeroed struct. */
void corecfg_free(struct corecfg *cc);

#endif
