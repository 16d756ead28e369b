/* POST /api/v1/reset_clients_stats: every user's totals to 0. */
#include "config.h"

#include "fcgi.h"
#include "users.h"

int
api_reset_clients_stats(struct req *req)
{
	int rc;

	if ((rc = users_reset_traffic(&req->app->db)) != DB_OK)
		return reply_db_error(req, rc);
	return reply_text(req, 200, "Client traffic stats reset successfully");
}
