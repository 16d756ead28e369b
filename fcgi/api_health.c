/*
 * GET /api/v1/health (JSON, 200 or 503) and GET /api/v1/metrics
 * (Prometheus text exposition), from the state the worker publishes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "fcgi.h"
#include "log.h"
#include "wstate.h"

static void
jadd(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		fatalx("json: out of memory");
	json_object_object_add(o, key, v);
}

static void
iso_time(long long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(out, outsz, "%s", "");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
api_health(struct req *req)
{
	struct json_object *root, *w, *c, *d;
	struct wstate ws;
	char since[32];
	long long now = (long long)time(NULL), age, limit;
	int dbok, alive, healthy;

	dbok = wstate_load(&req->app->db, &ws) == DB_OK;
	age = ws.num[WS_HEARTBEAT] > 0 ? now - ws.num[WS_HEARTBEAT] : -1;
	/* Three missed ticks (and some slack) mean the worker is gone. */
	limit = 3LL * req->app->cfg.ticker_interval + 5;
	alive = dbok && age >= 0 && age <= limit;
	/* An unreadable core config stops user changes (nothing is deleted
	 * because of it, but nothing is applied either). */
	healthy = alive && ws.num[WS_CORE_UP] == 1 &&
	    ws.text[WS_CORE_CONFIG_ERROR][0] == '\0';

	if ((root = json_object_new_object()) == NULL ||
	    (w = json_object_new_object()) == NULL ||
	    (c = json_object_new_object()) == NULL ||
	    (d = json_object_new_object()) == NULL)
		fatalx("json: out of memory");
	jadd(root, "status", json_object_new_string(healthy ? "ok" : "fail"));
	jadd(w, "alive", json_object_new_boolean(alive));
	jadd(w, "heartbeat_age_seconds", json_object_new_int64(age));
	jadd(w, "last_tick_duration_ms",
	    json_object_new_double((double)ws.num[WS_TICK_US] / 1000.0));
	jadd(w, "last_tick_age_seconds",
	    json_object_new_int64(
		ws.num[WS_TICK_MS] > 0 ? now - ws.num[WS_TICK_MS] / 1000 : -1));
	jadd(root, "worker", w);
	jadd(c, "reachable", json_object_new_boolean(ws.num[WS_CORE_UP] == 1));
	iso_time(ws.num[WS_CORE_SINCE], since, sizeof(since));
	jadd(c, "since", json_object_new_string(since));
	jadd(
	    c, "uptime_seconds", json_object_new_int64(ws.num[WS_CORE_UPTIME]));
	jadd(c, "error", json_object_new_string(ws.text[WS_CORE_ERROR]));
	jadd(c, "config_error",
	    json_object_new_string(ws.text[WS_CORE_CONFIG_ERROR]));
	jadd(root, "core", c);
	jadd(d, "ok", json_object_new_boolean(dbok));
	jadd(root, "database", d);

	buf_reset(&req->out);
	buf_puts(&req->out,
	    json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_putc(&req->out, '\n');
	json_object_put(root);
	req->status = healthy ? 200 : 503;
	req->out_type = "application/json; charset=utf-8";
	return req->status;
}

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
	static const char users_sql[] = "SELECT user, uplink, downlink, rate "
					"FROM clients_stats ORDER BY user";
	static const char links_sql[] = "SELECT source, direction, uplink, "
					"downlink, rate FROM traffic_stats "
					"ORDER BY direction, source";
	sqlite3_stmt *st;
	int rc;

	family(b, name, type, help);
	if ((st = db_stmt(&req->app->db, links_sql)) == NULL)
		return DB_ERR;
	while ((rc = db_step(&req->app->db, st)) == 1)
		sample(b, name, db_text(st, 1), db_text(st, 0),
		    sqlite3_column_int64(st, 2 + col));
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if ((st = db_stmt(&req->app->db, users_sql)) == NULL)
		return DB_ERR;
	while ((rc = db_step(&req->app->db, st)) == 1)
		sample(b, name, "user", db_text(st, 0),
		    sqlite3_column_int64(st, 1 + col));
	sqlite3_reset(st);
	return rc < 0 ? rc : DB_OK;
}

int
api_metrics(struct req *req)
{
	struct buf b;
	struct wstate ws;
	sqlite3_stmt *st;
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

	st = db_stmt(&req->app->db,
	    "SELECT count(*), coalesce(sum(enabled = 'true'), 0), "
	    "coalesce(sum(last_seen = 'online'), 0) FROM clients_stats");
	if (st == NULL) {
		rc = DB_ERR;
		goto fail;
	}
	if ((rc = db_step(&req->app->db, st)) == 1) {
		family(&b, "v2ray_stat_users", "gauge", "Users known.");
		buf_printf(&b, "v2ray_stat_users %lld\n",
		    (long long)sqlite3_column_int64(st, 0));
		family(
		    &b, "v2ray_stat_users_enabled", "gauge", "Users enabled.");
		buf_printf(&b, "v2ray_stat_users_enabled %lld\n",
		    (long long)sqlite3_column_int64(st, 1));
		family(&b, "v2ray_stat_users_online", "gauge",
		    "Users above the online rate threshold.");
		buf_printf(&b, "v2ray_stat_users_online %lld\n",
		    (long long)sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
	if (rc < 0 || (rc = wstate_load(&req->app->db, &ws)) != DB_OK)
		goto fail;
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
	buf_free(&req->out);
	req->out = b;
	req->status = 200;
	req->out_type = "text/plain; version=0.0.4; charset=utf-8";
	return 200;
fail:
	buf_free(&b);
	return reply_db_error(req, rc);
}
