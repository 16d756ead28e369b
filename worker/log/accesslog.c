/*
 * The access-log line parser (see accesslog.h for the formats).  It walks
 * the line once, left to right, and only records where each field is.
 * The regex mode is in accesslog_regex.c.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accesslog.h"
#include "xmalloc.h"

static const char *const result_names[ACCESSLOG__MAX] = {
	"ok",
	"no-user",
	"rejected",
	"api",
	"malformed",
	"too-long",
	"bad-utf8",
	"nul",
};

const char *
accesslog_result_str(enum accesslog_result r)
{
	if ((unsigned int)r >= ACCESSLOG__MAX)
		return "unknown";
	return result_names[r];
}

int
accesslog_slice_eq(struct accesslog_slice s, const char *str)
{
	size_t n;

	n = strlen(str);
	return s.len == n && (n == 0 || memcmp(s.p, str, n) == 0);
}

static inline int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int
accesslog_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + len;
	uint64_t w;
	unsigned char c;

	while (s < end) {
		/* ASCII fast path, 8 bytes at a time. */
		while (end - s >= 8) {
			memcpy(&w, s, sizeof(w));
			if ((w & UINT64_C(0x8080808080808080)) != 0)
				break;
			s += 8;
		}
		if (s >= end)
			break;
		c = *s;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			if (end - s < 2 || (s[1] & 0xc0) != 0x80)
				return 0;
			s += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			if (end - s < 3 || (s[1] & 0xc0) != 0x80 ||
			    (s[2] & 0xc0) != 0x80)
				return 0;
			if (c == 0xe0 && s[1] < 0xa0) /* overlong */
				return 0;
			if (c == 0xed && s[1] > 0x9f) /* surrogate */
				return 0;
			s += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			if (end - s < 4 || (s[1] & 0xc0) != 0x80 ||
			    (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
				return 0;
			if (c == 0xf0 && s[1] < 0x90) /* overlong */
				return 0;
			if (c == 0xf4 && s[1] > 0x8f) /* > U+10FFFF */
				return 0;
			s += 4;
		} else
			return 0;
	}
	return 1;
}

/* One pass over the bytes (see accesslog_check_bytes()); inlined into
 * the built-in parser. */
static inline int
check_bytes(const char *line, size_t len)
{
	const char *s = line, *end = line + len;
	uint64_t w;

	while (end - s >= 8) {
		memcpy(&w, s, sizeof(w));
		if ((w & UINT64_C(0x8080808080808080)) != 0)
			goto slow;
		/* Any zero byte (the classic haszero() test). */
		if (((w - UINT64_C(0x0101010101010101)) & ~w &
			UINT64_C(0x8080808080808080)) != 0)
			return ACCESSLOG_NUL;
		s += 8;
	}
	/* The last few bytes of an ASCII line, without two calls. */
	for (; s < end && (unsigned char)*s - 1u < 0x7fu; s++)
		;
	if (s == end)
		return 0;
slow:
	if (memchr(s, '\0', (size_t)(end - s)) != NULL)
		return ACCESSLOG_NUL;
	if (!accesslog_utf8_valid(s, (size_t)(end - s)))
		return ACCESSLOG_BAD_UTF8;
	return 0;
}

int
accesslog_check_bytes(const char *line, size_t len)
{
	return check_bytes(line, len);
}

/* "YYYY/MM/DD HH:MM:SS[.frac] "; returns the byte after the space. */
static const char *
parse_time(const char *p, const char *end, struct accesslog_rec *r)
{
	static const char shape[] = "dddd/dd/dd dd:dd:dd";
	const char *start = p;
	unsigned int mon, day, hour, min, sec;
	size_t i, nfrac;

	if ((size_t)(end - p) < sizeof(shape))
		return NULL;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd') {
			if (!is_digit((unsigned char)p[i]))
				return NULL;
		} else if (p[i] != shape[i])
			return NULL;
	}
	mon = (p[5] - '0') * 10 + (p[6] - '0');
	day = (p[8] - '0') * 10 + (p[9] - '0');
	hour = (p[11] - '0') * 10 + (p[12] - '0');
	min = (p[14] - '0') * 10 + (p[15] - '0');
	sec = (p[17] - '0') * 10 + (p[18] - '0');
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return NULL;
	p += sizeof(shape) - 1;
	if (*p == '.') {
		p++;
		nfrac = 0;
		while (p < end && is_digit((unsigned char)*p) && nfrac < 9) {
			p++;
			nfrac++;
		}
		if (nfrac == 0)
			return NULL;
	}
	if (p >= end || *p != ' ')
		return NULL;
	r->time.p = start;
	r->time.len = (size_t)(p - start);
	return p + 1;
}

