/*
 * One tick of the worker: read the core's counters and uptime, commit the
 * accounting, and publish the worker's and the core's state for
 * /api/v1/health and /api/v1/metrics.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "coreapi.h"
#include "log.h"
#include "netdev.h"
#include "worker.h"

/*
 * Samples the network interface (features.network) and publishes its
 * rates: bits and packets per second since the previous sample.
 */
static int
net_rates(struct worker *w)
{
	static const enum wstate_key keys[4] = { WS_NET_RX_BPS, WS_NET_TX_BPS,
		WS_NET_RX_PPS, WS_NET_TX_PPS };
	struct netdev nd;
	int64_t now = mono_us(), dt, v[4];
	int i, rc = DB_OK;

	if (!w->cfg.feat_network ||
	    netdev_read(w->cfg.net_interface, &nd) == -1)
		return DB_OK;
	dt = now - w->net_at;
	if (w->net_at > 0 && dt > 0 && nd.rx_bytes >= w->net_last.rx_bytes &&
	    nd.tx_bytes >= w->net_last.tx_bytes) {
		v[0] = (nd.rx_bytes - w->net_last.rx_bytes) * 8000000 / dt;
		v[1] = (nd.tx_bytes - w->net_last.tx_bytes) * 8000000 / dt;
		v[2] = (nd.rx_packets - w->net_last.rx_packets) * 1000000 / dt;
		v[3] = (nd.tx_packets - w->net_last.tx_packets) * 1000000 / dt;
		for (i = 0; i < 4 && rc == DB_OK; i++)
			rc = wstate_set_int(&w->db, keys[i], v[i]);
	}
	w->net_last = nd;
	w->net_at = now;
	return rc;
}

/* Publishes the worker's and the core's state in one short transaction. */
static void
publish(struct worker *w, int64_t tick_us)
{
	struct db *db = &w->db;

	if (db_begin(db) != DB_OK)
		return;
	if (wstate_set_int(db, WS_HEARTBEAT, (int64_t)time(NULL)) != DB_OK ||
	    wstate_set_int(db, WS_TICK_US, tick_us) != DB_OK ||
	    wstate_set_int(db, WS_CORE_UP, w->core_up) != DB_OK ||
	    wstate_set_int(db, WS_CORE_SINCE, (int64_t)w->core_since) !=
		DB_OK ||
	    wstate_set_text(db, WS_CORE_ERROR, w->core_error) != DB_OK ||
	    wstate_set_text(db, WS_CORE_CONFIG_ERROR, w->corecfg_error) !=
		DB_OK ||
	    net_rates(w) != DB_OK)
		db_rollback(db);
	else
		db_commit(db);
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
