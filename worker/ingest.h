/*
 * Access-log ingestion: the worker follows the core's access log and turns
 * each line into per-user source IPs, activity and destination counts, and
 * writes excess IPs for fail2ban.  What the lines produced and the log
 * position are committed in one transaction, so every line counts exactly
 * once across crashes and rotations.  The worker runs it in a thread of
 * its own (ingest_thread_start), which looks at the log every 100 ms
 * whatever the core is doing; ingest_tick() is the same work done once,
 * for tests and benchmarks.
 */
#ifndef V2S_INGEST_H
#define V2S_INGEST_H

#include <stdio.h>

struct cfg;
struct db;
struct ingest;
struct ingest_thread;

/*
 * Prepares ingestion of CFG's core.access_log into DB (both borrowed),
 * resuming from the position committed there (first start: the end of
 * the file, unless configured to read from the beginning).  A missing log
 * is not an error (it is looked for again at each read).  Returns NULL only if a custom
 * access_log_regex cannot be used (logged).
 */
struct ingest *ingest_new(struct db *db, const struct cfg *cfg);

/*
 * Reads what was written since the last call and commits it, then expires
 * the users' old IPs and enforces the IP limits.  Never fatal: problems
 * are logged once per change.
 */
void ingest_tick(struct ingest *ig);

/* Frees IG; accepts NULL. */
void ingest_free(struct ingest *ig);

/*
 * Starts following CFG's access log (CFG borrowed, read-only, until
 * ingest_thread_stop) in a new thread with a database connection of its
 * own: the log is read every 100 ms, what was read is committed at the
 * latest a second later (at once when a batch is full or the log was
 * rotated), and every CFG's ticker_interval the IPs are expired and the
 * IP limits enforced.  Call it with db_threads() in effect and with the
 * signals blocked that the thread must not take.  Returns NULL with a
 * reason in ERR if the thread or its connection cannot be set up.
 */
struct ingest_thread *ingest_thread_start(
    const struct cfg *cfg, char *err, size_t errsz);

/*
 * Stops the thread: it reads the log one last time, commits everything it
 * read, and is joined.  Frees IT; accepts NULL.
 */
void ingest_thread_stop(struct ingest_thread *it);

/*
 * v2ray-stat-worker --check-log FILE: parses FILE with the configured
 * format and prints to OUT, as JSON, what would be recorded (lines,
 * matched, skipped by reason, and per user the IPs and domain counts),
 * without touching the database.  Returns the exit status.
 */
int ingest_check_log(const struct cfg *cfg, const char *file, FILE *out);

#endif
