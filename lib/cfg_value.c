/*
 * The checks and parsers of values that need no loader: decimal integers,
 * booleans, time zone names, host:port addresses, interface names.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cfg_int.h"
#include "xmalloc.h"

#ifndef CFG_ZONEINFO_DIR
#define CFG_ZONEINFO_DIR "/usr/share/zoneinfo"
#endif

int
cfg_parse_ll(const char *s, long long *out)
{
	unsigned long long v, lim;
	int neg;

	neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (v = 0; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (lim - (unsigned long long)(*s - '0')) / 10) {
			while (*s >= '0' && *s <= '9')
				s++;
			return *s == '\0' ? -2 : -1;
		}
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							      : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

int
cfg_parse_bool(const char *s)
{
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcasecmp(s, "on") == 0)
		return 1;
	if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
	    strcasecmp(s, "off") == 0)
		return 0;
	return -1;
}

int
cfg_tz_valid(const char *tz)
{
	const char *p;
	char *path, magic[4];
	struct stat st;
	int fd, ok;

	if (tz[0] == '/' || strstr(tz, "..") != NULL || strlen(tz) > 200)
		return 0;
	for (p = tz; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-.", *p) == NULL)
			return 0;
	ok = 0;
	path = xasprintf("%s/%s", CFG_ZONEINFO_DIR, tz);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		goto out;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0)
		ok = 1;
	close(fd);
out:
	free(path);
	return ok;
}

int
cfg_hostport_valid(const char *s)
{
	const char *p, *port, *end;
	long long n;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end == s + 1 ||
		    end[1] != ':')
			return 0;
		for (p = s + 1; p < end; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' &&
			    *p != '.')
				return 0;
		port = end + 2;
	} else {
		if ((end = strrchr(s, ':')) == NULL || end == s)
			return 0;
		for (p = s; p < end; p++)
			if (!isalnum((unsigned char)*p) &&
			    strchr(".-_", *p) == NULL)
				return 0;
		port = end + 1;
	}
	return cfg_parse_ll(port, &n) == 0 && n >= 1 && n <= 65535;
}

int
cfg_ifname_valid(const char *s)
{
	const char *p;

	if (strlen(s) > 15)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p) || *p == '/' || *p == ':')
			return 0;
	return 1;
}

int
cfg_hhmm_parse(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int
cfg_url_valid(const char *s, int proxy)
{
	static const char *const web[] = { "http://", "https://", NULL };
	static const char *const px[] = { "http://", "https://", "socks4://",
		"socks4a://", "socks5://", "socks5h://", NULL };
	const char *const *sch;
	const unsigned char *p;
	size_t n;

	for (sch = proxy ? px : web; *sch != NULL; sch++) {
		n = strlen(*sch);
		if (strncasecmp(s, *sch, n) == 0)
			break;
	}
	if (*sch == NULL)
		return 0;
	p = (const unsigned char *)s + n;
	if (*p == '\0' || *p == '/' || *p == ':')
		return 0; /* no host */
	for (; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

int
cfg_tgtoken_valid(const char *s)
{
	const char *p = s;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == s || *p != ':' || p[1] == '\0')
		return 0;
	for (p++; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

int
cfg_chatid_valid(const char *s)
{
	const char *p = s;
	size_t n;

	if (*p == '@') {
		n = strlen(p + 1);
		if (n < 5 || n > 32)
			return 0;
		for (p++; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				return 0;
		return 1;
	}
	if (*p == '-')
		p++;
	n = strlen(p);
	if (n < 1 || n > 20)
		return 0;
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}
