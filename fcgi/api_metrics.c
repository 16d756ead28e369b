/*
 * GET /api/v1/metrics: the Prometheus text exposition of every user's and
 * every inbound's and outbound's traffic, the user counts, the worker's
 * and the core's state (lib/wstate.h) and the Telegram notifications'
 * (lib/outbox.h).
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "fcgi.h"
#include "outbox.h"
#include "users.h"
#include "wstate.h"

/* Appends S as a Prometheus label value (escaping \, " and newline). */
static void
label_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_putc(b, '\\');
		if (*s == '\n') {
			buf_puts(b, "\\n");
			continue;
		}
		buf_putc(b, *s);
	}
}

/* Writes one sample line NAME{dimension="D",target="T"} V. */
static void
sample(struct buf *b, const char *name, const char *dim, const char *target,
    long long v)
{
	buf_printf(b, "%s{dimension=\"%s\",target=\"", name, dim);
	label_value(b, target);
	buf_printf(b, "\"} %lld\n", v);
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Emits one metric family over users and traffic_stats rows. */
static int
traffic_family(struct req *req, struct buf *b, const char *name,
    const char *type, const char *help, int col)
{
	struct user u;
	sqlite3_stmt *st;
	int64_t v[3];
	int rc;

	family(b, name, type, help);
	st = db_query(&req->app->db,
	    "SELECT source, direction, uplink, downlink, rate FROM "
	    "traffic_stats ORDER BY direction, source");
	while ((rc = db_next(&req->app->db, st)) == 1)
		sample(b, name, db_text(st, 1), db_text(st, 0),
		    sqlite3_column_int64(st, 2 + col));
	if (rc < 0)
		return rc;
	st = users_list(&req->app->db);
	while ((rc = db_next(&req->app->db, st)) == 1) {
		users_read(st, &u);
		v[0] = u.uplink;
		v[1] = u.downlink;
		v[2] = u.rate;
		sample(b, name, "user", u.name, v[col]);
	}
	return rc < 0 ? rc : DB_OK;
}

/* The notifications' families: the outbox and the sender's counters. */
static void
notify_families(struct buf *b, const struct wstate *ws,
    const struct outbox_stats *st, long long now)
{
	family(b, "v2ray_stat_notifications_queued", "gauge",
	    "Telegram notifications waiting in the outbox.");
	buf_printf(
	    b, "v2ray_stat_notifications_queued %lld\n", (long long)st->queued);
	family(b, "v2ray_stat_notifications_oldest_age_seconds", "gauge",
	    "Age of the oldest notification waiting (0: none).");
	buf_printf(b, "v2ray_stat_notifications_oldest_age_seconds %lld\n",
	    st->queued > 0 && now > st->oldest ? now - st->oldest : 0);
	family(b, "v2ray_stat_notifications_sent_total", "counter",
	    "Notifications Telegram accepted.");
	buf_printf(b, "v2ray_stat_notifications_sent_total %lld\n",
	    (long long)ws->num[WS_OUTBOX_SENT]);
	family(b, "v2ray_stat_notifications_failed_total", "counter",
	    "Notifications Telegram rejected for good (their text).");
	buf_printf(b, "v2ray_stat_notifications_failed_total %lld\n",
	    (long long)ws->num[WS_OUTBOX_FAILED]);
	family(b, "v2ray_stat_notifications_dropped_total", "counter",
	    "Notifications dropped undelivered by the outbox's bounds.");
	buf_printf(b, "v2ray_stat_notifications_dropped_total %lld\n",
	    (long long)ws->num[WS_OUTBOX_DROPPED]);
	family(b, "v2ray_stat_notifications_last_error_timestamp_seconds",
	    "gauge", "When a delivery last failed (unix time, 0: never).");
	buf_printf(b,
	    "v2ray_stat_notifications_last_error_timestamp_seconds %lld\n",
	    (long long)ws->num[WS_OUTBOX_LAST_ERROR_AT]);
}

int
api_metrics(struct req *req)
{
	struct buf b;
	struct wstate ws;
	struct outbox_stats ob;
	int64_t users, enabled, online;
	long long now = (long long)time(NULL);
	int rc;

	buf_init(&b);
	if ((rc = traffic_family(req, &b,
		 "v2ray_stat_traffic_uplink_bytes_total", "counter",
		 "Bytes sent by the client, since the last reset.", 0)) !=
		DB_OK ||
	    (rc = traffic_family(req, &b,
		 "v2ray_stat_traffic_downlink_bytes_total", "counter",
		 "Bytes received by the client, since the last reset.", 1)) !=
		DB_OK ||
	    (rc = traffic_family(req, &b, "v2ray_stat_traffic_rate_bits",
		 "gauge", "Bits per second over the last tick.", 2)) != DB_OK)
		goto fail;

	if ((rc = users_count(&req->app->db, &users, &enabled, &online)) !=
		DB_OK ||
	    (rc = wstate_load(&req->app->db, &ws)) != DB_OK ||
	    (rc = outbox_stats(&req->app->db, &ob)) != DB_OK)
		goto fail;
	family(&b, "v2ray_stat_users", "gauge", "Users known.");
	buf_printf(&b, "v2ray_stat_users %lld\n", (long long)users);
	family(&b, "v2ray_stat_users_enabled", "gauge", "Users enabled.");
	buf_printf(&b, "v2ray_stat_users_enabled %lld\n", (long long)enabled);
	family(&b, "v2ray_stat_users_online", "gauge",
	    "Users above the online rate threshold.");
	buf_printf(&b, "v2ray_stat_users_online %lld\n", (long long)online);
	family(&b, "v2ray_stat_worker_heartbeat_age_seconds", "gauge",
	    "Seconds since the worker last reported.");
	buf_printf(&b, "v2ray_stat_worker_heartbeat_age_seconds %lld\n",
	    ws.num[WS_HEARTBEAT] > 0 ? now - ws.num[WS_HEARTBEAT] : -1);
	family(&b, "v2ray_stat_worker_tick_duration_seconds", "gauge",
	    "Duration of the worker's last tick.");
	buf_printf(&b, "v2ray_stat_worker_tick_duration_seconds %.6f\n",
	    (double)ws.num[WS_TICK_US] / 1e6);
	family(&b, "v2ray_stat_core_up", "gauge",
	    "1 if the core's API answered the last tick.");
	buf_printf(&b, "v2ray_stat_core_up %d\n", ws.num[WS_CORE_UP] == 1);
	family(&b, "v2ray_stat_core_uptime_seconds", "gauge",
	    "The core's uptime as it reports it.");
	buf_printf(&b, "v2ray_stat_core_uptime_seconds %lld\n",
	    (long long)ws.num[WS_CORE_UPTIME]);
	family(&b, "v2ray_stat_access_log_inside_record_lines_total", "counter",
	    "Access-log lines skipped: they begin inside a record of the core "
	    "(client text).");
	buf_printf(&b, "v2ray_stat_access_log_inside_record_lines_total %lld\n",
	    (long long)ws.num[WS_LOG_INSIDE_RECORDS]);
	family(&b, "v2ray_stat_ip_limit_unconfirmed_total", "counter",
	    "IPs beyond lim_ip not banned: no TCP connection to this host.");
	buf_printf(&b, "v2ray_stat_ip_limit_unconfirmed_total %lld\n",
	    (long long)ws.num[WS_IP_UNCONFIRMED]);
	notify_families(&b, &ws, &ob, now);
	buf_free(&req->out);
	req->out = b;
	req->status = 200;
	req->out_type = "text/plain; version=0.0.4; charset=utf-8";
	return 200;
fail:
	buf_free(&b);
	return reply_db_error(req, rc);
}
