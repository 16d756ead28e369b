/*
 * End-to-end ingestion speed: bench/ingest-bench [-t] [-u USERS] [-b MB]
 * LOGFILE DBFILE.  Creates DBFILE (removed first) with users u0..u(USERS-1)
 * (default 1000) in clients_stats, then runs the worker's ingestion over
 * LOGFILE from its beginning (read, parse, aggregate, commit) until the
 * whole file is committed, and prints one line of key=value figures:
 * lines, seconds, lines_per_s, commits, matched, and the peak RSS in KiB.
 * With -t SQLite keeps its mutexes, as in the worker, where the log has a
 * thread of its own (db_threads()).
 */
#include "config.h"

#include <sys/resource.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ingest.h"
#include "ingest_int.h"
#include "xmalloc.h"

static long
num(const char *s, long min, long max)
{
	char *ep;
	long v;

	errno = 0;
	v = strtol(s, &ep, 10);
	if (errno != 0 || ep == s || *ep != '\0' || v < min || v > max)
		errx(2, "bad number: %s", s);
	return v;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ingest-bench [-t] [-u users] [-b batch_mb] "
	    "logfile dbfile\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static struct cfg cfg;
	static struct db db;
	struct ingest_tuning tune;
	struct ingest_counts c;
	struct ingest *ig;
	struct rusage ru;
	char err[512], name[32], *wal;
	long users = 1000, batch_mb = 0, i;
	uint64_t before;
	double t0, dt;
	int ch;

	while ((ch = getopt(argc, argv, "b:tu:")) != -1) {
		switch (ch) {
		case 't':
			if (db_threads() == -1)
				errx(1, "db_threads");
			break;
		case 'b':
			batch_mb = num(optarg, 1, 4096);
			break;
		case 'u':
			users = num(optarg, 0, 10000000);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();

	cfg_defaults(&cfg);
	free(cfg.core_access_log);
	cfg.core_access_log = xstrdup(argv[0]);
	free(cfg.database);
	cfg.database = xstrdup(argv[1]);
	free(cfg.f2b_log);
	cfg.f2b_log = xstrdup("");
	cfg.access_log_from_start = 1;
	unlink(argv[1]);
	wal = xasprintf("%s-wal", argv[1]);
	unlink(wal);
	free(wal);
	if (db_open(&db, cfg.database, err, sizeof(err)) != DB_OK ||
	    db_migrate(&db, err, sizeof(err)) != DB_OK)
		errx(1, "%s", err);
	if (db_begin(&db) != DB_OK)
		errx(1, "begin");
	for (i = 0; i < users; i++) {
		snprintf(name, sizeof(name), "u%ld", i);
		if (db_run(&db,
			"INSERT INTO clients_stats (user, uuid) VALUES (?1, "
			"?1)",
			dbv_text(name)) != DB_OK)
			errx(1, "insert");
	}
	if (db_commit(&db) != DB_OK)
		errx(1, "commit");

	if ((ig = ingest_new(&db, &cfg)) == NULL)
		errx(1, "ingest_new");
	memset(&tune, 0, sizeof(tune));
	tune.tick_budget_ms = 3600 * 1000;
	tune.batch_bytes = (size_t)batch_mb * 1024 * 1024;
	ingest_tune(ig, &tune);
	t0 = mono_s();
	do {
		ingest_counts(ig, &c);
		before = c.lines;
		ingest_tick(ig);
		ingest_counts(ig, &c);
	} while (c.lines != before);
	dt = mono_s() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("lines=%llu seconds=%.3f lines_per_s=%.0f commits=%llu "
	       "failed=%llu matched=%llu commit_s=%.3f maxrss_kib=%ld\n",
	    (unsigned long long)c.lines, dt, dt > 0 ? (double)c.lines / dt : 0,
	    (unsigned long long)c.commits, (unsigned long long)c.failed,
	    (unsigned long long)c.reasons[ACCESSLOG_OK],
	    (double)c.commit_us / 1e6, ru.ru_maxrss);
	ingest_free(ig);
	db_close(&db);
	cfg_free(&cfg);
	return c.failed == 0 ? 0 : 1;
}
