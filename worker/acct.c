#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acct.h"
#include "counter.h"
#include "dbrows.h"
#include "log.h"
#include "users.h"
#include "wstate.h"
#include "xmalloc.h"

/* The state of one row (a user, or an inbound/outbound tag). */
struct acct_entry {
	char *key; /* owned.  Links: "i" or "o" + tag */
	/* committed */
	int64_t rowid; /* of the clients_stats row; 0 = unknown */
	int64_t up, down; /* raw core values = sess_* columns */
	int64_t rate;
	/* this tick: the values fed, then the new raw values */
	int64_t cur_up, cur_down;
	int64_t new_rate;
	uint32_t gen; /* acct.seen_gen when a counter was fed */
	uint8_t has_up, has_down;
	uint8_t online, new_online;
	uint8_t stored; /* the row is known to exist in the database */
};

#define LINK_IN 'i'
#define LINK_OUT 'o'
#define COUNTER_MAX_NAME 1024
#define SLOT_EMPTY UINT32_MAX

static uint64_t
hash_key(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Rebuilds the slot index with room for twice as many entries. */
static void
table_rehash(struct acct_table *t)
{
	size_t i, j;

	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	t->slots = xreallocarray(NULL, t->nslots, sizeof(*t->slots));
	for (i = 0; i < t->nslots; i++)
		t->slots[i] = SLOT_EMPTY;
	for (i = 0; i < t->n; i++) {
		j = (size_t)hash_key(
			t->entries[i].key, strlen(t->entries[i].key)) &
		    (t->nslots - 1);
		while (t->slots[j] != SLOT_EMPTY)
			j = (j + 1) & (t->nslots - 1);
		t->slots[j] = (uint32_t)i;
	}
}

/*
 * Finds the entry for KEY (N bytes), creating it when CREATE is set.  The
 * pointer is valid until the next call that creates an entry.
 */
static struct acct_entry *
table_get(struct acct_table *t, const char *key, size_t n, int create)
{
	struct acct_entry *e;
	size_t i;

	if (t->nslots == 0 || (create && (t->n + 1) * 2 > t->nslots))
		table_rehash(t);
	i = (size_t)hash_key(key, n) & (t->nslots - 1);
	for (; t->slots[i] != SLOT_EMPTY; i = (i + 1) & (t->nslots - 1)) {
		e = &t->entries[t->slots[i]];
		if (strncmp(e->key, key, n) == 0 && e->key[n] == '\0')
			return e;
	}
	if (!create)
		return NULL;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 512;
		t->entries =
		    xreallocarray(t->entries, t->cap, sizeof(*t->entries));
	}
	e = &t->entries[t->n];
	memset(e, 0, sizeof(*e));
	e->key = xstrndup(key, n);
	t->slots[i] = (uint32_t)t->n++;
	return e;
}

static void
table_free(struct acct_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->entries[i].key);
	free(t->entries);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

int64_t
acct_delta(int64_t prev, int64_t cur, int restarted)
{
	if (cur < 0)
		return 0;
	if (restarted || cur < prev)
		return cur;
	return cur - prev;
}

int64_t
acct_rate(int64_t bytes, int64_t elapsed_ms)
{
	if (elapsed_ms <= 0 || bytes <= 0)
		return 0;
	/* bits/s = bytes * 8 * 1000 / ms, without overflow for sane sizes */
	if (bytes > INT64_MAX / 8000)
		return (bytes / elapsed_ms) * 8000;
	return bytes * 8000 / elapsed_ms;
}

void
acct_init(
    struct acct *acct, struct db *db, const char *api_tag, int online_kbps)
{
	memset(acct, 0, sizeof(*acct));
	acct->db = db;
	acct->api_tag = xstrdup(api_tag != NULL ? api_tag : "api");
	acct->online_bps = (int64_t)online_kbps * 1000;
}

