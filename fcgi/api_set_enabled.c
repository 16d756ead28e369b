/*
 * PATCH /api/v1/set_enabled: the admin enables or disables a user.
 * Enabling one that the expiry disabled is told on Telegram.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "fcgi.h"
#include "subdate.h"
#include "users.h"
#include "valid.h"

int
api_set_enabled(struct req *req)
{
	struct db *db = &req->app->db;
	struct user u;
	sqlite3_stmt *st;
	const char *user, *val;
	time_t end = 0;
	int on, status, rc, back = 0;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "enabled");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (val == NULL || *val == '\0')
		on = 1;
	else if (parse_bool(val, &on) == -1)
		return reply_text(req, 400, "Enabled must be true or false");
	if ((status = user_edit_begin(req)) != 0)
		return status;
	/* A user the expiry disabled and the admin enables: Telegram is
	 * told "User enabled" in the same transaction. */
	if (on && (rc = users_get(db, user, &st, &u)) == 1) {
		back = strcmp(u.disabled_reason, "expired") == 0;
		if (back && u.sub_end[0] != '\0' &&
		    subdate_parse(u.sub_end, &end) == -1)
			end = 0;
		db_done(st);
	} else if (on && rc < 0)
		return user_edit_end(req, user, rc, 1, "");
	rc = users_set_enabled(db, user, on);
	if (back)
		rc = user_edit_enabled(req, user, end, rc);
	return user_edit_end(
	    req, user, rc, 1, "User status updated successfully");
}
