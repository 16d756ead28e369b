/* Unit tests for lib/db.c and lib/schema.c on real database files. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "sqlq.h"
#include "tap.h"
#include "tmpdir.h"
#include "users.h"

static const char *dir;

static void
t_fresh(void)
{
	struct db db;
	char path[256], err[512], buf[64];

	snprintf(path, sizeof(path), "%s/fresh.db", dir);
	is_int(db_open(&db, path, err, sizeof(err)), DB_OK, "open creates");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "migrate fresh");
	is_int(db_schema_version(&db), DB_SCHEMA_VERSION, "version set");
	is_str(sql_text(&db, "PRAGMA journal_mode", buf, sizeof(buf)), "wal",
	    "WAL mode");
	is_int(sql_scalar(&db,
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
	is_int(sql_scalar(&db, "SELECT count(*) FROM clients_stats"), 3,
	    "no user lost");
	is_int(sql_scalar(&db,
		   "SELECT uplink FROM clients_stats WHERE "
		   "user='alice'"),
	    1234, "counters kept");
	is_str(sql_text(&db,
		   "SELECT sub_end FROM clients_stats WHERE "
		   "user='alice'",
		   buf, sizeof(buf)),
	    "2030-01-01-00", "sub_end kept");
	is_int(sql_scalar(&db,
		   "SELECT uuid IS NULL FROM clients_stats WHERE "
		   "user='bob'"),
	    0, "NULL uuid replaced");
	is_str(
	    sql_text(&db, "SELECT enabled FROM clients_stats WHERE user='bob'",
		buf, sizeof(buf)),
	    "true", "enabled '1' normalised to true");
	is_str(sql_text(&db,
		   "SELECT enabled || '/' || disabled_reason FROM "
		   "clients_stats WHERE user='carol'",
		   buf, sizeof(buf)),
	    "false/admin", "enabled 'F' normalised to false by the admin");
	is_int(sql_scalar(&db, "SELECT sum(uplink) FROM traffic_stats"), 400,
	    "traffic rows kept");
	is_str(sql_text(&db,
		   "SELECT direction FROM traffic_stats WHERE "
		   "source='direct'",
		   buf, sizeof(buf)),
	    "inbound", "old traffic rows become inbound rows");
	is_int(
	    sql_scalar(&db, "SELECT count FROM dns_stats WHERE user='alice'"),
	    42, "dns_stats kept");
	is_int(sql_scalar(&db,
		   "SELECT wr FROM pragma_table_list WHERE name='dns_stats'"),
	    1, "dns_stats now without rowids");
	is_int(db_exec(&db, "PRAGMA user_version = 99"), DB_OK,
	    "pretend a newer program wrote it");
	is_int(db_migrate(&db, err, sizeof(err)), DB_ERR,
	    "a newer schema is refused");
	ok(strstr(err, "newer") != NULL, "with a clear reason: %s", err);
	db_close(&db);
}

/* A version 1 database (dns_stats with rowids) brought to version 2. */
static void
t_v1(void)
{
	struct db db;
	char path[256], err[512], buf[128];

	snprintf(path, sizeof(path), "%s/v1.db", dir);
	is_int(db_open(&db, path, err, sizeof(err)), DB_OK, "open v1");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "fresh schema");
	/* What version 1 had, plus what a damaged table may hold: a pair
	 * twice (no key), a NULL name, a NULL count. */
	is_int(db_exec(&db,
		   "DROP TABLE dns_stats;"
		   "CREATE TABLE dns_stats (user TEXT, count INTEGER "
		   "DEFAULT 1, domain TEXT);"
		   "INSERT INTO dns_stats VALUES ('alice', 40, 'example.com'),"
		   " ('alice', 2, 'example.com'), ('bob', 7, 'b.org'),"
		   " (NULL, 5, 'x.net'), ('carol', NULL, 'c.io');"
		   "INSERT INTO clients_stats (user, uplink) VALUES "
		   "('alice', 99);"
		   "PRAGMA user_version = 1"),
	    DB_OK, "version 1 database written");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "migrate 1 -> 2");
	if (err[0] != '\0')
		tap_diag("%s", err);
	is_int(db_schema_version(&db), DB_SCHEMA_VERSION, "version 2");
	is_int(sql_scalar(&db,
		   "SELECT wr FROM pragma_table_list WHERE name='dns_stats'"),
	    1, "dns_stats without rowids");
	is_str(sql_text(&db,
		   "SELECT group_concat(user || ':' || domain || ':' || "
		   "count, ' ') FROM (SELECT * FROM dns_stats ORDER BY user)",
		   buf, sizeof(buf)),
	    "alice:example.com:42 bob:b.org:7 carol:c.io:0",
	    "rows kept, a pair twice added up, a row without a user dropped");
	is_int(sql_scalar(
		   &db, "SELECT uplink FROM clients_stats WHERE user='alice'"),
	    99, "other tables untouched");
	is_int(db_exec(&db,
		   "INSERT INTO dns_stats (user, count, domain) VALUES "
		   "('bob', 1, 'b.org')"),
	    DB_ERR, "(user, domain) is the key");
	is_int(db_exec(&db,
		   "INSERT INTO dns_stats (user, domain) VALUES ('dave', "
		   "'d.com')"),
	    DB_OK, "the column defaults are kept");
	is_int(sql_scalar(&db, "SELECT count FROM dns_stats WHERE user='dave'"),
	    1, "count defaults to 1");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "migrate again");
	is_int(sql_scalar(&db, "SELECT count(*) FROM dns_stats"), 4, "a no-op");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM sqlite_master WHERE name LIKE "
		   "'dns_stats_%'"),
	    0, "no table left behind");
	db_close(&db);
}

