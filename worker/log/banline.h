/*
 * Lines of the banned log (paths.f2b_banned_log), which the fail2ban
 * action conf/fail2ban/action.d/v2ray-stat-banned.conf appends, as the
 * original v2ray-stat's did:
 *
 *   2026/11/27 03:39:51   BAN   [User] = alice [IP] = 203.0.113.7 banned for 1800 seconds.
 *   2026/11/27 04:09:51   UNBAN   [User] = alice [IP] = 203.0.113.7 unbanned.
 *
 * A hand-written parser that allocates nothing and returns slices into
 * the line.  It takes what the original's regular expression took
 * (`(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})\s+(BAN|UNBAN)\s+\[User\] =
 * (\S+)\s+\[IP\] = (\S+)(?:\s+banned for (\d+) seconds\.)?`) from those
 * lines, and is stricter about the rest: the whole line must be one of
 * them (only blanks around it), the date a real one, the user free of
 * control characters, the address an IPv4 or IPv6 address.
 *
 *   line  = [blank] date blank kind blank "[User] = " user blank
 *           "[IP] = " ip [tail] [blank]
 *   date  = YYYY/MM/DD HH:MM:SS (month 01-12, day 01-31, hour 00-23,
 *           minute 00-59, second 00-60)
 *   kind  = "BAN" | "UNBAN"
 *   user  = 1 to BANLINE_MAX_USER bytes, none of them a space, a tab or
 *           a control character (C0, DEL): the user's name, as written
 *   ip    = an IPv4 or IPv6 address (inet_pton(3))
 *   tail  = BAN:   blank "banned for " ["-"] 1*18DIGIT " seconds."
 *           UNBAN: blank "unbanned."
 *   blank = 1* (space | tab | CR)
 *
 * A negative duration (fail2ban's bantime -1: for ever) and a BAN line
 * without one give seconds -1 ("unknown").
 */
#ifndef V2S_BANLINE_H
#define V2S_BANLINE_H

#include <stddef.h>

#define BANLINE_MAX_LINE 2048 /* longer lines are refused */
#define BANLINE_MAX_USER 256 /* bytes of a user name */

/* Bytes P[0..LEN) of the parsed line; not NUL-terminated. */
struct banline_slice {
	const char *p;
	size_t len;
};

/* One parsed line; every slice points into the caller's line. */
struct banline {
	int ban; /* 1: BAN, 0: UNBAN */
	struct banline_slice when; /* "YYYY/MM/DD HH:MM:SS" */
	struct banline_slice user;
	struct banline_slice ip;
	long long seconds; /* BAN: the duration; -1 unknown (and UNBAN) */
};

/*
 * Parses LINE (LEN bytes, without the newline; any bytes) into OUT.
 * Returns 1 for a BAN or UNBAN line, 0 for a blank line (nothing but
 * blanks: skipped quietly), or -1 with the reason in *WHY (a static
 * string) if it is not a line of the banned log.
 */
int banline_parse(
    const char *line, size_t len, struct banline *out, const char **why);

#endif
