/*
 * Changing one user: delete_user, set_enabled, update_lim_ip, update_renew
 * and adjust_date.  Each is one short write transaction; the worker applies
 * the change to the core.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "coreops.h"
#include "fcgi.h"
#include "subdate.h"
#include "valid.h"

#define RENEW_MAX_DAYS 3650
#define LIM_IP_MAX 100

/* Replies 404 for an unknown user. */
static int
reply_no_user(struct req *req, const char *user)
{
	char q[200];

	return reply_text(
	    req, 404, "user '%s' not found", req_quote(user, q, sizeof(q)));
}

/*
 * Starts a write transaction and reads USER's row with SQL (?1 = the user).
 * Returns 1 with *ST on the row and the transaction open; otherwise the
 * reply is sent (404 for an unknown user, or the database error), the
 * transaction rolled back, *STATUS set, and it returns 0.
 */
static int
begin_user_row(struct req *req, const char *sql, const char *user,
    sqlite3_stmt **st, int *status)
{
	struct db *db = &req->app->db;
	int rc;

	*st = NULL;
	if ((rc = db_begin(db)) != DB_OK) {
		*status = reply_db_error(req, rc);
		return 0;
	}
	if ((*st = db_stmt(db, sql)) == NULL)
		rc = DB_ERR;
	else {
		sqlite3_bind_text(*st, 1, user, -1, SQLITE_STATIC);
		if ((rc = db_step(db, *st)) == 1)
			return 1;
		sqlite3_reset(*st);
	}
	*status = rc == 0 ? reply_no_user(req, user) : reply_db_error(req, rc);
	db_rollback(db);
	return 0;
}

/*
 * Runs an UPDATE whose ?1 is the user and ?2 (if VAL is not NULL) a text
 * value, or ?2 an integer when VAL is NULL, in one transaction.  With CORE
 * the core must follow the change: the reply then waits for the worker.
 * Replies with OKMSG, 404 when no row matched, or a database error.
 */
static int
update_user(struct req *req, const char *sql, const char *user, const char *val,
    long long ival, int core, const char *okmsg)
{
	struct db *db = &req->app->db;
	sqlite3_stmt *st;
	int64_t op = 0;
	int rc;

	if ((rc = db_begin(db)) != DB_OK)
		return reply_db_error(req, rc);
	if ((st = db_stmt(db, sql)) == NULL) {
		rc = DB_ERR;
		goto fail;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (val != NULL)
		sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, ival);
	rc = db_step(db, st);
	sqlite3_reset(st);
	if (rc < 0)
		goto fail;
	if (sqlite3_changes(db->h) == 0) {
		db_rollback(db);
		return reply_no_user(req, user);
	}
	if (core && (op = coreops_add(&req->app->db, user)) < 0) {
		rc = (int)op;
		goto fail;
	}
	if ((rc = db_commit(db)) != DB_OK)
		return reply_db_error(req, rc);
	if (core)
		return reply_applied(req, op, op, okmsg);
	return reply_text(req, 200, "%s", okmsg);
fail:
	db_rollback(db);
	return reply_db_error(req, rc);
}

int
api_delete_user(struct req *req)
{
	static const char *const deletes[] = {
		/* the core keeps the user's counters until it restarts */
		"INSERT OR REPLACE INTO deleted_users (user, sess_uplink, "
		"sess_downlink, at) SELECT user, sess_uplink, sess_downlink, "
		"CAST(strftime('%s', 'now') AS INTEGER) FROM clients_stats "
		"WHERE user = ?1",
		"DELETE FROM clients_stats WHERE user = ?1",
		"DELETE FROM dns_stats WHERE user = ?1",
		"DELETE FROM user_ips WHERE user = ?1",
	};
	struct db *db = &req->app->db;
	sqlite3_stmt *st;
	const char *user, *tag;
	char q[200], q2[200];
	size_t i;
	int64_t op;
	int rc = DB_OK, status;

	user = form_get(&req->params, "user");
	tag = form_get(&req->params, "inboundTag");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (!begin_user_row(req,
		"SELECT inbound_tag FROM clients_stats WHERE user = ?1", user,
		&st, &status))
		return status;
	/* An inbound tag given by the caller must be the user's. */
	if (tag != NULL && *tag != '\0' && strcmp(tag, db_text(st, 0)) != 0) {
		sqlite3_reset(st);
		status = reply_text(req, 404, "user %s not found in inbound %s",
		    req_quote(user, q, sizeof(q)),
		    req_quote(tag, q2, sizeof(q2)));
		goto fail;
	}
	sqlite3_reset(st);
	status = 0; /* from here on, failures are database errors (rc) */
	for (i = 0; i < sizeof(deletes) / sizeof(deletes[0]); i++) {
		if ((st = db_stmt(db, deletes[i])) == NULL) {
			rc = DB_ERR;
			goto fail;
		}
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		rc = db_step(db, st);
		sqlite3_reset(st);
		if (rc < 0)
			goto fail;
	}
	if ((op = coreops_add(&req->app->db, user)) < 0) {
		rc = (int)op;
		goto fail;
	}
	if ((rc = db_commit(db)) != DB_OK)
		return reply_db_error(req, rc);
	return reply_applied(req, op, op, "User deleted successfully");
fail:
	db_rollback(db);
	return status != 0 ? status : reply_db_error(req, rc);
}

