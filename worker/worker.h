/* The worker daemon: the only process that talks to the core. */
#ifndef V2S_WORKER_H
#define V2S_WORKER_H

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "acct.h"
#include "cfg.h"
#include "corecache.h"
#include "corecfg.h"
#include "db.h"
#include "netdev.h"
#include "strset.h"
#include "wstate.h"

struct banlog;
struct coreapi;
struct ingest_thread;
struct notify_thread;
struct sysmon;

/* A version of the core config file: its identity, size and mtime. */
struct filever {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* corewatch.c: the core config as the worker last looked at it. */
struct corewatch {
	struct strset names; /* owned, exact: its clients' emails */
	struct filever seen; /* that version */
	struct filever own; /* the one the worker wrote last */
	int looked; /* names and seen hold a version */
	size_t put_back; /* users the next write puts back */
	int prune_due; /* the config changed since traffic_stats was pruned */
	int64_t pruned_at; /* when it was (monotonic ms), 0 = never */
	int64_t marked; /* users marked config_removed, as published */
	char text[WSTATE_TEXT_MAX]; /* the warning, as published */
	int published;
};

/* routewatch.c: the last routing check of the core config. */
struct routewatch {
	dev_t dev; /* the file then (its identity, size and mtime) */
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int64_t checked_at; /* monotonic ms; 0 = never */
	uint64_t fp; /* what the logged verdict depended on */
	int findings; /* proxy inbound and target pairs that pass */
	char want[WSTATE_TEXT_MAX]; /* the warning for health, "" if none */
	char text[WSTATE_TEXT_MAX]; /* as published */
	int published;
};

struct worker {
	struct cfg cfg; /* owned */
	struct db db; /* owned */
	struct coreapi *api; /* owned */
	struct acct acct; /* owned */
	struct ingest_thread *ingest; /* owned: follows the access log */
	struct notify_thread *notify; /* owned: sends the outbox; NULL */
	struct banlog *banlog; /* owned: the banned log, NULL if not read */
	int64_t banlog_at; /* when to read it next (monotonic ms) */
	int core_up; /* -1 unknown, 0 down, 1 answering */
	time_t core_since; /* when core_up last changed */
	char core_error[WSTATE_TEXT_MAX]; /* why the core did not answer */
	struct netdev net_last; /* features.network: the previous sample */
	int64_t net_at; /* its time (monotonic us), 0 = none */
	/* reconcile.c, corefile.c, reload.c */
	struct corecache core; /* owned: the core config as last read */
	char corecfg_error[WSTATE_TEXT_MAX]; /* why it cannot be read, "" */
	int64_t data_version; /* of the database, at the last check */
	int reconcile_full; /* 1 = check every user, 2 = after restart */
	int applied_unknown; /* core_applied was empty at start */
	int64_t reload_at; /* sing-box: when to reload (monotonic ms), 0 */
	int64_t haproxy_reload_at; /* the same for haproxy.reload_command */
	char authlua_error[WSTATE_TEXT_MAX]; /* why auth.lua failed, "" */
	char authlua_seen[128]; /* its identity, size and mtime then */
	int config_dirty; /* users changed since the file was written */
	int64_t config_synced_at; /* when it was (monotonic ms) */
	struct routewatch route; /* routewatch.c */
	struct corewatch watch; /* corewatch.c */
	struct sysmon *sysmon; /* owned: sysmon.c, report.c */
};

/* adopt.c */
/*
 * Inserts every user of the core config that the database does not know
 * (by name, ignoring case) as an enabled user of its inbound.  An unreadable
 * or invalid core config changes nothing (logged).  Returns the number of
 * users added, or -1.
 */
int adopt_core_users(struct worker *w);
/*
 * The same for the clients of CC, in one transaction, calling FN (if not
 * NULL) with each name added (before the commit).  Returns the number
 * added, or -1 (nothing added).
 */
int adopt_clients(struct worker *w, const struct corecfg *cc,
    void (*fn)(void *arg, const char *user), void *arg);

/*
 * Keys the users other programs added (no name key yet, lib/users.h) and,
 * when some were keyed or with REPORT, logs the pairs of users that are
 * one user to the core (a database from before names were compared as the
 * core compares them, or rows written by hand).  Called at start and every
 * tick.
 */
void adopt_name_keys(struct worker *w, int report);
/*
 * Imports the original v2ray-stat's "core.dir/.disabled_users" once: its
 * users become disabled users of the database, and the file is renamed to
 * ".disabled_users.imported".  Returns the number imported, or -1.
 */
int import_disabled_users(struct worker *w);

/* tick.c */
/*
 * Runs one tick: reads the core's uptime and counters, commits the
 * accounting, and publishes the worker's and the core's state.  A core
 * that does not answer is logged once per change, never fatal.  Returns 1
 * if the core restarted since the previous tick, else 0.
 */
int worker_tick(struct worker *w);

/* reconcile.c */
/*
 * Applies to the core what the database wants for the users the API
 * changed since the last call (cheap when nothing did: one PRAGMA
 * data_version).  With RETRY, changes saved while the core was unreachable
 * are tried again.  After reconcile_core_restarted() (and at start) every
 * user is checked.  The config file follows (corefile_flush()).
 */
void reconcile_poll(struct worker *w, int retry);
/*
 * Forgets whether the running core has USER (its core_applied row) and
 * queues an operation for it, in one transaction: the next call applies
 * it again through the core's API (harmless if the core has it).  For a
 * core that may have started from a file the user was missing from.
 * DB_OK or DB_*.
 */
int reconcile_forget(struct worker *w, const char *user);
/* Marks that the core restarted: it holds only its config file's users. */
void reconcile_core_restarted(struct worker *w);
/*
 * Adds to SET every name the worker knows: the database's users, those in
 * the running core (core_applied), and with DELETED those the API deleted
 * whose counters the core still keeps.  DB_OK or DB_*.
 */
int reconcile_known(struct worker *w, struct strset *set, int deleted);
/* Adds to SET the users the worker has put in the running core
 * (core_applied).  DB_OK or DB_*. */
int reconcile_applied(struct worker *w, struct strset *set);

/* corefile.c */
/*
 * The core config (the cache of lib/corecache.h, read again when the file
 * changed); while it cannot be read, the last good one (why in
 * W->corecfg_error, logged once per reason), or NULL if it never could.
 */
const struct corecfg *corefile_config(struct worker *w);
/*
 * Rewrites the core config file if users changed since the last write and
 * (unless FORCE) the last write is 500 ms old: one write per burst of
 * changes.
 */
void corefile_flush(struct worker *w, int force);

/* authfile.c */
/*
 * With features.auth_lua, makes paths.auth_lua hold the users the database
 * puts in the core (worker/core/authlua.h): a vless user's UUID, the hex
 * SHA-224 of a trojan user's password; users of other inbounds are left
 * out.  CC gives each inbound's protocol; NULL does nothing.  When the
 * file changed, haproxy.reload_command is planned; a failure is logged once
 * per reason and tried again at the next call.
 */
void authfile_sync(struct worker *w, const struct corecfg *cc);
/*
 * Called every tick: when paths.auth_lua changed since authfile_sync()
 * last saw it (edited, replaced or removed by someone else), syncs it.
 */
void authfile_tick(struct worker *w);
/* corewatch.c */
/*
 * Looks at the core config CC (corefile_config()) when its file changed
 * since the last look and it was not the worker that wrote it (a hand
 * edit, another tool): adopts its new clients (as adopt_core_users()),
 * and for a client the previous version had (at the first look: one the
 * worker had put in the running core) that the database has enabled in
 * that inbound, marks the user config_removed (lib/users.h), logs it once
 * and has the next write put it back (logged).  A client added by hand
 * that the database has disabled or elsewhere is logged and taken out by
 * the next write.  An unreadable file is not looked at (CC is then the
 * last good one, an old version).  Called before every write and every
 * tick.
 */
void corewatch_check(struct worker *w, const struct corecfg *cc);
/* Records the file as the worker just wrote it (its own version). */
void corewatch_own_write(struct worker *w);
/*
 * Every tick: corewatch_check(), then traffic_stats loses the rows of the
 * inbounds and outbounds the config (read successfully) no longer has,
 * once after each change of the file and at least hourly, and the users
 * marked config_removed are published for /api/v1/health.
 */
void corewatch_tick(struct worker *w);
/*
 * For acct.link_known: whether the core config (the last good one) has
 * the inbound or outbound TAG (LEN bytes); 1 when there never was one.
 */
int corewatch_link_known(void *w, int outbound, const char *tag, size_t len);
/* Frees what W->watch holds. */
void corewatch_free(struct worker *w);

/* killconn.c */
/*
 * Closes the open connections of USER, just removed from inbound TAG of
 * CC (core.kill_connections): "ss -K" for each of its source IPs of the
 * last hour and the inbound's port.  Failures are logged.
 */
void killconn_user(struct worker *w, const struct corecfg *cc, const char *tag,
    const char *user);

/* reload.c: sing-box, which has no user API, and HAProxy */
/* Plans core.reload_command core.reload_delay from now, unless planned. */
void reload_schedule(struct worker *w);
/* Plans haproxy.reload_command core.reload_delay from now, unless
 * planned. */
void haproxy_reload_schedule(struct worker *w);
/* Once its planned time has passed, runs haproxy.reload_command; and
 * commits the counters (a reload zeroes them) and runs
 * core.reload_command.  A failure is logged. */
void reload_due(struct worker *w);

/* routewatch.c */
/*
 * Checks whether the proxy's customers can reach the API or the core's API
 * through their tunnel (worker/core/routecheck.h): at the first call and
 * whenever the core config file changed (read again at most every 5 s).
 * Each finding is logged as a warning at the first check and whenever the
 * routing or the findings changed; the first is published as
 * worker_state route_warning ("" when there is none) for /api/v1/health.
 */
void routewatch_tick(struct worker *w);
/*
 * For v2ray-stat-worker -n: prints each finding for CFG's core config to F
 * as "CORECONFIG: warning: inbound '...' can reach ...", then a hint; a
 * config that cannot be read is one warning.  Returns the number of
 * findings, or -1.
 */
int routewatch_report(const struct cfg *cfg, FILE *f);

/* subs.c */
/*
 * Enforces subscriptions: a user whose sub_end has passed is renewed by
 * `renew` days from the old end (repeated until it is in the future), or,
 * without renew, disabled with reason 'expired'.  A user disabled by the
 * admin is never touched.  Telegram is told in the same transaction
 * (lib/outbox.h): "Subscription expired" then "User disabled" or
 * "Subscription renewed"; a user the expiry disabled that a renew period
 * brings back, "Subscription renewed" and "User enabled".  Returns the
 * number of users changed, or -1.
 */
int subs_tick(struct worker *w);

#endif
