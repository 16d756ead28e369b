/*
 * Unit tests for worker/log/banline.c: a table of lines of the banned
 * log, the ones the fail2ban action writes and hostile ones (bytes a
 * client could get into a user name or an address, truncations, NULs,
 * overlong fields, numbers that overflow), each with what must come out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banline.h"
#include "tap.h"

#define D "2026/11/27 03:39:51"

struct bcase {
	const char *name;
	const char *line;
	size_t len; /* 0: strlen(line) */
	int want; /* 1, 0 or -1 */
	int ban;
	const char *user, *ip;
	long long seconds;
};

static const struct bcase cases[] = {
	{ "the action's BAN",
	    D "   BAN   [User] = alice [IP] = 203.0.113.7 banned for 1800 "
	      "seconds.",
	    0, 1, 1, "alice", "203.0.113.7", 1800 },
	{ "the action's UNBAN",
	    D "   UNBAN   [User] = alice [IP] = 203.0.113.7 unbanned.", 0, 1, 0,
	    "alice", "203.0.113.7", -1 },
	{ "single spaces", D " BAN [User] = bob [IP] = 10.0.0.1", 0, 1, 1,
	    "bob", "10.0.0.1", -1 },
	{ "tabs and a CR", D "\tBAN\t[User] = bob\t[IP] = 10.0.0.1\r", 0, 1, 1,
	    "bob", "10.0.0.1", -1 },
	{ "leading blanks", "  " D " UNBAN [User] = u [IP] = ::1", 0, 1, 0, "u",
	    "::1", -1 },
	{ "IPv6", D " BAN [User] = u [IP] = 2001:db8::1 banned for 60 seconds.",
	    0, 1, 1, "u", "2001:db8::1", 60 },
	{ "markdown name",
	    D " BAN [User] = a_b*[c]~`> [IP] = 1.2.3.4 banned for 5 seconds.",
	    0, 1, 1, "a_b*[c]~`>", "1.2.3.4", 5 },
	{ "UTF-8 name",
	    D " BAN [User] = \xd0\xb8\xd0\xbc\xd1\x8f [IP] = 1.2.3.4", 0, 1, 1,
	    "\xd0\xb8\xd0\xbc\xd1\x8f", "1.2.3.4", -1 },
	{ "name with [IP] = in it",
	    D " BAN [User] = x[IP]=9.9.9.9 [IP] = 1.2.3.4", 0, 1, 1,
	    "x[IP]=9.9.9.9", "1.2.3.4", -1 },
	{ "bantime -1 (for ever)",
	    D " BAN [User] = u [IP] = 1.2.3.4 banned for -1 seconds.", 0, 1, 1,
	    "u", "1.2.3.4", -1 },
	{ "18 digits",
	    D " BAN [User] = u [IP] = 1.2.3.4 banned for 999999999999999999 "
	      "seconds.",
	    0, 1, 1, "u", "1.2.3.4", 999999999999999999LL },
	{ "0 seconds", D " BAN [User] = u [IP] = 1.2.3.4 banned for 0 seconds.",
	    0, 1, 1, "u", "1.2.3.4", 0 },
	{ "second 60", "2026/12/31 23:59:60 BAN [User] = u [IP] = 1.2.3.4", 0,
	    1, 1, "u", "1.2.3.4", -1 },

	{ "empty", "", 0, 0, 0, NULL, NULL, -1 },
	{ "blanks only", " \t\r ", 0, 0, 0, NULL, NULL, -1 },

	{ "no date", "BAN [User] = u [IP] = 1.2.3.4", 0, -1, 0, NULL, NULL,
	    -1 },
	{ "date only", D, 0, -1, 0, NULL, NULL, -1 },
	{ "date and blank", D "   ", 0, -1, 0, NULL, NULL, -1 },
	{ "microseconds", D ".123 BAN [User] = u [IP] = 1.2.3.4", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "month 13", "2026/13/01 00:00:00 BAN [User] = u [IP] = 1.2.3.4", 0,
	    -1, 0, NULL, NULL, -1 },
	{ "day 00", "2026/01/00 00:00:00 BAN [User] = u [IP] = 1.2.3.4", 0, -1,
	    0, NULL, NULL, -1 },
	{ "hour 24", "2026/01/01 24:00:00 BAN [User] = u [IP] = 1.2.3.4", 0, -1,
	    0, NULL, NULL, -1 },
	{ "letters in the date",
	    "2026/O1/01 00:00:00 BAN [User] = u [IP] = 1.2.3.4", 0, -1, 0, NULL,
	    NULL, -1 },
	{ "two spaces in the date",
	    "2026/01/01  00:00:00 BAN [User] = u [IP] = 1.2.3.4", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "no blank before the kind", D "BAN [User] = u [IP] = 1.2.3.4", 0, -1,
	    0, NULL, NULL, -1 },
	{ "lower case", D " ban [User] = u [IP] = 1.2.3.4", 0, -1, 0, NULL,
	    NULL, -1 },
	{ "BANNED", D " BANNED [User] = u [IP] = 1.2.3.4", 0, -1, 0, NULL, NULL,
	    -1 },
	{ "REBAN", D " REBAN [User] = u [IP] = 1.2.3.4", 0, -1, 0, NULL, NULL,
	    -1 },
	{ "no [User]", D " BAN u [IP] = 1.2.3.4", 0, -1, 0, NULL, NULL, -1 },
	{ "[user]", D " BAN [user] = u [IP] = 1.2.3.4", 0, -1, 0, NULL, NULL,
	    -1 },
	{ "empty user", D " BAN [User] =  [IP] = 1.2.3.4", 0, -1, 0, NULL, NULL,
	    -1 },
	{ "control in user", D " BAN [User] = a\x1b[31mb [IP] = 1.2.3.4", 0, -1,
	    0, NULL, NULL, -1 },
	{ "DEL in user", D " BAN [User] = a\x7f [IP] = 1.2.3.4", 0, -1, 0, NULL,
	    NULL, -1 },
	{ "newline-free NUL in user", D " BAN [User] = a\0b [IP] = 1.2.3.4",
	    sizeof(D " BAN [User] = a\0b [IP] = 1.2.3.4") - 1, -1, 0, NULL,
	    NULL, -1 },
	{ "no [IP]", D " BAN [User] = u 1.2.3.4", 0, -1, 0, NULL, NULL, -1 },
	{ "[IP] without blank", D " BAN [User] = u[IP] = 1.2.3.4", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "no address", D " BAN [User] = u [IP] = ", 0, -1, 0, NULL, NULL, -1 },
	{ "not an address", D " BAN [User] = u [IP] = evil.example", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "address with port", D " BAN [User] = u [IP] = 1.2.3.4:80", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "address with a star", D " BAN [User] = u [IP] = 1.2.3.4*", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "IPv4 out of range", D " BAN [User] = u [IP] = 1.2.3.256", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "bracketed IPv6", D " BAN [User] = u [IP] = [::1]", 0, -1, 0, NULL,
	    NULL, -1 },
	{ "IPv6 with a zone", D " BAN [User] = u [IP] = fe80::1%eth0", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "NUL in the address", D " BAN [User] = u [IP] = 1.2\0.3.4",
	    sizeof(D " BAN [User] = u [IP] = 1.2\0.3.4") - 1, -1, 0, NULL, NULL,
	    -1 },
	{ "19 digits",
	    D " BAN [User] = u [IP] = 1.2.3.4 banned for 9999999999999999999 "
	      "seconds.",
	    0, -1, 0, NULL, NULL, -1 },
	{ "no digits", D " BAN [User] = u [IP] = 1.2.3.4 banned for  seconds.",
	    0, -1, 0, NULL, NULL, -1 },
	{ "no final dot",
	    D " BAN [User] = u [IP] = 1.2.3.4 banned for 5 seconds", 0, -1, 0,
	    NULL, NULL, -1 },
	{ "minutes", D " BAN [User] = u [IP] = 1.2.3.4 banned for 5 minutes.",
	    0, -1, 0, NULL, NULL, -1 },
	{ "unbanned on BAN", D " BAN [User] = u [IP] = 1.2.3.4 unbanned.", 0,
	    -1, 0, NULL, NULL, -1 },
	{ "banned on UNBAN",
	    D " UNBAN [User] = u [IP] = 1.2.3.4 banned for 5 seconds.", 0, -1,
	    0, NULL, NULL, -1 },
	{ "text after the line",
	    D " BAN [User] = u [IP] = 1.2.3.4 banned for 5 seconds. and more",
	    0, -1, 0, NULL, NULL, -1 },
	{ "text after UNBAN", D " UNBAN [User] = u [IP] = 1.2.3.4 unbanned.x",
	    0, -1, 0, NULL, NULL, -1 },
	{ "two lines in one",
	    D " BAN [User] = u [IP] = 1.2.3.4 " D
	      " BAN [User] = v [IP] = 5.6.7.8",
	    0, -1, 0, NULL, NULL, -1 },
	{ "cut in the date", "2026/11/2", 0, -1, 0, NULL, NULL, -1 },
	{ "cut in the kind", D " UNB", 0, -1, 0, NULL, NULL, -1 },
	{ "cut in [User]", D " BAN [Us", 0, -1, 0, NULL, NULL, -1 },
	{ "cut in the duration", D " BAN [User] = u [IP] = 1.2.3.4 banned f", 0,
	    -1, 0, NULL, NULL, -1 },
};

