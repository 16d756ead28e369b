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
	return tap_done();
}
