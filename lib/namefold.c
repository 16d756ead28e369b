/* User names as the core compares them (see namefold.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "namefold.h"
#include "xmalloc.h"

struct namefold_entry {
	uint32_t cp;
	uint32_t lower;
	uint32_t key;
};

/* namefold_table[], by code point: generated (lib/namefold_gen.py). */
#include "namefold_table.inc"

#define NTABLE (sizeof(namefold_table) / sizeof(namefold_table[0]))
#define RUNE_ERROR 0xFFFDu

/* The table entry of CP, or NULL. */
static const struct namefold_entry *
lookup(uint32_t cp)
{
	size_t lo = 0, hi = NTABLE, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (namefold_table[mid].cp == cp)
			return &namefold_table[mid];
		if (namefold_table[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t
namefold_lower(uint32_t cp)
{
	const struct namefold_entry *e;

	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	return (e = lookup(cp)) != NULL ? e->lower : cp;
}

uint32_t
namefold_key(uint32_t cp)
{
	const struct namefold_entry *e;

	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	return (e = lookup(cp)) != NULL ? e->key : cp;
}

size_t
namefold_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xBF;
	size_t len, i;
	uint32_t c;

	*cp = RUNE_ERROR;
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		len = 2;
		c = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		len = 3;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0; /* no overlongs */
		else if (b == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		len = 4;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F; /* nothing above U+10FFFF */
	} else
		return 1;
	if (n < len)
		return 1;
	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 1;
		c = c << 6 | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = c;
	return len;
}

/* Writes CP (a code point) as UTF-8 at P; returns the bytes written. */
static size_t
encode(uint32_t cp, char *p)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xC0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xE0 | cp >> 12);
		p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		p[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | cp >> 18);
	p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	p[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The N bytes at S with MAP applied to each code point. */
static char *
map_name(const char *s, size_t n, uint32_t (*map)(uint32_t))
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	uint32_t cp;
	size_t l;

	/* A code point grows at most from 1 byte to 3 (U+FFFD), or from 2
	 * to 3 (U+023A to U+2C65). */
	o = out = xmalloc(n * 3 + 1);
	while (n > 0) {
		l = namefold_decode(p, n, &cp);
		o += encode(map(cp), o);
		p += l;
		n -= l;
	}
	*o = '\0';
	return out;
}

char *
name_lower(const char *s, size_t n)
{
	return map_name(s, n, namefold_lower);
}

char *
name_key_n(const char *s, size_t n)
{
	return map_name(s, n, namefold_key);
}

char *
name_key(const char *s)
{
	return name_key_n(s, strlen(s));
}

/* The key of the next code point of *S (N bytes left, advanced). */
static uint32_t
next_key(const unsigned char **s, size_t *n)
{
	uint32_t cp;
	size_t l;

	if (**s < 0x80) {
		cp = **s;
		l = 1;
	} else
		l = namefold_decode(*s, *n, &cp);
	*s += l;
	*n -= l;
	return namefold_key(cp);
}

int
name_key_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a,
			    *q = (const unsigned char *)b;
	size_t n = strlen(a), m = strlen(b);
	uint32_t x, y;

	while (n > 0 && m > 0) {
		x = next_key(&p, &n);
		y = next_key(&q, &m);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return n > 0 ? 1 : m > 0 ? -1 : 0;
}

uint64_t
name_key_hash(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a over code points */
	size_t n = strlen(s);
	uint32_t k;

	while (n > 0) {
		k = next_key(&p, &n);
		h ^= k;
		h *= 1099511628211ULL;
	}
	return h;
}
