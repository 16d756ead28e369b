/*
 * The users: table clients_stats, one row per user (the core's "email"),
 * with the original v2ray-stat's columns and ours.  This is the one place
 * that names its columns for the code that reads and writes users: the
 * API's user endpoints, the tables of /stats, and the worker's adoption,
 * expiry and applying users to the core.
 *
 * The accounting keeps batch statements of its own, for speed, on its own
 * columns (worker/acct.c: uplink, downlink, sess_*, rate, and last_seen
 * when a user is online or goes quiet); the access log's IP limit reads
 * lim_ip in a join of its own (worker/ingest*.c).  The schema is in
 * schema.c.
 *
 * Names are unique by their name key, as the core compares emails
 * (lib/namefold.h: Unicode lower case, not only ASCII; the column
 * name_key holds it, v2s_name_key(user)); a user belongs in the core when
 * it is enabled and has an inbound and a credential.  Every function runs inside the caller's transaction, if
 * any, and returns DB_BUSY or DB_ERR on a database failure.
 */
#ifndef V2S_USERS_H
#define V2S_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "statcol.h"

/*
 * One row.  The strings belong to the statement it was read from: valid
 * until that statement steps again or is reset.  The fields up to
 * inbound_tag are in enum statcol's order (the columns of /stats).
 */
struct user {
	const char *name; /* user */
	const char *uuid; /* the credential: a UUID or a trojan password */
	const char *last_seen; /* "online", "YYYY-MM-DD HH:MM" or "" */
	int64_t rate; /* bits/s over the last tick */
	int64_t uplink; /* totals since the last reset */
	int64_t downlink;
	int64_t sess_uplink; /* the core's own counters */
	int64_t sess_downlink;
	const char *enabled; /* "true" or "false" */
	const char *sub_end; /* "YYYY-MM-DD-HH", "" = no end */
	int64_t renew; /* days a passed sub_end is extended by */
	int64_t lim_ip; /* live IPs allowed, 0 = any */
	const char *ips; /* the live IPs, "a,b" */
	const char *created; /* "YYYY-MM-DD-HH" */
	const char *inbound_tag;
	const char *disabled_reason; /* "", "admin" or "expired" */
	const char *core_error; /* the core's last refusal, "" */
};

/* Reads the row ST is on (from users_list(), users_sorted() or
 * users_get()) into U. */
void users_read(sqlite3_stmt *st, struct user *u);

/* Every user by name, for db_next() and users_read(); NULL (logged). */
sqlite3_stmt *users_list(struct db *db);

/*
 * Every user ordered by the column SORT (a client column of enum statcol),
 * descending with DESC, then by name; for db_next(), and the value of a
 * column C is column (int)C of the row.  NULL (logged).
 */
sqlite3_stmt *users_sorted(struct db *db, enum statcol sort, int desc);

/* Returns 1 with USER's row in U and *ST on it (db_done(*ST) after
 * reading), 0 if there is no such user (exact name), or DB_*. */
int users_get(
    struct db *db, const char *user, sqlite3_stmt **st, struct user *u);

/* 1 if a user of that name to the core exists (the same name key), 0 if
 * not, or DB_*. */
int users_exists(struct db *db, const char *user);

/* 1 if a user of inbound TAG has the credential CRED, 0, or DB_*. */
int users_credential_taken(struct db *db, const char *tag, const char *cred);

/*
 * 1 if the API deleted USER and the name was not added again (the worker
 * takes it out of the core's config file within half a second, so the
 * file may still list it); 0; or DB_*.
 */
int users_deleted(struct db *db, const char *user);

/*
 * Adds USER (enabled, of inbound TAG with credential CRED, created at
 * CREATED "YYYY-MM-DD-HH").  A name deleted earlier resumes from the raw
 * counters the core still holds for it, so old traffic is not counted
 * again.  DB_OK or DB_* (a name taken is the caller's to check first).
 */
int users_add(struct db *db, const char *user, const char *cred,
    const char *tag, const char *created);

/*
 * Adds a user found in the core's config, unless one of that name key
 * exists.  Returns 1 if added, 0 if not, or DB_*.
 */
int users_adopt(struct db *db, const char *user, const char *cred,
    const char *tag, const char *created);

/*
 * Makes USER disabled by the admin (the original's .disabled_users said
 * so): added if no user has its name key, else that user is disabled, its
 * credential and inbound filled in where empty.  DB_OK or DB_*.
 */
int users_import_disabled(struct db *db, const char *user, const char *cred,
    const char *tag, const char *created);

/*
 * Deletes USER (exact name) with its destinations and IPs, remembering
 * the core's counters of the name (the core keeps them until it
 * restarts).  Returns 1 if deleted, 0 if unknown, or DB_*.
 */
int users_delete(struct db *db, const char *user);

/*
 * The admin's edits of one user (exact name).  Each returns 1 if the user
 * exists (changed or not), 0 if not, or DB_*.  Disabling by the admin is
 * sticky: the expiry never enables such a user again.
 */
