/*
 * The notifications' texts, as Telegram MarkdownV2: the original
 * v2ray-stat's messages (its words, emoji and layout; bold values), with
 * every value and every literal character escaped, so that a user name
 * such as "a_b*[c]" arrives as written and never makes Telegram reject
 * the message (the original sent unescaped legacy Markdown).
 *
 * Each builder appends one message to B (a lib/buf.h buffer) and
 * returns nothing: the values are any bytes (invalid UTF-8 is replaced
 * by U+FFFD, which Telegram would otherwise refuse; control characters
 * other than newline by a space).  Times are in the process's zone (the
 * configured `timezone`: both programs set TZ from it).
 */
#ifndef V2S_TGMSG_H
#define V2S_TGMSG_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/*
 * The formatter under every builder.  In FMT, '*' is a bold marker (sent
 * as is), every other character is literal text (escaped where
 * MarkdownV2 wants it); the conversions are %s (a value, escaped), %d,
 * %u, %lld, %llu (integers), %.1f, %.2f (doubles) and %% (a literal '%').
 * Anything else in FMT is a programming error and aborts.
 */
void tgmsg_fmt(struct buf *b, const char *fmt, ...);

/* Appends S escaped for MarkdownV2 (also the fixing described above). */
void tgmsg_escape(struct buf *b, const char *s);

/*
 * T as the original showed a date, in the local zone:
 * "2026.12.05 21:00 UTC+3" ("UTC+5:30" for a zone off by a fraction of
 * an hour).  OUT holds at least TGMSG_DATE_LEN bytes.
 */
#define TGMSG_DATE_LEN 40
void tgmsg_date(time_t t, char *out, size_t outsz);

/* The line the sender puts first: "💻 Host: *HOST*" and a blank line. */
void tgmsg_host(struct buf *b, const char *host);

/* "❌ Subscription expired": user NAME, its end date END. */
void tgmsg_expired(struct buf *b, const char *name, time_t end);
/* "✅ Subscription renewed": NAME, "Renewed for: *DAYS days*". */
void tgmsg_renewed(struct buf *b, const char *name, long long days);
/* "🔒 User disabled": the expiry disabled NAME (no renew). */
void tgmsg_disabled(struct buf *b, const char *name);
/* "🔓 User enabled": NAME, disabled by the expiry, is back until END
 * (0: unlimited). */
void tgmsg_enabled(struct buf *b, const char *name, time_t end);

/*
 * One message for many users (a mass expiry): "TITLE: *N* users", a blank
 * line, then the N NAMES separated by ", ", cut after about 3000 bytes
 * with ", … and K more" (a message stays far below Telegram's 4096
 * characters).
 */
#define TGMSG_LIST_MAX 3000
void tgmsg_summary(
    struct buf *b, const char *title, char *const *names, size_t n);

/* "🚫 IP Banned" / "✅ IP Unbanned", from a line of the banned log: the
 * user, the address, the line's own time stamp and (ban) SECONDS, or -1
 * for "unknown". */
void tgmsg_ban(struct buf *b, const char *name, const char *ip,
    const char *when, long long seconds);
void tgmsg_unban(
    struct buf *b, const char *name, const char *ip, const char *when);

/* "⚠️ Service Status Update:" then "▲ NAME" (running) or "▼ NAME" for
 * each of the N services. */
void tgmsg_services(
    struct buf *b, char *const *names, const int *running, size_t n);

/*
 * "🚨 ALERT: Average WHAT usage over *S* seconds exceeded *T%*!
 * (Current: *A%*)" when ABOVE, else "✅ Average WHAT usage over ...
 * dropped below ...".  WHAT is "memory" or "disk".
 */
void tgmsg_usage(struct buf *b, const char *what, int above, int seconds,
    int threshold, double average);

/* The daily report's values, as text ("unknown" where not known). */
struct tgmsg_report {
	const char *version; /* v2ray-stat's */
	const char *core; /* the configured core type: xray, v2fly, singbox */
	const char *core_version;
	const char *ipv4, *ipv6;
	const char *uptime; /* "D days HH hours" */
	const char *load; /* "0.10, 0.20, 0.30" */
	const char *ram; /* "X MB used / Y MB total" */
	long long tcp, udp; /* sockets */
	const char *traffic, *up, *down; /* "1.23 GB" */
	const char *status; /* "▲ xray ▼ nginx" */
};

/* The daily report ("⚙️ v2ray-stat version: ..."), the original's lines. */
void tgmsg_report(struct buf *b, const struct tgmsg_report *r);

/* "🔔 Test message" from POST /api/v1/notify_test, sent at NOW, and
 * the admin's TEXT after a blank line (none if NULL or ""). */
void tgmsg_test(struct buf *b, time_t now, const char *text);

#endif
