/* A log follower's position in worker_state (see tailstate.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tailstate.h"

int
tailstate_same(const struct tail_pos *a, const struct tail_pos *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->off == b->off;
}

/*
 * Parses N unsigned numbers separated by spaces, the I-th in BASE[I]
 * (10 or 16), into V; returns 0 or -1.
 */
static int
parse_nums(const char *s, const int *base, unsigned long long *v, int n)
{
	char *end;
	int i;

	for (i = 0; i < n; i++) {
		while (*s == ' ')
			s++;
		if (!(base[i] == 16 ? isxdigit((unsigned char)*s)
				    : isdigit((unsigned char)*s)))
			return -1;
		errno = 0;
		v[i] = strtoull(s, &end, base[i]);
		if (errno != 0 || end == s)
			return -1;
		s = end;
	}
	return *s == '\0' ? 0 : -1;
}

/* Parses "DEV INO OFF"; returns 0 or -1. */
static int
parse_pos(const char *s, struct tail_pos *out)
{
	static const int base[] = { 10, 10, 10 };
	unsigned long long v[3];

	if (parse_nums(s, base, v, 3) == -1 ||
	    v[2] > (unsigned long long)INT64_MAX)
		return -1;
	memset(out, 0, sizeof(*out));
	out->dev = v[0];
	out->ino = v[1];
	out->off = (int64_t)v[2];
	return 0;
}

/*
 * Parses "INO OFF HEAD BACK" (the last two in hex) into OUT, if INO and
 * OFF are OUT's; returns 0 or -1.
 */
static int
parse_fp(const char *s, struct tail_pos *out)
{
	static const int base[] = { 10, 10, 16, 16 };
	unsigned long long v[4];

	if (parse_nums(s, base, v, 4) == -1 || v[0] != out->ino ||
	    v[1] != (unsigned long long)out->off)
		return -1;
	out->head = v[2];
	out->back = v[3];
	out->has_fp = 1;
	return 0;
}

int
tailstate_load(struct db *db, const struct tailstate *ts, struct tail_pos *out)
{
	char v[WSTATE_TEXT_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = wstate_get_text(db, ts->pos, v);
	if (rc == 1 && parse_pos(v, out) == -1) {
		log_warnx(
		    "%s: ignoring a bad saved position '%s'", ts->what, v);
		memset(out, 0, sizeof(*out));
		rc = 0;
	}
	if (rc != 1)
		return rc;
	/* Without its fingerprints (an older version saved it), the
	 * position is checked by its file's length and a line start. */
	rc = wstate_get_text(db, ts->fp, v);
	if (rc < 0)
		return rc;
	if (rc == 1 && parse_fp(v, out) == -1)
		log_info("%s: the saved position has no fingerprint", ts->what);
	return 1;
}

int
tailstate_save(
    struct db *db, const struct tailstate *ts, const struct tail_pos *p)
{
	char v[96];
	int rc;

	snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64 " %" PRId64, p->dev,
	    p->ino, p->off);
	if ((rc = wstate_set_text(db, ts->pos, v)) != DB_OK)
		return rc;
	snprintf(v, sizeof(v),
	    "%" PRIu64 " %" PRId64 " %016" PRIx64 " %016" PRIx64, p->ino,
	    p->off, p->head, p->back);
	return wstate_set_text(db, ts->fp, v);
}