void
acct_free(struct acct *acct)
{
	if (acct == NULL)
		return;
	table_free(&acct->users);
	table_free(&acct->links);
	free(acct->api_tag);
	free(acct->writes);
	memset(acct, 0, sizeof(*acct));
}

/* Loads the committed state of every row from the database. */
static int
load_state(struct acct *acct)
{
	struct acct_entry *e;
	sqlite3_stmt *st;
	char key[512];
	const char *dir;
	int rc;

	table_free(&acct->users);
	table_free(&acct->links);
	st = db_query(acct->db,
	    "SELECT user, sess_uplink, sess_downlink, rate, last_seen, rowid "
	    "FROM clients_stats");
	while ((rc = db_next(acct->db, st)) == 1) {
		e = table_get(
		    &acct->users, db_text(st, 0), strlen(db_text(st, 0)), 1);
		e->up = sqlite3_column_int64(st, 1);
		e->down = sqlite3_column_int64(st, 2);
		e->rate = sqlite3_column_int64(st, 3);
		e->online = strcmp(db_text(st, 4), "online") == 0;
		e->rowid = sqlite3_column_int64(st, 5);
		e->stored = 1;
	}
	if (rc < 0)
		return rc;
	st = db_query(acct->db,
	    "SELECT source, direction, sess_uplink, sess_downlink, rate FROM "
	    "traffic_stats");
	while ((rc = db_next(acct->db, st)) == 1) {
		dir = db_text(st, 1);
		snprintf(key, sizeof(key), "%c%s",
		    strcmp(dir, "outbound") == 0 ? LINK_OUT : LINK_IN,
		    db_text(st, 0));
		e = table_get(&acct->links, key, strlen(key), 1);
		e->up = sqlite3_column_int64(st, 2);
		e->down = sqlite3_column_int64(st, 3);
		e->rate = sqlite3_column_int64(st, 4);
		e->stored = 1;
	}
	return rc < 0 ? rc : DB_OK;
}

int
acct_begin(struct acct *acct, uint32_t uptime, int64_t now_ms)
{
	int64_t prev_uptime, prev_ms;
	int rc;

	if (!acct->loaded) {
		if ((rc = load_state(acct)) != DB_OK)
			return rc;
		acct->loaded = 1;
	}
	prev_uptime = -1;
	prev_ms = 0;
	if ((rc = wstate_get_int(acct->db, WS_CORE_UPTIME, &prev_uptime)) < 0 ||
	    (rc = wstate_get_int(acct->db, WS_TICK_MS, &prev_ms)) < 0)
		return rc;
	acct->uptime = uptime;
	acct->restarted = prev_uptime >= 0 && (int64_t)uptime < prev_uptime;
	acct->now_ms = now_ms;
	acct->elapsed_ms =
	    prev_ms > 0 && now_ms > prev_ms ? now_ms - prev_ms : 0;
	acct->seen_gen++;
	acct->last_counters = acct->last_ignored = 0;
	return DB_OK;
}

int
acct_counter(void *arg, const char *name, size_t len, int64_t value)
{
	struct acct *acct = arg;
	struct counter cn;
	struct acct_entry *e;
	char key[COUNTER_MAX_NAME + 2];

	if (len > COUNTER_MAX_NAME || counter_parse(name, len, &cn) == -1) {
		acct->last_ignored++;
		return 0;
	}
	if (cn.kind == COUNTER_USER)
		e = table_get(&acct->users, cn.name, cn.namelen, 1);
	else {
		if (cn.kind == COUNTER_INBOUND &&
		    strlen(acct->api_tag) == cn.namelen &&
		    memcmp(acct->api_tag, cn.name, cn.namelen) == 0) {
			acct->last_ignored++;
			return 0;
		}
		if (acct->link_known != NULL &&
		    !acct->link_known(acct->link_arg,
			cn.kind != COUNTER_INBOUND, cn.name, cn.namelen)) {
			acct->last_ignored++;
			return 0;
		}
		key[0] = cn.kind == COUNTER_INBOUND ? LINK_IN : LINK_OUT;
		memcpy(key + 1, cn.name, cn.namelen);
		e = table_get(&acct->links, key, cn.namelen + 1, 1);
	}
	if (e->gen != acct->seen_gen) {
		e->gen = acct->seen_gen;
		e->has_up = e->has_down = 0;
	}
	if (cn.dir == COUNTER_UPLINK) {
		e->cur_up = value;
		e->has_up = 1;
	} else {
		e->cur_down = value;
		e->has_down = 1;
	}
	acct->last_counters++;
	return 0;
}

