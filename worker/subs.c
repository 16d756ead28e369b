/*
 * Subscriptions: expiry and automatic renewal, checked every tick.  What
 * happened is told on Telegram (lib/outbox.h) in the transaction of the
 * change itself, so a message exists if and only if the change committed:
 * a crash or a restart can neither lose nor repeat one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "coreops.h"
#include "log.h"
#include "outbox.h"
#include "subdate.h"
#include "tgmsg.h"
#include "users.h"
#include "worker.h"

/* Adds the message in B (then emptied) to the outbox.  DB_OK or DB_*. */
static int
tell(struct worker *w, enum outbox_kind kind, struct buf *b, time_t now)
{
	int rc;

	rc = outbox_add(&w->db, &w->cfg, kind, buf_str(b), (int64_t)now, NULL);
	buf_reset(b);
	return rc < 0 ? rc : DB_OK;
}

/*
 * The messages of USER's expiry (its subscription ended at END): as the
 * original, "Subscription expired" then "User disabled" or "Subscription
 * renewed" (by RENEW days); a user the expiry had disabled and that a
 * renew period brings back is told "Subscription renewed" and "User
 * enabled" (until NEWEND), its expiry having been told already.
 */
static int
announce(struct worker *w, const char *user, time_t end, long long renew,
    int was_on, time_t newend, time_t now)
{
	struct buf b;
	int rc = DB_OK;

	buf_init(&b);
	if (was_on) {
		tgmsg_expired(&b, user, end);
		rc = tell(w, OB_EXPIRED, &b, now);
	}
	if (rc == DB_OK && renew <= 0) {
		tgmsg_disabled(&b, user);
		rc = tell(w, OB_DISABLED, &b, now);
	}
	if (rc == DB_OK && renew > 0) {
		tgmsg_renewed(&b, user, renew);
		rc = tell(w, OB_RENEWED, &b, now);
	}
	if (rc == DB_OK && renew > 0 && !was_on) {
		tgmsg_enabled(&b, user, newend);
		rc = tell(w, OB_ENABLED, &b, now);
	}
	buf_free(&b);
	return rc;
}

int
subs_tick(struct worker *w)
{
	sqlite3_stmt *st;
	char now_s[SUBDATE_LEN + 2], newend[SUBDATE_LEN + 2];
	const char *user, *end_s;
	time_t now = time(NULL), end, next;
	long long renew;
	int rc, changed = 0, expired, was_on;

	subdate_format(now, now_s, sizeof(now_s));
	if ((rc = db_begin(&w->db)) != DB_OK)
		return -1;
	st = users_due(&w->db, now_s);
	while ((rc = db_next(&w->db, st)) == 1) {
		user = db_text(st, 0);
		end_s = db_text(st, 1);
		renew = sqlite3_column_int64(st, 2);
		was_on = sqlite3_column_int(st, 3);
		expired = renew <= 0;
		if (subdate_parse(end_s, &end) == -1) {
			log_warnx("user '%s': unreadable sub_end '%s' left as "
				  "is",
			    user, end_s);
			continue;
		}
		next = end;
		if (!expired) {
			/* From the old end, so a plan keeps its day. */
			while (next <= now)
				next += (time_t)renew * 86400;
			subdate_format(next, newend, sizeof(newend));
		}
		/* The core follows through the usual operation. */
		if ((expired ? users_expire(&w->db, user)
			     : users_renew(&w->db, user, newend)) != DB_OK ||
		    coreops_add(&w->db, user) < 0 ||
		    announce(w, user, end, renew, was_on, next, now) != DB_OK) {
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
