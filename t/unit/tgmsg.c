/*
 * Unit tests for lib/tgmsg.c: the notifications' texts in MarkdownV2.
 * Every message is read back the way Telegram reads MarkdownV2 (a
 * reserved character that is not escaped is an error, '*' opens and
 * closes bold), and must show exactly the original's words with the
 * values as given, whatever bytes the values hold.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "tap.h"
#include "tgmsg.h"

static const char reserved[] = "_*[]()~`>#+-=|{}.!";

/*
 * Reads MARKDOWN as Telegram shows it into OUT (the text without the
 * markup); bold parts are wrapped in '<' '>' so tests can see them.
 * Returns 0, or -1 for what Telegram would refuse.
 */
static int
show(const char *md, struct buf *out)
{
	const char *p;
	int bold = 0;

	buf_reset(out);
	for (p = md; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0' || (unsigned char)p[1] > 126)
				return -1;
			buf_putc(out, p[1]);
			p++;
		} else if (*p == '*') {
			bold = !bold;
			buf_putc(out, bold ? '<' : '>');
		} else if (strchr(reserved, *p) != NULL)
			return -1;
		else
			buf_putc(out, *p);
	}
	return bold ? -1 : 0;
}

/* Builds with F and checks what the chat shows. */
static void
check(const char *what, const struct buf *md, const char *want)
{
	struct buf out;
	int rc;

	buf_init(&out);
	rc = show(buf_str(md), &out);
	is_int(rc, 0, "%s: valid MarkdownV2", what);
	is_str(buf_str(&out), want, "%s: shown as", what);
	buf_free(&out);
}

static void
t_escape(void)
{
	struct buf b, out;
	const char *all = "_*[]()~`>#+-=|{}.!\\";

	buf_init(&b);
	buf_init(&out);
	tgmsg_escape(&b, all);
	is_int(show(buf_str(&b), &out), 0, "every reserved character escaped");
	is_str(buf_str(&out), all, "and shown as itself");
	is_int((int)b.len, (int)strlen(all) * 2, "one backslash each");

	buf_reset(&b);
	tgmsg_escape(&b, "plain ascii 123 äöü 日本 😀");
	is_str(buf_str(&b), "plain ascii 123 äöü 日本 😀",
	    "letters, digits and UTF-8 as they are");

	buf_reset(&b);
	tgmsg_escape(&b,
	    "a\xff"
	    "b\xc3"
	    "c\xed\xa0\x80"
	    "d\xf4\x90\x80\x80");
	is_str(buf_str(&b),
	    "a\xef\xbf\xbd"
	    "b\xef\xbf\xbd"
	    "c\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd"
	    "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd",
	    "invalid UTF-8 (stray, cut, surrogate, > U+10FFFF) is U+FFFD");

	buf_reset(&b);
	tgmsg_escape(&b,
	    "a\tb\rc\x1b[31md\x7f"
	    "e\nf");
	is_str(buf_str(&b), "a b c \\[31md e\nf",
	    "control characters are blanks, newline stays");

	buf_reset(&b);
	tgmsg_escape(&b, "\xc0\xaf");
	is_str(buf_str(&b), "\xef\xbf\xbd\xef\xbf\xbd",
	    "overlong '/' is not a '/'");
	buf_free(&b);
	buf_free(&out);
}

static void
t_fmt(void)
{
	struct buf b;

	buf_init(&b);
	tgmsg_fmt(&b, "*%s* %d %u %lld %llu %.1f %.2f 100%% x.y", "a_b", -5, 7u,
	    -9000000000LL, 18446744073709551615ULL, 2.25, -0.005);
	check("every conversion", &b,
	    "<a_b> -5 7 -9000000000 18446744073709551615 2.2 -0.01 100% x.y");
	buf_reset(&b);
	tgmsg_fmt(&b, "%s", "*bold?*");
	check("a value's stars are text", &b, "*bold?*");
	buf_reset(&b);
	tgmsg_fmt(&b, "");
	is_str(buf_str(&b), "", "empty format");
	buf_free(&b);
}

