/*
 * Making the running core and its config file match the database.  The
 * database says which users should be in the core (enabled, with an inbound
 * and a credential); core_applied says what the worker has put there.  The
 * users the API touched (core_ops) are applied within a fraction of a
 * second; after a start or a core restart everything is checked.  The
 * config file follows (worker/corefile.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "coreapi.h"
#include "corecfg.h"
#include "coreops.h"
#include "log.h"
#include "strset.h"
#include "users.h"
#include "worker.h"
#include "xmalloc.h"

/* What applying one user came to. */
enum outcome {
	OUT_OK, /* the core matches the database */
	OUT_DEFERRED, /* the core is unreachable: try again later */
	OUT_REFUSED, /* the core (or our check) refused: see the text */
};

struct user_job {
	char *user;
	enum outcome out;
	char *why; /* owned, for OUT_REFUSED and OUT_DEFERRED */
	int applied; /* 1: core_applied gets (tag, cred); 0: row removed */
	int touch_applied;
	char *tag; /* owned, what was applied */
	char *cred; /* owned */
};

static void
job_free(struct user_job *j)
{
	free(j->user);
	free(j->why);
	free(j->tag);
	free(j->cred);
}

/*
 * Whether the user the core already has as EMAIL in inbound TAG (it said
 * "already exists") is ours with credential CRED.  v2fly 4.34 cannot list
 * an inbound's users, so the worker judges from what it knows the core
 * loaded or got: its own record of what it applied (core_applied), and
 * the core config file it manages, which the core loads when it starts.
 * Either must have this exact email in TAG with CRED; another spelling of
 * the name (the core takes "Kate" for "kate") is another user.
 */
static int
core_has_ours(struct worker *w, const struct corecfg *cc, const char *tag,
    const char *email, const char *cred, enum proto proto)
{
	const struct core_client *c;
	size_t i;

	if (db_get_int(&w->db, NULL,
		"SELECT 1 FROM core_applied WHERE user = ?1 AND inbound_tag = "
		"?2 AND credential = ?3",
		dbv_text(email), dbv_text(tag), dbv_text(cred)) == 1)
		return 1;
	for (i = 0; cc != NULL && i < cc->nclients; i++) {
		c = &cc->clients[i];
		if (strcmp(c->email, email) == 0 &&
		    strcmp(c->inbound_tag, tag) == 0 &&
		    (proto == PROTO_TROJAN
			    ? strcmp(c->credential, cred)
			    : strcasecmp(c->credential, cred)) == 0)
			return 1;
	}
	return 0;
}

/* The classification of a core answer for an add or a remove. */
static enum outcome
classify(struct worker *w, enum coreapi_rc rc, int removing, char **why)
{
	const char *d = coreapi_details(w->api);

	switch (rc) {
	case COREAPI_OK:
		return OUT_OK;
	case COREAPI_EXISTS:
		/* For an add the caller decides: see core_has_ours(). */
		return removing ? OUT_REFUSED : OUT_OK;
	case COREAPI_NOT_FOUND:
		return removing ? OUT_OK : OUT_REFUSED;
	case COREAPI_UNAVAILABLE:
	case COREAPI_DEADLINE:
		*why = xstrdup("the core is unreachable");
		return OUT_DEFERRED;
	default:
		/* An inbound that no longer exists has no user to remove. */
		if (removing && strstr(d, "handler not found") != NULL)
			return OUT_OK;
		*why = xstrdup(d[0] != '\0' ? d : coreapi_rc_name(rc));
		return OUT_REFUSED;
	}
}

/*
 * Brings USER's state in the core to what the database wants.  CORE_DOWN
 * is set once the core stopped answering, so the rest of a batch does not
 * wait for a deadline each.
 */
