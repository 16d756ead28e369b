#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "namefold.h"
#include "xmalloc.h"

/* SQL v2s_name_key(TEXT): the name key (lib/namefold.h); NULL stays NULL.
 * Used in statements only, never in the schema, so that other programs
 * can still write the tables. */
static void
sql_name_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *s;

	(void)argc;
	if ((s = sqlite3_value_text(argv[0])) == NULL)
		return; /* NULL */
	sqlite3_result_text(ctx,
	    name_key_n((const char *)s, (size_t)sqlite3_value_bytes(argv[0])),
	    -1, free);
}

int
db_rc_map(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	default:
		return DB_ERR;
	}
}

/*
 * Takes away the permission bits of "others" from FILE if it exists: the
 * database holds every user's credential.  Owner and group bits are the
 * admin's choice and kept.  By path, never by opening the file: closing
 * any descriptor of a file drops every POSIX lock the process holds on it,
 * and another connection of this process may hold SQLite's locks there.
 */
static void
db_close_to_others(const char *file)
{
	struct stat st;

	if (lstat(file, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 0007) == 0)
		return;
	if (chmod(file, st.st_mode & 07770) == 0)
		log_info("db: '%s' was readable by everyone: now mode %04o",
		    file, (unsigned)(st.st_mode & 07770));
	else
		log_warn("db: cannot take the others' access to '%s'", file);
}

/*
 * Creates the database file PATH with mode DB_FILE_MODE whatever the
 * umask (SQLite then gives its -wal and -shm files the same mode), and
 * closes an existing database and its -wal/-shm to others.  Errors are
 * left for sqlite3_open_v2() to report.
 */
static void
db_secure_files(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char *file;
	size_t i;
	int fd;

	if (*path == '\0' || strcmp(path, ":memory:") == 0 ||
	    strncmp(path, "file:", 5) == 0)
		return;
	/* Only a file created here is opened (and closed): nobody can hold
	 * a lock on it yet. */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    DB_FILE_MODE);
	if (fd != -1) {
		if (fchmod(fd, DB_FILE_MODE) == -1)
			log_warn("db: chmod '%s'", path);
		close(fd);
	}
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		file = xasprintf("%s%s", path, sfx[i]);
		db_close_to_others(file);
		free(file);
	}
}

static int threads; /* set once, before any thread and any db_open() */

int
db_threads(void)
{
	if (!sqlite3_threadsafe() ||
	    sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK)
		return -1;
	threads = 1;
	return 0;
}

int
db_open(struct db *db, const char *path, char *err, size_t errsz)
{
	static const char *const pragmas[] = {
		"PRAGMA journal_mode=WAL",
		"PRAGMA synchronous=NORMAL",
		"PRAGMA foreign_keys=ON",
		"PRAGMA temp_store=MEMORY",
	};
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	memset(db, 0, sizeof(*db));
	/* Unless db_threads() said otherwise, a process of ours uses
	 * SQLite from one thread only: no mutexes, no allocation statistics
	 * (both cost on every call).  Refused harmlessly once SQLite is
	 * initialised. */
	if (!threads)
		sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	db_secure_files(path);
	rc = sqlite3_open_v2(path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "cannot open database '%s': %s", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->h, 1);
	for (i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
		/* journal_mode returns a row; step until done. */
		rc = sqlite3_prepare_v2(db->h, pragmas[i], -1, &st, NULL);
		if (rc == SQLITE_OK)
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				;
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE) {
			snprintf(err, errsz, "database '%s': %s: %s", path,
			    pragmas[i], sqlite3_errmsg(db->h));
			goto fail;
		}
	}
	if (sqlite3_create_function_v2(db->h, "v2s_name_key", 1,
		SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
		sql_name_key, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "database '%s': v2s_name_key: %s", path,
		    sqlite3_errmsg(db->h));
		goto fail;
	}
	db->path = xstrdup(path);
	return DB_OK;
