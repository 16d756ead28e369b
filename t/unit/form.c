/* Unit tests for fcgi/http/form.c: urlencoded query strings and bodies. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "tap.h"

static const struct form_limits lim = { 32, 64, 1024 };

struct ftest {
	const char *in;
	enum form_err err;
	const char *want; /* OK: the pairs as "k=v|k=v|"; else: badkey */
};

static const struct ftest tests[] = {
	{ "", FORM_OK, "" },
	{ "a=1", FORM_OK, "a=1|" },
	{ "a=1&b=2", FORM_OK, "a=1|b=2|" },
	{ "a", FORM_OK, "a=|" },
	{ "a=", FORM_OK, "a=|" },
	{ "a==b", FORM_OK, "a==b|" },
	{ "a=1&&b=2", FORM_OK, "a=1|b=2|" },
	{ "&&&", FORM_OK, "" },
	{ "&a=1&", FORM_OK, "a=1|" },
	{ "a+b=c+d", FORM_OK, "a b=c d|" },
	{ "sub_end=+30", FORM_OK, "sub_end= 30|" },
	{ "sub_end=%2B30", FORM_OK, "sub_end=+30|" },
	{ "a=%41%62", FORM_OK, "a=Ab|" },
	{ "a=%e2%9C%93", FORM_OK, "a=\xe2\x9c\x93|" },
	{ "%61=1", FORM_OK, "a=1|" },
	{ "a=%26%3D", FORM_OK, "a=&=|" },
	{ "a=%ff", FORM_OK, "a=\xff|" },
	{ "a=1;b=2", FORM_OK, "a=1;b=2|" },
	{ "a=%25", FORM_OK, "a=%|" },
	{ "a=%", FORM_EESCAPE, "a" },
	{ "a=%0", FORM_EESCAPE, "a" },
	{ "a=1%", FORM_EESCAPE, "a" },
	{ "a=%G1", FORM_EESCAPE, "a" },
	{ "a=%1G", FORM_EESCAPE, "a" },
	{ "a=%u00e9", FORM_EESCAPE, "a" },
	{ "a=% 1", FORM_EESCAPE, "a" },
	{ "%zz", FORM_EESCAPE, "%zz" },
	{ "k%zz=1", FORM_EESCAPE, "k%zz" },
	{ "b=2&a=%", FORM_EESCAPE, "a" },
	{ "a=%00", FORM_ENUL, "a" },
	{ "a=x%00y", FORM_ENUL, "a" },
	{ "k%00=1", FORM_ENUL, "k%00" },
	{ "=1", FORM_EEMPTYKEY, NULL },
	{ "=", FORM_EEMPTYKEY, NULL },
	{ "a=1&=2", FORM_EEMPTYKEY, NULL },
	{ "a=1&a=2", FORM_EDUP, "a" },
	{ "a&a", FORM_EDUP, "a" },
	{ "a+b=1&a%20b=2", FORM_EDUP, "a b" },
	{ "%61=1&a=2", FORM_EDUP, "a" },
	/* the first error wins */
	{ "a=%&a=1", FORM_EESCAPE, "a" },
	{ "a=1&a=%", FORM_EESCAPE, "a" },
};

static void
pairs(const struct form *f, struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < f->n; i++)
		buf_printf(b, "%s=%s|", f->params[i].key, f->params[i].value);
}

static void
t_table(void)
{
	struct form f;
	struct buf b;
	char *bad;
	size_t i;
	enum form_err e;

	buf_init(&b);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		memset(&f, 0, sizeof(f));
		e = form_parse(
		    &f, tests[i].in, strlen(tests[i].in), &lim, &bad);
		is_int(e, tests[i].err, "'%s': error %s", tests[i].in,
		    form_strerror(tests[i].err));
		if (tests[i].err == FORM_OK) {
			pairs(&f, &b);
			is_str(buf_str(&b), tests[i].want, "'%s': pairs",
			    tests[i].in);
			ok(bad == NULL, "'%s': no badkey on success",
			    tests[i].in);
		} else {
			is_str(bad, tests[i].want, "'%s': badkey", tests[i].in);
			ok(f.n == 0 && f.params == NULL, "'%s': form unchanged",
			    tests[i].in);
		}
		free(bad);
		form_free(&f);
	}
	buf_free(&b);
}

static void
t_len_not_nul(void)
{
	struct form f;
	static const char in[] = "a=1&b=2&c=3";
	char raw[3] = { 'x', '=', '%' }; /* not NUL-terminated */

	memset(&f, 0, sizeof(f));
	is_int(form_parse(&f, in, 7, &lim, NULL), FORM_OK, "len cuts input");
	is_int((long long)f.n, 2, "only the first LEN bytes");
	is_str(form_get(&f, "b"), "2", "b=2 found");
	ok(form_get(&f, "c") == NULL, "c beyond LEN absent");
	form_free(&f);

	is_int(form_parse(&f, raw, 2, &lim, NULL), FORM_OK,
	    "unterminated buffer, escape beyond LEN not read");
	is_str(form_get(&f, "x"), "", "x=");
	form_free(&f);
	is_int(form_parse(&f, raw, 3, &lim, NULL), FORM_EESCAPE,
	    "'%%' as last byte of LEN is a bad escape");
	is_int(
	    form_parse(&f, NULL, 0, &lim, NULL), FORM_OK, "NULL with length 0");
	is_int(form_parse(&f, "a\0b=1", 5, &lim, NULL), FORM_ENUL,
	    "raw NUL byte in input");
	form_free(&f);
}

