/*
 * The core's config file as the worker sees it: read again when it
 * changes (the last good one kept while it cannot be read, and why in
 * health), and rewritten so that it holds exactly the users the database
 * wants (worker/core/corewrite.h), one write per burst of changes, so a
 * core restarted without the worker loads the right users.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "corewrite.h"
#include "log.h"
#include "strset.h"
#include "users.h"
#include "worker.h"
#include "xmalloc.h"

/* The config file trails the running core by at most this much. */
#define CONFIG_SYNC_MS 500

const struct corecfg *
corefile_config(struct worker *w)
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
	if (reconcile_known(w, &known, 1) != DB_OK)
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
		corewatch_own_write(w);
		log_info("core config '%s' updated (%zu users)",
		    w->cfg.core_config, n);
		if (w->cfg.core_type == CORE_SINGBOX)
			reload_schedule(w);
	}
out:
	for (i = 0; i < nstr; i++)
		free(strs[i]);
	free(strs);
	free(want);
	strset_free(&known);
}

void
corefile_flush(struct worker *w, int force)
{
	const struct corecfg *cc;
	int64_t now = mono_ms();

	if (!w->config_dirty ||
	    (!force && now - w->config_synced_at < CONFIG_SYNC_MS))
		return;
	cc = corefile_config(w);
	/* An edit not ours is looked at before it is written over. */
	corewatch_check(w, cc);
	sync_config(w, cc);
	authfile_sync(w, cc);
	w->config_dirty = 0;
	w->config_synced_at = now;
}
