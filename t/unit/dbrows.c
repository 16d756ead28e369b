/* Unit tests for worker/dbrows.c: rows from a callback into one statement. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "dbrows.h"
#include "log.h"
#include "sqlq.h"
#include "tap.h"
#include "tmpdir.h"

static const char *dir;

struct pairs {
	const char *const *names;
	const long long *counts;
	int calls; /* column callbacks made */
};

static void
pair_column(void *arg, size_t row, int col, sqlite3_context *ctx)
{
	struct pairs *p = arg;

	p->calls++;
	if (col == 0)
		sqlite3_result_text(ctx, p->names[row], -1, SQLITE_STATIC);
	else if (col == 1)
		sqlite3_result_int64(ctx, p->counts[row]);
	/* other columns: left unset, so NULL */
}

static const char upsert[] =
    "INSERT INTO t (name, n) SELECT c0, c1 FROM v2s_rows WHERE true "
    "ON CONFLICT (name) DO UPDATE SET n = n + excluded.n";

static void
t_rows(struct db *db)
{
	static const char *const names[] = { "alice", "bob", "o'hara; --",
		"alice" };
	static const long long counts[] = { 3, 5, 7, 10 };
	struct pairs p = { names, counts, 0 };
	struct dbrows src = { 4, pair_column, &p };
	char buf[64];

	is_int(dbrows_exec(db, upsert, &src), DB_OK, "four rows upserted");
	is_int(sql_scalar(db, "SELECT count(*) FROM t"), 3,
	    "three distinct names");
	is_int(sql_scalar(db, "SELECT n FROM t WHERE name = 'alice'"), 13,
	    "a name twice in one statement adds up");
	is_int(sql_scalar(db, "SELECT n FROM t WHERE name = 'o''hara; --'"), 7,
	    "text is a value, never SQL");
	is_int(
	    dbrows_exec(db, upsert, &src), DB_OK, "the same statement again");
	is_int(sql_scalar(db, "SELECT n FROM t WHERE name = 'bob'"), 10,
	    "second run adds to the first");

	src.n = 0;
	p.calls = 0;
	is_int(dbrows_exec(db, upsert, &src), DB_OK, "zero rows");
	is_int(p.calls, 0, "no callback for zero rows");
	is_int(sql_scalar(db, "SELECT sum(n) FROM t"), 50, "nothing changed");

	src.n = 2;
	is_int(dbrows_exec(db,
		   "INSERT INTO u (a, b) SELECT c0, c5 FROM v2s_rows", &src),
	    DB_OK, "unset columns");
	is_int(sql_scalar(db, "SELECT count(*) FROM u WHERE b IS NULL"), 2,
	    "an unset column is NULL");
	is_str(sql_text(
		   db, "SELECT group_concat(a, ',') FROM u", buf, sizeof(buf)),
	    "alice,bob", "rows come in order");
}

static void
t_refused(struct db *db)
{
	static const char *const names[] = { "x" };
	static const long long counts[] = { 1 };
	struct pairs p = { names, counts, 0 };
	struct dbrows src = { 1, pair_column, &p };

	/* Only our own statements: not from a view or a trigger. */
	is_int(db_exec(db, "CREATE VIEW v AS SELECT * FROM v2s_rows"), DB_OK,
	    "a view may name it");
	is_int(db_exec(db, "SELECT * FROM v"), DB_ERR,
	    "but cannot read it through the view");
	is_int(db_exec(db,
		   "CREATE TRIGGER tr AFTER INSERT ON u BEGIN INSERT INTO t "
		   "(name, n) SELECT c0, 1 FROM v2s_rows; END"),
	    DB_OK, "a trigger may name it");
	is_int(db_exec(db, "INSERT INTO u (a) VALUES (1)"), DB_ERR,
	    "but cannot read it when it fires");
	is_int(sql_scalar(db, "SELECT count(*) FROM u"), 2,
	    "and the insert that fired it is undone");
	is_int(db_exec(db, "CREATE VIRTUAL TABLE w USING v2s_rows"), DB_ERR,
	    "cannot be created as a named table");
	is_int(db_exec(db, "INSERT INTO v2s_rows (c0) VALUES (1)"), DB_ERR,
	    "read-only");
	is_int(
	    dbrows_exec(db, "INSERT INTO nosuch SELECT c0 FROM v2s_rows", &src),
	    DB_ERR, "an error in the statement is DB_ERR");
	is_int(dbrows_exec(db,
		   "INSERT INTO t (name, n) SELECT c0, NULL FROM "
		   "v2s_rows",
		   &src),
	    DB_ERR, "a constraint failure is DB_ERR");
	is_int(sql_scalar(db, "SELECT count(*) FROM t WHERE name = 'x'"), 0,
	    "and wrote nothing");
	is_int(db_exec(db, "SELECT * FROM v2s_rows"), DB_OK,
	    "outside dbrows_exec the table is empty");
}

int
main(void)
{
	struct db db;
	char path[256], err[512];
	int rc;

	log_init("dbrows-test", LOG_LVL_NONE, 0, 0);
	dir = tmpdir_make("dbrows");
	snprintf(path, sizeof(path), "%s/rows.db", dir);
	if (db_open(&db, path, err, sizeof(err)) != DB_OK ||
	    db_exec(&db,
		"CREATE TABLE t (name TEXT PRIMARY KEY, n INTEGER NOT NULL);"
		"CREATE TABLE u (a, b)") != DB_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t_rows(&db);
	t_refused(&db);
	db_close(&db);
	rc = tap_done();
	return tmpdir_remove(dir) == 0 ? rc : 1;
}
