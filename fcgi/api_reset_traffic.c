/*
 * POST /api/v1/reset_traffic: the network interface's counters shown in
 * /stats start from 0 (features.network).
 */
#include "config.h"

#include "fcgi.h"

int
api_reset_traffic(struct req *req)
{
	char err[256];

	if (!req->app->cfg.feat_network)
		return reply_text(req, 409,
		    "Traffic monitor not initialized "
		    "(features.network is off)");
	if (sysinfo_network_reset(req, err, sizeof(err)) == -1)
		return reply_text(req, 500, "Failed to reset traffic: %s", err);
	return reply_text(req, 200, "Traffic reset successfully");
}
