/* Adopting the users already in the core's config file. */
#include "config.h"

#include <stdio.h>

#include "corecfg.h"
#include "log.h"
#include "subdate.h"
#include "worker.h"

int
adopt_core_users(struct worker *w)
{
	struct corecfg cc;
	sqlite3_stmt *st;
	char err[512], created[16];
	size_t i;
	int rc, added = 0;

	if (corecfg_load(&cc, w->cfg.core_config, w->cfg.core_type, err,
		sizeof(err)) == -1) {
		log_warnx("core config: %s (no users adopted)", err);
		return -1;
	}
	subdate_format(time(NULL), created, sizeof(created));
	if ((rc = db_begin(&w->db)) != DB_OK)
		goto out;
	for (i = 0; i < cc.nclients && rc == DB_OK; i++) {
		st = db_stmt(&w->db,
		    "INSERT INTO clients_stats (user, uuid, enabled, created, "
		    "inbound_tag) SELECT ?1, ?2, 'true', ?3, ?4 WHERE NOT "
		    "EXISTS (SELECT 1 FROM clients_stats "
		    "WHERE user = ?1 COLLATE NOCASE)");
		if (st == NULL) {
			rc = DB_ERR;
			break;
		}
		sqlite3_bind_text(
		    st, 1, cc.clients[i].email, -1, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 2, cc.clients[i].credential, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, created, -1, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 4, cc.clients[i].inbound_tag, -1, SQLITE_STATIC);
		if ((rc = db_step(&w->db, st)) >= 0) {
			added += sqlite3_changes(w->db.h);
			rc = DB_OK;
		}
		sqlite3_reset(st);
	}
	if (rc == DB_OK)
		rc = db_commit(&w->db);
	else
		db_rollback(&w->db);
out:
	corecfg_free(&cc);
	if (rc != DB_OK)
		return -1;
	if (added > 0)
		log_info(
		    "adopted %d users from '%s'", added, w->cfg.core_config);
	return added;
}
