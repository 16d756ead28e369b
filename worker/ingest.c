/*
 * Access-log ingestion (see ingest.h).  The worker runs it in a thread of
 * its own (ingest_thread.c): ingest_poll() every 100 ms, ingest_housekeep()
 * every tick; ingest_tick() does both at once for tests and benchmarks.
 *
 *  1. batches (ingest_poll): read lines with the tailer, aggregate them in
 *     memory (ingest_agg.c) and commit in ONE transaction: dns_stats +=
 *     counts, user_ips and user_ip_since for known users,
 *     clients_stats.last_seen and .ips of the users of the batch
 *     (ingest_batch.c), and the log position with its fingerprints
 *     (worker_state's access_log_pos and access_log_fp, here).  A batch
 *     is committed when it is full (bytes or distinct keys), when the
 *     tailer moved to another file, or once it is the caller's hold time
 *     old.  Only a committed position is ever reused: when a commit fails
 *     the tailer is reopened at the last committed one and the lines come
 *     again.
 *  2. expiry (ingest_ips.c): users whose IPs went past ip_ttl since the last tick get
 *     their ips list recomputed (even if they made no new connection);
 *     once a minute user_ips older than max(ip_ttl, 1 day) is pruned.
 *  3. IP limit (ingest_ips.c): for users with lim_ip > 0 and more live IPs, the IPs that
 *     appeared last (beyond the lim_ip first ones of the current streaks)
 *     are appended to paths.f2b_log, once per IP per minute, remembered
 *     in user_ip_since.f2b_at (committed before the lines are written:
 *     a crash may lose a line, never repeat one) -- only the IPs the
 *     kernel confirms (ingest_confirm.c).
 *
 * A line that begins inside a record of the core, in a client's text, is
 * skipped (ingest_guard.c, worker/log/recguard.h).
 *
 * "Now" is the time the worker commits the lines (at most a second after
 * it read them), as in the original, which reads them once a tick.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "ingest.h"
#include "ingest_int.h"
#include "log.h"
#include "tailstate.h"
#include "xmalloc.h"

/* Logs MSG unless it is the same as the last problem; "" clears it. */
static void
problem(struct ingest *ig, const char *msg)
{
	if (strcmp(ig->lasterr, msg) == 0)
		return;
	if (msg[0] != '\0')
		log_warnx("access log: %s", msg);
	else if (ig->lasterr[0] != '\0')
		log_info("access log: working again");
	snprintf(ig->lasterr, sizeof(ig->lasterr), "%s", msg);
}

/* Where the access log's position is kept. */
static const struct tailstate access_log = { WS_ACCESS_LOG_POS,
	WS_ACCESS_LOG_FP, "access log" };

static void
open_tail(struct ingest *ig)
{
	tail_close(ig->tail);
	ig->tail = tail_open(ig->cfg->core_access_log, &ig->committed,
	    ig->cfg->access_log_from_start ? TAIL_FROM_START : 0);
	ig->switches = 0;
	ingest_guard_reopen(ig);
}

/* ------------------------------------------------------------ reading */

