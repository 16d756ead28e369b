/* PATCH /api/v1/update_renew: the days a user's subscription renews by. */
#include "config.h"

#include "fcgi.h"
#include "users.h"
#include "valid.h"

#define RENEW_MAX_DAYS 3650

int
api_update_renew(struct req *req)
{
	const char *user, *val;
	long long v = 0;
	int status;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "renew");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (val != NULL && *val != '\0') {
		if (parse_int(val, -9999999999LL, 9999999999LL, &v) == -1)
			return reply_text(req, 400, "Renew must be an integer");
		if (v < 0)
			return reply_text(req, 400, "Renew cannot be negative");
		if (v > RENEW_MAX_DAYS)
			return reply_text(req, 400,
			    "Renew must be at most %d days", RENEW_MAX_DAYS);
	}
	if ((status = user_edit_begin(req)) != 0)
		return status;
	return user_edit_end(req, user, users_set_renew(&req->app->db, user, v),
	    0, "Renew value updated successfully");
}
