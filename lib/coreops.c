/* The operations queue from the responder to the worker (see coreops.h). */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "coreops.h"

#define COREOPS_KEEP_S 86400 /* finished operations kept for the record */
#define COREOPS_POLL_US 5000

int64_t
coreops_add(struct db *db, const char *user)
{
	int64_t id;
	int rc;

	rc = db_run(db,
	    "INSERT INTO core_ops (user, at, done) VALUES "
	    "(?1, CAST(strftime('%s', 'now') AS INTEGER), ?2)",
	    dbv_text(user), dbv_int(COREOP_WAITING));
	if (rc != DB_OK)
		return rc;
	id = sqlite3_last_insert_rowid(db->h);
	/* The admin has dealt with the user: a hand edit of the core
	 * config that removed it is no longer worth a warning. */
	rc = db_run(db,
	    "UPDATE clients_stats SET config_removed = '' WHERE user = ?1 "
	    "AND config_removed != ''",
	    dbv_text(user));
	return rc != DB_OK ? rc : id;
}

/* The worst state of the operations FIRST..LAST (see coreops_wait()). */
static int
worst_state(struct db *db, int64_t first, int64_t last, char *why, size_t whysz)
{
	sqlite3_stmt *st;
	int rc, waiting = 0, deferred = 0;

	/* A refusal first: its words are the answer. */
	st = db_query(db,
	    "SELECT done, result FROM core_ops WHERE id BETWEEN ?1 AND ?2 "
	    "ORDER BY done = ?3 DESC, id",
	    dbv_int(first), dbv_int(last), dbv_int(COREOP_REFUSED));
	while ((rc = db_next(db, st)) == 1) {
		switch (sqlite3_column_int(st, 0)) {
		case COREOP_REFUSED:
			snprintf(why, whysz, "%s", db_text(st, 1));
			db_done(st);
			return COREOP_REFUSED;
		case COREOP_WAITING:
			waiting = 1;
			break;
		case COREOP_DEFERRED:
			deferred = 1;
			break;
		}
	}
	if (rc < 0)
		return rc;
	return waiting ? COREOP_WAITING
	    : deferred ? COREOP_DEFERRED
		       : COREOP_APPLIED;
}

int
coreops_wait(struct db *db, int64_t first, int64_t last, int64_t wait_ms,
    char *why, size_t whysz)
{
	int64_t until = mono_ms() + wait_ms;
	int state;

	if (whysz > 0)
		why[0] = '\0';
	for (;;) {
		state = worst_state(db, first, last, why, whysz);
		if (state != COREOP_WAITING || mono_ms() >= until)
			return state;
		usleep(COREOPS_POLL_US);
	}
}

int64_t
coreops_last_id(struct db *db)
{
	int64_t id = 0;
	int rc;

	rc = db_get_int(db, &id, "SELECT coalesce(max(id), 0) FROM core_ops");
	return rc < 0 ? rc : id;
}

int
coreops_pending(struct db *db, int64_t upto, int deferred,
    void (*fn)(void *arg, const char *user), void *arg)
{
	sqlite3_stmt *st;
	int rc;

	st = db_query(db,
	    "SELECT DISTINCT user FROM core_ops WHERE (done = ?1 OR "
	    "(?2 AND done = ?3)) AND id <= ?4",
	    dbv_int(COREOP_WAITING), dbv_int(deferred != 0),
	    dbv_int(COREOP_DEFERRED), dbv_int(upto));
	while ((rc = db_next(db, st)) == 1)
		fn(arg, db_text(st, 0));
	return rc;
}

int
coreops_record(struct db *db, const char *user, enum coreop_state state,
    const char *result, int64_t upto)
{
	return db_run(db,
	    "UPDATE core_ops SET done = ?2, result = ?3 WHERE user = ?1 AND "
	    "done IN (?5, ?6) AND id <= ?4",
	    dbv_text(user), dbv_int(state), dbv_text(result), dbv_int(upto),
	    dbv_int(COREOP_WAITING), dbv_int(COREOP_DEFERRED));
}

int
coreops_prune(struct db *db)
{
	return db_run(db,
	    "DELETE FROM core_ops WHERE done = ?1 AND "
	    "at < CAST(strftime('%s', 'now') AS INTEGER) - ?2",
	    dbv_int(COREOP_APPLIED), dbv_int(COREOPS_KEEP_S));
}
