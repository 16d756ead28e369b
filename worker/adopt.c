/* Adopting the users already in the core's config file. */
#include "config.h"

#include <stdio.h>

#include "corecfg.h"
#include "disabled_users.h"
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

int
import_disabled_users(struct worker *w)
{
	struct core_client *users = NULL;
	sqlite3_stmt *st;
	char path[4096], err[512], created[16];
	size_t n = 0, i;
	int rc, added = 0;

	snprintf(path, sizeof(path), "%s/.disabled_users", w->cfg.core_dir);
	rc = disabled_users_read(
	    path, w->cfg.core_type, &users, &n, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc == -1) {
		log_warnx("%s: %s (not imported)", path, err);
		return -1;
	}
	subdate_format(time(NULL), created, sizeof(created));
	if ((rc = db_begin(&w->db)) != DB_OK)
		goto out;
	for (i = 0; i < n && rc == DB_OK; i++) {
		/* The side file, not the original's database, said who was
		 * disabled (the original marked them enabled in its DB). */
		st = db_stmt(&w->db,
		    "INSERT INTO clients_stats (user, uuid, enabled, "
		    "disabled_reason, created, inbound_tag) VALUES (?1, ?2, "
		    "'false', 'admin', ?3, ?4) ON CONFLICT (user) DO UPDATE "
		    "SET "
		    "enabled = 'false', disabled_reason = 'admin', uuid = CASE "
		    "WHEN uuid = '' THEN excluded.uuid ELSE uuid END, "
		    "inbound_tag = CASE WHEN inbound_tag = '' THEN "
		    "excluded.inbound_tag ELSE inbound_tag END");
		if (st == NULL) {
			rc = DB_ERR;
			break;
		}
		sqlite3_bind_text(st, 1, users[i].email, -1, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 2, users[i].credential, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, created, -1, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 4, users[i].inbound_tag, -1, SQLITE_STATIC);
		rc = db_step(&w->db, st);
		sqlite3_reset(st);
		rc = rc < 0 ? rc : DB_OK;
		added++;
	}
	if (rc == DB_OK)
		rc = db_commit(&w->db);
	else
		db_rollback(&w->db);
out:
	disabled_users_free(users, n);
	if (rc != DB_OK)
		return -1;
	log_info("imported %d disabled users from '%s'", added, path);
	if (disabled_users_retire(path, err, sizeof(err)) == -1)
		log_warnx("%s: %s", path, err);
	return added;
}
