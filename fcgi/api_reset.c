/* The reset endpoints: traffic_stats, clients_stats, network counters. */
#include "config.h"

#include <stdio.h>

#include "fcgi.h"

/* Runs one fixed UPDATE and replies OKMSG. */
static int
run_reset(struct req *req, const char *sql, const char *okmsg)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(&req->app->db, sql)) == NULL)
		return reply_db_error(req, DB_ERR);
	rc = db_step(&req->app->db, st);
	sqlite3_reset(st);
	if (rc < 0)
		return reply_db_error(req, rc);
	return reply_text(req, 200, "%s", okmsg);
}

int
api_reset_traffic_stats(struct req *req)
{
	return run_reset(req,
	    "UPDATE traffic_stats SET uplink = 0, downlink = 0",
	    "Traffic stats reset successfully");
}

int
api_reset_clients_stats(struct req *req)
{
	return run_reset(req,
	    "UPDATE clients_stats SET uplink = 0, downlink = 0",
	    "Client traffic stats reset successfully");
}

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
