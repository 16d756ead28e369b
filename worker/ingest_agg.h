/*
 * The in-memory side of access-log ingestion: one batch of parsed lines
 * aggregated into per-user line counts, (user, destination host) counts
 * and (user, source ip) pairs, before they are committed together.  The
 * sizes are bounded: the caller asks agg_full() after every line and
 * commits when it says so.  Used by the worker (worker/ingest.c) and by
 * --check-log, which aggregates a whole file.
 */
#ifndef V2S_INGEST_AGG_H
#define V2S_INGEST_AGG_H

#include <stddef.h>
#include <stdint.h>

/* One key: a user (user == AGG_NONE) or a (user, string) pair. */
struct agg_ent {
	uint64_t hash;
	uint32_t user; /* index in the user table, or AGG_NONE */
	uint32_t len;
	size_t off; /* into the arena */
	int64_t count; /* lines of the user, or of the pair */
	int32_t aux; /* free for the caller's use (0 when added) */
};

#define AGG_NONE UINT32_MAX

struct agg_tab {
	struct agg_ent *ents; /* owned (table_alloc), dense, insertion order */
	size_t n, cap;
	uint32_t *slots; /* owned (table_alloc); index + 1, 0 = empty */
	size_t nslots; /* power of two, >= 2 * cap */
};

/*
 * A destination host waiting in the lookup pipeline: its table slot, then
 * its entry, then its bytes are prefetched while the next lines are
 * parsed, so that the lookup rarely waits for memory.
 */
#define AGG_PIPE 3
#define AGG_PIPE_KEY 256

struct agg_pend {
	uint64_t hash;
	uint32_t user;
	uint32_t len;
	char key[AGG_PIPE_KEY];
};

struct agg {
	struct agg_tab users;
	struct agg_tab dns; /* (user, destination host) */
	struct agg_tab ips; /* (user, source ip) */
	char *arena; /* owned: the bytes of every key */
	size_t alen, acap;
	size_t max_keys; /* agg_full() once a table holds this many */
	uint32_t last; /* user of the previous line, or AGG_NONE */
	uint64_t seed;
	struct agg_pend pipe[AGG_PIPE]; /* ring, oldest at pipe_head */
	unsigned pipe_head, pipe_n;
};

/* Prepares A for at most MAX_KEYS keys per table (0 = unbounded). */
void agg_init(struct agg *a, size_t max_keys);

/*
 * Records one line of USER from source IP to destination HOST (HOSTLEN 0:
 * none, as in the 2-group regex mode).  The strings are copied.
 */
void agg_add(struct agg *a, const char *user, size_t ulen, const char *ip,
    size_t iplen, const char *host, size_t hostlen);

/*
 * Counts the hosts of the lines still in the lookup pipeline (the last few
 * added).  Call it before reading the tables: before committing a batch or
 * printing it.
 */
void agg_flush(struct agg *a);

/* 1 once a table reached max_keys (commit before adding more). */
int agg_full(const struct agg *a);

/* The bytes of E (not NUL-terminated; E->len bytes). */
const char *agg_str(const struct agg *a, const struct agg_ent *e);

/*
 * The indices (into T->ents) of T's (user, string) entries in key order: by
 * RANK[user] (a rank for every user), then by the string's bytes, so that
 * writes walk an index once.  The caller frees the array.
 */
uint32_t *agg_sorted(
    const struct agg *a, const struct agg_tab *t, const uint32_t *rank);

/* Empties A, keeping its memory for the next batch; lines still in the
 * pipeline go with it. */
void agg_reset(struct agg *a);

/* Frees what A owns; accepts a zeroed struct. */
void agg_free(struct agg *a);

#endif
