#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "valid.h"

static void
set_err(char *err, size_t errsz, const char *msg)
{
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "%s", msg);
}

/*
 * Decodes one UTF-8 sequence at S (N > 0 bytes left).  Returns its length
 * and sets *CP, or 0 if it is malformed (overlong, surrogate, > U+10FFFF,
 * truncated, stray continuation byte).
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t k;

	while (n > 0) {
		if ((k = utf8_next(p, n, &cp)) == 0)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

/* Go's unicode.IsSpace. */
static int
is_space_cp(uint32_t c)
{
	switch (c) {
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case ' ':
	case 0x85:
	case 0xa0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return 1;
	}
	return c >= 0x2000 && c <= 0x200a;
}

static int
is_control_cp(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

int
valid_user(const char *s, char *err, size_t errsz)
{
	const unsigned char *p;
	uint32_t cp;
	size_t n, k, nchars = 0;

	if (s == NULL || *s == '\0') {
		set_err(err, errsz, "empty");
		return -1;
	}
	n = strlen(s);
	if (!valid_utf8(s, n)) {
		set_err(err, errsz, "is not valid UTF-8");
		return -1;
	}
	for (p = (const unsigned char *)s, k = n; k > 0; nchars++) {
		size_t l = utf8_next(p, k, &cp);

		p += l;
		k -= l;
	}
	if (nchars > VALID_USER_MAX_CHARS || n > VALID_USER_MAX_BYTES) {
		set_err(err, errsz, "too long (max 40 characters)");
		return -1;
	}
	for (p = (const unsigned char *)s, k = n; k > 0;) {
		size_t l = utf8_next(p, k, &cp);

		if (is_space_cp(cp)) {
			set_err(err, errsz, "contains whitespace");
			return -1;
		}
		if (is_control_cp(cp)) {
			set_err(err, errsz, "contains a control character");
			return -1;
		}
		if (cp == ',') {
			set_err(err, errsz, "contains ','");
			return -1;
		}
		if (cp == '"' || cp == '\\') {
			set_err(err, errsz, "contains a quote or backslash");
			return -1;
		}
		p += l;
		k -= l;
	}
	if (strstr(s, ">>>") != NULL) {
		set_err(err, errsz, "contains '>>>'");
		return -1;
	}
	if (strstr(s, "||") != NULL) {
		set_err(err, errsz, "contains '||'");
		return -1;
	}
	return 0;
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

int
valid_uuid(const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
		} else if (!is_hex((unsigned char)s[i]))
			return -1; /* also stops at a NUL */
	}
	return s[36] == '\0' ? 0 : -1;
}

void
uuid_normalize(const char *s, char out[37])
{
	size_t i;

	for (i = 0; i < 36; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a')
						      : s[i];
	out[36] = '\0';
}

/*
 * Fills BUF with N random bytes from the kernel.  Fatal if the kernel
 * cannot give any: a predictable credential is worse than no process.
 */
static void
random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t r;
	int fd;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == ENOSYS)
			break;
		if (r <= 0)
			fatal("getrandom");
		p += r;
		n -= (size_t)r;
	}
	if (n == 0)
		return;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		fatal("open /dev/urandom");
	while (n > 0) {
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fatal("read /dev/urandom");
		p += r;
		n -= (size_t)r;
	}
	close(fd);
}

void
uuid_generate(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o;

	random_bytes(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0, o = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[36] = '\0';
}

int
valid_password(const char *s, char *err, size_t errsz)
{
	size_t i;

	if (s == NULL || *s == '\0') {
		set_err(err, errsz, "empty");
		return -1;
	}
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= VALID_CRED_MAX) {
			set_err(err, errsz, "too long (max 64 bytes)");
			return -1;
		}
		if (c == ',') {
			set_err(err, errsz, "contains ','");
			return -1;
		}
		if (c <= 0x20 || c >= 0x7f) {
			set_err(err, errsz,
			    "contains a character other than printable "
			    "ASCII (no spaces)");
			return -1;
		}
	}
	return 0;
}

void
password_generate(char *out, size_t len)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[64];
	size_t o = 0, i = sizeof(rnd);

	/* 62 * 4 = 248: bytes 248..255 are dropped so that b % 62 is uniform. */
	while (o < len) {
		if (i == sizeof(rnd)) {
			random_bytes(rnd, sizeof(rnd));
			i = 0;
		}
		if (rnd[i] < 248)
			out[o++] = set[rnd[i] % 62];
		i++;
	}
	out[len] = '\0';
}

int
valid_tag(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= VALID_TAG_MAX)
			return -1;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			(c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
			c == '-'))
			return -1;
	}
	return 0;
}

int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true",
		"True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false",
		"False" };
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
parse_int(const char *s, long long min, long long max, long long *out)
{
	unsigned long long v = 0;
	size_t i = 0, nd = 0;
	int neg = 0;
	long long r;

	if (s == NULL)
		return -1;
	if (s[0] == '-') {
		if (min >= 0)
			return -1;
		neg = 1;
		i = 1;
	}
	for (; s[i] != '\0'; i++, nd++) {
		if (s[i] < '0' || s[i] > '9' || nd >= 19)
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (nd == 0)
		return -1;
	/* 19 digits fit in unsigned long long; now fit them in long long. */
	if (neg) {
		if (v > (unsigned long long)INT64_MAX + 1)
			return -1;
		r = v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN
							   : -(long long)v;
	} else {
		if (v > (unsigned long long)INT64_MAX)
			return -1;
		r = (long long)v;
	}
	if (r < min || r > max)
		return -1;
	*out = r;
	return 0;
}