static void
t_limits(void)
{
	struct form f;
	struct buf b;
	char *bad = NULL;
	int i;

	memset(&f, 0, sizeof(f));
	buf_init(&b);

	/* key exactly 64 bytes ok, 65 too long; decoded length counts */
	buf_fill(&b, 'k', 64);
	buf_puts(&b, "=v");
	is_int(form_parse(&f, b.data, b.len, &lim, NULL), FORM_OK,
	    "64-byte key accepted");
	form_free(&f);
	buf_reset(&b);
	buf_fill(&b, 'k', 65);
	buf_puts(&b, "=v");
	is_int(form_parse(&f, b.data, b.len, &lim, &bad), FORM_EKEYLEN,
	    "65-byte key refused");
	ok(bad != NULL && strlen(bad) == 64, "badkey cut to max_key");
	free(bad);
	buf_reset(&b);
	for (i = 0; i < 64; i++)
		buf_puts(&b, "%41");
	buf_puts(&b, "=v");
	is_int(form_parse(&f, b.data, b.len, &lim, NULL), FORM_OK,
	    "192 raw bytes decoding to a 64-byte key accepted");
	form_free(&f);

	buf_reset(&b);
	buf_puts(&b, "v=");
	buf_fill(&b, 'x', 1024);
	is_int(form_parse(&f, b.data, b.len, &lim, NULL), FORM_OK,
	    "1024-byte value accepted");
	form_free(&f);
	buf_putc(&b, 'x');
	is_int(form_parse(&f, b.data, b.len, &lim, &bad), FORM_EVALLEN,
	    "1025-byte value refused");
	is_str(bad, "v", "badkey names the key of the long value");
	free(bad);
	ok(f.n == 0, "nothing added");

	/* a very long hostile value (1 MiB) */
	buf_reset(&b);
	buf_puts(&b, "big=");
	buf_fill(&b, '+', 1 << 20);
	is_int(form_parse(&f, b.data, b.len, &lim, NULL), FORM_EVALLEN,
	    "1 MiB value refused");

	/* 32 params ok, 33 too many */
	buf_reset(&b);
	for (i = 0; i < 32; i++)
		buf_printf(&b, "%sp%d=%d", i ? "&" : "", i, i);
	is_int(form_parse(&f, b.data, b.len, &lim, NULL), FORM_OK,
	    "32 params accepted");
	is_int((long long)f.n, 32, "32 pairs stored");
	is_str(form_get(&f, "p31"), "31", "last of 32 found");
	form_free(&f);
	buf_puts(&b, "&p32=32");
	is_int(form_parse(&f, b.data, b.len, &lim, &bad), FORM_E2BIG,
	    "33 params refused");
	ok(bad == NULL, "no badkey for too many");
	ok(f.n == 0, "nothing added");

	/* 1000 params */
	buf_reset(&b);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "k%d=v%d&", i, i);
	is_int(form_parse(&f, b.data, b.len, &lim, NULL), FORM_E2BIG,
	    "1000 params refused with the usual limits");
	{
		const struct form_limits big = { 1000, 64, 1024 };

		is_int(form_parse(&f, b.data, b.len, &big, NULL), FORM_OK,
		    "1000 params accepted with max_params 1000");
		is_int((long long)f.n, 1000, "1000 pairs");
		is_str(form_get(&f, "k999"), "v999", "k999");
		is_str(form_get(&f, "k0"), "v0", "k0");
		form_free(&f);
		buf_puts(&b, "k500=again");
		is_int(form_parse(&f, b.data, b.len, &big, &bad), FORM_EDUP,
		    "duplicate found among 1000 (checked before the count)");
		is_str(bad, "k500", "duplicate key named");
		free(bad);
	}
	buf_free(&b);
}

static void
t_across(void)
{
	struct form f;
	char *bad = NULL;

	memset(&f, 0, sizeof(f));
	is_int(form_parse(&f, "user=a&x=1", 10, &lim, NULL), FORM_OK,
	    "query parsed");
	is_int(form_parse(&f, "user=b", 6, &lim, &bad), FORM_EDUP,
	    "same key in body and query");
	is_str(bad, "user", "dup across calls named");
	free(bad);
	is_int((long long)f.n, 2, "first form kept intact after error");
	is_str(form_get(&f, "user"), "a", "query value kept");
	is_int(form_parse(&f, "y=2&z=%zz", 9, &lim, NULL), FORM_EESCAPE,
	    "error in second form");
	is_int((long long)f.n, 2, "y from the failed form not appended");
	ok(form_get(&f, "y") == NULL, "y absent");
	is_int(form_parse(&f, "y=2&z=3", 7, &lim, NULL), FORM_OK,
	    "second form appended");
	is_int((long long)f.n, 4, "4 pairs");
	is_str(form_get(&f, "z"), "3", "z from body");
	ok(form_get(&f, "Z") == NULL, "keys are case-sensitive");
	ok(form_get(&f, "") == NULL, "empty key absent");
	form_free(&f);
	ok(f.n == 0 && f.params == NULL, "form_free zeroes");
	form_free(&f);
	ok(1, "form_free twice is harmless");
}

static void
t_strerror(void)
{
	int e;

	for (e = FORM_OK; e <= FORM_EEMPTYKEY; e++)
		ok(form_strerror((enum form_err)e) != NULL &&
			form_strerror((enum form_err)e)[0] != '\0',
		    "strerror %d", e);
	is_str(form_strerror(FORM_EESCAPE), "malformed parameter encoding",
	    "escape error text matches the API message");
}

int
main(void)
{
	t_table();
	t_len_not_nul();
	t_limits();
	t_across();
	t_strerror();
	return tap_done();
}
