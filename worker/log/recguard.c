/*
 * The record guard (see recguard.h): a count of bytes, and two looks at
 * each line for the start of client text that may run past its end.
 */
#include "config.h"

#include <string.h>

#include "recguard.h"

static const char marker[] = "invalid domain name: ";

void
recguard_init(struct recguard *g)
{
	g->left = -1;
}

/*
 * 1 if P[0..N) is a clean "tcp:HOST:PORT" or "udp:HOST:PORT": HOST an
 * IPv6 address in brackets or without ':' and control bytes, PORT 1 to 5
 * digits.  Anything else that starts with "tcp:" or "udp:" is not.
 */
static int
clean_dest(const char *p, size_t n)
{
	size_t i, colon = 0, digits;

	if (n < 4 || (memcmp(p, "tcp:", 4) != 0 && memcmp(p, "udp:", 4) != 0))
		return 1; /* not an endpoint (the HTTP inbound's URL) */
	p += 4;
	n -= 4;
	i = 0;
	if (n > 0 && p[0] == '[') {
		for (i = 1; i < n && p[i] != ']'; i++)
			if (!(p[i] == ':' || p[i] == '.' ||
				(p[i] >= '0' && p[i] <= '9') ||
				(p[i] >= 'a' && p[i] <= 'f') ||
				(p[i] >= 'A' && p[i] <= 'F')))
				return 0;
		if (i >= n)
			return 0;
		i++;
		if (i >= n || p[i] != ':')
			return 0;
		colon = i;
	} else {
		for (; i < n; i++) {
			if ((unsigned char)p[i] < 0x21 || p[i] == 0x7f)
				return 0;
			if (p[i] == ':') {
				if (colon != 0)
					return 0;
				colon = i;
			}
		}
		if (colon == 0)
			return 0;
	}
	digits = n - colon - 1;
	if (digits < 1 || digits > 5)
		return 0;
	for (i = colon + 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* The byte after the next space at or after P, or NULL. */
static const char *
after_space(const char *p, const char *end)
{
	const char *sp = memchr(p, ' ', (size_t)(end - p));

	return sp != NULL ? sp + 1 : NULL;
}

/*
 * The status of a record, "DATE TIME [from ]FROM STATUS ": 'a' for
 * accepted, 'r' for rejected, 0 if LINE does not have that shape; *REST
 * is the byte after it.
 */
static int
status_of(const char *line, const char *end, const char **rest)
{
	const char *p = line;
	int i;

	for (i = 0; i < 2 && p != NULL; i++)
		p = after_space(p, end);
	if (p != NULL && end - p >= 5 && memcmp(p, "from ", 5) == 0)
		p += 5;
	if (p != NULL)
		p = after_space(p, end);
	if (p == NULL || end - p < 9 || p[8] != ' ')
		return 0;
	*rest = p + 9;
	if (memcmp(p, "accepted", 8) == 0)
		return 'a';
	if (memcmp(p, "rejected", 8) == 0)
		return 'r';
	return 0;
}

/* The span left by a marker in P[0..END), or -1. */
static int64_t
marker_span(const char *p, const char *end)
{
	const char *m;

	m = memmem(p, (size_t)(end - p), marker, sizeof(marker) - 1);
	if (m == NULL)
		return -1;
	return RECGUARD_DOMAIN_MAX - 1 - (end - (m + sizeof(marker) - 1));
}

/*
 * How far past the end of LINE (LEN bytes) a record that starts in it
 * may go on with client text, by the rules of recguard.h: the number of
 * bytes after the newline at which a line can still begin inside it, or
 * -1.  A line that begins a record (AT_START) is looked at by its status:
 * the marker of rule 1 comes in the reason of a rejection, the name of
 * rule 2 in the destination of an acceptance.  Inside a span every line
 * is the client's: rule 1 is looked for anywhere, rule 2 not at all (one
 * request could widen the span to that rule's size).
 */
static int64_t
opens(const char *line, size_t len, int at_start)
{
	const char *to, *toend, *end = line + len;
	int64_t span;

	if (!at_start)
		return marker_span(line, end);
	switch (status_of(line, end, &to)) {
	case 'a':
		toend = memchr(to, ' ', (size_t)(end - to));
		if (toend == NULL)
			toend = end;
		if (clean_dest(to, (size_t)(toend - to)))
			return -1;
		span = RECGUARD_SOCKS4A_MAX - 1 - (end - (to + 4));
		return span >= 0 ? span : -1;
	case 'r':
		return marker_span(to, end);
	default: /* not the shape of a record: look anyway */
		return marker_span(line, end);
	}
}

int
recguard_line(struct recguard *g, const char *line, size_t len)
{
	int inside = g->left >= 0;
	int64_t span;

	if (inside)
		g->left -= (int64_t)len + 1;
	if ((span = opens(line, len, !inside)) > g->left)
		g->left = span;
	if (g->left < 0)
		g->left = -1;
	return inside;
}
