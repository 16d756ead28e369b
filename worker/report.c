/*
 * The daily report (sysmon.h): once per local date, at
 * telegram.report_time or at the first tick after it, a summary of the
 * machine goes to the outbox with the date in worker_state report_last.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "outbox.h"
#include "procinfo.h"
#include "sysmon.h"
#include "tgmsg.h"
#include "units.h"
#include "worker.h"
#include "xmalloc.h"

/* How long the core's version command may take, and its result kept. */
#define COREVER_TIMEOUT_MS 2000
#define COREVER_KEEP_MS (3600 * 1000)

int
report_date_valid(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != '-')
			return 0;
	return s[i] == '\0';
}

int
report_due(const char *today, int minute, const char *last, int report_minute)
{
	if (report_minute < 0 || report_minute >= 24 * 60 ||
	    !report_date_valid(today) || minute < report_minute)
		return 0;
	/* "YYYY-MM-DD" compares as text as it does as a date; a last date
	 * after today (the clock went back) waits for that date to pass. */
	return !report_date_valid(last) || strcmp(last, today) < 0;
}

static const char *
core_name(enum core_type t)
{
	switch (t) {
	case CORE_V2FLY:
		return "v2fly";
	case CORE_SINGBOX:
		return "singbox";
	default:
		return "xray";
	}
}

/* The totals of traffic_stats' inbound rows, formatted. */
static void
traffic(struct worker *w, char *total, char *up, char *down, size_t sz)
{
	sqlite3_stmt *st;
	int64_t u = 0, d = 0;

	/* Every inbound but the API's (left out by the accounting): all
	 * the customers' traffic, whatever outbound it took. */
	if (db_row(&w->db, &st,
		"SELECT COALESCE(SUM(uplink), 0), COALESCE(SUM(downlink), 0) "
		"FROM traffic_stats WHERE direction = 'inbound'") == 1) {
		u = sqlite3_column_int64(st, 0);
		d = sqlite3_column_int64(st, 1);
		db_done(st);
	}
	fmt_bytes(u > INT64_MAX - d ? INT64_MAX : u + d, total, sz);
	fmt_bytes(u, up, sz);
	fmt_bytes(d, down, sz);
}

/* "▲ xray ▼ nginx" for the services watched, into B. */
static void
status_line(struct worker *w, struct buf *b)
{
	struct sysmon *sm = w->sysmon;
	size_t i;

	if (sm->nsvc == 0) {
		buf_puts(b, "no services configured");
		return;
	}
	procinfo_running("/proc", w->cfg.services, sm->nsvc, sm->running);
	for (i = 0; i < sm->nsvc; i++)
		buf_printf(b, "%s%s %s", i > 0 ? " " : "",
		    sm->running[i] ? "▲" : "▼", w->cfg.services[i]);
}

/* Builds the report into MSG. */
static void
build(struct worker *w, struct buf *msg)
{
	static const char *const tcp[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	static const char *const udp[] = { "/proc/net/udp", "/proc/net/udp6" };
	struct sysmon *sm = w->sysmon;
	struct tgmsg_report r;
	struct meminfo mi;
	struct buf status;
	char text[PROCINFO_SMALL], v4[64], v6[64], up[64], load[64], ram[96];
	char total[32], tup[32], tdown[32];
	int64_t now = mono_ms();

	if (sm->core_version_at == 0 ||
	    now - sm->core_version_at > COREVER_KEEP_MS) {
		corever_get(&w->cfg, COREVER_TIMEOUT_MS, sm->core_version,
		    sizeof(sm->core_version));
		sm->core_version_at = now;
	}
	host_addresses(v4, sizeof(v4), v6, sizeof(v6));
	if (procinfo_read("/proc/uptime", text, sizeof(text)) == -1 ||
	    procinfo_uptime(text, up, sizeof(up)) == -1)
		snprintf(up, sizeof(up), "unknown");
	if (procinfo_read("/proc/loadavg", text, sizeof(text)) == -1 ||
	    procinfo_loadavg(text, load, sizeof(load)) == -1)
		snprintf(load, sizeof(load), "unknown");
	if (procinfo_read("/proc/meminfo", text, sizeof(text)) == 0 &&
	    procinfo_meminfo(text, &mi) == 0)
		snprintf(ram, sizeof(ram), "%.2f MB used / %.2f MB total",
		    (double)(mi.total_kb - mi.avail_kb) / 1024.0,
		    (double)mi.total_kb / 1024.0);
	else
		snprintf(ram, sizeof(ram), "unknown");
	traffic(w, total, tup, tdown, sizeof(total));
	buf_init(&status);
	status_line(w, &status);

	memset(&r, 0, sizeof(r));
	r.version = PACKAGE_VERSION;
	r.core = core_name(w->cfg.core_type);
	r.core_version = sm->core_version;
	r.ipv4 = v4;
	r.ipv6 = v6;
	r.uptime = up;
	r.load = load;
	r.ram = ram;
	if ((r.tcp = procinfo_sockets(tcp, 2)) < 0)
		r.tcp = 0;
	if ((r.udp = procinfo_sockets(udp, 2)) < 0)
		r.udp = 0;
	r.traffic = total;
	r.up = tup;
	r.down = tdown;
	r.status = buf_str(&status);
	tgmsg_report(msg, &r);
	buf_free(&status);
}

/* Reads report_last once; 0, or -1 if the database did not answer. */
static int
load_last(struct worker *w)
{
	struct sysmon *sm = w->sysmon;
	char text[WSTATE_TEXT_MAX];
	int rc;

	if (sm->report_loaded)
		return 0;
	if ((rc = wstate_get_text(&w->db, WS_REPORT_LAST, text)) < 0)
		return -1;
	sm->report_last[0] = '\0';
	if (rc == 1 && report_date_valid(text))
		memcpy(sm->report_last, text, 11);
	sm->report_loaded = 1;
	return 0;
}

void
report_tick(struct worker *w)
{
	struct sysmon *sm = w->sysmon;
	struct db *db = &w->db;
	struct buf msg;
	struct tm tm;
	time_t now = time(NULL);
	char today[16];
	int rc;

	if (sm == NULL || w->cfg.telegram_report_minute < 0 ||
	    !outbox_wants(&w->cfg, OB_REPORT) || load_last(w) == -1)
		return;
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(today, sizeof(today), "%Y-%m-%d", &tm) != 10 ||
	    !report_due(today, tm.tm_hour * 60 + tm.tm_min, sm->report_last,
		w->cfg.telegram_report_minute))
		return;
	buf_init(&msg);
	build(w, &msg);
	if ((rc = db_begin(db)) == DB_OK &&
	    (rc = outbox_add(db, &w->cfg, OB_REPORT, buf_str(&msg),
		 (int64_t)now, NULL)) >= 0 &&
	    (rc = wstate_set_text(db, WS_REPORT_LAST, today)) == DB_OK &&
	    (rc = db_commit(db)) == DB_OK) {
		memcpy(sm->report_last, today, 11);
		log_info("daily report of %s queued", today);
	} else {
		db_rollback(db);
		log_warnx("daily report: cannot save (%s); tried again next "
			  "tick",
		    rc == DB_BUSY ? "database busy" : "database error");
	}
	buf_free(&msg);
}
