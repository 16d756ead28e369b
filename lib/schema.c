/*
 * The schema and its migrations (PRAGMA user_version).  Version 0 with a
 * clients_stats table is a database written by the original v2ray-stat; it
 * is adopted in place.
 *
 * Who writes which table (R = the responder, v2ray-stat.fcgi; W = the
 * worker), and the module that holds its statements:
 *
 *   clients_stats  R: the admin's intent (add, delete, enable, limits,
 *                  dates); W: adoption, expiry, the core's refusals, the
 *                  traffic counters (worker/acct.c), IPs and last_seen.
 *                  lib/users.c, and worker/acct.c for the counters.
 *   traffic_stats  W: the inbounds' and outbounds' counters
 *                  (worker/acct.c); R: reset to 0.
 *   dns_stats      W: the access log's destinations; R: delete.
 *   user_ips, user_ip_since
 *                  W: the access log's source IPs and their streaks;
 *                  R: a deleted user's rows go with it (lib/users.c).
 *   deleted_users  R: a deleted user's last core counters (lib/users.c);
 *                  W: forgotten when the core restarts.
 *   core_ops       R and W: the operations queue (lib/coreops.c).
 *   core_applied   W: what the worker has put in the running core, by
 *                  exact name (since version 3).
 *   worker_state   W only: its published state (lib/wstate.c).
 *   outbox         R and W: notifications, added in the transaction of
 *                  the change they tell of; W: sends and removes them
 *                  (lib/outbox.c, since version 4).
 *   net_baseline   R only: the network block's reset point.
 *
 * Every write is one short BEGIN IMMEDIATE transaction; readers never
 * block the worker (WAL).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "users.h"

static const char sql_traffic_stats[] =
    "CREATE TABLE IF NOT EXISTS traffic_stats ("
    " source TEXT NOT NULL,"
    " rate INTEGER DEFAULT 0,"
    " uplink INTEGER DEFAULT 0,"
    " downlink INTEGER DEFAULT 0,"
    " sess_uplink INTEGER DEFAULT 0,"
    " sess_downlink INTEGER DEFAULT 0,"
    " direction TEXT NOT NULL DEFAULT 'inbound',"
    " PRIMARY KEY (source, direction))";

/* Without rowids since version 2. */
static const char sql_dns_stats[] =
    "CREATE TABLE IF NOT EXISTS dns_stats ("
    " user TEXT NOT NULL,"
    " count INTEGER DEFAULT 1,"
    " domain TEXT NOT NULL,"
    " PRIMARY KEY (user, domain)) WITHOUT ROWID";

/* Exact names since version 3 (was COLLATE NOCASE): a name is one row. */
static const char sql_core_applied[] =
    "CREATE TABLE IF NOT EXISTS core_applied ("
    " user TEXT PRIMARY KEY,"
    " inbound_tag TEXT NOT NULL,"
    " credential TEXT NOT NULL)";

