/* The worker's published state (see wstate.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "wstate.h"

static const struct {
	const char *name;
	int64_t absent; /* the integer of a key not written yet */
} keys[WS__MAX] = {
	[WS_HEARTBEAT] = { "heartbeat", 0 },
	[WS_TICK_US] = { "tick_us", 0 },
	[WS_TICK_MS] = { "tick_ms", 0 },
	[WS_CORE_UP] = { "core_up", -1 },
	[WS_CORE_SINCE] = { "core_since", 0 },
	[WS_CORE_UPTIME] = { "core_uptime", 0 },
	[WS_CORE_ERROR] = { "core_error", 0 },
	[WS_CORE_CONFIG_ERROR] = { "core_config_error", 0 },
	[WS_NET_RX_BPS] = { "net_rx_bps", 0 },
	[WS_NET_TX_BPS] = { "net_tx_bps", 0 },
	[WS_NET_RX_PPS] = { "net_rx_pps", 0 },
	[WS_NET_TX_PPS] = { "net_tx_pps", 0 },
	[WS_ACCESS_LOG_POS] = { "access_log_pos", 0 },
	[WS_ACCESS_LOG_FP] = { "access_log_fp", 0 },
	[WS_ROUTE_WARNING] = { "route_warning", 0 },
	[WS_ACCESS_LOG_GUARD] = { "access_log_guard", -1 },
	[WS_LOG_INSIDE_RECORDS] = { "log_inside_records", 0 },
	[WS_IP_UNCONFIRMED] = { "ip_limit_unconfirmed", 0 },
	[WS_OUTBOX_SENT] = { "outbox_sent", 0 },
	[WS_OUTBOX_FAILED] = { "outbox_failed", 0 },
	[WS_OUTBOX_DROPPED] = { "outbox_dropped", 0 },
	[WS_OUTBOX_LAST_ERROR] = { "outbox_last_error", 0 },
	[WS_OUTBOX_LAST_ERROR_AT] = { "outbox_last_error_at", 0 },
	[WS_BANNED_LOG_POS] = { "banned_log_pos", 0 },
	[WS_BANNED_LOG_FP] = { "banned_log_fp", 0 },
	[WS_SYSMON_STATE] = { "sysmon_state", 0 },
	[WS_REPORT_LAST] = { "report_last", 0 },
	[WS_CONFIG_REMOVED] = { "config_removed", 0 },
	[WS_CONFIG_REMOVED_WARNING] = { "config_removed_warning", 0 },
};

static const char set_sql[] =
    "INSERT OR REPLACE INTO worker_state (key, value) VALUES (?1, ?2)";

const char *
wstate_name(enum wstate_key key)
{
	return keys[key].name;
}

int
wstate_set_int(struct db *db, enum wstate_key key, int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	return db_run(db, set_sql, dbv_text(keys[key].name), dbv_text(text));
}

int
wstate_set_text(struct db *db, enum wstate_key key, const char *text)
{
	size_t n = strlen(text);

	if (n >= WSTATE_TEXT_MAX) {
		n = WSTATE_TEXT_MAX - 1;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	return db_run(
	    db, set_sql, dbv_text(keys[key].name), dbv_textn(text, n));
}

int
wstate_get_int(struct db *db, enum wstate_key key, int64_t *out)
{
	return db_get_int(db, out,
	    "SELECT CAST(value AS INTEGER) FROM worker_state WHERE key = ?1",
	    dbv_text(keys[key].name));
}

int
wstate_get_text(struct db *db, enum wstate_key key, char out[WSTATE_TEXT_MAX])
{
	return db_get_str(db, out, WSTATE_TEXT_MAX,
	    "SELECT value FROM worker_state WHERE key = ?1",
	    dbv_text(keys[key].name));
}

int
wstate_load(struct db *db, struct wstate *ws)
{
	sqlite3_stmt *st;
	const char *name;
	int k, rc;

	for (k = 0; k < WS__MAX; k++) {
		ws->num[k] = keys[k].absent;
		ws->text[k][0] = '\0';
	}
	st = db_query(
	    db, "SELECT key, value, CAST(value AS INTEGER) FROM worker_state");
	while ((rc = db_next(db, st)) == 1) {
		name = db_text(st, 0);
		for (k = 0; k < WS__MAX; k++)
			if (strcmp(name, keys[k].name) == 0)
				break;
		if (k == WS__MAX)
			continue;
		ws->num[k] = sqlite3_column_int64(st, 2);
		snprintf(
		    ws->text[k], sizeof(ws->text[k]), "%s", db_text(st, 1));
	}
	return rc < 0 ? rc : DB_OK;
}
