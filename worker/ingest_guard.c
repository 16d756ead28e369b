/*
 * Access-log ingestion: the record guard on the ingest path
 * (ingest_int.h, worker/log/recguard.h).  The guard's state is part of
 * where the reading stands: it is committed with the log position
 * (worker_state access_log_guard) and put back with it whenever the
 * tailer is reopened, so a line is judged the same way however often it
 * is read.  Skipped lines are counted in log_inside_records, in the same
 * transaction.
 */
#include "config.h"

#include <stdint.h>

#include "ingest_int.h"
#include "log.h"
#include "wstate.h"

int
ingest_guard_load(struct ingest *ig)
{
	struct ingest_trust *t = &ig->trust;
	int64_t left = -1, inside = 0, unconf = 0;

	if (t->loaded)
		return 0;
	if (wstate_get_int(ig->db, WS_ACCESS_LOG_GUARD, &left) < 0 ||
	    wstate_get_int(ig->db, WS_LOG_INSIDE_RECORDS, &inside) < 0 ||
	    wstate_get_int(ig->db, WS_IP_UNCONFIRMED, &unconf) < 0)
		return -1;
	recguard_init(&t->guard_committed);
	if (left >= 0 && left <= RECGUARD_SOCKS4A_MAX)
		t->guard_committed.left = left;
	t->guard = t->guard_committed;
	t->inside_total = inside > 0 ? inside : 0;
	t->unconfirmed_total = unconf > 0 ? unconf : 0;
	t->inside_committed = ig->counts.inside;
	t->loaded = 1;
	return 0;
}

void
ingest_guard_reopen(struct ingest *ig)
{
	struct ingest_trust *t = &ig->trust;

	if (!t->loaded && ingest_guard_load(ig) == -1) {
		/* Read again at the next reopen; until then what was
		 * committed here, at first nothing open. */
		log_debug("access log: cannot read the record guard's state");
		if (!t->started)
			recguard_init(&t->guard_committed);
	}
	t->started = 1;
	t->guard = t->guard_committed;
	ig->counts.inside = t->inside_committed;
}

int
ingest_guard_line(struct ingest *ig, const char *line, size_t len)
{
	if (!recguard_line(&ig->trust.guard, line, len))
		return 0;
	ig->counts.inside++;
	return 1;
}

int
ingest_guard_save(struct ingest *ig)
{
	struct ingest_trust *t = &ig->trust;
	int rc;

	/* The state goes with the position, always; the total only once
	 * the committed one was read (else there is nothing to add to). */
	if ((rc = wstate_set_int(ig->db, WS_ACCESS_LOG_GUARD, t->guard.left)) !=
	    DB_OK)
		return rc;
	if (!t->loaded || ig->counts.inside == t->inside_committed)
		return DB_OK;
	return wstate_set_int(ig->db, WS_LOG_INSIDE_RECORDS,
	    t->inside_total +
		(int64_t)(ig->counts.inside - t->inside_committed));
}

void
ingest_guard_committed(struct ingest *ig)
{
	struct ingest_trust *t = &ig->trust;

	t->guard_committed = t->guard;
	if (!t->loaded)
		return;
	t->inside_total += (int64_t)(ig->counts.inside - t->inside_committed);
	t->inside_committed = ig->counts.inside;
}
