/* POST /api/v1/reset_traffic_stats: inbound and outbound totals to 0. */
#include "config.h"

#include "fcgi.h"

int
api_reset_traffic_stats(struct req *req)
{
	int rc;

	rc = db_run(
	    &req->app->db, "UPDATE traffic_stats SET uplink = 0, downlink = 0");
	if (rc != DB_OK)
		return reply_db_error(req, rc);
	return reply_text(req, 200, "Traffic stats reset successfully");
}
