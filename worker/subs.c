/* Subscriptions: expiry and automatic renewal, checked every tick. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "coreops.h"
#include "log.h"
#include "subdate.h"
#include "users.h"
#include "worker.h"

int
subs_tick(struct worker *w)
{
	sqlite3_stmt *st;
	char now_s[SUBDATE_LEN + 2], newend[SUBDATE_LEN + 2];
	const char *user, *end_s;
	time_t now = time(NULL), end;
	long long renew;
	int rc, changed = 0, expired;

	subdate_format(now, now_s, sizeof(now_s));
	if ((rc = db_begin(&w->db)) != DB_OK)
		return -1;
	st = users_due(&w->db, now_s);
	while ((rc = db_next(&w->db, st)) == 1) {
		user = db_text(st, 0);
		end_s = db_text(st, 1);
		renew = sqlite3_column_int64(st, 2);
		expired = renew <= 0;
		if (subdate_parse(end_s, &end) == -1) {
			log_warnx("user '%s': unreadable sub_end '%s' left as "
				  "is",
			    user, end_s);
			continue;
		}
		if (!expired) {
			/* From the old end, so a plan keeps its day. */
			while (end <= now)
				end += (time_t)renew * 86400;
			subdate_format(end, newend, sizeof(newend));
		}
		/* The core follows through the usual operation. */
		if ((expired ? users_expire(&w->db, user)
			     : users_renew(&w->db, user, newend)) != DB_OK ||
		    coreops_add(&w->db, user) < 0) {
			db_done(st);
			goto fail;
		}
		if (expired)
			log_info("user '%s': subscription ended %s, disabled",
			    user, end_s);
		else
			log_info("user '%s': subscription renewed for %lld "
				 "days, until %s",
			    user, renew, newend);
		changed++;
	}
	if (rc < 0)
		goto fail;
	if (db_commit(&w->db) != DB_OK)
		return -1;
	return changed;
fail:
	db_rollback(&w->db);
	return -1;
}
