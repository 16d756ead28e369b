/* GET /api/v1/users: every user as a JSON array, one object per user. */
#include "config.h"

#include <stdio.h>

#include <json-c/json.h>

#include "fcgi.h"
#include "log.h"
#include "users.h"

/* Adds a string member; fatal if json-c runs out of memory. */
static void
add_str(struct json_object *o, const char *key, const char *val)
{
	struct json_object *v;

	if ((v = json_object_new_string(val)) == NULL)
		fatalx("json: out of memory");
	json_object_object_add(o, key, v);
}

static void
add_int(struct json_object *o, const char *key, long long val)
{
	struct json_object *v;

	if ((v = json_object_new_int64(val)) == NULL)
		fatalx("json: out of memory");
	json_object_object_add(o, key, v);
}

int
api_users(struct req *req)
{
	struct json_object *o;
	struct user u;
	sqlite3_stmt *st;
	char rate[24];
	int rc, first = 1;

	st = users_list(&req->app->db);
	buf_reset(&req->out);
	buf_putc(&req->out, '[');
	while ((rc = db_next(&req->app->db, st)) == 1) {
		users_read(st, &u);
		if ((o = json_object_new_object()) == NULL)
			fatalx("json: out of memory");
		add_str(o, "user", u.name);
		add_str(o, "uuid", u.uuid);
		/* The original sends rate as a string. */
		snprintf(rate, sizeof(rate), "%lld", (long long)u.rate);
		add_str(o, "rate", rate);
		add_str(o, "enabled", u.enabled);
		add_str(o, "created", u.created);
		add_str(o, "sub_end", u.sub_end);
		add_int(o, "renew", u.renew);
		add_int(o, "lim_ip", u.lim_ip);
		add_str(o, "ips", u.ips);
		add_int(o, "uplink", u.uplink);
		add_int(o, "downlink", u.downlink);
		add_int(o, "sess_uplink", u.sess_uplink);
		add_int(o, "sess_downlink", u.sess_downlink);
		add_str(o, "last_seen", u.last_seen);
		add_str(o, "inbound_tag", u.inbound_tag);
		add_str(o, "disabled_reason", u.disabled_reason);
		if (!first)
			buf_putc(&req->out, ',');
		first = 0;
		buf_puts(&req->out,
		    json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	if (rc < 0)
		return reply_db_error(req, rc);
	buf_puts(&req->out, "]\n");
	req->status = 200;
	req->out_type = "application/json; charset=utf-8";
	return 200;
}
