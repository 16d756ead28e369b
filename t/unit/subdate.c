/* Unit tests for lib/subdate.c: adjust_date offsets and stored dates. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "subdate.h"
#include "tap.h"

struct otest {
	const char *in;
	int ret;
	int unlimited;
	long long hours;
};

static const struct otest off_tests[] = {
	/* unlimited */
	{ "0", 0, 1, 0 },
	{ "+0", 0, 1, 0 },
	{ " 0", 0, 1, 0 },
	{ "0 ", 0, 1, 0 },
	{ "\t0\t", 0, 1, 0 },
	/* zero offsets */
	{ "-0", 0, 0, 0 },
	{ "00", 0, 0, 0 },
	{ "0d", 0, 0, 0 },
	{ "0h", 0, 0, 0 },
	{ "+0:0", 0, 0, 0 },
	{ "0:0", 0, 0, 0 },
	{ "-0d0h", 0, 0, 0 },
	/* old grammar */
	{ "+30:0", 0, 0, 720 },
	{ "-5", 0, 0, -120 },
	{ "5", 0, 0, 120 },
	{ "30:12", 0, 0, 732 },
	{ "-1:12", 0, 0, -36 },
	{ "0:48", 0, 0, 48 },
	{ " 30", 0, 0, 720 },
	{ " 30:1", 0, 0, 721 },
	{ "007", 0, 0, 168 },
	/* new grammar */
	{ "+30d13h", 0, 0, 733 },
	{ "-3d", 0, 0, -72 },
	{ "12h", 0, 0, 12 },
	{ "3h", 0, 0, 3 },
	{ "-12h", 0, 0, -12 },
	{ " 1d1h", 0, 0, 25 },
	{ "1d48h", 0, 0, 72 },
	{ "  7d  ", 0, 0, 168 },
	/* limits */
	{ "36500", 0, 0, 876000 },
	{ "-36500d", 0, 0, -876000 },
	{ "876000h", 0, 0, 876000 },
	{ "36499:24", 0, 0, 876000 },
	{ "36501", -1, 0, 0 },
	{ "876001h", -1, 0, 0 },
	{ "36500:1", -1, 0, 0 },
	{ "36500d1h", -1, 0, 0 },
	{ "0:876001", -1, 0, 0 },
	{ "99999999999999999999999999", -1, 0, 0 },
	{ "1:99999999999999999999999999", -1, 0, 0 },
	{ "99999999999999999999999h", -1, 0, 0 },
	/* syntax */
	{ "", -1, 0, 0 },
	{ " ", -1, 0, 0 },
	{ "+", -1, 0, 0 },
	{ "-", -1, 0, 0 },
	{ "d", -1, 0, 0 },
	{ "h", -1, 0, 0 },
	{ "+d", -1, 0, 0 },
	{ "d5h", -1, 0, 0 },
	{ "3x", -1, 0, 0 },
	{ "1d2d", -1, 0, 0 },
	{ "1h2d", -1, 0, 0 },
	{ "1h1h", -1, 0, 0 },
	{ "1d2", -1, 0, 0 },
	{ "1dh", -1, 0, 0 },
	{ "--5", -1, 0, 0 },
	{ "+-5", -1, 0, 0 },
	{ "-+5", -1, 0, 0 },
	{ " -5", -1, 0, 0 },
	{ "  +5", -1, 0, 0 },
	{ "5:", -1, 0, 0 },
	{ ":5", -1, 0, 0 },
	{ "5:5:5", -1, 0, 0 },
	{ "5:5h", -1, 0, 0 },
	{ "1.5", -1, 0, 0 },
	{ "1,5", -1, 0, 0 },
	{ "5 d", -1, 0, 0 },
	{ "5D", -1, 0, 0 },
	{ "5H", -1, 0, 0 },
	{ "+6d:0d", -1, 0, 0 },
	{ "0x10", -1, 0, 0 },
	{ "\xd9\xa3", -1, 0, 0 }, /* Arabic-Indic digit three */
	{ "5\n", -1, 0, 0 },
};