/* Decimal 0..65535, 1..5 digits. */
static int
parse_port(const char *p, size_t n, unsigned int *out)
{
	unsigned int v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (unsigned int)(p[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = v;
	return 0;
}

/* Dotted quad, each part 0..255 with 1..3 digits. */
static int
is_ipv4(const char *p, size_t n)
{
	unsigned int v, parts = 0;
	size_t i = 0, nd;

	for (;;) {
		v = 0;
		nd = 0;
		while (i < n && is_digit((unsigned char)p[i]) && nd < 4) {
			v = v * 10 + (unsigned int)(p[i] - '0');
			i++;
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255)
			return 0;
		parts++;
		if (i == n)
			return parts == 4;
		if (p[i] != '.' || parts == 4)
			return 0;
		i++;
	}
}

/* RFC 4291 text form: groups of 1..4 hex digits, one "::", IPv4 tail. */
static int
is_ipv6(const char *p, size_t n)
{
	size_t i = 0, nd, gstart;
	int groups = 0, dcolon = 0;

	if (n < 2 || n > 45)
		return 0;
	if (p[0] == ':') {
		if (p[1] != ':')
			return 0;
		dcolon = 1;
		i = 2;
		if (i == n)
			return 1; /* "::" */
	}
	for (;;) {
		gstart = i;
		nd = 0;
		while (i < n && is_hex((unsigned char)p[i]) && nd < 5) {
			i++;
			nd++;
		}
		if (i < n && p[i] == '.') {
			/* IPv4 tail: takes two groups, must end the address. */
			if (!is_ipv4(p + gstart, n - gstart) || groups > 6)
				return 0;
			groups += 2;
			break;
		}
		if (nd == 0 || nd > 4)
			return 0;
		groups++;
		if (i == n)
			break;
		if (p[i] != ':')
			return 0;
		i++;
		if (i < n && p[i] == ':') {
			if (dcolon)
				return 0;
			dcolon = 1;
			i++;
			if (i == n)
				break;
		} else if (i == n)
			return 0; /* trailing single colon */
	}
	return dcolon ? groups <= 7 : groups == 8;
}

/* Domain names as the cores print them: LDH, '_', '.', UTF-8 bytes. */
static int
is_domain(const char *p, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			is_digit(c) || c == '.' || c == '-' || c == '_' ||
			c >= 0x80))
			return 0;
	}
	return 1;
}

/*
 * "[net:]host:port" in P[0..N): NET is "tcp" or "udp" (required if
 * NEED_NET), host an IP (or a domain if ALLOW_DOMAIN), IPv6 in brackets.
 */
static int
parse_endpoint(const char *p, size_t n, int need_net, int allow_domain,
    struct accesslog_slice *net, struct accesslog_slice *host,
    struct accesslog_slice *port, unsigned int *portnum,
    enum accesslog_host *type)
{
	const char *h, *colon, *e = p + n;
	size_t hl;

	if (n >= 4 && p[3] == ':' &&
	    (memcmp(p, "tcp", 3) == 0 || memcmp(p, "udp", 3) == 0)) {
		net->p = p;
		net->len = 3;
		p += 4;
	} else if (need_net)
		return -1;
	if (p < e && *p == '[') {
		h = p + 1;
		colon = memchr(h, ']', (size_t)(e - h));
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - h);
		if (!is_ipv6(h, hl))
			return -1;
		colon++;
		if (colon >= e || *colon != ':')
			return -1;
		*type = ACCESSLOG_HOST_IPV6;
	} else {
		h = p;
		colon = memchr(h, ':', (size_t)(e - h));
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - h);
		if (is_ipv4(h, hl))
			*type = ACCESSLOG_HOST_IPV4;
		else if (allow_domain && is_domain(h, hl))
			*type = ACCESSLOG_HOST_DOMAIN;
		else
			return -1;
	}
	if (parse_port(colon + 1, (size_t)(e - colon - 1), portnum) == -1)
		return -1;
	host->p = h;
	host->len = hl;
	port->p = colon + 1;
	port->len = (size_t)(e - colon - 1);
	return 0;
}

/* Splits "in >> out", "in -> out", "in ==> out" or "out". */
static int
parse_detour(const char *p, size_t n, struct accesslog_rec *r)
{
	size_t i, sep;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] != ' ')
			continue;
		sep = 0;
		if (n - i >= 4 && memcmp(p + i, " >> ", 4) == 0)
			sep = 4;
		else if (n - i >= 4 && memcmp(p + i, " -> ", 4) == 0)
			sep = 4;
		else if (n - i >= 5 && memcmp(p + i, " ==> ", 5) == 0)
			sep = 5;
		if (sep == 0)
			continue;
		if (i + sep >= n)
			return -1;
		r->in_tag.p = p;
		r->in_tag.len = i;
		r->out_tag.p = p + i + sep;
		r->out_tag.len = n - i - sep;
		return 0;
	}
	r->out_tag.p = p;
	r->out_tag.len = n;
	return 0;
}

