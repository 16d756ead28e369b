/* POST /api/v1/add_user: one user, applied to the core before the reply. */
#include "config.h"

#include "fcgi.h"

int
api_add_user(struct req *req)
{
	struct db *db = &req->app->db;
	const struct corecfg *cc;
	struct user_new u;
	const char *user, *cred, *tag;
	char err[512];
	int64_t op = 0;
	int rc;

	user = form_get(&req->params, "user");
	cred = form_get(&req->params, "credential");
	tag = form_get(&req->params, "inboundTag");
	if (user == NULL || *user == '\0' || cred == NULL || *cred == '\0')
		return reply_text(req, 400, "user and credential are required");
	if ((cc = app_corecfg(req->app, err, sizeof(err))) == NULL)
		return reply_text(req, 503, "cannot read core config: %s", err);
	/* Checked before the write lock is taken; again, briefly, under it. */
	rc = user_add_check(
	    req, cc, user, cred, tag != NULL ? tag : "", &u, err, sizeof(err));
	if (rc == 200 && (rc = db_begin(db)) == DB_OK) {
		rc = user_add_insert(req, &u, &op, err, sizeof(err));
		if (rc != 200)
			db_rollback(db);
	}
	if (rc != 200)
		return rc < 0 ? reply_db_error(req, rc)
			      : reply_text(req, rc, "%s", err);
	if ((rc = req_commit(req)) != 0)
		return rc;
	return reply_applied(req, op, op, "User added successfully");
}
