/*
 * Access-log lines of Xray and v2fly: a hand-written parser that allocates
 * nothing and returns slices into the line, and the original v2ray-stat's
 * regex mode (core.access_log_regex, PCRE2).
 *
 * Line formats accepted by accesslog_parse() (one line, no newline):
 *
 *   Xray:   2025/06/14 12:00:00.123456 from tcp:1.2.3.4:54321 accepted
 *           tcp:www.google.com:443 [vless-in >> direct] email: user1
 *           ("from 1.2.3.4:5" without "tcp:" too; the detour may be
 *           "in >> out", "in -> out", "in ==> out" or just "out")
 *   v2fly:  2026/11/27 03:39:51 127.0.0.1:37124 accepted
 *           tcp:127.0.0.1:18080 [direct] email: alice@example.com
 *           2026/11/27 03:39:51 tcp:127.0.0.1:45500 accepted tcp:h:80 [direct]
 *           2026/11/27 03:39:51 127.0.0.1:37140 rejected  REASON...
 *
 * Both come from the cores' common/log/access.go:
 * "DATE TIME [from ]FROM STATUS TO[ [DETOUR]][ REASON][ email: EMAIL]".
 * The time has microseconds in Xray and none in v2fly.  FROM and TO are
 * "[net:]ip:port" with IPv6 in brackets ("[2001:db8::1]:443"); TO always
 * has "tcp:" or "udp:" and its host may be a domain.  Rejected lines have
 * an empty TO, hence two spaces after "rejected".
 *
 * DETOUR: Xray writes "inTag >> outTag" ("==>" when a routing rule picked
 * the outbound, "->" for a balancer), or only the outbound tag when the
 * inbound has no tag.  v2fly 4.34 writes only the outbound tag ("[direct]",
 * "[api]").  So a single "[tag]" is always the OUTBOUND tag: out_tag is set
 * and in_tag is empty.
 */
#ifndef V2S_ACCESSLOG_H
#define V2S_ACCESSLOG_H

#include <stddef.h>

/* Longer lines are refused with ACCESSLOG_TOO_LONG (the newline excluded). */
#define ACCESSLOG_MAX_LINE 8192

/* The original v2ray-stat's default core.access_log_regex (3 groups). */
#define ACCESSLOG_DEFAULT_REGEX \
	"from (?:tcp|udp):([\\d\\.]+):\\d+ accepted " \
	"(?:tcp|udp):([\\w\\.\\-]+):\\d+ \\[[^\\]]+\\] email: (\\S+)"

/* Why a line was taken or skipped; only ACCESSLOG_OK counts for a user. */
enum accesslog_result {
	ACCESSLOG_OK, /* accepted, not api, has a user */
	ACCESSLOG_NO_USER, /* a valid accepted line without "email: " */
	ACCESSLOG_REJECTED, /* a valid "rejected" line (bad credentials) */
	ACCESSLOG_API, /* the core's own API inbound ([api]) */
	ACCESSLOG_MALFORMED, /* not an access line (or no regex match) */
	ACCESSLOG_TOO_LONG, /* more than ACCESSLOG_MAX_LINE bytes */
	ACCESSLOG_BAD_UTF8, /* invalid UTF-8 somewhere in the line */
	ACCESSLOG_NUL, /* a NUL byte somewhere in the line */
	ACCESSLOG__MAX
};

/* What kind of address a host slice holds. */
enum accesslog_host {
	ACCESSLOG_HOST_NONE,
	ACCESSLOG_HOST_IPV4,
	ACCESSLOG_HOST_IPV6, /* without the brackets */
	ACCESSLOG_HOST_DOMAIN
};

/* Bytes P[0..LEN) of the parsed line; not NUL-terminated; LEN 0 = absent. */
struct accesslog_slice {
	const char *p;
	size_t len;
};

/*
 * One parsed line.  Every slice points into the caller's line and is valid
 * as long as that buffer is.  Absent fields have len 0.
 */
