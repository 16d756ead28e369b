/* The users: every statement on clients_stats but the batch writers'
 * (see users.h). */
#include "config.h"

#include <stdio.h>

#include "users.h"
#include "xmalloc.h"

/* The columns of struct user, in its order. */
#define USER_COLUMNS \
	"user, uuid, last_seen, rate, uplink, downlink, sess_uplink, " \
	"sess_downlink, enabled, sub_end, renew, lim_ip, ips, created, " \
	"inbound_tag, disabled_reason, core_error"

/* A user the core should have. */
#define IN_CORE "enabled = 'true' AND inbound_tag != '' AND uuid != ''"

/* The sort of /stats: a client column's name (statcol_name()) as ?1. */
#define SORTED(dir) \
	"SELECT " USER_COLUMNS " FROM clients_stats ORDER BY CASE ?1 " \
	"WHEN 'user' THEN user WHEN 'uuid' THEN uuid " \
	"WHEN 'last_seen' THEN last_seen WHEN 'rate' THEN rate " \
	"WHEN 'uplink' THEN uplink WHEN 'downlink' THEN downlink " \
	"WHEN 'sess_uplink' THEN sess_uplink " \
	"WHEN 'sess_downlink' THEN sess_downlink " \
	"WHEN 'enabled' THEN enabled WHEN 'sub_end' THEN sub_end " \
	"WHEN 'renew' THEN renew WHEN 'lim_ip' THEN lim_ip " \
	"WHEN 'ips' THEN ips WHEN 'created' THEN created " \
	"WHEN 'inbound_tag' THEN inbound_tag END " dir ", user ASC"

void
users_read(sqlite3_stmt *st, struct user *u)
{
	u->name = db_text(st, 0);
	u->uuid = db_text(st, 1);
	u->last_seen = db_text(st, 2);
	u->rate = sqlite3_column_int64(st, 3);
	u->uplink = sqlite3_column_int64(st, 4);
	u->downlink = sqlite3_column_int64(st, 5);
	u->sess_uplink = sqlite3_column_int64(st, 6);
	u->sess_downlink = sqlite3_column_int64(st, 7);
	u->enabled = db_text(st, 8);
	u->sub_end = db_text(st, 9);
	u->renew = sqlite3_column_int64(st, 10);
	u->lim_ip = sqlite3_column_int64(st, 11);
	u->ips = db_text(st, 12);
	u->created = db_text(st, 13);
	u->inbound_tag = db_text(st, 14);
	u->disabled_reason = db_text(st, 15);
	u->core_error = db_text(st, 16);
}

sqlite3_stmt *
users_list(struct db *db)
{
	return db_query(
	    db, "SELECT " USER_COLUMNS " FROM clients_stats ORDER BY user");
}

sqlite3_stmt *
users_sorted(struct db *db, enum statcol sort, int desc)
{
	return desc ? db_query(db, SORTED("DESC"), dbv_text(statcol_name(sort)))
		    : db_query(db, SORTED("ASC"), dbv_text(statcol_name(sort)));
}

int
users_get(struct db *db, const char *user, sqlite3_stmt **st, struct user *u)
{
	int rc;

	rc = db_row(db, st,
	    "SELECT " USER_COLUMNS " FROM clients_stats WHERE user = ?1",
	    dbv_text(user));
	if (rc == 1)
		users_read(*st, u);
	return rc;
}

int
users_exists(struct db *db, const char *user)
{
	return db_get_int(db, NULL,
	    "SELECT 1 FROM clients_stats WHERE " USERS_KEY_IS("?1"),
	    dbv_text(user));
}

int
users_credential_taken(struct db *db, const char *tag, const char *cred)
{
	return db_get_int(db, NULL,
	    "SELECT 1 FROM clients_stats WHERE inbound_tag = ?1 AND uuid = ?2",
	    dbv_text(tag), dbv_text(cred));
}

int
users_deleted(struct db *db, const char *user)
{
	return db_get_int(db, NULL,
	    "SELECT 1 FROM deleted_users WHERE user = ?1 AND user NOT IN "
	    "(SELECT user FROM clients_stats)",
	    dbv_text(user));
}

