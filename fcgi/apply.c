/*
 * The end of a write: the commit, made only while the answer can still be
 * out before nginx gives up on the request (fcgi/http/deadline.h), and,
 * for a change the core must follow (lib/coreops.h), the reply's short
 * wait for the worker to apply it.  Once committed, a change is answered
 * 200, 202 or 502 (the core refused it), never an error of ours.
 */
#include "config.h"

#include <stdio.h>

#include "clock.h"
#include "coreops.h"
#include "fcgi.h"
#include "log.h"

int
req_late(const struct req *req)
{
	return mono_ms() >= req->answer_by;
}

int
reply_late(struct req *req)
{
	reply_header(req, "Retry-After", "1");
	return reply_text(
	    req, 503, "request not served in time: nothing changed, retry");
}

int
req_commit(struct req *req)
{
	int rc;

	if (req_late(req)) {
		db_rollback(&req->app->db);
		log_warnx("request %lu: %s %s: too late to commit, rolled back",
		    req->app->reqno, req->method, req->path);
		return reply_late(req);
	}
	if ((rc = db_commit(&req->app->db)) != DB_OK)
		return reply_db_error(req, rc);
	return 0;
}

/*
 * Waits for the worker to apply operations FIRST..LAST: up to
 * api.apply_wait_ms, longer for a batch (the worker applies some thousands
 * of users a second), never past the request's deadline.  Returns 200 (all
 * applied), 202 (saved; the core is unreachable, the worker has not got to
 * it, or the database could not tell: reason in WHY) or 502 (the core
 * refused one: its words in WHY).
 */
static int
core_op_wait(
    struct req *req, int64_t first, int64_t last, char *why, size_t whysz)
{
	int64_t wait_ms = req->app->cfg.apply_wait_ms, left;
	int state;

	if (wait_ms > 0)
		wait_ms += (last - first) / 2;
	left = req->answer_by - mono_ms();
	if (wait_ms > left)
		wait_ms = left > 0 ? left : 0;
	state = coreops_wait(&req->app->db, first, last, wait_ms, why, whysz);
	switch (state) {
	case COREOP_APPLIED:
		return 200;
	case COREOP_REFUSED:
		return 502;
	case COREOP_DEFERRED:
		snprintf(why, whysz,
		    "the core is unreachable; the change is saved and will be "
		    "applied when it is back");
		return 202;
	case COREOP_WAITING:
		snprintf(why, whysz,
		    "the change is saved; the worker has not applied it yet");
		return 202;
	default: /* DB_BUSY or DB_ERR: the change is committed all the same */
		snprintf(why, whysz,
		    "the change is saved; whether the worker applied it could "
		    "not be read");
		return 202;
	}
}

int
reply_applied(struct req *req, int64_t first, int64_t last, const char *okmsg)
{
	char why[600];

	switch (core_op_wait(req, first, last, why, sizeof(why))) {
	case 200:
		return reply_text(req, 200, "%s", okmsg);
	case 202:
		return reply_text(
		    req, 202, "%s (not applied yet: %s)", okmsg, why);
	default:
		return reply_text(
		    req, 502, "%s, but the core refused it: %s", okmsg, why);
	}
}
