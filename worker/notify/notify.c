/*
 * The sender's thread (see notify.h), in the pattern of the access log's
 * (worker/ingest_thread.c): it shares nothing with the main thread but the
 * configuration, read-only, and the logger.  It is told to stop through a
 * pipe, which also ends a transfer in progress (notify_http.h).
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "bgthread.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "notify.h"
#include "notify_http.h"
#include "notify_rules.h"
#include "outbox.h"
#include "tgmsg.h"
#include "wstate.h"
#include "xmalloc.h"

#define NOTIFY_IDLE_MS 500 /* how often the outbox is looked at */
#define NOTIFY_PRUNE_MS 60000 /* how often its bounds are applied */
#define NOTIFY_DB_RETRY_MS 1000 /* after a database failure */

struct notify_thread {
	const struct cfg *cfg; /* borrowed */
	struct bgthread bg; /* the thread, its start and stop */
	/* The thread's own. */
	struct db db;
	struct notify_http *http;
	struct notify_rate rate;
	char host[256]; /* for the host line */
	char logged[NOTIFY_ERR_MAX]; /* the failure last logged, "" */
	int64_t not_before; /* monotonic ms: no attempt before (a failure) */
	int64_t next_prune; /* monotonic ms */
	int64_t unrecorded; /* id Telegram accepted, not yet removed; 0 */
	int64_t failures; /* attempts failed in a row (since this start) */
};

/* Adds BY to the counter KEY, inside the caller's transaction. */
static int
bump(struct db *db, enum wstate_key key, int64_t by)
{
	int64_t v = 0;
	int rc;

	if ((rc = wstate_get_int(db, key, &v)) < 0)
		return rc;
	return wstate_set_int(db, key, v + by);
}

/* Publishes ERR as the last failed attempt's, inside a transaction. */
static int
set_error(struct db *db, const char *err)
{
	int rc;

	if ((rc = wstate_set_text(db, WS_OUTBOX_LAST_ERROR, err)) != DB_OK)
		return rc;
	return wstate_set_int(db, WS_OUTBOX_LAST_ERROR_AT, (int64_t)time(NULL));
}

/* Removes message ID and counts it in KEY, with ERR (unless NULL) as the
 * last error, in one transaction.  DB_OK or DB_*. */
static int
record_removed(
    struct notify_thread *nt, int64_t id, enum wstate_key key, const char *err)
{
	int rc;

	if ((rc = db_begin(&nt->db)) != DB_OK)
		return rc;
	if ((rc = outbox_remove(&nt->db, id)) != DB_OK ||
	    (rc = bump(&nt->db, key, 1)) != DB_OK ||
	    (err != NULL && (rc = set_error(&nt->db, err)) != DB_OK) ||
	    (rc = db_commit(&nt->db)) != DB_OK)
		db_rollback(&nt->db);
	return rc;
}

/* Records a failed attempt of ID: not before NEXT_AT (unix ms). */
static int
record_retry(
    struct notify_thread *nt, int64_t id, int64_t next_at, const char *err)
{
	int rc;

	if ((rc = db_begin(&nt->db)) != DB_OK)
		return rc;
	if ((rc = outbox_retry(&nt->db, id, next_at, err)) != DB_OK ||
	    (rc = set_error(&nt->db, err)) != DB_OK ||
	    (rc = db_commit(&nt->db)) != DB_OK)
		db_rollback(&nt->db);
	return rc;
}

/* Applies the outbox's bounds and counts what they dropped. */
static void
prune(struct notify_thread *nt)
{
	const struct cfg *cfg = nt->cfg;
	int64_t dropped = 0;
	int rc;

	if ((rc = db_begin(&nt->db)) != DB_OK)
		return;
	if ((rc = outbox_prune(&nt->db, (int64_t)time(NULL),
		 (int64_t)cfg->telegram_outbox_max_age * 3600,
		 cfg->telegram_outbox_max, &dropped)) != DB_OK ||
	    (dropped > 0 &&
		(rc = bump(&nt->db, WS_OUTBOX_DROPPED, dropped)) != DB_OK) ||
	    (rc = db_commit(&nt->db)) != DB_OK) {
		db_rollback(&nt->db);
		return;
	}
	if (dropped > 0)
		log_warnx("Telegram: %lld undelivered messages dropped by the "
			  "outbox's bounds (telegram.outbox_max_messages %d, "
			  "telegram.outbox_max_age %d hours)",
		    (long long)dropped, cfg->telegram_outbox_max,
		    cfg->telegram_outbox_max_age);
}

/* A failed attempt of M: tried again after DELAY ms. */
static void
failed(struct notify_thread *nt, const struct outbox_msg *m,
    const struct notify_answer *a, const char *detail, int64_t delay)
{
	nt->failures++;
	nt->not_before = mono_ms() + delay;
	/* Once per change of error, not at every attempt. */
	if (strcmp(a->error, nt->logged) != 0) {
		log_warnx(
		    "Telegram: message %lld (%s) not delivered: %s%s%s%s; "
		    "next attempt in %lld s (%s)",
		    (long long)m->id, m->kind, a->error,
		    detail[0] != '\0' ? " (" : "", detail,
		    detail[0] != '\0' ? ")" : "",
		    (long long)(delay + 999) / 1000,
		    notify_http_where(nt->http));
		snprintf(nt->logged, sizeof(nt->logged), "%s", a->error);
	}
	record_retry(nt, m->id, wall_ms() + delay, a->error);
}

