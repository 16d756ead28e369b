/* The notifications' texts in Telegram MarkdownV2 (see tgmsg.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgmsg.h"

/* What MarkdownV2 wants escaped anywhere outside code. */
static const char special[] = "_*[]()~`>#+-=|{}.!\\";

/* Length of the valid UTF-8 sequence at S (N bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	c = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3f);
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

/* Appends N bytes of S as literal text. */
static void
escape_n(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		if (p[i] == '\0')
			break;
		len = utf8_len(p + i, n - i);
		if (len == 0) {
			buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
			i++;
			continue;
		}
		if (len == 1) {
			if (p[i] < 0x20 && p[i] != '\n')
				buf_putc(b, ' ');
			else if (p[i] == 0x7f)
				buf_putc(b, ' ');
			else {
				if (strchr(special, p[i]) != NULL)
					buf_putc(b, '\\');
				buf_putc(b, (char)p[i]);
			}
		} else
			buf_add(b, p + i, len);
		i += len;
	}
}

void
tgmsg_escape(struct buf *b, const char *s)
{
	escape_n(b, s, strlen(s));
}

void
tgmsg_fmt(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	const char *p, *lit;
	char num[64];

	va_start(ap, fmt);
	lit = fmt;
	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%' && *p != '*')
			continue;
		escape_n(b, lit, (size_t)(p - lit));
		if (*p == '*') {
			buf_putc(b, '*');
			lit = p + 1;
			continue;
		}
		if (strncmp(p, "%s", 2) == 0) {
			tgmsg_escape(b, va_arg(ap, const char *));
			p += 1;
		} else if (strncmp(p, "%d", 2) == 0) {
			snprintf(num, sizeof(num), "%d", va_arg(ap, int));
			tgmsg_escape(b, num);
			p += 1;
		} else if (strncmp(p, "%u", 2) == 0) {
			snprintf(num, sizeof(num), "%u", va_arg(ap, unsigned));
			tgmsg_escape(b, num);
			p += 1;
		} else if (strncmp(p, "%lld", 4) == 0) {
			snprintf(
			    num, sizeof(num), "%lld", va_arg(ap, long long));
			tgmsg_escape(b, num);
			p += 3;
		} else if (strncmp(p, "%llu", 4) == 0) {
			snprintf(num, sizeof(num), "%llu",
			    va_arg(ap, unsigned long long));
			tgmsg_escape(b, num);
			p += 3;
		} else if (strncmp(p, "%.1f", 4) == 0) {
			snprintf(num, sizeof(num), "%.1f", va_arg(ap, double));
			tgmsg_escape(b, num);
			p += 3;
		} else if (strncmp(p, "%.2f", 4) == 0) {
			snprintf(num, sizeof(num), "%.2f", va_arg(ap, double));
			tgmsg_escape(b, num);
			p += 3;
		} else if (p[1] == '%') {
			tgmsg_escape(b, "%");
			p += 1;
		} else
			abort();
		lit = p + 1;
	}
	escape_n(b, lit, (size_t)(p - lit));
	va_end(ap);
}

void
tgmsg_date(time_t t, char *out, size_t outsz)
{
	struct tm tm;
	char day[32];
	long off, h, m;

	if (localtime_r(&t, &tm) == NULL) {
		snprintf(out, outsz, "%lld", (long long)t);
		return;
	}
	strftime(day, sizeof(day), "%Y.%m.%d %H:%M", &tm);
	off = tm.tm_gmtoff;
	h = (off < 0 ? -off : off) / 3600;
	m = (off < 0 ? -off : off) % 3600 / 60;
	if (m != 0)
		snprintf(out, outsz, "%s UTC%c%ld:%02ld", day,
		    off < 0 ? '-' : '+', h, m);
	else
		snprintf(
		    out, outsz, "%s UTC%c%ld", day, off < 0 ? '-' : '+', h);
}

void
tgmsg_host(struct buf *b, const char *host)
{
	tgmsg_fmt(b, "💻 Host: *%s*\n\n", host);
}

void
tgmsg_expired(struct buf *b, const char *name, time_t end)
{
	char date[TGMSG_DATE_LEN];

	tgmsg_date(end, date, sizeof(date));
	tgmsg_fmt(b,
	    "❌ Subscription expired\n\n"
	    "Client:   *%s*\n"
	    "End date:   *%s*",
	    name, date);
}

