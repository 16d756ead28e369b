/*
 * The names of the core's traffic counters, as QueryStats returns them:
 *   {user|inbound|outbound}>>>NAME>>>traffic>>>{uplink|downlink}
 * Pure string work, no gRPC: the worker parses every name of every tick.
 */
#ifndef V2S_COUNTER_H
#define V2S_COUNTER_H

#include <stddef.h>

enum counter_kind {
	COUNTER_USER, /* NAME is the user's email (or socks user name) */
	COUNTER_INBOUND, /* NAME is an inbound tag */
	COUNTER_OUTBOUND, /* NAME is an outbound tag */
};

enum counter_dir {
	COUNTER_UPLINK,
	COUNTER_DOWNLINK,
};

struct counter {
	enum counter_kind kind;
	const char *name; /* points into the parsed input, NOT NUL-terminated */
	size_t namelen; /* >= 1 */
	enum counter_dir dir;
};

/*
 * Parses the LEN bytes at S (need not be NUL-terminated) as a traffic
 * counter name.  The kind and direction words must match exactly (case
 * matters); NAME is everything between the fixed head and the fixed tail.
 * Rejected, with -1 and C untouched: any other shape (e.g. the 3-part
 * "user>>>x>>>online"), an empty NAME, a NAME that contains ">>>" (it could
 * not be told apart from the separators) or any NUL byte.  A NAME may start
 * or end with a single or double '>' ("user>>>a>>>>traffic>>>uplink" is
 * user "a>"), since the fixed tail makes that unambiguous.  Returns 0 on
 * success; C->name then points into S.
 */
int counter_parse(const char *s, size_t len, struct counter *c);

/* "user", "inbound", "outbound"; "uplink", "downlink". */
const char *counter_kind_name(enum counter_kind k);
const char *counter_dir_name(enum counter_dir d);

#endif