/* The current schema; every statement is safe to run again. */
static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS clients_stats ("
	" user TEXT PRIMARY KEY,"
	" uuid TEXT NOT NULL DEFAULT '',"
	" last_seen TEXT DEFAULT '',"
	" rate INTEGER DEFAULT 0,"
	" enabled TEXT DEFAULT 'true',"
	" sub_end TEXT DEFAULT '',"
	" renew INTEGER DEFAULT 0,"
	" lim_ip INTEGER DEFAULT 0,"
	" ips TEXT DEFAULT '',"
	" uplink INTEGER DEFAULT 0,"
	" downlink INTEGER DEFAULT 0,"
	" sess_uplink INTEGER DEFAULT 0,"
	" sess_downlink INTEGER DEFAULT 0,"
	" created TEXT DEFAULT '',"
	" inbound_tag TEXT NOT NULL DEFAULT '',"
	" disabled_reason TEXT NOT NULL DEFAULT '',"
	" core_error TEXT NOT NULL DEFAULT '',"
	" name_key TEXT,"
	" config_removed TEXT NOT NULL DEFAULT '')",
	sql_traffic_stats,
	sql_dns_stats,
	"CREATE TABLE IF NOT EXISTS user_ips ("
	" user TEXT NOT NULL,"
	" ip TEXT NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (user, ip))",
	"CREATE TABLE IF NOT EXISTS net_baseline ("
	" iface TEXT PRIMARY KEY,"
	" rx INTEGER NOT NULL,"
	" tx INTEGER NOT NULL,"
	" at INTEGER NOT NULL)",
	/* Users the admin deleted whose counters the core still keeps (until
	 * it restarts), with the raw values to resume from if re-added. */
	"CREATE TABLE IF NOT EXISTS deleted_users ("
	" user TEXT PRIMARY KEY COLLATE NOCASE,"
	" sess_uplink INTEGER NOT NULL DEFAULT 0,"
	" sess_downlink INTEGER NOT NULL DEFAULT 0,"
	" at INTEGER NOT NULL)",
	/* What the worker has applied to the running core. */
	sql_core_applied,
	/* Changes the API made that the core must follow, and how applying
	 * them ended: done is an enum coreop_state (lib/coreops.h), 0 =
	 * waiting; result is the refusal, or why it waits. */
	"CREATE TABLE IF NOT EXISTS core_ops ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" user TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" done INTEGER NOT NULL DEFAULT 0,"
	" result TEXT NOT NULL DEFAULT '')",
	"CREATE INDEX IF NOT EXISTS core_ops_pending ON core_ops(done, user)",
	"CREATE TABLE IF NOT EXISTS worker_state ("

	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL)",
	/* User names are unique by their name key, v2s_name_key(user), as
	 * the core compares emails (lib/namefold.h): not a UNIQUE index, as
	 * a database from before version 3 may hold two names of one key;
	 * credentials are unique per inbound. */
	"CREATE INDEX IF NOT EXISTS clients_stats_name_key"
	" ON clients_stats(name_key)",
	"CREATE INDEX IF NOT EXISTS clients_stats_credential"
	" ON clients_stats(inbound_tag, uuid)",
	"CREATE INDEX IF NOT EXISTS user_ips_last_seen"
	" ON user_ips(last_seen)",
	/* Access-log ingestion: when each live (user, ip) streak began (an
	 * IP not seen for ip_ttl starts a new one) and when the IP was last
	 * written to the fail2ban log (0 = never).  Rows go with their
	 * user_ips row. */
	"CREATE TABLE IF NOT EXISTS user_ip_since ("
	" user TEXT NOT NULL,"
	" ip TEXT NOT NULL,"
	" since INTEGER NOT NULL,"
	" f2b_at INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (user, ip))",
	/* Version 4: notifications waiting to be sent, in id order (the
	 * order their transactions committed).  kind is an outbox kind's
	 * name (lib/outbox.h), text the message (Telegram MarkdownV2)
	 * without the host line; next_at (unix ms) is when it may be tried
	 * again, attempts how often it was. */
	"CREATE TABLE IF NOT EXISTS outbox ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '')",
};