struct accesslog_rec {
	struct accesslog_slice time; /* "2025/06/14 12:00:00[.123456]" */
	struct accesslog_slice src_net; /* "tcp", "udp" or absent */
	struct accesslog_slice src_ip; /* no port, no brackets */
	struct accesslog_slice src_port; /* digits */
	struct accesslog_slice status; /* "accepted" or "rejected" */
	struct accesslog_slice dst_net; /* "tcp" or "udp" */
	struct accesslog_slice
	    dst_host; /* domain, IPv4 or IPv6 (no brackets) */
	struct accesslog_slice dst_port; /* digits */
	struct accesslog_slice in_tag; /* Xray "[in >> out]" only */
	struct accesslog_slice out_tag; /* "[out]" or "[in >> out]" */
	struct accesslog_slice reason; /* text after TO/DETOUR (rejected) */
	struct accesslog_slice email; /* the user, after " email: " */
	unsigned int src_port_num; /* 0..65535 */
	unsigned int dst_port_num; /* 0..65535 */
	enum accesslog_host src_type; /* IPV4 or IPV6 */
	enum accesslog_host dst_type;
	int accepted; /* 1 for "accepted", 0 for "rejected" */
	int is_api; /* "[api]" (outbound api) or inbound tag "api" */
};

/*
 * Parses LINE (LEN bytes, need not be NUL-terminated, no trailing newline;
 * trailing spaces and a CR are ignored) into OUT, which is always cleared
 * first.  Allocates nothing and never reads outside LINE[0..LEN).
 * Checks in this order: TOO_LONG, NUL, BAD_UTF8, then the syntax
 * (MALFORMED).  A well-formed line then gives REJECTED (fields up to the
 * status, plus reason and TO if present), API (is_api set; an api line
 * with an email is still API), NO_USER or OK.  The email must be one token
 * (no spaces or control characters) up to the end of the line; "email:"
 * with nothing after it is MALFORMED, and so is any text between the
 * detour and "email:" on an accepted line (only rejected lines carry a
 * reason).
 */
enum accesslog_result accesslog_parse(
    const char *line, size_t len, struct accesslog_rec *out);

/* A short constant name for R ("ok", "no-user", ...), for logs and tests. */
const char *accesslog_result_str(enum accesslog_result r);

/* Returns 1 if S[0..LEN) is valid UTF-8 (no overlongs, surrogates). */
int accesslog_utf8_valid(const char *s, size_t len);

/*
 * The byte check of every line, in one pass: 0 if the LEN bytes at LINE
 * are valid UTF-8 without a NUL, else ACCESSLOG_NUL (wins wherever it is)
 * or ACCESSLOG_BAD_UTF8.
 */
int accesslog_check_bytes(const char *line, size_t len);

/* Returns 1 if slice S equals the NUL-terminated string STR. */
int accesslog_slice_eq(struct accesslog_slice s, const char *str);

/*
 * The regex mode (core.access_log_regex), with the original's capture
 * convention: 3 groups = source ip, destination host, user; 2 groups =
 * user, source ip.  Other group counts are refused.
 */
struct accesslog_regex;

/*
 * The configuration loader's check of core.access_log_regex (a
 * cfg_regex_check, lib/cfg.h): 0 if PATTERN compiles and has 2 or 3
 * capture groups, else -1 with the reason in WHY ("does not compile:
 * missing closing parenthesis at offset 2", "has 1 capture groups, want 2
 * (user, ip) or 3 (ip, host, user)").
 */
int accesslog_regex_check(const char *pattern, char *why, size_t whysz);

/*
 * Compiles PATTERN (UTF-8 mode; \d \w \s stay ASCII as in Go) and JIT-
 * compiles it when the library can.  On success returns a handle owned by
 * the caller (accesslog_regex_free).  On failure returns NULL and writes a
 * message into ERR (ERRSZ bytes, always NUL-terminated if ERRSZ > 0).
 * The handle holds its own match data: use one handle per thread.
 */
struct accesslog_regex *accesslog_regex_compile(
    const char *pattern, char *err, size_t errsz);

/* The number of capture groups of RE (2 or 3). */
int accesslog_regex_groups(const struct accesslog_regex *re);

/*
 * Matches LINE (LEN bytes) against RE and fills OUT (cleared first):
 * src_ip, email and, with 3 groups, dst_host; each capture is trimmed of
 * white space.  Returns TOO_LONG, NUL or BAD_UTF8 as accesslog_parse()
 * does, MALFORMED if the line does not match, NO_USER if the user capture
 * is empty, else OK.  Allocates nothing; is_api is never set.
 */
enum accesslog_result accesslog_regex_match(struct accesslog_regex *re,
    const char *line, size_t len, struct accesslog_rec *out);

/* Frees RE; NULL is allowed. */
void accesslog_regex_free(struct accesslog_regex *re);

#endif