static void
clash(void *arg, const char *first, const char *other)
{
	char *s = arg;

	strcat(s, first);
	strcat(s, "=");
	strcat(s, other);
	strcat(s, " ");
}

/*
 * A version 2 database holding two names that are one user to the core
 * (the API let them in) comes to version 3: it starts, keys every user,
 * reports the pair, and core_applied is keyed by the exact name.
 */
static void
t_v2(void)
{
	struct db db;
	char path[256], err[512], buf[256] = "";

	snprintf(path, sizeof(path), "%s/v2.db", dir);
	is_int(db_open(&db, path, err, sizeof(err)), DB_OK, "open v2");
	is_int(db_exec(&db,
		   "CREATE TABLE clients_stats (user TEXT PRIMARY KEY, uuid "
		   "TEXT NOT NULL DEFAULT '', last_seen TEXT DEFAULT '', rate "
		   "INTEGER DEFAULT 0, enabled TEXT DEFAULT 'true', sub_end "
		   "TEXT DEFAULT '', renew INTEGER DEFAULT 0, lim_ip INTEGER "
		   "DEFAULT 0, ips TEXT DEFAULT '', uplink INTEGER DEFAULT 0, "
		   "downlink INTEGER DEFAULT 0, sess_uplink INTEGER DEFAULT 0, "
		   "sess_downlink INTEGER DEFAULT 0, created TEXT DEFAULT '', "
		   "inbound_tag TEXT NOT NULL DEFAULT '', disabled_reason TEXT "
		   "NOT NULL DEFAULT '', core_error TEXT NOT NULL DEFAULT '');"
		   "CREATE INDEX clients_stats_user_nocase ON "
		   "clients_stats(user COLLATE NOCASE);"
		   "CREATE TABLE core_applied (user TEXT PRIMARY KEY COLLATE "
		   "NOCASE, inbound_tag TEXT NOT NULL, credential TEXT NOT "
		   "NULL);"
		   "INSERT INTO clients_stats (user, uuid) VALUES "
		   "('\xc3\x84rger', 'u1'), ('bob', 'u2'), ('\xc3\xa4rger', "
		   "'u3'), ('kate', 'u4'), ('\xe2\x84\xaa"
		   "ate', 'u5');"
		   "INSERT INTO core_applied VALUES ('bob', 'vless-in', 'u2');"
		   "PRAGMA user_version = 2"),
	    DB_OK, "version 2 database with two colliding pairs");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK,
	    "migrate 2 -> 3: a colliding pair does not stop it");
	is_int(db_schema_version(&db), DB_SCHEMA_VERSION, "version 3");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM clients_stats WHERE name_key IS "
		   "v2s_name_key(user) AND name_key IS NOT NULL"),
	    5, "every user keyed");
	is_int(users_key_clashes(&db, clash, buf), DB_OK, "clashes listed");
	is_str(buf,
	    "\xc3\x84rger=\xc3\xa4rger kate=\xe2\x84\xaa"
	    "ate ",
	    "both pairs reported, the older name first");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM sqlite_master WHERE name = "
		   "'clients_stats_user_nocase'"),
	    0, "the ASCII-only index is gone");
	is_int(sql_scalar(&db, "SELECT count(*) FROM core_applied"), 1,
	    "core_applied rows kept");
	is_int(db_exec(&db,
		   "INSERT INTO core_applied VALUES ('BOB', 'trojan-in', "
		   "'p')"),
	    DB_OK, "core_applied is keyed by the exact name");
	db_close(&db);
}