/* Columns an original clients_stats may lack, and how to add each. */
static const struct {
	const char *name;
	const char *sql;
} clients_columns[] = {
	{ "uuid",
	    "ALTER TABLE clients_stats ADD COLUMN uuid TEXT "
	    "NOT NULL DEFAULT ''" },
	{ "last_seen",
	    "ALTER TABLE clients_stats ADD COLUMN last_seen TEXT "
	    "DEFAULT ''" },
	{ "rate",
	    "ALTER TABLE clients_stats ADD COLUMN rate INTEGER "
	    "DEFAULT 0" },
	{ "enabled",
	    "ALTER TABLE clients_stats ADD COLUMN enabled TEXT "
	    "DEFAULT 'true'" },
	{ "sub_end",
	    "ALTER TABLE clients_stats ADD COLUMN sub_end TEXT "
	    "DEFAULT ''" },
	{ "renew",
	    "ALTER TABLE clients_stats ADD COLUMN renew INTEGER "
	    "DEFAULT 0" },
	{ "lim_ip",
	    "ALTER TABLE clients_stats ADD COLUMN lim_ip INTEGER "
	    "DEFAULT 0" },
	{ "ips", "ALTER TABLE clients_stats ADD COLUMN ips TEXT DEFAULT ''" },
	{ "uplink",
	    "ALTER TABLE clients_stats ADD COLUMN uplink INTEGER "
	    "DEFAULT 0" },
	{ "downlink",
	    "ALTER TABLE clients_stats ADD COLUMN downlink INTEGER "
	    "DEFAULT 0" },
	{ "sess_uplink",
	    "ALTER TABLE clients_stats ADD COLUMN sess_uplink "
	    "INTEGER DEFAULT 0" },
	{ "sess_downlink",
	    "ALTER TABLE clients_stats ADD COLUMN "
	    "sess_downlink INTEGER DEFAULT 0" },
	{ "created",
	    "ALTER TABLE clients_stats ADD COLUMN created TEXT "
	    "DEFAULT ''" },
	{ "inbound_tag",
	    "ALTER TABLE clients_stats ADD COLUMN inbound_tag "
	    "TEXT NOT NULL DEFAULT ''" },
	{ "disabled_reason",
	    "ALTER TABLE clients_stats ADD COLUMN "
	    "disabled_reason TEXT NOT NULL DEFAULT ''" },
	{ "core_error",
	    "ALTER TABLE clients_stats ADD COLUMN core_error "
	    "TEXT NOT NULL DEFAULT ''" },
	{ "config_removed",
	    "ALTER TABLE clients_stats ADD COLUMN config_removed "
	    "TEXT NOT NULL DEFAULT ''" },
};

/* Returns 1 if TABLE has COLUMN (both fixed identifiers), 0 if not, -1. */
static int
has_column(struct db *db, const char *table, const char *column)
{
	int rc;

	rc = db_get_int(db, NULL,
	    "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
	    dbv_text(table), dbv_text(column));
	return rc < 0 ? -1 : rc;
}

/* Returns 1 if TABLE exists, 0 if not, -1 on error. */
static int
has_table(struct db *db, const char *table)
{
	int rc;

	rc = db_get_int(db, NULL,
	    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
	    dbv_text(table));
	return rc < 0 ? -1 : rc;
}

/*
 * Adopts an original v2ray-stat database: adds our columns, replaces NULLs
 * (older versions allowed them), normalises the enabled spellings the
 * original stored raw, and rebuilds traffic_stats with a direction column.
 */
static int
adopt_original(struct db *db)
{
	static const char *const fixups[] = {
		"UPDATE clients_stats SET"
		" uuid = COALESCE(uuid, ''),"
		" last_seen = COALESCE(last_seen, ''),"
		" rate = COALESCE(rate, 0),"
		" sub_end = COALESCE(sub_end, ''),"
		" renew = COALESCE(renew, 0),"
		" lim_ip = COALESCE(lim_ip, 0),"
		" ips = COALESCE(ips, ''),"
		" uplink = COALESCE(uplink, 0),"
		" downlink = COALESCE(downlink, 0),"
		" sess_uplink = COALESCE(sess_uplink, 0),"
		" sess_downlink = COALESCE(sess_downlink, 0),"
		" created = COALESCE(created, '')",
		"UPDATE clients_stats SET enabled = CASE"
		" WHEN enabled IN ('0','f','F','FALSE','false','False')"
		" THEN 'false' ELSE 'true' END",
		("UPDATE clients_stats SET disabled_reason = 'admin'"
		 " WHERE enabled = 'false'"),
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(clients_columns) / sizeof(clients_columns[0]);
	     i++) {
		rc = has_column(db, "clients_stats", clients_columns[i].name);
		if (rc < 0)
			return DB_ERR;
		if (rc == 0 && (rc = db_exec(db, clients_columns[i].sql)) != 0)
			return rc;
	}
	for (i = 0; i < sizeof(fixups) / sizeof(fixups[0]); i++)
		if ((rc = db_exec(db, fixups[i])) != DB_OK)
			return rc;

	if ((rc = has_table(db, "traffic_stats")) < 0)
		return DB_ERR;
	if (rc == 1 &&
	    (rc = has_column(db, "traffic_stats", "direction")) == 0) {
		/* The original keyed traffic_stats by tag alone, mixing
		 * inbounds and outbounds; its rows are kept as inbounds. */
		if ((rc = db_exec(db,
			 "ALTER TABLE traffic_stats RENAME TO "
			 "traffic_stats_v0")) != DB_OK ||
		    (rc = db_exec(db, sql_traffic_stats)) != DB_OK ||
		    (rc = db_exec(db,
			 "INSERT OR IGNORE INTO traffic_stats (source, rate, "
			 "uplink, downlink, sess_uplink, sess_downlink, "
			 "direction) SELECT source, COALESCE(rate, 0), "
			 "COALESCE(uplink, 0), COALESCE(downlink, 0), "
			 "COALESCE(sess_uplink, 0), COALESCE(sess_downlink, "
			 "0), 'inbound' FROM traffic_stats_v0 "
			 "WHERE source IS NOT NULL")) != DB_OK ||
		    (rc = db_exec(db, "DROP TABLE traffic_stats_v0")) != DB_OK)
			return rc;
	} else if (rc < 0)
		return DB_ERR;
	log_info("db: adopted a database of the original v2ray-stat");
	return DB_OK;
}

