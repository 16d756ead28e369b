/*
 * libFuzzer target for worker/log/banline.c: arbitrary bytes, cut into
 * lines, each parsed from an exact-size heap copy.  Besides the
 * sanitizers, it checks that the slices lie inside the line, that what
 * was taken obeys the grammar (a user without blanks or control
 * characters, a 19-byte time stamp), that a refusal always says why,
 * and that a parsed line written again in the action's own format
 * parses to the same fields.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(struct banline_slice s, const char *p, size_t n)
{
	if (s.len == 0 || s.p < p || s.p + s.len > p + n)
		abort();
}

static int
same(struct banline_slice a, struct banline_slice b)
{
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* The line as the fail2ban action writes it; parses to B's fields. */
static void
round_trip(const struct banline *b)
{
	char line[BANLINE_MAX_LINE + 1];
	struct banline b2;
	const char *why;
	int n;

	if (b->ban && b->seconds >= 0)
		n = snprintf(line, sizeof(line),
		    "%.*s   BAN   [User] = %.*s [IP] = %.*s banned for %lld "
		    "seconds.",
		    (int)b->when.len, b->when.p, (int)b->user.len, b->user.p,
		    (int)b->ip.len, b->ip.p, b->seconds);
	else
		n = snprintf(line, sizeof(line),
		    "%.*s   %s   [User] = %.*s [IP] = %.*s%s", (int)b->when.len,
		    b->when.p, b->ban ? "BAN" : "UNBAN", (int)b->user.len,
		    b->user.p, (int)b->ip.len, b->ip.p,
		    b->ban ? "" : " unbanned.");
	if (n < 0 || (size_t)n >= sizeof(line))
		abort();
	if (banline_parse(line, (size_t)n, &b2, &why) != 1 ||
	    b2.ban != b->ban || b2.seconds != b->seconds ||
	    !same(b2.when, b->when) || !same(b2.user, b->user) ||
	    !same(b2.ip, b->ip))
		abort();
}

static void
one(const char *src, size_t n)
{
	struct banline b;
	const char *why;
	char *p;
	size_t i;
	int r;

	p = malloc(n ? n : 1);
	if (p == NULL)
		return;
	memcpy(p, src, n);
	r = banline_parse(p, n, &b, &why);
	if (r == -1 && (why == NULL || why[0] == '\0'))
		abort();
	if (r == 1) {
		inside(b.when, p, n);
		inside(b.user, p, n);
		inside(b.ip, p, n);
		if (b.when.len != 19 || b.user.len > BANLINE_MAX_USER ||
		    (!b.ban && b.seconds != -1) || b.seconds < -1)
			abort();
		for (i = 0; i < b.user.len; i++)
			if ((unsigned char)b.user.p[i] <= 0x20 ||
			    b.user.p[i] == 0x7f)
				abort();
		round_trip(&b);
	}
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		one(p, (size_t)(nl - p));
		p = nl + 1;
	}
	return 0;
}
