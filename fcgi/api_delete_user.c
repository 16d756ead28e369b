/*
 * DELETE /api/v1/delete_user: a user with its destinations and IPs; the
 * worker takes it out of the core.
 */
#include "config.h"

#include <string.h>

#include "fcgi.h"
#include "users.h"

int
api_delete_user(struct req *req)
{
	struct db *db = &req->app->db;
	struct user u;
	sqlite3_stmt *st;
	const char *user, *tag;
	char q[200], q2[200];
	int rc, status;

	user = form_get(&req->params, "user");
	tag = form_get(&req->params, "inboundTag");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if ((status = user_edit_begin(req)) != 0)
		return status;
	if ((rc = users_get(db, user, &st, &u)) != 1)
		return user_edit_end(req, user, rc, 0, "");
	/* An inbound tag given by the caller must be the user's. */
	if (tag != NULL && *tag != '\0' && strcmp(tag, u.inbound_tag) != 0) {
		db_done(st);
		db_rollback(db);
		return reply_text(req, 404, "user %s not found in inbound %s",
		    req_quote(user, q, sizeof(q)),
		    req_quote(tag, q2, sizeof(q2)));
	}
	db_done(st);
	return user_edit_end(
	    req, user, users_delete(db, user), 1, "User deleted successfully");
}