static void
t_messages(void)
{
	static const char *const hostile[] = {
		"alice",
		"a_b*[c]",
		"x\\*y",
		"*",
		"__init__",
		"`rm -rf`",
		"[link](http://x.y)",
		"||spoiler||",
		"~~",
		"Ärger_😀",
	};
	static char xray[] = "xray", nginx[] = "nginx_2";
	char *const svc[] = { xray, nginx };
	const int run[] = { 1, 0 };
	struct tgmsg_report r;
	struct buf b;
	char want[512], date[TGMSG_DATE_LEN];
	time_t end = 1796479200; /* 2026-12-05 14:00 UTC */
	size_t i;

	setenv("TZ", "UTC", 1);
	tzset();
	buf_init(&b);
	tgmsg_date(end, date, sizeof(date));
	is_str(date, "2026.12.05 14:00 UTC+0", "date in UTC");
	setenv("TZ", "Europe/Moscow", 1);
	tzset();
	tgmsg_date(end, date, sizeof(date));
	is_str(date, "2026.12.05 17:00 UTC+3", "date in Moscow");
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	tgmsg_date(end, date, sizeof(date));
	is_str(date, "2026.12.05 19:30 UTC+5:30", "date in Kolkata");
	setenv("TZ", "America/St_Johns", 1);
	tzset();
	tgmsg_date(end, date, sizeof(date));
	is_str(date, "2026.12.05 10:30 UTC-3:30", "date in St. John's");
	setenv("TZ", "UTC", 1);
	tzset();

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		buf_reset(&b);
		tgmsg_expired(&b, hostile[i], end);
		snprintf(want, sizeof(want),
		    "❌ Subscription expired\n\nClient:   <%s>\n"
		    "End date:   <2026.12.05 14:00 UTC+0>",
		    hostile[i]);
		check(hostile[i], &b, want);

		buf_reset(&b);
		tgmsg_renewed(&b, hostile[i], 30);
		snprintf(want, sizeof(want),
		    "✅ Subscription renewed\n\nClient:   <%s>\n"
		    "Renewed for:   <30 days>",
		    hostile[i]);
		check("renewed", &b, want);

		buf_reset(&b);
		tgmsg_ban(
		    &b, hostile[i], "2001:db8::1", "2026/12/05 14:00:01", 1800);
		snprintf(want, sizeof(want),
		    "🚫 IP Banned\n\n Client:   <%s>\n IP:   <2001:db8::1>\n"
		    " Time:   <2026/12/05 14:00:01>\n Duration:   <1800 "
		    "seconds>",
		    hostile[i]);
		check("ban", &b, want);
	}

	buf_reset(&b);
	tgmsg_disabled(&b, "bob");
	check("disabled", &b,
	    "🔒 User disabled\n\nClient:   <bob>\n"
	    "Reason:   <subscription expired, no renewal>");
	buf_reset(&b);
	tgmsg_enabled(&b, "bob", end);
	check("enabled", &b,
	    "🔓 User enabled\n\nClient:   <bob>\n"
	    "Subscription until:   <2026.12.05 14:00 UTC+0>");
	buf_reset(&b);
	tgmsg_enabled(&b, "bob", 0);
	check("enabled, unlimited", &b,
	    "🔓 User enabled\n\nClient:   <bob>\n"
	    "Subscription until:   <unlimited>");
	buf_reset(&b);
	tgmsg_ban(&b, "bob", "1.2.3.4", "t", -1);
	check("ban of unknown duration", &b,
	    "🚫 IP Banned\n\n Client:   <bob>\n IP:   <1.2.3.4>\n"
	    " Time:   <t>\n Duration:   <unknown>");
	buf_reset(&b);
	tgmsg_unban(&b, "bob", "1.2.3.4", "2026/12/05 14:30:01");
	check("unban", &b,
	    "✅ IP Unbanned\n\n Client:   <bob>\n IP:   <1.2.3.4>\n"
	    " Time:   <2026/12/05 14:30:01>");
	buf_reset(&b);
	tgmsg_services(&b, svc, run, 2);
	check("services", &b,
	    "⚠️ Service Status Update:\n▲ xray\n▼ nginx_2");
	buf_reset(&b);
	tgmsg_usage(&b, "memory", 1, 120, 80, 85.456);
	check("memory up", &b,
	    "🚨 ALERT: Average memory usage over <120> seconds exceeded "
	    "<80%>! (Current: <85.46%>)");
	buf_reset(&b);
	tgmsg_usage(&b, "disk", 0, 120, 80, 79.5);
	check("disk down", &b,
	    "✅ Average disk usage over <120> seconds dropped below <80%>. "
	    "(Current: <79.50%>)");
	buf_reset(&b);
	tgmsg_host(&b, "vpn-1.example.com");
	check("host", &b, "💻 Host: <vpn-1.example.com>\n\n");
	buf_reset(&b);
	tgmsg_test(&b, end, NULL);
	check("test", &b,
	    "🔔 Test message\n\nFrom:   <v2ray-stat>\n"
	    "Time:   <2026.12.05 14:00 UTC+0>");
	buf_reset(&b);
	tgmsg_test(&b, end, "hello *world* [x](y)");
	check("test with a text", &b,
	    "🔔 Test message\n\nFrom:   <v2ray-stat>\n"
	    "Time:   <2026.12.05 14:00 UTC+0>\n\nhello *world* [x](y)");

	memset(&r, 0, sizeof(r));
	r.version = "1.0.0";
	r.core = "v2fly";
	r.core_version = "4.34.0";
	r.ipv4 = "203.0.113.5";
	r.ipv6 = "2001:db8::5";
	r.uptime = "3 days 04 hours";
	r.load = "0.10, 0.20, 0.30";
	r.ram = "512.00 MB used / 2048.00 MB total";
	r.tcp = 12;
	r.udp = 3;
	r.traffic = "1.50 GB";
	r.up = "0.50 GB";
	r.down = "1.00 GB";
	r.status = "▲ xray ▼ nginx";
	buf_reset(&b);
	tgmsg_report(&b, &r);
	check("report", &b,
	    "⚙️ v2ray-stat version: 1.0.0\n📡 v2fly version: 4.34.0\n"
	    "🌐 IPv4: 203.0.113.5\n🌐 IPv6: 2001:db8::5\n"
	    "⏳ Uptime: 3 days 04 hours\n📈 System Load: 0.10, 0.20, 0.30\n"
	    "📋 RAM: 512.00 MB used / 2048.00 MB total\n🔹 TCP: 12\n"
	    "🔸 UDP: 3\n🚦 Traffic: 1.50 GB (↑0.50 GB,↓1.00 GB)\n"
	    "ℹ️ Status: ▲ xray ▼ nginx");
	buf_free(&b);
}