static int
on_line(void *arg, const char *line, size_t len)
{
	struct ingest *ig = arg;
	struct accesslog_rec rec;
	enum accesslog_result r;

	ig->batch_bytes += len + 1;
	ig->counts.lines++;
	/* A line the core did not start (a client's text): not trusted. */
	if (ingest_guard_line(ig, line, len))
		goto out;
	if (ig->re != NULL)
		r = accesslog_regex_match(ig->re, line, len, &rec);
	else
		r = accesslog_parse(line, len, &rec);
	ig->counts.reasons[r]++;
	if (r == ACCESSLOG_OK)
		agg_add(&ig->agg, rec.email.p, rec.email.len, rec.src_ip.p,
		    rec.src_ip.len, rec.dst_host.p, rec.dst_host.len);
out:
	if (ig->batch_bytes >= ig->tune.batch_bytes || agg_full(&ig->agg)) {
		ig->stop_reason = 1;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ committing */

/*
 * Writes the batch and POS, the position just after its last line, in
 * one transaction.  DB_OK or DB_*.
 */
static int
commit(struct ingest *ig, const struct tail_pos *pos, time_t now)
{
	int rc;

	/* The kernel is asked before the write lock is taken. */
	ingest_confirm_batch(ig, now);
	if ((rc = db_begin(ig->db)) != DB_OK)
		return rc;
	if ((rc = ingest_write_batch(ig, now)) != DB_OK ||
	    (rc = tailstate_save(ig->db, &access_log, pos)) != DB_OK ||
	    (rc = ingest_guard_save(ig)) != DB_OK ||
	    (rc = db_commit(ig->db)) != DB_OK)
		db_rollback(ig->db);
	else
		ingest_guard_committed(ig);
	return rc;
}

/* ------------------------------------------------------------ interface */

struct ingest *
ingest_new(struct db *db, const struct cfg *cfg)
{
	struct ingest *ig;
	struct accesslog_regex *re = NULL;
	char err[256];

	if (cfg->core_access_log_regex != NULL &&
	    cfg->core_access_log_regex[0] != '\0') {
		re = accesslog_regex_compile(
		    cfg->core_access_log_regex, err, sizeof(err));
		if (re == NULL) {
			log_warnx("core.access_log_regex: %s", err);
			return NULL;
		}
	}
	ig = xcalloc(1, sizeof(*ig));
	ig->db = db;
	ig->cfg = cfg;
	ig->re = re;
	ig->tune.batch_bytes = INGEST_BATCH_BYTES;
	ig->tune.batch_keys = INGEST_BATCH_KEYS;
	/* Leave the tick most of its interval for the rest. */
	ig->tune.tick_budget_ms = (int64_t)cfg->ticker_interval * 500;
	ig->prev_cut = -1;
	ig->pending_since = -1;
	agg_init(&ig->agg, ig->tune.batch_keys);
	db_exec(ig->db, "PRAGMA cache_size = -32768");
	return ig;
}

void
ingest_tune(struct ingest *ig, const struct ingest_tuning *t)
{
	if (t->batch_bytes > 0)
		ig->tune.batch_bytes = t->batch_bytes;
	if (t->batch_keys > 0) {
		ig->tune.batch_keys = t->batch_keys;
		ig->agg.max_keys = t->batch_keys;
	}
	if (t->tick_budget_ms > 0)
		ig->tune.tick_budget_ms = t->tick_budget_ms;
}

void
ingest_counts(const struct ingest *ig, struct ingest_counts *out)
{
	*out = ig->counts;
}

/* Forgets the batch not committed (its lines will be read again). */
static void
drop_batch(struct ingest *ig)
{
	agg_reset(&ig->agg);
	ig->batch_bytes = 0;
	ig->pending_since = -1;
	ig->pending_lines = 0;
}

int
ingest_poll(struct ingest *ig, int64_t hold_ms)
{
	struct tail_pos pos;
	struct tail_stats st;
	char msg[256];
	int64_t t0, now;
	int n, rc;

	if (ig->tail == NULL) {
		if ((rc = tailstate_load(ig->db, &access_log, &ig->committed)) <
		    0) {
			problem(ig, "cannot read the saved position");
			return -1;
		}
		open_tail(ig);
	}
	ig->stop_reason = 0;
	n = tail_read(ig->tail, on_line, ig);
	if (n < 0) {
		/* Logged by the tailer.  Read again what was not committed
		 * from the committed position. */
		drop_batch(ig);
		open_tail(ig);
		return -1;
	}
	ig->pending_lines += (uint64_t)n;
	tail_position(ig->tail, &pos);
	if (tailstate_same(&pos, &ig->committed))
		return 0;
	now = mono_ms();
	if (ig->pending_since < 0)
		ig->pending_since = now;
	tail_stats(ig->tail, &st);
	/* Hold the batch a while, unless it is full or the file changed
	 * (a file left behind may go away: commit that we are done). */
	if (!ig->stop_reason && hold_ms > 0 &&
	    st.rotations + st.truncations == ig->switches &&
	    now - ig->pending_since < hold_ms)
		return 0;
	t0 = mono_us();
	rc = commit(ig, &pos, time(NULL));
	ig->counts.commit_us += mono_us() - t0;
	if (rc != DB_OK) {
		ig->counts.failed++;
		snprintf(msg, sizeof(msg),
		    "cannot commit (%s): the lines will be read again",
		    rc == DB_BUSY ? "database busy" : "error");
		log_debug("access log: %" PRIu64 " lines not committed",
		    ig->pending_lines);
		problem(ig, msg);
		drop_batch(ig);
		open_tail(ig);
		return -1;
	}
	ig->counts.commits++;
	ig->committed = pos;
	ig->switches = st.rotations + st.truncations;
	drop_batch(ig);
	problem(ig, "");
	return ig->stop_reason;
}

void
ingest_housekeep(struct ingest *ig, time_t now)
{
	int rc;

	if ((rc = ingest_expire(ig, now)) != DB_OK)
		log_debug("access log: ip expiry: %s",
		    rc == DB_BUSY ? "busy" : "error");
	if ((rc = ingest_ip_limit(ig, now)) != DB_OK)
		log_debug("access log: ip limit: %s",
		    rc == DB_BUSY ? "busy" : "error");
}

void
ingest_tick(struct ingest *ig)
{
	int64_t start;

	if (ig == NULL)
		return;
	start = mono_ms();
	while (ingest_poll(ig, 0) == 1 &&
	    mono_ms() - start < ig->tune.tick_budget_ms)
		;
	ingest_housekeep(ig, time(NULL));
}

void
ingest_free(struct ingest *ig)
{
	if (ig == NULL)
		return;
	tail_close(ig->tail);
	ingest_confirm_free(ig);
	accesslog_regex_free(ig->re);
	agg_free(&ig->agg);
	free(ig);
}