int users_set_enabled(struct db *db, const char *user, int on);
int users_set_lim_ip(struct db *db, const char *user, int64_t lim_ip);
int users_set_renew(struct db *db, const char *user, int64_t days);
/* SUB_END "YYYY-MM-DD-HH" or ""; with REENABLE a user disabled as
 * expired is enabled again. */
int users_set_sub_end(
    struct db *db, const char *user, const char *sub_end, int reenable);

/* Sets every user's uplink and downlink to 0.  DB_OK or DB_*. */
int users_reset_traffic(struct db *db);

/* Counts all users, the enabled ones, and those online.  DB_OK or DB_*. */
int users_count(
    struct db *db, int64_t *total, int64_t *enabled, int64_t *online);

/* ------------------------------------------------------------ the worker */

/* Calls FN with the name of every user.  DB_OK or DB_*. */
int users_names(
    struct db *db, void (*fn)(void *arg, const char *user), void *arg);

/*
 * Whether USER belongs in the core: 1 with its credential and inbound in
 * *CRED and *TAG (allocated: the caller frees them), 0 if it does not
 * (disabled, deleted, or without inbound or credential), or DB_*.
 */
int users_in_core(struct db *db, const char *user, char **cred, char **tag);

/* Every user that belongs in the core: columns user, uuid, inbound_tag,
 * for db_next(), oldest first.  NULL (logged). */
sqlite3_stmt *users_in_core_list(struct db *db);

/*
 * Whether an older user of USER's name key (see users_key_clashes())
 * belongs in the core in USER's inbound: that one is the core's user of
 * the name, USER comes second.  Returns 1 with its name in *OTHER
 * (allocated: the caller frees it), 0 if none, or DB_*.
 */
int users_key_first(struct db *db, const char *user, char **other);

/* Keeps the core's last refusal of USER ("" = none).  DB_OK or DB_*. */
int users_set_core_error(struct db *db, const char *user, const char *why);

/*
 * Marks USER as removed by hand from the core config file while the
 * database has it enabled in the core (column config_removed = AT, the
 * time it was noticed), unless already marked.  The mark stays until the
 * admin next changes the user through the API (coreops_add()).  Returns 1
 * if newly marked, 0 if it already was (or there is no such user), DB_*.
 */
int users_mark_config_removed(struct db *db, const char *user, const char *at);

/*
 * Counts the users marked config_removed into *N and calls FN with the
 * names of the first MAX of them (by name).  DB_OK or DB_*.
 */
int users_config_removed(struct db *db, int64_t *n, size_t max,
    void (*fn)(void *arg, const char *user), void *arg);

/*
 * The users whose subscription ended at NOW ("YYYY-MM-DD-HH") or before:
 * enabled ones, and those disabled as expired that have a renew period
 * now.  Columns user, sub_end, renew, and 1 if enabled (else 0), for
 * db_next().  NULL (logged).
 */
sqlite3_stmt *users_due(struct db *db, const char *now);

/* Disables USER as expired.  DB_OK or DB_*. */
int users_expire(struct db *db, const char *user);

/* Sets USER's sub_end to SUB_END and enables it.  DB_OK or DB_*. */
int users_renew(struct db *db, const char *user, const char *sub_end);

/* Sets USER's live IPs ("a,b", most recent first).  DB_OK or DB_*. */
int users_set_ips(struct db *db, const char *user, const char *ips);

/* USER was active in the minute MINUTE ("YYYY-MM-DD HH:MM"), unless the
 * accounting sees it online.  DB_OK or DB_*. */
int users_seen(struct db *db, const char *user, const char *minute);

/*
 * The database's name of a user the core logged as NAME (LEN bytes): the
 * exact name, else one of the same name key.  Returns 1 with it in *OUT
 * (allocated: the caller frees it), 0 if no user matches, or DB_*.
 */
int users_resolve(struct db *db, const char *name, size_t len, char **out);

/*
 * SQL condition on clients_stats: the row's user is the name PARAM (an SQL
 * parameter such as "?1") to the core.  By the indexed name_key; a row
 * another program added (sqlite3, the original's tools) has no key until
 * the worker fills it (users_fill_keys), so for those the key is computed.
 * Both halves use the name_key index.
 */
#define USERS_KEY_IS(param) \
	"(name_key = v2s_name_key(" param ") OR (name_key IS NULL AND " \
	"v2s_name_key(user) = v2s_name_key(" param ")))"

/*
 * Sets the name key of every user that lacks one (a row another program
 * wrote).  Returns the number of rows set, or DB_*.
 */
int users_fill_keys(struct db *db);

/*
 * Calls FN for every pair of users that are one user to the core (the
 * same name key: a database from before version 3 may hold such pairs),
 * FIRST the older row.  DB_OK or DB_*.
 */
int users_key_clashes(struct db *db,
    void (*fn)(void *arg, const char *first, const char *other), void *arg);

#endif
