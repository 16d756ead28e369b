/* Unit tests for fcgi/http/multipart.c: curl -F bodies and hostile ones. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "multipart.h"
#include "tap.h"

#define B "------------------------83cce042d59a64ba"

/* Exactly what curl 7.88.1 sent for: curl -F users_file=@users.txt URL */
static const char curl_ctype[] = "multipart/form-data; boundary=" B;
static const char curl_body[] =
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"users_file\"; "
    "filename=\"users.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "alice\nbob,11111111-2222-3333-4444-555555555555\n# c\n"
    "\r\n"
    "--" B "--\r\n";

/* curl -F note=hello -F users_file=@empty.txt URL */
#define B2 "------------------------7b2c894f57a81991"
static const char curl_two[] =
    "--" B2 "\r\n"
    "Content-Disposition: form-data; name=\"note\"\r\n"
    "\r\n"
    "hello\r\n"
    "--" B2 "\r\n"
    "Content-Disposition: form-data; name=\"users_file\"; "
    "filename=\"empty.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "\r\n"
    "--" B2 "--\r\n";

struct btest {
	const char *ctype;
	int ret;
	const char *want;
};

static const struct btest btests[] = {
	{ curl_ctype, 0, B },
	{ "multipart/form-data; boundary=abc", 0, "abc" },
	{ "Multipart/Form-Data; BOUNDARY=abc", 0, "abc" },
	{ "multipart/form-data;boundary=abc", 0, "abc" },
	{ "  multipart/form-data ; boundary=abc  ", 0, "abc" },
	{ "multipart/form-data; boundary=\"a b:c\"", 0, "a b:c" },
	{ "multipart/form-data; boundary=\"a\\\"b\"", -1, NULL },
	{ "multipart/form-data; boundary=\"a\\bc\"", 0, "abc" },
	{ "multipart/form-data; charset=utf-8; boundary=xyz", 0, "xyz" },
	{ "multipart/form-data; boundary=xyz; charset=\"utf-8\"", 0, "xyz" },
	{ "multipart/form-data; boundary=xyz;", 0, "xyz" },
	{ "multipart/form-data", -1, NULL },
	{ "multipart/form-data;", -1, NULL },
	{ "multipart/form-data; boundary=", -1, NULL },
	{ "multipart/form-data; boundary=\"\"", -1, NULL },
	{ "multipart/form-data; boundary=\"abc \"", -1, NULL },
	{ "multipart/form-data; boundary=\"abc", -1, NULL },
	{ "multipart/form-data; boundary=a;boundary=b", -1, NULL },
	{ "multipart/form-dataX; boundary=abc", -1, NULL },
	{ "multipart/mixed; boundary=abc", -1, NULL },
	{ "application/x-www-form-urlencoded", -1, NULL },
	{ "text/plain; boundary=abc", -1, NULL },
	{ "", -1, NULL },
	{ "multipart/form-data; boundary=abc@def", -1, NULL },
	{ "multipart/form-data; boundary=\"abc@def\"", -1, NULL },
	{ "multipart/form-data; boundary abc", -1, NULL },
	{ "multipart/form-data; =abc", -1, NULL },
	{ "multipart/form-data garbage; boundary=abc", -1, NULL },
	/* 70 chars ok, 71 too long */
	{ "multipart/form-data; boundary="
	  "01234567890123456789012345678901234567890123456789012345678901234567"
	  "89",
	    0,
	    "012345678901234567890123456789012345678901234567890123456789012345"
	    "6789" },
	{ "multipart/form-data; boundary="
	  "01234567890123456789012345678901234567890123456789012345678901234567"
	  "890",
	    -1, NULL },
};

