/* PATCH /api/v1/update_lim_ip: how many live IPs a user may have. */
#include "config.h"

#include "fcgi.h"
#include "users.h"
#include "valid.h"

#define LIM_IP_MAX 100

int
api_update_lim_ip(struct req *req)
{
	const char *user, *val;
	long long v = 0;
	int status;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "lim_ip");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (val != NULL && *val != '\0') {
		if (parse_int(val, -9999999999LL, 9999999999LL, &v) == -1)
			return reply_text(req, 400, "lim_ip must be a number");
		if (v < 0 || v > LIM_IP_MAX)
			return reply_text(req, 400,
			    "lim_ip must be between 0 and %d", LIM_IP_MAX);
	}
	if ((status = user_edit_begin(req)) != 0)
		return status;
	return user_edit_end(req, user,
	    users_set_lim_ip(&req->app->db, user, v), 0,
	    "IP limit updated successfully");
}