fail:
	sqlite3_close(db->h);
	memset(db, 0, sizeof(*db));
	return DB_ERR;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	struct db_stmt_slot *s;
	size_t i;

	for (i = 0; i < db->nslots; i++) {
		s = &db->slots[i];
		if (s->sql == sql) {
			sqlite3_reset(s->stmt);
			sqlite3_clear_bindings(s->stmt);
			return s->stmt;
		}
	}
	if (db->nslots == DB_MAX_STMTS)
		fatalx(
		    "db_stmt: more than %d distinct statements", DB_MAX_STMTS);
	s = &db->slots[db->nslots];
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
		&s->stmt, NULL) != SQLITE_OK) {
		log_error("db: prepare '%s': %s", sql, sqlite3_errmsg(db->h));
		sqlite3_finalize(s->stmt);
		s->stmt = NULL;
		return NULL;
	}
	s->sql = sql;
	db->nslots++;
	return s->stmt;
}

int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK && db_rc_map(rc) != DB_BUSY)
		log_error("db: '%s': %s", sql, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return db_rc_map(rc);
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_begin_read(struct db *db)
{
	return db_exec(db, "BEGIN");
}

int
db_commit(struct db *db)
{
	int rc;

	rc = db_exec(db, "COMMIT");
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
db_step(struct db *db, sqlite3_stmt *stmt)
{
	int rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	if (db_rc_map(rc) == DB_BUSY) {
		log_warnx("db: busy: %s", sqlite3_sql(stmt));
		return DB_BUSY;
	}
	log_error("db: '%s': %s", sqlite3_sql(stmt), sqlite3_errmsg(db->h));
	return DB_ERR;
}

const char *
db_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *p;

	p = sqlite3_column_text(stmt, col);
	return p != NULL ? (const char *)p : "";
}

int
db_schema_version(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nslots; i++)
		sqlite3_finalize(db->slots[i].stmt);
	if (db->h != NULL)
		sqlite3_close(db->h);
	free(db->path);
	memset(db, 0, sizeof(*db));
}

/* ------------------------------------------------------------ typed helpers */

sqlite3_stmt *
db_query_v(struct db *db, const char *sql, const struct dbv *v, size_t n)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return NULL;
	if ((size_t)sqlite3_bind_parameter_count(st) != n) {
		log_error("db: '%s' takes %d values, %zu given", sql,
		    sqlite3_bind_parameter_count(st), n);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		switch (v[i].type) {
		case SQLITE_INTEGER:
			rc = sqlite3_bind_int64(st, (int)i + 1, v[i].i);
			break;
		case SQLITE_TEXT:
			rc = sqlite3_bind_text(
			    st, (int)i + 1, v[i].s, v[i].len, SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(st, (int)i + 1);
			break;
		}
		if (rc != SQLITE_OK) {
			log_error("db: '%s': value %zu: %s", sql, i + 1,
			    sqlite3_errmsg(db->h));
			return NULL;
		}
	}
	return st;
}

int
db_next(struct db *db, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return DB_ERR;
	if ((rc = db_step(db, st)) != 1)
		sqlite3_reset(st);
	return rc;
}

void
db_done(sqlite3_stmt *st)
{
	if (st != NULL)
		sqlite3_reset(st);
}

int
db_row_v(struct db *db, sqlite3_stmt **st, const char *sql, const struct dbv *v,
    size_t n)
{
	*st = db_query_v(db, sql, v, n);
	return db_next(db, *st);
}

int
db_run_v(struct db *db, const char *sql, const struct dbv *v, size_t n)
{
	sqlite3_stmt *st;
	int rc;

	st = db_query_v(db, sql, v, n);
	while ((rc = db_next(db, st)) == 1)
		;
	return rc;
}

int
db_get_int_v(
    struct db *db, int64_t *out, const char *sql, const struct dbv *v, size_t n)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_row_v(db, &st, sql, v, n)) != 1)
		return rc;
	if (out != NULL)
		*out = sqlite3_column_int64(st, 0);
	db_done(st);
	return 1;
}

int
db_get_str_v(struct db *db, char *out, size_t outsz, const char *sql,
    const struct dbv *v, size_t n)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_row_v(db, &st, sql, v, n)) != 1)
		return rc;
	snprintf(out, outsz, "%s", db_text(st, 0));
	db_done(st);
	return 1;
}

int64_t
db_changes(struct db *db)
{
	return sqlite3_changes64(db->h);
}