/* One token: no white space, no control characters. */
static int
is_token(const char *p, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c <= ' ' || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Finds the last " email: " in P[0..N); NULL if none. */
static const char *
find_email(const char *p, size_t n)
{
	const char *q;

	if (n < 8)
		return NULL;
	for (q = p + n - 8; q >= p; q--) {
		if (q[0] == ' ' && q[1] == 'e' && memcmp(q, " email: ", 8) == 0)
			return q;
		if (q == p)
			break;
	}
	return NULL;
}

/* "[REASON][ email: EMAIL]" after TO/DETOUR; leading spaces skipped. */
static int
parse_rest(const char *p, const char *end, struct accesslog_rec *r)
{
	const char *m;

	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	if ((size_t)(end - p) >= 7 && memcmp(p, "email: ", 7) == 0) {
		m = p - 1; /* as if " email: " */
	} else {
		m = find_email(p, (size_t)(end - p));
		if (m == NULL) {
			/* "email:" with nothing after it (trailing space cut). */
			if (((size_t)(end - p) == 6 &&
				memcmp(p, "email:", 6) == 0) ||
			    ((size_t)(end - p) > 6 &&
				memcmp(end - 7, " email:", 7) == 0))
				return -1;
			r->reason.p = p;
			r->reason.len = (size_t)(end - p);
			return 0;
		}
		r->reason.p = p;
		r->reason.len = (size_t)(m - p);
		while (r->reason.len > 0 && p[r->reason.len - 1] == ' ')
			r->reason.len--;
	}
	p = m + 8;
	if (!is_token(p, (size_t)(end - p)))
		return -1;
	r->email.p = p;
	r->email.len = (size_t)(end - p);
	return 0;
}

/* A struct copy of this is a few vector stores, where memset() of this
 * size compiles to "rep stos", whose startup was a fifth of the parse. */
static const struct accesslog_rec zero;

/* Up to the next space from P, or END. */
static const char *
to_space(const char *p, const char *end)
{
	const char *sp = memchr(p, ' ', (size_t)(end - p));

	return sp != NULL ? sp : end;
}

enum accesslog_result
accesslog_parse(const char *line, size_t len, struct accesslog_rec *r)
{
	const char *p, *end, *tok;
	int rejected, bad;

	*r = zero;
	if (len > ACCESSLOG_MAX_LINE)
		return ACCESSLOG_TOO_LONG;
	if ((bad = check_bytes(line, len)) != 0)
		return (enum accesslog_result)bad;
	end = line + len;
	while (end > line && (end[-1] == ' ' || end[-1] == '\r'))
		end--;

	if ((p = parse_time(line, end, r)) == NULL)
		goto bad;
	if (end - p >= 5 && memcmp(p, "from ", 5) == 0)
		p += 5;

	/* FROM */
	tok = p;
	p = to_space(p, end);
	if (p == end ||
	    parse_endpoint(tok, (size_t)(p - tok), 0, 0, &r->src_net,
		&r->src_ip, &r->src_port, &r->src_port_num, &r->src_type) == -1)
		goto bad;
	p++;

	/* STATUS */
	if (end - p >= 8 && memcmp(p, "accepted", 8) == 0)
		rejected = 0;
	else if (end - p >= 8 && memcmp(p, "rejected", 8) == 0)
		rejected = 1;
	else
		goto bad;
	r->status.p = p;
	r->status.len = 8;
	p += 8;
	if (p < end && *p != ' ')
		goto bad;
	if (p < end)
		p++;
	r->accepted = !rejected;

	/* TO: required for accepted lines, usually empty for rejected ones. */
	tok = p;
	p = to_space(p, end);
	if (parse_endpoint(tok, (size_t)(p - tok), 1, 1, &r->dst_net,
		&r->dst_host, &r->dst_port, &r->dst_port_num,
		&r->dst_type) == -1) {
		if (!rejected)
			goto bad;
		memset(&r->dst_net, 0, sizeof(r->dst_net));
		r->dst_type = ACCESSLOG_HOST_NONE;
		p = tok;
		if (parse_rest(p, end, r) == -1)
			goto bad;
		return ACCESSLOG_REJECTED;
	}

	/* [DETOUR] */
	if (end - p >= 2 && p[1] == '[') {
		tok = p + 2;
		p = memchr(tok, ']', (size_t)(end - tok));
		if (p == NULL || parse_detour(tok, (size_t)(p - tok), r) == -1)
			goto bad;
		p++;
		if (p < end && *p != ' ')
			goto bad;
	}
	if (parse_rest(p, end, r) == -1)
		goto bad;
	if (rejected)
		return ACCESSLOG_REJECTED;
	/* The cores give a reason only when rejecting: anything else is junk. */
	if (r->reason.len > 0)
		goto bad;
	if (accesslog_slice_eq(r->in_tag, "api") ||
	    (r->in_tag.len == 0 && accesslog_slice_eq(r->out_tag, "api"))) {
		r->is_api = 1;
		return ACCESSLOG_API;
	}
	if (r->email.len == 0)
		return ACCESSLOG_NO_USER;
	return ACCESSLOG_OK;
bad:
	*r = zero;
	return ACCESSLOG_MALFORMED;
}
