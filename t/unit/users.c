/* Unit tests for lib/users.c: the users table, on a real database file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqlq.h"
#include "statcol.h"
#include "tap.h"
#include "tmpdir.h"
#include "users.h"

static const char *dir;

static void
open_db(struct db *db, const char *name)
{
	char path[256], err[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (db_open(db, path, err, sizeof(err)) != DB_OK ||
	    db_migrate(db, err, sizeof(err)) != DB_OK) {
		tap_diag("%s", err);
		exit(1);
	}
}

static void
collect(void *arg, const char *name)
{
	char *s = arg;

	strcat(s, name);
	strcat(s, " ");
}

/* The fields up to inbound_tag are the client columns of /stats, in
 * enum statcol's order: the stats tables index rows by it. */
static void
t_columns(void)
{
	struct db db;
	sqlite3_stmt *st;
	int c, bad = 0;

	open_db(&db, "columns.db");
	st = users_sorted(&db, SC_USER, 0);
	ok(st != NULL, "sorted: prepares");
	for (c = SC_USER; c <= SC_INBOUND_TAG; c++)
		if (strcmp(sqlite3_column_name(st, c),
			statcol_name((enum statcol)c)) != 0) {
			tap_diag("column %d is %s, statcol says %s", c,
			    sqlite3_column_name(st, c),
			    statcol_name((enum statcol)c));
			bad++;
		}
	is_int(bad, 0, "column i of a user row is client statcol i");
	is_int(sqlite3_column_count(st), 17, "a row has every column");
	db_done(st);
	db_close(&db);
}

static void
t_add_edit_delete(void)
{
	struct db db;
	struct user u;
	sqlite3_stmt *st;
	int64_t total = -1, enabled = -1, online = -1;
	char buf[128];

	open_db(&db, "edit.db");
	is_int(users_add(&db, "Alice", "u-1", "vless-in", "2026-01-02-03"),
	    DB_OK, "add");
	is_int(users_exists(&db, "alice"), 1, "exists ignores case");
	is_int(users_exists(&db, "bob"), 0, "unknown does not exist");
	is_int(users_credential_taken(&db, "vless-in", "u-1"), 1,
	    "credential taken in its inbound");
	is_int(users_credential_taken(&db, "trojan-in", "u-1"), 0,
	    "but free in another inbound");
	is_int(users_get(&db, "Alice", &st, &u), 1, "get");
	is_str(u.uuid, "u-1", "get: credential");
	is_str(u.inbound_tag, "vless-in", "get: inbound");
	is_str(u.enabled, "true", "get: a new user is enabled");
	is_str(u.created, "2026-01-02-03", "get: created");
	is_str(u.last_seen, "", "get: never seen");
	db_done(st);
	is_int(users_get(&db, "alice", &st, &u), 0, "get takes the exact name");

	is_int(users_set_enabled(&db, "Alice", 0), 1, "disable");
	is_str(sql_text(&db,
		   "SELECT enabled || ',' || disabled_reason FROM "
		   "clients_stats",
		   buf, sizeof(buf)),
	    "false,admin", "disabled by the admin");
	is_int(users_set_enabled(&db, "Alice", 1), 1, "enable");
	is_str(sql_text(&db,
		   "SELECT enabled || ',' || disabled_reason FROM "
		   "clients_stats",
		   buf, sizeof(buf)),
	    "true,", "enabled, no reason");
	is_int(users_set_enabled(&db, "nobody", 1), 0, "unknown: 0");
	is_int(users_set_lim_ip(&db, "Alice", 3), 1, "lim_ip");
	is_int(users_set_lim_ip(&db, "Alice", 3), 1,
	    "lim_ip unchanged still finds the user");
	is_int(users_set_renew(&db, "Alice", 30), 1, "renew");
	is_int(users_set_renew(&db, "nobody", 30), 0, "renew: unknown");
	is_int(users_get(&db, "Alice", &st, &u), 1, "get after edits");
	is_int(u.lim_ip, 3, "lim_ip stored");
	is_int(u.renew, 30, "renew stored");
	db_done(st);

	/* sub_end: reenable only brings back a user disabled as expired */
	users_set_enabled(&db, "Alice", 0);
	is_int(users_set_sub_end(&db, "Alice", "2030-01-01-00", 1), 1,
	    "sub_end with reenable");
	is_str(
	    sql_text(&db, "SELECT sub_end || ',' || enabled FROM clients_stats",
		buf, sizeof(buf)),
	    "2030-01-01-00,true", "reenable enables");
	users_set_enabled(&db, "Alice", 0);
	is_int(users_set_sub_end(&db, "Alice", "", 0), 1, "sub_end cleared");
	is_str(sql_text(&db,
		   "SELECT sub_end || ',' || enabled || ',' || "
		   "disabled_reason FROM clients_stats",
		   buf, sizeof(buf)),
	    ",false,admin", "without reenable the admin's choice stays");
	users_set_enabled(&db, "Alice", 1);

	db_exec(&db,
	    "UPDATE clients_stats SET uplink = 5, downlink = 6, "
	    "sess_uplink = 100, sess_downlink = 200, last_seen = 'online'");
	is_int(users_count(&db, &total, &enabled, &online), DB_OK, "count");
	ok(total == 1 && enabled == 1 && online == 1, "count: 1 1 1");
	is_int(users_reset_traffic(&db), DB_OK, "reset traffic");
	is_int(sql_scalar(&db,
		   "SELECT uplink + downlink + (sess_uplink = 100) FROM "
		   "clients_stats"),
	    1, "totals 0, the core's counters kept");

	db_exec(&db, "INSERT INTO dns_stats VALUES ('Alice', 3, 'a.org')");
	db_exec(&db, "INSERT INTO user_ips VALUES ('Alice', '10.0.0.1', 1)");
	is_int(users_delete(&db, "alice"), 0, "delete takes the exact name");
	is_int(users_delete(&db, "Alice"), 1, "delete");
	is_int(users_exists(&db, "Alice"), 0, "deleted");
	is_int(sql_scalar(&db,
		   "SELECT (SELECT count(*) FROM dns_stats) + (SELECT "
		   "count(*) FROM user_ips)"),
	    0, "its destinations and IPs go too");
	is_int(users_deleted(&db, "Alice"), 1, "remembered as deleted");
	is_int(users_delete(&db, "Alice"), 0, "delete again: 0");

	/* Added again: resumes from the core's counters of the name. */
	is_int(users_add(&db, "Alice", "u-2", "vless-in", "2026-01-03-00"),
	    DB_OK, "add again");
	is_int(sql_scalar(&db,
		   "SELECT sess_uplink * 1000 + sess_downlink FROM "
		   "clients_stats"),
	    100200, "resumes from the counters the core still has");
	is_int(users_deleted(&db, "Alice"), 0, "no longer deleted");
	db_close(&db);
}

