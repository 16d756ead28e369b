/* Unit tests for lib/db.c and lib/schema.c on real database files. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "tap.h"

static char dir[] = "/tmp/v2s-db-XXXXXX";

/* Returns the first column of the first row of SQL as an integer. */
static long long
scalar(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static const char *
text(struct db *db, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(out, outsz, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void
t_fresh(void)
{
	struct db db;
	char path[256], err[512], buf[64];

	snprintf(path, sizeof(path), "%s/fresh.db", dir);
	is_int(db_open(&db, path, err, sizeof(err)), DB_OK, "open creates");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "migrate fresh");
	is_int(db_schema_version(&db), DB_SCHEMA_VERSION, "version set");
	is_str(text(&db, "PRAGMA journal_mode", buf, sizeof(buf)), "wal",
	    "WAL mode");
	is_int(scalar(&db,
		   "SELECT count(*) FROM sqlite_master WHERE "
		   "type='table' AND name IN ('clients_stats',"
		   "'traffic_stats','dns_stats','user_ips',"
		   "'net_baseline','worker_state')"),
	    6, "all tables exist");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "migrate twice");
	is_int(db_exec(&db,
		   "INSERT INTO traffic_stats (source, direction) "
		   "VALUES ('direct', 'inbound'), "
		   "('direct', 'outbound')"),
	    DB_OK, "inbound and outbound of one tag are two rows");
	is_int(db_exec(&db,
		   "INSERT INTO traffic_stats (source, direction) "
		   "VALUES ('direct', 'inbound')"),
	    DB_ERR, "but the same pair twice is refused");
	db_close(&db);
}

static void
t_adopt(void)
{
	struct db db;
	char path[256], err[512], buf[64];

	snprintf(path, sizeof(path), "%s/orig.db", dir);
	is_int(db_open(&db, path, err, sizeof(err)), DB_OK, "open original");
	/* The original's schema (an older version: uuid nullable). */
	is_int(db_exec(&db,
		   "CREATE TABLE clients_stats (user TEXT PRIMARY KEY, uuid "
		   "TEXT, last_seen TEXT DEFAULT '', rate INTEGER DEFAULT 0,"
		   " enabled TEXT, sub_end TEXT DEFAULT '', renew INTEGER "
		   "DEFAULT 0, lim_ip INTEGER DEFAULT 0, ips TEXT DEFAULT '',"
		   " uplink INTEGER DEFAULT 0, downlink INTEGER DEFAULT 0,"
		   " sess_uplink INTEGER DEFAULT 0, sess_downlink INTEGER "
		   "DEFAULT 0, created TEXT);"
		   "CREATE TABLE traffic_stats (source TEXT PRIMARY KEY, rate "
		   "INTEGER DEFAULT 0, uplink INTEGER DEFAULT 0, downlink "
		   "INTEGER DEFAULT 0, sess_uplink INTEGER DEFAULT 0, "
		   "sess_downlink INTEGER DEFAULT 0);"
		   "CREATE TABLE dns_stats (user TEXT NOT NULL, count INTEGER "
		   "DEFAULT 1, domain TEXT NOT NULL, PRIMARY KEY (user, "
		   "domain));"
		   "INSERT INTO clients_stats (user, uuid, enabled, uplink, "
		   "sub_end, created) VALUES ('alice', 'a-uuid', 'true', 1234,"
		   " '2030-01-01-00', '2025-06-01-10'), ('bob', NULL, '1', 5,"
		   " '', NULL), ('carol', 'c', 'F', 7, '', '');"
		   "INSERT INTO traffic_stats VALUES ('direct', 10, 100, 200,"
		   " 1, 2), ('vless-in', 0, 300, 400, 3, 4);"
		   "INSERT INTO dns_stats VALUES ('alice', 42, 'example.com')"),
	    DB_OK, "original schema and rows written");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "adopt original");
	if (err[0] != '\0')
		tap_diag("%s", err);
	is_int(db_schema_version(&db), DB_SCHEMA_VERSION, "version set");
	is_int(scalar(&db, "SELECT count(*) FROM clients_stats"), 3,
	    "no user lost");
	is_int(scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    1234, "counters kept");
	is_str(text(&db,
		   "SELECT sub_end FROM clients_stats WHERE "
		   "user='alice'",
		   buf, sizeof(buf)),
	    "2030-01-01-00", "sub_end kept");
	is_int(scalar(&db,
		   "SELECT uuid IS NULL FROM clients_stats WHERE "
		   "user='bob'"),
	    0, "NULL uuid replaced");
	is_str(text(&db, "SELECT enabled FROM clients_stats WHERE user='bob'",
		   buf, sizeof(buf)),
	    "true", "enabled '1' normalised to true");
	is_str(text(&db,
		   "SELECT enabled || '/' || disabled_reason FROM "
		   "clients_stats WHERE user='carol'",
		   buf, sizeof(buf)),
	    "false/admin", "enabled 'F' normalised to false by the admin");
	is_int(scalar(&db, "SELECT sum(uplink) FROM traffic_stats"), 400,
	    "traffic rows kept");
	is_str(text(&db,
		   "SELECT direction FROM traffic_stats WHERE "
		   "source='direct'",
		   buf, sizeof(buf)),
	    "inbound", "old traffic rows become inbound rows");
	is_int(scalar(&db, "SELECT count FROM dns_stats WHERE user='alice'"),
	    42, "dns_stats kept");
	is_int(db_exec(&db, "PRAGMA user_version = 99"), DB_OK,
	    "pretend a newer program wrote it");
	is_int(db_migrate(&db, err, sizeof(err)), DB_ERR,
	    "a newer schema is refused");
	ok(strstr(err, "newer") != NULL, "with a clear reason: %s", err);
	db_close(&db);
}

static void
t_stmt_cache(void)
{
	static const char sql[] = "SELECT ?1 + 1";
	struct db db;
	sqlite3_stmt *a, *b;
	char path[256], err[512];

	snprintf(path, sizeof(path), "%s/cache.db", dir);
	db_open(&db, path, err, sizeof(err));
	a = db_stmt(&db, sql);
	sqlite3_bind_int(a, 1, 41);
	is_int(db_step(&db, a), 1, "cached statement steps");
	is_int(sqlite3_column_int(a, 0), 42, "with its binding");
	b = db_stmt(&db, sql);
	ok(a == b, "the same statement comes back");
	is_int(db_step(&db, b), 1, "reset and rebound to NULL");
	is_int(sqlite3_column_type(b, 0), SQLITE_NULL, "bindings were cleared");
	ok(db_stmt(&db, "SELECT nonsense FROM nowhere") == NULL,
	    "bad SQL gives NULL");
	db_close(&db);
	db_close(&db);
	ok(1, "close twice is harmless");
}

int
main(void)
{
	char cmd[300];
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	t_fresh();
	t_adopt();
	t_stmt_cache();
	rc = tap_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
