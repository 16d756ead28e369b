/* Following the banned log into the outbox (see banlog.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banline.h"
#include "banlog.h"
#include "buf.h"
#include "clock.h"
#include "log.h"
#include "outbox.h"
#include "tailstate.h"
#include "tgmsg.h"
#include "xmalloc.h"

#define WARN_EVERY_MS 60000 /* at most one summary of bad lines */

/* Where the banned log's position is kept. */
static const struct tailstate banned_log = { WS_BANNED_LOG_POS,
	WS_BANNED_LOG_FP, "banned log" };

/* A message of the batch: its kind and where its text begins. */
struct banmsg {
	enum outbox_kind kind;
	size_t off;
};

struct banlog {
	struct db *db; /* borrowed */
	const struct cfg *cfg; /* borrowed */
	struct tail *tail; /* owned; NULL until the position is loaded */
	struct tail_pos committed; /* the last position known durable */
	/* the batch: the texts, each NUL-terminated, one after another */
	struct buf texts;
	struct banmsg msgs[BANLOG_BATCH];
	size_t nmsgs;
	size_t nlines; /* lines in the batch */
	uint64_t long_seen; /* the tailer's long_lines, counted already */
	struct banlog_counts counts;
	/* bad lines: logged once, then summed up now and then */
	uint64_t bad_unlogged;
	int64_t bad_logged_at; /* mono ms, 0 = never */
	char lasterr[128]; /* the last problem, logged once */
};

/* Logs MSG unless it is the same as the last problem; "" clears it. */
static void
problem(struct banlog *bl, const char *msg)
{
	if (strcmp(bl->lasterr, msg) == 0)
		return;
	if (msg[0] != '\0')
		log_warnx("banned log: %s", msg);
	else if (bl->lasterr[0] != '\0')
		log_info("banned log: working again");
	snprintf(bl->lasterr, sizeof(bl->lasterr), "%s", msg);
}

/* Counts a line that is not a BAN or UNBAN line; logs it, or sums up. */
static void
bad_line(struct banlog *bl, const char *line, size_t len, const char *why)
{
	char esc[256];
	int64_t now = mono_ms();

	bl->counts.invalid++;
	bl->bad_unlogged++;
	if (bl->bad_logged_at != 0 && now - bl->bad_logged_at < WARN_EVERY_MS)
		return;
	if (bl->bad_unlogged == 1)
		log_warnx("banned log: line skipped (%s): %s", why,
		    log_escape(line, len, esc, sizeof(esc)));
	else
		log_warnx("banned log: %" PRIu64 " lines skipped, the last "
			  "(%s): %s",
		    bl->bad_unlogged, why,
		    log_escape(line, len, esc, sizeof(esc)));
	bl->bad_unlogged = 0;
	bl->bad_logged_at = now;
}

/* The N bytes of S as a string in OUT (OUTSZ > N: banline.h bounds). */
static const char *
str(struct banline_slice s, char *out, size_t outsz)
{
	snprintf(out, outsz, "%.*s", (int)s.len, s.p);
	return out;
}

static int
on_line(void *arg, const char *line, size_t len)
{
	struct banlog *bl = arg;
	struct banline b;
	struct banmsg *m;
	char user[BANLINE_MAX_USER + 1], ip[64], when[32];
	const char *why;
	int r;

	bl->counts.lines++;
	bl->nlines++;
	if ((r = banline_parse(line, len, &b, &why)) == -1)
		bad_line(bl, line, len, why);
	else if (r == 1) {
		m = &bl->msgs[bl->nmsgs++];
		m->kind = b.ban ? OB_BAN : OB_UNBAN;
		m->off = bl->texts.len;
		str(b.user, user, sizeof(user));
		str(b.ip, ip, sizeof(ip));
		str(b.when, when, sizeof(when));
		if (b.ban)
			tgmsg_ban(&bl->texts, user, ip, when, b.seconds);
		else
			tgmsg_unban(&bl->texts, user, ip, when);
		buf_putc(&bl->texts, '\0');
	}
	return bl->nlines >= BANLOG_BATCH;
}