static void
apply_user(struct worker *w, const struct corecfg *cc, struct user_job *j,
    int *core_down)
{
	const struct core_inbound *in;
	sqlite3_stmt *st;
	char *want_tag = NULL, *want_cred = NULL, *have_tag = NULL,
	     *have_cred = NULL, *other;
	int want, rc;

	j->out = OUT_OK;
	if ((rc = users_in_core(&w->db, j->user, &want_cred, &want_tag)) < 0)
		goto dberr;
	want = rc == 1;
	rc = db_row(&w->db, &st,
	    "SELECT inbound_tag, credential FROM core_applied WHERE user = ?1",
	    dbv_text(j->user));
	if (rc < 0)
		goto dberr;
	if (rc == 1) {
		have_tag = xstrdup(db_text(st, 0));
		have_cred = xstrdup(db_text(st, 1));
		db_done(st);
	}

	if (want && have_tag != NULL && strcmp(want_tag, have_tag) == 0 &&
	    strcmp(want_cred, have_cred) == 0)
		goto out; /* already as wanted */
	if (w->cfg.core_type == CORE_SINGBOX) {
		/* No user API: the config file and a reload apply it. */
		j->touch_applied = 1;
		j->applied = want;
		if (want) {
			j->tag = want_tag;
			j->cred = want_cred;
			want_tag = want_cred = NULL;
		}
		goto out;
	}
	if (*core_down) {
		j->out = OUT_DEFERRED;
		j->why = xstrdup("the core is unreachable");
		goto out;
	}
	/* Out first: a changed credential or inbound is a remove and an
	 * add, and a disabled or deleted user just goes. */
	if (have_tag != NULL) {
		j->out = classify(w,
		    coreapi_remove_user(w->api, have_tag, j->user), 1, &j->why);
		if (j->out != OUT_OK)
			goto out;
		j->touch_applied = 1;
		j->applied = 0;
		if (!want && w->cfg.core_kill_connections)
			killconn_user(w, cc, have_tag, j->user);
	}
	if (!want)
		goto out;

	/* Never send an account the inbound does not speak: the core would
	 * die (see worker/core/coreapi.h). */
	if (cc == NULL || (in = corecfg_inbound(cc, want_tag)) == NULL) {
		j->out = OUT_REFUSED;
		j->why =
		    xasprintf("inbound %s is not in the core config", want_tag);
		goto out;
	}
	if (in->proto == PROTO_OTHER) {
		j->out = OUT_REFUSED;
		j->why = xasprintf("inbound %s (protocol %s) does not accept "
				   "users",
		    want_tag, in->protocol);
		goto out;
	}
	/* Of two users the core takes for one (a database from before may
	 * hold them), the older one is the core's, as in the config file. */
	if ((rc = users_key_first(&w->db, j->user, &other)) < 0)
		goto dberr;
	if (rc == 1) {
		j->out = OUT_REFUSED;
		j->why = xasprintf("the core takes this name for user '%s' "
				   "(names that differ only in case are one "
				   "user to it): delete one of them",
		    other);
		free(other);
		goto out;
	}
	rc = coreapi_add_user(w->api, want_tag, j->user, in->proto, want_cred,
	    in->proto == PROTO_VLESS ? in->flow : NULL, 0);
	j->out = classify(w, rc, 0, &j->why);
	if (rc == COREAPI_EXISTS &&
	    !core_has_ours(w, cc, want_tag, j->user, want_cred, in->proto)) {
		/* Someone else's user, or one the core takes for this name:
		 * never take it for ours. */
		j->out = OUT_REFUSED;
		j->why = xasprintf("the core already has another user of this "
				   "name in %s (%s)",
		    want_tag, coreapi_details(w->api));
	}
	if (j->out == OUT_OK) {
		j->touch_applied = 1;
		j->applied = 1;
		j->tag = want_tag;
		j->cred = want_cred;
		want_tag = want_cred = NULL;
	}
	goto out;
dberr:
	j->out = OUT_DEFERRED;
	j->why = xstrdup("database error");
out:
	if (j->out == OUT_DEFERRED && j->why != NULL &&
	    strcmp(j->why, "the core is unreachable") == 0)
		*core_down = 1;
	free(want_tag);
	free(want_cred);
	free(have_tag);
	free(have_cred);
}

/* Writes the outcome of every job in one transaction: core_applied, the
 * users' core_error, and the operations up to MAXOP. */
