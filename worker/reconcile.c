/*
 * Making the running core and its config file match the database.  The
 * database says which users should be in the core (enabled, with an inbound
 * and a credential); core_applied says what the worker has put there.  The
 * users the API touched (core_ops) are applied within a fraction of a
 * second; after a start or a core restart everything is checked.  The
 * config file is rewritten (one write per batch) so that a core restarted
 * without the worker loads the right users.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <spawn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coreapi.h"
#include "corecfg.h"
#include "coreops.h"
#include "corewrite.h"
#include "log.h"
#include "strset.h"
#include "users.h"
#include "worker.h"
#include "xmalloc.h"

extern char **environ;

/* The config file trails the running core by at most this much. */
#define CONFIG_SYNC_MS 500

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* The core config, read again when the file changed (lib/corecache.h);
 * the last good one while it cannot be read (logged once per reason), or
 * NULL if it never could. */
static const struct corecfg *
core_config(struct worker *w)
{
	const struct corecfg *cc;
	char err[WSTATE_TEXT_MAX], msg[512];

	cc = corecache_get(
	    &w->core, w->cfg.core_config, w->cfg.core_type, msg, sizeof(msg));
	if (cc != NULL) {
		w->corecfg_error[0] = '\0';
		return cc;
	}
	/* Parse errors give only a line: name the file too. */
	if (strncmp(msg, "line ", 5) == 0)
		snprintf(err, sizeof(err), "'%s' %s", w->cfg.core_config, msg);
	else
		snprintf(err, sizeof(err), "%s", msg);
	if (strcmp(err, w->corecfg_error) != 0) {
		log_warnx("core config: %s (users are not applied until it "
			  "can be read; nothing is deleted)",
		    err);
		snprintf(w->corecfg_error, sizeof(w->corecfg_error), "%s", err);
	}
	return corecache_last(&w->core);
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
 * Closes the open connections of USER, just removed from inbound TAG:
 * "ss -K" for each source IP of the user seen in the last hour and the
 * inbound's port (core.kill_connections; see v2ray-stat.yaml(5) for where
 * this cannot work).
 */
