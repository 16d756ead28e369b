/*
 * The notification outbox (table outbox, lib/schema.c): a message is
 * added in the transaction of the change it tells of, so it exists if and
 * only if that change committed; the worker's sender (worker/notify/)
 * delivers from the table in id order and removes a message only once
 * Telegram accepted it or rejected it for good.
 *
 * Who may send what: Telegram is configured when telegram.bot_token and
 * telegram.chat_id are both set; a kind is wanted when it is also listed
 * in telegram.events, and the kinds of the system watch (daily report,
 * services, memory, disk) need features.telegram as well, as in the
 * original.
 */
#ifndef V2S_OUTBOX_H
#define V2S_OUTBOX_H

#include <stdint.h>

#include "cfg.h"
#include "db.h"

enum outbox_kind {
	OB_EXPIRED, /* "expired": a subscription ended */
	OB_RENEWED, /* "renewed": ... and was renewed by `renew` days */
	OB_DISABLED, /* "disabled": the expiry disabled a user */
	OB_ENABLED, /* "enabled": a user the expiry disabled is back */
	OB_BAN, /* "ban": a line BAN of paths.f2b_banned_log */
	OB_UNBAN, /* "unban": a line UNBAN */
	OB_REPORT, /* "report": the daily report */
	OB_SERVICE, /* "service": a service went up or down */
	OB_MEMORY, /* "memory": average memory use crossed its threshold */
	OB_DISK, /* "disk": average disk use crossed its threshold */
	OB_TEST, /* "test": POST /api/v1/notify_test */
	OB__MAX
};

/* The bit of KIND in cfg->telegram_events. */
#define OB_BIT(kind) (1u << (kind))
#define OB_ALL ((1u << OB__MAX) - 1)

/* The kind's name ("expired"...). */
const char *outbox_kind_name(enum outbox_kind kind);

/* The kind named NAME, or -1. */
int outbox_kind_lookup(const char *name);

/* 1 if Telegram is configured (a bot token and a chat id), else 0. */
int outbox_configured(const struct cfg *cfg);

/* 1 if messages of KIND are to be sent with CFG (see above), else 0. */
int outbox_wants(const struct cfg *cfg, enum outbox_kind kind);

/*
 * Adds the message TEXT (Telegram MarkdownV2, lib/tgmsg.h, without the
 * host line the sender puts first) of KIND, created at NOW (unix seconds),
 * inside the caller's transaction.  Returns 1 with its id in *ID (if not
 * NULL), 0 if CFG does not want KIND (nothing added), or DB_BUSY /
 * DB_ERR.
 */
int outbox_add(struct db *db, const struct cfg *cfg, enum outbox_kind kind,
    const char *text, int64_t now, int64_t *id);

/* A message as the sender reads it. */
struct outbox_msg {
	int64_t id;
	char kind[16];
	char *text; /* owned */
	int64_t created; /* unix seconds */
	int64_t attempts;
	int64_t next_at; /* unix ms: not to be tried before */
};

/*
 * Reads the first message (lowest id) into M.  Returns 1 (free M with
 * outbox_msg_free()), 0 if the outbox is empty, or DB_BUSY / DB_ERR.
 */
int outbox_head(struct db *db, struct outbox_msg *m);

/* Frees what M owns; accepts a zeroed struct. */
void outbox_msg_free(struct outbox_msg *m);

/* Removes message ID (sent, or rejected for good).  DB_OK or DB_*. */
int outbox_remove(struct db *db, int64_t id);

/*
 * Records a failed attempt of message ID: attempts + 1, not to be tried
 * before NEXT_AT (unix ms), ERR as its last error.  DB_OK or DB_*.
 */
int outbox_retry(struct db *db, int64_t id, int64_t next_at, const char *err);

/*
 * Applies the bounds: removes the messages created before NOW - MAX_AGE
 * seconds, then the oldest beyond the newest MAX_COUNT (0: no bound of
 * that kind).  Adds the number removed to *DROPPED.  Call inside a
 * transaction.  DB_OK or DB_*.
 */
int outbox_prune(struct db *db, int64_t now, int64_t max_age, int64_t max_count,
    int64_t *dropped);

/* What /api/v1/health and /api/v1/metrics show of the queue itself. */
struct outbox_stats {
	int64_t queued; /* messages waiting */
	int64_t oldest; /* created (unix seconds) of the first; 0 if none */
};

/* Fills ST in one query.  DB_OK or DB_*. */
int outbox_stats(struct db *db, struct outbox_stats *st);

#endif