int
users_add(struct db *db, const char *user, const char *cred, const char *tag,
    const char *created)
{
	int rc;

	rc = db_run(db,
	    "INSERT INTO clients_stats (user, uuid, enabled, created, "
	    "inbound_tag, last_seen, sess_uplink, sess_downlink, name_key) "
	    "SELECT ?1, ?2, 'true', ?3, ?4, '', COALESCE((SELECT sess_uplink "
	    "FROM "
	    "deleted_users WHERE user = ?1), 0), COALESCE((SELECT "
	    "sess_downlink FROM deleted_users WHERE user = ?1), 0), "
	    "v2s_name_key(?1)",
	    dbv_text(user), dbv_text(cred), dbv_text(created), dbv_text(tag));
	if (rc != DB_OK)
		return rc;
	return db_run(
	    db, "DELETE FROM deleted_users WHERE user = ?1", dbv_text(user));
}

int
users_adopt(struct db *db, const char *user, const char *cred, const char *tag,
    const char *created)
{
	int rc;

	rc = db_run(db,
	    "INSERT INTO clients_stats (user, uuid, enabled, created, "
	    "inbound_tag, name_key) SELECT ?1, ?2, 'true', ?3, ?4, "
	    "v2s_name_key(?1) WHERE NOT EXISTS (SELECT 1 FROM clients_stats "
	    "WHERE " USERS_KEY_IS("?1") ")",
	    dbv_text(user), dbv_text(cred), dbv_text(created), dbv_text(tag));
	return rc != DB_OK ? rc : db_changes(db) > 0;
}

int
users_import_disabled(struct db *db, const char *user, const char *cred,
    const char *tag, const char *created)
{
	int rc;

	/* The user of that name to the core, if any. */
	rc = db_run(db,
	    "UPDATE clients_stats SET enabled = 'false', disabled_reason = "
	    "'admin', uuid = CASE WHEN uuid = '' THEN ?2 ELSE uuid END, "
	    "inbound_tag = CASE WHEN inbound_tag = '' THEN ?3 ELSE "
	    "inbound_tag END WHERE " USERS_KEY_IS("?1"),
	    dbv_text(user), dbv_text(cred), dbv_text(tag));
	if (rc != DB_OK || db_changes(db) > 0)
		return rc;
	return db_run(db,
	    "INSERT INTO clients_stats (user, uuid, enabled, "
	    "disabled_reason, created, inbound_tag, name_key) VALUES (?1, "
	    "?2, 'false', 'admin', ?3, ?4, v2s_name_key(?1))",
	    dbv_text(user), dbv_text(cred), dbv_text(created), dbv_text(tag));
}

int
users_delete(struct db *db, const char *user)
{
	int rc, found;

	/* The core keeps the user's counters until it restarts. */
	if ((rc = db_run(db,
		 "INSERT OR REPLACE INTO deleted_users (user, sess_uplink, "
		 "sess_downlink, at) SELECT user, sess_uplink, sess_downlink, "
		 "CAST(strftime('%s', 'now') AS INTEGER) FROM clients_stats "
		 "WHERE user = ?1",
		 dbv_text(user))) != DB_OK ||
	    (rc = db_run(db, "DELETE FROM clients_stats WHERE user = ?1",
		 dbv_text(user))) != DB_OK)
		return rc;
	found = db_changes(db) > 0;
	if ((rc = db_run(db, "DELETE FROM dns_stats WHERE user = ?1",
		 dbv_text(user))) != DB_OK ||
	    (rc = db_run(db, "DELETE FROM user_ips WHERE user = ?1",
		 dbv_text(user))) != DB_OK)
		return rc;
	return found;
}

/* 1 if the UPDATE that returned RC found its row, 0 if not, or DB_*. */
static int
found(struct db *db, int rc)
{
	return rc != DB_OK ? rc : db_changes(db) > 0;
}

