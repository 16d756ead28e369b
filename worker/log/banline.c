/* Lines of the banned log (see banline.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "banline.h"

/* The part of the line not parsed yet. */
struct cur {
	const char *p;
	const char *end;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Skips blanks; returns how many. */
static size_t
blanks(struct cur *c)
{
	const char *s = c->p;

	while (c->p < c->end && is_blank(*c->p))
		c->p++;
	return (size_t)(c->p - s);
}

/* Takes the literal S if the line goes on with it; 1 or 0. */
static int
lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

/* Takes N digits as a number in [LO, HI]; 1 or 0. */
static int
num(struct cur *c, int n, int lo, int hi)
{
	int v = 0, i;

	if (c->end - c->p < n)
		return 0;
	for (i = 0; i < n; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return 0;
		v = v * 10 + (c->p[i] - '0');
	}
	if (v < lo || v > hi)
		return 0;
	c->p += n;
	return 1;
}

/* YYYY/MM/DD HH:MM:SS; 1 or 0. */
static int
date(struct cur *c)
{
	return num(c, 4, 0, 9999) && lit(c, "/") && num(c, 2, 1, 12) &&
	    lit(c, "/") && num(c, 2, 1, 31) && lit(c, " ") &&
	    num(c, 2, 0, 23) && lit(c, ":") && num(c, 2, 0, 59) &&
	    lit(c, ":") && num(c, 2, 0, 60);
}

/* The bytes up to the next blank (or the end) into S. */
static void
word(struct cur *c, struct banline_slice *s)
{
	s->p = c->p;
	while (c->p < c->end && !is_blank(*c->p))
		c->p++;
	s->len = (size_t)(c->p - s->p);
}

static int
valid_user(const struct banline_slice *s)
{
	size_t i;

	if (s->len == 0 || s->len > BANLINE_MAX_USER)
		return 0;
	for (i = 0; i < s->len; i++)
		if ((unsigned char)s->p[i] < 0x20 || s->p[i] == 0x7f)
			return 0;
	return 1;
}

static int
valid_ip(const struct banline_slice *s)
{
	char a[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];

	if (s->len == 0 || s->len >= sizeof(a) ||
	    memchr(s->p, '\0', s->len) != NULL)
		return 0;
	memcpy(a, s->p, s->len);
	a[s->len] = '\0';
	return inet_pton(AF_INET, a, bin) == 1 ||
	    inet_pton(AF_INET6, a, bin) == 1;
}

/* BAN's "banned for N seconds." into OUT->seconds; 1 or 0. */
static int
duration(struct cur *c, struct banline *out)
{
	long long v = 0;
	int neg, n = 0;

	if (!lit(c, "banned for "))
		return 0;
	neg = lit(c, "-");
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (++n > 18)
			return 0;
		v = v * 10 + (*c->p++ - '0');
	}
	if (n == 0 || !lit(c, " seconds."))
		return 0;
	out->seconds = neg ? -1 : v;
	return 1;
}

int
banline_parse(
    const char *line, size_t len, struct banline *out, const char **why)
{
	struct cur c = { line, line + len };

	memset(out, 0, sizeof(*out));
	out->seconds = -1;
	*why = NULL;
	if (len > BANLINE_MAX_LINE) {
		*why = "too long";
		return -1;
	}
	blanks(&c);
	if (c.p == c.end)
		return 0;
	out->when.p = c.p;
	if (!date(&c)) {
		*why = "no date and time";
		return -1;
	}
	out->when.len = (size_t)(c.p - out->when.p);
	if (blanks(&c) == 0) {
		*why = "no BAN or UNBAN";
		return -1;
	}
	if (lit(&c, "BAN"))
		out->ban = 1;
	else if (!lit(&c, "UNBAN")) {
		*why = "no BAN or UNBAN";
		return -1;
	}
	if (blanks(&c) == 0 || !lit(&c, "[User] = ")) {
		*why = "no [User]";
		return -1;
	}
	word(&c, &out->user);
	if (!valid_user(&out->user)) {
		*why = "bad user name";
		return -1;
	}
	if (blanks(&c) == 0 || !lit(&c, "[IP] = ")) {
		*why = "no [IP]";
		return -1;
	}
	word(&c, &out->ip);
	if (!valid_ip(&out->ip)) {
		*why = "bad address";
		return -1;
	}
	if (blanks(&c) > 0 && c.p < c.end) {
		if (out->ban ? !duration(&c, out) : !lit(&c, "unbanned.")) {
			*why = out->ban ? "bad \"banned for N seconds.\""
					: "bad \"unbanned.\"";
			return -1;
		}
		blanks(&c);
	}
	if (c.p != c.end) {
		*why = "text after the line";
		return -1;
	}
	return 1;
}