/* Sends M once and records the outcome.  Returns -1 if told to stop. */
static int
attempt(struct notify_thread *nt, const struct outbox_msg *m)
{
	struct notify_reply r;
	struct notify_answer a;
	struct buf text;
	int rc;

	buf_init(&text);
	tgmsg_host(&text, nt->host);
	buf_puts(&text, m->text);
	notify_rate_record(&nt->rate, mono_ms());
	rc = notify_http_send(
	    nt->http, buf_str(&text), bgthread_wake_fd(&nt->bg), &r);
	buf_free(&text);
	if (rc == -1)
		return -1;
	notify_classify(r.status, r.body, r.len, r.neterr, &a);
	if (a.verdict == NOTIFY_SENT || a.verdict == NOTIFY_DROP)
		nt->failures = 0;
	switch (a.verdict) {
	case NOTIFY_SENT:
		log_debug("Telegram: message %lld (%s) sent", (long long)m->id,
		    m->kind);
		if (record_removed(nt, m->id, WS_OUTBOX_SENT, NULL) != DB_OK)
			nt->unrecorded = m->id;
		if (nt->logged[0] != '\0') {
			log_info("Telegram: messages are delivered again");
			nt->logged[0] = '\0';
		}
		break;
	case NOTIFY_DROP:
		log_warnx(
		    "Telegram: message %lld (%s) dropped: Telegram refuses "
		    "its text: %s",
		    (long long)m->id, m->kind, a.error);
		record_removed(nt, m->id, WS_OUTBOX_FAILED, a.error);
		break;
	case NOTIFY_RETRY_AT:
		failed(nt, m, &a, r.detail, a.retry_ms);
		break;
	case NOTIFY_RETRY_BACKOFF:
		failed(
		    nt, m, &a, r.detail, notify_backoff_ms(nt->failures + 1));
		break;
	}
	notify_reply_free(&r);
	return 0;
}

/* One look at the outbox: sends its first message if it is due.  Returns
 * how long to wait before the next look (ms), or -1 if told to stop. */
static int64_t
step(struct notify_thread *nt)
{
	struct outbox_msg m;
	int64_t now = mono_ms(), wait, w;
	int rc;

	if (now >= nt->next_prune) {
		prune(nt);
		nt->next_prune = now + NOTIFY_PRUNE_MS;
	}
	/* Accepted but not recorded: recorded, never sent again. */
	if (nt->unrecorded != 0) {
		if (record_removed(nt, nt->unrecorded, WS_OUTBOX_SENT, NULL) !=
		    DB_OK)
			return NOTIFY_DB_RETRY_MS;
		nt->unrecorded = 0;
	}
	if ((rc = outbox_head(&nt->db, &m)) == 0)
		return NOTIFY_IDLE_MS;
	if (rc < 0)
		return NOTIFY_DB_RETRY_MS;
	wait = m.next_at - wall_ms();
	if ((w = nt->not_before - now) > wait)
		wait = w;
	if ((w = notify_rate_next(&nt->rate, now) - now) > wait)
		wait = w;
	if (wait <= 0)
		wait = attempt(nt, &m);
	else if (wait > NOTIFY_IDLE_MS)
		wait = NOTIFY_IDLE_MS;
	outbox_msg_free(&m);
	return wait;
}

static void *
run(void *arg)
{
	struct notify_thread *nt = arg;
	struct pollfd pfd;
	char err[512];
	int64_t wait;

	if (db_open(&nt->db, nt->cfg->database, err, sizeof(err)) != DB_OK) {
		bgthread_ready(&nt->bg, -1, err);
		return NULL;
	}
	if ((nt->http = notify_http_new(nt->cfg, err, sizeof(err))) == NULL) {
		db_close(&nt->db);
		bgthread_ready(&nt->bg, -1, err);
		return NULL;
	}
	if (gethostname(nt->host, sizeof(nt->host)) == -1)
		snprintf(nt->host, sizeof(nt->host), "unknown");
	nt->host[sizeof(nt->host) - 1] = '\0';
	notify_rate_init(&nt->rate, nt->cfg->telegram_chat_id);
	nt->next_prune = mono_ms();
	bgthread_ready(&nt->bg, 1, "");
	log_info("Telegram: sending notifications to %s",
	    notify_http_where(nt->http));

	pfd.fd = bgthread_wake_fd(&nt->bg);
	pfd.events = POLLIN;
	while ((wait = step(nt)) >= 0)
		if (poll(&pfd, 1, (int)wait) > 0)
			break;
	notify_http_free(nt->http);
	db_close(&nt->db);
	return NULL;
}

struct notify_thread *
notify_thread_start(const struct cfg *cfg, char *err, size_t errsz)
{
	struct notify_thread *nt;

	nt = xcalloc(1, sizeof(*nt));
	nt->cfg = cfg;
	if (bgthread_start(&nt->bg, "Telegram", run, nt, err, errsz) == -1) {
		free(nt);
		return NULL;
	}
	return nt;
}

void
notify_thread_stop(struct notify_thread *nt)
{
	if (nt == NULL)
		return;
	if (bgthread_stop(&nt->bg, "Telegram") == 0)
		free(nt); /* else still running: the exit ends it */
}
