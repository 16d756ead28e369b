/* Unit tests for worker/acct.c: deltas, restarts, rates, last_seen, and
 * exactly-once commits, on a real database file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acct.h"
#include "db.h"
#include "sqlq.h"
#include "tap.h"
#include "tmpdir.h"

/* The text of SQL, in a buffer that the next call reuses. */
static const char *
atext(struct db *db, const char *sql)
{
	static char out[256];

	return sql_text(db, sql, out, sizeof(out));
}

static const char *dir;

static void
feed(struct acct *a, const char *name, long long v)
{
	acct_counter(a, name, strlen(name), v);
}

/* One full tick with alice's and the links' counters. */
static int
tick(
    struct acct *a, unsigned uptime, long long ms, long long up, long long down)
{
	if (acct_begin(a, uptime, ms) != DB_OK)
		return -1;
	feed(a, "user>>>alice>>>traffic>>>uplink", up);
	feed(a, "user>>>alice>>>traffic>>>downlink", down);
	feed(a, "inbound>>>vless-in>>>traffic>>>uplink", up);
	feed(a, "inbound>>>vless-in>>>traffic>>>downlink", down);
	feed(a, "outbound>>>direct>>>traffic>>>uplink", up + 1);
	feed(a, "outbound>>>direct>>>traffic>>>downlink", down + 1);
	feed(a, "inbound>>>api>>>traffic>>>uplink", 999);
	return acct_commit(a);
}

static void
t_arith(void)
{
	static const struct {
		long long prev, cur;
		int restarted;
		long long want;
	} d[] = {
		{ 0, 0, 0, 0 }, { 0, 100, 0, 100 }, { 100, 150, 0, 50 },
		{ 150, 20, 0, 20 }, /* dropped: the core restarted */
		{ 150, 200, 1, 200 }, /* restart seen by uptime */
		{ 5, -1, 0, 0 }, /* nonsense from the core */
	};
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		is_int(acct_delta(d[i].prev, d[i].cur, d[i].restarted),
		    d[i].want, "delta %lld -> %lld (restart %d)", d[i].prev,
		    d[i].cur, d[i].restarted);
	is_int(acct_rate(1250, 10000), 1000, "1250 B in 10 s = 1000 bit/s");
	is_int(acct_rate(1250, 9500), 1052, "measured interval, not nominal");
	is_int(acct_rate(100, 0), 0, "no interval, no rate");
}

static void
t_ticks(void)
{
	struct db db;
	struct acct a;
	char path[256], err[512];

	snprintf(path, sizeof(path), "%s/acct.db", dir);
	db_open(&db, path, err, sizeof(err));
	db_migrate(&db, err, sizeof(err));
	db_exec(&db,
	    "INSERT INTO clients_stats (user, inbound_tag) VALUES "
	    "('alice', 'vless-in'), ('idle', 'vless-in')");
	acct_init(&a, &db, "api", 0);

	is_int(tick(&a, 10, 1000000, 100, 1000), DB_OK, "first tick");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    100, "a new counter counts in full");
	is_int(sql_scalar(&db,
		   "SELECT sess_downlink FROM clients_stats WHERE "
		   "user='alice'"),
	    1000, "session = raw value");
	is_int(sql_scalar(&db, "SELECT count(*) FROM traffic_stats"), 2,
	    "api inbound left out");
	is_int(sql_scalar(&db,
		   "SELECT downlink FROM traffic_stats WHERE "
		   "source='direct' AND direction='outbound'"),
	    1001, "outbound kept apart");

	is_int(tick(&a, 20, 1010000, 150, 3000), DB_OK, "second tick");
	is_int(sql_scalar(&db,
		   "SELECT uplink + downlink FROM clients_stats "
		   "WHERE user='alice'"),
	    3150, "totals grow by deltas");
	is_int(sql_scalar(&db,
		   "SELECT rate FROM clients_stats WHERE "
		   "user='alice'"),
	    (2050 * 8) / 10, "rate over the measured 10 s");
	is_str(atext(&db,
		   "SELECT last_seen FROM clients_stats WHERE "
		   "user='alice'"),
	    "online", "online while traffic flows");
	is_str(atext(&db,
		   "SELECT last_seen FROM clients_stats WHERE "
		   "user='idle'"),
	    "", "a user never seen stays never seen");

	is_int(tick(&a, 30, 1070000, 150, 3000), DB_OK, "quiet tick");
	is_int(sql_scalar(&db,
		   "SELECT rate FROM clients_stats WHERE "
		   "user='alice'"),
	    0, "rate drops to 0");
	is_str(atext(&db,
		   "SELECT last_seen FROM clients_stats WHERE "
		   "user='alice'"),
	    "1970-01-01 00:17", "last_seen = the minute it went quiet");

	/* The worker dies in the middle of a tick: nothing is written, and
	 * a new worker counts the same traffic exactly once. */
	acct_begin(&a, 40, 1080000);
	feed(&a, "user>>>alice>>>traffic>>>uplink", 400);
	acct_free(&a);
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    150, "an uncommitted tick changes nothing");
	acct_init(&a, &db, "api", 0);
	is_int(tick(&a, 40, 1080000, 400, 3000), DB_OK, "tick after crash");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    400, "counted once after the crash");

	/* Core restart: uptime went down; values count in full. */
	is_int(tick(&a, 5, 1090000, 20, 30), DB_OK, "tick after restart");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    420, "restart: new value is the delta");
	is_int(sql_scalar(&db,
		   "SELECT sess_uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    20, "restart: session starts over");
	/* A counter that drops without an uptime drop also restarted. */
	is_int(tick(&a, 15, 1100000, 10, 40), DB_OK, "tick with a drop");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    430, "a drop counts the new value");

	/* Users only in the counters are added; deleted ones are not (a
	 * restart clears the list, as the core then forgets them). */
	is_int(sql_scalar(&db, "SELECT count(*) FROM deleted_users"), 0,
	    "a restart empties deleted_users");
	db_exec(&db,
	    "INSERT INTO deleted_users (user, at) VALUES "
	    "('carol', 0)");
	acct_begin(&a, 25, 1110000);
	feed(&a, "user>>>bob>>>traffic>>>uplink", 7);
	feed(&a, "user>>>carol>>>traffic>>>uplink", 9);
	feed(&a, "user>>>>>>traffic>>>uplink", 9);
	feed(&a, "user>>>a>>>b>>>traffic>>>uplink", 9);
	feed(&a, "user>>>x>>>online", 9);
	feed(&a, "users>>>x>>>traffic>>>uplink", 9);
	feed(&a, "user>>>x>>>traffic>>>uplinkk", 9);
	is_int(acct_commit(&a), DB_OK, "tick with odd names");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='bob'"),
	    7, "a user seen only in the counters is added");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM clients_stats WHERE "
		   "user='carol'"),
	    0, "a deleted user is not brought back");
	is_int(sql_scalar(&db, "SELECT count(*) FROM clients_stats"), 3,
	    "malformed names add nothing");
	is_int((long long)a.last_ignored, 5, "five names ignored");
	acct_free(&a);
	db_close(&db);
}