static void
t_boundary(void)
{
	char out[MULTIPART_MAX_BOUNDARY + 1];
	size_t i;
	int r;

	for (i = 0; i < sizeof(btests) / sizeof(btests[0]); i++) {
		r = multipart_boundary(btests[i].ctype, out, sizeof(out));
		is_int(r, btests[i].ret, "boundary of '%s'", btests[i].ctype);
		if (r == 0 && btests[i].ret == 0)
			is_str(out, btests[i].want, "boundary value of '%s'",
			    btests[i].ctype);
	}
	is_int(multipart_boundary("multipart/form-data; boundary=abcd", out, 4),
	    -1, "output buffer too small");
	is_int(multipart_boundary("multipart/form-data; boundary=abc", out, 4),
	    0, "output buffer just big enough");
	is_int(multipart_boundary(NULL, out, sizeof(out)), -1, "NULL ctype");
}

static void
t_curl(void)
{
	struct mpart p[4];
	char err[128];
	const struct mpart *f;
	int n;

	n = multipart_parse(
	    curl_body, sizeof(curl_body) - 1, B, p, 4, err, sizeof(err));
	is_int(n, 1, "curl body: one part (%s)", err);
	f = multipart_find(p, n > 0 ? (size_t)n : 0, "users_file");
	ok(f != NULL, "users_file found");
	if (f != NULL) {
		is_str(f->filename, "users.txt", "filename");
		is_int((long long)f->len, 51, "data length");
		ok(f->len == 51 &&
			memcmp(f->data,
			    "alice\nbob,11111111-2222-3333-4444-"
			    "555555555555\n# c\n",
			    51) == 0,
		    "data bytes (LF line ends inside the file kept)");
		ok(f->data == curl_body + 145, "data points into the body");
	}
	ok(multipart_find(p, (size_t)(n > 0 ? n : 0), "users") == NULL,
	    "prefix name not found");

	n = multipart_parse(
	    curl_two, sizeof(curl_two) - 1, B2, p, 4, err, sizeof(err));
	is_int(n, 2, "two parts (%s)", err);
	if (n == 2) {
		is_str(p[0].name, "note", "first name");
		is_str(p[0].filename, "", "no filename");
		ok(p[0].len == 5 && memcmp(p[0].data, "hello", 5) == 0,
		    "first data");
		is_str(p[1].name, "users_file", "second name");
		is_str(p[1].filename, "empty.txt", "second filename");
		is_int((long long)p[1].len, 0, "empty file part");
	}
	n = multipart_parse(
	    curl_two, sizeof(curl_two) - 1, B2, p, 1, err, sizeof(err));
	is_int(n, -1, "maxparts 1 with two parts");
	is_str(err, "too many parts (max 1)", "reason");
	n = multipart_parse(
	    curl_body, sizeof(curl_body) - 1, B, NULL, 0, err, sizeof(err));
	is_int(n, -1, "maxparts 0 with one part");
	n = multipart_parse(
	    curl_body, sizeof(curl_body) - 1, B "x", p, 4, err, sizeof(err));
	is_int(n, -1, "wrong (longer) boundary");
	n = multipart_parse(curl_body, sizeof(curl_body) - 1,
	    "------------------------83cce042d59a64b", p, 4, err, sizeof(err));
	is_int(n, -1, "boundary that is a prefix of the real one");
	/* the body cut short anywhere is an error, never a crash */
	{
		size_t cut;
		int bad = 0;

		for (cut = 0; cut < sizeof(curl_body) - 1; cut++)
			if (multipart_parse(curl_body, cut, B, p, 4, err,
				sizeof(err)) != -1 &&
			    cut < sizeof(curl_body) - 3)
				bad++;
		is_int(bad, 0, "every truncation before the close fails");
	}
}

struct ptest {
	const char *desc;
	const char *body;
	int ret;
	const char *name0; /* first part's name, or the error reason */
	const char *data0; /* first part's data */
};

#define CD "Content-Disposition: form-data; name=\"f\"\r\n"