static void
t_summary(void)
{
	static char a[] = "a_b", c[] = "c*d", e[] = "e";
	char *const three[] = { a, c, e };
	char **many, want[64];
	struct buf b, out;
	size_t i, n = 2000, shown;
	int rc;

	buf_init(&b);
	buf_init(&out);
	tgmsg_summary(&b, "❌ Subscriptions expired", three, 3);
	check("summary of three", &b,
	    "❌ Subscriptions expired: <3> users\n\na_b, c*d, e");

	many = calloc(n, sizeof(*many));
	for (i = 0; i < n; i++) {
		many[i] = malloc(32);
		snprintf(many[i], 32, "user_%04zu.x", i);
	}
	buf_reset(&b);
	tgmsg_summary(&b, "🔒 Users disabled", many, n);
	rc = show(buf_str(&b), &out);
	is_int(rc, 0, "summary of 2000: valid MarkdownV2");
	ok(b.len < 4096, "summary of 2000: %zu bytes, under 4096", b.len);
	ok(strstr(buf_str(&out),
	       "🔒 Users disabled: <2000> users\n\n"
	       "user_0000.x, user_0001.x") == buf_str(&out),
	    "summary of 2000: the count, then the first names");
	for (shown = 0; shown < n; shown++) {
		snprintf(want, sizeof(want), "user_%04zu.x", shown);
		if (strstr(buf_str(&out), want) == NULL)
			break;
	}
	snprintf(want, sizeof(want), ", … and %zu more", n - shown);
	ok(shown > 100 && shown < n, "summary of 2000: %zu names shown", shown);
	ok(b.len >= strlen(want) &&
		strcmp(buf_str(&out) + out.len - strlen(want), want) == 0,
	    "summary of 2000: ends with '%s'", want);
	for (i = 0; i < n; i++)
		free(many[i]);
	free(many);
	buf_free(&b);
	buf_free(&out);
}

int
main(void)
{
	t_escape();
	t_fmt();
	t_messages();
	t_summary();
	return tap_done();
}
