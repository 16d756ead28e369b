#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "subdate.h"

#define SUBDATE_MAX_HOURS ((long long)SUBDATE_MAX_DAYS * 24)
/* 10000-01-01T00:00:00Z: the first instant that no longer fits "YYYY". */
#define SUBDATE_T_END 253402300800LL

static const char syntax_msg[] =
    "expected [+|-]DAYS[:HOURS] or [+|-][DAYSd][HOURSh]";

static void
set_err(char *err, size_t errsz, const char *msg)
{
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "%s", msg);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Reads a run of digits at *PP (before END) into *V, saturating above
 * SUBDATE_MAX_HOURS + 1 so that overflow cannot happen.  Returns the
 * number of digits read.
 */
static size_t
read_num(const char **pp, const char *end, long long *v)
{
	const char *p = *pp;
	size_t nd = 0;

	*v = 0;
	while (p < end && *p >= '0' && *p <= '9') {
		if (*v <= SUBDATE_MAX_HOURS)
			*v = *v * 10 + (*p - '0');
		p++;
		nd++;
	}
	*pp = p;
	return nd;
}

int
subdate_parse_offset(
    const char *s, struct subdate_offset *off, char *err, size_t errsz)
{
	const char *p, *end;
	long long a = 0, b = 0, days = 0, hours = 0;
	int sign = 0;

	if (s == NULL)
		s = "";
	p = s;
	end = s + strlen(s);
	if (*p == ' ') {
		/* "+30" in a form body arrives as " 30". */
		sign = 1;
		p++;
	}
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if (p == end) {
		set_err(
		    err, errsz, sign ? "no number after the sign" : "empty");
		return -1;
	}
	if (sign == 0 && (*p == '+' || *p == '-')) {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (p == end) {
			set_err(err, errsz, "no number after the sign");
			return -1;
		}
	}
	if (sign >= 0 && end - p == 1 && *p == '0') {
		off->unlimited = 1;
		off->hours = 0;
		return 0;
	}

	if (read_num(&p, end, &a) == 0) {
		set_err(err, errsz, syntax_msg);
		return -1;
	}
	if (p == end) {
		days = a; /* "-5": days */
	} else if (*p == ':') {
		p++;
		if (read_num(&p, end, &b) == 0 || p != end) {
			set_err(err, errsz, syntax_msg);
			return -1;
		}
		days = a;
		hours = b;
	} else if (*p == 'd') {
		p++;
		days = a;
		if (p != end) {
			if (read_num(&p, end, &b) == 0 || p == end ||
			    *p != 'h' || p + 1 != end) {
				set_err(err, errsz, syntax_msg);
				return -1;
			}
			hours = b;
		}
	} else if (*p == 'h' && p + 1 == end) {
		hours = a;
	} else {
		set_err(err, errsz, syntax_msg);
		return -1;
	}
	if (days > SUBDATE_MAX_DAYS) {
		set_err(err, errsz, "days must be at most 36500");
		return -1;
	}
	if (hours > SUBDATE_MAX_HOURS ||
	    days * 24 + hours > SUBDATE_MAX_HOURS) {
		set_err(err, errsz, "offset must be at most 876000 hours");
		return -1;
	}
	off->unlimited = 0;
	off->hours = (days * 24 + hours) * (sign < 0 ? -1 : 1);
	return 0;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
subdate_parse(const char *s, time_t *t)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	struct tm tm;
	int y, mo, d, h, dim;

	if (s == NULL)
		return -1;
	if (s[0] == '\0') {
		*t = 0;
		return 0;
	}
	if (strlen(s) != SUBDATE_LEN - 1 || s[4] != '-' || s[7] != '-' ||
	    s[10] != '-')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23)
		return -1;
	dim = mdays[mo - 1] + (mo == 2 && is_leap(y));
	if (d > dim)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	*t = timegm(&tm);
	return 0;
}

void
subdate_format(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	if (outsz == 0)
		return;
	if (gmtime_r(&t, &tm) == NULL) {
		out[0] = '\0';
		return;
	}
	snprintf(out, outsz, "%04d-%02d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
}

int
subdate_apply(const char *cur, const struct subdate_offset *off, time_t now,
    char *out, size_t outsz, char *err, size_t errsz)
{
	time_t ct = 0, base;
	long long nt;
	int cur_set;

	if (outsz < SUBDATE_LEN) {
		set_err(err, errsz, "output buffer too small");
		return -1;
	}
	if (off->unlimited) {
		out[0] = '\0';
		return 0;
	}
	if (off->hours > SUBDATE_MAX_HOURS || off->hours < -SUBDATE_MAX_HOURS) {
		set_err(err, errsz, "offset out of range");
		return -1;
	}
	cur_set = cur != NULL && cur[0] != '\0';
	if (cur_set && subdate_parse(cur, &ct) == -1) {
		set_err(err, errsz, "stored sub_end is malformed");
		return -1;
	}
	base = cur_set && (ct > now || off->hours < 0) ? ct : now;
	nt = (long long)base + off->hours * 3600;
	if (nt < 0) {
		set_err(err, errsz, "resulting date is before 1970");
		return -1;
	}
	if (nt >= SUBDATE_T_END) {
		set_err(err, errsz, "resulting date is after 9999");
		return -1;
	}
	subdate_format((time_t)nt, out, outsz);
	return 0;
}
