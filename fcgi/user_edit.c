/*
 * What the endpoints that change one user share: each is one short write
 * transaction on the user's row (lib/users.h), and the worker applies to
 * the core what the core must follow.
 */
#include "config.h"

#include "buf.h"
#include "coreops.h"
#include "fcgi.h"
#include "outbox.h"
#include "tgmsg.h"

int
reply_no_user(struct req *req, const char *user)
{
	char q[200];

	return reply_text(
	    req, 404, "user '%s' not found", req_quote(user, q, sizeof(q)));
}

int
user_edit_begin(struct req *req)
{
	int rc;

	if ((rc = db_begin(&req->app->db)) != DB_OK)
		return reply_db_error(req, rc);
	return 0;
}

int
user_edit_end(
    struct req *req, const char *user, int rc, int core, const char *okmsg)
{
	struct db *db = &req->app->db;
	int64_t op = 0;

	if (rc == 1 && core && (op = coreops_add(db, user)) < 0)
		rc = (int)op;
	if (rc != 1) {
		db_rollback(db);
		return rc == 0 ? reply_no_user(req, user)
			       : reply_db_error(req, rc);
	}
	if ((rc = req_commit(req)) != 0)
		return rc;
	if (core)
		return reply_applied(req, op, op, okmsg);
	return reply_text(req, 200, "%s", okmsg);
}

int
user_edit_enabled(struct req *req, const char *user, time_t end, int rc)
{
	struct buf b;
	int added;

	if (rc != 1)
		return rc;
	buf_init(&b);
	tgmsg_enabled(&b, user, end);
	added = outbox_add(&req->app->db, &req->app->cfg, OB_ENABLED,
	    buf_str(&b), (int64_t)time(NULL), NULL);
	buf_free(&b);
	return added < 0 ? added : rc;
}
