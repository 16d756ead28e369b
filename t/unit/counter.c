/* Unit tests for worker/core/counter.c: the counter-name parser. */
#include "config.h"

#include <string.h>

#include "counter.h"
#include "tap.h"

struct good {
	const char *in;
	enum counter_kind kind;
	const char *name;
	enum counter_dir dir;
};

static const struct good goods[] = {
	{ "user>>>alice@example.com>>>traffic>>>uplink", COUNTER_USER,
	    "alice@example.com", COUNTER_UPLINK },
	{ "user>>>alice@example.com>>>traffic>>>downlink", COUNTER_USER,
	    "alice@example.com", COUNTER_DOWNLINK },
	{ "inbound>>>vless-in>>>traffic>>>uplink", COUNTER_INBOUND, "vless-in",
	    COUNTER_UPLINK },
	{ "inbound>>>api>>>traffic>>>downlink", COUNTER_INBOUND, "api",
	    COUNTER_DOWNLINK },
	{ "outbound>>>direct>>>traffic>>>downlink", COUNTER_OUTBOUND, "direct",
	    COUNTER_DOWNLINK },
	{ "user>>>bob>>>traffic>>>uplink", COUNTER_USER, "bob",
	    COUNTER_UPLINK },
	{ "user>>>x>>>traffic>>>uplink", COUNTER_USER, "x", COUNTER_UPLINK },
	/* names that look like the grammar's words are still names */
	{ "user>>>traffic>>>traffic>>>uplink", COUNTER_USER, "traffic",
	    COUNTER_UPLINK },
	{ "user>>>user>>>traffic>>>downlink", COUNTER_USER, "user",
	    COUNTER_DOWNLINK },
	{ "inbound>>>uplink>>>traffic>>>uplink", COUNTER_INBOUND, "uplink",
	    COUNTER_UPLINK },
	/* '>' next to a separator: the fixed head and tail decide */
	{ "user>>>a>>>>traffic>>>uplink", COUNTER_USER, "a>", COUNTER_UPLINK },
	{ "user>>>>a>>>traffic>>>uplink", COUNTER_USER, ">a", COUNTER_UPLINK },
	{ "user>>>a>>b>>>traffic>>>uplink", COUNTER_USER, "a>>b",
	    COUNTER_UPLINK },
	{ "user>>>>>>>>traffic>>>uplink", COUNTER_USER, ">>", COUNTER_UPLINK },
	{ "user>>> >>>traffic>>>uplink", COUNTER_USER, " ", COUNTER_UPLINK },
	{ "user>>>UTF-8 \xd0\xb8\xd0\xbc\xd1\x8f>>>traffic>>>downlink",
	    COUNTER_USER, "UTF-8 \xd0\xb8\xd0\xbc\xd1\x8f", COUNTER_DOWNLINK },
};

static const char *const bads[] = {
	"",
	">>>",
	"user",
	"user>>>",
	"user>>>alice",
	"user>>>alice>>>online", /* 3 parts (Xray's online map) */
	"user>>>alice>>>traffic",
	"user>>>alice>>>traffic>>>",
	"user>>>alice>>>traffic>>>sideways",
	"user>>>alice>>>traffic>>>uplinks",
	"user>>>alice>>>traffic>>>uplink>>>",
	"user>>>alice>>>traffic>>>uplink ",
	" user>>>alice>>>traffic>>>uplink",
	"user>>>alice>>>traffic>>>Uplink",
	"User>>>alice>>>traffic>>>uplink",
	"USER>>>alice>>>traffic>>>uplink",
	"users>>>alice>>>traffic>>>uplink",
	"use>>>alice>>>traffic>>>uplink",
	"inbounds>>>x>>>traffic>>>uplink",
	"outbound>>x>>>traffic>>>uplink",
	"user>>>alice>>>Traffic>>>uplink",
	"user>>>alice>>>traffics>>>uplink",
	"user>>>alice>>>bytes>>>uplink",
	"user>>>alice>>traffic>>>uplink",
	"user>>alice>>>traffic>>>uplink",
	"system>>>alice>>>traffic>>>uplink",
	/* empty NAME, and head and tail overlapping */
	"user>>>>>>traffic>>>uplink",
	"user>>>>>traffic>>>uplink",
	"user>>>>traffic>>>uplink",
	"user>>>traffic>>>uplink",
	"inbound>>>>>>traffic>>>downlink",
	/* extra parts: NAME would contain the separator */
	"user>>>a>>>b>>>traffic>>>uplink",
	"user>>>a>>>>>>traffic>>>uplink",
	"user>>>>>>a>>>traffic>>>uplink",
	"user>>>a>>>traffic>>>uplink>>>traffic>>>uplink",
	"user>>>user>>>a>>>traffic>>>uplink",
	"user>>>alice>>>traffic>>>traffic>>>uplink",
};