/*
 * Rebuilds a dns_stats that has rowids (ours before version 2, or the
 * original's) without them, keeping every row; adds up the counts of
 * duplicate (user, domain) pairs should a damaged table hold any.
 */
static int
dns_stats_without_rowid(struct db *db)
{
	static const char *const rebuild[] = {
		"ALTER TABLE dns_stats RENAME TO dns_stats_rowid",
		NULL, /* sql_dns_stats: the new dns_stats */
		"INSERT INTO dns_stats (user, count, domain) "
		"SELECT user, sum(COALESCE(count, 0)), domain "
		"FROM dns_stats_rowid WHERE user IS NOT NULL AND "
		"domain IS NOT NULL GROUP BY user, domain",
		"DROP TABLE dns_stats_rowid",
	};
	sqlite3_int64 rows = 0;
	int64_t wr = 0;
	size_t i;
	int rc;

	rc = db_get_int(db, &wr,
	    "SELECT wr FROM pragma_table_list "
	    "WHERE schema = 'main' AND name = 'dns_stats'");
	if (rc <= 0 || wr == 1) /* none, or already without rowids */
		return rc < 0 ? rc : DB_OK;
	for (i = 0; i < sizeof(rebuild) / sizeof(rebuild[0]); i++) {
		rc = db_exec(
		    db, rebuild[i] != NULL ? rebuild[i] : sql_dns_stats);
		if (rc != DB_OK)
			return rc;
		if (i == 2)
			rows = sqlite3_changes64(db->h);
	}
	log_info("db: dns_stats rebuilt without rowids (%lld rows)",
	    (long long)rows);
	return DB_OK;
}

/*
 * Version 3: clients_stats gets the name key of every user (the column
 * name_key, filled after the schema), the ASCII-only NOCASE index goes,
 * and core_applied is keyed by the exact name.
 */
static int
name_keys(struct db *db, int version)
{
	static const char *const rebuild[] = {
		"ALTER TABLE core_applied RENAME TO core_applied_v2",
		sql_core_applied,
		"INSERT OR IGNORE INTO core_applied (user, inbound_tag, "
		"credential) SELECT user, inbound_tag, credential FROM "
		"core_applied_v2",
		"DROP TABLE core_applied_v2",
	};
	size_t i;
	int rc;

	if ((rc = has_table(db, "clients_stats")) == 1 &&
	    (rc = has_column(db, "clients_stats", "name_key")) == 0)
		rc = db_exec(
		    db, "ALTER TABLE clients_stats ADD COLUMN name_key TEXT");
	if (rc < 0 ||
	    (rc = db_exec(db,
		 "DROP INDEX IF EXISTS "
		 "clients_stats_user_nocase")) != DB_OK)
		return rc < 0 ? rc : DB_ERR;
	if (version == 0 || version >= 3)
		return DB_OK;
	if ((rc = has_table(db, "core_applied")) != 1)
		return rc < 0 ? DB_ERR : DB_OK;
	for (i = 0; i < sizeof(rebuild) / sizeof(rebuild[0]); i++)
		if ((rc = db_exec(db, rebuild[i])) != DB_OK)
			return rc;
	return DB_OK;
}

