/*
 * What the system watch keeps across restarts, as the text of
 * worker_state sysmon_state (sysmon.h), and the services' comparison.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sysmon.h"

uint64_t
sysmon_list_fp(char *const *names, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		/* Each name with its NUL: "ab","c" is not "a","bc". */
		p = (const unsigned char *)names[i];
		do {
			h ^= *p;
			h *= 0x100000001b3ULL;
		} while (*p++ != '\0');
	}
	return h;
}

void
sysmon_state_format(const struct sysmon_state *st, char *out, size_t outsz)
{
	char bits[SYSMON_MAX_SERVICES + 1];
	size_t i, n;

	snprintf(out, outsz, "sysmon1 mem=%d disk=%d", st->mem_raised ? 1 : 0,
	    st->disk_raised ? 1 : 0);
	if (!st->have_services)
		return;
	n = st->n < SYSMON_MAX_SERVICES ? st->n : SYSMON_MAX_SERVICES;
	for (i = 0; i < n; i++)
		bits[i] = st->up[i] ? '1' : '0';
	bits[n] = '\0';
	snprintf(out + strlen(out), outsz - strlen(out),
	    " list=%016" PRIx64 " up=%s", st->list, bits);
}

/* Reads "KEY=0" or "KEY=1" at *P; 0 with the value in *V, or -1. */
static int
flag(const char **p, const char *key, int *v)
{
	size_t len = strlen(key);

	if (strncmp(*p, key, len) != 0 || (*p)[len] != '=' ||
	    ((*p)[len + 1] != '0' && (*p)[len + 1] != '1'))
		return -1;
	*v = (*p)[len + 1] - '0';
	*p += len + 2;
	return 0;
}

int
sysmon_state_parse(const char *text, struct sysmon_state *st)
{
	const char *p = text;
	uint64_t list = 0;
	size_t i;
	int c;

	memset(st, 0, sizeof(*st));
	if (strncmp(p, "sysmon1 ", 8) != 0)
		goto bad;
	p += 8;
	if (flag(&p, "mem", &st->mem_raised) == -1 || *p++ != ' ' ||
	    flag(&p, "disk", &st->disk_raised) == -1)
		goto bad;
	if (*p == '\0')
		return 0;
	if (strncmp(p, " list=", 6) != 0)
		goto bad;
	p += 6;
	for (i = 0; i < 16; i++, p++) {
		if (*p >= '0' && *p <= '9')
			c = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			c = *p - 'a' + 10;
		else
			goto bad;
		list = list << 4 | (uint64_t)c;
	}
	if (strncmp(p, " up=", 4) != 0)
		goto bad;
	p += 4;
	for (i = 0; p[i] == '0' || p[i] == '1'; i++) {
		if (i == SYSMON_MAX_SERVICES)
			goto bad;
		st->up[i] = (unsigned char)(p[i] - '0');
	}
	if (p[i] != '\0')
		goto bad;
	st->have_services = 1;
	st->list = list;
	st->n = i;
	return 0;
bad:
	memset(st, 0, sizeof(*st));
	return -1;
}

int
sysmon_services_changed(
    const struct sysmon_state *st, uint64_t list, const int *running, size_t n)
{
	size_t i;

	if (!st->have_services || st->list != list || st->n != n)
		return -1;
	for (i = 0; i < n; i++)
		if ((st->up[i] != 0) != (running[i] != 0))
			return 1;
	return 0;
}