static int
record(struct worker *w, struct user_job *jobs, size_t n, int64_t maxop)
{
	static const enum coreop_state ended[] = {
		[OUT_OK] = COREOP_APPLIED,
		[OUT_DEFERRED] = COREOP_DEFERRED,
		[OUT_REFUSED] = COREOP_REFUSED,
	};
	struct user_job *j;
	size_t i;
	int rc;

	if ((rc = db_begin(&w->db)) != DB_OK)
		return rc;
	for (i = 0; i < n; i++) {
		j = &jobs[i];
		if (j->touch_applied && j->applied)
			rc = db_run(&w->db,
			    "INSERT OR REPLACE INTO core_applied (user, "
			    "inbound_tag, credential) VALUES (?1, ?2, ?3)",
			    dbv_text(j->user), dbv_text(j->tag),
			    dbv_text(j->cred));
		else if (j->touch_applied)
			rc = db_run(&w->db,
			    "DELETE FROM core_applied WHERE user = ?1",
			    dbv_text(j->user));
		/* The row keeps the core's last refusal. */
		if (rc == DB_OK && j->out != OUT_DEFERRED)
			rc = users_set_core_error(&w->db, j->user,
			    j->out == OUT_REFUSED ? j->why : "");
		if (rc == DB_OK)
			rc = coreops_record(&w->db, j->user, ended[j->out],
			    j->why != NULL ? j->why : "", maxop);
		if (rc != DB_OK)
			goto fail;
	}
	return db_commit(&w->db);
fail:
	db_rollback(&w->db);
	return rc;
}

int
reconcile_applied(struct worker *w, struct strset *set)
{
	sqlite3_stmt *st;
	int rc;

	st = db_query(&w->db, "SELECT user FROM core_applied");
	while ((rc = db_next(&w->db, st)) == 1)
		strset_add(set, db_text(st, 0));
	return rc;
}

int
reconcile_known(struct worker *w, struct strset *set, int deleted)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = users_names(&w->db, strset_add_fn, set)) != DB_OK ||
	    (rc = reconcile_applied(w, set)) != DB_OK || !deleted)
		return rc;
	st = db_query(&w->db, "SELECT user FROM deleted_users");
	while ((rc = db_next(&w->db, st)) == 1)
		strset_add(set, db_text(st, 0));
	return rc;
}

/*
 * Seeds core_applied from the core config's users, as a core that just
 * started holds exactly those, but for the users in KEEP (NULL: none),
 * whose rows stay as they were.  KEEP holds the users whose changes
 * waited for the core: a core that was unreachable for a while may have
 * restarted with the config file or not (one hung in its first seconds
 * looks like one that restarted), so for them the worker keeps what it
 * knows the core had, and applies their changes again either way (adding
 * a user the core has, or removing one it lacks, is harmless).
 */
static int
seed_applied(
    struct worker *w, const struct corecfg *cc, const struct strset *keep)
{
	struct strset drop = { .exact = 1 };
	const struct core_client *c;
	size_t i;
	int rc;

	if ((rc = db_begin(&w->db)) != DB_OK)
		return rc;
	if (keep == NULL || keep->n == 0)
		rc = db_run(&w->db, "DELETE FROM core_applied");
	else if ((rc = reconcile_applied(w, &drop)) == DB_OK)
		for (i = 0; i < drop.cap && rc == DB_OK; i++)
			if (drop.slots[i] != NULL &&
			    !strset_has(keep, drop.slots[i]))
				rc = db_run(&w->db,
				    "DELETE FROM core_applied WHERE user = ?1",
				    dbv_text(drop.slots[i]));
	for (i = 0; i < cc->nclients && rc == DB_OK; i++) {
		c = &cc->clients[i];
		if (keep != NULL && strset_has(keep, c->email))
			continue;
		rc = db_run(&w->db,
		    "INSERT OR REPLACE INTO core_applied (user, inbound_tag, "
		    "credential) VALUES (?1, ?2, ?3)",
		    dbv_text(c->email), dbv_text(c->inbound_tag),
		    dbv_text(c->credential));
	}
	strset_free(&drop);
	if (rc != DB_OK) {
		db_rollback(&w->db);
		return rc;
	}
	return db_commit(&w->db);
}

