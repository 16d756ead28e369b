/*
 * Unit tests for worker/notify/notify_rules.c: what each Bot API answer
 * means (hostile bodies too), the backoff, and the rate limits, with a
 * fake clock (the times are given).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_rules.h"
#include "tap.h"

#define SENT NOTIFY_SENT
#define AT NOTIFY_RETRY_AT
#define BACK NOTIFY_RETRY_BACKOFF
#define DROP NOTIFY_DROP

struct ctest {
	long status;
	const char *body;
	enum notify_verdict want;
	int64_t retry_ms; /* AT only */
	const char *error; /* a part of the error, or NULL */
};

static const struct ctest ctests[] = {
	/* accepted */
	{ 200, "{\"ok\":true,\"result\":{\"message_id\":1}}", SENT, 0, NULL },
	{ 200, " {\"ok\": true} ", SENT, 0, NULL },
	/* 200 that is not a yes: tried again */
	{ 200, "{\"ok\":false}", BACK, 0, "HTTP 200" },
	{ 200, "{\"ok\":\"true\"}", BACK, 0, "HTTP 200" },
	{ 200, "{\"ok\":1}", BACK, 0, "HTTP 200" },
	{ 200, "<html>captive portal</html>", BACK, 0, "HTTP 200" },
	{ 200, "", BACK, 0, "HTTP 200" },
	{ 200, "[true]", BACK, 0, "HTTP 200" },
	{ 200, "{\"ok\":tru", BACK, 0, "HTTP 200" },
	/* 429: retry_after obeyed, hostile values give the default */
	{ 429,
	    "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many "
	    "Requests: retry after 3\",\"parameters\":{\"retry_after\":3}}",
	    AT, 3000, "HTTP 429: Too Many Requests: retry after 3" },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":1}}", AT, 1000,
	    "HTTP 429" },
	{ 429, "{\"ok\":false}", AT, 5000, "HTTP 429" },
	{ 429, "{\"ok\":false,\"parameters\":{}}", AT, 5000, NULL },
	{ 429, "{\"ok\":false,\"parameters\":7}", AT, 5000, NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":-3}}", AT, 5000,
	    NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":0}}", AT, 5000,
	    NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":\"30\"}}", AT,
	    5000, NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":null}}", AT, 5000,
	    NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":[1]}}", AT, 5000,
	    NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":1.5}}", AT, 1500,
	    NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":1e300}}", AT,
	    3600000, NULL },
	{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":86400}}", AT,
	    3600000, NULL },
	{ 429,
	    "{\"ok\":false,\"parameters\":{\"retry_after\":"
	    "99999999999999999999999}}",
	    AT, 3600000, NULL },
	{ 429,
	    "{\"ok\":false,\"parameters\":{\"retry_after\":"
	    "-99999999999999999999999}}",
	    AT, 5000, NULL },
	{ 429, "{\"retry_after\":7}", AT, 5000, NULL },
	{ 429, "Too Many Requests", AT, 5000, "HTTP 429" },
	{ 429, "", AT, 5000, NULL },
	/* 400 about the text: dropped */
	{ 400,
	    "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
	    "can't parse entities: Character '.' is reserved\"}",
	    DROP, 0, "can't parse entities" },
	{ 400,
	    "{\"ok\":false,\"description\":\"Bad Request: message is too "
	    "long\"}",
	    DROP, 0, "too long" },
	{ 400,
	    "{\"ok\":false,\"description\":\"Bad Request: message text is "
	    "empty\"}",
	    DROP, 0, NULL },
	{ 400, "{\"description\":\"Bad Request: text must be non-empty\"}",
	    DROP, 0, NULL },
	{ 400, "{\"description\":\"BAD REQUEST: CAN'T PARSE ENTITIES\"}", DROP,
	    0, NULL },
	/* 400 about the configuration: kept */
	{ 400,
	    "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
	    "chat not found\"}",
	    BACK, 0, "HTTP 400: Bad Request: chat not found" },
	{ 400,
	    "{\"ok\":false,\"description\":\"Bad Request: chat_id is empty\"}",
	    BACK, 0, NULL },
	{ 400, "can't parse entities", BACK, 0, "HTTP 400" },
	{ 400, "{\"description\":42}", BACK, 0, NULL },
	{ 400, "", BACK, 0, "HTTP 400" },
	/* the text fault named by another status is not trusted */
	{ 500, "{\"description\":\"can't parse entities\"}", BACK, 0, NULL },
	{ 403, "{\"description\":\"message is too long\"}", BACK, 0, NULL },
	/* server and credentials */
	{ 500, "{\"ok\":false,\"description\":\"Internal Server Error\"}", BACK,
	    0, "HTTP 500: Internal Server Error" },
	{ 502, "<html>Bad Gateway</html>", BACK, 0, "HTTP 502" },
	{ 401, "{\"ok\":false,\"description\":\"Unauthorized\"}", BACK, 0,
	    "Unauthorized" },
	{ 403,
	    "{\"ok\":false,\"description\":\"Forbidden: bot was blocked by "
	    "the user\"}",
	    BACK, 0, NULL },
	{ 404, "{\"ok\":false,\"description\":\"Not Found\"}", BACK, 0, NULL },
	{ 302, "", BACK, 0, "HTTP 302" },
	/* a description with control bytes and non-ASCII stays printable */
	{ 500, "{\"description\":\"a\\nb\\u0007c\\u00e9\"}", BACK, 0,
	    "HTTP 500: a?b?c??" },
};

