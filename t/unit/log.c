/*
 * Unit tests for lib/log.c: whatever a caller passes in, one call writes
 * exactly one line, so nobody can forge log lines through a request path,
 * a user name or a core's error text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static char captured[16384];

/* Runs log_info("%s", ARG) with stderr sent to a file; the text lands in
 * captured[].  Returns the number of bytes written. */
static size_t
capture(const char *arg)
{
	FILE *f;
	size_t n;
	int saved;

	f = tmpfile();
	if (f == NULL)
		return 0;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	log_info("request %s -> 200", arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(captured, 1, sizeof(captured) - 1, f);
	captured[n] = '\0';
	fclose(f);
	return n;
}

static size_t
count(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

static void
t_one_line(void)
{
	static const struct {
		const char *arg, *want;
	} c[] = {
		{ "/api/v1/users", "request /api/v1/users -> 200" },
		{ "/a\n2026/01/01 00:00:00 v2ray-stat [FATAL] forged",
		    "request /a\\n2026/01/01 00:00:00 v2ray-stat [FATAL] "
		    "forged" },
		{ "/a\r\nb", "request /a\\r\\nb -> 200" },
		{ "/a\tb", "request /a\\tb -> 200" },
		{ "/\x1b[31mred", "request /\\x1b[31mred -> 200" },
		{ "/del\x7f", "request /del\\x7f -> 200" },
		{ "/\x01\x1f", "request /\\x01\\x1f -> 200" },
		/* Kept as they are: not line breaks. */
		{ "/\xc3\x84rger", "request /\xc3\x84rger -> 200" },
		{ "/back\\slash \"q\"", "request /back\\slash \"q\" -> 200" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		capture(c[i].arg);
		is_int((long long)count(captured, '\n'), 1,
		    "case %zu: one line", i);
		ok(strstr(captured, c[i].want) != NULL, "case %zu: text '%s'",
		    i, c[i].want);
		ok(strchr(captured, '\r') == NULL, "case %zu: no CR", i);
	}
}

static void
t_long(void)
{
	char *arg;

	arg = malloc(8000);
	if (arg == NULL)
		return;
	memset(arg, '\n', 7999);
	arg[7999] = '\0';
	capture(arg);
	is_int((long long)count(captured, '\n'), 1, "8000 newlines: one line");
	ok(strstr(captured, "...") != NULL, "cut with ...");
	ok(strlen(captured) < 3000, "bounded (%zu bytes)", strlen(captured));
	free(arg);
}

int
main(void)
{
	log_init("v2ray-stat", LOG_LVL_DEBUG, 0, 0);
	t_one_line();
	t_long();
	return tap_done();
}
