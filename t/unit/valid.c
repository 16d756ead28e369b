/* Unit tests for fcgi/http/valid.c: every API parameter validator. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "valid.h"

struct utest {
	const char *in;
	size_t len; /* 0: strlen */
	int want;
};

static const struct utest utf8_tests[] = {
	{ "", 0, 1 },
	{ "plain ascii", 0, 1 },
	{ "\xc3\xa9", 0, 1 }, /* é */
	{ "\xe2\x82\xac", 0, 1 }, /* € */
	{ "\xf0\x9f\x98\x80", 0, 1 }, /* 😀 */
	{ "\xf4\x8f\xbf\xbf", 0, 1 }, /* U+10FFFF */
	{ "\xef\xbf\xbf", 0, 1 }, /* U+FFFF */
	{ "a\0b", 3, 1 }, /* NUL is valid UTF-8 */
	{ "\x80", 0, 0 }, /* stray continuation */
	{ "\xbf", 0, 0 },
	{ "\xc0\x80", 0, 0 }, /* overlong NUL */
	{ "\xc1\xbf", 0, 0 }, /* overlong */
	{ "\xe0\x80\xaf", 0, 0 }, /* overlong '/' */
	{ "\xe0\x9f\xbf", 0, 0 }, /* overlong U+07FF */
	{ "\xf0\x8f\xbf\xbf", 0, 0 }, /* overlong U+FFFF */
	{ "\xed\xa0\x80", 0, 0 }, /* surrogate D800 */
	{ "\xed\xbf\xbf", 0, 0 }, /* surrogate DFFF */
	{ "\xed\x9f\xbf", 0, 1 }, /* U+D7FF */
	{ "\xf4\x90\x80\x80", 0, 0 }, /* U+110000 */
	{ "\xf5\x80\x80\x80", 0, 0 },
	{ "\xff", 0, 0 },
	{ "\xfe", 0, 0 },
	{ "\xc3", 0, 0 }, /* truncated */
	{ "\xe2\x82", 0, 0 }, /* truncated */
	{ "\xf0\x9f\x98", 0, 0 }, /* truncated */
	{ "\xc3\x28", 0, 0 }, /* bad continuation */
	{ "\xe2\x28\xa1", 0, 0 },
	{ "ok\xc3\xa9ok\x80", 0, 0 },
};

static void
t_utf8(void)
{
	size_t i, n;

	for (i = 0; i < sizeof(utf8_tests) / sizeof(utf8_tests[0]); i++) {
		n = utf8_tests[i].len ? utf8_tests[i].len
				      : strlen(utf8_tests[i].in);
		is_int(valid_utf8(utf8_tests[i].in, n), utf8_tests[i].want,
		    "utf8 case %zu", i);
	}
	is_int(valid_utf8("\xc3\xa9", 1), 0, "length cuts a sequence");
}

struct vtest {
	const char *in;
	const char *reason; /* NULL: valid */
};

static const struct vtest user_tests[] = {
	{ "alice", NULL },
	{ "Alice.Smith-1_2@example.com", NULL },
	{ "\xd0\xae\xd0\xbb\xd1\x8f", NULL }, /* Юля */
	{ "\xf0\x9f\x98\x80", NULL }, /* emoji */
	{ "a>>b", NULL },
	{ "a>b>c", NULL },
	{ "a'b", NULL },
	{ "a=b&c", NULL },
	{ "1234567890123456789012345678901234567890", NULL }, /* 40 */
	{ "", "empty" },
	{ "12345678901234567890123456789012345678901",
	    "too long (max 40 characters)" },
	/* 40 four-byte characters = 160 bytes: ok; 41: too long */
	{ "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
	    NULL },
	{ "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	  "x",
	    "too long (max 40 characters)" },
	{ "a b", "contains whitespace" },
	{ " a", "contains whitespace" },
	{ "a\tb", "contains whitespace" },
	{ "a\nb", "contains whitespace" },
	{ "a\xc2\xa0"
	  "b",
	    "contains whitespace" }, /* NBSP */
	{ "a\xe3\x80\x80"
	  "b",
	    "contains whitespace" }, /* ideographic */
	{ "a\xe2\x80\xa8"
	  "b",
	    "contains whitespace" }, /* LS */
	{ "a\x01"
	  "b",
	    "contains a control character" },
	{ "a\x1b[31m", "contains a control character" },
	{ "a\x7f", "contains a control character" },
	{ "a\xc2\x9b"
	  "b",
	    "contains a control character" }, /* C1 CSI */
	{ "a,b", "contains ','" },
	{ ",", "contains ','" },
	{ "a\"b", "contains a quote or backslash" },
	{ "a\\b", "contains a quote or backslash" },
	{ "a>>>b", "contains '>>>'" },
	{ ">>>", "contains '>>>'" },
	{ "user>>>traffic>>>uplink", "contains '>>>'" },
	{ "a||b", "contains '||'" },
	{ "||", "contains '||'" },
	{ "bob||", "contains '||'" },
	{ "a|||b", "contains '||'" },
	{ "a>>>||", "contains '>>>'" }, /* the first check that fails */
	{ "a|b", NULL },
	{ "|a|b|", NULL },
	{ "a\xff", "is not valid UTF-8" },
	{ "a\xc0\xaf", "is not valid UTF-8" },
	{ "\xed\xa0\x80", "is not valid UTF-8" },
};

