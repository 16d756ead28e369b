/*
 * The worker's published state (table worker_state): what it last saw of
 * the core and of itself, read by the responder for /api/v1/health,
 * /api/v1/metrics and the Network block of /api/v1/stats, and the
 * positions the worker resumes from.  The worker writes every key; the
 * responder only reads.  Every key is named here and nowhere else.
 *
 * Values are text in the database (integers in decimal); a text value is
 * at most WSTATE_TEXT_MAX - 1 bytes, on both sides.
 */
#ifndef V2S_WSTATE_H
#define V2S_WSTATE_H

#include <stdint.h>

#include "db.h"

enum wstate_key {
	WS_HEARTBEAT, /* unix seconds of the worker's last tick */
	WS_TICK_US, /* how long that tick took, microseconds */
	WS_TICK_MS, /* wall time (ms) of the last committed accounting */
	WS_CORE_UP, /* 1 the core answered, 0 it did not, -1 unknown */
	WS_CORE_SINCE, /* unix seconds of the last change of core_up */
	WS_CORE_UPTIME, /* the core's uptime (s) at that accounting */
	WS_CORE_ERROR, /* why the core did not answer; "" if it did */
	WS_CORE_CONFIG_ERROR, /* why its config cannot be read; "" */
	WS_NET_RX_BPS, /* features.network: rates over the last tick */
	WS_NET_TX_BPS,
	WS_NET_RX_PPS,
	WS_NET_TX_PPS,
	WS_ACCESS_LOG_POS, /* "DEV INO OFF" committed with the log's lines */
	WS_ACCESS_LOG_FP, /* "INO OFF HEAD BACK" (hex): its fingerprints */
	WS_ROUTE_WARNING, /* proxy inbounds that can reach the APIs; "" */
	WS_ACCESS_LOG_GUARD, /* its record guard's span left (recguard.h) */
	WS_LOG_INSIDE_RECORDS, /* lines skipped: inside a record (total) */
	WS_IP_UNCONFIRMED, /* excess IPs not banned: no TCP conn. (total) */
	WS_OUTBOX_SENT, /* notifications Telegram accepted (total) */
	WS_OUTBOX_FAILED, /* ... it rejected for good, e.g. 400 (total) */
	WS_OUTBOX_DROPPED, /* ... dropped by the outbox's bounds (total) */
	WS_OUTBOX_LAST_ERROR, /* the last failed attempt's error; "" */
	WS_OUTBOX_LAST_ERROR_AT, /* its unix seconds, 0 = none */
	WS_BANNED_LOG_POS, /* paths.f2b_banned_log: as access_log_pos */
	WS_BANNED_LOG_FP, /* ... and as access_log_fp */
	WS_SYSMON_STATE, /* services up/down, memory/disk alerts raised */
	WS_REPORT_LAST, /* local date "YYYY-MM-DD" of the last daily report */
	WS_CONFIG_REMOVED, /* users marked config_removed (lib/users.h) */
	WS_CONFIG_REMOVED_WARNING, /* ... as a warning for health; "" */
	WS__MAX
};

#define WSTATE_TEXT_MAX 600

/* The key's name in the table ("heartbeat", "access_log_pos"...). */
const char *wstate_name(enum wstate_key key);

/* Writes one value (inside the caller's transaction, if any).  DB_OK,
 * DB_BUSY or DB_ERR. */
int wstate_set_int(struct db *db, enum wstate_key key, int64_t v);
/* TEXT is cut to WSTATE_TEXT_MAX - 1 bytes (at a UTF-8 boundary). */
int wstate_set_text(struct db *db, enum wstate_key key, const char *text);

/* Reads one value: 1 found (in *OUT), 0 absent (*OUT untouched), DB_*. */
int wstate_get_int(struct db *db, enum wstate_key key, int64_t *out);
int wstate_get_text(
    struct db *db, enum wstate_key key, char out[WSTATE_TEXT_MAX]);

/* Every value at once, as the responder reads them. */
struct wstate {
	int64_t num[WS__MAX]; /* as an integer; absent: 0 (core_up: -1) */
	char text[WS__MAX][WSTATE_TEXT_MAX]; /* as text; absent: "" */
};

/* Fills WS from the table in one query.  DB_OK, or DB_BUSY / DB_ERR with
 * the keys not read yet at their defaults. */
int wstate_load(struct db *db, struct wstate *ws);

#endif