int
users_set_enabled(struct db *db, const char *user, int on)
{
	/* Always stored as true/false; the reason says the admin chose. */
	return found(db,
	    db_run(db,
		"UPDATE clients_stats SET enabled = ?2, disabled_reason = "
		"CASE WHEN ?2 = 'true' THEN '' ELSE 'admin' END "
		"WHERE user = ?1",
		dbv_text(user), dbv_text(on ? "true" : "false")));
}

int
users_set_lim_ip(struct db *db, const char *user, int64_t lim_ip)
{
	return found(db,
	    db_run(db, "UPDATE clients_stats SET lim_ip = ?2 WHERE user = ?1",
		dbv_text(user), dbv_int(lim_ip)));
}

int
users_set_renew(struct db *db, const char *user, int64_t days)
{
	return found(db,
	    db_run(db, "UPDATE clients_stats SET renew = ?2 WHERE user = ?1",
		dbv_text(user), dbv_int(days)));
}

int
users_set_sub_end(
    struct db *db, const char *user, const char *sub_end, int reenable)
{
	return found(db,
	    db_run(db,
		"UPDATE clients_stats SET sub_end = ?2, enabled = CASE WHEN ?3 "
		"THEN 'true' ELSE enabled END, disabled_reason = CASE WHEN ?3 "
		"THEN '' ELSE disabled_reason END WHERE user = ?1",
		dbv_text(user), dbv_text(sub_end), dbv_int(reenable != 0)));
}

int
users_reset_traffic(struct db *db)
{
	return db_run(db, "UPDATE clients_stats SET uplink = 0, downlink = 0");
}

int
users_count(struct db *db, int64_t *total, int64_t *enabled, int64_t *online)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_row(db, &st,
	    "SELECT count(*), coalesce(sum(enabled = 'true'), 0), "
	    "coalesce(sum(last_seen = 'online'), 0) FROM clients_stats");
	if (rc != 1)
		return rc < 0 ? rc : DB_ERR;
	*total = sqlite3_column_int64(st, 0);
	*enabled = sqlite3_column_int64(st, 1);
	*online = sqlite3_column_int64(st, 2);
	db_done(st);
	return DB_OK;
}

int
users_names(struct db *db, void (*fn)(void *arg, const char *user), void *arg)
{
	sqlite3_stmt *st;
	int rc;

	st = db_query(db, "SELECT user FROM clients_stats");
	while ((rc = db_next(db, st)) == 1)
		fn(arg, db_text(st, 0));
	return rc;
}

int
users_in_core(struct db *db, const char *user, char **cred, char **tag)
{
	sqlite3_stmt *st;
	int rc;

	*cred = *tag = NULL;
	rc = db_row(db, &st,
	    "SELECT uuid, inbound_tag FROM clients_stats WHERE user = ?1 "
	    "AND " IN_CORE,
	    dbv_text(user));
	if (rc != 1)
		return rc;
	*cred = xstrdup(db_text(st, 0));
	*tag = xstrdup(db_text(st, 1));
	db_done(st);
	return 1;
}

sqlite3_stmt *
users_in_core_list(struct db *db)
{
	return db_query(db,
	    "SELECT user, uuid, inbound_tag FROM clients_stats WHERE " IN_CORE
	    " ORDER BY rowid");
}

int
users_set_core_error(struct db *db, const char *user, const char *why)
{
	return db_run(db,
	    "UPDATE clients_stats SET core_error = ?2 WHERE user = ?1 AND "
	    "core_error != ?2",
	    dbv_text(user), dbv_text(why));
}

int
users_mark_config_removed(struct db *db, const char *user, const char *at)
{
	int rc;

	rc = db_run(db,
	    "UPDATE clients_stats SET config_removed = ?2 WHERE user = ?1 "
	    "AND config_removed = ''",
	    dbv_text(user), dbv_text(at));
	if (rc != DB_OK)
		return rc;
	return db_changes(db) > 0;
}

