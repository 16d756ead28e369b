/* Unit tests for fcgi/http/deadline.c: nginx's timeout and request time. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "deadline.h"
#include "tap.h"

struct ptest {
	const char *in;
	int64_t want;
};

static const struct ptest msec_tests[] = {
	{ "1700000000.123", 1700000000123LL },
	{ "0.000", 0 },
	{ "1.999", 1999 },
	{ "999999999999.999", 999999999999999LL },
	{ NULL, -1 },
	{ "", -1 },
	{ "1700000000", -1 }, /* no fraction */
	{ "1700000000.", -1 },
	{ "1700000000.12", -1 }, /* two digits */
	{ "1700000000.1234", -1 }, /* four */
	{ ".123", -1 },
	{ "1000000000000.000", -1 }, /* 13 digits */
	{ "-1.000", -1 },
	{ "+1.000", -1 },
	{ " 1.000", -1 },
	{ "1.000 ", -1 },
	{ "1.000\n", -1 },
	{ "1,000", -1 },
	{ "1.0x0", -1 },
	{ "$msec", -1 }, /* a variable nginx did not expand */
	{ "99999999999999999999999.000", -1 },
};

static const struct ptest timeout_tests[] = {
	{ "120", 120000 },
	{ "120s", 120000 },
	{ "1", 1000 },
	{ "86400", 86400000 },
	{ "060", 60000 },
	{ NULL, -1 },
	{ "", -1 },
	{ "s", -1 },
	{ "0", -1 },
	{ "0s", -1 },
	{ "86401", -1 },
	{ "100000", -1 }, /* six digits */
	{ "99999999999999999999", -1 },
	{ "-5", -1 },
	{ "1.5", -1 },
	{ "2m", -1 }, /* nginx's other units are not accepted */
	{ "120ss", -1 },
	{ "120 ", -1 },
	{ " 120", -1 },
	{ "120s\n", -1 },
};

static void
t_parse(void)
{
	size_t i;

	for (i = 0; i < sizeof(msec_tests) / sizeof(msec_tests[0]); i++)
		is_int(deadline_parse_msec(msec_tests[i].in),
		    msec_tests[i].want, "msec %s",
		    msec_tests[i].in ? msec_tests[i].in : "(null)");
	for (i = 0; i < sizeof(timeout_tests) / sizeof(timeout_tests[0]); i++)
		is_int(deadline_parse_timeout(timeout_tests[i].in),
		    timeout_tests[i].want, "timeout %s",
		    timeout_tests[i].in ? timeout_tests[i].in : "(null)");
}

static void
t_answer_by(void)
{
	/* Both clocks now: monotonic 5000 ms, wall 1700000000.000. */
	const int64_t mono = 5000, wall = 1700000000000LL;

	is_int(deadline_margin(120000), 15000, "margin of 120 s: 15 s");
	is_int(deadline_margin(60000), 7500, "margin of 60 s: 7.5 s");
	is_int(deadline_margin(4000), 1000, "margin of 4 s: 1 s");
	is_int(deadline_margin(1000), 500, "margin of 1 s: half");
	is_int(deadline_answer_by(mono, wall, "1700000000.000", "120"),
	    mono + 105000, "handed on now, 120 s: 105 s from now");
	is_int(deadline_answer_by(mono, wall, "1699999970.000", "120"),
	    mono + 75000, "handed on 30 s ago: 75 s from now");
	is_int(deadline_answer_by(mono, wall, "1699999800.000", "120"),
	    mono - 95000, "handed on 200 s ago: already past");
	is_int(deadline_answer_by(mono, wall, "1700000009.000", "120"),
	    mono + 105000, "a start in the future counts as now");
	is_int(deadline_answer_by(mono, wall, NULL, NULL), mono + 52500,
	    "nothing passed: nginx's default 60 s from now");
	is_int(deadline_answer_by(mono, wall, "garbage", "2m"), mono + 52500,
	    "malformed: the defaults");
	is_int(deadline_answer_by(mono, wall, "1699999999.500", "4s"),
	    mono + 2500, "4 s, handed on 0.5 s ago: 2.5 s from now");
}

int
main(void)
{
	t_parse();
	t_answer_by();
	return tap_done();
}
