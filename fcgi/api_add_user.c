/* POST /api/v1/add_user: one user, applied to the core before the reply. */
#include "config.h"

#include "coreops.h"
#include "fcgi.h"
#include "valid.h"

int
api_add_user(struct req *req)
{
	struct db *db = &req->app->db;
	const struct corecfg *cc;
	const char *user, *cred, *tag;
	char cred_out[VALID_CRED_MAX + 1], err[512];
	int64_t op = 0;
	int rc;

	user = form_get(&req->params, "user");
	cred = form_get(&req->params, "credential");
	tag = form_get(&req->params, "inboundTag");
	if (user == NULL || *user == '\0' || cred == NULL || *cred == '\0')
		return reply_text(req, 400, "user and credential are required");
	if ((cc = app_corecfg(req->app, err, sizeof(err))) == NULL)
		return reply_text(req, 503, "cannot read core config: %s", err);
	if ((rc = db_begin(db)) != DB_OK)
		return reply_db_error(req, rc);
	rc = user_add_one(req, cc, user, cred, tag != NULL ? tag : "", cred_out,
	    err, sizeof(err));
	if (rc == 200 && (op = coreops_add(db, user)) < 0)
		rc = (int)op;
	if (rc != 200) {
		db_rollback(db);
		return rc < 0 ? reply_db_error(req, rc)
			      : reply_text(req, rc, "%s", err);
	}
	if ((rc = req_commit(req)) != 0)
		return rc;
	return reply_applied(req, op, op, "User added successfully");
}
