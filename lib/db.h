/*
 * The SQLite database shared by the FastCGI handlers and the worker: opening
 * with the right pragmas, the schema and its migrations (schema.c), a cache
 * of prepared statements, short write transactions, and typed helpers that
 * bind, step and reset in one call.  All SQL is fixed text in the modules
 * that use it; values are always bound, never formatted in.
 *
 *	db_run(db, "UPDATE t SET a = ?2 WHERE k = ?1", dbv_text(k), dbv_int(5));
 *	db_get_int(db, &n, "SELECT count(*) FROM t WHERE a > ?1", dbv_int(0));
 *	st = db_query(db, "SELECT k, a FROM t WHERE a > ?1", dbv_int(0));
 *	while ((rc = db_next(db, st)) == 1)
 *		use(db_text(st, 0), sqlite3_column_int64(st, 1));
 *	if (rc < 0) ...;	(the statement is reset: no cleanup)
 *
 * The values are checked by the compiler (each dbv_*() takes one C type)
 * and their number against the statement's parameters when it runs.
 */
#ifndef V2S_DB_H
#define V2S_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#define DB_SCHEMA_VERSION 4
#define DB_SCHEMA_VERSION_STR "4"
#define DB_BUSY_TIMEOUT_MS 5000
#define DB_MAX_STMTS 96

struct db_stmt_slot {
	const char *sql; /* borrowed: a string literal, the cache key */
	sqlite3_stmt *stmt;
};

struct db {
	sqlite3 *h;
	char *path; /* owned */
	struct db_stmt_slot slots[DB_MAX_STMTS];
	size_t nslots;
	const void *rows; /* borrowed: v2s_rows' source (worker/dbrows.c) */
	int rows_ready; /* v2s_rows registered on h */
};

enum db_rc {
	DB_OK = 0,
	DB_BUSY = -2, /* locked for longer than the busy timeout */
	DB_ERR = -1, /* anything else; already logged */
};

/* Mode of a database file we create (and so of its -wal and -shm). */
#define DB_FILE_MODE 0640

/*
 * Opens (creating if needed) the database file PATH read-write with WAL,
 * synchronous=NORMAL, busy_timeout and foreign keys on.  A new file is
 * created DB_FILE_MODE whatever the umask; an existing one, its -wal and
 * -shm lose the permission bits of others (owner and group are kept).
 * Returns DB_OK, or DB_ERR with a reason in ERR and DB zeroed.
 */
int db_open(struct db *db, const char *path, char *err, size_t errsz);

/*
 * For a process that uses SQLite from more than one thread, each thread
 * with connections of its own (the worker): call before the first
 * db_open(); SQLite then keeps its global mutexes (by default our
 * processes run it single-threaded, without any).  Returns 0, or -1 if
 * this SQLite was built without thread support or is already in use.
 */
int db_threads(void);

/*
 * Brings the schema to DB_SCHEMA_VERSION inside one BEGIN IMMEDIATE
 * transaction: creates it on an empty file, adopts a database written by
 * the original v2ray-stat (no user_version, original columns) in place
 * without losing rows, and refuses a newer version than this program knows.
 * Safe to run from several processes at once.  Returns DB_OK, DB_BUSY or
 * DB_ERR (reason in ERR).
 */
int db_migrate(struct db *db, char *err, size_t errsz);

/* Returns PRAGMA user_version, or -1 on error. */
int db_schema_version(struct db *db);

/*
 * Returns the prepared statement for SQL (a string literal: the pointer is
 * the cache key), preparing it on first use; it comes back reset with its
 * bindings cleared.  Returns NULL (logged) if SQL does not prepare.  The
 * statement belongs to DB.
 */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* Runs fixed SQL text without results (pragmas, DDL).  DB_OK/DB_BUSY/DB_ERR. */
