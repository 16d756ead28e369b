/*
 * Many rows into one SQL statement: an eponymous virtual table, v2s_rows,
 * whose rows come from a C callback for the duration of one statement.
 * One "INSERT ... SELECT c0, c1 FROM v2s_rows" replaces a prepare, bind,
 * step and reset per row, which is most of the cost of writing a large
 * batch.  The table has eight untyped columns, c0 .. c7; it is read-only
 * and cannot be used from triggers or views.
 */
#ifndef V2S_DBROWS_H
#define V2S_DBROWS_H

#include <stddef.h>

#include "db.h"

struct dbrows {
	size_t n; /* rows 0 .. n - 1 */
	/* Sets column COL (0 .. 7) of ROW as the result of CTX, e.g. with
	 * sqlite3_result_text(ctx, s, len, SQLITE_STATIC).  Leaving it
	 * unset gives NULL. */
	void (*column)(void *arg, size_t row, int col, sqlite3_context *ctx);
	void *arg;
};

/*
 * Runs SQL (a string literal: the statement cache key) once, with
 * v2s_rows reading from SRC, to completion.  Registers the table on DB's
 * connection on first use.  Any rows the statement returns are ignored.
 * Returns DB_OK or a DB_* error (logged); the caller's transaction is
 * left to the caller.
 */
int dbrows_exec(struct db *db, const char *sql, const struct dbrows *src);

#endif
