/*
 * The worker's access-log follower (see ingest.h): ingestion in a thread
 * of its own with a database connection of its own, so that the log is
 * read every INGEST_POLL_MS whatever the main loop is doing (waiting for a
 * core that does not answer, applying a thousand users).  It shares
 * nothing with the main thread but the configuration, read-only, and the
 * logger (lib/log.c: set up before the thread starts; each message is
 * one stdio call, and strerror() is thread-safe in glibc).
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgthread.h"
#include "cfg.h"
#include "clock.h"
#include "db.h"
#include "ingest.h"
#include "ingest_int.h"
#include "log.h"
#include "xmalloc.h"

#define INGEST_POLL_MS 100 /* how often the log is looked at */
#define INGEST_HOLD_MS 1000 /* how long lines may wait for their commit */

struct ingest_thread {
	const struct cfg *cfg; /* borrowed */
	struct bgthread bg; /* the thread, its start and stop */
	/* The thread's own. */
	struct db db;
	struct ingest *ig;
};

static void *
run(void *arg)
{
	struct ingest_thread *it = arg;
	struct pollfd pfd;
	char err[512];
	int64_t next_house, now;
	int r, wait;

	if (db_open(&it->db, it->cfg->database, err, sizeof(err)) != DB_OK) {
		bgthread_ready(&it->bg, -1, err);
		return NULL;
	}
	if ((it->ig = ingest_new(&it->db, it->cfg)) == NULL) {
		db_close(&it->db);
		bgthread_ready(
		    &it->bg, -1, "the access log cannot be followed");
		return NULL;
	}
	bgthread_ready(&it->bg, 1, "");

	pfd.fd = bgthread_wake_fd(&it->bg);
	pfd.events = POLLIN;
	next_house = mono_ms();
	for (;;) {
		r = ingest_poll(it->ig, INGEST_HOLD_MS);
		now = mono_ms();
		if (now >= next_house) {
			/* What was read is committed before the expiry and
			 * the IP limit look at the users' IPs. */
			if (r == 0)
				r = ingest_poll(it->ig, 0);
			ingest_housekeep(it->ig, time(NULL));
			next_house =
			    now + (int64_t)it->cfg->ticker_interval * 1000;
		}
		/* A full batch goes on at once; after a failure, read
		 * again from the committed position a while later. */
		wait = r == 1 ? 0 : r < 0 ? INGEST_HOLD_MS : INGEST_POLL_MS;
		if (poll(&pfd, 1, wait) > 0)
			break;
	}
	/* Stopping: one last read, and everything read is committed. */
	ingest_poll(it->ig, 0);
	ingest_free(it->ig);
	db_close(&it->db);
	return NULL;
}

struct ingest_thread *
ingest_thread_start(const struct cfg *cfg, char *err, size_t errsz)
{
	struct ingest_thread *it;

	it = xcalloc(1, sizeof(*it));
	it->cfg = cfg;
	if (bgthread_start(&it->bg, "access log", run, it, err, errsz) == -1) {
		free(it);
		return NULL;
	}
	return it;
}

void
ingest_thread_stop(struct ingest_thread *it)
{
	if (it == NULL)
		return;
	if (bgthread_stop(&it->bg, "access log") == 0)
		free(it); /* else still running: the exit ends it */
}
