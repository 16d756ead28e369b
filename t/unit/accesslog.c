/* Unit tests for worker/log/accesslog.c: the built-in parser and the regex mode. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accesslog.h"
#include "tap.h"

/* A slice as a NUL-terminated string (static buffers, rotating). */
static const char *
S(struct accesslog_slice s)
{
	static char bufs[8][512];
	static int n;
	char *b = bufs[n++ % 8];

	if (s.len >= sizeof(bufs[0]))
		return "(too long)";
	memcpy(b, s.p == NULL ? "" : s.p, s.len);
	b[s.len] = '\0';
	return b;
}

struct pcase {
	const char *line;
	enum accesslog_result want;
	const char *time, *src_net, *src_ip, *src_port;
	const char *dst_net, *dst_host, *dst_port, *in_tag, *out_tag, *email;
	const char *reason;
};

#define X_T "2025/06/14 12:00:00.123456 "
#define V_T "2026/11/27 03:39:51 "

static const struct pcase pcases[] = {
	/* Xray */
	{ X_T "from tcp:1.2.3.4:54321 accepted tcp:www.google.com:443 "
	      "[vless-in >> direct] email: user1",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "tcp", "1.2.3.4",
	    "54321", "tcp", "www.google.com", "443", "vless-in", "direct",
	    "user1", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:www.google.com:443 "
	      "[vless-in >> direct] email: user1",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5",
	    "tcp", "www.google.com", "443", "vless-in", "direct", "user1", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:a.b:1 [in -> out] email: u",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5",
	    "tcp", "a.b", "1", "in", "out", "u", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:a.b:1 [in ==> out] email: u",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5",
	    "tcp", "a.b", "1", "in", "out", "u", "" },
	{ X_T "from tcp:10.0.0.1:40000 accepted udp:1.1.1.1:53 "
	      "[dns-in >> dns-out] email: bob",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "tcp", "10.0.0.1",
	    "40000", "udp", "1.1.1.1", "53", "dns-in", "dns-out", "bob", "" },
	{ X_T "from [2001:db8::1]:443 accepted tcp:[2001:db8::2]:8443 "
	      "[in >> out] email: v6",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "", "2001:db8::1",
	    "443", "tcp", "2001:db8::2", "8443", "in", "out", "v6", "" },
	{ X_T "from tcp:[::ffff:1.2.3.4]:65535 accepted udp:[::1]:0 [o] "
	      "email: m",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "tcp", "::ffff:1.2.3.4",
	    "65535", "udp", "::1", "0", "", "o", "m", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:x.y:443 [vless-in >> direct]",
	    ACCESSLOG_NO_USER, "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5",
	    "tcp", "x.y", "443", "vless-in", "direct", "", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:x.y:443 email: nodetour",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5",
	    "tcp", "x.y", "443", "", "", "nodetour", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:x.y:443", ACCESSLOG_NO_USER,
	    "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5", "tcp", "x.y",
	    "443", "", "", "", "" },
	{ X_T "from 127.0.0.1:5 accepted tcp:127.0.0.1:0 [api >> api]",
	    ACCESSLOG_API, "2025/06/14 12:00:00.123456", "", "127.0.0.1", "5",
	    "tcp", "127.0.0.1", "0", "api", "api", "", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:x.y:443 [vless-in >> api] "
	      "email: u",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5",
	    "tcp", "x.y", "443", "vless-in", "api", "u", "" },
	{ X_T "from 1.2.3.4:5 accepted tcp:x.y:443 [in >> d] email: u1  \r",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.123456", "", "1.2.3.4", "5",
	    "tcp", "x.y", "443", "in", "d", "u1", "" },
	{ "2025/06/14 12:00:00.1 from 1.2.3.4:5 accepted tcp:x-y_z.c:9 "
	  "[i >> o] email: \xd0\xbf\xd1\x80\xd0\xb8",
	    ACCESSLOG_OK, "2025/06/14 12:00:00.1", "", "1.2.3.4", "5", "tcp",
	    "x-y_z.c", "9", "i", "o", "\xd0\xbf\xd1\x80\xd0\xb8", "" },
	{ X_T "from 1.2.3.4:5 rejected  proxy/vless/encoding: invalid "
	      "request user id",
	    ACCESSLOG_REJECTED, "2025/06/14 12:00:00.123456", "", "1.2.3.4",
	    "5", "", "", "", "", "", "",
	    "proxy/vless/encoding: invalid request user id" },
	/* v2fly 4.34, as logged (grpc-notes.md section 10) */
	{ V_T "127.0.0.1:37124 accepted tcp:127.0.0.1:18080 [direct] "
	      "email: alice@example.com",
	    ACCESSLOG_OK, "2026/11/27 03:39:51", "", "127.0.0.1", "37124",
	    "tcp", "127.0.0.1", "18080", "", "direct", "alice@example.com",
	    "" },
	{ V_T "tcp:127.0.0.1:45500 accepted tcp:127.0.0.1:18080 [direct]",
	    ACCESSLOG_NO_USER, "2026/11/27 03:39:51", "tcp", "127.0.0.1",
	    "45500", "tcp", "127.0.0.1", "18080", "", "direct", "", "" },
	{ V_T "127.0.0.1:37140 rejected  v2ray.com/core/proxy/vless/"
	      "encoding: invalid request user id",
	    ACCESSLOG_REJECTED, "2026/11/27 03:39:51", "", "127.0.0.1", "37140",
	    "", "", "", "", "", "",
	    "v2ray.com/core/proxy/vless/encoding: invalid request user id" },
	{ V_T "tcp:127.0.0.1:45504 rejected  v2ray.com/core/proxy/socks: "
	      "invalid username or password",
	    ACCESSLOG_REJECTED, "2026/11/27 03:39:51", "tcp", "127.0.0.1",
	    "45504", "", "", "", "", "", "",
	    "v2ray.com/core/proxy/socks: invalid username or password" },
	{ V_T "127.0.0.1:47062 accepted tcp:localhost:18080 [direct] "
	      "email: alice@example.com",
	    ACCESSLOG_OK, "2026/11/27 03:39:51", "", "127.0.0.1", "47062",
	    "tcp", "localhost", "18080", "", "direct", "alice@example.com",
	    "" },
	{ V_T "127.0.0.1:47076 accepted tcp:127.0.0.1:1 [direct] "
	      "email: alice@example.com",
	    ACCESSLOG_OK, "2026/11/27 03:39:51", "", "127.0.0.1", "47076",
	    "tcp", "127.0.0.1", "1", "", "direct", "alice@example.com", "" },
	{ V_T "127.0.0.1:55822 accepted tcp:127.0.0.1:0 [api]", ACCESSLOG_API,
	    "2026/11/27 03:39:51", "", "127.0.0.1", "55822", "tcp", "127.0.0.1",
	    "0", "", "api", "", "" },
	{ V_T "127.0.0.1:55822 accepted tcp:127.0.0.1:0 [api] email: x",
	    ACCESSLOG_API, "2026/11/27 03:39:51", "", "127.0.0.1", "55822",
	    "tcp", "127.0.0.1", "0", "", "api", "x", "" },
	{ V_T "127.0.0.1:1 accepted tcp:127.0.0.1:18080 [direct] ",
	    ACCESSLOG_NO_USER, "2026/11/27 03:39:51", "", "127.0.0.1", "1",
	    "tcp", "127.0.0.1", "18080", "", "direct", "", "" },
	{ V_T "127.0.0.1:1 rejected tcp:a.b:80 [x] denied email: eve",
	    ACCESSLOG_REJECTED, "2026/11/27 03:39:51", "", "127.0.0.1", "1",
	    "tcp", "a.b", "80", "", "x", "eve", "denied" },
};