static void
t_good(void)
{
	struct counter c;
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];

		memset(&c, 0, sizeof(c));
		if (!ok(counter_parse(g->in, strlen(g->in), &c) == 0,
			"accepts '%s'", g->in))
			continue;
		is_int(c.kind, g->kind, "  kind");
		is_int(c.dir, g->dir, "  direction");
		is_int((long long)c.namelen, (long long)strlen(g->name),
		    "  name length");
		ok(c.namelen == strlen(g->name) &&
			memcmp(c.name, g->name, c.namelen) == 0,
		    "  name is '%s'", g->name);
		ok(c.name > g->in &&
			c.name + c.namelen <= g->in + strlen(g->in),
		    "  name points into the input");
	}
}

static void
t_bad(void)
{
	struct counter c, zero;
	size_t i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		memset(&c, 0, sizeof(c));
		is_int(counter_parse(bads[i], strlen(bads[i]), &c), -1,
		    "rejects '%s'", bads[i]);
		ok(memcmp(&c, &zero, sizeof(c)) == 0, "  and leaves C alone");
	}
	is_int(counter_parse(NULL, 0, &c), -1, "rejects NULL");
}

static void
t_length(void)
{
	static const char both[] = "user>>>bob>>>traffic>>>uplinkGARBAGE";
	static const char nul[] = "user>>>b\0b>>>traffic>>>uplink";
	static const char nul2[] = "user>>>bob>>>traffic>>>uplink\0";
	static const char cut[] = "user>>>bob>>>traffic>>>downlink";
	struct counter c;

	/* LEN rules, not the NUL: the first 29 bytes form a valid name */
	ok(counter_parse(both, 29, &c) == 0 && c.namelen == 3 &&
		memcmp(c.name, "bob", 3) == 0 && c.dir == COUNTER_UPLINK,
	    "only LEN bytes are parsed (no NUL needed)");
	is_int(counter_parse(both, sizeof(both) - 1, &c), -1,
	    "trailing bytes after the direction are rejected");
	is_int(counter_parse(nul, sizeof(nul) - 1, &c), -1,
	    "a NUL inside NAME is rejected");
	is_int(counter_parse(nul2, sizeof(nul2) - 1, &c), -1,
	    "a NUL after the direction is rejected");
	/* "downlink" cut to "down" / "uplink"-like prefixes */
	is_int(counter_parse(cut, sizeof(cut) - 5, &c), -1,
	    "a truncated direction word is rejected");
	is_int(counter_parse(cut, 0, &c), -1, "zero length is rejected");
	is_int(counter_parse(cut, 7, &c), -1, "the head alone is rejected");
}

static void
t_names(void)
{
	is_str(counter_kind_name(COUNTER_USER), "user", "kind name user");
	is_str(
	    counter_kind_name(COUNTER_INBOUND), "inbound", "kind name inbound");
	is_str(counter_kind_name(COUNTER_OUTBOUND), "outbound",
	    "kind name outbound");
	is_str(counter_dir_name(COUNTER_UPLINK), "uplink", "dir name uplink");
	is_str(counter_dir_name(COUNTER_DOWNLINK), "downlink",
	    "dir name downlink");
}

int
main(void)
{
	t_good();
	t_bad();
	t_length();
	t_names();
	return tap_done();
}