static void
drop_batch(struct banlog *bl)
{
	buf_reset(&bl->texts);
	bl->nmsgs = 0;
	bl->nlines = 0;
}

static void
open_tail(struct banlog *bl)
{
	tail_close(bl->tail);
	bl->tail = tail_open(bl->cfg->f2b_banned_log, &bl->committed, 0);
	tail_set_max_line(bl->tail, BANLINE_MAX_LINE);
	bl->long_seen = 0;
}

/* The batch's messages and POS in one transaction.  DB_OK or DB_*. */
static int
commit(struct banlog *bl, const struct tail_pos *pos, time_t now)
{
	size_t i;
	int rc;

	if ((rc = db_begin(bl->db)) != DB_OK)
		return rc;
	for (i = 0; i < bl->nmsgs; i++)
		if ((rc = outbox_add(bl->db, bl->cfg, bl->msgs[i].kind,
			 bl->texts.data + bl->msgs[i].off, (int64_t)now,
			 NULL)) < 0)
			goto fail;
	if ((rc = tailstate_save(bl->db, &banned_log, pos)) != DB_OK ||
	    (rc = db_commit(bl->db)) != DB_OK)
		goto fail;
	return DB_OK;
fail:
	db_rollback(bl->db);
	return rc;
}

/* Counts the BAN and UNBAN lines of the batch just committed. */
static void
count_batch(struct banlog *bl)
{
	size_t i;

	for (i = 0; i < bl->nmsgs; i++) {
		if (bl->msgs[i].kind == OB_BAN)
			bl->counts.bans++;
		else
			bl->counts.unbans++;
		log_debug("banned log: %s", bl->texts.data + bl->msgs[i].off);
	}
	bl->counts.commits++;
}

/* Lines the tailer skipped as too long count as bad lines. */
static void
count_long(struct banlog *bl)
{
	struct tail_stats st;

	tail_stats(bl->tail, &st);
	while (bl->long_seen < st.long_lines) {
		bl->long_seen++;
		bl->counts.lines++;
		bad_line(bl, "", 0, "too long");
	}
}

struct banlog *
banlog_new(struct db *db, const struct cfg *cfg)
{
	struct banlog *bl;

	if (!outbox_configured(cfg) || cfg->f2b_banned_log == NULL ||
	    cfg->f2b_banned_log[0] == '\0')
		return NULL;
	bl = xcalloc(1, sizeof(*bl));
	bl->db = db;
	bl->cfg = cfg;
	buf_init(&bl->texts);
	return bl;
}

int
banlog_poll(struct banlog *bl, time_t now)
{
	struct tail_pos pos;
	char msg[128];
	int round, n, rc, total = 0;

	if (bl->tail == NULL) {
		if (tailstate_load(bl->db, &banned_log, &bl->committed) < 0) {
			problem(bl, "cannot read the saved position");
			return -1;
		}
		open_tail(bl);
	}
	for (round = 0; round < BANLOG_ROUNDS; round++) {
		drop_batch(bl);
		n = tail_read(bl->tail, on_line, bl);
		if (n < 0) {
			/* Logged by the tailer: again from the committed
			 * position. */
			drop_batch(bl);
			open_tail(bl);
			return -1;
		}
		count_long(bl);
		tail_position(bl->tail, &pos);
		if (tailstate_same(&pos, &bl->committed))
			break;
		if ((rc = commit(bl, &pos, now)) != DB_OK) {
			bl->counts.failed++;
			snprintf(msg, sizeof(msg),
			    "cannot commit (%s): the lines will be read again",
			    rc == DB_BUSY ? "database busy" : "error");
			problem(bl, msg);
			drop_batch(bl);
			open_tail(bl);
			return -1;
		}
		count_batch(bl);
		bl->committed = pos;
		total += (int)bl->nlines;
		problem(bl, "");
		if (bl->nlines < BANLOG_BATCH)
			break;
	}
	drop_batch(bl);
	return total;
}

void
banlog_counts(const struct banlog *bl, struct banlog_counts *out)
{
	*out = bl->counts;
}

void
banlog_free(struct banlog *bl)
{
	if (bl == NULL)
		return;
	tail_close(bl->tail);
	buf_free(&bl->texts);
	free(bl);
}