static const struct ptest ptests[] = {
	{ "minimal", "--X\r\n" CD "\r\nabc\r\n--X--", 1, "f", "abc" },
	{ "close without CRLF after it", "--X\r\n" CD "\r\nabc\r\n--X--", 1,
	    "f", "abc" },
	{ "preamble and epilogue",
	    "this is a preamble\r\n--X\r\n" CD "\r\nabc\r\n--X--\r\nepilogue "
	    "--X\r\n",
	    1, "f", "abc" },
	/* "--X" not at a line start is preamble; the close ends it all */
	{ "preamble without CRLF before the delimiter",
	    "preamble--X\r\n" CD "\r\nabc\r\n--X--\r\n", 0, NULL, NULL },
	{ "no delimiter at a line start at all",
	    "preamble--X\r\n" CD "\r\nabc--X--\r\n", -1,
	    "no boundary delimiter in body", NULL },
	{ "transport padding after the delimiter",
	    "--X  \r\n" CD "\r\nabc\r\n--X \t\r\n" CD "\r\n\r\n--X--\r\n", 2,
	    "f", "abc" },
	{ "missing closing boundary", "--X\r\n" CD "\r\nabc\r\n", -1,
	    "missing closing boundary", NULL },
	{ "closing boundary without its CRLF before it",
	    "--X\r\n" CD "\r\nabc--X--\r\n", -1, "missing closing boundary",
	    NULL },
	{ "boundary inside data, not at line start",
	    "--X\r\n" CD "\r\na--X\r\nb --X--\r\n\r\n--X--\r\n", 1, "f",
	    "a--X\r\nb --X--\r\n" },
	{ "boundary as a prefix of a longer line",
	    "--X\r\n" CD "\r\na\r\n--XY\r\nb\r\n--X--\r\n", 1, "f",
	    "a\r\n--XY\r\nb" },
	{ "boundary followed by one dash",
	    "--X\r\n" CD "\r\na\r\n--X-\r\n--X--", 1, "f", "a\r\n--X-" },
	{ "no Content-Disposition",
	    "--X\r\nContent-Type: text/plain\r\n\r\nabc\r\n--X--\r\n", -1,
	    "part without Content-Disposition", NULL },
	{ "no headers at all", "--X\r\n\r\nabc\r\n--X--\r\n", -1,
	    "part without Content-Disposition", NULL },
	{ "LF-only line ends", "--X\n" CD "\nabc\n--X--\n", -1,
	    "bare LF after boundary (line ends must be CRLF)", NULL },
	{ "LF-only headers",
	    "--X\r\nContent-Disposition: form-data; name=\"f\"\n\nabc\r\n--X--",
	    -1, "bare LF in part headers (line ends must be CRLF)", NULL },
	{ "LF delimiter inside data", "--X\r\n" CD "\r\nabc\r\n--X\n", -1,
	    "bare LF after boundary (line ends must be CRLF)", NULL },
	{ "empty body", "", -1, "no boundary delimiter in body", NULL },
	{ "only the close delimiter", "--X--\r\n", 0, NULL, NULL },
	{ "headers never end", "--X\r\n" CD "abc", -1,
	    "unterminated part header block", NULL },
	{ "not form-data",
	    "--X\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\na\r\n"
	    "--X--",
	    -1, "Content-Disposition is not form-data", NULL },
	{ "no name parameter",
	    "--X\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\na\r\n"
	    "--X--",
	    -1, "Content-Disposition without a name", NULL },
	{ "empty name",
	    "--X\r\nContent-Disposition: form-data; "
	    "name=\"\"\r\n\r\na\r\n--X--",
	    1, "", "a" },
	{ "token name, odd case, extra params",
	    "--X\r\ncontent-disposition: FORM-DATA; NAME=users_file; "
	    "Filename=u.txt; filename*=UTF-8''u.txt\r\n\r\na\r\n--X--",
	    1, "users_file", "a" },
	{ "escaped quote and backslash in a filename",
	    "--X\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"a\\\"b\\\\c\"\r\n\r\nz\r\n--X--",
	    1, "f", "z" },
	{ "unterminated quoted name",
	    "--X\r\nContent-Disposition: form-data; name=\"f\r\n\r\na\r\n--X--",
	    -1, "malformed Content-Disposition", NULL },
	{ "repeated name parameter",
	    "--X\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\na\r\n"
	    "--X--",
	    -1, "repeated parameter in Content-Disposition", NULL },
	{ "two Content-Disposition headers", "--X\r\n" CD CD "\r\na\r\n--X--",
	    -1, "part has two Content-Disposition headers", NULL },
	{ "header line without colon", "--X\r\n" CD "garbage\r\n\r\na\r\n--X--",
	    -1, "malformed part header line", NULL },
	{ "header folding refused", "--X\r\n" CD " folded\r\n\r\na\r\n--X--",
	    -1, "malformed part header line", NULL },
	{ "header folding with a colon refused",
	    "--X\r\n" CD " x: y\r\n\r\na\r\n--X--", -1,
	    "malformed part header name", NULL },
	{ "parameter without value",
	    "--X\r\nContent-Disposition: form-data; name\r\n\r\na\r\n--X--", -1,
	    "malformed Content-Disposition", NULL },
	{ "garbage after parameter",
	    "--X\r\nContent-Disposition: form-data; name=\"f\" x\r\n\r\na\r\n"
	    "--X--",
	    -1, "malformed Content-Disposition", NULL },
	{ "data containing CRLFs and dashes",
	    "--X\r\n" CD "\r\n\r\n--\r\n-X\r\n\r\n\r\n--X--\r\n", 1, "f",
	    "\r\n--\r\n-X\r\n\r\n" },
};