/* Feeds the uplinks of three users (a value < 0: not fed) and commits. */
static int
tick3(struct acct *a, unsigned uptime, long long ms, long long alice,
    long long bob, long long carol)
{
	if (acct_begin(a, uptime, ms) != DB_OK)
		return -1;
	if (alice >= 0)
		feed(a, "user>>>alice>>>traffic>>>uplink", alice);
	if (bob >= 0)
		feed(a, "user>>>bob>>>traffic>>>uplink", bob);
	if (carol >= 0)
		feed(a, "user>>>carol>>>traffic>>>uplink", carol);
	return acct_commit(a);
}

/*
 * Rows are updated by the rowids read at start; a row deleted since, and
 * its rowid given to someone else, must not receive the old user's
 * traffic.
 */
static void
t_rowid_reuse(void)
{
	struct db db;
	struct acct a;
	char path[256], err[512];

	snprintf(path, sizeof(path), "%s/reuse.db", dir);
	db_open(&db, path, err, sizeof(err));
	db_migrate(&db, err, sizeof(err));
	db_exec(
	    &db, "INSERT INTO clients_stats (user) VALUES ('alice'), ('bob')");
	acct_init(&a, &db, "api", 0);
	is_int(tick3(&a, 10, 1000000, 100, 200, -1), DB_OK, "reuse: tick 1");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='bob'"),
	    200, "bob counted");

	/* The admin deletes bob (his row had the highest rowid) and adds
	 * carol, who gets bob's rowid. */
	db_exec(&db,
	    "DELETE FROM clients_stats WHERE user='bob';"
	    "INSERT INTO deleted_users (user, at) VALUES ('bob', 1);"
	    "INSERT INTO clients_stats (user) VALUES ('carol')");
	is_int(sql_scalar(
		   &db, "SELECT rowid FROM clients_stats WHERE user='carol'"),
	    2, "carol has bob's old rowid");
	is_int(tick3(&a, 20, 1010000, 150, 500, 70), DB_OK, "reuse: tick 2");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='carol'"),
	    70, "carol gets her own traffic, not bob's");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    150, "alice updated as usual");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM clients_stats WHERE "
		   "user='bob'"),
	    0, "a deleted user is not brought back by his counters");
	is_int(tick3(&a, 30, 1020000, 160, 600, 75), DB_OK, "reuse: tick 3");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='carol'"),
	    75, "carol's rowid now known: counted once");
	is_int(sql_scalar(&db, "SELECT sum(uplink) FROM clients_stats"),
	    160 + 75, "nothing counted twice or lost");
	acct_free(&a);
	db_close(&db);
}

int
main(void)
{
	int rc;

	setenv("TZ", "UTC", 1);
	dir = tmpdir_make("acct");
	t_arith();
	t_ticks();
	t_rowid_reuse();
	rc = tap_done();
	return tmpdir_remove(dir) == 0 ? rc : 1;
}
