/*
 * Unit tests for worker/log/recguard.c: tables of logs, each line marked
 * with whether it begins inside a record of the core (1) or not (0).
 * The hostile cases are what a client can make the core write: the
 * trojan "invalid domain name" with newlines (the real line of v2fly
 * 4.34), names of every length up to 255, chains of markers, SOCKS4a
 * names; and the boundaries of the span byte by byte.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recguard.h"
#include "tap.h"

#define T "2026/12/05 17:18:07 "
#define REJ \
	T "127.0.0.1:52612 rejected  v2ray.com/core/proxy/trojan: " \
	  "failed to read address and port > v2ray.com/core/common/protocol: " \
	  "invalid domain name: "
#define FAKE \
	"2026/01/01 00:00:00 203.0.113.9:1234 accepted " \
	"tcp:evil.example:443 [direct] email: alice@example.com"
#define REAL \
	T "127.0.0.1:37124 accepted tcp:127.0.0.1:18080 [direct] " \
	  "email: alice@example.com"

struct gcase {
	const char *name;
	const char *log; /* lines separated by '\n' (the last one too) */
	const char *want; /* one digit per line */
};

/* "x" repeated N times (static buffers, rotating). */
static const char *
rep(char c, size_t n)
{
	static char bufs[8][9000];
	static int k;
	char *b = bufs[k++ % 8];

	if (n >= sizeof(bufs[0]))
		abort();
	memset(b, c, n);
	b[n] = '\0';
	return b;
}

/* Runs LOG through a fresh guard; the flags as digits in OUT. */
static void
run(const char *log, char *out, size_t outsz)
{
	struct recguard g;
	const char *p = log, *nl;
	size_t n = 0;

	recguard_init(&g);
	while ((nl = strchr(p, '\n')) != NULL && n + 1 < outsz) {
		out[n++] = (char)('0' + recguard_line(&g, p, (size_t)(nl - p)));
		p = nl + 1;
	}
	out[n] = '\0';
}

static void
check(const char *name, const char *log, const char *want)
{
	char got[256];

	run(log, got, sizeof(got));
	is_str(got, want, "%s", name);
}

static const struct gcase cases[] = {
	{ "a quiet log", REAL "\n" REAL "\n" REAL "\n", "000" },
	{ "the fixture's own rejections (no client text)",
	    T "127.0.0.1:37140 rejected  v2ray.com/core/proxy/vless/encoding: "
	      "invalid request user id\n" REAL "\n" T
	      "tcp:127.0.0.1:45504 rejected  v2ray.com/core/proxy/socks: "
	      "invalid username or password\n" REAL "\n" T
	      "127.0.0.1:1 rejected  v2ray.com/core/proxy/trojan: not a valid "
	      "user\n" REAL "\n",
	    "000000" },
	{ "the trojan attack, as v2fly 4.34 writes it", REJ "a\n" FAKE "\nb\n",
	    "011" },
	{ "two forged lines, then the real ones after the span",
	    REJ "a\n" FAKE "\n" FAKE "\n" REAL "\n" REAL "\n" REAL "\n",
	    "011100" },
	{ "an empty name part on the first line (a newline first)",
	    REJ "\n" FAKE "\n", "01" },
	{ "a CR before the newline is the client's too",
	    REJ "a\r\n" FAKE "\r\n" REAL "\n" REAL "\n" REAL "\n", "01110" },
	{ "a bad name on one line: the next line is skipped all the same",
	    REJ "bad name\n" REAL "\n" REAL "\n" REAL "\n" REAL "\n", "01110" },
	{ "the marker is looked for in lines inside a span",
	    REJ "a\n" FAKE " invalid domain name: \n" REAL "\n" REAL "\n" REAL
		"\n" REAL "\n",
	    "011110" },
	{ "a second real rejection inside the span opens its own",
	    REJ "a\n" REJ "b\n" FAKE "\n" FAKE "\n" REAL "\n" REAL "\n",
	    "011110" },
	{ "SOCKS4a: a name without a port on the first line",
	    T "tcp:127.0.0.1:55710 accepted tcp:x\n" FAKE "\ny:80 [direct]\n",
	    "011" },
	{ "SOCKS4a, Xray's shape",
	    "2025/06/14 12:00:00.123456 from tcp:1.2.3.4:5 accepted "
	    "tcp:x\ty:80 [in >> out]\n" FAKE "\n",
	    "01" },
	{ "SOCKS4a with a clean first line: cannot be told (documented)",
	    T "tcp:127.0.0.1:55710 accepted tcp:x:80 [direct] email: bob\n" FAKE
	      "\ny:80 [direct]\n",
	    "000" },
	{ "clean destinations open nothing",
	    T "1.2.3.4:5 accepted tcp:[2001:db8::1]:443 [direct] email: u\n" T
	      "1.2.3.4:5 accepted udp:1.1.1.1:53 [direct] email: u\n" T
	      "1.2.3.4:5 accepted //example.com:443 [direct]\n" T
	      "1.2.3.4:5 accepted tcp:xn--80ak6aa92e.com:443 [direct]\n" REAL
	      "\n",
	    "00000" },
	{ "an IPv6 destination without its port is not clean",
	    T "1.2.3.4:5 accepted tcp:[2001:db8::1]\n" REAL "\n", "01" },
	{ "a port of six digits is not clean",
	    T "1.2.3.4:5 accepted tcp:a:123456 [direct]\n" REAL "\n", "01" },
	{ "\"accepted\" in a reason is not a status",
	    T "1.2.3.4:5 rejected  x: accepted tcp:y\n" REAL "\n", "00" },
	{ "inside a span, an unclean accepted line does not widen it",
	    REJ "a\n" T "1.2.3.4:5 accepted tcp:zz\n" REAL "\n" REAL "\n" REAL
		"\n" REAL "\n" REAL "\n",
	    "0111100" },
	{ "garbage and empty lines", "\n\nx\n" REJ "\n\n\n" REAL "\n",
	    "0000111" },
};

