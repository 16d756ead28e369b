/* Adopting the users already in the core's config file. */
#include "config.h"

#include <stdio.h>

#include "corecfg.h"
#include "disabled_users.h"
#include "log.h"
#include "subdate.h"
#include "users.h"
#include "worker.h"

/* How many clashes are logged one by one. */
#define CLASHES_LOGGED 20

static void
log_clash(void *arg, const char *first, const char *other)
{
	int *n = arg;

	if ((*n)++ < CLASHES_LOGGED)
		log_warnx("users '%s' and '%s' are one user to the core (their "
			  "names differ only in case): it takes the one it "
			  "gets first and refuses the other; delete one",
		    first, other);
}

void
adopt_name_keys(struct worker *w, int report)
{
	int n = 0, rc;

	if ((rc = users_fill_keys(&w->db)) > 0) {
		log_info("db: %d users without a name key keyed", rc);
		report = 1;
	}
	if (report && users_key_clashes(&w->db, log_clash, &n) == DB_OK &&
	    n > CLASHES_LOGGED)
		log_warnx("%d pairs of users are one user to the core", n);
}

int
adopt_clients(struct worker *w, const struct corecfg *cc,
    void (*fn)(void *arg, const char *user), void *arg)
{
	char created[16];
	size_t i;
	int rc, added = 0;

	subdate_format(time(NULL), created, sizeof(created));
	if ((rc = db_begin(&w->db)) != DB_OK)
		return -1;
	for (i = 0; i < cc->nclients && rc == DB_OK; i++) {
		rc = users_adopt(&w->db, cc->clients[i].email,
		    cc->clients[i].credential, cc->clients[i].inbound_tag,
		    created);
		if (rc == 1 && fn != NULL)
			fn(arg, cc->clients[i].email);
		if (rc >= 0) {
			added += rc;
			rc = DB_OK;
		}
	}
	if (rc == DB_OK)
		rc = db_commit(&w->db);
	else
		db_rollback(&w->db);
	return rc == DB_OK ? added : -1;
}

int
adopt_core_users(struct worker *w)
{
	struct corecfg cc;
	char err[512];
	int added;

	adopt_name_keys(w, 1);
	if (corecfg_load(&cc, w->cfg.core_config, w->cfg.core_type, err,
		sizeof(err)) == -1) {
		log_warnx("core config: %s (no users adopted)", err);
		return -1;
	}
	added = adopt_clients(w, &cc, NULL, NULL);
	corecfg_free(&cc);
	if (added > 0)
		log_info(
		    "adopted %d users from '%s'", added, w->cfg.core_config);
	return added;
}

int
import_disabled_users(struct worker *w)
{
	struct core_client *users = NULL;
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
	/* The side file, not the original's database, said who was
	 * disabled (the original marked them enabled in its DB). */
	for (i = 0; i < n && rc == DB_OK; i++) {
		rc = users_import_disabled(&w->db, users[i].email,
		    users[i].credential, users[i].inbound_tag, created);
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
