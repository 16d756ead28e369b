/*
 * The API's side of applying users to the core (lib/coreops.h): a write
 * that the core must follow records an operation in the same transaction,
 * and after the commit the reply waits briefly for the worker to apply it.
 */
#include "config.h"

#include <stdio.h>

#include "coreops.h"
#include "fcgi.h"

/*
 * Waits up to api.apply_wait_ms for the worker to apply operations
 * FIRST..LAST.  Returns 200 (all applied), 202 (saved; the core is
 * unreachable or the worker has not got to it: reason in WHY), 502 (the
 * core refused one: its words in WHY), or DB_BUSY / DB_ERR.
 */
static int
core_op_wait(
    struct req *req, int64_t first, int64_t last, char *why, size_t whysz)
{
	int64_t wait_ms = req->app->cfg.apply_wait_ms;
	int state;

	/* A batch gets longer: the worker applies some thousands of users
	 * a second. */
	if (wait_ms > 0)
		wait_ms += (last - first) / 2;
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
	default:
		return state; /* DB_BUSY or DB_ERR */
	}
}

int
reply_applied(struct req *req, int64_t first, int64_t last, const char *okmsg)
{
	char why[600];
	int rc;

	rc = core_op_wait(req, first, last, why, sizeof(why));
	switch (rc) {
	case 200:
		return reply_text(req, 200, "%s", okmsg);
	case 202:
		return reply_text(
		    req, 202, "%s (not applied yet: %s)", okmsg, why);
	case 502:
		return reply_text(
		    req, 502, "%s, but the core refused it: %s", okmsg, why);
	default:
		return reply_db_error(req, rc);
	}
}