static void
t_worker(void)
{
	struct db db;
	sqlite3_stmt *st;
	char names[256] = "", *cred, *tag, *name;
	int rc, n;

	open_db(&db, "worker.db");
	is_int(users_adopt(&db, "Bob", "b-1", "vless-in", "2026-01-01-00"), 1,
	    "adopt");
	is_int(users_adopt(&db, "BOB", "b-2", "vless-in", "2026-01-01-00"), 0,
	    "adopt: the name ignoring case exists");
	is_int(users_import_disabled(&db, "Bob", "x", "trojan-in", "c"), DB_OK,
	    "import disabled: known user");
	is_str(sql_text(&db,
		   "SELECT enabled || disabled_reason || uuid || inbound_tag "
		   "FROM clients_stats WHERE user = 'Bob'",
		   names, sizeof(names)),
	    "falseadminb-1vless-in", "disabled, its credential kept");
	is_int(users_import_disabled(&db, "Cy", "c-1", "trojan-in", "c"), DB_OK,
	    "import disabled: unknown user");
	is_int(users_exists(&db, "cy"), 1, "added");
	names[0] = '\0';
	is_int(users_names(&db, collect, names), DB_OK, "names");
	ok(strstr(names, "Bob ") != NULL && strstr(names, "Cy ") != NULL,
	    "names: every user");

	is_int(users_in_core(&db, "Bob", &cred, &tag), 0,
	    "in core: not while disabled");
	users_set_enabled(&db, "Bob", 1);
	is_int(users_in_core(&db, "Bob", &cred, &tag), 1, "in core: enabled");
	is_str(cred, "b-1", "in core: credential");
	is_str(tag, "vless-in", "in core: inbound");
	free(cred);
	free(tag);
	db_exec(&db, "INSERT INTO clients_stats (user) VALUES ('Dee')");
	is_int(users_in_core(&db, "Dee", &cred, &tag), 0,
	    "in core: not without an inbound and a credential");
	ok(cred == NULL && tag == NULL, "in core: nothing allocated");
	st = users_in_core_list(&db);
	n = 0;
	while ((rc = db_next(&db, st)) == 1)
		n++;
	is_int(n, 1, "in core list: Bob only");
	is_int(users_set_core_error(&db, "Bob", "no such inbound"), DB_OK,
	    "core error");
	is_str(sql_text(&db,
		   "SELECT core_error FROM clients_stats WHERE user = 'Bob'",
		   names, sizeof(names)),
	    "no such inbound", "core error kept");

	/* Expiry: due are enabled users past their end, and those disabled
	 * as expired that have a renew period now. */
	db_exec(&db,
	    "UPDATE clients_stats SET sub_end = '2026-01-01-00' WHERE user IN "
	    "('Bob', 'Cy', 'Dee'); UPDATE clients_stats SET enabled = 'true' "
	    "WHERE user = 'Dee'");
	st = users_due(&db, "2026-06-01-00");
	names[0] = '\0';
	while ((rc = db_next(&db, st)) == 1)
		collect(names, db_text(st, 0));
	is_str(names, "Bob Dee ", "due: enabled users past their end");
	is_int(users_expire(&db, "Bob"), DB_OK, "expire");
	st = users_due(&db, "2026-06-01-00");
	is_int(db_next(&db, st), 1, "due: Dee");
	is_int(db_next(&db, st), 0, "an expired user without renew is not");
	users_set_renew(&db, "Bob", 7);
	st = users_due(&db, "2026-06-01-00");
	names[0] = '\0';
	while ((rc = db_next(&db, st)) == 1)
		collect(names, db_text(st, 0));
	is_str(names, "Bob Dee ", "due: expired with a renew period");
	st = users_due(&db, "2026-06-01-00");
	names[0] = '\0';
	while ((rc = db_next(&db, st)) == 1)
		collect(names, sqlite3_column_int(st, 3) ? "on" : "off");
	is_str(names, "off on ", "due: whether each is enabled (Bob, Dee)");
	users_set_enabled(&db, "Dee", 0);
	users_set_renew(&db, "Dee", 7);
	st = users_due(&db, "2026-06-01-00");
	names[0] = '\0';
	while ((rc = db_next(&db, st)) == 1)
		collect(names, db_text(st, 0));
	is_str(names, "Bob ", "due: never a user the admin disabled");
	is_int(users_renew(&db, "Bob", "2026-06-03-00"), DB_OK, "renew");
	is_str(sql_text(&db,
		   "SELECT sub_end || enabled || disabled_reason FROM "
		   "clients_stats WHERE user = 'Bob'",
		   names, sizeof(names)),
	    "2026-06-03-00true", "renewed and enabled");

	/* The access log's names. */
	users_add(&db, "eve", "e-1", "vless-in", "c");
	users_add(&db, "EVE2", "e-2", "vless-in", "c");
	is_int(users_resolve(&db, "EVE", 3, &name), 1, "resolve ignores case");
	is_str(name, "eve", "resolve: the database's spelling");
	free(name);
	is_int(users_resolve(&db, "eve2xyz", 4, &name), 1,
	    "resolve takes LEN bytes");
	is_str(name, "EVE2", "resolve: by length");
	free(name);
	is_int(users_resolve(&db, "zed", 3, &name), 0, "resolve: unknown");
	ok(name == NULL, "resolve: nothing allocated");
	is_int(users_set_ips(&db, "eve", "10.0.0.2,10.0.0.1"), DB_OK, "ips");
	db_exec(&db,
	    "UPDATE clients_stats SET last_seen = 'online' WHERE user = 'eve'");
	is_int(users_seen(&db, "eve", "2026-06-01 10:00"), DB_OK, "seen");
	is_int(users_seen(&db, "EVE2", "2026-06-01 10:00"), DB_OK, "seen 2");
	is_str(sql_text(&db,
		   "SELECT group_concat(ips || '/' || last_seen, ' ') FROM "
		   "(SELECT * FROM clients_stats WHERE user LIKE 'eve%' "
		   "ORDER BY user)",
		   names, sizeof(names)),
	    "/2026-06-01 10:00 10.0.0.2,10.0.0.1/online",
	    "seen never overwrites online");
	db_close(&db);
}

