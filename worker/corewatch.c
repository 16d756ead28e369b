/*
 * Edits of the core config the worker did not make (by hand, by another
 * tool) while it runs.  The file's identity, size and mtime say that it
 * changed (the cache of lib/corecache.h reads it again); its clients,
 * compared with the version looked at before, say what changed.  The
 * database stays the source of truth for users: new clients are adopted,
 * an enabled user taken out of the file is marked, reported and put back,
 * never dropped in silence.  traffic_stats follows the inbounds and
 * outbounds the file has.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "corediff.h"
#include "log.h"
#include "users.h"
#include "worker.h"

/* Names logged one by one per look; the rest are counted. */
#define NAMES_LOGGED 20
/* Names in the health warning. */
#define NAMES_SHOWN 5
/* traffic_stats is pruned at least this often (ms). */
#define PRUNE_EVERY_MS (3600 * 1000)

struct look {
	struct worker *w;
	const struct corecfg *cc;
	char at[32]; /* when, for the mark */
	size_t logged;
};

static void
filever_of(struct filever *v, const struct corecache *c)
{
	v->dev = c->dev;
	v->ino = c->ino;
	v->size = c->size;
	v->mtime = c->mtime;
}

static int
filever_eq(const struct filever *a, const struct filever *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void
log_adopted(void *arg, const char *user)
{
	struct look *lk = arg;

	if (lk->logged++ < NAMES_LOGGED)
		log_info("core config '%s': user '%s' was added to it by hand "
			 "or by another program: adopted",
		    lk->w->cfg.core_config, user);
}

/* A client of the previous version that this one lacks. */
static void
removed(void *arg, const char *user)
{
	struct look *lk = arg;
	struct worker *w = lk->w;
	char *cred = NULL, *tag = NULL;
	int rc;

	rc = users_in_core(&w->db, user, &cred, &tag);
	if (rc == 1 && corecfg_inbound(lk->cc, tag) == NULL)
		log_warnx("core config '%s': user '%s' is gone with its "
			  "inbound '%s'; the database keeps it enabled, and "
			  "it is applied when the inbound is back",
		    w->cfg.core_config, user, tag);
	else if (rc == 1) {
		/* The core may have started from this version of the file
		 * before the worker puts the user back: whether it has the
		 * user is no longer known, and it is applied again through
		 * the core's API (harmless if the core has it).  Before the
		 * mark, which a new operation clears. */
		if (reconcile_forget(w, user) != DB_OK)
			log_warnx("core config '%s': user '%s': cannot queue "
				  "its re-application",
			    w->cfg.core_config, user);
		rc = users_mark_config_removed(&w->db, user, lk->at);
		if (rc == 1)
			log_warnx("core config '%s': user '%s' was removed "
				  "from it by hand or by another program, but "
				  "the database has it enabled: it is put "
				  "back (disable or delete it through the API "
				  "to take it out of the core)",
			    w->cfg.core_config, user);
		w->watch.put_back++;
		w->config_dirty = 1;
	}
	free(cred);
	free(tag);
}

/* Clients of this version the database keeps out of that inbound. */
static void
unwanted(struct look *lk)
{
	struct worker *w = lk->w;
	const struct core_client *c;
	char *cred, *tag;
	size_t i;
	int rc;

	for (i = 0; i < lk->cc->nclients; i++) {
		c = &lk->cc->clients[i];
		if (strset_has(&w->watch.names, c->email))
			continue; /* not new */
		rc = users_in_core(&w->db, c->email, &cred, &tag);
		if (rc == 0 && users_exists(&w->db, c->email) == 1)
			log_warnx("core config '%s': user '%s' was added to "
				  "it by hand, but the database has it "
				  "disabled: it is taken out again (enable it "
				  "through the API)",
			    w->cfg.core_config, c->email);
		else if (rc == 1 && strcmp(tag, c->inbound_tag) != 0)
			log_warnx("core config '%s': user '%s' was added to "
				  "inbound '%s' by hand, but the database has "
				  "it in '%s': it is moved back",
			    w->cfg.core_config, c->email, c->inbound_tag, tag);
		else
			goto next;
		w->config_dirty = 1;
	next:
		if (rc == 1) {
			free(cred);
			free(tag);
		}
	}
}

void
corewatch_check(struct worker *w, const struct corecfg *cc)
{
	struct corewatch *cw = &w->watch;
	struct strset now = { .exact = 1 }, applied = { .exact = 1 };
	struct filever v;
	struct look lk = { .w = w, .cc = cc };
	struct tm tm;
	time_t t = time(NULL);
	int added;

	/* Not read now (unreadable, half written): nothing to look at. */
	if (cc == NULL || w->corecfg_error[0] != '\0')
		return;
	filever_of(&v, &w->core);
	if (cw->looked && filever_eq(&v, &cw->seen))
		return;
	corediff_names(cc, &now);
	if (cw->looked && filever_eq(&v, &cw->own))
		goto done; /* what the worker wrote */
	gmtime_r(&t, &tm);
	strftime(lk.at, sizeof(lk.at), "%Y-%m-%d %H:%M:%S", &tm);
	if ((added = adopt_clients(w, cc, log_adopted, &lk)) == -1)
		goto out; /* looked at again next time */
	if (added > NAMES_LOGGED)
		log_info("core config '%s': %d users adopted",
		    w->cfg.core_config, added);
	/* The running core gets them through its API (reconcile.c). */
	if (added > 0 && w->reconcile_full == 0)
		w->reconcile_full = 1;
	/* At the first look the previous version is what the worker put
	 * in the running core: an edit made while it was stopped. */
	if (!cw->looked) {
		if (w->applied_unknown ||
		    reconcile_applied(w, &applied) != DB_OK)
			goto done;
		corediff_removed(&applied, &now, removed, &lk);
	} else {
		corediff_removed(&cw->names, &now, removed, &lk);
		unwanted(&lk);
	}
done:
	strset_free(&cw->names);
	cw->names = now;
	memset(&now, 0, sizeof(now)); /* moved */
	cw->seen = v;
	cw->looked = 1;
	cw->prune_due = 1;
out:
	strset_free(&now);
	strset_free(&applied);
}

void
corewatch_own_write(struct worker *w)
{
	struct stat st;

	if (stat(w->cfg.core_config, &st) == -1)
		return;
	w->watch.own.dev = st.st_dev;
	w->watch.own.ino = st.st_ino;
	w->watch.own.size = st.st_size;
	w->watch.own.mtime = st.st_mtim;
	if (w->watch.put_back > 0)
		log_info("core config '%s': %zu users removed from it by hand "
			 "put back",
		    w->cfg.core_config, w->watch.put_back);
	w->watch.put_back = 0;
}

int
corewatch_link_known(void *arg, int outbound, const char *tag, size_t len)
{
	struct worker *w = arg;
	const struct corecfg *cc = corecache_last(&w->core);

	return cc == NULL || corediff_has_link(cc, outbound, tag, len);
}

/* Removes the traffic_stats rows whose tag the config CC lacks. */
static void
prune_links(struct worker *w, const struct corecfg *cc)
{
	struct buf gone, relabel;
	sqlite3_stmt *st;
	const char *s, *dir;
	size_t n = 0;
	int rc, out;

	buf_init(&gone);
	buf_init(&relabel);
	st = db_query(&w->db, "SELECT source, direction FROM traffic_stats");
	while ((rc = db_next(&w->db, st)) == 1) {
		s = db_text(st, 0);
		dir = db_text(st, 1);
		out = strcmp(dir, "outbound") == 0;
		if (corediff_has_link(cc, out, s, strlen(s)))
			continue;
		/* The original's rows, keyed by tag alone, were migrated as
		 * inbounds: an outbound's is relabelled, never dropped. */
		if (!out && corediff_has_link(cc, 1, s, strlen(s))) {
			buf_add(&relabel, s, strlen(s) + 1);
			continue;
		}
		/* Source then direction, each ending in a NUL. */
		buf_add(&gone, s, strlen(s) + 1);
		buf_add(&gone, dir, strlen(dir) + 1);
		n++;
	}
	if (rc < 0 || (n == 0 && relabel.len == 0) || db_begin(&w->db) != DB_OK)
		goto out;
	for (s = relabel.data, rc = DB_OK;
	     rc == DB_OK && s < relabel.data + relabel.len; s += strlen(s) + 1)
		rc = db_run(&w->db,
		    "UPDATE OR IGNORE traffic_stats SET direction = 'outbound' "
		    "WHERE source = ?1 AND direction = 'inbound'",
		    dbv_text(s));
	for (s = gone.data; rc == DB_OK && s < gone.data + gone.len;
	     s = dir + strlen(dir) + 1) {
		dir = s + strlen(s) + 1;
		rc = db_run(&w->db,
		    "DELETE FROM traffic_stats WHERE source = ?1 AND "
		    "direction = ?2",
		    dbv_text(s), dbv_text(dir));
	}
	if (rc != DB_OK || db_commit(&w->db) != DB_OK) {
		db_rollback(&w->db);
		goto out;
	}
	for (s = gone.data; s < gone.data + gone.len;
	     s = dir + strlen(dir) + 1) {
		dir = s + strlen(s) + 1;
		log_info("traffic_stats: %s '%s' removed (no longer in the "
			 "core config)",
		    dir, s);
	}
out:
	buf_free(&gone);
	buf_free(&relabel);
}

static void
add_name(void *arg, const char *user)
{
	struct buf *b = arg;

	buf_puts(b, b->len > 0 ? ", " : "");
	buf_puts(b, user);
}

/* Publishes the users marked config_removed for /api/v1/health. */
static void
publish(struct worker *w)
{
	struct corewatch *cw = &w->watch;
	struct buf names;
	char text[WSTATE_TEXT_MAX];
	int64_t n;

	buf_init(&names);
	if (users_config_removed(&w->db, &n, NAMES_SHOWN, add_name, &names) !=
	    DB_OK)
		goto out;
	text[0] = '\0';
	if (n > 0)
		snprintf(text, sizeof(text),
		    "%lld enabled users were removed from the core config by "
		    "hand and put back: %s%s (disable or delete them through "
		    "the API to take them out)",
		    (long long)n, buf_str(&names),
		    n > NAMES_SHOWN ? ", ..." : "");
	if (cw->published && n == cw->marked && strcmp(text, cw->text) == 0)
		goto out;
	if (db_begin(&w->db) != DB_OK)
		goto out;
	if (wstate_set_int(&w->db, WS_CONFIG_REMOVED, n) != DB_OK ||
	    wstate_set_text(&w->db, WS_CONFIG_REMOVED_WARNING, text) != DB_OK ||
	    db_commit(&w->db) != DB_OK) {
		db_rollback(&w->db);
		goto out;
	}
	cw->marked = n;
	snprintf(cw->text, sizeof(cw->text), "%s", text);
	cw->published = 1;
out:
	buf_free(&names);
}

void
corewatch_tick(struct worker *w)
{
	struct corewatch *cw = &w->watch;
	const struct corecfg *cc = corefile_config(w);
	int64_t now = mono_ms();

	corewatch_check(w, cc);
	/* Only a config read now: never prune by an old or no version. */
	if (cc != NULL && w->corecfg_error[0] == '\0' &&
	    (cw->prune_due || cw->pruned_at == 0 ||
		now - cw->pruned_at >= PRUNE_EVERY_MS)) {
		prune_links(w, cc);
		cw->prune_due = 0;
		cw->pruned_at = now;
	}
	publish(w);
}

void
corewatch_free(struct worker *w)
{
	strset_free(&w->watch.names);
}
