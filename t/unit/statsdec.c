/* Unit tests for worker/core/statsdec.c: the QueryStats reply walker, with the
 * protobuf-c encoder as the reference and hostile inputs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statsdec.h"
#include "tap.h"
#include "vapi.pb-c.h"

struct seen {
	char names[8][64];
	int64_t values[8];
	size_t n;
};

static int
collect(void *arg, const char *name, size_t len, int64_t value)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%.*s", (int)len,
		    name);
		s->values[s->n] = value;
	}
	s->n++;
	return s->n >= 100 ? 1 : 0;
}

/* Encodes NAMES/VALUES with protobuf-c; returns the packed bytes. */
static uint8_t *
encode(const char **names, const int64_t *values, size_t n, size_t *len)
{
	Vapi__QueryStatsResponse resp = VAPI__QUERY_STATS_RESPONSE__INIT;
	Vapi__Stat *stats, **ptrs;
	uint8_t *buf;
	size_t i;

	stats = calloc(n + 1, sizeof(*stats));
	ptrs = calloc(n + 1, sizeof(*ptrs));
	for (i = 0; i < n; i++) {
		vapi__stat__init(&stats[i]);
		stats[i].name = (char *)names[i];
		stats[i].value = values[i];
		ptrs[i] = &stats[i];
	}
	resp.n_stat = n;
	resp.stat = ptrs;
	*len = vapi__query_stats_response__get_packed_size(&resp);
	buf = malloc(*len + 1);
	vapi__query_stats_response__pack(&resp, buf);
	free(stats);
	free(ptrs);
	return buf;
}

static void
t_roundtrip(void)
{
	static const char *names[] = { "user>>>a>>>traffic>>>uplink", "",
		"inbound>>>x>>>traffic>>>downlink" };
	static const int64_t values[] = { 123456789012LL, 0, -5 };
	struct seen s;
	uint8_t *buf;
	size_t len, count, cut;

	buf = encode(names, values, 3, &len);
	memset(&s, 0, sizeof(s));
	is_int(statsdec_walk(buf, len, collect, &s, &count), STATSDEC_OK,
	    "protobuf-c's encoding walks");
	is_int((long long)count, 3, "three counters");
	is_str(s.names[0], names[0], "first name");
	is_int(s.values[0], values[0], "a value over 32 bits");
	is_str(s.names[1], "", "an empty name (protobuf omits it)");
	is_int(s.values[2], -5, "a negative int64 (10-byte varint)");

	/* Every truncation is malformed or a shorter valid prefix, never a
	 * read past the end (ASan watches). */
	for (cut = 0; cut < len; cut++) {
		uint8_t *part = malloc(cut + 1);

		memcpy(part, buf, cut);
		memset(&s, 0, sizeof(s));
		statsdec_walk(part, cut, collect, &s, &count);
		if (count > 3)
			break;
		free(part);
	}
	is_int((long long)cut, (long long)len, "every truncation is safe");
	memset(&s, 0, sizeof(s));
	is_int(statsdec_walk(buf, 0, collect, &s, &count), STATSDEC_OK,
	    "an empty reply has no counters");
	is_int((long long)count, 0, "none");
	free(buf);
}

static void
t_hostile(void)
{
	static const struct {
		const char *name;
		const char *bytes;
		size_t len;
		int rc;
		size_t count;
	} cases[] = {
		{ "length beyond the end", "\x0a\x05\x0a\x01\x61", 5,
		    STATSDEC_MALFORMED, 0 },
		{ "name length beyond its message", "\x0a\x03\x0a\x05\x61", 5,
		    STATSDEC_MALFORMED, 0 },
		{ "varint of 11 bytes",
		    "\x0a\x0c\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
		    14, STATSDEC_MALFORMED, 0 },
		{ "field number 0", "\x02\x00", 2, STATSDEC_MALFORMED, 0 },
		{ "a group wire type", "\x0b\x0c", 2, STATSDEC_MALFORMED, 0 },
		{ "unknown fields skipped",
		    "\x10\x05\x1d\x01\x02\x03\x04"
		    "\x0a\x03\x0a\x01\x62",
		    12, STATSDEC_OK, 1 },
		{ "unknown field in a stat", "\x0a\x05\x18\x07\x0a\x01\x63", 7,
		    STATSDEC_OK, 1 },
		{ "truncated fixed64", "\x09\x01\x02", 3, STATSDEC_MALFORMED,
		    0 },
		{ "huge length varint",
		    "\x0a\xff\xff\xff\xff\xff\xff\xff\xff"
		    "\x7f",
		    10, STATSDEC_MALFORMED, 0 },
	};
	struct seen s;
	size_t i, count;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		is_int(statsdec_walk((const uint8_t *)cases[i].bytes,
			   cases[i].len, collect, &s, &count),
		    cases[i].rc, "%s", cases[i].name);
		is_int((long long)count, (long long)cases[i].count,
		    "%s: callbacks", cases[i].name);
	}
}

static void
t_stop(void)
{
	const char **names;
	int64_t *values;
	struct seen s;
	uint8_t *buf;
	size_t len, count, i;

	names = calloc(150, sizeof(*names));
	values = calloc(150, sizeof(*values));
	for (i = 0; i < 150; i++)
		names[i] = "n";
	buf = encode(names, values, 150, &len);
	memset(&s, 0, sizeof(s));
	is_int(statsdec_walk(buf, len, collect, &s, &count), STATSDEC_STOPPED,
	    "the callback can stop the walk");
	is_int((long long)count, 100, "after its 100th counter");
	free(buf);
	free(names);
	free(values);
}

int
main(void)
{
	t_roundtrip();
	t_hostile();
	t_stop();
	return tap_done();
}