int
main(void)
{
	char log[40000], name[128], want[64];
	struct recguard g;
	size_t i, k, l;
	int64_t saved;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].name, cases[i].log, cases[i].want);

	/* The span byte by byte: "a" on the first line leaves 253 bytes in
	 * which a line can begin (the name's offsets up to 255). */
	snprintf(log, sizeof(log), REJ "a\n%s\n" REAL "\n", rep('x', 252));
	check("a line of 252 bytes: the next one begins at offset 255, "
	      "inside",
	    log, "011");
	snprintf(log, sizeof(log), REJ "a\n%s\n" REAL "\n", rep('x', 253));
	check("a line of 253 bytes: the next one begins past the name", log,
	    "010");
	snprintf(log, sizeof(log), REJ "%s\n" REAL "\n", rep('x', 254));
	check("254 bytes of the name on the first line: one more line", log,
	    "01");
	snprintf(log, sizeof(log), REJ "%s\n" REAL "\n", rep('x', 255));
	check("255 bytes on the first line: the name is whole", log, "00");
	snprintf(log, sizeof(log), REJ "%s\n" REAL "\n", rep('x', 4000));
	check("a longer name than the core reads: nothing open", log, "00");

	/* Every length of name: a name of N bytes made of "a\n", a forged
	 * line, "\n" and padding; every line of it is inside. */
	for (l = 0; l < 150; l++) {
		snprintf(log, sizeof(log),
		    REJ "a\n%s\n%s\n%s\n" REAL "\n" REAL "\n" REAL "\n" REAL
			"\n",
		    rep('x', l), FAKE, rep('y', 150 - l));
		run(log, want, sizeof(want));
		if (strncmp(want, "0111", 4) != 0) {
			snprintf(name, sizeof(name),
			    "forged line after %zu bytes: %s", l, want);
			ok(0, "%s", name);
			break;
		}
	}
	ok(l == 150, "a forged line anywhere in a 255-byte name is inside");

	/* SOCKS4a: up to 8191 bytes of name. */
	snprintf(log, sizeof(log),
	    T "tcp:1.2.3.4:5 accepted tcp:x\n%s\n" FAKE "\n%s\n" REAL "\n",
	    rep('x', 8000), rep('y', 500));
	check("SOCKS4a: a forged line 8 KB into the name is inside", log,
	    "01110");

	/* The state is a number: saved and restored, it goes on. */
	recguard_init(&g);
	recguard_line(&g, REJ "a", strlen(REJ "a"));
	saved = g.left;
	recguard_init(&g);
	g.left = saved;
	is_int(recguard_line(&g, FAKE, strlen(FAKE)), 1,
	    "a restored state keeps the span");
	is_int(saved, RECGUARD_DOMAIN_MAX - 2, "the span left after \"a\"");
	recguard_init(&g);
	is_int(g.left, -1, "init: nothing open");
	k = 0;
	for (i = 0; i < 1000; i++)
		k += (size_t)recguard_line(&g, REAL, strlen(REAL));
	is_int((long long)k, 0, "1000 real lines: none inside");
	return tap_done();
}
