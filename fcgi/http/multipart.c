#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"

#define MP_MAX_HEADERS 8192

/* RFC 2046 bcharsnospace. */
static int
is_bchar_nospace(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=?", c) != NULL;
}

/* RFC 7230 tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int
valid_boundary(const char *b, size_t n)
{
	size_t i;

	if (n == 0 || n > MULTIPART_MAX_BOUNDARY || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (b[i] != ' ' && !is_bchar_nospace((unsigned char)b[i]))
			return 0;
	return 1;
}

/*
 * Reads a parameter value at *PP (the N bytes up to END): a quoted string
 * with backslash escapes, or a run of token characters.  Copies it into
 * OUT (OUTSZ bytes, NUL-terminated) if OUT is not NULL.  Returns the
 * value's length, -1 if malformed, -2 if it does not fit.
 */
static long
param_value(const char **pp, const char *end, char *out, size_t outsz)
{
	const char *p = *pp;
	size_t o = 0;
	int toolong = 0;
	unsigned char c;

	if (p < end && *p == '"') {
		for (p++;; p++) {
			if (p >= end)
				return -1; /* unterminated */
			c = (unsigned char)*p;
			if (c == '"')
				break;
			if (c == '\\') {
				if (++p >= end)
					return -1;
				c = (unsigned char)*p;
			}
			if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7f)
				return -1;
			if (out != NULL) {
				if (o + 1 < outsz)
					out[o] = (char)c;
				else
					toolong = 1;
			}
			o++;
		}
		p++;
	} else {
		while (p < end && is_tchar((unsigned char)*p)) {
			if (out != NULL) {
				if (o + 1 < outsz)
					out[o] = *p;
				else
					toolong = 1;
			}
			o++;
			p++;
		}
		if (o == 0)
			return -1;
	}
	if (out != NULL)
		out[toolong ? 0 : o] = '\0';
	*pp = p;
	return toolong ? -2 : (long)o;
}

int
multipart_boundary(const char *ctype, char *out, size_t outsz)
{
	static const char mt[] = "multipart/form-data";
	const char *p, *end, *name;
	char val[MULTIPART_MAX_BOUNDARY + 1] = "";
	size_t nlen;
	long vlen;
	int found = 0;

	if (ctype == NULL || out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	p = ctype;
	end = ctype + strlen(ctype);
	while (p < end && is_ows((unsigned char)*p))
		p++;
	if ((size_t)(end - p) < sizeof(mt) - 1 ||
	    strncasecmp(p, mt, sizeof(mt) - 1) != 0)
		return -1;
	p += sizeof(mt) - 1;
	for (;;) {
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p == end)
			break;
		if (*p != ';')
			return -1;
		p++;
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p == end)
			break; /* a trailing ';' */
		if (*p == ';')
			continue;
		name = p;
		while (p < end && is_tchar((unsigned char)*p))
			p++;
		nlen = (size_t)(p - name);
		if (nlen == 0 || p == end || *p != '=')
			return -1;
		p++;
		if (nlen == 8 && strncasecmp(name, "boundary", 8) == 0) {
			if (found)
				return -1; /* two boundaries: ambiguous */
			vlen = param_value(&p, end, val, sizeof(val));
			if (vlen < 0 || !valid_boundary(val, (size_t)vlen))
				return -1;
			found = 1;
		} else if (param_value(&p, end, NULL, 0) < 0)
			return -1;
	}
	if (!found || strlen(val) + 1 > outsz)
		return -1;
	memcpy(out, val, strlen(val) + 1);
	return 0;
}

/*
 * What follows a "--BOUNDARY" match at offset Q: a close delimiter
 * ("--"), a delimiter line (LWSP then CRLF: *NEXT = after the CRLF), a bare
 * LF (an error), or ordinary data (not a delimiter).
 */
enum mp_delim {
	MP_D_NONE,
	MP_D_OPEN,
	MP_D_CLOSE,
	MP_D_BARELF,
};