/* Lines that must give exactly WANT (all fields are then cleared). */
struct hcase {
	const char *name;
	const char *line;
	size_t len; /* 0 = strlen */
	enum accesslog_result want;
};

#define GOOD_HEAD X_T "from 1.2.3.4:5 accepted "

static const struct hcase hcases[] = {
	{ "empty", "", 0, ACCESSLOG_MALFORMED },
	{ "only spaces", "       ", 0, ACCESSLOG_MALFORMED },
	{ "only CR", "\r", 0, ACCESSLOG_MALFORMED },
	{ "time only", "2025/06/14 12:00:00", 0, ACCESSLOG_MALFORMED },
	{ "time and space", X_T, 0, ACCESSLOG_MALFORMED },
	{ "NUL inside", GOOD_HEAD "tcp:a\0b:1 email: u",
	    sizeof(GOOD_HEAD) - 1 + 18, ACCESSLOG_NUL },
	{ "NUL only", "\0", 1, ACCESSLOG_NUL },
	{ "NUL beats bad UTF-8", "\xff\0", 2, ACCESSLOG_NUL },
	{ "UTF-8 0xff", GOOD_HEAD "tcp:a.b:1 email: u\xff", 0,
	    ACCESSLOG_BAD_UTF8 },
	{ "UTF-8 overlong", GOOD_HEAD "tcp:a.b:1 email: \xc0\xaf", 0,
	    ACCESSLOG_BAD_UTF8 },
	{ "UTF-8 overlong 3", "\xe0\x80\xaf", 0, ACCESSLOG_BAD_UTF8 },
	{ "UTF-8 surrogate", "\xed\xa0\x80", 0, ACCESSLOG_BAD_UTF8 },
	{ "UTF-8 > U+10FFFF", "\xf4\x90\x80\x80", 0, ACCESSLOG_BAD_UTF8 },
	{ "UTF-8 cut at end", GOOD_HEAD "tcp:a.b:1 email: u\xe2\x82", 0,
	    ACCESSLOG_BAD_UTF8 },
	{ "UTF-8 lone continuation", "abcdefgh\x80", 0, ACCESSLOG_BAD_UTF8 },
	{ "email: nothing", GOOD_HEAD "tcp:a.b:1 [i >> o] email:", 0,
	    ACCESSLOG_MALFORMED },
	{ "email: space", GOOD_HEAD "tcp:a.b:1 [i >> o] email: ", 0,
	    ACCESSLOG_MALFORMED },
	{ "email: spaces CR", GOOD_HEAD "tcp:a.b:1 [i >> o] email:    \r", 0,
	    ACCESSLOG_MALFORMED },
	{ "email: two words", GOOD_HEAD "tcp:a.b:1 [i >> o] email: a b", 0,
	    ACCESSLOG_MALFORMED },
	{ "email: tab", GOOD_HEAD "tcp:a.b:1 [i >> o] email: a\tb", 0,
	    ACCESSLOG_MALFORMED },
	{ "email no detour nothing", GOOD_HEAD "tcp:a.b:1 email:", 0,
	    ACCESSLOG_MALFORMED },
	{ "bracket unclosed", GOOD_HEAD "tcp:a.b:1 [i >> o email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "bracket unopened", GOOD_HEAD "tcp:a.b:1 i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "bracket empty", GOOD_HEAD "tcp:a.b:1 [] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "bracket no outbound", GOOD_HEAD "tcp:a.b:1 [in >> ] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "bracket glued", GOOD_HEAD "tcp:a.b:1 [i >> o]email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "junk before email", GOOD_HEAD "tcp:a.b:1 [i >> o] junk email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "src IPv6 no ]", X_T "from [2001:db8::1:443 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "dst IPv6 no ]", GOOD_HEAD "tcp:[2001:db8::1:443 [i >> o]", 0,
	    ACCESSLOG_MALFORMED },
	{ "src IPv6 bare", X_T "from 2001:db8::1:443 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "IPv6 two ::", X_T "from [1::2::3]:4 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "IPv6 9 groups", X_T "from [1:2:3:4:5:6:7:8:9]:4 accepted tcp:a:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "IPv6 5 hex", X_T "from [12345::1]:4 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "IPv6 no port", X_T "from [::1] accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "port 65536", GOOD_HEAD "tcp:a.b:65536 [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "src port 99999", X_T "from 1.2.3.4:99999 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "port 6 digits", GOOD_HEAD "tcp:a.b:000443 [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "port letters", GOOD_HEAD "tcp:a.b:https [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "port empty", GOOD_HEAD "tcp:a.b: [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "port negative", GOOD_HEAD "tcp:a.b:-1 [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "no port", GOOD_HEAD "tcp:a.b [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "src 256", X_T "from 256.1.1.1:5 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "src 3 parts", X_T "from 1.2.3:5 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "src 5 parts", X_T "from 1.2.3.4.5:5 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "src domain", X_T "from evil.com:5 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "dst no network", GOOD_HEAD "a.b:1 [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "dst unix", GOOD_HEAD "unix:/x:1 [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "dst odd chars", GOOD_HEAD "tcp:a/b:1 [i >> o] email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "dst missing", GOOD_HEAD, 0, ACCESSLOG_MALFORMED },
	{ "status other", X_T "from 1.2.3.4:5 blocked tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "status glued", X_T "from 1.2.3.4:5 acceptedtcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "two spaces in time",
	    "2025/06/14  12:00:00 from 1.2.3.4:5 "
	    "accepted tcp:a.b:1",
	    0, ACCESSLOG_MALFORMED },
	{ "two spaces after from", X_T "from  1.2.3.4:5 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "many spaces before TO", X_T "from 1.2.3.4:5 accepted    tcp:a.b:1",
	    0, ACCESSLOG_MALFORMED },
	{ "leading spaces", "   " X_T "from 1.2.3.4:5 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "month 13", "2025/13/14 12:00:00 1.2.3.4:5 accepted tcp:a.b:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "dashes in date", "2025-06-14 12:00:00 1.2.3.4:5 accepted tcp:a:1", 0,
	    ACCESSLOG_MALFORMED },
	{ "dot without fraction",
	    "2025/06/14 12:00:00. 1.2.3.4:5 accepted "
	    "tcp:a.b:1",
	    0, ACCESSLOG_MALFORMED },
	{ "10 fraction digits",
	    "2025/06/14 12:00:00.1234567890 1.2.3.4:5 "
	    "accepted tcp:a.b:1",
	    0, ACCESSLOG_MALFORMED },
	{ "no time", "from 1.2.3.4:5 accepted tcp:a.b:1 email: u", 0,
	    ACCESSLOG_MALFORMED },
	{ "DNS log line",
	    X_T "localhost got answer: www.google.com. TypeA "
		"-> [142.250.1.1] 1.2ms",
	    0, ACCESSLOG_MALFORMED },
	{ "rejected nothing", X_T "from 1.2.3.4:5 rejected", 0,
	    ACCESSLOG_REJECTED },
};

static void
check_pcase(const struct pcase *c)
{
	struct accesslog_rec r;
	enum accesslog_result got;
	char *copy;
	size_t n;

	/* An exact-size heap copy, so ASan sees any read past the end. */
	n = strlen(c->line);
	copy = malloc(n > 0 ? n : 1);
	memcpy(copy, c->line, n);
	got = accesslog_parse(copy, n, &r);
	is_str(accesslog_result_str(got), accesslog_result_str(c->want),
	    "result: %.60s...", c->line);
	is_str(S(r.time), c->time, "  time");
	is_str(S(r.src_net), c->src_net, "  src_net");
	is_str(S(r.src_ip), c->src_ip, "  src_ip");
	is_str(S(r.src_port), c->src_port, "  src_port");
	is_str(S(r.dst_net), c->dst_net, "  dst_net");
	is_str(S(r.dst_host), c->dst_host, "  dst_host");
	is_str(S(r.dst_port), c->dst_port, "  dst_port");
	is_str(S(r.in_tag), c->in_tag, "  in_tag");
	is_str(S(r.out_tag), c->out_tag, "  out_tag");
	is_str(S(r.email), c->email, "  email");
	is_str(S(r.reason), c->reason, "  reason");
	is_int(r.is_api, got == ACCESSLOG_API, "  is_api");
	is_int(r.accepted, got != ACCESSLOG_REJECTED, "  accepted");
	if (got == ACCESSLOG_REJECTED)
		is_str(S(r.status), "rejected", "  status");
	else
		is_str(S(r.status), "accepted", "  status");
	free(copy);
}

static void
t_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++)
		check_pcase(&pcases[i]);
}

static void
t_numbers(void)
{
	struct accesslog_rec r;
	const char *l;

	l = X_T "from [2001:db8::1]:65535 accepted udp:[fe80::1]:0 [o] "
		"email: u";
	is_int(accesslog_parse(l, strlen(l), &r), ACCESSLOG_OK, "v6 line");
	is_int(r.src_port_num, 65535, "src port number");
	is_int(r.dst_port_num, 0, "dst port number");
	is_int(r.src_type, ACCESSLOG_HOST_IPV6, "src is IPv6");
	is_int(r.dst_type, ACCESSLOG_HOST_IPV6, "dst is IPv6");
	l = X_T "from 1.2.3.4:7 accepted tcp:www.x.org:443 [o] email: u";
	is_int(accesslog_parse(l, strlen(l), &r), ACCESSLOG_OK, "v4 line");
	is_int(r.src_type, ACCESSLOG_HOST_IPV4, "src is IPv4");
	is_int(r.dst_type, ACCESSLOG_HOST_DOMAIN, "dst is a domain");
	is_int(r.src_port_num, 7, "src port 7");
	is_int(r.dst_port_num, 443, "dst port 443");
}

static void
t_hostile(void)
{
	struct accesslog_rec r;
	enum accesslog_result got;
	size_t i, n;
	char *copy;

	for (i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		n = hcases[i].len != 0 ? hcases[i].len : strlen(hcases[i].line);
		copy = malloc(n > 0 ? n : 1);
		memcpy(copy, hcases[i].line, n);
		got = accesslog_parse(copy, n, &r);
		is_str(accesslog_result_str(got),
		    accesslog_result_str(hcases[i].want), "hostile: %s",
		    hcases[i].name);
		if (got != ACCESSLOG_REJECTED)
			ok(r.email.len == 0 && r.src_ip.len == 0 &&
				r.time.len == 0,
			    "  nothing filled in");
		free(copy);
	}
}

static void
t_lengths(void)
{
	struct accesslog_rec r;
	static const char head[] = GOOD_HEAD "tcp:a.b:1 [i >> o] email: ";
	char *line;
	size_t hl = sizeof(head) - 1;

	line = malloc(100 * 1024);
	memcpy(line, head, hl);
	memset(line + hl, 'u', 100 * 1024 - hl);
	is_int(accesslog_parse(line, 100 * 1024, &r), ACCESSLOG_TOO_LONG,
	    "100 KiB line is too long");
	is_int(accesslog_parse(line, ACCESSLOG_MAX_LINE + 1, &r),
	    ACCESSLOG_TOO_LONG, "max + 1 is too long");
	is_int(accesslog_parse(line, ACCESSLOG_MAX_LINE, &r), ACCESSLOG_OK,
	    "exactly max is fine");
	is_int((long long)r.email.len, ACCESSLOG_MAX_LINE - (long long)hl,
	    "  with the whole long email");
	line[ACCESSLOG_MAX_LINE + 10] = '\0';
	is_int(accesslog_parse(line, ACCESSLOG_MAX_LINE + 11, &r),
	    ACCESSLOG_TOO_LONG, "length wins over a NUL");
	free(line);
}

/* Every prefix of a valid line: never a crash, never a wrong user. */
static void
truncations(const char *line, const char *email)
{
	struct accesslog_rec r;
	enum accesslog_result got;
	size_t n = strlen(line), i, estart, bad = 0, okcut = 0;
	char *copy;

	estart = n - strlen(email);
	for (i = 0; i <= n; i++) {
		copy = malloc(i > 0 ? i : 1);
		memcpy(copy, line, i);
		got = accesslog_parse(copy, i, &r);
		if (i <= estart) {
			if (got == ACCESSLOG_OK)
				bad++;
		} else if (got != ACCESSLOG_OK || r.email.len != i - estart ||
		    memcmp(r.email.p, email, r.email.len) != 0)
			bad++;
		else
			okcut++;
		free(copy);
	}
	is_int((long long)bad, 0,
	    "every prefix of %.40s...: no user before "
	    "the email, a prefix of it after",
	    line);
	is_int((long long)okcut, (long long)strlen(email),
	    "  prefixes inside the email parse");
}

static void
t_truncated(void)
{
	truncations(X_T
	    "from tcp:1.2.3.4:54321 accepted tcp:www.google.com:443 "
	    "[vless-in >> direct] email: user1",
	    "user1");
	truncations(V_T "127.0.0.1:37124 accepted tcp:127.0.0.1:18080 [direct] "
			"email: alice@example.com",
	    "alice@example.com");
	truncations(X_T
	    "from [2001:db8::1]:443 accepted tcp:[2001:db8::2]:8443 "
	    "[in ==> out] email: v6user",
	    "v6user");
}

/* Counts for one key (user, IP or host). */
struct kcount {
	const char *key;
	int n;
};

static void
kc_add(struct kcount *kc, size_t max, struct accesslog_slice s)
{
	size_t i;

	for (i = 0; i < max && kc[i].key != NULL; i++)
		if (accesslog_slice_eq(s, kc[i].key)) {
			kc[i].n++;
			return;
		}
	if (i < max) {
		kc[i].key = strdup(S(s));
		kc[i].n = 1;
	}
}

static int
kc_get(const struct kcount *kc, size_t max, const char *key)
{
	size_t i;

	for (i = 0; i < max && kc[i].key != NULL; i++)
		if (strcmp(kc[i].key, key) == 0)
			return kc[i].n;
	return 0;
}

static size_t
kc_len(const struct kcount *kc, size_t max)
{
	size_t i;

	for (i = 0; i < max && kc[i].key != NULL; i++)
		;
	return i;
}

static void
kc_free(struct kcount *kc, size_t max)
{
	size_t i;

	for (i = 0; i < max; i++)
		free((char *)kc[i].key);
}

/*
 * The real v2fly 4.34 log of this project's own test run.  The expected
 * numbers were counted with grep/awk, not with this parser:
 *   wc -l                                  -> 2518
 *   grep -c ' rejected '                   -> 5
 *   grep -c ' \[api\]$'                    -> 2500
 *   grep -c ' email: '                     -> 10
 *   grep ' accepted ' | grep -v ' email: ' | grep -vc '\[api\]'  -> 3
 *   grep ' email: ' | awk '{print $NF}' | sort | uniq -c
 *       -> alice 5, dave 1, q 1, tom 3 (all @example.com)
 *   grep ' email: ' | awk '{s=$3; sub(/^tcp:/,"",s);
 *       sub(/:[0-9]+$/,"",s); print s}' | sort | uniq -c -> 127.0.0.1 10
 *   same with $5 and (tcp|udp): -> 127.0.0.1 8, localhost 2
 */
static void
t_v2fly_file(void)
{
	char path[4096], *line = NULL;
	const char *srcdir;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	struct accesslog_rec r;
	int counts[ACCESSLOG__MAX] = { 0 }, total = 0;
	struct kcount users[16] = { { NULL, 0 } }, ips[16] = { { NULL, 0 } },
		      hosts[16] = { { NULL, 0 } };
	struct accesslog_regex *re;
	char err[256];
	int rematch = 0;

	srcdir = getenv("top_srcdir");
	snprintf(path, sizeof(path),
	    "%s/t/data/accesslog/v2fly-4.34-access.txt",
	    srcdir != NULL ? srcdir : "..");
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return;
	}
	re = accesslog_regex_compile(ACCESSLOG_DEFAULT_REGEX, err, sizeof(err));
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		total++;
		counts[accesslog_parse(line, (size_t)n, &r)]++;
		if (accesslog_parse(line, (size_t)n, &r) == ACCESSLOG_OK) {
			kc_add(users, 16, r.email);
			kc_add(ips, 16, r.src_ip);
			kc_add(hosts, 16, r.dst_host);
		}
		if (re != NULL &&
		    accesslog_regex_match(re, line, (size_t)n, &r) ==
			ACCESSLOG_OK)
			rematch++;
	}
	free(line);
	fclose(f);
	accesslog_regex_free(re);
	is_int(total, 2518, "v2fly file: lines");
	is_int(counts[ACCESSLOG_OK], 10, "v2fly file: ok");
	is_int(counts[ACCESSLOG_API], 2500, "v2fly file: api");
	is_int(counts[ACCESSLOG_REJECTED], 5, "v2fly file: rejected");
	is_int(counts[ACCESSLOG_NO_USER], 3, "v2fly file: no user");
	is_int(counts[ACCESSLOG_MALFORMED] + counts[ACCESSLOG_TOO_LONG] +
		counts[ACCESSLOG_BAD_UTF8] + counts[ACCESSLOG_NUL],
	    0, "v2fly file: nothing malformed");
	is_int((long long)kc_len(users, 16), 4, "v2fly file: 4 users");
	is_int(kc_get(users, 16, "alice@example.com"), 5, "  alice 5");
	is_int(kc_get(users, 16, "tom@example.com"), 3, "  tom 3");
	is_int(kc_get(users, 16, "dave@example.com"), 1, "  dave 1");
	is_int(kc_get(users, 16, "q@example.com"), 1, "  q 1");
	is_int((long long)kc_len(ips, 16), 1, "v2fly file: 1 source IP");
	is_int(kc_get(ips, 16, "127.0.0.1"), 10, "  127.0.0.1 10");
	is_int((long long)kc_len(hosts, 16), 2, "v2fly file: 2 hosts");
	is_int(kc_get(hosts, 16, "127.0.0.1"), 8, "  127.0.0.1 8");
	is_int(kc_get(hosts, 16, "localhost"), 2, "  localhost 2");
	/* The original's default regex wants "from tcp:": v2fly never says. */
	is_int(rematch, 0, "v2fly file: the original regex matches nothing");
	kc_free(users, 16);
	kc_free(ips, 16);
	kc_free(hosts, 16);
}

static void
t_regex(void)
{
	struct accesslog_regex *re;
	struct accesslog_rec r;
	char err[256];
	const char *l;
	size_t i;
	static const char *const refused[] = {
		"no groups", "(one)", "(a)(b)(c)(d)", "(unclosed", "[z-a]",
		"(\\S+) \xff (\\S+)", /* not UTF-8: the parser's mode */
		"(\\S+) \xc0\xaf (\\S+)", /* overlong */
	};

	re = accesslog_regex_compile(ACCESSLOG_DEFAULT_REGEX, err, sizeof(err));
	ok(re != NULL, "default regex compiles (%s)", err);
	if (re == NULL)
		return;
	is_int(accesslog_regex_groups(re), 3, "  3 groups");
	l = X_T "from tcp:1.2.3.4:54321 accepted tcp:www.google.com:443 "
		"[vless-in >> direct] email: user1";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_OK,
	    "Xray line matches");
	is_str(S(r.src_ip), "1.2.3.4", "  group 1 = ip");
	is_str(S(r.dst_host), "www.google.com", "  group 2 = host");
	is_str(S(r.email), "user1", "  group 3 = user");
	l = X_T "from udp:1.2.3.4:5 accepted udp:1.1.1.1:53 [a -> b] "
		"email: bob  ";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_OK,
	    "udp line with -> matches");
	is_str(S(r.dst_host), "1.1.1.1", "  host");
	is_str(S(r.email), "bob", "  user");
	l = X_T "from 1.2.3.4:5 accepted tcp:a.b:1 [i >> o] email: u";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_MALFORMED,
	    "no tcp: before the source: no match");
	l = X_T "from tcp:[::1]:5 accepted tcp:a.b:1 [i >> o] email: u";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_MALFORMED,
	    "IPv6 source: no match (as the original)");
	l = X_T "from tcp:1.2.3.4:5 accepted tcp:a.b:1 [i >> o] email: u\xff";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_BAD_UTF8,
	    "bad UTF-8 is refused before matching");
	is_int(accesslog_regex_match(re, "a\0b", 3, &r), ACCESSLOG_NUL,
	    "NUL is refused");
	is_int(accesslog_regex_match(re, "", 0, &r), ACCESSLOG_MALFORMED,
	    "empty line: no match");
	accesslog_regex_free(re);

	re = accesslog_regex_compile(
	    "login: (\\S+); ip: ([0-9\\.]+)", err, sizeof(err));
	ok(re != NULL, "HAProxy regex compiles (%s)", err);
	if (re == NULL)
		return;
	is_int(accesslog_regex_groups(re), 2, "  2 groups");
	l = "Jun 14 12:00:00 lb haproxy[1]: login: carol; ip: 10.1.2.3 x";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_OK,
	    "HAProxy line matches");
	is_str(S(r.email), "carol", "  group 1 = user");
	is_str(S(r.src_ip), "10.1.2.3", "  group 2 = ip");
	is_int((long long)r.dst_host.len, 0, "  no host");
	l = "login: ; ip: 10.1.2.3";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_MALFORMED,
	    "empty user does not match \\S+");
	accesslog_regex_free(re);

	re = accesslog_regex_compile("user=(\\S*) ip=(\\S+)", err, sizeof(err));
	ok(re != NULL, "2-group regex with optional user compiles");
	l = "user= ip=1.2.3.4";
	is_int(accesslog_regex_match(re, l, strlen(l), &r), ACCESSLOG_NO_USER,
	    "empty user capture gives NO_USER");
	accesslog_regex_free(re);

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err[0] = '\0';
		re = accesslog_regex_compile(refused[i], err, sizeof(err));
		ok(re == NULL && err[0] != '\0', "refused: %s (%s)", refused[i],
		    err);
		accesslog_regex_free(re);
		/* The configuration check answers as the parser does. */
		is_int(accesslog_regex_check(refused[i], err, sizeof(err)), -1,
		    "check refuses it too: %s", refused[i]);
	}
	accesslog_regex_free(NULL);
}