/*
 * Computes the new raw values, deltas and rate of E for this tick.
 * Returns 1 if its row needs writing.
 */
static int
entry_compute(
    struct acct *acct, struct acct_entry *e, int64_t *dup, int64_t *ddown)
{
	int64_t base_up = acct->restarted ? 0 : e->up;
	int64_t base_down = acct->restarted ? 0 : e->down;
	int seen = e->gen == acct->seen_gen;

	e->cur_up = seen && e->has_up ? e->cur_up : base_up;
	e->cur_down = seen && e->has_down ? e->cur_down : base_down;
	*dup = acct_delta(e->up, e->cur_up, acct->restarted);
	*ddown = acct_delta(e->down, e->cur_down, acct->restarted);
	if (!seen)
		*dup = *ddown = 0;
	e->new_rate = acct_rate(*dup + *ddown, acct->elapsed_ms);
	/* A counter seen for the first time is written even at 0, so an
	 * idle inbound or outbound still has its row, as in the original. */
	return !e->stored || *dup != 0 || *ddown != 0 || e->cur_up != e->up ||
	    e->cur_down != e->down || e->new_rate != e->rate;
}

/* Formats the current minute for last_seen, in the process time zone. */
static void
minute_now(int64_t now_ms, char *out, size_t outsz)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M", &tm);
}

/* Writes the row of E by its name (learning its rowid), or adds it. */
static int
write_user(struct acct *acct, struct acct_entry *e, int64_t dup, int64_t ddown,
    const char *last_seen)
{
	sqlite3_stmt *st;
	char created[16];
	time_t t;
	struct tm tm;
	int rc;

	e->rowid = 0;
	rc = db_row(acct->db, &st,
	    "UPDATE clients_stats SET uplink = uplink + ?2, downlink = "
	    "downlink + ?3, sess_uplink = ?4, sess_downlink = ?5, rate = ?6, "
	    "last_seen = COALESCE(?7, last_seen) WHERE user = ?1 "
	    "RETURNING rowid",
	    dbv_text(e->key), dbv_int(dup), dbv_int(ddown), dbv_int(e->cur_up),
	    dbv_int(e->cur_down), dbv_int(e->new_rate), dbv_text(last_seen));
	if (rc == 1) {
		e->rowid = sqlite3_column_int64(st, 0);
		rc = db_next(acct->db, st); /* the end of the statement */
	}
	if (rc < 0)
		return rc;
	if (e->rowid > 0 || e->gen != acct->seen_gen)
		return DB_OK;

	/* Seen in the counters but not in the database: add it, unless the
	 * admin deleted it (the core keeps counters until it restarts) or
	 * a user of that name to the core exists (lib/namefold.h). */
	t = (time_t)(acct->now_ms / 1000);
	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%d-%H", &tm);
	rc = db_run(acct->db,
	    "INSERT INTO clients_stats (user, uplink, downlink, sess_uplink, "
	    "sess_downlink, rate, last_seen, created, name_key) SELECT ?1, "
	    "?2, ?3, ?4, ?5, ?6, COALESCE(?7, ''), ?8, v2s_name_key(?1) "
	    "WHERE NOT EXISTS (SELECT 1 FROM deleted_users WHERE user = ?1) "
	    "AND NOT EXISTS (SELECT 1 FROM clients_stats WHERE " USERS_KEY_IS(
		"?1") ")",
	    dbv_text(e->key), dbv_int(dup), dbv_int(ddown), dbv_int(e->cur_up),
	    dbv_int(e->cur_down), dbv_int(e->new_rate), dbv_text(last_seen),
	    dbv_text(created));
	if (rc == DB_OK && db_changes(acct->db) > 0)
		log_info(
		    "user '%s' seen in the core's counters, added", e->key);
	return rc;
}

