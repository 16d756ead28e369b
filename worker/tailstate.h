/*
 * Where a log follower (worker/log/tail.h) stands, kept in worker_state
 * under two keys: "DEV INO OFF" and its fingerprints "INO OFF HEAD BACK"
 * (the last two in hex).  Saved in the transaction of what the lines up
 * to that position gave, so every line counts exactly once (DESIGN.md
 * invariant 3).  The access log (ingest.c) and the banned log (banlog.c)
 * keep theirs this way.
 */
#ifndef V2S_TAILSTATE_H
#define V2S_TAILSTATE_H

#include "db.h"
#include "tail.h"
#include "wstate.h"

/* The keys of one log, and its name in messages ("access log"). */
struct tailstate {
	enum wstate_key pos;
	enum wstate_key fp;
	const char *what;
};

/*
 * Reads the committed position of TS into OUT: 1 found, 0 none (OUT
 * zeroed: no saved position), or DB_*.  A value that cannot be read
 * counts as none (logged); a position without its fingerprints (an
 * older version saved it) is returned with has_fp 0.
 */
int tailstate_load(
    struct db *db, const struct tailstate *ts, struct tail_pos *out);

/* Writes P as TS's position, inside the caller's transaction.  DB_OK or
 * DB_*. */
int tailstate_save(
    struct db *db, const struct tailstate *ts, const struct tail_pos *p);

/* 1 if A and B name the same file and offset, else 0. */
int tailstate_same(const struct tail_pos *a, const struct tail_pos *b);

#endif