static const struct ptest *
find_test(const char *desc)
{
	size_t i;

	for (i = 0; i < sizeof(ptests) / sizeof(ptests[0]); i++)
		if (strcmp(ptests[i].desc, desc) == 0)
			return &ptests[i];
	return &ptests[0];
}

static void
t_table(void)
{
	const struct ptest *t;
	struct mpart p[4];
	char err[128];
	size_t i;
	int n;

	for (i = 0; i < sizeof(ptests) / sizeof(ptests[0]); i++) {
		t = &ptests[i];
		n = multipart_parse(
		    t->body, strlen(t->body), "X", p, 4, err, sizeof(err));
		is_int(n, t->ret, "%s: result (%s)", t->desc, err);
		if (t->ret < 0) {
			is_str(err, t->name0, "%s: reason", t->desc);
		} else if (t->ret > 0 && n > 0) {
			is_str(p[0].name, t->name0, "%s: name", t->desc);
			ok(p[0].len == strlen(t->data0) &&
				memcmp(p[0].data, t->data0, p[0].len) == 0,
			    "%s: data", t->desc);
		}
	}
	t = find_test("escaped quote and backslash in a filename");
	n = multipart_parse(
	    t->body, strlen(t->body), "X", p, 4, err, sizeof(err));
	ok(n == 1 && strcmp(p[0].filename, "a\"b\\c") == 0,
	    "backslash escapes decoded in filename");
	t = find_test("token name, odd case, extra params");
	n = multipart_parse(
	    t->body, strlen(t->body), "X", p, 4, err, sizeof(err));
	ok(n == 1 && strcmp(p[0].filename, "u.txt") == 0,
	    "filename token, filename* ignored");
}

