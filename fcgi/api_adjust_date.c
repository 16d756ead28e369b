/*
 * PATCH /api/v1/adjust_date: moves a user's subscription end by an offset
 * (both of the original's grammars, lib/subdate.h).  A user the expiry
 * disabled comes back once the end is ahead ("User enabled" on Telegram).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"
#include "subdate.h"
#include "users.h"

int
api_adjust_date(struct req *req)
{
	struct db *db = &req->app->db;
	struct subdate_offset off;
	struct user u;
	sqlite3_stmt *st;
	const char *user, *val;
	char newend[SUBDATE_LEN + 2], err[200], okmsg[200];
	time_t now, t;
	int rc, status, reenable;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "sub_end");
	if (user == NULL || *user == '\0' || val == NULL || *val == '\0')
		return reply_text(req, 400, "user and sub_end are required");
	if (subdate_parse_offset(val, &off, err, sizeof(err)) == -1)
		return reply_text(req, 400, "invalid offset format: %s", err);

	if ((status = user_edit_begin(req)) != 0)
		return status;
	if ((rc = users_get(db, user, &st, &u)) != 1)
		return user_edit_end(req, user, rc, 0, "");
	now = time(NULL);
	reenable = strcmp(u.disabled_reason, "expired") == 0;
	rc = subdate_apply(
	    u.sub_end, &off, now, newend, sizeof(newend), err, sizeof(err));
	db_done(st);
	if (rc == -1) {
		db_rollback(db);
		return reply_text(req, 400, "invalid offset format: %s", err);
	}
	/* A user the expiry disabled comes back once the end is ahead. */
	t = 0;
	if (reenable && newend[0] != '\0' &&
	    (subdate_parse(newend, &t) == -1 || t <= now))
		reenable = 0;
	snprintf(okmsg, sizeof(okmsg),
	    "Subscription date for %s updated with sub_end %s", user,
	    newend[0] != '\0' ? newend : "unlimited");
	rc = users_set_sub_end(db, user, newend, reenable);
	/* ... and Telegram is told in the same transaction. */
	if (reenable)
		rc = user_edit_enabled(req, user, t, rc);
	return user_edit_end(req, user, rc, reenable, okmsg);
}
