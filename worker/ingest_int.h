/*
 * Inside access-log ingestion: the knobs and counters that the worker
 * leaves at their defaults and that tests and bench/ingest-bench use.
 */
#ifndef V2S_INGEST_INT_H
#define V2S_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "accesslog.h"

struct ingest;

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
	int64_t commit_us; /* time spent committing batches */
};

/* Replaces IG's tuning (zero fields keep the current value). */
void ingest_tune(struct ingest *ig, const struct ingest_tuning *t);

/* Copies IG's counters since ingest_new() into OUT. */
void ingest_counts(const struct ingest *ig, struct ingest_counts *out);

#endif
