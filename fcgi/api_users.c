/* GET /api/v1/users and POST /api/v1/add_user. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "coreops.h"
#include "fcgi.h"
#include "log.h"
#include "valid.h"

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
	sqlite3_stmt *st;
	int rc, first = 1;

	st = db_stmt(&req->app->db,
	    "SELECT user, uuid, rate, enabled, created, sub_end, renew, "
	    "lim_ip, ips, uplink, downlink, sess_uplink, sess_downlink, "
	    "last_seen, inbound_tag, disabled_reason "
	    "FROM clients_stats ORDER BY user");
	if (st == NULL)
		return reply_db_error(req, DB_ERR);
	buf_reset(&req->out);
	buf_putc(&req->out, '[');
	while ((rc = db_step(&req->app->db, st)) == 1) {
		if ((o = json_object_new_object()) == NULL)
			fatalx("json: out of memory");
		add_str(o, "user", db_text(st, 0));
		add_str(o, "uuid", db_text(st, 1));
		/* The original sends rate as a string. */
		add_str(o, "rate", db_text(st, 2));
		add_str(o, "enabled", db_text(st, 3));
		add_str(o, "created", db_text(st, 4));
		add_str(o, "sub_end", db_text(st, 5));
		add_int(o, "renew", sqlite3_column_int64(st, 6));
		add_int(o, "lim_ip", sqlite3_column_int64(st, 7));
		add_str(o, "ips", db_text(st, 8));
		add_int(o, "uplink", sqlite3_column_int64(st, 9));
		add_int(o, "downlink", sqlite3_column_int64(st, 10));
		add_int(o, "sess_uplink", sqlite3_column_int64(st, 11));
		add_int(o, "sess_downlink", sqlite3_column_int64(st, 12));
		add_str(o, "last_seen", db_text(st, 13));
		add_str(o, "inbound_tag", db_text(st, 14));
		add_str(o, "disabled_reason", db_text(st, 15));
		if (!first)
			buf_putc(&req->out, ',');
		first = 0;
		buf_puts(&req->out,
		    json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return reply_db_error(req, rc);
	buf_puts(&req->out, "]\n");
	req->status = 200;
	req->out_type = "application/json; charset=utf-8";
	return 200;
}

int
api_add_user(struct req *req)
{
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
	if ((rc = db_begin(&req->app->db)) != DB_OK)
		return reply_db_error(req, rc);
	rc = user_add_one(req, cc, user, cred, tag != NULL ? tag : "", cred_out,
	    err, sizeof(err));
	if (rc == 200 && (op = coreops_add(&req->app->db, user)) < 0)
		rc = (int)op;
	if (rc != 200) {
		db_rollback(&req->app->db);
		return rc < 0 ? reply_db_error(req, rc)
			      : reply_text(req, rc, "%s", err);
	}
	if ((rc = db_commit(&req->app->db)) != DB_OK)
		return reply_db_error(req, rc);
	return reply_applied(req, op, op, "User added successfully");
}
