/*
 * Following a growing log file, exactly once across restarts and rotation.
 * The file is only ever opened read-only: never created, written or
 * truncated.
 *
 * Exactly-once recipe (DESIGN.md invariant 3):
 *
 *   t = tail_open(path, saved.dev, saved.ino, saved.off, 0);
 *   every tick:
 *     tail_read(t, cb, arg);          cb collects what the lines give
 *     tail_position(t, &pos);
 *     BEGIN; write what cb collected; store pos.dev, pos.ino, pos.off;
 *     COMMIT;
 *     if the commit failed: tail_close(t) and tail_open() again with the
 *     last COMMITTED position (the lines are then delivered again).
 *
 * The position is (dev, ino, off) of the file being read, where off is the
 * byte just after the last line handed to the callback (or skipped as too
 * long).  It never points into a line: a partial last line (no newline
 * yet) is not delivered and not counted, so it is read again after a
 * restart.  Persist all three numbers, in the same transaction as the data
 * from the lines up to that point, and never a position taken before
 * those lines were committed.  dev and ino fit an SQLite INTEGER when cast
 * to int64_t and back.
 *
 * Rotation:
 *  - rename (or delete) and a new file at PATH: the old file is read to
 *    its end (its last complete lines included), then reading switches to
 *    the new file at offset 0.  The switch happens at once when the new
 *    file already has data; if it is empty, only after one more
 *    tail_read() that found nothing new in the old file (a writer that has
 *    not reopened yet keeps writing there).  A partial line left at the
 *    end of the old file is dropped (counted in lost_bytes).
 *  - copytruncate (same inode, size below our offset): restart at 0.
 *  - while PATH is missing the open file is kept and still read.
 *
 * Restart (tail_open with a saved position):
 *  - PATH has the saved dev+ino: resume at off if the file is still that
 *    long and the byte before off is a newline; else it was truncated (and
 *    maybe written again): start at 0.
 *  - PATH is another file: look for the saved dev+ino under another name
 *    in the same directory (access.log.1, access.log-20260101, ...); if
 *    found, finish it from off first, then go on with PATH from 0.  If it
 *    is gone, start PATH at 0.
 *  - no saved position (ino 0): start after the last complete line at the
 *    end of the file (history is skipped), or at 0 with TAIL_FROM_START.
 *  - PATH missing: wait for it; when it appears it is read from 0.
 * Known limits: a file copytruncated and then refilled past our offset
 * between two reads cannot be told from the same file grown; lines that
 * the writer adds to the old file after we switched are not read; and at
 * most one rotation may happen between two tail_read() calls (with two,
 * the middle file is skipped), which daily rotation and a reader every
 * few seconds never come near.
 */
#ifndef V2S_TAIL_H
#define V2S_TAIL_H

#include <stddef.h>
#include <stdint.h>

#define TAIL_BUFSZ (256 * 1024) /* one read(2) at most this much */
#define TAIL_MAX_LINE (64 * 1024) /* default; longer lines are skipped */

/* tail_open() flags */
#define TAIL_FROM_START 0x1 /* no saved position: read from offset 0 */

/* A position safe to commit (see above).  ino 0 = no position. */
struct tail_pos {
	uint64_t dev;
	uint64_t ino;
	int64_t off;
};

/* Counters since tail_open(). */
struct tail_stats {
	uint64_t lines; /* delivered to the callback */
	uint64_t long_lines; /* skipped: longer than the max line */
	uint64_t rotations; /* switched to a new file at PATH */
	uint64_t truncations; /* same file got shorter: restarted at 0 */
	uint64_t lost_bytes; /* unterminated tails dropped at a switch */
};

struct tail;

/*
 * Prepares to follow PATH from the saved position (DEV, INO, OFF) as
 * described above; INO 0 means no saved position (FLAGS decide).  Never
 * fails for a missing or unreadable file (tail_read() retries and
 * reports); returns a handle owned by the caller (tail_close).
 */
struct tail *tail_open(
    const char *path, uint64_t dev, uint64_t ino, int64_t off, int flags);

/*
 * Reads what was appended since the last call and calls CB(ARG, LINE, LEN)
 * for every new complete line, in file order: LINE is LEN bytes without
 * the newline (a CR is kept), valid only during the call, and not
 * NUL-terminated.  Inside CB, tail_position() already includes that line.
 * If CB returns non-zero, reading stops after that line (the rest is kept
 * for the next call), which bounds a batch.  Follows rotation and
 * truncation.  Returns the number of lines delivered, or -1 on a read
 * error (logged; the position stays consistent and the next call
 * retries).
 */
int tail_read(struct tail *t,
    int (*cb)(void *arg, const char *line, size_t len), void *arg);

/* The position to commit together with everything delivered so far. */
void tail_position(const struct tail *t, struct tail_pos *out);

/* The counters since tail_open(). */
void tail_stats(const struct tail *t, struct tail_stats *out);

/*
 * Lines longer than MAX bytes (without the newline) are skipped whole and
 * counted in long_lines.  MAX is clamped to 1..TAIL_BUFSZ/2.  Default
 * TAIL_MAX_LINE.
 */
void tail_set_max_line(struct tail *t, size_t max);

/* Closes the file and frees T; NULL is allowed. */
void tail_close(struct tail *t);

#endif