static void
test_classify(void)
{
	struct notify_answer a;
	size_t i;

	for (i = 0; i < sizeof(ctests) / sizeof(ctests[0]); i++) {
		const struct ctest *t = &ctests[i];

		notify_classify(t->status, t->body, strlen(t->body), NULL, &a);
		is_int(
		    a.verdict, t->want, "%ld %s: verdict", t->status, t->body);
		if (t->want == AT)
			is_int(a.retry_ms, t->retry_ms, "%ld %s: retry in ms",
			    t->status, t->body);
		if (t->error != NULL)
			ok(strstr(a.error, t->error) != NULL,
			    "%ld %s: error '%s' has '%s'", t->status, t->body,
			    a.error, t->error);
		if (t->want == SENT)
			is_str(a.error, "", "sent: no error");
	}
}

static void
test_hostile(void)
{
	struct notify_answer a;
	char *big, *deep;
	size_t n = 1 << 20, i;

	/* Not NUL-terminated: only LEN bytes are read. */
	notify_classify(200, "{\"ok\":true}GARBAGE", 11, NULL, &a);
	is_int(a.verdict, SENT, "LEN bytes of a longer buffer");
	notify_classify(200, "{\"ok\":true}", 5, NULL, &a);
	is_int(a.verdict, BACK, "a body cut short is no yes");
	notify_classify(200, NULL, 0, NULL, &a);
	is_int(a.verdict, BACK, "no body at all");
	notify_classify(429,
	    "{\"ok\":false,\"parameters\":{\"retry_after\":9}}"
	    "\0junk",
	    49, NULL, &a);
	is_int(a.verdict, AT, "a NUL inside the body");

	/* A huge description is cut, the error stays bounded. */
	big = malloc(n + 64);
	memcpy(big, "{\"description\":\"", 16);
	memset(big + 16, 'x', n);
	memcpy(big + 16 + n, "\"}", 2);
	notify_classify(500, big, n + 18, NULL, &a);
	is_int(a.verdict, BACK, "a 1 MiB description");
	ok(strlen(a.error) < sizeof(a.error) &&
		strncmp(a.error, "HTTP 500: xxx", 13) == 0,
	    "... cut: %zu bytes", strlen(a.error));
	/* 1 MiB of binary noise. */
	for (i = 0; i < n; i++)
		big[i] = (char)(i * 7919 % 251);
	notify_classify(400, big, n, NULL, &a);
	is_int(a.verdict, BACK, "1 MiB of noise with 400 is kept");
	notify_classify(429, big, n, NULL, &a);
	is_int(a.verdict, AT, "1 MiB of noise with 429 ...");
	is_int(a.retry_ms, 5000, "... waits the default");
	free(big);

	/* Nesting far deeper than json-c's limit. */
	deep = malloc(200001);
	memset(deep, '[', 200000);
	deep[200000] = '\0';
	notify_classify(200, deep, 200000, NULL, &a);
	is_int(a.verdict, BACK, "200000 nested arrays");
	free(deep);
}