static void
t_offset(void)
{
	struct subdate_offset off;
	char err[128];
	size_t i;
	int r;

	for (i = 0; i < sizeof(off_tests) / sizeof(off_tests[0]); i++) {
		off.unlimited = 9;
		off.hours = 4242;
		err[0] = '\0';
		r = subdate_parse_offset(
		    off_tests[i].in, &off, err, sizeof(err));
		is_int(r, off_tests[i].ret, "offset '%s' (%s)", off_tests[i].in,
		    err);
		if (off_tests[i].ret == 0) {
			ok(off.unlimited == off_tests[i].unlimited &&
				off.hours == off_tests[i].hours,
			    "offset '%s' = unlimited %d hours %lld",
			    off_tests[i].in, off.unlimited, off.hours);
		} else {
			ok(err[0] != '\0' && off.unlimited == 9 &&
				off.hours == 4242,
			    "offset '%s': reason given, *off unchanged",
			    off_tests[i].in);
		}
	}
	subdate_parse_offset("36501", &off, err, sizeof(err));
	is_str(err, "days must be at most 36500", "days reason");
	subdate_parse_offset("876001h", &off, err, sizeof(err));
	is_str(err, "offset must be at most 876000 hours", "hours reason");
	subdate_parse_offset("", &off, err, sizeof(err));
	is_str(err, "empty", "empty reason");
	subdate_parse_offset("3x", &off, err, sizeof(err));
	is_str(err, "expected [+|-]DAYS[:HOURS] or [+|-][DAYSd][HOURSh]",
	    "syntax reason");
	is_int(subdate_parse_offset("x", &off, NULL, 0), -1, "NULL err");
}

struct dtest {
	const char *in;
	int ret;
	long long t;
};

static const struct dtest date_tests[] = {
	{ "", 0, 0 },
	{ "1970-01-01-00", 0, 0 },
	{ "1970-01-01-01", 0, 3600 },
	{ "2025-01-31-23", 0, 1738364400 },
	{ "2024-02-29-12", 0, 1709208000 },
	{ "2000-02-29-00", 0, 951782400 },
	{ "9999-12-31-23", 0, 253402297200LL },
	{ "2025-02-29-00", -1, 0 }, /* not a leap year */
	{ "1900-02-29-00", -1, 0 },
	{ "2100-02-29-00", -1, 0 },
	{ "2025-02-30-00", -1, 0 },
	{ "2025-04-31-00", -1, 0 },
	{ "2025-13-01-00", -1, 0 },
	{ "2025-00-01-00", -1, 0 },
	{ "2025-01-00-00", -1, 0 },
	{ "2025-01-32-00", -1, 0 },
	{ "2025-01-01-24", -1, 0 },
	{ "1969-12-31-23", -1, 0 },
	{ "0000-01-01-00", -1, 0 },
	{ "2025-1-01-00", -1, 0 },
	{ "2025-01-01-0", -1, 0 },
	{ "2025-01-01-000", -1, 0 },
	{ "2025-01-01 00", -1, 0 },
	{ "2025/01/01/00", -1, 0 },
	{ "2025-01-01T00", -1, 0 },
	{ "+025-01-01-00", -1, 0 },
	{ "2025-01-01-0a", -1, 0 },
	{ "2025-01--1-00", -1, 0 },
	{ "2025-01-01", -1, 0 },
	{ "2025-01-01-00:00", -1, 0 },
	{ " 2025-01-01-00", -1, 0 },
	{ "unlimited", -1, 0 },
};

static void
t_parse(void)
{
	time_t t;
	char out[SUBDATE_LEN];
	size_t i;
	int r;

	for (i = 0; i < sizeof(date_tests) / sizeof(date_tests[0]); i++) {
		t = 77;
		r = subdate_parse(date_tests[i].in, &t);
		is_int(r, date_tests[i].ret, "date '%s'", date_tests[i].in);
		if (date_tests[i].ret == 0) {
			is_int((long long)t, date_tests[i].t, "date '%s' time",
			    date_tests[i].in);
			if (date_tests[i].in[0] != '\0') {
				subdate_format(t, out, sizeof(out));
				is_str(out, date_tests[i].in,
				    "date '%s' round trip", date_tests[i].in);
			}
		}
	}
	is_int(subdate_parse(NULL, &t), -1, "NULL date");
	subdate_format(1738364400 + 3599, out, sizeof(out));
	is_str(out, "2025-01-31-23", "minutes and seconds dropped");
	subdate_format(1738364400, out, 5);
	is_str(out, "2025", "format cut to OUTSZ");
}

struct atest {
	const char *cur;
	const char *off;
	const char *now;
	int ret;
	const char *want;
};