/* A copy of LINE of exactly LEN bytes on the heap (reads past it are
 * caught by the sanitizers). */
static char *
heap(const char *line, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (p == NULL)
		abort();
	memcpy(p, line, len);
	return p;
}

static int
slice_is(struct banline_slice s, const char *want)
{
	return want != NULL && s.len == strlen(want) &&
	    memcmp(s.p, want, s.len) == 0;
}

static void
run_case(const struct bcase *c)
{
	struct banline b;
	const char *why;
	size_t len = c->len ? c->len : strlen(c->line);
	char *p = heap(c->line, len);
	int r;

	r = banline_parse(p, len, &b, &why);
	is_int(r, c->want, "%s: result", c->name);
	if (c->want == -1)
		ok(why != NULL && why[0] != '\0', "%s: a reason (%s)", c->name,
		    why != NULL ? why : "none");
	if (c->want == 1) {
		is_int(b.ban, c->ban, "%s: kind", c->name);
		ok(slice_is(b.user, c->user), "%s: user", c->name);
		ok(slice_is(b.ip, c->ip), "%s: ip", c->name);
		is_int(b.seconds, c->seconds, "%s: seconds", c->name);
		ok(b.when.len == 19 && b.when.p >= p &&
			b.when.p + 19 <= p + len,
		    "%s: time stamp inside the line", c->name);
	}
	free(p);
}

