/*
 * v2ray-stat-worker: keeps the database in step with the proxy core.  It
 * runs in the foreground (systemd Type=simple) and logs to stderr.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "worker.h"

static void
usage(void)
{
	fprintf(stderr, "usage: v2ray-stat-worker [-hn] [-f config]\n");
	exit(1);
}

/* Records that the worker is alive, for the health endpoint. */
static void
heartbeat(struct worker *w)
{
	sqlite3_stmt *st;
	char now[32];

	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	st = db_stmt(&w->db,
	    "INSERT OR REPLACE INTO worker_state (key, value) "
	    "VALUES ('heartbeat', ?1)");
	if (st == NULL)
		return;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	db_step(&w->db, st);
	sqlite3_reset(st);
}

int
main(int argc, char *argv[])
{
	static struct worker w;
	struct timespec ts;
	struct buf msgs;
	sigset_t set;
	const char *path = CFG_DEFAULT_PATH;
	char err[512];
	int ch, check = 0, rc, sig;

	while ((ch = getopt(argc, argv, "f:hn")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	buf_init(&msgs);
	rc = cfg_load(&w.cfg, path, &msgs);
	if (msgs.len > 0)
		fputs(buf_str(&msgs), stderr);
	buf_free(&msgs);
	if (check) {
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
	log_init("v2ray-stat-worker", w.cfg.log_level, w.cfg.log_exclusive, 0);

	/* Signals are taken synchronously in the loop below; block them
	 * before any thread (the gRPC library's) is started. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (db_open(&w.db, w.cfg.database, err, sizeof(err)) != DB_OK)
		fatalx("%s", err);
	if (db_migrate(&w.db, err, sizeof(err)) != DB_OK)
		fatalx("%s", err);
	adopt_core_users(&w);
	log_info("started (core %s, database %s)", w.cfg.core_config,
	    w.cfg.database);

	for (;;) {
		heartbeat(&w);
		ts.tv_sec = w.cfg.ticker_interval;
		ts.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == -1 && errno != EAGAIN && errno != EINTR)
			fatal("sigtimedwait");
	}
	log_info("stopping");
	db_close(&w.db);
	cfg_free(&w.cfg);
	return 0;
}
