/*
 * Subscriptions: expiry and automatic renewal, checked every tick.  What
 * happened is told on Telegram (lib/outbox.h) in the transaction of the
 * change itself, so a message exists if and only if the change committed:
 * a crash or a restart can neither lose nor repeat one.  When more than
 * SUBS_EACH_MAX users change in one tick (a batch of subscriptions sold
 * together ends together), each kind of message is sent once for all of
 * them: thousands of messages at Telegram's one a second would take hours
 * and push other messages out of the outbox.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
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
#include "xmalloc.h"

#define SUBS_EACH_MAX 10 /* users told one by one in a tick, at most */

/* A user changed by this tick, to be told once the tick is done. */
struct due {
	char *user;
	time_t end, next; /* the old end, and the new one if renewed */
	long long renew;
	int was_on; /* enabled before: its expiry is news */
};

struct dues {
	struct due *v;
	size_t n;
};

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

/* Adds to NAMES the users of D that KIND is about; returns how many. */
static size_t
pick(const struct dues *d, enum outbox_kind kind, char **names)
{
	const struct due *u;
	size_t i, n = 0;
	int want;

	for (i = 0; i < d->n; i++) {
		u = &d->v[i];
		switch (kind) {
		case OB_EXPIRED:
			want = u->was_on;
			break;
		case OB_DISABLED:
			want = u->renew <= 0;
			break;
		case OB_RENEWED:
			want = u->renew > 0;
			break;
		default: /* OB_ENABLED */
			want = u->renew > 0 && !u->was_on;
			break;
		}
		if (want)
			names[n++] = u->user;
	}
	return n;
}

/* Tells what happened to the users of D: each alone, or one message per
 * kind for all when there are many.  DB_OK or DB_*. */
static int
announce_all(struct worker *w, const struct dues *d, time_t now)
{
	static const struct {
		enum outbox_kind kind;
		const char *title;
	} kinds[] = {
		{ OB_EXPIRED, "❌ Subscriptions expired" },
		{ OB_DISABLED, "🔒 Users disabled (subscription expired)" },
		{ OB_RENEWED, "✅ Subscriptions renewed" },
		{ OB_ENABLED, "🔓 Users enabled (renewed)" },
	};
	const struct due *u;
	struct buf b;
	char **names;
	size_t i, n;
	int rc = DB_OK;

	if (d->n <= SUBS_EACH_MAX) {
		for (i = 0; i < d->n && rc == DB_OK; i++) {
			u = &d->v[i];
			rc = announce(w, u->user, u->end, u->renew, u->was_on,
			    u->next, now);
		}
		return rc;
	}
	names = xcalloc(d->n, sizeof(*names));
	buf_init(&b);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && rc == DB_OK; i++) {
		if ((n = pick(d, kinds[i].kind, names)) == 0)
			continue;
		tgmsg_summary(&b, kinds[i].title, names, n);
		rc = tell(w, kinds[i].kind, &b, now);
	}
	buf_free(&b);
	free(names);
	return rc;
}

static void
dues_free(struct dues *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].user);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int
subs_tick(struct worker *w)
{
	sqlite3_stmt *st;
	char now_s[SUBDATE_LEN + 2], newend[SUBDATE_LEN + 2];
	const char *user, *end_s;
	time_t now = time(NULL), end, next;
	struct dues d = { NULL, 0 };
	struct due *u;
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
		    coreops_add(&w->db, user) < 0) {
			db_done(st);
			goto fail;
		}
		d.v = xreallocarray(d.v, d.n + 1, sizeof(*d.v));
		u = &d.v[d.n++];
		u->user = xstrdup(user);
		u->end = end;
		u->next = next;
		u->renew = renew;
		u->was_on = was_on;
		if (expired)
			log_info("user '%s': subscription ended %s, disabled",
			    user, end_s);
		else
			log_info("user '%s': subscription renewed for %lld "
				 "days, until %s",
			    user, renew, newend);
		changed++;
	}
	if (rc < 0 || announce_all(w, &d, now) != DB_OK)
		goto fail;
	dues_free(&d);
	if (db_commit(&w->db) != DB_OK)
		return -1;
	return changed;
fail:
	dues_free(&d);
	db_rollback(&w->db);
	return -1;
}