static const struct atest apply_tests[] = {
	/* future end: extended from the end */
	{ "2025-06-01-00", "+30", "2025-05-01-10", 0, "2025-07-01-00" },
	{ "2025-06-01-00", "12h", "2025-05-01-10", 0, "2025-06-01-12" },
	{ "2025-06-01-00", "-1d", "2025-05-01-10", 0, "2025-05-31-00" },
	{ "2025-06-01-00", "-40", "2025-05-01-10", 0, "2025-04-22-00" },
	{ "2025-06-01-00", "0d", "2025-05-01-10", 0, "2025-06-01-00" },
	/* expired end: positive counts from now, negative from the end */
	{ "2025-01-01-00", "+30", "2025-05-01-10", 0, "2025-05-31-10" },
	{ "2025-01-01-00", "-1", "2025-05-01-10", 0, "2024-12-31-00" },
	{ "2025-01-01-00", "0d", "2025-05-01-10", 0, "2025-05-01-10" },
	/* unlimited: counts from now */
	{ "", "+30", "2025-05-01-10", 0, "2025-05-31-10" },
	{ "", "-1", "2025-05-01-10", 0, "2025-04-30-10" },
	{ "", "1h", "2025-05-01-10", 0, "2025-05-01-11" },
	{ "", "0d", "2025-05-01-10", 0, "2025-05-01-10" },
	/* set to unlimited */
	{ "2025-06-01-00", "0", "2025-05-01-10", 0, "" },
	{ "", "0", "2025-05-01-10", 0, "" },
	{ "garbage", "0", "2025-05-01-10", 0, "" },
	/* leap day and year ends, days are 24 h */
	{ "2024-02-28-05", "1", "2024-01-01-00", 0, "2024-02-29-05" },
	{ "2024-12-31-23", "1h", "2024-01-01-00", 0, "2025-01-01-00" },
	/* errors */
	{ "2025-02-30-00", "+1", "2025-05-01-10", -1, NULL },
	{ "garbage", "+1", "2025-05-01-10", -1, NULL },
	{ "1970-01-02-00", "-2", "1970-01-03-00", -1, NULL },
	{ "9999-12-01-00", "+31", "2025-05-01-10", -1, NULL },
	{ "9999-12-01-00", "+30:23", "2025-05-01-10", 0, "9999-12-31-23" },
};

static void
t_apply(void)
{
	struct subdate_offset off;
	char out[SUBDATE_LEN], err[128];
	time_t now;
	size_t i;
	int r;

	for (i = 0; i < sizeof(apply_tests) / sizeof(apply_tests[0]); i++) {
		const struct atest *a = &apply_tests[i];

		if (subdate_parse_offset(a->off, &off, NULL, 0) != 0 ||
		    subdate_parse(a->now, &now) != 0) {
			ok(0, "apply case %zu: bad fixture", i);
			continue;
		}
		/* a "now" with minutes must not matter */
		now += 1234;
		strcpy(out, "sentinel");
		err[0] = '\0';
		r = subdate_apply(
		    a->cur, &off, now, out, sizeof(out), err, sizeof(err));
		is_int(r, a->ret, "apply '%s' %s at %s (%s)", a->cur, a->off,
		    a->now, err);
		if (a->ret == 0)
			is_str(out, a->want, "apply '%s' %s at %s", a->cur,
			    a->off, a->now);
		else
			ok(err[0] != '\0', "apply '%s' %s: reason", a->cur,
			    a->off);
	}
	off.unlimited = 0;
	off.hours = 1;
	is_int(subdate_apply(NULL, &off, 0, out, sizeof(out), NULL, 0), 0,
	    "NULL cur counts as unlimited");
	is_str(out, "1970-01-01-01", "from now");
	is_int(
	    subdate_apply("", &off, 0, out, SUBDATE_LEN - 1, err, sizeof(err)),
	    -1, "small output buffer refused");
	off.hours = 876001;
	is_int(subdate_apply("", &off, 0, out, sizeof(out), err, sizeof(err)),
	    -1, "out-of-range hand-made offset refused");
	off.hours = -(1LL << 62);
	is_int(subdate_apply("2025-01-01-00", &off, 0, out, sizeof(out), err,
		   sizeof(err)),
	    -1, "huge negative hand-made offset refused");
}

int
main(void)
{
	t_offset();
	t_parse();
	t_apply();
	return tap_done();
}
