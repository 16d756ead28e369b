/*
 * Test helpers: one value out of a database, for assertions.  Each runs
 * SQL on its own prepared statement, outside the statement cache.
 */
#ifndef V2S_T_SQLQ_H
#define V2S_T_SQLQ_H

#include <stddef.h>

#include "db.h"

/* The first column of the first row of SQL as an integer; -1 if none. */
long long sql_scalar(struct db *db, const char *sql);

/* The same as text in OUT (OUTSZ bytes); "" if none.  Returns OUT. */
const char *sql_text(struct db *db, const char *sql, char *out, size_t outsz);

#endif