/*
 * A version 3 database (the last before the outbox) comes to version 4:
 * clients_stats gets config_removed, the outbox appears, no row is lost.
 */
static void
t_v3(void)
{
	struct db db;
	char path[256], err[512];

	snprintf(path, sizeof(path), "%s/v3.db", dir);
	is_int(db_open(&db, path, err, sizeof(err)), DB_OK, "open v3");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "create current");
	is_int(db_exec(&db,
		   "INSERT INTO clients_stats (user, uuid) VALUES ('ann', "
		   "'u1');"
		   "ALTER TABLE clients_stats DROP COLUMN config_removed;"
		   "DROP TABLE outbox;"
		   "PRAGMA user_version = 3"),
	    DB_OK, "made a version 3 database");
	is_int(db_migrate(&db, err, sizeof(err)), DB_OK, "migrate 3 -> 4");
	is_int(db_schema_version(&db), DB_SCHEMA_VERSION, "version 4");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM pragma_table_info('clients_stats') "
		   "WHERE name = 'config_removed'"),
	    1, "config_removed added");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM clients_stats WHERE user = 'ann' AND "
		   "config_removed = ''"),
	    1, "the row kept, not marked");
	is_int(sql_scalar(&db,
		   "SELECT count(*) FROM sqlite_master WHERE name = 'outbox'"),
	    1, "the outbox created");
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

/*
 * The typed helpers: each value binds as its type, a wrong number of
 * values is refused before anything runs, and every statement comes back
 * reset (no read left open).
 */
static void
t_typed(void)
{
	static const char ins[] = "INSERT INTO t (k, a, b) VALUES (?1, ?2, ?3)";
	static const char types[] = "SELECT typeof(a) || ',' || typeof(b) "
				    "FROM t WHERE k = ?1";
	struct db db;
	sqlite3_stmt *st;
	char path[256], err[512], out[16];
	int64_t n = -7;
	int rc, rows;

	snprintf(path, sizeof(path), "%s/typed.db", dir);
	db_open(&db, path, err, sizeof(err));
	is_int(db_run(&db, "CREATE TABLE t (k TEXT PRIMARY KEY, a, b)"), DB_OK,
	    "run: no values at all");
	is_int(db_run(&db, ins, dbv_text("i"), dbv_int(5), dbv_int(-1)), DB_OK,
	    "run: insert");
	is_int(db_changes(&db), 1, "run: one row changed");
	is_int(db_run(&db, ins, dbv_text("t"), dbv_text("5"), dbv_null()),
	    DB_OK, "run: text and null");
	is_int(db_run(&db, ins, dbv_textn("nxyz", 1), dbv_text(NULL),
		   dbv_textn("ab\0c", 4)),
	    DB_OK, "run: text with a length, NULL text");
	is_int(db_get_str(&db, out, sizeof(out), types, dbv_text("i")), 1,
	    "get_str: a row");
	is_str(out, "integer,integer", "dbv_int binds integers");
	db_get_str(&db, out, sizeof(out), types, dbv_text("t"));
	is_str(out, "text,null", "dbv_text binds text, dbv_null NULL");
	db_get_str(&db, out, sizeof(out), types, dbv_text("n"));
	is_str(out, "null,text", "dbv_textn takes N bytes; NULL text is NULL");
	is_int(db_get_int(&db, &n,
		   "SELECT length(CAST(b AS BLOB)) FROM t WHERE k = ?1",
		   dbv_textn("nope", 1)),
	    1, "get_int: a row");
	is_int(n, 4, "dbv_textn keeps bytes past a NUL");

	/* Wrong numbers of values: refused, nothing runs. */
	is_int(db_run(&db, ins, dbv_text("x"), dbv_int(1)), DB_ERR,
	    "run: too few values refused");
	is_int(
	    db_run(&db, ins, dbv_text("x"), dbv_int(1), dbv_int(2), dbv_int(3)),
	    DB_ERR, "run: too many values refused");
	is_int(db_run(&db, "DELETE FROM t WHERE k = ?1"), DB_ERR,
	    "run: no values for a parameter refused");
	is_int(sql_scalar(&db, "SELECT count(*) FROM t"), 3,
	    "nothing ran with the wrong number of values");
	ok(db_query(&db, types) == NULL, "query: missing value gives NULL");
	is_int(db_next(&db, NULL), DB_ERR, "next: NULL statement is an error");

	/* Reading. */
	n = -7;
	is_int(db_get_int(
		   &db, &n, "SELECT a FROM t WHERE k = ?1", dbv_text("none")),
	    0, "get_int: no row");
	is_int(n, -7, "get_int: no row leaves the output");
	is_int(db_get_int(
		   &db, NULL, "SELECT 1 FROM t WHERE k = ?1", dbv_text("i")),
	    1, "get_int: NULL output asks only for a row");
	db_get_str(&db, out, 4, "SELECT 'abcdef'");
	is_str(out, "abc", "get_str: cut to fit");
	db_get_str(&db, out, sizeof(out), "SELECT NULL");
	is_str(out, "", "get_str: NULL is empty");
	is_int(db_get_int(&db, &n, "SELECT nonsense FROM nowhere"), DB_ERR,
	    "get_int: bad SQL is an error");

	st = db_query(
	    &db, "SELECT k FROM t WHERE a IS NOT ?1 ORDER BY k", dbv_int(99));
	rows = 0;
	while ((rc = db_next(&db, st)) == 1)
		rows++;
	is_int(rc, 0, "next: the end");
	is_int(rows, 3, "next: every row");
	ok(!sqlite3_stmt_busy(st), "next: reset at the end");
	is_int(db_row(&db, &st, "SELECT k FROM t ORDER BY k"), 1, "row: found");
	is_str(db_text(st, 0), "i", "row: the first row");
	ok(sqlite3_stmt_busy(st), "row: open until done");
	db_done(st);
	ok(!sqlite3_stmt_busy(st), "done: reset");
	db_done(NULL);
	is_int(db_row(&db, &st, "SELECT k FROM t WHERE k = ?1", dbv_text("-")),
	    0, "row: none");
	ok(!sqlite3_stmt_busy(st), "row: none leaves it reset");
	/* An error mid-run resets too: a constraint fails on the 2nd row. */
	is_int(db_run(&db,
		   "INSERT INTO t (k) SELECT 'dup' FROM t WHERE k IN (?1, ?2)",
		   dbv_text("i"), dbv_text("t")),
	    DB_ERR, "run: a failing statement is an error");
	is_int(sql_scalar(&db, "SELECT count(*) FROM t WHERE k = 'dup'"), 0,
	    "run: the failed statement changed nothing");
	db_close(&db);
}

