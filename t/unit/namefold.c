/*
 * Unit tests for lib/namefold.c: names as the core compares them.  The
 * lower-case expectations are what Go 1.19's strings.ToLower gives (the
 * Go of Debian's v2ray 4.34), invalid UTF-8 included.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "namefold.h"
#include "tap.h"

struct ftest {
	const char *in;
	const char *want;
	const char *what;
};

/* strings.ToLower, as Go 1.19 (Unicode 13.0.0) has it. */
static const struct ftest lower_tests[] = {
	{ "", "", "empty" },
	{ "Alice@Example.COM", "alice@example.com", "ASCII" },
	{ "\xc3\x84RGER", "\xc3\xa4rger", "U+00C4 A WITH DIAERESIS" },
	{ "\xe2\x84\xaa"
	  "ate",
	    "kate", "U+212A KELVIN SIGN is k" },
	{ "\xe2\x84\xab", "\xc3\xa5", "U+212B ANGSTROM SIGN is U+00E5" },
	{ "\xc4\xb0", "i", "U+0130 I WITH DOT: simple mapping, i alone" },
	{ "I\xc4\xb1", "i\xc4\xb1", "Turkish dotless i stays" },
	{ "\xce\xa3\xce\x91\xce\xa3", "\xcf\x83\xce\xb1\xcf\x83",
	    "SIGMA: never final sigma" },
	{ "\xcf\x82", "\xcf\x82", "final sigma stays" },
	{ "\xc5\xbf", "\xc5\xbf", "U+017F LONG S stays" },
	{ "\xe1\xba\x9e", "\xc3\x9f", "U+1E9E CAPITAL SHARP S" },
	{ "\xc7\x85", "\xc7\x86", "U+01C5 title case Dz" },
	{ "\xc8\xba", "\xe2\xb1\xa5", "U+023A grows to 3 bytes" },
	{ "\xe1\x8e\xa0", "\xea\xad\xb0", "Cherokee U+13A0" },
	{ "\xe1\xbe\x88", "\xe1\xbe\x80", "U+1F88 (full mapping differs)" },
	{ "\xf0\x90\x90\x80", "\xf0\x90\x90\xa8", "Deseret U+10400" },
	{ "\xe2\xb0\xaf", "\xe2\xb0\xaf",
	    "U+2C2F: Unicode 14, not in Go 1.19" },
	{ "\xf0\x90\x95\xb0", "\xf0\x90\x95\xb0", "U+10570: Unicode 14" },
	{ "\xef\xbf\xbd", "\xef\xbf\xbd", "U+FFFD itself" },
	{ "\xff", "\xef\xbf\xbd", "a stray byte is U+FFFD" },
	{ "\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd", "overlong NUL: two" },
	{ "\xc1\xbf", "\xef\xbf\xbd\xef\xbf\xbd", "overlong 2 bytes" },
	{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "overlong '/'" },
	{ "\xe0\x9f\xbf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "overlong U+07FF" },
	{ "\xf0\x8f\xbf\xbf",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "overlong U+FFFF" },
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "surrogate U+D800" },
	{ "\xed\xbf\xbf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "surrogate U+DFFF" },
	{ "\xed\x9f\xbf", "\xed\x9f\xbf", "U+D7FF is valid" },
	{ "\xf4\x90\x80\x80",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "above U+10FFFF" },
	{ "\xf5\x80\x80\x80",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "lead byte F5" },
	{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd", "truncated at the end" },
	{ "A\xe2\x82"
	  "B",
	    "a\xef\xbf\xbd\xef\xbf\xbd"
	    "b",
	    "truncated in the middle" },
	{ "\xc3\x28", "\xef\xbf\xbd(", "bad continuation" },
	{ "\xf0\x9f\x98", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "truncated 4 bytes" },
	{ "\xc3\x84\xc3", "\xc3\xa4\xef\xbf\xbd", "valid then truncated" },
};

/* The key: lower case, and the case-fold orbits of strings.EqualFold; a
 * class keys as the lower case of its smallest member. */
static const struct ftest key_tests[] = {
	{ "Alice", "alice", "ASCII" },
	{ "\xc3\x84rger", "\xc3\xa4rger", "A WITH DIAERESIS" },
	{ "\xe2\x84\xaa"
	  "ate",
	    "kate", "KELVIN SIGN" },
	{ "\xc5\xbf", "s", "LONG S is s (EqualFold)" },
	{ "\xcf\x82", "\xcf\x83", "final sigma is sigma" },
	{ "\xce\x9c\xce\xbc", "\xc2\xb5\xc2\xb5",
	    "MU and mu key as MICRO SIGN, the first of their orbit" },
	{ "\xcf\xb4", "\xce\xb8", "U+03F4 THETA SYMBOL" },
	{ "\xce\xb9\xe1\xbe\xbe", "\xcd\x85\xcd\x85",
	    "iota and U+1FBE key as U+0345 YPOGEGRAMMENI" },
	{ "\xe1\xba\x9b", "\xe1\xb9\xa1", "U+1E9B LONG S WITH DOT" },
	{ "\xe1\xb2\x80", "\xd0\xb2", "U+1C80 ROUNDED VE" },
	{ "\xc4\xb0", "i", "I WITH DOT is i" },
	{ "\xc4\xb1", "\xc4\xb1", "dotless i is not i" },
	{ "\xc3\x9f", "\xc3\x9f", "sharp s" },
	{ "\xe1\xba\x9e", "\xc3\x9f", "CAPITAL SHARP S" },
	{ "\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd", "invalid bytes" },
};

static void
t_lower(void)
{
	size_t i;
	char *got;

	for (i = 0; i < sizeof(lower_tests) / sizeof(lower_tests[0]); i++) {
		got = name_lower(lower_tests[i].in, strlen(lower_tests[i].in));
		is_str(
		    got, lower_tests[i].want, "lower: %s", lower_tests[i].what);
		free(got);
	}
	is_int(namefold_lower(0x212A), 'k', "rune: KELVIN SIGN");
	is_int(namefold_lower(0x130), 'i', "rune: U+0130");
	is_int(namefold_lower(0xD800), 0xD800, "rune: a surrogate as is");
	is_int(namefold_lower(0x110000), 0x110000, "rune: beyond as is");
}

static void
t_key(void)
{
	size_t i;
	char *got;

	for (i = 0; i < sizeof(key_tests) / sizeof(key_tests[0]); i++) {
		got = name_key(key_tests[i].in);
		is_str(got, key_tests[i].want, "key: %s", key_tests[i].what);
		is_int(name_key_cmp(key_tests[i].in, key_tests[i].want), 0,
		    "key_cmp: %s", key_tests[i].what);
		ok(name_key_hash(key_tests[i].in) ==
			name_key_hash(key_tests[i].want),
		    "key_hash: %s", key_tests[i].what);
		free(got);
	}
	got = name_key_n("AB\0C", 4);
	is_int((long long)strlen(got), 2, "key_n: a NUL ends the key string");
	free(got);
}

static void
t_cmp(void)
{
	is_int(name_key_cmp("", ""), 0, "cmp: empty");
	is_int(name_key_cmp("\xc3\x84rger", "\xc3\xa4RGER"), 0,
	    "cmp: the pair of the issue");
	ok(name_key_cmp("a", "b") < 0, "cmp: a < b");
	ok(name_key_cmp("B", "a") > 0, "cmp: by key, not bytes");
	ok(name_key_cmp("kat", "kate") < 0, "cmp: a prefix first");
	ok(name_key_cmp("\xe2\x84\xaa"
			"ate",
	       "kat") > 0,
	    "cmp: longer after");
	ok(name_key_cmp("z", "\xc3\xa4") < 0, "cmp: code point order");
	ok(name_key_cmp("\xc4\xb1", "i") != 0, "cmp: dotless i is not i");
	is_int(name_key_cmp("\xff", "\xfe"), 0,
	    "cmp: two invalid bytes are both U+FFFD (as for Go)");
	ok(name_key_hash("kate") != name_key_hash("kat"), "hash: differs");
}

static void
t_decode(void)
{
	uint32_t cp;

	is_int((long long)namefold_decode(
		   (const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp),
	    4, "decode: U+10FFFF is 4 bytes");
	is_int(cp, 0x10FFFF, "decode: U+10FFFF");
	is_int((long long)namefold_decode(
		   (const unsigned char *)"\xe2\x82\xac", 2, &cp),
	    1, "decode: N cuts the sequence");
	is_int(cp, 0xFFFD, "decode: cut is U+FFFD");
}

int
main(void)
{
	t_lower();
	t_key();
	t_cmp();
	t_decode();
	return tap_done();
}
