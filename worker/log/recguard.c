/*
 * The record guard (see recguard.h): a count of bytes, and two looks at
 * each line for the start of client text that may run past its end.
 */
#include "config.h"

#include <string.h>

#include "recguard.h"

static const char marker[] = "invalid domain name: ";
static const char accepted[] = "accepted ";

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
 * The destination of an accepted record, the token after "DATE TIME
 * [from ]FROM accepted ", in *TO and *TOEND; 0 if LINE is not one.
 */
static int
accepted_to(
    const char *line, const char *end, const char **to, const char **toend)
{
	const char *p = line;
	int i;

	for (i = 0; i < 2 && p != NULL; i++)
		p = after_space(p, end);
	if (p != NULL && end - p >= 5 && memcmp(p, "from ", 5) == 0)
		p += 5;
	if (p != NULL)
		p = after_space(p, end);
	if (p == NULL || (size_t)(end - p) < sizeof(accepted) - 1 ||
	    memcmp(p, accepted, sizeof(accepted) - 1) != 0)
		return 0;
	*to = p + sizeof(accepted) - 1;
	*toend = memchr(*to, ' ', (size_t)(end - *to));
	if (*toend == NULL)
		*toend = end;
	return 1;
}

/*
 * How far past the end of LINE (LEN bytes) a record that starts in it
 * may go on with client text, by the rules of recguard.h: the number of
 * bytes after the newline at which a line can still begin inside it, or
 * -1.  Rule 2 only for a line that begins a record (AT_START): inside a
 * span every line is the client's and would let one request widen the
 * span to that rule's size.
 */
static int64_t
opens(const char *line, size_t len, int at_start)
{
	const char *m, *to, *toend, *end = line + len;
	int64_t span = -1, k;

	m = memmem(line, len, marker, sizeof(marker) - 1);
	if (m != NULL) {
		k = end - (m + sizeof(marker) - 1);
		span = RECGUARD_DOMAIN_MAX - 1 - k;
	}
	if (at_start && accepted_to(line, end, &to, &toend) &&
	    !clean_dest(to, (size_t)(toend - to))) {
		k = end - (to + 4);
		if (RECGUARD_SOCKS4A_MAX - 1 - k > span)
			span = RECGUARD_SOCKS4A_MAX - 1 - k;
	}
	return span;
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