int
api_set_enabled(struct req *req)
{
	const char *user, *val;
	int on;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "enabled");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (val == NULL || *val == '\0')
		on = 1;
	else if (parse_bool(val, &on) == -1)
		return reply_text(req, 400, "Enabled must be true or false");
	/* One statement: the flag is always stored as true/false, and the
	 * reason says the admin chose it (expiry never re-enables it). */
	return update_user(req,
	    "UPDATE clients_stats SET enabled = ?2, disabled_reason = "
	    "CASE WHEN ?2 = 'true' THEN '' ELSE 'admin' END WHERE user = ?1",
	    user, on ? "true" : "false", 0, 1,
	    "User status updated successfully");
}

int
api_update_lim_ip(struct req *req)
{
	const char *user, *val;
	long long v = 0;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "lim_ip");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (val != NULL && *val != '\0') {
		if (parse_int(val, -9999999999LL, 9999999999LL, &v) == -1)
			return reply_text(req, 400, "lim_ip must be a number");
		if (v < 0 || v > LIM_IP_MAX)
			return reply_text(req, 400,
			    "lim_ip must be between 0 and %d", LIM_IP_MAX);
	}
	return update_user(req,
	    "UPDATE clients_stats SET lim_ip = ?2 WHERE user = ?1", user, NULL,
	    v, 0, "IP limit updated successfully");
}

int
api_update_renew(struct req *req)
{
	const char *user, *val;
	long long v = 0;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "renew");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (val != NULL && *val != '\0') {
		if (parse_int(val, -9999999999LL, 9999999999LL, &v) == -1)
			return reply_text(req, 400, "Renew must be an integer");
		if (v < 0)
			return reply_text(req, 400, "Renew cannot be negative");
		if (v > RENEW_MAX_DAYS)
			return reply_text(req, 400,
			    "Renew must be at most %d days", RENEW_MAX_DAYS);
	}
	return update_user(req,
	    "UPDATE clients_stats SET renew = ?2 WHERE user = ?1", user, NULL,
	    v, 0, "Renew value updated successfully");
}

int
api_adjust_date(struct req *req)
{
	struct db *db = &req->app->db;
	struct subdate_offset off;
	sqlite3_stmt *st = NULL;
	const char *user, *val;
	char newend[SUBDATE_LEN + 2], cur[64], err[200];
	time_t now, t;
	char okmsg[200];
	int64_t op = 0;
	int rc = DB_OK, status, reenable;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "sub_end");
	if (user == NULL || *user == '\0' || val == NULL || *val == '\0')
		return reply_text(req, 400, "user and sub_end are required");
	if (subdate_parse_offset(val, &off, err, sizeof(err)) == -1)
		return reply_text(req, 400, "invalid offset format: %s", err);

	if (!begin_user_row(req,
		"SELECT sub_end, disabled_reason FROM clients_stats "
		"WHERE user = ?1",
		user, &st, &status))
		return status;
	snprintf(cur, sizeof(cur), "%s", db_text(st, 0));
	reenable = strcmp(db_text(st, 1), "expired") == 0;
	sqlite3_reset(st);
	now = time(NULL);
	if (subdate_apply(cur, &off, now, newend, sizeof(newend), err,
		sizeof(err)) == -1) {
		status = reply_text(req, 400, "invalid offset format: %s", err);
		goto fail;
	}
	status = 0; /* from here on, failures are database errors (rc) */
	/* A user the expiry disabled comes back once the end is ahead. */
	if (reenable && newend[0] != '\0' &&
	    (subdate_parse(newend, &t) == -1 || t <= now))
		reenable = 0;
	if ((st = db_stmt(db,
		 "UPDATE clients_stats SET sub_end = ?2, "
		 "enabled = CASE WHEN ?3 THEN 'true' "
		 "ELSE enabled END, "
		 "disabled_reason = CASE WHEN ?3 THEN '' "
		 "ELSE disabled_reason END "
		 "WHERE user = ?1")) == NULL) {
		rc = DB_ERR;
		goto fail;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, newend, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, reenable);
	rc = db_step(db, st);
	sqlite3_reset(st);
	if (rc < 0)
		goto fail;
	/* A re-enabled user goes back into the core. */
	if (reenable && (op = coreops_add(&req->app->db, user)) < 0) {
		rc = (int)op;
		goto fail;
	}
	if ((rc = db_commit(db)) != DB_OK)
		return reply_db_error(req, rc);
	snprintf(okmsg, sizeof(okmsg),
	    "Subscription date for %s updated with sub_end %s", user,
	    newend[0] != '\0' ? newend : "unlimited");
	if (reenable)
		return reply_applied(req, op, op, okmsg);
	return reply_text(req, 200, "%s", okmsg);
fail:
	db_rollback(db);
	return status != 0 ? status : reply_db_error(req, rc);
}
