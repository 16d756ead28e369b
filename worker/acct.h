/*
 * Traffic accounting: turns one reading of the core's counters into new
 * totals, session values, rates and last_seen, committed with the new
 * baselines in one transaction.  The baseline of every counter is the
 * session column of its row (sess_uplink / sess_downlink hold the raw core
 * value), so a crash at any instant loses nothing and counts nothing twice:
 * either the whole tick is committed, or the next tick computes the same
 * deltas again from the old baselines.
 */
#ifndef V2S_ACCT_H
#define V2S_ACCT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct acct_entry;
struct acct_write;

struct acct_table {
	struct acct_entry *entries; /* owned, dense, in insertion order */
	size_t n;
	size_t cap;
	uint32_t *slots; /* owned: open-addressing index into entries */
	size_t nslots; /* power of two, at least twice n */
};

struct acct {
	struct db *db; /* borrowed */
	struct acct_table users; /* state of clients_stats rows */
	struct acct_table links; /* state of traffic_stats rows */
	char *api_tag; /* owned: inbound left out ("api") */
	/*
	 * Whether the core config has the inbound (OUTBOUND 0) or outbound
	 * tagged TAG (LEN bytes); a counter of one it lacks is left out
	 * (its traffic_stats row was removed).  NULL: every one counts.
	 */
	int (*link_known)(void *arg, int outbound, const char *tag, size_t len);
	void *link_arg;
	int64_t online_bps; /* rate above which a user is online */
	int loaded; /* state read from the database */
	/* the tick in progress */
	uint32_t uptime;
	int restarted;
	int64_t now_ms;
	int64_t elapsed_ms; /* since the previous committed tick, 0 if none */
	uint32_t seen_gen;
	/* results of the last committed tick */
	size_t last_counters; /* counters accepted */
	size_t last_ignored; /* counters not ours (names, api, gone tags) */
	size_t last_writes; /* rows written */
	struct acct_write *writes; /* owned: room for a tick's updates */
	size_t nwrites_cap;
};

/* Prepares ACCT for DB.  API_TAG is the core's API inbound tag (NULL =
 * "api"); ONLINE_KBPS is v2ray-stat.monitor.online_rate_threshold. */
void acct_init(
    struct acct *acct, struct db *db, const char *api_tag, int online_kbps);

/*
 * Starts a tick: the core reported UPTIME seconds, read at NOW_MS
 * (milliseconds, wall clock).  Loads the saved state on the first call.
 * An uptime below the previous one means the core restarted.  Returns
 * DB_OK or a DB_* error.
 */
int acct_begin(struct acct *acct, uint32_t uptime, int64_t now_ms);

/*
 * Feeds one counter of the tick (NAME is LEN bytes, not NUL-terminated).
 * Names that are not traffic counters, and the API inbound, are ignored.
 * Returns 0 (the signature fits the core client's callback).
 */
int acct_counter(void *acct, const char *name, size_t len, int64_t value);

/*
 * Commits the tick in one BEGIN IMMEDIATE transaction: totals += deltas,
 * session values, rates (bits/s over the measured interval), last_seen
 * (in the process time zone) and the core's uptime.  A user seen in the
 * counters but missing from the database is added.  On failure nothing is
 * written and the in-memory state is reloaded from the database on the
 * next tick.  Returns DB_OK or a DB_* error.
 */
int acct_commit(struct acct *acct);

/* Frees what ACCT owns; accepts a zeroed struct. */
void acct_free(struct acct *acct);

/*
 * The arithmetic, exposed for tests: the delta of a counter that went from
 * PREV to CUR, where a restart or a drop means CUR counts in full.
 */
int64_t acct_delta(int64_t prev, int64_t cur, int restarted);
/* Bits per second for BYTES over ELAPSED_MS (0 if no interval). */
int64_t acct_rate(int64_t bytes, int64_t elapsed_ms);

#endif