static void
t_user(void)
{
	char err[128];
	size_t i;
	int r;

	for (i = 0; i < sizeof(user_tests) / sizeof(user_tests[0]); i++) {
		err[0] = '\0';
		r = valid_user(user_tests[i].in, err, sizeof(err));
		if (user_tests[i].reason == NULL) {
			is_int(r, 0, "user case %zu valid (%s)", i, err);
		} else {
			is_int(r, -1, "user case %zu invalid", i);
			is_str(err, user_tests[i].reason,
			    "user case %zu reason", i);
		}
	}
	is_int(valid_user(NULL, NULL, 0), -1, "NULL user, NULL err");
	is_int(valid_user("a b", err, 5), -1, "small err buffer");
	is_str(err, "cont", "reason cut to the buffer");
}

static const char *const uuid_ok[] = {
	"11111111-2222-3333-4444-555555555555",
	"abcdef01-ABCD-ef01-AbCd-0123456789aB",
	"00000000-0000-0000-0000-000000000000",
};
static const char *const uuid_bad[] = {
	"",
	"11111111-2222-3333-4444-55555555555",
	"11111111-2222-3333-4444-5555555555555",
	"11111111222233334444555555555555",
	"11111111-2222-3333-4444_555555555555",
	"g1111111-2222-3333-4444-555555555555",
	"11111111-2222-3333-4444-55555555555 ",
	" 11111111-2222-3333-4444-555555555555",
	"{11111111-2222-3333-4444-555555555555}",
	"1111111-12222-3333-4444-555555555555",
	"11111111-2222-3333-4444-555555555555\n",
};

static void
t_uuid(void)
{
	char out[37], out2[37];
	size_t i;
	int bad, j;

	for (i = 0; i < sizeof(uuid_ok) / sizeof(uuid_ok[0]); i++)
		is_int(valid_uuid(uuid_ok[i]), 0, "uuid ok '%s'", uuid_ok[i]);
	for (i = 0; i < sizeof(uuid_bad) / sizeof(uuid_bad[0]); i++)
		is_int(
		    valid_uuid(uuid_bad[i]), -1, "uuid bad '%s'", uuid_bad[i]);
	is_int(valid_uuid(NULL), -1, "uuid NULL");
	uuid_normalize("ABCDEF01-ABCD-EF01-ABCD-0123456789AB", out);
	is_str(out, "abcdef01-abcd-ef01-abcd-0123456789ab", "normalized");

	bad = 0;
	for (j = 0; j < 200; j++) {
		uuid_generate(out);
		if (valid_uuid(out) != 0 || out[14] != '4' ||
		    strchr("89ab", out[19]) == NULL ||
		    strspn(out, "0123456789abcdef-") != 36)
			bad++;
	}
	is_int(bad, 0, "200 generated UUIDs are lower-case v4, RFC variant");
	uuid_generate(out2);
	ok(strcmp(out, out2) != 0, "two UUIDs differ");
}

static const struct vtest pw_tests[] = {
	{ "secret", NULL },
	{ "!#$%&'()*+-./:;<=>?@[\\]^_`{|}~\"", NULL },
	{ "a", NULL },
	{ "1234567890123456789012345678901234567890123456789012345678901234",
	    NULL },
	{ "12345678901234567890123456789012345678901234567890123456789012345",
	    "too long (max 64 bytes)" },
	{ "", "empty" },
	{ "a,b", "contains ','" },
	{ "a b",
	    "contains a character other than printable ASCII (no spaces)" },
	{ "a\tb",
	    "contains a character other than printable ASCII (no spaces)" },
	{ "a\x7f",
	    "contains a character other than printable ASCII (no spaces)" },
	{ "p\xc3\xa9",
	    "contains a character other than printable ASCII (no spaces)" },
};

static void
t_password(void)
{
	char err[128], pw[31], pw2[31], big[1001];
	size_t i, j;
	int bad, counts[62] = { 0 }, min, max;
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	for (i = 0; i < sizeof(pw_tests) / sizeof(pw_tests[0]); i++) {
		err[0] = '\0';
		if (pw_tests[i].reason == NULL) {
			is_int(valid_password(pw_tests[i].in, err, sizeof(err)),
			    0, "password case %zu valid (%s)", i, err);
		} else {
			is_int(valid_password(pw_tests[i].in, err, sizeof(err)),
			    -1, "password case %zu invalid", i);
			is_str(err, pw_tests[i].reason,
			    "password case %zu reason", i);
		}
	}
	bad = 0;
	for (i = 0; i < 100; i++) {
		memset(pw, 'X', sizeof(pw));
		password_generate(pw, 30);
		if (strlen(pw) != 30 || strspn(pw, set) != 30 ||
		    valid_password(pw, NULL, 0) != 0)
			bad++;
	}
	is_int(bad, 0, "generated passwords: 30 chars of [A-Za-z0-9]");
	password_generate(pw2, 30);
	ok(strcmp(pw, pw2) != 0, "two passwords differ");
	password_generate(pw, 0);
	is_str(pw, "", "zero length");

	/* Every character appears, roughly evenly (a loose check). */
	for (j = 0; j < 100; j++) {
		password_generate(big, 1000);
		for (i = 0; i < 1000; i++)
			counts[strchr(set, big[i]) - set]++;
	}
	min = max = counts[0];
	for (i = 1; i < 62; i++) {
		if (counts[i] < min)
			min = counts[i];
		if (counts[i] > max)
			max = counts[i];
	}
	/* expected 1613 each; a 256 % 62 modulo bias would make the first
	 * 8 characters ~25% more frequent */
	ok(min > 1350 && max < 1900, "distribution even (min %d max %d)", min,
	    max);
}

