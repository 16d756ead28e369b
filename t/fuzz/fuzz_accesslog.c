/*
 * libFuzzer target for worker/log/accesslog.c: the built-in parser and the
 * default regex on arbitrary bytes.  Besides the sanitizers, it checks
 * that every slice lies inside the input and that the result agrees with
 * the fields.  The input is also cut into lines and fed to the record
 * guard (worker/log/recguard.c), whose span must stay within its bounds
 * and say "inside" exactly when one was open.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accesslog.h"
#include "recguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(struct accesslog_slice s, const char *p, size_t n)
{
	if (s.len == 0)
		return;
	if (s.p < p || s.p + s.len > p + n)
		abort();
}

/* The guard over the lines of P[0..N) (the last one may lack '\n'). */
static void
guard_lines(const char *p, size_t n)
{
	struct recguard g;
	const char *end = p + n, *nl;
	int64_t before;
	int inside;

	recguard_init(&g);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		before = g.left;
		inside = recguard_line(&g, p, (size_t)(nl - p));
		if (inside != (before >= 0) || g.left < -1 ||
		    g.left > RECGUARD_SOCKS4A_MAX)
			abort();
		p = nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct accesslog_regex *re;
	struct accesslog_rec r;
	enum accesslog_result res;
	const char *p;
	char *copy;

	if (re == NULL &&
	    (re = accesslog_regex_compile(ACCESSLOG_DEFAULT_REGEX, NULL, 0)) ==
		NULL)
		abort();
	/* An exact-size copy: reading one byte past it is caught. */
	copy = malloc(size > 0 ? size : 1);
	if (size > 0)
		memcpy(copy, data, size);
	p = copy;
	res = accesslog_parse(p, size, &r);
	if ((unsigned int)res >= ACCESSLOG__MAX)
		abort();
	inside(r.time, p, size);
	inside(r.src_net, p, size);
	inside(r.src_ip, p, size);
	inside(r.src_port, p, size);
	inside(r.status, p, size);
	inside(r.dst_net, p, size);
	inside(r.dst_host, p, size);
	inside(r.dst_port, p, size);
	inside(r.in_tag, p, size);
	inside(r.out_tag, p, size);
	inside(r.reason, p, size);
	inside(r.email, p, size);
	if (res == ACCESSLOG_OK &&
	    (r.email.len == 0 || r.src_ip.len == 0 || r.dst_host.len == 0 ||
		memchr(r.email.p, ' ', r.email.len) != NULL || r.is_api))
		abort();
	if (res == ACCESSLOG_NO_USER && r.email.len != 0)
		abort();
	if (res == ACCESSLOG_API && !r.is_api)
		abort();
	if (res >= ACCESSLOG_MALFORMED && (r.email.len != 0 || r.is_api))
		abort();
	if (size > ACCESSLOG_MAX_LINE && res != ACCESSLOG_TOO_LONG)
		abort();

	res = accesslog_regex_match(re, p, size, &r);
	inside(r.src_ip, p, size);
	inside(r.dst_host, p, size);
	inside(r.email, p, size);
	if (res == ACCESSLOG_OK && r.email.len == 0)
		abort();
	guard_lines(p, size);
	free(copy);
	return 0;
}