static void
t_hostile(void)
{
	struct mpart p[4];
	struct buf b;
	char err[128];
	int n;
	static const char bin[] = "\0\x01\r\n\xff\0--X\r\0\n";

	buf_init(&b);

	/* binary data with NULs in the file */
	buf_puts(&b,
	    "--X\r\nContent-Disposition: form-data; name=\"users_file\"; "
	    "filename=\"bin\"\r\nContent-Type: application/octet-stream"
	    "\r\n\r\n");
	buf_add(&b, bin, sizeof(bin) - 1);
	buf_puts(&b, "\r\n--X--\r\n");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	is_int(n, 1, "binary part (%s)", err);
	ok(n == 1 && p[0].len == sizeof(bin) - 1 &&
		memcmp(p[0].data, bin, sizeof(bin) - 1) == 0,
	    "binary data with NULs intact");

	/* a NUL in a header */
	buf_reset(&b);
	buf_puts(&b, "--X\r\nContent-Disposition: form-data; name=\"a");
	buf_putc(&b, '\0');
	buf_puts(&b, "b\"\r\n\r\nz\r\n--X--");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	is_int(n, -1, "NUL in a header refused");
	is_str(err, "control character in part headers", "NUL reason");

	/* name 127 bytes ok, 128 too long; filename 255 ok, 256 too long */
	buf_reset(&b);
	buf_puts(&b, "--X\r\nContent-Disposition: form-data; name=\"");
	buf_fill(&b, 'n', 127);
	buf_puts(&b, "\"; filename=\"");
	buf_fill(&b, 'f', 255);
	buf_puts(&b, "\"\r\n\r\nz\r\n--X--");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	ok(n == 1 && strlen(p[0].name) == 127 && strlen(p[0].filename) == 255,
	    "127-byte name and 255-byte filename fit (%s)", err);
	buf_reset(&b);
	buf_puts(&b, "--X\r\nContent-Disposition: form-data; name=\"");
	buf_fill(&b, 'n', 128);
	buf_puts(&b, "\"\r\n\r\nz\r\n--X--");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	is_int(n, -1, "128-byte name refused");
	is_str(err, "field name too long (max 127 bytes)", "name reason");
	buf_reset(&b);
	buf_puts(
	    &b, "--X\r\nContent-Disposition: form-data; name=f; filename=");
	buf_fill(&b, 'f', 256);
	buf_puts(&b, "\r\n\r\nz\r\n--X--");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	is_int(n, -1, "256-byte filename refused");
	is_str(err, "file name too long (max 255 bytes)", "filename reason");

	/* header block over 8 KiB */
	buf_reset(&b);
	buf_puts(&b, "--X\r\n" CD "X-Pad: ");
	buf_fill(&b, 'p', 9000);
	buf_puts(&b, "\r\n\r\nz\r\n--X--");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	is_int(n, -1, "9 KB header refused");
	is_str(err, "part header block too large (max 8192 bytes)",
	    "header size reason");
	buf_reset(&b);
	buf_puts(&b, "--X\r\n" CD "X-Pad: ");
	buf_fill(&b, 'p', 8000);
	buf_puts(&b, "\r\n\r\nz\r\n--X--");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	is_int(n, 1, "8 KB header block accepted (%s)", err);

	/* many parts */
	buf_reset(&b);
	for (n = 0; n < 5; n++)
		buf_printf(&b,
		    "--X\r\nContent-Disposition: form-data; "
		    "name=p%d\r\n\r\n%d\r\n",
		    n, n);
	buf_puts(&b, "--X--\r\n");
	n = multipart_parse(b.data, b.len, "X", p, 4, err, sizeof(err));
	is_int(n, -1, "5 parts with room for 4");
	n = multipart_parse(b.data, b.len, "X", NULL, 0, err, sizeof(err));
	is_int(n, -1, "maxparts 0");

	/* invalid boundary arguments */
	n = multipart_parse("--\r\n", 4, "", p, 4, err, sizeof(err));
	is_int(n, -1, "empty boundary refused");
	is_str(err, "invalid boundary", "reason");
	n = multipart_parse("--a b\r\n", 7, "a b ", p, 4, err, sizeof(err));
	is_int(n, -1, "boundary ending in a space refused");
	n = multipart_parse(NULL, 0, "X", p, 4, err, sizeof(err));
	is_int(n, -1, "NULL body");
	n = multipart_parse("--X--", 5, "X", p, 4, err, 0);
	is_int(n, 0, "errsz 0 is fine on success");
	buf_free(&b);
}

int
main(void)
{
	t_boundary();
	t_curl();
	t_table();
	t_hostile();
	return tap_done();
}