static void
test_network(void)
{
	struct notify_answer a;

	notify_classify(0, NULL, 0, "Timeout was reached", &a);
	is_int(a.verdict, BACK, "no answer: backoff");
	is_str(a.error, "network: Timeout was reached", "... its error");
	notify_classify(0, "{\"ok\":true}", 11, "Couldn't connect", &a);
	is_int(a.verdict, BACK, "no answer, whatever the body says");
	notify_classify(0, NULL, 0, NULL, &a);
	is_str(a.error, "network: no answer", "no reason given");
	notify_classify(0, NULL, 0, "bad\x1b[31mbyte\n", &a);
	is_str(a.error, "network: bad?[31mbyte?", "an unprintable reason");
}

static void
test_backoff(void)
{
	static const int64_t want[] = { 1000, 1000, 1000, 2000, 4000, 8000,
		16000, 32000, 64000, 128000, 256000, 300000, 300000 };
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		is_int(notify_backoff_ms((int64_t)i - 1), want[i],
		    "backoff after failure %d", (int)i - 1);
	is_int(notify_backoff_ms(1000000), 300000, "a million failures");
	is_int(notify_backoff_ms(INT64_MAX), 300000, "INT64_MAX failures");
	is_int(notify_backoff_ms(-5), 1000, "negative failures");
}

static void
test_rate_private(void)
{
	struct notify_rate r;
	int64_t t = 1000000;
	int i;

	notify_rate_init(&r, "42");
	ok(!r.group, "a private chat is no group");
	is_int(notify_rate_next(&r, t), t, "nothing sent: at once");
	notify_rate_record(&r, t);
	is_int(notify_rate_next(&r, t), t + 1000, "then 1 s later");
	is_int(notify_rate_next(&r, t + 999), t + 1000, "... not at 999 ms");
	is_int(notify_rate_next(&r, t + 1000), t + 1000, "... at 1000 ms");
	is_int(notify_rate_next(&r, t + 5000), t + 5000, "... or later");
	/* One a second for a minute and more: no per-minute limit. */
	for (i = 0; i < 100; i++) {
		t = notify_rate_next(&r, t);
		notify_rate_record(&r, t);
	}
	is_int(t, 1000000 + 100 * 1000,
	    "100 messages in 100 s to a private "
	    "chat");
}

static void
test_rate_group(void)
{
	struct notify_rate r;
	int64_t t0 = 5000, t = t0, at[60];
	int i, j, worst = 0;

	notify_rate_init(&r, "-1001234567890");
	ok(r.group, "'-' begins a group or channel");
	for (i = 0; i < 60; i++) {
		t = notify_rate_next(&r, t);
		at[i] = t;
		notify_rate_record(&r, t);
	}
	is_int(at[19], t0 + 19 * 1000, "20 messages 1 s apart");
	is_int(at[20], t0 + 60000,
	    "the 21st waits for the first to be 60 s "
	    "old");
	is_int(at[21], t0 + 61000, "the 22nd a second later");
	is_int(at[40], t0 + 120000, "the 41st another minute later");
	/* In any 60 s window: at most 20. */
	for (i = 0; i < 60; i++) {
		int n = 0;

		for (j = i; j < 60 && at[j] < at[i] + 60000; j++)
			n++;
		if (n > worst)
			worst = n;
	}
	is_int(worst, 20, "at most 20 in any 60 s window");
	/* Sent slower than the limit: only the 1 s gap applies. */
	notify_rate_init(&r, "-5");
	t = 0;
	for (i = 0; i < 30; i++) {
		notify_rate_record(&r, t);
		t += 4000;
	}
	is_int(notify_rate_next(&r, t), t, "one in 4 s: never held");
	/* A burst after a pause. */
	notify_rate_init(&r, "-5");
	for (i = 0; i < 20; i++)
		notify_rate_record(&r, 100000 + i * 1000);
	is_int(notify_rate_next(&r, 119500), 160000,
	    "20 sent in 19 s: the 21st at 60 s after the first");
	is_int(notify_rate_next(&r, 200000), 200000, "... later: at once");
	notify_rate_init(&r, "");
	ok(!r.group, "an empty chat id is no group");
	notify_rate_init(&r, NULL);
	ok(!r.group, "nor is NULL");
}

int
main(void)
{
	test_classify();
	test_hostile();
	test_network();
	test_backoff();
	test_rate_private();
	test_rate_group();
	return tap_done();
}
