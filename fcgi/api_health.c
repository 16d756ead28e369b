/*
 * GET /api/v1/health: is the worker alive, does the core answer, can its
 * config be read (JSON; 200 if all is well, else 503), and what is unsafe
 * though working ("warnings"), from the state the worker publishes
 * (lib/wstate.h), and how the Telegram notifications go (lib/outbox.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "fcgi.h"
#include "log.h"
#include "outbox.h"
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

/* The "notifications" object: the outbox and the sender's counters. */
static struct json_object *
notifications(struct req *req, const struct wstate *ws, long long now)
{
	struct json_object *n;
	struct outbox_stats st;
	char at[32];

	if (outbox_stats(&req->app->db, &st) != DB_OK)
		memset(&st, 0, sizeof(st));
	if ((n = json_object_new_object()) == NULL)
		fatalx("json: out of memory");
	jadd(n, "enabled",
	    json_object_new_boolean(outbox_configured(&req->app->cfg)));
	jadd(n, "queued", json_object_new_int64(st.queued));
	jadd(n, "oldest_age_seconds",
	    json_object_new_int64(
		st.queued > 0 && now > st.oldest ? now - st.oldest : 0));
	jadd(n, "sent", json_object_new_int64(ws->num[WS_OUTBOX_SENT]));
	jadd(n, "failed", json_object_new_int64(ws->num[WS_OUTBOX_FAILED]));
	jadd(n, "dropped", json_object_new_int64(ws->num[WS_OUTBOX_DROPPED]));
	jadd(n, "last_error",
	    json_object_new_string(ws->text[WS_OUTBOX_LAST_ERROR]));
	iso_time(ws->num[WS_OUTBOX_LAST_ERROR_AT], at, sizeof(at));
	jadd(n, "last_error_at", json_object_new_string(at));
	return n;
}

int
api_health(struct req *req)
{
	struct json_object *root, *w, *c, *d, *warn, *l;
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
	    (d = json_object_new_object()) == NULL ||
	    (warn = json_object_new_array()) == NULL ||
	    (l = json_object_new_object()) == NULL)
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
	jadd(c, "config_removed_users",
	    json_object_new_int64(ws.num[WS_CONFIG_REMOVED]));
	jadd(root, "core", c);
	jadd(d, "ok", json_object_new_boolean(dbok));
	jadd(root, "database", d);
	/* Worth an alarm, though the stack works (the status stays). */
	if (ws.text[WS_ROUTE_WARNING][0] != '\0' &&
	    json_object_array_add(
		warn, json_object_new_string(ws.text[WS_ROUTE_WARNING])) != 0)
		fatalx("json: out of memory");
	/* Enabled users someone took out of the core config by hand. */
	if (ws.text[WS_CONFIG_REMOVED_WARNING][0] != '\0' &&
	    json_object_array_add(warn,
		json_object_new_string(ws.text[WS_CONFIG_REMOVED_WARNING])) !=
		0)
		fatalx("json: out of memory");
	jadd(root, "warnings", warn);
	/* What the access log could not prove (v2ray-stat(8)). */
	jadd(l, "lines_inside_records",
	    json_object_new_int64(ws.num[WS_LOG_INSIDE_RECORDS]));
	jadd(l, "unconfirmed_ips",
	    json_object_new_int64(ws.num[WS_IP_UNCONFIRMED]));
	jadd(root, "access_log", l);
	jadd(root, "notifications", notifications(req, &ws, now));

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
