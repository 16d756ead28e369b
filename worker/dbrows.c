/*
 * The v2s_rows virtual table (see dbrows.h).  Eponymous-only: it exists
 * in every schema of the connection without CREATE VIRTUAL TABLE, and its
 * cursor reads the source that dbrows_exec() set on the struct db.
 */
#include "config.h"

#include <string.h>

#include "dbrows.h"
#include "log.h"

#define DBROWS_COLS 8

struct rows_vtab {
	sqlite3_vtab base;
	struct db *db; /* borrowed */
};

struct rows_cursor {
	sqlite3_vtab_cursor base;
	const struct dbrows *src; /* borrowed; NULL = no rows */
	size_t row;
};

static int
rows_connect(sqlite3 *h, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **out, char **err)
{
	struct rows_vtab *vt;
	int rc;

	(void)argc;
	(void)argv;
	(void)err;
	rc = sqlite3_declare_vtab(
	    h, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7)");
	if (rc != SQLITE_OK)
		return rc;
	/* Never from a trigger or a view: only our own statements. */
	sqlite3_vtab_config(h, SQLITE_VTAB_DIRECTONLY);
	if ((vt = sqlite3_malloc(sizeof(*vt))) == NULL)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof(*vt));
	vt->db = aux;
	*out = &vt->base;
	return SQLITE_OK;
}

static int
rows_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int
rows_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	struct rows_vtab *vt = (struct rows_vtab *)base;
	const struct dbrows *src = vt->db->rows;
	size_t n = src != NULL ? src->n : 1000;

	/* One plan: a full scan, whatever the constraints. */
	info->estimatedRows = (sqlite3_int64)n;
	info->estimatedCost = (double)n;
	return SQLITE_OK;
}

static int
rows_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	struct rows_cursor *c;

	(void)base;
	if ((c = sqlite3_malloc(sizeof(*c))) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int
rows_close(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int
rows_filter(sqlite3_vtab_cursor *base, int idx, const char *idxstr, int argc,
    sqlite3_value **argv)
{
	struct rows_cursor *c = (struct rows_cursor *)base;
	struct rows_vtab *vt = (struct rows_vtab *)base->pVtab;

	(void)idx;
	(void)idxstr;
	(void)argc;
	(void)argv;
	c->src = vt->db->rows;
	c->row = 0;
	return SQLITE_OK;
}

static int
rows_next(sqlite3_vtab_cursor *base)
{
	((struct rows_cursor *)base)->row++;
	return SQLITE_OK;
}

static int
rows_eof(sqlite3_vtab_cursor *base)
{
	struct rows_cursor *c = (struct rows_cursor *)base;

	return c->src == NULL || c->row >= c->src->n;
}

static int
rows_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
	struct rows_cursor *c = (struct rows_cursor *)base;

	if (col >= 0 && col < DBROWS_COLS)
		c->src->column(c->src->arg, c->row, col, ctx);
	return SQLITE_OK;
}

static int
rows_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *out)
{
	*out = (sqlite3_int64)((struct rows_cursor *)base)->row;
	return SQLITE_OK;
}

static const sqlite3_module rows_module = {
	.iVersion = 0,
	.xCreate = NULL, /* eponymous-only */
	.xConnect = rows_connect,
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xDestroy = rows_disconnect,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};

int
dbrows_exec(struct db *db, const char *sql, const struct dbrows *src)
{
	sqlite3_stmt *st;
	int rc;

	if (!db->rows_ready) {
		rc = sqlite3_create_module(db->h, "v2s_rows", &rows_module, db);
		if (rc != SQLITE_OK) {
			log_error("db: cannot register v2s_rows: %s",
			    sqlite3_errmsg(db->h));
			return DB_ERR;
		}
		db->rows_ready = 1;
	}
	db->rows = src; /* before the plan is made, for its row estimate */
	if ((st = db_stmt(db, sql)) == NULL) {
		db->rows = NULL;
		return DB_ERR;
	}
	while ((rc = db_step(db, st)) == 1)
		;
	sqlite3_reset(st);
	db->rows = NULL;
	return rc < 0 ? rc : DB_OK;
}
