/*
 * Subscription end dates: the stored form "YYYY-MM-DD-HH" (UTC, '' =
 * unlimited) and the offsets adjust_date accepts.
 */
#ifndef V2S_SUBDATE_H
#define V2S_SUBDATE_H

#include <stddef.h>
#include <time.h>

#define SUBDATE_LEN 14 /* "YYYY-MM-DD-HH" */
#define SUBDATE_MAX_DAYS 36500

struct subdate_offset {
	int unlimited; /* the value was exactly "0": clear sub_end */
	long long hours; /* signed total offset in hours (days * 24 + hours) */
};

/*
 * Parses an adjust_date offset.  Both grammars the original ever had:
 *   old: [+|-]DAYS[:HOURS]          "+30:0", "-5", "30:12"
 *   new: [+|-][DAYSd][HOURSh]       "+30d13h", "-3d", "12h" (hours are hours)
 * "0" alone means unlimited.  A leading space counts as '+' (a '+' in a
 * form body decodes to a space); other surrounding blanks are trimmed.
 * The sign applies to the whole offset.  Days are limited to 36500 and
 * hours to 36500 * 24.  Returns 0, or -1 with a reason in ERR.
 *
 * Details decided here:
 * - Only ' ' and '\t' count as blanks.  Exactly one leading ' ' becomes the
 *   sign; a sign after it (" -5", i.e. "+-5") is an error.
 * - "0" and "+0" (also " 0") mean unlimited: the original trimmed the space
 *   a form's '+' became, so "+0" always cleared sub_end there.  "-0", "00",
 *   "0d", "0h", "+0:0" are a zero offset (sub_end := base).
 * - A bare number is days; "Nh" alone is hours; 'd' and 'h' are lower case
 *   only; "d", "h", "d5h", "5:", ":5", "1d2d", "1h2d", "1.5", "--5" are
 *   errors.  The HOURS of "D:H" and "DdHh" may exceed 23 (the total counts).
 * - Reasons: "empty", "no number after the sign", "expected [+|-]DAYS
 *   [:HOURS] or [+|-][DAYSd][HOURSh]", "days must be at most 36500",
 *   "offset must be at most 876000 hours".  They never quote S.
 * - On error *OFF is unchanged.  ERR may be NULL.
 */
int subdate_parse_offset(
    const char *s, struct subdate_offset *off, char *err, size_t errsz);

/*
 * Parses a stored "YYYY-MM-DD-HH" (UTC) into *T.  "" sets *T to 0
 * (unlimited).  Returns 0, or -1 if S is not a real date of that form.
 * Exactly 13 characters, digits where digits belong, year 1970..9999, a
 * day that exists in that month (leap years counted), hour 0..23.
 */
int subdate_parse(const char *s, time_t *t);

/* Formats T (UTC, minutes and seconds dropped) as "YYYY-MM-DD-HH" into
 * OUT, which holds at least SUBDATE_LEN bytes. */
void subdate_format(time_t t, char *out, size_t outsz);

/*
 * Applies OFF to the stored end CUR at time NOW and writes the new stored
 * value into OUT ("" for unlimited).  The base is CUR when it is set and
 * still in the future, or when the offset is negative and CUR is set;
 * otherwise NOW, so extending an expired or unlimited user counts from now.
 * Returns 0, or -1 (reason in ERR) if CUR is malformed or the result falls
 * outside 1970..9999.
 * Offsets are exact hours (days are 24 h, UTC has no DST).  CUR may be
 * NULL (as ""); OUTSZ below SUBDATE_LEN, or |OFF->hours| above 876000 (an
 * OFF not made by subdate_parse_offset), is -1.  The minutes of NOW are
 * dropped only when formatting, so 10:59 + 1h is stored as hour 11.
 */
int subdate_apply(const char *cur, const struct subdate_offset *off, time_t now,
    char *out, size_t outsz, char *err, size_t errsz);

#endif
