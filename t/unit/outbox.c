/*
 * Unit tests for lib/outbox.c: which kinds the configuration wants, and
 * the queue itself on a real database file (order, retries, removal, the
 * bounds and what they drop).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "outbox.h"
#include "tap.h"
#include "tmpdir.h"

static const char *dir;

static void
open_db(struct db *db, const char *name)
{
	char path[256], err[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (db_open(db, path, err, sizeof(err)) != DB_OK ||
	    db_migrate(db, err, sizeof(err)) != DB_OK) {
		tap_diag("%s", err);
		exit(1);
	}
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = strdup(v);
}

static void
t_wants(void)
{
	struct cfg cfg;
	int k, n;

	cfg_defaults(&cfg);
	for (k = 0, n = 0; k < OB__MAX; k++)
		n += outbox_wants(&cfg, k);
	is_int(n, 0, "nothing without a token and a chat id");
	ok(!outbox_configured(&cfg), "not configured");
	set(&cfg.telegram_bot_token, "1:a");
	ok(!outbox_configured(&cfg), "a token alone is not enough");
	set(&cfg.telegram_chat_id, "42");
	ok(outbox_configured(&cfg), "token and chat id");
	ok(outbox_wants(&cfg, OB_EXPIRED), "expiry without features.telegram");
	ok(outbox_wants(&cfg, OB_BAN), "bans without features.telegram");
	ok(!outbox_wants(&cfg, OB_REPORT), "no report without the feature");
	ok(!outbox_wants(&cfg, OB_SERVICE), "no services without the feature");
	ok(!outbox_wants(&cfg, OB_MEMORY), "no memory without the feature");
	ok(!outbox_wants(&cfg, OB_DISK), "no disk without the feature");
	cfg.feat_telegram = 1;
	for (k = 0, n = 0; k < OB__MAX; k++)
		n += outbox_wants(&cfg, k);
	is_int(n, OB__MAX, "with the feature: every kind");
	cfg.telegram_events = OB_BIT(OB_BAN) | OB_BIT(OB_REPORT);
	for (k = 0, n = 0; k < OB__MAX; k++)
		n += outbox_wants(&cfg, k);
	is_int(n, 3, "events: ban, report, and the test always");
	ok(!outbox_wants(&cfg, OB_EXPIRED), "events: not expired");
	ok(outbox_wants(&cfg, OB_TEST), "events: the test message always");
	ok(!outbox_wants(&cfg, OB__MAX), "out of range kind");
	ok(!outbox_wants(&cfg, (enum outbox_kind) - 1), "negative kind");
	for (k = 0; k < OB__MAX; k++)
		is_int(outbox_kind_lookup(outbox_kind_name(k)), k,
		    "kind name round trip: %s", outbox_kind_name(k));
	is_int(outbox_kind_lookup("Expired"), -1, "names are exact");
	is_int(outbox_kind_lookup(""), -1, "empty name");
	cfg_free(&cfg);
}

static void
t_queue(void)
{
	struct cfg cfg;
	struct db db;
	struct outbox_msg m;
	struct outbox_stats st;
	int64_t id1 = 0, id2 = 0, id3 = 0, dropped;
	int i;

	cfg_defaults(&cfg);
	open_db(&db, "queue.db");
	is_int(outbox_head(&db, &m), 0, "empty: no head");
	is_int(outbox_add(&db, &cfg, OB_EXPIRED, "x", 100, &id1), 0,
	    "not configured: nothing added");
	is_int(outbox_stats(&db, &st), DB_OK, "stats");
	is_int(st.queued, 0, "nothing queued");
	set(&cfg.telegram_bot_token, "1:a");
	set(&cfg.telegram_chat_id, "42");
	is_int(outbox_add(&db, &cfg, OB_EXPIRED, "first \\*", 100, &id1), 1,
	    "added");
	is_int(
	    outbox_add(&db, &cfg, OB_BAN, "second", 101, &id2), 1, "added 2");
	ok(id2 > id1, "ids grow");
	is_int(outbox_add(&db, &cfg, OB_REPORT, "no", 101, NULL), 0,
	    "a report needs features.telegram");
	is_int(outbox_head(&db, &m), 1, "head");
	is_int(m.id, id1, "the first added is the head");
	is_str(m.kind, "expired", "its kind");
	is_str(m.text, "first \\*", "its text as given");
	is_int(m.created, 100, "created");
	is_int(m.attempts, 0, "no attempt yet");
	is_int(m.next_at, 0, "due at once");
	outbox_msg_free(&m);
	is_int(outbox_retry(&db, id1, 5000, "HTTP 500"), DB_OK, "retry");
	is_int(outbox_head(&db, &m), 1, "head after a retry");
	is_int(m.id, id1, "a retry keeps its place");
	is_int(m.attempts, 1, "one attempt");
	is_int(m.next_at, 5000, "not before next_at");
	outbox_msg_free(&m);
	is_int(outbox_remove(&db, id1), DB_OK, "remove");
	is_int(outbox_head(&db, &m), 1, "head after a removal");
	is_int(m.id, id2, "the next one");
	outbox_msg_free(&m);
	is_int(outbox_stats(&db, &st), DB_OK, "stats");
	is_int(st.queued, 1, "one queued");
	is_int(st.oldest, 101, "its age");

	/* The bounds: age first, then count. */
	for (i = 0; i < 10; i++)
		outbox_add(&db, &cfg, OB_TEST, "t", 200 + i, &id3);
	dropped = 5;
	is_int(outbox_prune(&db, 300, 150, 0, &dropped), DB_OK, "prune age");
	is_int(dropped, 6, "the one older than 150 s dropped, added up");
	is_int(outbox_prune(&db, 300, 0, 4, &dropped), DB_OK, "prune count");
	is_int(dropped, 12, "six more: four kept");
	is_int(outbox_stats(&db, &st), DB_OK, "stats");
	is_int(st.queued, 4, "four queued");
	is_int(outbox_head(&db, &m), 1, "head");
	is_int(m.created, 206, "the newest four kept");
	outbox_msg_free(&m);
	is_int(outbox_prune(&db, 300, 0, 4, &dropped), DB_OK, "prune again");
	is_int(dropped, 12, "nothing more");
	is_int(outbox_prune(&db, 300, 0, 1, &dropped), DB_OK, "prune to 1");
	is_int(dropped, 15, "three more");
	is_int(outbox_head(&db, &m), 1, "head");
	is_int(m.id, id3, "the last added");
	outbox_msg_free(&m);
	outbox_msg_free(&m);
	db_close(&db);
	cfg_free(&cfg);
}

int
main(void)
{
	int rc;

	dir = tmpdir_make("outbox");
	t_wants();
	t_queue();
	rc = tap_done();
	return tmpdir_remove(dir) == 0 ? rc : 1;
}
