/*
 * Inside access-log ingestion: the state its files share (ingest.c reads
 * and commits, ingest_batch.c writes a batch, ingest_ips.c keeps the live
 * IPs and the IP limit), and the knobs and counters that the worker
 * leaves at their defaults and that tests and bench/ingest-bench use.
 */
#ifndef V2S_INGEST_INT_H
#define V2S_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "accesslog.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "ingest_agg.h"
#include "recguard.h"
#include "tail.h"

/*
 * Memory is bounded by batch_keys (about 80 bytes per key plus the key's
 * bytes), the length of a transaction too; batch_bytes only makes sure the
 * position is committed now and then during a long catch-up.
 */
struct ingest_tuning {
	size_t batch_bytes; /* commit after this many bytes of lines */
	size_t batch_keys; /* ... or this many distinct keys in a table */
	int64_t tick_budget_ms; /* no new batch after this long in a tick */
};

#define INGEST_BATCH_BYTES (128 * 1024 * 1024)
#define INGEST_BATCH_KEYS 262144
#define INGEST_F2B_INTERVAL 60 /* seconds between two lines of one IP */
#define INGEST_IP_KEEP 86400 /* user_ips history, if above ip_ttl */

struct ingest_counts {
	uint64_t lines; /* delivered by the tailer */
	uint64_t reasons[ACCESSLOG__MAX]; /* by parse result */
	uint64_t commits; /* batches committed */
	uint64_t failed; /* batches rolled back (read again) */
	uint64_t f2b_lines; /* lines written to paths.f2b_log */
	uint64_t inside; /* lines skipped: they begin inside a record */
	uint64_t unconfirmed; /* excess IPs not banned: no TCP connection */
	int64_t commit_us; /* time spent committing batches */
};

/*
 * What the log cannot prove by itself: the record guard's state and
 * totals (ingest_guard.c) and the kernel's confirmations of source IPs
 * (ingest_confirm.c).
 */
struct ipconfirm;
struct ingest_trust {
	int started; /* the guard below was set for a first reading */
	int loaded; /* the committed state below was read */
	struct recguard guard; /* after the last line read */
	struct recguard guard_committed; /* at the committed position */
	uint64_t inside_committed; /* counts.inside then */
	int64_t inside_total; /* log_inside_records, as committed */
	int64_t unconfirmed_total; /* ip_limit_unconfirmed, as committed */
	struct ipconfirm *confirm; /* owned; NULL until needed */
};

struct ingest {
	struct db *db; /* borrowed */
	const struct cfg *cfg; /* borrowed */
	struct accesslog_regex *re; /* owned; NULL = built-in parser */
	struct tail *tail; /* owned; NULL until the position is loaded */
	struct tail_pos committed; /* last position known durable */
	struct agg agg;
	size_t batch_bytes;
	int stop_reason; /* the callback ended the batch early */
	int64_t pending_since; /* mono ms the batch began moving, -1 */
	uint64_t pending_lines; /* lines in the batch */
	uint64_t switches; /* tailer rotations + truncations, committed */
	struct ingest_tuning tune;
	struct ingest_counts counts;
	int64_t prev_cut; /* expiry boundary of the last tick, -1 = none */
	time_t last_prune;
	char lasterr[256]; /* logged once per change */
	struct ingest_trust trust; /* ingest_guard.c, ingest_confirm.c */
};

/*
 * Reads what the log gained since the last call into the batch, and
 * commits the batch with the position after its last line when it is
 * full, when the tailer moved to another file, or once it is HOLD_MS old
 * (0: at once).  Returns 1 if a full batch was committed (more may wait),
 * 0 if the log is read (committed or held), -1 if reading or committing
 * failed (logged once; what was not committed is read again).
 */
int ingest_poll(struct ingest *ig, int64_t hold_ms);

/* Expires the users' IPs and enforces the IP limits (steps 2 and 3 of
 * ingest.c), as of NOW. */
void ingest_housekeep(struct ingest *ig, time_t now);

/* Replaces IG's tuning (zero fields keep the current value). */
void ingest_tune(struct ingest *ig, const struct ingest_tuning *t);

/* Copies IG's counters since ingest_new() into OUT. */
void ingest_counts(const struct ingest *ig, struct ingest_counts *out);

/*
 * Writes the batch aggregated in IG (inside the caller's transaction):
 * dns_stats, the source IPs of known users and their streaks, the users'
 * last_seen and live IPs.  NOW is when the lines were read.  DB_OK or
 * DB_*.
 */
int ingest_write_batch(struct ingest *ig, time_t now);

/* 1 if S[0..N) is an IPv4 or IPv6 address. */
int ingest_is_ip(const char *s, size_t n);

/*
 * Sets clients_stats.ips of USER (an exact name) to the IPs seen at or
 * after CUT, the most recent first; LIST is scratch space.  DB_OK or DB_*.
 */
int ingest_recompute_ips(
    struct ingest *ig, const char *user, int64_t cut, struct buf *list);

/*
 * Recomputes the ips of every user with an IP that expired since the
 * last call, and prunes the old history once a minute, in one
 * transaction.  DB_OK or DB_*.
 */
int ingest_expire(struct ingest *ig, time_t now);

/*
 * Writes the IPs beyond each user's lim_ip to paths.f2b_log (after
 * committing that it did).  DB_OK or DB_*.
 */
int ingest_ip_limit(struct ingest *ig, time_t now);

/*
 * The record guard on the ingest path (ingest_guard.c).  Reading starts
 * or restarts (open_tail): ingest_guard_reopen() puts the guard and its
 * count back where the committed position has them (read from the
 * database the first time).  Every line: ingest_guard_line() returns 1
 * if it begins inside a record (skip it; counted).  Inside the batch's
 * transaction: ingest_guard_save() writes the guard's state and the
 * total of skipped lines (DB_OK or DB_*); after the commit succeeded:
 * ingest_guard_committed().
 */
void ingest_guard_reopen(struct ingest *ig);
int ingest_guard_line(struct ingest *ig, const char *line, size_t len);
int ingest_guard_save(struct ingest *ig);
void ingest_guard_committed(struct ingest *ig);

/*
 * Reads the committed totals and guard state once (later calls do
 * nothing); 0, or -1 if the database could not be read (try again).
 */
int ingest_guard_load(struct ingest *ig);

/*
 * The kernel's word on source IPs (ingest_confirm.c, worker/sockdiag.h).
 * ingest_confirm_batch(), before the batch's transaction: the IPs of the
 * batch's users with an IP limit are asked about (each at most every few
 * seconds, a bounded number per batch) and those with a TCP connection
 * to this host are remembered with the time.  ingest_confirm_list():
 * OK[I] = 1 if IPS[I] had such a connection at one of those times within
 * the last ip_ttl seconds, or has one now (the others are asked about
 * together); 0 if not, or if the kernel cannot be asked (logged once).
 * ingest_confirm_free() frees what they keep.
 */
void ingest_confirm_batch(struct ingest *ig, time_t now);
void ingest_confirm_list(
    struct ingest *ig, const char *const *ips, size_t n, int *ok, time_t now);
void ingest_confirm_free(struct ingest *ig);

#endif
