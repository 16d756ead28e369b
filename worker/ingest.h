/*
 * Access-log ingestion: the worker follows the core's access log and turns
 * each line into per-user source IPs, activity and destination counts, and
 * writes excess IPs for fail2ban.  What the lines produced and the log
 * position are committed in one transaction, so every line counts exactly
 * once across crashes and rotations.
 */
#ifndef V2S_INGEST_H
#define V2S_INGEST_H

#include <stdio.h>

struct cfg;
struct db;
struct ingest;

/*
 * Prepares ingestion of CFG's core.access_log into DB (both borrowed),
 * resuming from the position committed there (first start: the end of
 * the file, unless configured to read from the beginning).  A missing log is not an
 * error (it is looked for again each tick).  Returns NULL only if a custom
 * access_log_regex cannot be used (logged).
 */
struct ingest *ingest_new(struct db *db, const struct cfg *cfg);

/* Reads what was written since the last call and commits it.  Never fatal:
 * problems are logged once per change. */
void ingest_tick(struct ingest *ig);

/* Frees IG; accepts NULL. */
void ingest_free(struct ingest *ig);

/*
 * v2ray-stat-worker --check-log FILE: parses FILE with the configured
 * format and prints to OUT, as JSON, what would be recorded (lines,
 * matched, skipped by reason, and per user the IPs and domain counts),
 * without touching the database.  Returns the exit status.
 */
int ingest_check_log(const struct cfg *cfg, const char *file, FILE *out);

#endif