static void
t_tag(void)
{
	static const char *const good[] = { "vless-in", "a", "in.1_X-y",
		"12345678901234567890123456789012345678901234567890123456789012"
		"34" };
	static const char *const bad[] = { "", "a b", "a/b", "a,b", "tag\n",
		"\xc3\xa9", "a:b",
		"12345678901234567890123456789012345678901234567890123456789012"
		"345" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		is_int(valid_tag(good[i]), 0, "tag ok '%s'", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(valid_tag(bad[i]), -1, "tag bad '%s'", bad[i]);
	is_int(valid_tag(NULL), -1, "tag NULL");
}

static void
t_bool(void)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true",
		"True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false",
		"False" };
	static const char *const bad[] = { "", "yes", "no", "tRUE", "TrUe", "2",
		" true", "true ", "on", "00", "-1", "y" };
	size_t i;
	int v;

	for (i = 0; i < 6; i++) {
		v = -1;
		ok(parse_bool(yes[i], &v) == 0 && v == 1, "bool '%s'", yes[i]);
		v = -1;
		ok(parse_bool(no[i], &v) == 0 && v == 0, "bool '%s'", no[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		ok(parse_bool(bad[i], &v) == -1 && v == 7, "bool bad '%s'",
		    bad[i]);
	}
}

struct itest {
	const char *in;
	long long min, max;
	int ret;
	long long want;
};

static const struct itest int_tests[] = {
	{ "0", 0, 100, 0, 0 },
	{ "100", 0, 100, 0, 100 },
	{ "101", 0, 100, -1, 0 },
	{ "007", 0, 100, 0, 7 },
	{ "-1", 0, 100, -1, 0 },
	{ "-0", 0, 100, -1, 0 },
	{ "-1", -5, 5, 0, -1 },
	{ "-5", -5, 5, 0, -5 },
	{ "-6", -5, 5, -1, 0 },
	{ "-0", -5, 5, 0, 0 },
	{ "", 0, 100, -1, 0 },
	{ "-", -5, 5, -1, 0 },
	{ "+1", 0, 100, -1, 0 },
	{ " 1", 0, 100, -1, 0 },
	{ "1 ", 0, 100, -1, 0 },
	{ "1a", 0, 100, -1, 0 },
	{ "0x10", 0, 100, -1, 0 },
	{ "1.0", 0, 100, -1, 0 },
	{ "1e2", 0, 100, -1, 0 },
	{ "--1", -5, 5, -1, 0 },
	{ "9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX },
	{ "9223372036854775808", INT64_MIN, INT64_MAX, -1, 0 },
	{ "-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN },
	{ "-9223372036854775809", INT64_MIN, INT64_MAX, -1, 0 },
	{ "9999999999999999999", INT64_MIN, INT64_MAX, -1, 0 },
	{ "0000000000000000001", 0, 100, 0, 1 }, /* 19 digits */
	{ "00000000000000000001", 0, 100, -1, 0 }, /* 20 digits */
	{ "99999999999999999999999", 0, 100, -1, 0 },
	{ "3650", 0, 3650, 0, 3650 },
	{ "3651", 0, 3650, -1, 0 },
};

static void
t_int(void)
{
	size_t i;
	long long v;
	int r;

	for (i = 0; i < sizeof(int_tests) / sizeof(int_tests[0]); i++) {
		v = 12345;
		r = parse_int(
		    int_tests[i].in, int_tests[i].min, int_tests[i].max, &v);
		is_int(r, int_tests[i].ret, "int '%s' [%lld,%lld]",
		    int_tests[i].in, int_tests[i].min, int_tests[i].max);
		if (int_tests[i].ret == 0)
			is_int(v, int_tests[i].want, "int '%s' value",
			    int_tests[i].in);
		else
			is_int(
			    v, 12345, "int '%s' leaves *out", int_tests[i].in);
	}
	is_int(parse_int(NULL, 0, 1, &v), -1, "int NULL");
}

int
main(void)
{
	t_utf8();
	t_user();
	t_uuid();
	t_password();
	t_tag();
	t_bool();
	t_int();
	return tap_done();
}