static int
write_link(struct acct *acct, struct acct_entry *e, int64_t dup, int64_t ddown)
{
	return db_run(acct->db,
	    "INSERT INTO traffic_stats (source, direction, uplink, downlink, "
	    "sess_uplink, sess_downlink, rate) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7) ON CONFLICT (source, direction) DO UPDATE SET uplink = "
	    "uplink + excluded.uplink, downlink = downlink + "
	    "excluded.downlink, sess_uplink = excluded.sess_uplink, "
	    "sess_downlink = excluded.sess_downlink, rate = excluded.rate",
	    dbv_text(e->key + 1),
	    dbv_text(e->key[0] == LINK_OUT ? "outbound" : "inbound"),
	    dbv_int(dup), dbv_int(ddown), dbv_int(e->cur_up),
	    dbv_int(e->cur_down), dbv_int(e->new_rate));
}

/* A user row to update by its rowid, with the values of this tick. */
struct acct_write {
	struct acct_entry *e;
	int64_t dup, ddown;
	const char *last_seen; /* NULL: unchanged */
};

static void
write_column(void *arg, size_t row, int col, sqlite3_context *ctx)
{
	const struct acct_write *w = &((const struct acct_write *)arg)[row];

	switch (col) {
	case 0:
		sqlite3_result_int64(ctx, w->e->rowid);
		break;
	case 1:
		sqlite3_result_text(ctx, w->e->key, -1, SQLITE_STATIC);
		break;
	case 2:
		sqlite3_result_int64(ctx, w->dup);
		break;
	case 3:
		sqlite3_result_int64(ctx, w->ddown);
		break;
	case 4:
		sqlite3_result_int64(ctx, w->e->cur_up);
		break;
	case 5:
		sqlite3_result_int64(ctx, w->e->cur_down);
		break;
	case 6:
		sqlite3_result_int64(ctx, w->e->new_rate);
		break;
	case 7:
		if (w->last_seen != NULL)
			sqlite3_result_text(
			    ctx, w->last_seen, -1, SQLITE_STATIC);
		break;
	}
}

/* Returns 1 if the row of W (rowid and name) exists, 0 if not, or DB_*. */
static int
row_exists(struct acct *acct, const struct acct_write *w)
{
	return db_get_int(acct->db, NULL,
	    "SELECT 1 FROM clients_stats WHERE rowid = ?1 AND user = ?2",
	    dbv_int(w->e->rowid), dbv_text(w->e->key));
}

/*
 * Updates the N rows of WRITES by their cached rowids in one statement.
 * A rowid is checked against the name: the row may have been deleted and
 * its rowid given to another user since.  Rows it missed (rare: only after
 * deletions) are written by name.
 */
