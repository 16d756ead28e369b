/*
 * The SQLite database shared by the FastCGI handlers and the worker: opening
 * with the right pragmas, the schema and its migrations, a cache of prepared
 * statements, and short write transactions.  All SQL is fixed text in the
 * modules that use it; values are always bound, never formatted in.
 */
#ifndef V2S_DB_H
#define V2S_DB_H

#include <stddef.h>
#include <sqlite3.h>

#define DB_SCHEMA_VERSION 2
#define DB_SCHEMA_VERSION_STR "2"
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

/*
 * Opens (creating if needed) the database file PATH read-write with WAL,
 * synchronous=NORMAL, busy_timeout and foreign keys on.  Returns DB_OK, or
 * DB_ERR with a reason in ERR and DB zeroed.
 */
int db_open(struct db *db, const char *path, char *err, size_t errsz);

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

#endif
