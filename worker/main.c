/*
 * v2ray-stat-worker: keeps the database in step with the proxy core.  It
 * runs in the foreground (systemd Type=simple) and logs to stderr.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "accesslog.h"
#include "banlog.h"
#include "cfgcheck.h"
#include "coreapi.h"
#include "corecfg.h"
#include "ingest.h"
#include "log.h"
#include "notify.h"
#include "notify_http.h"
#include "outbox.h"
#include "sysmon.h"
#include "worker.h"
#include "xmalloc.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: v2ray-stat-worker [-hn] [-f config] "
	    "[--check-log file]\n");
	exit(1);
}

/* 1 if core_applied has no rows (a first start, or an adopted database). */
static int
applied_empty(struct worker *w)
{
	return db_get_int(&w->db, NULL, "SELECT 1 FROM core_applied LIMIT 1") ==
	    0;
}

/* The core's API inbound tag from its config ("api" if unknown). */
static char *
api_tag(const struct cfg *cfg)
{
	struct corecfg cc;
	char err[512], *tag;

	if (corecfg_load(
		&cc, cfg->core_config, cfg->core_type, err, sizeof(err)) == -1)
		return xstrdup("api");
	tag = xstrdup(cc.api_tag != NULL ? cc.api_tag : "api");
	corecfg_free(&cc);
	return tag;
}

/* Reads the banned log about once a second, between the ticks. */
static void
banlog_due(struct worker *w)
{
	if (w->banlog == NULL || mono_ms() < w->banlog_at)
		return;
	banlog_poll(w->banlog, time(NULL));
	w->banlog_at = mono_ms() + 1000;
}

int
main(int argc, char *argv[])
{
	static struct worker w;
	struct timespec ts;
	struct buf msgs;
	sigset_t set;
	const char *path = CFG_DEFAULT_PATH;
	char err[512], *tag;
	static const struct option longopts[] = {
		{ "check-log", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *check_log = NULL;
	int64_t next, left, now;
	int ch, check = 0, rc, sig, deadline;

	while ((ch = getopt_long(argc, argv, "f:hn", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'L':
			check_log = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	buf_init(&msgs);
	rc = cfg_load(&w.cfg, path, accesslog_regex_check, &msgs);
	if (msgs.len > 0)
		fputs(buf_str(&msgs), stderr);
	buf_free(&msgs);
	if (check) {
		/* What the proxy's customers can reach: a warning, not an
		 * error. */
		if (rc == 0) {
			routewatch_report(&w.cfg, stderr);
			cfgcheck_report(&w.cfg, stderr);
		}
		fprintf(stderr, "v2ray-stat-worker: configuration file %s %s\n",
		    path, rc == 0 ? "is ok" : "has errors");
		cfg_free(&w.cfg);
		return rc == 0 ? 0 : 1;
	}
	if (rc == -1) {
		fprintf(stderr, "v2ray-stat-worker: %s: configuration errors\n",
		    path);
		return 1;
	}
	if (check_log != NULL) {
		rc = ingest_check_log(&w.cfg, check_log, stdout);
		cfg_free(&w.cfg);
		return rc;
	}
	log_init("v2ray-stat-worker", w.cfg.log_level, w.cfg.log_exclusive, 0);
	/* last_seen is written in the configured zone, as the original. */
	if (w.cfg.timezone[0] != '\0')
		setenv("TZ", w.cfg.timezone, 1);
	tzset();

	/* Signals are taken synchronously in the loop below; block them
	 * before any thread (the gRPC library's, the access log's) is
	 * started. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* libcurl is set up before any thread runs. */
	if (notify_http_global_init() == -1)
		fatalx("libcurl cannot be set up");
	/* The access log has a thread (and a connection) of its own. */
	if (db_threads() == -1)
		fatalx("SQLite cannot be used from two threads");
	if (db_open(&w.db, w.cfg.database, err, sizeof(err)) != DB_OK)
		fatalx("%s", err);
	if (db_migrate(&w.db, err, sizeof(err)) != DB_OK)
		fatalx("%s", err);
	adopt_core_users(&w);
	import_disabled_users(&w);

	/* A call may take at most half a tick (and never over 5 s). */
	deadline = w.cfg.ticker_interval * 500;
	if (deadline > 5000)
		deadline = 5000;
	w.api = coreapi_new(w.cfg.core_api_address, w.cfg.core_type, deadline);
	tag = api_tag(&w.cfg);
	acct_init(&w.acct, &w.db, tag, w.cfg.online_rate_threshold);
	w.acct.link_known = corewatch_link_known;
	w.acct.link_arg = &w;
	free(tag);
	w.core_up = -1;
	/* Created with the signals above blocked, which it inherits. */
	if ((w.ingest = ingest_thread_start(&w.cfg, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/* So is the Telegram sender, when there is a chat to send to. */
	if (outbox_configured(&w.cfg) &&
	    (w.notify = notify_thread_start(&w.cfg, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/* Telegram's "IP Banned": only when Telegram is configured. */
	if ((w.banlog = banlog_new(&w.db, &w.cfg)) != NULL)
		log_info("announcing the bans of %s", w.cfg.f2b_banned_log);
	w.reconcile_full = 1;
	sysmon_init(&w);
	w.applied_unknown = applied_empty(&w);
	log_info("started (core API %s, database %s)", w.cfg.core_api_address,
	    w.cfg.database);
	routewatch_tick(&w);

	next = mono_ms();
	for (;;) {
		now = mono_ms();
		if (now >= next) {
			if (worker_tick(&w))
				reconcile_core_restarted(&w);
			adopt_name_keys(&w, 0);
			subs_tick(&w);
			routewatch_tick(&w);
			corewatch_tick(&w);
			reconcile_poll(&w, 1);
			corefile_flush(&w, 1);
			authfile_tick(&w);
			sysmon_tick(&w);
			report_tick(&w);
			/* Ticks keep their rhythm however long one took. */
			next += (int64_t)w.cfg.ticker_interval * 1000;
			if (next <= mono_ms())
				next = mono_ms() + 1;
		} else
			reconcile_poll(&w, 0);
		corefile_flush(&w, 0);
		reload_due(&w);
		banlog_due(&w);
		/* API changes are looked for every 20 ms between ticks (one
		 * PRAGMA data_version when nothing changed). */
		left = next - mono_ms();
		if (left > 20)
			left = 20;
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == -1 && errno != EAGAIN && errno != EINTR)
			fatal("sigtimedwait");
	}
	log_info("stopping");
	corefile_flush(&w, 1);
	notify_thread_stop(w.notify);
	ingest_thread_stop(w.ingest);
	banlog_free(w.banlog);
	acct_free(&w.acct);
	coreapi_free(w.api);
	corecache_free(&w.core);
	corewatch_free(&w);
	sysmon_free(&w);
	db_close(&w.db);
	cfg_free(&w.cfg);
	return 0;
}
