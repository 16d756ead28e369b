/* What the kernel tells of the machine through /proc (see procinfo.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procinfo.h"

/* Values above this are taken for garbage (2^53: exact in a double). */
#define PROCINFO_BIG 9007199254740992LL

int
procinfo_read(const char *path, char *out, size_t outsz)
{
	size_t len = 0;
	ssize_t r;
	int fd, rc = 0;

	if (outsz == 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < outsz - 1) {
		r = read(fd, out + len, outsz - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = -1;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	out[len] = '\0';
	close(fd);
	return rc;
}

/*
 * Parses "<blanks>DIGITS<blanks>kB" ending the line at P.  Returns 0 with
 * the value in *V, or -1.
 */
static int
kb_value(const char *p, long long *v)
{
	long long n = 0;
	int digits = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		n = n * 10 + (*p - '0');
		if (n > PROCINFO_BIG)
			return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (digits == 0 || strncmp(p, "kB", 2) != 0 ||
	    (p[2] != '\n' && p[2] != '\0'))
		return -1;
	*v = n;
	return 0;
}

int
procinfo_meminfo(const char *text, struct meminfo *mi)
{
	const char *line = text;
	int found = 0;

	while (line != NULL && *line != '\0') {
		if ((found & 1) == 0 && strncmp(line, "MemTotal:", 9) == 0) {
			if (kb_value(line + 9, &mi->total_kb) == -1)
				return -1;
			found |= 1;
		} else if ((found & 2) == 0 &&
		    strncmp(line, "MemAvailable:", 13) == 0) {
			if (kb_value(line + 13, &mi->avail_kb) == -1)
				return -1;
			found |= 2;
		}
		if ((line = strchr(line, '\n')) != NULL)
			line++;
	}
	if (found != 3 || mi->total_kb == 0)
		return -1;
	if (mi->avail_kb > mi->total_kb)
		mi->avail_kb = mi->total_kb;
	return 0;
}

double
procinfo_mem_used_pct(const struct meminfo *mi)
{
	if (mi->total_kb <= 0)
		return 0.0;
	return (double)(mi->total_kb - mi->avail_kb) * 100.0 /
	    (double)mi->total_kb;
}

/*
 * Parses N numbers separated by blanks at the start of TEXT into V, each
 * in 0..MAX.  Returns 0 or -1.
 */
static int
numbers(const char *text, double *v, int n, double max)
{
	const char *p = text;
	char *end;
	size_t span;
	int i;

	for (i = 0; i < n; i++) {
		while (*p == ' ')
			p++;
		/* strtod would take "inf", "nan", hex and exponents; /proc
		 * writes digits and a point. */
		span = strspn(p, "0123456789.");
		if (*p < '0' || *p > '9' ||
		    (p[span] != ' ' && p[span] != '\n' && p[span] != '\0'))
			return -1;
		errno = 0;
		v[i] = strtod(p, &end);
		if (errno != 0 || end == p || !isfinite(v[i]) || v[i] < 0 ||
		    v[i] > max || (*end != ' ' && *end != '\n' && *end != '\0'))
			return -1;
		p = end;
	}
	return 0;
}

int
procinfo_uptime(const char *text, char *out, size_t outsz)
{
	double up;
	long long s;

	if (numbers(text, &up, 1, 1e12) == -1) {
		snprintf(out, outsz, "unknown");
		return -1;
	}
	s = (long long)up;
	snprintf(out, outsz, "%lld days %02lld hours", s / 86400,
	    (s % 86400) / 3600);
	return 0;
}

int
procinfo_loadavg(const char *text, char *out, size_t outsz)
{
	double l[3];

	if (numbers(text, l, 3, 1e9) == -1) {
		snprintf(out, outsz, "unknown");
		return -1;
	}
	snprintf(out, outsz, "%.2f, %.2f, %.2f", l[0], l[1], l[2]);
	return 0;
}

void
sockcount_feed(struct sockcount *sc, const char *p, size_t len)
{
	size_t i;
	char c;

	for (i = 0; i < len; i++) {
		c = p[i];
		if (c == '\n') {
			sc->st = 0;
			continue;
		}
		switch (sc->st) {
		case 0: /* blanks before the slot number */
			if (c >= '0' && c <= '9')
				sc->st = 1;
			else if (c != ' ' && c != '\t')
				sc->st = 2;
			break;
		case 1: /* the slot number */
			if (c == ':') {
				sc->n++;
				sc->st = 2;
			} else if (c < '0' || c > '9')
				sc->st = 2;
			break;
		default: /* counted, or not an entry: up to the newline */
			break;
		}
	}
}

long long
procinfo_sockets(const char *const *paths, size_t n)
{
	struct sockcount sc;
	char chunk[16384];
	ssize_t r;
	size_t i;
	int fd, any = 0;

	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < n; i++) {
		if ((fd = open(paths[i], O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		any = 1;
		sc.st = 0;
		while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				break;
			sockcount_feed(&sc, chunk, (size_t)r);
		}
		close(fd);
	}
	return any ? sc.n : -1;
}

/*
 * 0 if process PID of PROC has exited (a zombie its parent has not
 * reaped, state Z or X in PROC/PID/stat), else 1.
 */
static int
alive(const char *proc, const char *pid)
{
	char path[4096], stat[512], *paren;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/stat", proc, pid) >=
		sizeof(path) ||
	    procinfo_read(path, stat, sizeof(stat)) == -1)
		return 1;
	/* "PID (COMM) S ...": COMM may hold ") ", the state follows the
	 * last ')'. */
	if ((paren = strrchr(stat, ')')) == NULL || paren[1] != ' ')
		return 1;
	return paren[2] != 'Z' && paren[2] != 'X';
}

int
procinfo_running(const char *proc, char *const *names, size_t n, int *running)
{
	struct dirent *de;
	char path[4096], comm[64];
	size_t i, left = n, len;
	DIR *d;

	for (i = 0; i < n; i++)
		running[i] = 0;
	if ((d = opendir(proc)) == NULL)
		return -1;
	while (left > 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/comm", proc,
			de->d_name) >= sizeof(path) ||
		    procinfo_read(path, comm, sizeof(comm)) == -1)
			continue; /* gone since readdir */
		len = strcspn(comm, "\n");
		comm[len] = '\0';
		for (i = 0; i < n; i++)
			if (!running[i] && strcmp(comm, names[i]) == 0 &&
			    alive(proc, de->d_name)) {
				running[i] = 1;
				left--;
			}
	}
	closedir(d);
	return 0;
}