static enum mp_delim
delim_kind(const char *body, size_t len, size_t q, size_t *next)
{
	if (len - q >= 2 && body[q] == '-' && body[q + 1] == '-')
		return MP_D_CLOSE;
	while (q < len && is_ows((unsigned char)body[q]))
		q++;
	if (q < len && body[q] == '\n')
		return MP_D_BARELF;
	if (len - q >= 2 && body[q] == '\r' && body[q + 1] == '\n') {
		*next = q + 2;
		return MP_D_OPEN;
	}
	return MP_D_NONE;
}

/*
 * Finds the next delimiter "\r\n--B" at or after FROM (or "--B" at FROM
 * itself when ATSTART).  NEEDLE is "\r\n--B" (NLEN bytes).  Sets *AT to
 * the offset of the CRLF (or of the dashes) and *NEXT as delim_kind().
 */
static enum mp_delim
find_delim(const char *body, size_t len, size_t from, const char *needle,
    size_t nlen, int atstart, size_t *at, size_t *next)
{
	const char *m;
	enum mp_delim k;
	size_t pos;

	if (atstart && len - from >= nlen - 2 &&
	    memcmp(body + from, needle + 2, nlen - 2) == 0) {
		k = delim_kind(body, len, from + nlen - 2, next);
		if (k != MP_D_NONE) {
			*at = from;
			return k;
		}
	}
	pos = from;
	while (pos < len) {
		m = memmem(body + pos, len - pos, needle, nlen);
		if (m == NULL)
			break;
		pos = (size_t)(m - body);
		k = delim_kind(body, len, pos + nlen, next);
		if (k != MP_D_NONE) {
			*at = pos;
			return k;
		}
		pos += 2;
	}
	return MP_D_NONE;
}

/*
 * Parses a Content-Disposition value (the N bytes at V) into PART.
 * Returns 0, or -1 with a reason in ERR.
 */
static int
parse_disposition(
    const char *v, size_t n, struct mpart *part, char *err, size_t errsz)
{
	const char *p = v, *end = v + n, *name;
	size_t nlen;
	long r;
	const char *why = "malformed Content-Disposition";
	int have_name = 0, have_file = 0;

	while (p < end && is_ows((unsigned char)*p))
		p++;
	name = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	if ((size_t)(p - name) != 9 || strncasecmp(name, "form-data", 9) != 0) {
		snprintf(err, errsz, "Content-Disposition is not form-data");
		return -1;
	}
	for (;;) {
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p == end)
			break;
		if (*p != ';')
			goto fail;
		p++;
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p == end)
			break;
		name = p;
		while (p < end && is_tchar((unsigned char)*p))
			p++;
		nlen = (size_t)(p - name);
		if (nlen == 0 || p == end || *p != '=')
			goto fail;
		p++;
		if (nlen == 4 && strncasecmp(name, "name", 4) == 0) {
			if (have_name) {
				why =
				    "repeated parameter in Content-Disposition";
				goto fail;
			}
			r = param_value(
			    &p, end, part->name, sizeof(part->name));
			if (r == -2) {
				snprintf(err, errsz,
				    "field name too long (max %zu bytes)",
				    sizeof(part->name) - 1);
				return -1;
			}
			have_name = 1;
		} else if (nlen == 8 && strncasecmp(name, "filename", 8) == 0) {
			if (have_file) {
				why =
				    "repeated parameter in Content-Disposition";
				goto fail;
			}
			r = param_value(
			    &p, end, part->filename, sizeof(part->filename));
			if (r == -2) {
				snprintf(err, errsz,
				    "file name too long (max %zu bytes)",
				    sizeof(part->filename) - 1);
				return -1;
			}
			have_file = 1;
		} else
			r = param_value(&p, end, NULL, 0);
		if (r < 0)
			goto fail;
	}
	if (!have_name) {
		snprintf(err, errsz, "Content-Disposition without a name");
		return -1;
	}
	return 0;
fail:
	snprintf(err, errsz, "%s", why);
	return -1;
}

/*
 * Parses the header block starting at *POS up to and including its blank
 * line; fills PART's name and filename.  Returns 0 and moves *POS to the
 * first data byte, or -1 with a reason in ERR.
 */
