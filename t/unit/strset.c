/* Unit tests for worker/strset.c. */
#include "config.h"

#include <stdio.h>

#include "strset.h"
#include "tap.h"

int
main(void)
{
	struct strset set = { 0 };
	char name[32];
	int i, missing = 0, found = 0;

	ok(!strset_has(&set, "a"), "empty set has nothing");
	is_int(strset_add(&set, "Alice@Example.com"), 1, "added");
	is_int(strset_add(&set, "alice@example.com"), 0,
	    "the same name in other case is already there");
	ok(strset_has(&set, "ALICE@EXAMPLE.COM"), "lookups ignore case");
	ok(!strset_has(&set, "alice@example.co"), "prefixes do not match");
	is_int(strset_add(&set, ""), 1, "the empty string is a member too");
	for (i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		strset_add(&set, name);
	}
	for (i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "USER%d", i);
		found += strset_has(&set, name);
		snprintf(name, sizeof(name), "user%d", i + 50000);
		missing += !strset_has(&set, name);
	}
	is_int(found, 50000, "every member found after growing");
	is_int(missing, 50000, "no false members");
	is_int((long long)set.n, 50002, "size counts distinct names");
	strset_free(&set);
	strset_free(&set);
	ok(set.n == 0, "free twice is harmless");

	/* Names as the core compares them, not only ASCII. */
	is_int(strset_add(&set, "\xc3\x84rger"), 1, "\xc3\x84rger added");
	is_int(strset_add(&set, "\xc3\xa4RGER"), 0,
	    "\xc3\xa4RGER is the same name to the core");
	ok(strset_has(&set, "\xe2\x84\xaa") == 0, "KELVIN SIGN not there");
	strset_add(&set, "k");
	ok(strset_has(&set, "\xe2\x84\xaa"), "KELVIN SIGN is k");
	ok(!strset_has(&set, "\xc4\xb1"), "dotless i is not i");
	strset_free(&set);

	set.exact = 1;
	is_int(strset_add(&set, "Kate"), 1, "exact: Kate");
	is_int(strset_add(&set, "kate"), 1, "exact: kate is another");
	is_int(strset_add(&set, "kate"), 0, "exact: but not twice");
	ok(!strset_has(&set, "KATE"), "exact: KATE is not there");
	strset_free(&set);
	is_int(set.exact, 0, "free resets exact");
	return tap_done();
}
