/*
 * The banned log (paths.f2b_banned_log): the fail2ban action
 * conf/fail2ban/action.d/v2ray-stat-banned.conf appends a line for every
 * ban and unban (worker/log/banline.h); each becomes a Telegram message,
 * "IP Banned" or "IP Unbanned" (OB_BAN, OB_UNBAN), added to the outbox in
 * the transaction that also stores the log's position (worker_state
 * banned_log_pos and banned_log_fp, worker/tailstate.h).  So a line is
 * announced exactly once across crashes, restarts and rotations, as the
 * access log's lines are counted (worker/log/tail.h says how rotation is
 * followed).  The worker calls banlog_poll() about once a second from
 * its main loop.
 *
 * With no saved position the log is taken from its end (what fail2ban
 * wrote before is not announced); a log that does not exist yet is
 * waited for and read from its start when it appears.  Lines that are
 * not BAN or UNBAN lines are skipped, counted and logged (the first at
 * once, then at most one summary a minute).
 */
#ifndef V2S_BANLOG_H
#define V2S_BANLOG_H

#include <stdint.h>
#include <time.h>

struct cfg;
struct db;
struct banlog;

/* What banlog_poll() did since banlog_new(). */
struct banlog_counts {
	uint64_t lines; /* read (too long ones included) */
	uint64_t bans; /* BAN lines committed */
	uint64_t unbans; /* UNBAN lines committed */
	uint64_t invalid; /* skipped: not a line of the banned log */
	uint64_t commits; /* transactions committed */
	uint64_t failed; /* ... rolled back: the lines come again */
};

/*
 * Prepares to follow CFG's banned log into DB (both borrowed).  Returns
 * NULL, without looking at the file, when Telegram is not configured
 * (lib/outbox.h: outbox_configured) or no banned log is set.
 */
struct banlog *banlog_new(struct db *db, const struct cfg *cfg);

/*
 * Reads what the log gained since the last call and commits it: the
 * messages of its BAN and UNBAN lines (those that telegram.events
 * wants) with the position after the last line, in one transaction per
 * batch of at most BANLOG_BATCH lines, at most BANLOG_ROUNDS batches
 * per call.  NOW is the messages' creation time.  Returns the number of
 * lines committed, or -1 if reading or committing failed (logged once
 * per change of problem; what was not committed is read again).
 */
#define BANLOG_BATCH 256
#define BANLOG_ROUNDS 8
int banlog_poll(struct banlog *bl, time_t now);

/* Copies BL's counters into OUT. */
void banlog_counts(const struct banlog *bl, struct banlog_counts *out);

/* Frees BL (nothing is committed); accepts NULL. */
void banlog_free(struct banlog *bl);

#endif