/* Permission bits of DIR/NAME, or -1 if it does not exist. */
static int
mode_of(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) == -1)
		return -1;
	return (int)(st.st_mode & 07777);
}

/* The database holds every credential: created 0640 whatever the umask,
 * the -wal and -shm files too; an existing one is closed to others. */
static void
t_modes(void)
{
	static const struct {
		mode_t umask;
		const char *name;
	} c[] = {
		{ 0, "umask0.db" },
		{ 022, "umask022.db" },
		{ 077, "umask077.db" },
	};
	struct db db;
	char path[256], err[512], wal[64];
	mode_t old;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, c[i].name);
		old = umask(c[i].umask);
		is_int(db_open(&db, path, err, sizeof(err)), DB_OK,
		    "umask %03o: open", (unsigned)c[i].umask);
		is_int(db_migrate(&db, err, sizeof(err)), DB_OK,
		    "umask %03o: migrate", (unsigned)c[i].umask);
		is_int(mode_of(c[i].name), 0640, "umask %03o: database 0640",
		    (unsigned)c[i].umask);
		snprintf(wal, sizeof(wal), "%s-wal", c[i].name);
		is_int(mode_of(wal), 0640, "umask %03o: -wal 0640",
		    (unsigned)c[i].umask);
		snprintf(wal, sizeof(wal), "%s-shm", c[i].name);
		is_int(mode_of(wal), 0640, "umask %03o: -shm 0640",
		    (unsigned)c[i].umask);
		db_close(&db);
		umask(old);
	}

	/* An existing database open to everyone (an older version, umask
	 * 0): others lose their access, owner and group keep theirs. */
	snprintf(path, sizeof(path), "%s/open.db", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ok(fd != -1, "existing: created");
	if (fd != -1) {
		fchmod(fd, 0664);
		close(fd);
	}
	is_int(db_open(&db, path, err, sizeof(err)), DB_OK, "existing: open");
	is_int(mode_of("open.db"), 0660, "existing 0664 becomes 0660");
	db_close(&db);
}

int
main(void)
{
	int rc;

	dir = tmpdir_make("db");
	t_fresh();
	t_adopt();
	t_v1();
	t_v2();
	t_v3();
	t_stmt_cache();
	t_typed();
	t_modes();
	rc = tap_done();
	return tmpdir_remove(dir) == 0 ? rc : 1;
}
