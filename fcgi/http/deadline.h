/*
 * When the responder's answer must be out.  nginx gives up on a request
 * fastcgi_read_timeout after handing it to the responder and answers 504,
 * whatever the responder does later; a write committed after that is a
 * change its client was told had failed.  So nginx passes its timeout
 * (fastcgi_param V2S_READ_TIMEOUT) and the time it handed the request on
 * (V2S_REQUEST_START, its $msec), and the responder commits a write only
 * while its answer can still be out in time, and cuts its wait for the
 * worker short to answer by then (v2ray-stat(8)).  Pure functions, with a
 * table test in t/unit/deadline.c.
 */
#ifndef V2S_DEADLINE_H
#define V2S_DEADLINE_H

#include <stdint.h>

/* nginx's default fastcgi_read_timeout, assumed when none is passed. */
#define DEADLINE_DEFAULT_TIMEOUT_MS 60000

/*
 * Parses nginx's $msec, "SECONDS.MMM" (1 to 12 digits, a dot, three
 * digits), into milliseconds since the epoch.  -1 if malformed or NULL.
 */
int64_t deadline_parse_msec(const char *s);

/*
 * Parses a timeout in whole seconds, "120" or "120s" as nginx writes it,
 * from 1 to 86400; returns it in milliseconds, or -1 if malformed, out of
 * range or NULL.
 */
int64_t deadline_parse_timeout(const char *s);

/*
 * The margin kept between the deadline and nginx's timeout, for a commit
 * and the answer: an eighth of TIMEOUT_MS, at least 1 s, at most 15 s,
 * and never more than half of TIMEOUT_MS.
 */
int64_t deadline_margin(int64_t timeout_ms);

/*
 * The time on the monotonic clock (ms) by which the answer must be out,
 * given both clocks now (MONO_NOW, WALL_NOW), nginx's START ($msec) and
 * TIMEOUT as passed: START + TIMEOUT - deadline_margin(TIMEOUT).  A NULL
 * or malformed START, or one in the future, counts as now; a NULL or
 * malformed TIMEOUT as DEADLINE_DEFAULT_TIMEOUT_MS.
 */
int64_t deadline_answer_by(
    int64_t mono_now, int64_t wall_now, const char *start, const char *timeout);

#endif
