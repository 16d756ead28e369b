/*
 * The conditions of routing rules as both core shapes write them (see
 * routecheck_int.h): lists of strings, address ranges, ports.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "routecheck_int.h"
#include "xmalloc.h"

json_object *
rc_get(json_object *o, const char *key, json_type t)
{
	json_object *m;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &m) || m == NULL)
		return NULL;
	if (t != json_type_null && !json_object_is_type(m, t))
		return NULL;
	return m;
}

int
rc_empty(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_string:
		return json_object_get_string_len(v) == 0;
	case json_type_array:
		return json_object_array_length(v) == 0;
	case json_type_object:
		return json_object_object_length(v) == 0;
	default:
		return 0;
	}
}

/* Whether S equals the item I (N bytes; blanks count, as in the cores). */
static int
item_is(const char *i, size_t n, const char *s, int icase)
{
	if (strlen(s) != n)
		return 0;
	return icase ? strncasecmp(i, s, n) == 0 : strncmp(i, s, n) == 0;
}

static int
str_item_in(const char *v, const char *s, int commas, int icase)
{
	const char *p;

	if (!commas)
		return item_is(v, strlen(v), s, icase);
	for (;;) {
		p = strchr(v, ',');
		if (item_is(
			v, p != NULL ? (size_t)(p - v) : strlen(v), s, icase))
			return 1;
		if (p == NULL)
			return 0;
		v = p + 1;
	}
}

int
rc_str_in(json_object *v, const char *s, int commas, int icase)
{
	json_object *e;
	size_t i, n;
	int m = RC_NO;

	if (json_object_is_type(v, json_type_string))
		return str_item_in(json_object_get_string(v), s, commas, icase)
		    ? RC_YES
		    : RC_NO;
	if (!json_object_is_type(v, json_type_array))
		return RC_MAYBE;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			m = RC_MAX(m, RC_MAYBE);
		else if (str_item_in(json_object_get_string(e), s, 0, icase))
			return RC_YES;
	}
	return m;
}

/* Whether the first BITS bits of A and B agree. */
static int
prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int i;

	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != b[i])
			return 0;
	return bits == 0 ||
	    ((a[i] ^ b[i]) & (unsigned char)(0xff << (8 - bits))) == 0;
}

int
rc_cidr(const char *s, const struct routecheck_target *t)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	unsigned char a[16];
	char h[64], *end;
	const char *slash;
	long bits;
	int fam, max;

	slash = strchr(s, '/');
	if (strlen(s) >= sizeof(h))
		return RC_MAYBE;
	snprintf(h, sizeof(h), "%.*s",
	    slash != NULL ? (int)(slash - s) : (int)strlen(s), s);
	if (inet_pton(AF_INET, h, a) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, h, a) == 1)
		fam = AF_INET6;
	else
		return RC_MAYBE;
	max = fam == AF_INET ? 32 : 128;
	bits = max;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || bits < 0 || bits > max)
			return RC_MAYBE;
	}
	/* ::ffff:a.b.c.d/N is the IPv4 range a.b.c.d/(N-96). */
	if (fam == AF_INET6 && bits >= 96 && memcmp(a, mapped, 12) == 0) {
		memmove(a, a + 12, 4);
		fam = AF_INET;
		bits -= 96;
	}
	if (fam != t->family)
		return RC_NO;
	return prefix_eq(a, t->addr, (int)bits) ? RC_YES : RC_NO;
}

int
rc_private(const struct routecheck_target *t, int geoip)
{
	/* Ranges of both lists, then those of geoip:private only. */
	static const char *const both[] = { "0.0.0.0/32", "10.0.0.0/8",
		"127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.168.0.0/16", "224.0.0.0/4", "::/128", "::1/128",
		"fc00::/7", "fe80::/10", "ff00::/8", NULL };
	static const char *const wide[] = { "0.0.0.0/8", "100.64.0.0/10",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24",
		"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
		"240.0.0.0/4", NULL };
	size_t i;

	for (i = 0; both[i] != NULL; i++)
		if (rc_cidr(both[i], t) == RC_YES)
			return RC_YES;
	for (i = 0; geoip && wide[i] != NULL; i++)
		if (rc_cidr(wide[i], t) == RC_YES)
			return RC_YES;
	return RC_NO;
}

/* Whether PORT is in the range item I (N bytes): "P", "A-B" (SEP '-'),
 * or with SEP ':' also ":B" and "A:". */
static int
port_item(const char *i, size_t n, int port, char sep)
{
	char s[32], *p, *end;
	long lo, hi;

	while (n > 0 && (*i == ' ' || *i == '\t')) {
		i++;
		n--;
	}
	while (n > 0 && (i[n - 1] == ' ' || i[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(s))
		return RC_MAYBE;
	memcpy(s, i, n);
	s[n] = '\0';
	lo = 0;
	hi = 65535;
	if ((p = strchr(s, sep)) != NULL) {
		*p++ = '\0';
		if (s[0] != '\0' || sep == '-') {
			lo = strtol(s, &end, 10);
			if (end == s || *end != '\0')
				return RC_MAYBE;
		}
		if (*p != '\0' || sep == '-') {
			hi = strtol(p, &end, 10);
			if (end == p || *end != '\0')
				return RC_MAYBE;
		}
	} else {
		lo = hi = strtol(s, &end, 10);
		if (end == s || *end != '\0')
			return RC_MAYBE;
	}
	if (lo < 0 || hi > 65535 || lo > hi)
		return RC_MAYBE;
	return port >= lo && port <= hi ? RC_YES : RC_NO;
}

static int
port_one(json_object *v, int port, char sep)
{
	const char *s, *p;
	int m = RC_NO;

	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) == port ? RC_YES : RC_NO;
	if (!json_object_is_type(v, json_type_string))
		return RC_MAYBE;
	s = json_object_get_string(v);
	for (;;) {
		p = strchr(s, ',');
		m = RC_MAX(m,
		    port_item(
			s, p != NULL ? (size_t)(p - s) : strlen(s), port, sep));
		if (p == NULL)
			return m;
		s = p + 1;
	}
}

int
rc_port_in(json_object *v, int port, char sep)
{
	size_t i, n;
	int m = RC_NO;

	if (!json_object_is_type(v, json_type_array))
		return port_one(v, port, sep);
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		m = RC_MAX(
		    m, port_one(json_object_array_get_idx(v, i), port, sep));
	return m;
}

void
rc_collect(json_object *v, json_object ***a, size_t *n, int one)
{
	size_t i, len;

	if (one) {
		if (json_object_is_type(v, json_type_object)) {
			*a = xreallocarray(*a, *n + 1, sizeof(**a));
			(*a)[(*n)++] = v;
		}
		return;
	}
	if (!json_object_is_type(v, json_type_array))
		return;
	len = json_object_array_length(v);
	for (i = 0; i < len; i++)
		rc_collect(json_object_array_get_idx(v, i), a, n, 1);
}