static int64_t
data_version(struct worker *w)
{
	int64_t v = -1;

	db_get_int(&w->db, &v, "PRAGMA data_version");
	return v;
}

int
reconcile_forget(struct worker *w, const char *user)
{
	int rc;

	if ((rc = db_begin(&w->db)) != DB_OK)
		return rc;
	if ((rc = db_run(&w->db, "DELETE FROM core_applied WHERE user = ?1",
		 dbv_text(user))) != DB_OK ||
	    coreops_add(&w->db, user) < 0) {
		db_rollback(&w->db);
		return rc != DB_OK ? rc : DB_ERR;
	}
	return db_commit(&w->db);
}

void
reconcile_core_restarted(struct worker *w)
{
	w->reconcile_full = 2;
}

void
reconcile_poll(struct worker *w, int retry)
{
	const struct corecfg *cc;
	struct user_job *jobs = NULL;
	/* By exact name: two names of one key are two users to apply (the
	 * core refuses the second: see core_has_ours()). */
	struct strset users = { .exact = 1 }, keep = { .exact = 1 };
	char *cred, *tag;
	int64_t dv, maxop = 0;
	size_t n = 0, cap = 0, i, refused = 0, deferred = 0, ok = 0;
	int full = w->reconcile_full, core_down = 0, pass, rc;

	dv = data_version(w);
	if (!retry && !full && dv == w->data_version)
		return;
	/* Once a tick: finished operations are kept a day for the record. */
	if (retry)
		coreops_prune(&w->db);
	w->data_version = dv;
	cc = corefile_config(w);

	if ((maxop = coreops_last_id(&w->db)) < 0)
		return;
	/* After a core restart the core holds its config file's users; at
	 * the very first start the file is all we know too. */
	if (cc != NULL && (full == 2 || w->applied_unknown)) {
		if ((!w->applied_unknown &&
			coreops_pending(
			    &w->db, maxop, 1, strset_add_fn, &keep) != DB_OK) ||
		    seed_applied(w, cc, &keep) != DB_OK) {
			strset_free(&keep);
			return; /* tried again next time */
		}
		w->applied_unknown = 0;
	}
	if (full && reconcile_known(w, &users, 0) != DB_OK)
		goto out;
	rc = coreops_pending(
	    &w->db, maxop, retry || full, strset_add_fn, &users);
	if (rc != DB_OK || users.n == 0)
		goto out;

	/* Users that leave the core first: "Kate" deleted and "kate" added
	 * in one batch are one user to the core, out before in. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < users.cap; i++) {
			if (users.slots[i] == NULL)
				continue;
			rc = users_in_core(&w->db, users.slots[i], &cred, &tag);
			free(cred);
			free(tag);
			if ((rc == 1) != (pass == 1))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				jobs = xreallocarray(jobs, cap, sizeof(*jobs));
			}
			memset(&jobs[n], 0, sizeof(jobs[n]));
			jobs[n].user = xstrdup(users.slots[i]);
			apply_user(w, cc, &jobs[n], &core_down);
			ok += jobs[n].out == OUT_OK;
			deferred += jobs[n].out == OUT_DEFERRED;
			refused += jobs[n].out == OUT_REFUSED;
			n++;
		}
	if (record(w, jobs, n, maxop) != DB_OK) {
		log_warnx("reconcile: cannot record the results; retrying");
		goto out;
	}
	if (refused > 0 || deferred > 0 || full)
		log_info("reconcile: %zu users checked: %zu in step, %zu "
			 "waiting for the core, %zu refused",
		    n, ok, deferred, refused);
	/* The running core already has the change; the file follows in
	 * one write for everything that happens within CONFIG_SYNC_MS. */
	w->config_dirty = 1;
	if (full)
		corefile_flush(w, 1);
	/* Our own commits do not move data_version; other processes' do. */
	w->data_version = data_version(w);
out:
	if (full && n > 0 && deferred == 0)
		w->reconcile_full = 0;
	else if (full && users.n == 0)
		w->reconcile_full = 0;
	for (i = 0; i < n; i++)
		job_free(&jobs[i]);
	free(jobs);
	strset_free(&users);
	strset_free(&keep);
}