static int
write_users(struct acct *acct, struct acct_write *writes, size_t n)
{
	struct dbrows src;
	size_t i;
	int rc;

	if (n == 0)
		return DB_OK;
	src.n = n;
	src.column = write_column;
	src.arg = writes;
	rc = dbrows_exec(acct->db,
	    "UPDATE clients_stats SET uplink = uplink + v.c2, downlink = "
	    "downlink + v.c3, sess_uplink = v.c4, sess_downlink = v.c5, "
	    "rate = v.c6, last_seen = COALESCE(v.c7, last_seen) FROM "
	    "v2s_rows AS v WHERE clients_stats.rowid = v.c0 AND "
	    "clients_stats.user = v.c1",
	    &src);
	if (rc != DB_OK)
		return rc;
	if ((size_t)sqlite3_changes64(acct->db->h) == n)
		return DB_OK;
	for (i = 0; i < n; i++) {
		if ((rc = row_exists(acct, &writes[i])) < 0)
			return rc;
		if (rc == 1)
			continue; /* updated above */
		writes[i].e->rowid = 0;
		rc = write_user(acct, writes[i].e, writes[i].dup,
		    writes[i].ddown, writes[i].last_seen);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* Copies the computed values of every entry into its committed state. */
static void
apply_table(struct acct_table *t)
{
	struct acct_entry *e;
	size_t i;

	for (i = 0; i < t->n; i++) {
		e = &t->entries[i];
		e->up = e->cur_up;
		e->down = e->cur_down;
		e->rate = e->new_rate;
		e->online = e->new_online;
		e->stored = 1;
	}
}

int
acct_commit(struct acct *acct)
{
	static const char *const restart_sql[] = {
		"UPDATE clients_stats SET sess_uplink = 0, sess_downlink = 0",
		"UPDATE traffic_stats SET sess_uplink = 0, sess_downlink = 0",
		"DELETE FROM deleted_users",
	};
	struct acct_entry *e;
	struct acct_write *w;
	const char *last_seen;
	char minute[32];
	int64_t dup, ddown;
	size_t i, nw = 0, writes = 0;
	int rc, dirty;

	if ((rc = db_begin(acct->db)) != DB_OK)
		return rc;
	if (acct->restarted) {
		log_info("core restarted (uptime %u s): session counters "
			 "start over",
		    acct->uptime);
		for (i = 0; i < sizeof(restart_sql) / sizeof(restart_sql[0]);
		     i++)
			if ((rc = db_exec(acct->db, restart_sql[i])) != DB_OK)
				goto fail;
	}
	minute_now(acct->now_ms, minute, sizeof(minute));
	for (i = 0; i < acct->users.n; i++) {
		e = &acct->users.entries[i];
		dirty = entry_compute(acct, e, &dup, &ddown);
		e->new_online = e->new_rate > acct->online_bps;
		/* online while above the threshold; otherwise the minute
		 * of the last traffic, or the minute the user went quiet */
		if (e->new_online)
			last_seen = e->online ? NULL : "online";
		else if (dup + ddown > 0 || e->online)
			last_seen = minute;
		else
			last_seen = NULL;
		if (!dirty && last_seen == NULL)
			continue;
		writes++;
		if (e->rowid > 0) {
			/* known rows: all at once below */
			if (nw == acct->nwrites_cap) {
				acct->nwrites_cap = nw > 0 ? nw * 2 : 1024;
				acct->writes = xreallocarray(acct->writes,
				    acct->nwrites_cap, sizeof(*w));
			}
			w = &acct->writes[nw++];
			w->e = e;
			w->dup = dup;
			w->ddown = ddown;
			w->last_seen = last_seen;
			continue;
		}
		if ((rc = write_user(acct, e, dup, ddown, last_seen)) != DB_OK)
			goto fail;
	}
	if ((rc = write_users(acct, acct->writes, nw)) != DB_OK)
		goto fail;
	for (i = 0; i < acct->links.n; i++) {
		e = &acct->links.entries[i];
		if (!entry_compute(acct, e, &dup, &ddown))
			continue;
		if ((rc = write_link(acct, e, dup, ddown)) != DB_OK)
			goto fail;
		writes++;
	}
	if ((rc = wstate_set_int(acct->db, WS_CORE_UPTIME, acct->uptime)) !=
		DB_OK ||
	    (rc = wstate_set_int(acct->db, WS_TICK_MS, acct->now_ms)) != DB_OK)
		goto fail;
	if ((rc = db_commit(acct->db)) != DB_OK)
		goto fail;
	apply_table(&acct->users);
	apply_table(&acct->links);
	acct->last_writes = writes;
	return DB_OK;
fail:
	db_rollback(acct->db);
	/* The in-memory state may be ahead of the database now. */
	acct->loaded = 0;
	return rc;
}
