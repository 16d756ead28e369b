#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "xmalloc.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes the N bytes at S into a new NUL-terminated string (*OUT, length
 * *OUTLEN).  Returns FORM_OK, FORM_EESCAPE or FORM_ENUL; on error *OUT is
 * NULL.
 */
static enum form_err
decode(const char *s, size_t n, char **out, size_t *outlen)
{
	enum form_err err = FORM_OK;
	char *d;
	size_t i, o;
	int hi, lo;

	d = xmalloc(n + 1);
	for (i = 0, o = 0; i < n; i++) {
		if (s[i] == '+') {
			d[o++] = ' ';
		} else if (s[i] == '%') {
			if (n - i < 3) {
				err = FORM_EESCAPE;
				goto fail;
			}
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				err = FORM_EESCAPE;
				goto fail;
			}
			if (hi == 0 && lo == 0) {
				err = FORM_ENUL;
				goto fail;
			}
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0') {
			/* A raw NUL byte in the input is as bad as %00. */
			err = FORM_ENUL;
			goto fail;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = '\0';
	*out = d;
	*outlen = o;
	return FORM_OK;
fail:
	free(d);
	*out = NULL;
	*outlen = 0;
	return err;
}

static int
has_key(const struct form_param *p, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].key, key) == 0)
			return 1;
	return 0;
}

static char *
cut_copy(const char *s, size_t n, size_t max)
{
	return xstrndup(s, n < max ? n : max);
}

enum form_err
form_parse(struct form *f, const char *s, size_t len,
    const struct form_limits *lim, char **badkey)
{
	struct form_param *tmp = NULL;
	size_t ntmp = 0, cap = 0, i, seg, eq, klen, vlen, rawklen;
	char *key = NULL, *val = NULL, *bad = NULL;
	const char *p, *amp, *e;
	enum form_err err = FORM_OK;

	if (badkey != NULL)
		*badkey = NULL;
	p = s;
	while (len > 0) {
		amp = memchr(p, '&', len);
		seg = amp != NULL ? (size_t)(amp - p) : len;
		if (seg == 0)
			goto next;
		e = memchr(p, '=', seg);
		rawklen = e != NULL ? (size_t)(e - p) : seg;
		eq = e != NULL ? rawklen + 1 : seg;

		if (rawklen == 0) {
			err = FORM_EEMPTYKEY;
			goto fail;
		}
		if ((err = decode(p, rawklen, &key, &klen)) != FORM_OK) {
			/* The key cannot be shown decoded: report it raw. */
			bad = cut_copy(p, rawklen, lim->max_key);
			goto fail;
		}
		if (klen > lim->max_key) {
			err = FORM_EKEYLEN;
			bad = cut_copy(key, klen, lim->max_key);
			goto fail;
		}
		if ((err = decode(p + eq, seg - eq, &val, &vlen)) != FORM_OK) {
			bad = cut_copy(key, klen, lim->max_key);
			goto fail;
		}
		if (vlen > lim->max_value) {
			err = FORM_EVALLEN;
			bad = cut_copy(key, klen, lim->max_key);
			goto fail;
		}
		if (has_key(f->params, f->n, key) || has_key(tmp, ntmp, key)) {
			err = FORM_EDUP;
			bad = cut_copy(key, klen, lim->max_key);
			goto fail;
		}
		if (ntmp >= lim->max_params) {
			err = FORM_E2BIG;
			goto fail;
		}
		if (ntmp == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			tmp = xreallocarray(tmp, cap, sizeof(*tmp));
		}
		tmp[ntmp].key = key;
		tmp[ntmp].value = val;
		ntmp++;
		key = val = NULL;
	next:
		if (amp == NULL)
			break;
		len -= seg + 1;
		p = amp + 1;
	}

	if (ntmp > 0) {
		f->params =
		    xreallocarray(f->params, f->n + ntmp, sizeof(*f->params));
		memcpy(f->params + f->n, tmp, ntmp * sizeof(*tmp));
		f->n += ntmp;
	}
	free(tmp);
	return FORM_OK;

fail:
	free(key);
	free(val);
	for (i = 0; i < ntmp; i++) {
		free(tmp[i].key);
		free(tmp[i].value);
	}
	free(tmp);
	if (badkey != NULL)
		*badkey = bad;
	else
		free(bad);
	return err;
}

const char *
form_get(const struct form *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->params[i].key, key) == 0)
			return f->params[i].value;
	return NULL;
}

const char *
form_strerror(enum form_err err)
{
	switch (err) {
	case FORM_OK:
		return "no error";
	case FORM_E2BIG:
		return "too many parameters";
	case FORM_EKEYLEN:
		return "parameter name too long";
	case FORM_EVALLEN:
		return "parameter value too long";
	case FORM_EESCAPE:
		return "malformed parameter encoding";
	case FORM_ENUL:
		return "parameter contains a NUL byte";
	case FORM_EDUP:
		return "duplicate parameter";
	case FORM_EEMPTYKEY:
		return "parameter with an empty name";
	}
	return "unknown form error";
}

void
form_free(struct form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->params[i].key);
		free(f->params[i].value);
	}
	free(f->params);
	f->params = NULL;
	f->n = 0;
}