/* Names that are one user to the core: non-ASCII case, the KELVIN SIGN,
 * the vmess case-fold orbits (lib/namefold.h). */
static void
t_name_key(void)
{
	struct db db;
	char *name, buf[128];

	open_db(&db, "key.db");
	users_add(&db, "\xc3\x84rger", "u-1", "vless-in", "c");
	is_int(users_exists(&db, "\xc3\xa4rger"), 1,
	    "exists: \xc3\xa4rger is \xc3\x84rger");
	is_int(users_exists(&db, "\xc3\x84RGER"), 1, "exists: all upper case");
	users_add(&db, "kate", "u-2", "vless-in", "c");
	is_int(users_exists(&db,
		   "\xe2\x84\xaa"
		   "ate"),
	    1, "exists: Kate with KELVIN SIGN is kate");
	users_add(&db, "bo\xcf\x82", "u-3", "vless-in", "c");
	is_int(users_exists(&db, "BO\xce\xa3"), 1,
	    "exists: final sigma and SIGMA (vmess removes by EqualFold)");
	is_int(users_exists(&db,
		   "\xc4\xb1"
		   "da"),
	    0, "exists: dotless i is not i");
	is_int(users_adopt(&db,
		   "\xe2\x84\xaa"
		   "ATE",
		   "u-9", "vless-in", "c"),
	    0, "adopt: not a second kate");
	is_int(users_import_disabled(&db, "\xc3\xa4RGER", "x", "t", "c"), DB_OK,
	    "import disabled by name key");
	is_str(sql_text(&db,
		   "SELECT group_concat(user || ':' || enabled, ' ') FROM "
		   "(SELECT * FROM clients_stats ORDER BY rowid)",
		   buf, sizeof(buf)),
	    "\xc3\x84rger:false kate:true bo\xcf\x82:true",
	    "the user of that key disabled, none added");
	is_int(users_resolve(&db,
		   "\xe2\x84\xaa"
		   "ATE",
		   6, &name),
	    1, "resolve: by name key");
	is_str(name, "kate", "resolve: the database's spelling");
	free(name);
	/* A row another program wrote has no key until it is filled, and
	 * is found by its name all the same. */
	db_exec(&db, "INSERT INTO clients_stats (user) VALUES ('Zed')");
	is_int(users_exists(&db, "zed"), 1, "a row without a key: found");
	is_int(users_resolve(&db, "ZED", 3, &name), 1,
	    "a row without a key: resolved");
	is_str(name, "Zed", "a row without a key: its spelling");
	free(name);
	is_int(users_fill_keys(&db), 1, "fill keys: one row");
	is_int(users_exists(&db, "zed"), 1, "then found by its key");
	is_int(users_fill_keys(&db), 0, "fill keys: nothing left");
	/* A pair from before: the older one is the core's. */
	db_exec(&db,
	    "UPDATE clients_stats SET uuid = 'z1', inbound_tag = 'vless-in' "
	    "WHERE user = 'Zed'");
	db_exec(&db,
	    "INSERT INTO clients_stats (user, uuid, inbound_tag, name_key) "
	    "VALUES ('ZED', 'z2', 'vless-in', 'zed')");
	is_int(users_key_first(&db, "ZED", &name), 1, "key first: ZED second");
	is_str(name, "Zed", "key first: Zed is the core's");
	free(name);
	is_int(users_key_first(&db, "Zed", &name), 0, "key first: Zed first");
	db_exec(&db,
	    "UPDATE clients_stats SET inbound_tag = 'trojan-in' WHERE user = "
	    "'Zed'");
	is_int(users_key_first(&db, "ZED", &name), 0,
	    "key first: in another inbound both are the core's");
	db_close(&db);
}

int
main(void)
{
	int rc;

	dir = tmpdir_make("users");
	t_columns();
	t_add_edit_delete();
	t_worker();
	t_name_key();
	rc = tap_done();
	return tmpdir_remove(dir) == 0 ? rc : 1;
}
