/*
 * POST /api/v1/notify_test: queues a test message for the admin's Telegram
 * chat (lib/outbox.h), with the optional parameter `text` after it; the
 * worker's sender delivers it.  Answers {"id": N}, the message's id in the
 * outbox.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "buf.h"
#include "fcgi.h"
#include "outbox.h"
#include "tgmsg.h"
#include "valid.h"

#define NOTIFY_TEST_TEXT_MAX 1000 /* bytes of `text` */

int
api_notify_test(struct req *req)
{
	struct db *db = &req->app->db;
	const char *text;
	struct buf msg;
	time_t now = time(NULL);
	int64_t id = 0;
	int rc;

	if (!outbox_configured(&req->app->cfg))
		return reply_text(req, 409,
		    "Telegram is not configured (telegram.bot_token and "
		    "telegram.chat_id)");
	text = form_get(&req->params, "text");
	if (text != NULL && strlen(text) > NOTIFY_TEST_TEXT_MAX)
		return reply_text(req, 400,
		    "parameter 'text' too long (max %d bytes)",
		    NOTIFY_TEST_TEXT_MAX);
	if (text != NULL && !valid_utf8(text, strlen(text)))
		return reply_text(
		    req, 400, "parameter 'text' is not valid UTF-8");

	buf_init(&msg);
	tgmsg_test(&msg, now, text);
	if ((rc = db_begin(db)) != DB_OK)
		goto fail;
	rc = outbox_add(
	    db, &req->app->cfg, OB_TEST, buf_str(&msg), (int64_t)now, &id);
	if (rc != 1) {
		db_rollback(db);
		goto fail;
	}
	buf_free(&msg);
	if ((rc = req_commit(req)) != 0)
		return rc;
	buf_reset(&req->out);
	buf_printf(&req->out, "{\"id\": %lld}\n", (long long)id);
	req->status = 200;
	req->out_type = "application/json; charset=utf-8";
	return 200;
fail:
	buf_free(&msg);
	return reply_db_error(req, rc == 0 ? DB_ERR : rc);
}