void
tgmsg_renewed(struct buf *b, const char *name, long long days)
{
	tgmsg_fmt(b,
	    "✅ Subscription renewed\n\n"
	    "Client:   *%s*\n"
	    "Renewed for:   *%lld days*",
	    name, days);
}

void
tgmsg_disabled(struct buf *b, const char *name)
{
	tgmsg_fmt(b,
	    "🔒 User disabled\n\n"
	    "Client:   *%s*\n"
	    "Reason:   *subscription expired, no renewal*",
	    name);
}

void
tgmsg_enabled(struct buf *b, const char *name, time_t end)
{
	char date[TGMSG_DATE_LEN];

	if (end > 0)
		tgmsg_date(end, date, sizeof(date));
	else
		snprintf(date, sizeof(date), "unlimited");
	tgmsg_fmt(b,
	    "🔓 User enabled\n\n"
	    "Client:   *%s*\n"
	    "Subscription until:   *%s*",
	    name, date);
}

void
tgmsg_summary(struct buf *b, const char *title, char *const *names, size_t n)
{
	size_t i, start;

	tgmsg_fmt(b, "%s: *%llu* users\n\n", title, (unsigned long long)n);
	start = b->len;
	for (i = 0; i < n; i++) {
		if (b->len - start > TGMSG_LIST_MAX) {
			tgmsg_fmt(b, ", … and %llu more",
			    (unsigned long long)(n - i));
			return;
		}
		tgmsg_fmt(b, i == 0 ? "%s" : ", %s", names[i]);
	}
}

void
tgmsg_ban(struct buf *b, const char *name, const char *ip, const char *when,
    long long seconds)
{
	char dur[40];

	if (seconds >= 0)
		snprintf(dur, sizeof(dur), "%lld seconds", seconds);
	else
		snprintf(dur, sizeof(dur), "unknown");
	tgmsg_fmt(b,
	    "🚫 IP Banned\n\n"
	    " Client:   *%s*\n"
	    " IP:   *%s*\n"
	    " Time:   *%s*\n"
	    " Duration:   *%s*",
	    name, ip, when, dur);
}

void
tgmsg_unban(struct buf *b, const char *name, const char *ip, const char *when)
{
	tgmsg_fmt(b,
	    "✅ IP Unbanned\n\n"
	    " Client:   *%s*\n"
	    " IP:   *%s*\n"
	    " Time:   *%s*",
	    name, ip, when);
}

void
tgmsg_services(struct buf *b, char *const *names, const int *running, size_t n)
{
	size_t i;

	tgmsg_fmt(b, "⚠️ Service Status Update:");
	for (i = 0; i < n; i++)
		tgmsg_fmt(b, "\n%s %s", running[i] ? "▲" : "▼", names[i]);
}

void
tgmsg_usage(struct buf *b, const char *what, int above, int seconds,
    int threshold, double average)
{
	if (above)
		tgmsg_fmt(b,
		    "🚨 ALERT: Average %s usage over *%d* seconds exceeded "
		    "*%d%%*! (Current: *%.2f%%*)",
		    what, seconds, threshold, average);
	else
		tgmsg_fmt(b,
		    "✅ Average %s usage over *%d* seconds dropped below "
		    "*%d%%*. (Current: *%.2f%%*)",
		    what, seconds, threshold, average);
}

void
tgmsg_report(struct buf *b, const struct tgmsg_report *r)
{
	tgmsg_fmt(b,
	    "⚙️ v2ray-stat version: %s\n"
	    "📡 %s version: %s\n"
	    "🌐 IPv4: %s\n"
	    "🌐 IPv6: %s\n"
	    "⏳ Uptime: %s\n"
	    "📈 System Load: %s\n"
	    "📋 RAM: %s\n"
	    "🔹 TCP: %lld\n"
	    "🔸 UDP: %lld\n"
	    "🚦 Traffic: %s (↑%s,↓%s)\n"
	    "ℹ️ Status: %s",
	    r->version, r->core, r->core_version, r->ipv4, r->ipv6, r->uptime,
	    r->load, r->ram, r->tcp, r->udp, r->traffic, r->up, r->down,
	    r->status);
}

void
tgmsg_test(struct buf *b, time_t now, const char *text)
{
	char date[TGMSG_DATE_LEN];

	tgmsg_date(now, date, sizeof(date));
	tgmsg_fmt(b,
	    "🔔 Test message\n\n"
	    "From:   *v2ray-stat*\n"
	    "Time:   *%s*",
	    date);
	if (text != NULL && text[0] != '\0')
		tgmsg_fmt(b, "\n\n%s", text);
}
