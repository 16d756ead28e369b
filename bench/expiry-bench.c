/*
 * expiry-bench: times the worker's subscription check (subs_tick) when N
 * subscriptions end in one tick, with Telegram off (the baseline: the
 * users' rows and the core operations alone) and on (the same plus the
 * outbox), in the same run, on fresh copies of one database.
 *
 *   expiry-bench DIR N [RUNS]
 *
 * Prints one line per mode: n, median ms over RUNS, the outbox rows
 * written, and the ratio to the baseline.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "worker.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A database of N enabled users whose subscriptions ended an hour ago. */
static int
make_db(const char *path, long n)
{
	struct db db;
	char err[512], name[32], cred[64];
	long i;
	int rc = 0;

	unlink(path);
	if (db_open(&db, path, err, sizeof(err)) != DB_OK ||
	    db_migrate(&db, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	db_begin(&db);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(name, sizeof(name), "user%06ld", i);
		snprintf(
		    cred, sizeof(cred), "8e1c3e0a-8b2d-4c5e-9f70-%012ld", i);
		if (db_run(&db,
			"INSERT INTO clients_stats (user, uuid, enabled, "
			"sub_end, renew, inbound_tag, name_key) VALUES (?1, "
			"?2, 'true', '2000-01-01-00', ?3, 'vless-in', ?1)",
			dbv_text(name), dbv_text(cred),
			dbv_int(i % 2)) != DB_OK)
			rc = -1;
	}
	if (rc == 0 && db_commit(&db) != DB_OK)
		rc = -1;
	db_close(&db);
	return rc;
}

/* One subs_tick over a copy of SRC; returns its ms, the outbox rows in
 * *ROWS. */
static double
one_run(const char *dir, const char *src, int telegram, int64_t *rows)
{
	static struct worker w;
	char path[600], cmd[2400], err[512];
	int64_t t0, t1;

	snprintf(path, sizeof(path), "%s/run.db", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'",
	    src, path, path, path);
	if (system(cmd) != 0)
		exit(1);
	memset(&w, 0, sizeof(w));
	cfg_defaults(&w.cfg);
	if (telegram) {
		free(w.cfg.telegram_bot_token);
		free(w.cfg.telegram_chat_id);
		w.cfg.telegram_bot_token = strdup("1:a");
		w.cfg.telegram_chat_id = strdup("42");
	}
	if (db_open(&w.db, path, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	t0 = mono_us();
	if (subs_tick(&w) < 0) {
		fprintf(stderr, "subs_tick failed\n");
		exit(1);
	}
	t1 = mono_us();
	*rows = 0;
	db_get_int(&w.db, rows, "SELECT count(*) FROM outbox");
	db_close(&w.db);
	cfg_free(&w.cfg);
	return (double)(t1 - t0) / 1000.0;
}

int
main(int argc, char *argv[])
{
	char src[512];
	double ms[2][32], med[2];
	int64_t rows[2] = { 0, 0 };
	long n;
	int runs, r, mode;

	if (argc < 3) {
		fprintf(stderr, "usage: expiry-bench DIR N [RUNS]\n");
		return 1;
	}
	n = strtol(argv[2], NULL, 10);
	runs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
	if (n < 1 || runs < 1 || runs > 32)
		return 1;
	log_init("expiry-bench", LOG_LVL_NONE, 0, 0);
	snprintf(src, sizeof(src), "%s/src.db", argv[1]);
	if (make_db(src, n) == -1)
		return 1;
	/* Alternate the modes, so that both see the same machine. */
	for (r = 0; r < runs; r++)
		for (mode = 0; mode < 2; mode++)
			ms[mode][r] = one_run(argv[1], src, mode, &rows[mode]);
	for (mode = 0; mode < 2; mode++) {
		qsort(ms[mode], (size_t)runs, sizeof(double), cmp_double);
		med[mode] = ms[mode][runs / 2];
	}
	printf("n=%ld telegram=off ms=%.1f outbox=%lld ratio=1.00\n", n, med[0],
	    (long long)rows[0]);
	printf("n=%ld telegram=on ms=%.1f outbox=%lld ratio=%.2f\n", n, med[1],
	    (long long)rows[1], med[1] / med[0]);
	return 0;
}