static int
parse_headers(const char *body, size_t len, size_t *pos, struct mpart *part,
    char *err, size_t errsz)
{
	const char *line, *eol, *colon, *p;
	size_t start = *pos, cur = *pos, limit, llen, i;
	int have_cd = 0;

	limit = len - start > MP_MAX_HEADERS ? start + MP_MAX_HEADERS : len;
	for (;;) {
		line = body + cur;
		eol = memmem(line, limit - cur, "\r\n", 2);
		if (eol == NULL) {
			if (limit == len)
				snprintf(err, errsz,
				    "unterminated part header block");
			else
				snprintf(err, errsz,
				    "part header block too large (max %d "
				    "bytes)",
				    MP_MAX_HEADERS);
			return -1;
		}
		llen = (size_t)(eol - line);
		cur += llen + 2;
		if (llen == 0)
			break;
		for (i = 0; i < llen; i++) {
			unsigned char c = (unsigned char)line[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				snprintf(err, errsz,
				    c == '\n' ? "bare LF in part headers "
						"(line ends must be CRLF)"
					      : "control character in part "
						"headers");
				return -1;
			}
		}
		colon = memchr(line, ':', llen);
		if (colon == NULL || colon == line) {
			snprintf(err, errsz, "malformed part header line");
			return -1;
		}
		for (p = line; p < colon; p++)
			if (!is_tchar((unsigned char)*p)) {
				snprintf(
				    err, errsz, "malformed part header name");
				return -1;
			}
		if ((size_t)(colon - line) == 19 &&
		    strncasecmp(line, "Content-Disposition", 19) == 0) {
			if (have_cd) {
				snprintf(err, errsz,
				    "part has two Content-Disposition headers");
				return -1;
			}
			if (parse_disposition(colon + 1,
				llen - (size_t)(colon + 1 - line), part, err,
				errsz) == -1)
				return -1;
			have_cd = 1;
		}
	}
	if (!have_cd) {
		snprintf(err, errsz, "part without Content-Disposition");
		return -1;
	}
	*pos = cur;
	return 0;
}

int
multipart_parse(const char *body, size_t len, const char *boundary,
    struct mpart *parts, size_t maxparts, char *err, size_t errsz)
{
	char needle[MULTIPART_MAX_BOUNDARY + 5];
	struct mpart tmp;
	size_t blen, nlen, at = 0, next = 0, pos, dstart;
	enum mp_delim k;
	int n = 0;

	if (errsz > 0)
		err[0] = '\0';
	blen = boundary != NULL ? strlen(boundary) : 0;
	if (!valid_boundary(boundary, blen)) {
		snprintf(err, errsz, "invalid boundary");
		return -1;
	}
	if (body == NULL)
		len = 0;
	memcpy(needle, "\r\n--", 4);
	memcpy(needle + 4, boundary, blen);
	nlen = blen + 4;

	k = find_delim(body, len, 0, needle, nlen, 1, &at, &next);
	if (k == MP_D_NONE) {
		snprintf(err, errsz, "no boundary delimiter in body");
		return -1;
	}
	for (;;) {
		if (k == MP_D_NONE) {
			snprintf(err, errsz, "missing closing boundary");
			return -1;
		}
		if (k == MP_D_BARELF) {
			snprintf(err, errsz,
			    "bare LF after boundary (line ends must be CRLF)");
			return -1;
		}
		if (k == MP_D_CLOSE)
			break;
		if ((size_t)n >= maxparts) {
			snprintf(
			    err, errsz, "too many parts (max %zu)", maxparts);
			return -1;
		}
		memset(&tmp, 0, sizeof(tmp));
		pos = next;
		if (parse_headers(body, len, &pos, &tmp, err, errsz) == -1)
			return -1;
		dstart = pos;
		k = find_delim(body, len, dstart, needle, nlen, 0, &at, &next);
		if (k == MP_D_NONE)
			continue;
		tmp.data = body + dstart;
		tmp.len = at - dstart;
		parts[n++] = tmp;
	}
	return n;
}

const struct mpart *
multipart_find(const struct mpart *parts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}
