/* PATCH /api/v1/set_enabled: the admin enables or disables a user. */
#include "config.h"

#include "fcgi.h"
#include "users.h"
#include "valid.h"

int
api_set_enabled(struct req *req)
{
	const char *user, *val;
	int on, status;

	user = form_get(&req->params, "user");
	val = form_get(&req->params, "enabled");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "user parameter is required");
	if (val == NULL || *val == '\0')
		on = 1;
	else if (parse_bool(val, &on) == -1)
		return reply_text(req, 400, "Enabled must be true or false");
	if ((status = user_edit_begin(req)) != 0)
		return status;
	return user_edit_end(req, user,
	    users_set_enabled(&req->app->db, user, on), 1,
	    "User status updated successfully");
}
