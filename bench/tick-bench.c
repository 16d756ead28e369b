/*
 * tick-bench: times the worker's accounting tick against a core (the fake
 * core of bench/fake-core, or a real one) and, in the same run, the bare
 * QueryStats fetch + decode that is its floor.
 *
 *   tick-bench ADDRESS DBFILE USERS TICKS [IDLE_MS]
 *
 * The database gets USERS rows named as the fake core names them, so every
 * counter updates an existing row.  The channel is warmed up first (a new
 * HTTP/2 connection needs several calls before a large reply comes at full
 * speed; the worker's channel lives for days).  With IDLE_MS the channel
 * rests that long before each floor and tick, as between real ticks.  After the ticks it times
 * the storage floor as well: one UPDATE statement rewriting the counter
 * columns of every row, and its commit, which is the least any tick that
 * writes every user must spend in SQLite.  Prints one line of key=value
 * figures.
 */
#include "config.h"

#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "acct.h"
#include "coreapi.h"
#include "db.h"
#include "log.h"
#include "valid.h"

#define WARMUP_CALLS 12 /* untimed fetches before the first tick */
#define STORE_RUNS 5

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
count_cb(void *arg, const char *name, size_t len, int64_t value)
{
	size_t *n = arg;

	(void)name;
	(void)len;
	(void)value;
	(*n)++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char *argv[])
{
	struct coreapi *api;
	struct coreapi_sys sys;
	struct db db;
	struct acct acct;
	struct rusage ru;
	sqlite3_stmt *st;
	char err[512], name[64];
	long long users, ticks, idle_ms = 0, i;
	double *floor_t, *tick_t, *tick_cpu, *commit_t, t0, c0, t1;
	double store_t[STORE_RUNS];
	size_t n;
	int64_t ms = 1000000;

	if ((argc != 5 && argc != 6) ||
	    parse_int(argv[3], 1, 10000000, &users) == -1 ||
	    parse_int(argv[4], 1, 1000, &ticks) == -1 ||
	    (argc == 6 && parse_int(argv[5], 0, 60000, &idle_ms) == -1)) {
		fprintf(stderr,
		    "usage: tick-bench address dbfile users "
		    "ticks [idle_ms]\n");
		return 1;
	}
	log_init("tick-bench", LOG_LVL_WARN, 0, 0);
	unlink(argv[2]);
	if (db_open(&db, argv[2], err, sizeof(err)) != DB_OK ||
	    db_migrate(&db, err, sizeof(err)) != DB_OK)
		fatalx("%s", err);
	db_begin(&db);
	for (i = 0; i < users; i++) {
		st = db_stmt(
		    &db, "INSERT INTO clients_stats (user) VALUES (?1)");
		snprintf(name, sizeof(name), "u%06lld", i);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		db_step(&db, st);
	}
	db_commit(&db);

	api = coreapi_new(argv[1], CORE_V2FLY, 30000);
	floor_t = calloc((size_t)ticks, sizeof(double));
	tick_t = calloc((size_t)ticks, sizeof(double));
	tick_cpu = calloc((size_t)ticks, sizeof(double));
	commit_t = calloc((size_t)ticks, sizeof(double));
	if (floor_t == NULL || tick_t == NULL || tick_cpu == NULL ||
	    commit_t == NULL)
		fatalx("out of memory");
	acct_init(&acct, &db, "api", 0);
	for (i = 0; i < WARMUP_CALLS; i++) {
		n = 0;
		if (coreapi_query(api, "", 0, count_cb, &n, NULL) != COREAPI_OK)
			fatalx("query: %s", coreapi_details(api));
	}
	for (i = 0; i < ticks; i++) {
		if (idle_ms > 0)
			usleep((useconds_t)(idle_ms * 1000));
		/* the floor: fetch and decode only */
		n = 0;
		t0 = mono_s();
		if (coreapi_query(api, "", 0, count_cb, &n, NULL) != COREAPI_OK)
			fatalx("query: %s", coreapi_details(api));
		floor_t[i] = mono_s() - t0;

		/* the tick as the worker runs it */
		if (idle_ms > 0)
			usleep((useconds_t)(idle_ms * 1000));
		t0 = mono_s();
		c0 = cpu_s();
		if (coreapi_sys(api, &sys) != COREAPI_OK)
			fatalx("sys: %s", coreapi_details(api));
		ms += 10000;
		if (acct_begin(&acct, sys.uptime + 1000000, ms) != DB_OK ||
		    coreapi_query(api, "", 0, acct_counter, &acct, NULL) !=
			COREAPI_OK)
			fatalx("tick failed");
		t1 = mono_s();
		if (acct_commit(&acct) != DB_OK)
			fatalx("commit failed");
		commit_t[i] = mono_s() - t1;
		tick_t[i] = mono_s() - t0;
		tick_cpu[i] = cpu_s() - c0;
	}
	getrusage(RUSAGE_SELF, &ru);
	for (i = 0; i < STORE_RUNS; i++) {
		t0 = mono_s();
		if (db_begin(&db) != DB_OK ||
		    db_exec(&db,
			"UPDATE clients_stats SET uplink = uplink + 1, "
			"downlink = downlink + 1, sess_uplink = sess_uplink + "
			"1, sess_downlink = sess_downlink + 1, rate = rate + "
			"1") != DB_OK ||
		    db_commit(&db) != DB_OK)
			fatalx("storage floor: update failed");
		store_t[i] = mono_s() - t0;
	}
	printf("users=%lld counters=%zu ticks=%lld floor_ms=%.1f tick_ms=%.1f "
	       "commit_ms=%.1f tick_cpu_ms=%.1f ratio=%.2f writes=%zu "
	       "store_ms=%.1f peak_rss_mb=%.1f\n",
	    users, n, ticks, median(floor_t, (int)ticks) * 1e3,
	    median(tick_t, (int)ticks) * 1e3,
	    median(commit_t, (int)ticks) * 1e3,
	    median(tick_cpu, (int)ticks) * 1e3,
	    median(tick_t, (int)ticks) / median(floor_t, (int)ticks),
	    acct.last_writes, median(store_t, STORE_RUNS) * 1e3,
	    ru.ru_maxrss / 1024.0);
	acct_free(&acct);
	coreapi_free(api);
	db_close(&db);
	free(floor_t);
	free(tick_t);
	free(tick_cpu);
	free(commit_t);

	return 0;
}