/*
 * Every prefix of a good line is refused (never read past its end), but
 * for the empty one and those cut just after the address: a BAN line of
 * unknown duration, as the regex's optional group had it.
 */
static void
prefixes(void)
{
	static const char good[] =
	    D "   BAN   [User] = alice [IP] = 203.0.113.7 banned for 1800 "
	      "seconds.";
	struct banline b;
	const char *why;
	size_t n, bad = 0, len = sizeof(good) - 1, ipend;
	char *p;
	int r, want;

	ipend = (size_t)(strstr(good, "203.0.113.7") - good) + 11;
	for (n = 0; n < len; n++) {
		p = heap(good, n);
		r = banline_parse(p, n, &b, &why);
		want = n == 0 ? 0 : n == ipend || n == ipend + 1 ? 1 : -1;
		if (r != want) {
			tap_diag("prefix of %zu bytes: %d, not %d", n, r, want);
			bad++;
		}
		free(p);
	}
	is_int(bad, 0, "every prefix of a BAN line");
}

/* A line one byte over the limit is refused, one at it is parsed. */
static void
lengths(void)
{
	char line[BANLINE_MAX_LINE + 2], user[BANLINE_MAX_USER + 2];
	struct banline b;
	const char *why;
	int n;

	memset(user, 'u', sizeof(user));
	user[BANLINE_MAX_USER] = '\0';
	n = snprintf(
	    line, sizeof(line), D " BAN [User] = %s [IP] = 1.2.3.4", user);
	is_int(banline_parse(line, (size_t)n, &b, &why), 1,
	    "a user of BANLINE_MAX_USER bytes");
	user[BANLINE_MAX_USER] = 'u';
	user[BANLINE_MAX_USER + 1] = '\0';
	n = snprintf(
	    line, sizeof(line), D " BAN [User] = %s [IP] = 1.2.3.4", user);
	is_int(banline_parse(line, (size_t)n, &b, &why), -1,
	    "a user one byte longer");

	n = snprintf(line, sizeof(line), D " BAN [User] = u [IP] = 1.2.3.4");
	memset(line + n, ' ', sizeof(line) - (size_t)n);
	is_int(banline_parse(line, BANLINE_MAX_LINE, &b, &why), 1,
	    "a line of BANLINE_MAX_LINE bytes (trailing blanks)");
	is_int(banline_parse(line, BANLINE_MAX_LINE + 1, &b, &why), -1,
	    "a line one byte longer");
	is_str(why, "too long", "... as too long");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	prefixes();
	lengths();
	return tap_done();
}
