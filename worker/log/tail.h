/*
 * Following a growing log file, exactly once across restarts and rotation.
 * The file is only ever opened read-only: never created, written or
 * truncated.
 *
 * Exactly-once recipe (DESIGN.md invariant 3):
 *
 *   t = tail_open(path, &saved, 0);      (NULL: nothing saved yet)
 *   often (the worker: every 100 ms, in a thread of its own):
 *     tail_read(t, cb, arg);          cb collects what the lines give
 *     tail_position(t, &pos);
 *     BEGIN; write what cb collected; store pos (every field); COMMIT;
 *     if the commit failed: tail_close(t) and tail_open() again with the
 *     last COMMITTED position (the lines are then delivered again).
 *
 * The position names the file being read and the byte just after the
 * last line handed to the callback (or skipped as too long).  It never
 * points into a line: a partial last line (no newline yet) is not
 * delivered and not counted, so it is read again after a restart.
 * Persist every field, in the same transaction as the data from the lines
 * up to that point, and never a position taken before those lines were
 * committed.  dev and ino fit an SQLite INTEGER when cast to int64_t and
 * back.
 *
 * Identity.  A file is its device and inode AND what it holds: the
 * position carries two fingerprints (64-bit FNV-1a), of the first bytes
 * of the file (up to TAIL_FP_LEN, never past the offset) and of the
 * TAIL_FP_LEN bytes just before the offset.  A file is taken for the
 * saved one only if it is long enough, the offset is at a line start and
 * both fingerprints match; so a new file that got the inode of a deleted
 * one, or a file truncated and written again past the offset, is never
 * taken for the old one.  While reading, the same bytes (kept in memory)
 * are compared with the file after every read(2) and at every end of
 * file: a file rewritten under us, even longer than before, is detected
 * before any of its new bytes is delivered.
 *
 * Rotation:
 *  - rename (or delete) and a new file at PATH: the old file is read to
 *    its end (its last complete lines included), then reading switches to
 *    the new file at offset 0.  The switch happens at once when the new
 *    file already has data; if it is empty, only after one more
 *    tail_read() that found nothing new in the old file (a writer that has
 *    not reopened yet keeps writing there).  A partial line left at the
 *    end of the old file is dropped (counted in lost_bytes).
 *  - copytruncate (the open file got shorter, or its bytes changed): the
 *    copy is looked for in the same directory (a regular file whose name
 *    begins with PATH's name and that holds the bytes of our position, by
 *    the fingerprints); if found, the lines not read yet are read from it
 *    up to its end, then PATH from 0.  Without a copy, PATH from 0.
 *  - while PATH is missing the open file is kept and still read.
 *
 * Restart (tail_open with a saved position):
 *  - PATH is the saved file (device, inode, fingerprints): resume at off.
 *    Same device and inode but other bytes (truncated, or a new file on a
 *    reused inode): the copy if there is one (as above), else PATH from 0.
 *  - PATH is another file: look for the saved file under another name in
 *    the same directory (renamed: same device and inode; or a copy: same
 *    bytes); if found, finish it from off first, then go on with PATH
 *    from 0.  If it is gone, start PATH at 0.
 *  - no saved position (ino 0): start after the last complete line at the
 *    end of the file (history is skipped), or at 0 with TAIL_FROM_START.
 *  - PATH missing: wait for it; when it appears it is checked as above.
 *  - a saved position without fingerprints (has_fp 0, written by an older
 *    version) is checked by device, inode, length and line start only.
 *
 * Known limits: at most one rotation may happen between two tail_read()
 * calls, or between the last commit and a restart (with two, the file in
 * between is skipped; the worker reads every 100 ms); lines that the
 * writer adds to a renamed file after we switched to the new one are not
 * read (after one quiet read if the new file is empty); copytruncate
 * itself loses the lines written between the copy and the truncation,
 * and what we had not read yet is lost when the copy is not in the same
 * directory under a name beginning with PATH's, or is compressed and
 * deleted before we look (logrotate's delaycompress keeps it), and when
 * we had not read a byte of the file yet (offset 0: nothing to recognise
 * it by); a copy is recognised by at most TAIL_FP_LEN bytes at each end
 * of what we read, so within the first line or two a file that begins
 * with the same bytes could be taken for it (the time stamps of log lines
 * make that unlikely); a file rewritten with the very same bytes at both
 * fingerprinted places, or rewritten to exactly our offset and not
 * written again, is taken for the same file (until it grows).
 */
#ifndef V2S_TAIL_H
#define V2S_TAIL_H

#include <stddef.h>
#include <stdint.h>

#define TAIL_BUFSZ (256 * 1024) /* one read(2) at most this much */
#define TAIL_MAX_LINE (64 * 1024) /* default; longer lines are skipped */
#define TAIL_FP_LEN 128 /* bytes in each fingerprint */

/* tail_open() flags */
#define TAIL_FROM_START 0x1 /* no saved position: read from offset 0 */

/* A position safe to commit (see above).  ino 0 = no position. */
struct tail_pos {
	uint64_t dev;
	uint64_t ino;
	int64_t off;
	uint64_t head; /* FNV-1a of bytes [0, min(off, TAIL_FP_LEN)) */
	uint64_t back; /* ... of [off - min(off, TAIL_FP_LEN), off) */
	int has_fp; /* 1: head and back are set (always, from tail) */
};

/* Counters since tail_open(). */
struct tail_stats {
	uint64_t lines; /* delivered to the callback */
	uint64_t long_lines; /* skipped: longer than the max line */
	uint64_t rotations; /* switched to a new file at PATH */
	uint64_t truncations; /* same file got shorter or was rewritten */
	uint64_t copies; /* ... and the rest was read from its copy */
	uint64_t lost_bytes; /* unterminated tails dropped at a switch */
};

struct tail;

/*
 * Prepares to follow PATH from the saved position SAVED (copied) as
 * described above; NULL or an ino of 0 means no saved position (FLAGS
 * decide).  Never fails for a missing or unreadable file (tail_read()
 * retries and reports); returns a handle owned by the caller
 * (tail_close).
 */
struct tail *tail_open(
    const char *path, const struct tail_pos *saved, int flags);

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

/*
 * The position to commit together with everything delivered so far, with
 * its fingerprints (while PATH has not appeared yet: the saved position,
 * as given).
 */
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
