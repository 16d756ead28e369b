/*
 * The API's side of applying users to the core: a write that the core must
 * follow records an operation in core_ops (in the same transaction), and
 * after the commit waits briefly for the worker to apply it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi.h"

int64_t
core_op_add(struct req *req, const char *user)
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(&req->app->db,
	    "INSERT INTO core_ops (user, at) VALUES "
	    "(?1, CAST(strftime('%s', 'now') AS "
	    "INTEGER))");
	if (st == NULL)
		return DB_ERR;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	rc = db_step(&req->app->db, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return sqlite3_last_insert_rowid(req->app->db.h);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Returns the worst state of the operations FIRST..LAST: 0 waiting, 1
 * applied, 2 deferred, 3 refused (the first refusal's text in RESULT), or
 * a negative DB code.
 */
static int
ops_state(
    struct req *req, int64_t first, int64_t last, char *result, size_t resultsz)
{
	sqlite3_stmt *st;
	int rc, state = 1, waiting = 0, deferred = 0;

	st = db_stmt(&req->app->db,
	    "SELECT done, result FROM core_ops WHERE id BETWEEN ?1 AND ?2 "
	    "ORDER BY done = 3 DESC, id");
	if (st == NULL)
		return DB_ERR;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	while ((rc = db_step(&req->app->db, st)) == 1) {
		switch (sqlite3_column_int(st, 0)) {
		case 0:
			waiting = 1;
			break;
		case 2:
			deferred = 1;
			break;
		case 3:
			if (state != 3)
				snprintf(
				    result, resultsz, "%s", db_text(st, 1));
			state = 3;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (state == 3)
		return 3;
	return waiting ? 0 : deferred ? 2 : 1;
}

int
core_op_wait(
    struct req *req, int64_t first, int64_t last, char *why, size_t whysz)
{
	/* A batch gets longer: the worker applies some thousands of users
	 * a second. */
	int64_t until = mono_ms() + req->app->cfg.apply_wait_ms +
	    (req->app->cfg.apply_wait_ms > 0 ? (last - first) / 2 : 0);
	int state;

	why[0] = '\0';
	for (;;) {
		state = ops_state(req, first, last, why, whysz);
		if (state < 0 || state == 1)
			return state < 0 ? state : 200;
		if (state == 3)
			return 502;
		if (state == 2) {
			snprintf(why, whysz,
			    "the core is unreachable; the "
			    "change is saved and will be "
			    "applied when it is back");
			return 202;
		}
		if (mono_ms() >= until)
			break;
		usleep(5000);
	}
	snprintf(why, whysz,
	    "the change is saved; the worker has not "
	    "applied it yet");
	return 202;
}

int
reply_applied(struct req *req, int64_t first, int64_t last, const char *okmsg)
{
	char why[600];
	int rc;

	rc = core_op_wait(req, first, last, why, sizeof(why));
	switch (rc) {
	case 200:
		return reply_text(req, 200, "%s", okmsg);
	case 202:
		return reply_text(
		    req, 202, "%s (not applied yet: %s)", okmsg, why);
	case 502:
		return reply_text(
		    req, 502, "%s, but the core refused it: %s", okmsg, why);
	default:
		return reply_db_error(req, rc);
	}
}