int db_exec(struct db *db, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  DB_OK, DB_BUSY or DB_ERR. */
int db_begin(struct db *db);
/*
 * BEGIN (deferred): a read transaction, one snapshot for many reads that
 * blocks no writer; end it with db_rollback().  DB_OK or DB_ERR.
 */
int db_begin_read(struct db *db);
int db_commit(struct db *db);
/* Rolls back if a transaction is open; never fails the caller. */
void db_rollback(struct db *db);

/*
 * Steps STMT once and maps the result: SQLITE_ROW -> 1, SQLITE_DONE -> 0,
 * busy -> DB_BUSY, other errors -> DB_ERR (logged with the SQL).
 */
int db_step(struct db *db, sqlite3_stmt *stmt);

/* Maps an sqlite3 result code to DB_OK/DB_BUSY/DB_ERR. */
int db_rc_map(int rc);

/* Column text that is never NULL ("" instead). */
const char *db_text(sqlite3_stmt *stmt, int col);

/* Finalizes every cached statement and closes; accepts a zeroed struct. */
void db_close(struct db *db);

/* ------------------------------------------------------------ typed helpers */

/* One value for a statement parameter; make it with a dbv_*() below. */
struct dbv {
	int type; /* SQLITE_INTEGER, SQLITE_TEXT or SQLITE_NULL */
	int len; /* text: its bytes, or -1 up to the NUL */
	int64_t i;
	const char *s; /* borrowed until the statement is reset */
};

static inline struct dbv
dbv_int(int64_t i)
{
	struct dbv v = { SQLITE_INTEGER, 0, i, NULL };

	return v;
}

/* A NUL-terminated text; NULL binds SQL NULL. */
static inline struct dbv
dbv_text(const char *s)
{
	struct dbv v = { s != NULL ? SQLITE_TEXT : SQLITE_NULL, -1, 0, s };

	return v;
}

/* The N bytes at S (N < 2 GiB). */
static inline struct dbv
dbv_textn(const char *s, size_t n)
{
	struct dbv v = { SQLITE_TEXT, (int)n, 0, s };

	return v;
}

static inline struct dbv
dbv_null(void)
{
	struct dbv v = { SQLITE_NULL, 0, 0, NULL };

	return v;
}

/* The values of one call, in parameter order (?1, ?2, ...): an array and
 * its length.  None at all is allowed. */
#define DBV(...) \
	(const struct dbv[]){ __VA_ARGS__ }, \
	    sizeof((const struct dbv[]){ __VA_ARGS__ }) / sizeof(struct dbv)

/*
 * Returns the cached statement for SQL (a string literal, as db_stmt())
 * with the N values V bound, ready to step with db_next(); NULL (logged)
 * if it does not prepare or takes another number of values.
 */
sqlite3_stmt *db_query_v(
    struct db *db, const char *sql, const struct dbv *v, size_t n);
#define db_query(db, sql, ...) db_query_v((db), (sql), DBV(__VA_ARGS__))

/*
 * Steps a statement from db_query(): 1 with a row to read, 0 at the end,
 * DB_BUSY or DB_ERR (logged).  At the end and on an error the statement is
 * reset, so a loop that runs to its end needs no cleanup; a caller that
 * stops at a row calls db_done().  A NULL ST (db_query() failed) is
 * DB_ERR.
 */
int db_next(struct db *db, sqlite3_stmt *st);

/* Resets ST, ending the read it was in; accepts NULL. */
void db_done(sqlite3_stmt *st);

/*
 * db_query() and one db_next(): returns 1 with *ST on the first row (read
 * it, then db_done(*ST)), 0 if there is none, or DB_BUSY / DB_ERR (both
 * with nothing left to reset).
 */
int db_row_v(struct db *db, sqlite3_stmt **st, const char *sql,
    const struct dbv *v, size_t n);
#define db_row(db, st, sql, ...) db_row_v((db), (st), (sql), DBV(__VA_ARGS__))

/*
 * Runs SQL with the values V to its end, ignoring any rows, and resets it.
 * Returns DB_OK, DB_BUSY or DB_ERR; db_changes() then tells how many rows
 * it changed.
 */
int db_run_v(struct db *db, const char *sql, const struct dbv *v, size_t n);
#define db_run(db, sql, ...) db_run_v((db), (sql), DBV(__VA_ARGS__))

/*
 * Runs SQL with the values V and reads column 0 of its first row as an
 * integer into *OUT (NULL: only whether there is a row).  Returns 1 (a
 * row), 0 (none; *OUT untouched), DB_BUSY or DB_ERR.
 */
int db_get_int_v(struct db *db, int64_t *out, const char *sql,
    const struct dbv *v, size_t n);
#define db_get_int(db, out, sql, ...) \
	db_get_int_v((db), (out), (sql), DBV(__VA_ARGS__))

/*
 * As db_get_int(), for column 0 as text copied into OUT (OUTSZ > 0,
 * always NUL-terminated, cut to fit; SQL NULL reads as "").
 */
int db_get_str_v(struct db *db, char *out, size_t outsz, const char *sql,
    const struct dbv *v, size_t n);
#define db_get_str(db, out, outsz, sql, ...) \
	db_get_str_v((db), (out), (outsz), (sql), DBV(__VA_ARGS__))

/* Rows changed by the last INSERT, UPDATE or DELETE on DB. */
int64_t db_changes(struct db *db);

#endif
