/*
 * A streaming decoder for the QueryStats reply (protobuf wire format):
 *   QueryStatsResponse { repeated Stat stat = 1; }
 *   Stat { string name = 1; int64 value = 2; }
 * It walks the reply in place, with no allocation, so a 200 000-counter
 * reply costs one pass over its bytes.  Unknown fields are skipped as
 * protobuf requires; anything malformed stops the walk.
 */
#ifndef V2S_STATSDEC_H
#define V2S_STATSDEC_H

#include <stddef.h>
#include <stdint.h>

/* Called per counter with its name (LEN bytes, not NUL-terminated, may be
 * empty) and value; returns 0 to go on. */
typedef int (*statsdec_cb)(
    void *arg, const char *name, size_t len, int64_t value);

enum statsdec_rc {
	STATSDEC_OK,
	STATSDEC_MALFORMED, /* truncated or invalid wire data */
	STATSDEC_STOPPED, /* the callback returned non-zero */
};

/*
 * Walks the LEN bytes at BUF, calling CB(ARG, ...) for every Stat in
 * order.  A Stat without a name has an empty one; without a value, 0.
 * *COUNT (if not NULL) gets the number of callbacks made.  Returns
 * STATSDEC_OK, STATSDEC_MALFORMED (callbacks already made stand) or
 * STATSDEC_STOPPED.
 */
enum statsdec_rc statsdec_walk(
    const uint8_t *buf, size_t len, statsdec_cb cb, void *arg, size_t *count);

#endif