int
users_config_removed(struct db *db, int64_t *n, size_t max,
    void (*fn)(void *arg, const char *user), void *arg)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = db_get_int(db, n,
		 "SELECT count(*) FROM clients_stats WHERE config_removed != "
		 "''")) < 0)
		return rc;
	st = db_query(db,
	    "SELECT user FROM clients_stats WHERE config_removed != '' "
	    "ORDER BY user LIMIT ?1",
	    dbv_int((int64_t)max));
	while ((rc = db_next(db, st)) == 1)
		fn(arg, db_text(st, 0));
	return rc < 0 ? rc : DB_OK;
}

sqlite3_stmt *
users_due(struct db *db, const char *now)
{
	/* "YYYY-MM-DD-HH" compares as text in time order.  A user disabled
	 * as expired comes back if a renew period was set since. */
	return db_query(db,
	    "SELECT user, sub_end, renew, enabled = 'true' FROM clients_stats "
	    "WHERE sub_end != '' AND sub_end <= ?1 AND (enabled = 'true' OR "
	    "(disabled_reason = 'expired' AND renew > 0))",
	    dbv_text(now));
}

int
users_expire(struct db *db, const char *user)
{
	return db_run(db,
	    "UPDATE clients_stats SET enabled = 'false', disabled_reason = "
	    "'expired' WHERE user = ?1",
	    dbv_text(user));
}

int
users_renew(struct db *db, const char *user, const char *sub_end)
{
	return db_run(db,
	    "UPDATE clients_stats SET sub_end = ?2, enabled = 'true', "
	    "disabled_reason = '' WHERE user = ?1",
	    dbv_text(user), dbv_text(sub_end));
}

int
users_set_ips(struct db *db, const char *user, const char *ips)
{
	return db_run(db,
	    "UPDATE clients_stats SET ips = ?2 WHERE user = ?1 AND "
	    "ips IS NOT ?2",
	    dbv_text(user), dbv_text(ips));
}

int
users_seen(struct db *db, const char *user, const char *minute)
{
	/* 'online' belongs to the accounting. */
	return db_run(db,
	    "UPDATE clients_stats SET last_seen = ?2 WHERE user = ?1 AND "
	    "last_seen IS NOT 'online' AND last_seen IS NOT ?2",
	    dbv_text(user), dbv_text(minute));
}

int
users_resolve(struct db *db, const char *name, size_t len, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	rc = db_row(db, &st,
	    "SELECT user FROM clients_stats WHERE " USERS_KEY_IS(
		"?1") " "
		      "ORDER BY user = ?1 DESC LIMIT 1",
	    dbv_textn(name, len));
	if (rc != 1)
		return rc;
	*out = xstrdup(db_text(st, 0));
	db_done(st);
	return 1;
}

int
users_fill_keys(struct db *db)
{
	int rc;

	rc = db_run(db,
	    "UPDATE clients_stats SET name_key = v2s_name_key(user) WHERE "
	    "name_key IS NULL AND user IS NOT NULL");
	return rc != DB_OK ? rc : (int)db_changes(db);
}

int
users_key_clashes(struct db *db,
    void (*fn)(void *arg, const char *first, const char *other), void *arg)
{
	sqlite3_stmt *st;
	int rc;

	st = db_query(db,
	    "SELECT a.user, b.user FROM clients_stats AS a JOIN clients_stats "
	    "AS b ON b.name_key = a.name_key AND b.rowid > a.rowid ORDER BY "
	    "a.rowid, b.rowid");
	while ((rc = db_next(db, st)) == 1)
		fn(arg, db_text(st, 0), db_text(st, 1));
	return rc;
}

int
users_key_first(struct db *db, const char *user, char **other)
{
	sqlite3_stmt *st;
	int rc;

	*other = NULL;
	rc = db_row(db, &st,
	    "SELECT b.user FROM clients_stats AS a JOIN clients_stats AS b "
	    "ON b.name_key = a.name_key AND b.rowid < a.rowid WHERE a.user = "
	    "?1 AND b.inbound_tag = a.inbound_tag AND b.enabled = 'true' AND "
	    "b.uuid != '' ORDER BY b.rowid LIMIT 1",
	    dbv_text(user));
	if (rc != 1)
		return rc;
	*other = xstrdup(db_text(st, 0));
	db_done(st);
	return 1;
}
