/* When the answer must be out (deadline.h). */
#include "config.h"

#include <stddef.h>

#include "deadline.h"

/* Parses 1..MAXDIGITS digits at *SP into *V, advancing *SP; -1 if none
 * or too many. */
static int
digits(const char **sp, int maxdigits, int64_t *v)
{
	const char *s = *sp;
	int n = 0;

	*v = 0;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == maxdigits)
			return -1;
		*v = *v * 10 + (*s - '0');
	}
	if (n == 0)
		return -1;
	*sp = s;
	return 0;
}

int64_t
deadline_parse_msec(const char *s)
{
	int64_t sec, ms;
	const char *p = s;

	if (s == NULL || digits(&p, 12, &sec) == -1 || *p++ != '.')
		return -1;
	s = p;
	if (digits(&p, 3, &ms) == -1 || p - s != 3 || *p != '\0')
		return -1;
	return sec * 1000 + ms;
}

int64_t
deadline_parse_timeout(const char *s)
{
	int64_t sec;

	if (s == NULL || digits(&s, 5, &sec) == -1)
		return -1;
	if (*s == 's')
		s++;
	if (*s != '\0' || sec < 1 || sec > 86400)
		return -1;
	return sec * 1000;
}

int64_t
deadline_margin(int64_t timeout_ms)
{
	int64_t m = timeout_ms / 8;

	m = m < 1000 ? 1000 : m > 15000 ? 15000 : m;
	return m > timeout_ms / 2 ? timeout_ms / 2 : m;
}

int64_t
deadline_answer_by(
    int64_t mono_now, int64_t wall_now, const char *start, const char *timeout)
{
	int64_t t0, limit;

	if ((limit = deadline_parse_timeout(timeout)) == -1)
		limit = DEADLINE_DEFAULT_TIMEOUT_MS;
	if ((t0 = deadline_parse_msec(start)) == -1 || t0 > wall_now)
		t0 = wall_now;
	return mono_now + (t0 - wall_now) + limit - deadline_margin(limit);
}
