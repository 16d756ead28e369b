/* Subscriptions: expiry and automatic renewal, checked every tick. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "coreops.h"
#include "log.h"
#include "subdate.h"
#include "worker.h"

int
subs_tick(struct worker *w)
{
	sqlite3_stmt *st, *up;
	char now_s[SUBDATE_LEN + 2], newend[SUBDATE_LEN + 2];
	time_t now = time(NULL), end;
	long long renew;
	int rc, changed = 0, expired;

	subdate_format(now, now_s, sizeof(now_s));
	if ((rc = db_begin(&w->db)) != DB_OK)
		return -1;
	/* "YYYY-MM-DD-HH" compares as text in time order.  A user disabled
	 * as expired comes back if a renew period was set since. */
	st = db_stmt(&w->db,
	    "SELECT user, sub_end, renew FROM clients_stats WHERE sub_end != "
	    "'' AND sub_end <= ?1 AND (enabled = 'true' OR (disabled_reason "
	    "= 'expired' AND renew > 0))");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, now_s, -1, SQLITE_STATIC);
	while ((rc = db_step(&w->db, st)) == 1) {
		renew = sqlite3_column_int64(st, 2);
		expired = renew <= 0;
		if (subdate_parse(db_text(st, 1), &end) == -1) {
			log_warnx("user '%s': unreadable sub_end '%s' left as "
				  "is",
			    db_text(st, 0), db_text(st, 1));
			continue;
		}
		if (!expired) {
			/* From the old end, so a plan keeps its day. */
			while (end <= now)
				end += (time_t)renew * 86400;
			subdate_format(end, newend, sizeof(newend));
		}
		up = db_stmt(&w->db,
		    expired ? "UPDATE clients_stats SET enabled = 'false', "
			      "disabled_reason = 'expired' WHERE user = ?1"
			    : "UPDATE clients_stats SET sub_end = ?2, enabled "
			      "= 'true', disabled_reason = '' WHERE user = ?1");
		if (up == NULL)
			goto fail;
		sqlite3_bind_text(up, 1, db_text(st, 0), -1, SQLITE_TRANSIENT);
		if (!expired)
			sqlite3_bind_text(up, 2, newend, -1, SQLITE_STATIC);
		if (db_step(&w->db, up) < 0) {
			sqlite3_reset(up);
			goto fail;
		}
		sqlite3_reset(up);
		/* The core follows through the usual operation. */
		if (coreops_add(&w->db, db_text(st, 0)) < 0)
			goto fail;
		if (expired)
			log_info("user '%s': subscription ended %s, disabled",
			    db_text(st, 0), db_text(st, 1));
		else
			log_info("user '%s': subscription renewed for %lld "
				 "days, until %s",
			    db_text(st, 0), renew, newend);
		changed++;
	}
	sqlite3_reset(st);
	if (rc < 0)
		goto fail;
	if (db_commit(&w->db) != DB_OK)
		return -1;
	return changed;
fail:
	if (st != NULL)
		sqlite3_reset(st);
	db_rollback(&w->db);
	return -1;
}
