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

/* One entry of an index of the clients (corecfg_index.c). */
struct corecfg_ix {
	const char *tag; /* borrowed: the client's inbound tag (by_cred) */
	char *key; /* owned: corecfg_name_key() or corecfg_cred_key() */
	size_t client; /* its position in clients[] */
};

struct corecfg {
	struct core_inbound *inbounds; /* owned */
	size_t ninbounds;
	char **outbounds; /* owned: outbound tags */
	size_t noutbounds;
	struct core_client *clients; /* owned: users of vless/vmess/trojan */
	size_t nclients;
	char *api_tag; /* owned: xray/v2fly "api.tag", or NULL */
	/* Built by corecfg_load(), for corecfg_find_*(): every client by
	 * name key, and by inbound tag and credential key, each then by
	 * position in the file. */
	struct corecfg_ix *by_name; /* owned */
	struct corecfg_ix *by_cred; /* owned */
	size_t nindexed; /* entries in each */
};

/*
 * Reads the core config at PATH, shaped for TYPE (CORE_SINGBOX or not).
 * Comments are allowed as the cores allow them.  Clients without an email
 * or credential are skipped.  The clients' indexes are built (see
 * corecfg_find_name()).  Returns 0, or -1 with a one-line reason in
 * ERR ("cannot read '/x': No such file or directory", "line 3: ...") and
 * CC zeroed.
 */
int corecfg_load(struct corecfg *cc, const char *path, enum core_type type,
    char *err, size_t errsz);

/* Returns the inbound tagged TAG, or NULL. */
const struct core_inbound *corecfg_inbound(
    const struct corecfg *cc, const char *tag);

/* ------------------------------------------------ the index (corecfg_index.c) */

/*
 * The key two user names are compared by, wherever names must be unique
 * (the core config's clients here, and a bulk upload's lines): the name
 * key, as the core compares emails (lib/namefold.h), the same key the
 * database's uniqueness uses.  Returns it allocated; the caller frees it.
 */
char *corecfg_name_key(const char *name);

/*
 * The key a credential CRED of an inbound of protocol PROTO is compared
 * by: a trojan password as it is, a UUID ignoring case.  Allocated.
 */
char *corecfg_cred_key(const char *cred, enum proto proto);

/*
 * Builds CC's indexes from its clients (corecfg_load() does it; again
 * after changing clients[]), replacing any it had.
 */
void corecfg_index(struct corecfg *cc);

/*
 * The first client in the file whose name has NAME's key, found in
 * O(log n) comparisons of keys; NULL if none.
 */
const struct core_client *corecfg_find_name(
    const struct corecfg *cc, const char *name);

/*
 * The first client in the file of inbound TAG whose credential has the key
 * of CRED under PROTO (the inbound's protocol), in O(log n); NULL if none
 * (or TAG is NULL).
 */
const struct core_client *corecfg_find_cred(const struct corecfg *cc,
    const char *tag, const char *cred, enum proto proto);

/* How many key comparisons corecfg_find_*() made so far (for tests). */
unsigned long corecfg_find_compares(void);

/* ------------------------------------------------------------------------ */

/* The protocol named S, ignoring case; PROTO_OTHER for another name or
 * NULL. */
enum proto proto_parse(const char *s);

/* "vless", "vmess", "trojan" or "other". */
const char *proto_name(enum proto p);

/* Frees everything and zeroes CC; accepts a zeroed struct. */
void corecfg_free(struct corecfg *cc);

#endif
