/* The notification outbox (see outbox.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "xmalloc.h"

static const char *const kind_names[OB__MAX] = {
	[OB_EXPIRED] = "expired",
	[OB_RENEWED] = "renewed",
	[OB_DISABLED] = "disabled",
	[OB_ENABLED] = "enabled",
	[OB_BAN] = "ban",
	[OB_UNBAN] = "unban",
	[OB_REPORT] = "report",
	[OB_SERVICE] = "service",
	[OB_MEMORY] = "memory",
	[OB_DISK] = "disk",
	[OB_TEST] = "test",
};

const char *
outbox_kind_name(enum outbox_kind kind)
{
	return kind >= 0 && kind < OB__MAX ? kind_names[kind] : "?";
}

int
outbox_kind_lookup(const char *name)
{
	int i;

	for (i = 0; i < OB__MAX; i++)
		if (strcmp(kind_names[i], name) == 0)
			return i;
	return -1;
}

int
outbox_configured(const struct cfg *cfg)
{
	return cfg->telegram_bot_token != NULL &&
	    cfg->telegram_bot_token[0] != '\0' &&
	    cfg->telegram_chat_id != NULL && cfg->telegram_chat_id[0] != '\0';
}

int
outbox_wants(const struct cfg *cfg, enum outbox_kind kind)
{
	if (!outbox_configured(cfg) || kind < 0 || kind >= OB__MAX)
		return 0;
	if (kind == OB_TEST)
		return 1;
	if ((cfg->telegram_events & OB_BIT(kind)) == 0)
		return 0;
	switch (kind) {
	case OB_REPORT:
	case OB_SERVICE:
	case OB_MEMORY:
	case OB_DISK:
		return cfg->feat_telegram;
	default:
		return 1;
	}
}

int
outbox_add(struct db *db, const struct cfg *cfg, enum outbox_kind kind,
    const char *text, int64_t now, int64_t *id)
{
	int rc;

	if (!outbox_wants(cfg, kind))
		return 0;
	rc = db_run(db,
	    "INSERT INTO outbox (kind, text, created) VALUES (?1, ?2, ?3)",
	    dbv_text(kind_names[kind]), dbv_text(text), dbv_int(now));
	if (rc != DB_OK)
		return rc;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return 1;
}

int
outbox_head(struct db *db, struct outbox_msg *m)
{
	sqlite3_stmt *st;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = db_row(db, &st,
	    "SELECT id, kind, text, created, attempts, next_at FROM outbox "
	    "ORDER BY id LIMIT 1");
	if (rc != 1)
		return rc;
	m->id = sqlite3_column_int64(st, 0);
	snprintf(m->kind, sizeof(m->kind), "%s", db_text(st, 1));
	m->text = xstrdup(db_text(st, 2));
	m->created = sqlite3_column_int64(st, 3);
	m->attempts = sqlite3_column_int64(st, 4);
	m->next_at = sqlite3_column_int64(st, 5);
	db_done(st);
	return 1;
}

void
outbox_msg_free(struct outbox_msg *m)
{
	free(m->text);
	memset(m, 0, sizeof(*m));
}

int
outbox_remove(struct db *db, int64_t id)
{
	return db_run(db, "DELETE FROM outbox WHERE id = ?1", dbv_int(id));
}

int
outbox_retry(struct db *db, int64_t id, int64_t next_at, const char *err)
{
	return db_run(db,
	    "UPDATE outbox SET attempts = attempts + 1, next_at = ?2, "
	    "last_error = ?3 WHERE id = ?1",
	    dbv_int(id), dbv_int(next_at), dbv_text(err));
}

int
outbox_prune(struct db *db, int64_t now, int64_t max_age, int64_t max_count,
    int64_t *dropped)
{
	int rc;

	if (max_age > 0) {
		rc = db_run(db, "DELETE FROM outbox WHERE created < ?1",
		    dbv_int(now - max_age));
		if (rc != DB_OK)
			return rc;
		*dropped += db_changes(db);
	}
	if (max_count > 0) {
		rc = db_run(db,
		    "DELETE FROM outbox WHERE id < (SELECT id FROM outbox "
		    "ORDER BY id DESC LIMIT 1 OFFSET ?1)",
		    dbv_int(max_count - 1));
		if (rc != DB_OK)
			return rc;
		*dropped += db_changes(db);
	}
	return DB_OK;
}

int
outbox_stats(struct db *db, struct outbox_stats *st)
{
	sqlite3_stmt *s;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = db_row(
	    db, &s, "SELECT count(*), COALESCE(min(created), 0) FROM outbox");
	if (rc < 0)
		return rc;
	if (rc == 1) {
		st->queued = sqlite3_column_int64(s, 0);
		st->oldest = sqlite3_column_int64(s, 1);
		db_done(s);
	}
	return DB_OK;
}
