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

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	pthread_t tid;
	int wake[2]; /* a byte in wake[0]: stop */
	pthread_mutex_t mu; /* guards state and err */
	pthread_cond_t cv; /* state left 0 */
	int state; /* 0 setting up, 1 running, -1 could not */
	char err[512];
	/* The thread's own. */
	struct db db;
	struct ingest *ig;
};

/* Reports how the set-up went (STATE 1 or -1, ERR) to the starter. */
static void
report(struct ingest_thread *it, int state, const char *err)
{
	pthread_mutex_lock(&it->mu);
	it->state = state;
	snprintf(it->err, sizeof(it->err), "%s", err);
	pthread_cond_signal(&it->cv);
	pthread_mutex_unlock(&it->mu);
}

static void *
run(void *arg)
{
	struct ingest_thread *it = arg;
	struct pollfd pfd;
	char err[512];
	int64_t next_house, now;
	int r, wait;

	if (db_open(&it->db, it->cfg->database, err, sizeof(err)) != DB_OK) {
		report(it, -1, err);
		return NULL;
	}
	if ((it->ig = ingest_new(&it->db, it->cfg)) == NULL) {
		db_close(&it->db);
		report(it, -1, "the access log cannot be followed");
		return NULL;
	}
	report(it, 1, "");

	pfd.fd = it->wake[0];
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
	int rc;

	it = xcalloc(1, sizeof(*it));
	it->cfg = cfg;
	it->wake[0] = it->wake[1] = -1;
	pthread_mutex_init(&it->mu, NULL);
	pthread_cond_init(&it->cv, NULL);
	if (pipe2(it->wake, O_CLOEXEC) == -1) {
		snprintf(err, errsz, "access log: pipe: %s", strerror(errno));
		goto fail;
	}
	if ((rc = pthread_create(&it->tid, NULL, run, it)) != 0) {
		snprintf(err, errsz, "access log: thread: %s", strerror(rc));
		goto fail;
	}
	pthread_mutex_lock(&it->mu);
	while (it->state == 0)
		pthread_cond_wait(&it->cv, &it->mu);
	pthread_mutex_unlock(&it->mu);
	if (it->state == 1)
		return it;
	snprintf(err, errsz, "%s", it->err);
	pthread_join(it->tid, NULL);
fail:
	if (it->wake[0] != -1) {
		close(it->wake[0]);
		close(it->wake[1]);
	}
	pthread_cond_destroy(&it->cv);
	pthread_mutex_destroy(&it->mu);
	free(it);
	return NULL;
}

void
ingest_thread_stop(struct ingest_thread *it)
{
	ssize_t n;

	if (it == NULL)
		return;
	do
		n = write(it->wake[1], "x", 1);
	while (n == -1 && errno == EINTR);
	if (n != 1) {
		log_warn("access log: cannot stop the follower");
		return; /* still running: the exit ends it */
	}
	pthread_join(it->tid, NULL);
	close(it->wake[0]);
	close(it->wake[1]);
	pthread_cond_destroy(&it->cv);
	pthread_mutex_destroy(&it->mu);
	free(it);
}