/*
 * Version 4: clients_stats gets config_removed (a user removed from the
 * core config by hand, worker/corewatch.c) in a database of any earlier
 * version; the outbox table comes with the schema.
 */
static int
config_removed(struct db *db)
{
	int rc;

	if ((rc = has_table(db, "clients_stats")) != 1)
		return rc < 0 ? DB_ERR : DB_OK;
	if ((rc = has_column(db, "clients_stats", "config_removed")) != 0)
		return rc < 0 ? DB_ERR : DB_OK;
	return db_exec(db,
	    "ALTER TABLE clients_stats ADD COLUMN config_removed TEXT NOT "
	    "NULL DEFAULT ''");
}

int
db_migrate(struct db *db, char *err, size_t errsz)
{
	size_t i;
	int rc, version, adopted;

	if (errsz > 0)
		err[0] = '\0';
	if ((rc = db_begin(db)) != DB_OK) {
		snprintf(err, errsz,
		    "database '%s': cannot start a "
		    "transaction: %s",
		    db->path, sqlite3_errmsg(db->h));
		return rc;
	}
	version = db_schema_version(db);
	if (version < 0) {
		snprintf(err, errsz, "database '%s': cannot read its version",
		    db->path);
		rc = DB_ERR;
		goto fail;
	}
	if (version > DB_SCHEMA_VERSION) {
		snprintf(err, errsz,
		    "database '%s' has schema version %d, "
		    "newer than this program's %d",
		    db->path, version, DB_SCHEMA_VERSION);
		rc = DB_ERR;
		goto fail;
	}
	if (version == DB_SCHEMA_VERSION) {
		db_rollback(db);
		return DB_OK;
	}
	/* version 0: empty, or written by the original v2ray-stat */
	adopted = 0;
	if ((rc = has_table(db, "clients_stats")) < 0) {
		rc = DB_ERR;
		goto fail;
	}
	if (rc == 1 && version == 0) {
		if ((rc = adopt_original(db)) != DB_OK)
			goto fail;
		adopted = 1;
	}
	/* Version 2: dns_stats without rowids (one B-tree, not a table
	 * and an index that both hold every name), for all older ones. */
	if ((rc = dns_stats_without_rowid(db)) != DB_OK ||
	    (rc = name_keys(db, version)) != DB_OK ||
	    (rc = config_removed(db)) != DB_OK)
		goto fail;
	for (i = 0; i < sizeof(schema) / sizeof(schema[0]); i++)
		if ((rc = db_exec(db, schema[i])) != DB_OK)
			goto fail;
	if ((rc = users_fill_keys(db)) < 0)
		goto fail;
	if ((rc = db_exec(
		 db, "PRAGMA user_version = " DB_SCHEMA_VERSION_STR)) != DB_OK)
		goto fail;
	if ((rc = db_commit(db)) != DB_OK) {
		snprintf(err, errsz, "database '%s': commit: %s", db->path,
		    sqlite3_errmsg(db->h));
		return rc;
	}
	if (version > 0)
		log_info("db: schema version %d brought to %d in '%s'", version,
		    DB_SCHEMA_VERSION, db->path);
	else if (!adopted)
		log_info("db: created schema version %d in '%s'",
		    DB_SCHEMA_VERSION, db->path);
	return DB_OK;
fail:
	if (errsz > 0 && err[0] == '\0')
		snprintf(err, errsz, "database '%s': migration failed: %s",
		    db->path, sqlite3_errmsg(db->h));
	db_rollback(db);
	return rc;
}