static void
t_names(void)
{
	is_str(accesslog_result_str(ACCESSLOG_OK), "ok", "name of OK");
	is_str(accesslog_result_str(ACCESSLOG_NUL), "nul", "name of NUL");
	is_str(accesslog_result_str(ACCESSLOG__MAX), "unknown", "out of range");
}

/* Speed: a diagnostic, not an assertion (machines differ). */
static void
t_speed(void)
{
	static const char *const lines[] = {
		X_T "from tcp:1.2.3.4:54321 accepted tcp:www.google.com:443 "
		    "[vless-in >> direct] email: user1",
		X_T "from 5.6.7.8:5 accepted udp:1.1.1.1:53 [vless-in >> dns] "
		    "email: user22@example.com",
		V_T "127.0.0.1:37124 accepted tcp:127.0.0.1:18080 [direct] "
		    "email: alice@example.com",
		X_T "from [2001:db8::1]:443 accepted tcp:[2001:db8::2]:8443 "
		    "[in >> out] email: v6",
	};
	struct accesslog_rec r;
	struct timespec a, b;
	size_t lens[4], i, okn = 0, N = 2000000;
	double s;

	for (i = 0; i < 4; i++)
		lens[i] = strlen(lines[i]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < N; i++)
		okn += accesslog_parse(lines[i & 3], lens[i & 3], &r) ==
		    ACCESSLOG_OK;
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	is_int((long long)okn, (long long)N, "speed loop: every line ok");
	tap_diag("parse: %zu lines in %.3f s = %.1f M lines/s", N, s,
	    (double)N / s / 1e6);
}

int
main(void)
{
	t_table();
	t_numbers();
	t_hostile();
	t_lengths();
	t_truncated();
	t_v2fly_file();
	t_regex();
	t_names();
	t_speed();
	return tap_done();
}