static void
kill_connections(struct worker *w, const struct corecfg *cc, const char *tag,
    const char *user)
{
	const struct core_inbound *in;
	struct in6_addr a6;
	struct in_addr a4;
	sqlite3_stmt *st;
	char port[16], dst[64];
	char *argv[] = { (char *)"ss", (char *)"-K", (char *)"-n",
		(char *)"dst", dst, (char *)"sport", (char *)"=", port, NULL };
	pid_t pid;
	int status, n = 0;

	if (cc == NULL || (in = corecfg_inbound(cc, tag)) == NULL ||
	    in->port <= 0)
		return;
	snprintf(port, sizeof(port), ":%d", in->port);
	st = db_query(&w->db,
	    "SELECT ip FROM user_ips WHERE user = ?1 AND "
	    "last_seen >= CAST(strftime('%s', 'now') AS INTEGER) - 3600",
	    dbv_text(user));
	while (db_next(&w->db, st) == 1) {
		/* Only well-formed addresses reach the command line. */
		if (inet_pton(AF_INET, db_text(st, 0), &a4) == 1)
			snprintf(dst, sizeof(dst), "%s", db_text(st, 0));
		else if (inet_pton(AF_INET6, db_text(st, 0), &a6) == 1)
			snprintf(dst, sizeof(dst), "[%s]", db_text(st, 0));
		else
			continue;
		if (posix_spawnp(&pid, "ss", NULL, NULL, argv, environ) != 0 ||
		    waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			log_warnx("user '%s': 'ss -K dst %s sport = %s' failed",
			    user, dst, port);
		else
			n++;
	}
	if (n > 0)
		log_info(
		    "user '%s': connections from %d addresses closed", user, n);
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
	     *have_cred = NULL;
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
			kill_connections(w, cc, have_tag, j->user);
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
	j->out = classify(w,
	    coreapi_add_user(w->api, want_tag, j->user, in->proto, want_cred,
		in->proto == PROTO_VLESS ? in->flow : NULL, 0),
	    0, &j->why);
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

static void
add_name(void *set, const char *name)
{
	strset_add(set, name);
}

/* Adds every name of column 0 of SQL (a string literal) to SET. */
static int
names_of(struct worker *w, const char *sql, struct strset *set)
{
	sqlite3_stmt *st;
	int rc;

	st = db_query(&w->db, sql);
	while ((rc = db_next(&w->db, st)) == 1)
		strset_add(set, db_text(st, 0));
	return rc;
}

static int
is_known(void *arg, const char *email)
{
	return strset_has(arg, email);
}

/*
 * Rewrites the core config file so it holds exactly the users the
 * database wants (one write for the whole batch, only if it changed).
 */
static void
sync_config(struct worker *w, const struct corecfg *cc)
{
	const struct core_inbound *in;
	struct corewrite_user *want = NULL;
	struct strset known = { 0 };
	sqlite3_stmt *st;
	char **strs = NULL, err[512];
	size_t n = 0, cap = 0, nstr = 0, missing = 0, i;
	int rc;

	if (cc == NULL)
		return;
	if (users_names(&w->db, add_name, &known) != DB_OK ||
	    names_of(w, "SELECT user FROM deleted_users", &known) != DB_OK ||
	    names_of(w, "SELECT user FROM core_applied", &known) != DB_OK)
		goto out;
	st = users_in_core_list(&w->db);
	while ((rc = db_next(&w->db, st)) == 1) {
		in = corecfg_inbound(cc, db_text(st, 2));
		if (in == NULL || in->proto == PROTO_OTHER)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			want = xreallocarray(want, cap, sizeof(*want));
			strs = xreallocarray(strs, cap * 3, sizeof(*strs));
		}
		strs[nstr] = xstrdup(db_text(st, 0));
		strs[nstr + 1] = xstrdup(db_text(st, 1));
		strs[nstr + 2] = xstrdup(db_text(st, 2));
		want[n].email = strs[nstr];
		want[n].credential = strs[nstr + 1];
		want[n].inbound_tag = strs[nstr + 2];
		want[n].proto = in->proto;
		want[n].flow = in->proto == PROTO_VLESS ? in->flow : NULL;
		nstr += 3;
		n++;
	}
	if (rc < 0)
		goto out;
	rc = corewrite_sync(w->cfg.core_config, w->cfg.core_type, want, n,
	    is_known, &known, &missing, err, sizeof(err));
	if (rc == -1)
		log_warnx("core config '%s' not updated: %s",
		    w->cfg.core_config, err);
	else if (rc == 1) {
		log_info("core config '%s' updated (%zu users)",
		    w->cfg.core_config, n);
		if (w->cfg.core_type == CORE_SINGBOX &&
		    w->cfg.core_reload_command[0] != '\0' && w->reload_at == 0)
			w->reload_at = mono_ms() +
			    (int64_t)w->cfg.core_reload_delay * 1000;
	}
out:
	for (i = 0; i < nstr; i++)
		free(strs[i]);
	free(strs);
	free(want);
	strset_free(&known);
}

/* Seeds core_applied from the core config's users, as a core that just
 * started holds exactly those. */
static int
seed_applied(struct worker *w, const struct corecfg *cc)
{
	size_t i;
	int rc;

	if ((rc = db_begin(&w->db)) != DB_OK)
		return rc;
	if ((rc = db_exec(&w->db, "DELETE FROM core_applied")) != DB_OK)
		goto fail;
	for (i = 0; i < cc->nclients; i++) {
		rc = db_run(&w->db,
		    "INSERT OR REPLACE INTO core_applied (user, inbound_tag, "
		    "credential) VALUES (?1, ?2, ?3)",
		    dbv_text(cc->clients[i].email),
		    dbv_text(cc->clients[i].inbound_tag),
		    dbv_text(cc->clients[i].credential));
		if (rc != DB_OK)
			goto fail;
	}
	return db_commit(&w->db);
fail:
	db_rollback(&w->db);
	return rc;
}

static int64_t
data_version(struct worker *w)
{
	int64_t v = -1;

	db_get_int(&w->db, &v, "PRAGMA data_version");
	return v;
}

void
reconcile_flush_config(struct worker *w, int force)
{
	int64_t now = mono_ms();

	if (!w->config_dirty ||
	    (!force && now - w->config_synced_at < CONFIG_SYNC_MS))
		return;
	sync_config(w, core_config(w));
	w->config_dirty = 0;
	w->config_synced_at = now;
}

void
reconcile_core_restarted(struct worker *w)
{
	w->reconcile_full = 2;
}

void
reconcile_reload_due(struct worker *w)
{
	char *argv[] = { (char *)"sh", (char *)"-c", NULL, NULL };
	pid_t pid;
	int status;

	if (w->reload_at == 0 || mono_ms() < w->reload_at)
		return;
	w->reload_at = 0;
	/* A sing-box reload zeroes its counters: commit them first. */
	worker_tick(w);
	argv[2] = w->cfg.core_reload_command;
	/* posix_spawn, not fork: the gRPC library's threads are running. */
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) {
		log_warn("reload: cannot run '%s'", w->cfg.core_reload_command);
		return;
	}
	if (waitpid(pid, &status, 0) == -1)
		log_warn("reload: waitpid");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warnx("reload: '%s' failed (status %d)",
		    w->cfg.core_reload_command, status);
	else
		log_info("core reloaded with '%s'", w->cfg.core_reload_command);
}

void
reconcile_poll(struct worker *w, int retry)
{
	const struct corecfg *cc;
	struct user_job *jobs = NULL;
	struct strset users = { 0 };
	int64_t dv, maxop = 0;
	size_t n = 0, cap = 0, i, refused = 0, deferred = 0, ok = 0;
	int full = w->reconcile_full, core_down = 0, rc;

	dv = data_version(w);
	if (!retry && !full && dv == w->data_version)
		return;
	/* Once a tick: finished operations are kept a day for the record. */
	if (retry)
		coreops_prune(&w->db);
	w->data_version = dv;
	cc = core_config(w);

	/* After a core restart the core holds exactly its config file's
	 * users; at the very first start the file is all we know too. */
	if (cc != NULL && (full == 2 || w->applied_unknown)) {
		if (seed_applied(w, cc) != DB_OK)
			return;
		w->applied_unknown = 0;
	}
	if ((maxop = coreops_last_id(&w->db)) < 0)
		return;
	if (full &&
	    (users_names(&w->db, add_name, &users) != DB_OK ||
		names_of(w, "SELECT user FROM core_applied", &users) != DB_OK))
		goto out;
	rc = coreops_pending(&w->db, maxop, retry || full, add_name, &users);
	if (rc != DB_OK || users.n == 0)
		goto out;

	for (i = 0; i < users.cap; i++) {
		if (users.slots[i] == NULL)
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
		reconcile_flush_config(w, 1);
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
}
