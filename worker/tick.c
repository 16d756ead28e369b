/*
 * One tick of the worker: read the core's counters and uptime, commit the
 * accounting, and publish the worker's and the core's state for
 * /api/v1/health and /api/v1/metrics.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "coreapi.h"
#include "log.h"
#include "netdev.h"
#include "worker.h"

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct kv {
	const char *key;
	char val[600];
};

/*
 * Samples the network interface (features.network) and adds its rates to
 * KV: bits and packets per second since the previous sample.
 */
static size_t
net_rates(struct worker *w, struct kv *kv, size_t n)
{
	struct netdev nd;
	int64_t now = mono_us(), dt;
	long long v[4];
	static const char *const keys[4] = { "net_rx_bps", "net_tx_bps",
		"net_rx_pps", "net_tx_pps" };
	int i;

	if (!w->cfg.feat_network ||
	    netdev_read(w->cfg.net_interface, &nd) == -1)
		return n;
	dt = now - w->net_at;
	if (w->net_at > 0 && dt > 0 && nd.rx_bytes >= w->net_last.rx_bytes &&
	    nd.tx_bytes >= w->net_last.tx_bytes) {
		v[0] = (nd.rx_bytes - w->net_last.rx_bytes) * 8000000 / dt;
		v[1] = (nd.tx_bytes - w->net_last.tx_bytes) * 8000000 / dt;
		v[2] = (nd.rx_packets - w->net_last.rx_packets) * 1000000 / dt;
		v[3] = (nd.tx_packets - w->net_last.tx_packets) * 1000000 / dt;
		for (i = 0; i < 4; i++) {
			snprintf(kv[n].val, sizeof(kv[n].val), "%lld", v[i]);
			kv[n++].key = keys[i];
		}
	}
	w->net_last = nd;
	w->net_at = now;
	return n;
}

/* Writes the published state in one short transaction. */
static void
publish(struct worker *w, int64_t tick_us)
{
	static const char sql[] = "INSERT OR REPLACE INTO worker_state "
				  "(key, value) VALUES (?1, ?2)";
	struct kv kv[12];
	sqlite3_stmt *st;
	size_t i, n = 0;

	snprintf(kv[n].val, sizeof(kv[n].val), "%lld", (long long)time(NULL));
	kv[n++].key = "heartbeat";
	snprintf(kv[n].val, sizeof(kv[n].val), "%lld", (long long)tick_us);
	kv[n++].key = "tick_us";
	snprintf(kv[n].val, sizeof(kv[n].val), "%d", w->core_up);
	kv[n++].key = "core_up";
	snprintf(
	    kv[n].val, sizeof(kv[n].val), "%lld", (long long)w->core_since);
	kv[n++].key = "core_since";
	snprintf(kv[n].val, sizeof(kv[n].val), "%s", w->core_error);
	kv[n++].key = "core_error";
	snprintf(kv[n].val, sizeof(kv[n].val), "%s", w->corecfg_error);
	kv[n++].key = "core_config_error";
	n = net_rates(w, kv, n);
	if (db_begin(&w->db) != DB_OK)
		return;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(&w->db, sql)) == NULL)
			break;
		sqlite3_bind_text(st, 1, kv[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kv[i].val, -1, SQLITE_STATIC);
		if (db_step(&w->db, st) < 0) {
			sqlite3_reset(st);
			break;
		}
		sqlite3_reset(st);
	}
	if (i == n)
		db_commit(&w->db);
	else
		db_rollback(&w->db);
}

/* Records whether the core answered, logging only the changes. */
static void
core_state(struct worker *w, int up, const char *why)
{
	char esc[400];

	/* Logged once per change of state; health keeps the latest reason
	 * (it moves from "Socket closed" to "Connection refused"). */
	if (up != w->core_up) {
		if (up)
			log_info("core API at %s answers again",
			    w->cfg.core_api_address);
		else
			log_warnx("core API at %s: %s", w->cfg.core_api_address,
			    log_escape(why, strlen(why), esc, sizeof(esc)));
		w->core_since = time(NULL);
	} else if (!up && strcmp(why, w->core_error) != 0)
		log_debug("core API at %s: %s", w->cfg.core_api_address,
		    log_escape(why, strlen(why), esc, sizeof(esc)));
	w->core_up = up;
	snprintf(w->core_error, sizeof(w->core_error), "%s", up ? "" : why);
}

int
worker_tick(struct worker *w)
{
	struct coreapi_sys sys;
	enum coreapi_rc rc;
	char why[COREAPI_DETAILS_MAX + 64];
	int64_t t0 = mono_us();
	time_t outage;
	size_t n = 0;
	int dbrc, restarted = 0, came_back;

	rc = coreapi_sys(w->api, &sys);
	if (rc == COREAPI_UNIMPLEMENTED) {
		/* sing-box has no GetSysStats: restarts show as counters
		 * that dropped. */
		memset(&sys, 0, sizeof(sys));
		rc = COREAPI_OK;
	}
	if (rc == COREAPI_OK) {
		if ((dbrc = acct_begin(&w->acct, sys.uptime, wall_ms())) !=
		    DB_OK) {
			log_warnx("accounting: cannot read the database");
			goto out;
		}
		rc = coreapi_query(w->api, "", 0, acct_counter, &w->acct, &n);
	}
	if (rc != COREAPI_OK) {
		snprintf(why, sizeof(why), "%s: %s", coreapi_rc_name(rc),
		    coreapi_details(w->api));
		core_state(w, 0, why);
		goto out;
	}
	/* A core that comes back with an uptime shorter than the outage
	 * restarted during it, even when the uptimes on either side look
	 * alike (a crash in its first second: 0 before and after). */
	came_back = w->core_up == 0;
	outage = time(NULL) - w->core_since;
	core_state(w, 1, "");
	if (came_back && w->cfg.core_type != CORE_SINGBOX &&
	    (time_t)sys.uptime <= outage + 1) {
		log_info("core restarted while unreachable (uptime %u s, "
			 "unreachable for %lld s)",
		    sys.uptime, (long long)outage);
		restarted = 1;
	}
	if ((dbrc = acct_commit(&w->acct)) == DB_OK && w->acct.restarted)
		restarted = 1;
	if (dbrc != DB_OK)
		log_warnx("accounting: commit failed (%s); the tick is read "
			  "again next time",
		    dbrc == DB_BUSY ? "busy" : "error");
	else
		log_debug("tick: %zu counters, %zu ignored, %zu rows written",
		    w->acct.last_counters, w->acct.last_ignored,
		    w->acct.last_writes);
out:
	publish(w, mono_us() - t0);
	return restarted;
}
