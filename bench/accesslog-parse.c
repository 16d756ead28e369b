/*
 * Parse speed of an access-log file: bench/accesslog-parse [-r REGEX]
 * [-n ROUNDS] FILE.  Loads FILE into memory, parses every line ROUNDS
 * times (default 3) with the built-in parser, or with REGEX ("default" =
 * the original's), and prints the best lines/s and the count per result.
 * File reading is not timed.
 */
#include "config.h"

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "accesslog.h"
#include "xmalloc.h"

static void
usage(void)
{
	fprintf(stderr, "usage: accesslog-parse [-r regex] [-n rounds] file\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct accesslog_regex *re = NULL;
	struct accesslog_rec r;
	struct stat sb;
	const char *pattern = NULL, *p, *end, *nl;
	char *data, *ep, errbuf[256];
	unsigned long long counts[ACCESSLOG__MAX], lines;
	double t0, dt, best = 0;
	long rounds = 3;
	ssize_t n;
	size_t got;
	int ch, fd, round, i;

	while ((ch = getopt(argc, argv, "n:r:")) != -1) {
		switch (ch) {
		case 'n':
			errno = 0;
			rounds = strtol(optarg, &ep, 10);
			if (errno != 0 || ep == optarg || *ep != '\0' ||
			    rounds < 1 || rounds > 1000)
				usage();
			break;
		case 'r':
			pattern = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if (pattern != NULL) {
		if (strcmp(pattern, "default") == 0)
			pattern = ACCESSLOG_DEFAULT_REGEX;
		re = accesslog_regex_compile(pattern, errbuf, sizeof(errbuf));
		if (re == NULL)
			errx(1, "regex: %s", errbuf);
	}
	if ((fd = open(argv[optind], O_RDONLY)) == -1 || fstat(fd, &sb) == -1)
		err(1, "%s", argv[optind]);
	data = xmalloc((size_t)sb.st_size + 1);
	for (got = 0; got < (size_t)sb.st_size; got += (size_t)n)
		if ((n = read(fd, data + got, (size_t)sb.st_size - got)) <= 0)
			err(1, "read");
	close(fd);
	end = data + got;

	for (round = 0; round < rounds; round++) {
		memset(counts, 0, sizeof(counts));
		lines = 0;
		t0 = mono_s();
		for (p = data; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			if (re != NULL)
				counts[accesslog_regex_match(
				    re, p, (size_t)(nl - p), &r)]++;
			else
				counts[accesslog_parse(
				    p, (size_t)(nl - p), &r)]++;
			lines++;
		}
		dt = mono_s() - t0;
		if (dt > 0 && (double)lines / dt > best)
			best = (double)lines / dt;
	}
	printf("mode: %s\nlines: %llu\nbest: %.0f lines/s (%.2f M)\n",
	    re != NULL ? "regex" : "builtin", lines, best, best / 1e6);
	for (i = 0; i < ACCESSLOG__MAX; i++)
		printf("%s: %llu\n", accesslog_result_str(i), counts[i]);
	accesslog_regex_free(re);
	free(data);
	return 0;
}
