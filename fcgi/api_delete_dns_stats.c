/* POST /api/v1/delete_dns_stats: one user's destinations, or everyone's. */
#include "config.h"

#include "fcgi.h"
#include "valid.h"

int
api_delete_dns_stats(struct req *req)
{
	const char *user;
	char reason[96];
	int rc;

	user = form_get(&req->params, "user");
	if (user != NULL && *user != '\0') {
		if (valid_user(user, reason, sizeof(reason)) == -1)
			return reply_text(
			    req, 400, "invalid user name: %s", reason);
		rc = db_run(&req->app->db,
		    "DELETE FROM dns_stats WHERE user = ?1", dbv_text(user));
	} else
		rc = db_run(&req->app->db, "DELETE FROM dns_stats");
	if (rc != DB_OK)
		return reply_db_error(req, rc);
	return reply_text(req, 200, "DNS stats records deleted successfully");
}
