/* Parser of the core's traffic counter names (see counter.h). */
#include "config.h"

#include <string.h>

#include "counter.h"

#define SEP ">>>"
#define SEPLEN (sizeof(SEP) - 1)

struct word {
	const char *s;
	size_t len;
	int val;
};

#define W(s, v) \
	{ \
		s, sizeof(s) - 1, (v) \
	}

static const struct word heads[] = {
	W("user" SEP, COUNTER_USER),
	W("inbound" SEP, COUNTER_INBOUND),
	W("outbound" SEP, COUNTER_OUTBOUND),
};

static const struct word tails[] = {
	W(SEP "traffic" SEP "uplink", COUNTER_UPLINK),
	W(SEP "traffic" SEP "downlink", COUNTER_DOWNLINK),
};

static const struct word *
match_head(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (len >= heads[i].len &&
		    memcmp(s, heads[i].s, heads[i].len) == 0)
			return &heads[i];
	return NULL;
}

static const struct word *
match_tail(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if (len >= tails[i].len &&
		    memcmp(s + len - tails[i].len, tails[i].s, tails[i].len) ==
			0)
			return &tails[i];
	return NULL;
}

int
counter_parse(const char *s, size_t len, struct counter *c)
{
	const struct word *head, *tail;
	const char *name;
	size_t namelen;

	if (s == NULL || memchr(s, '\0', len) != NULL)
		return -1;
	if ((head = match_head(s, len)) == NULL ||
	    (tail = match_tail(s, len)) == NULL)
		return -1;
	if (len <= head->len + tail->len)
		return -1; /* empty NAME, or head and tail overlap */
	name = s + head->len;
	namelen = len - head->len - tail->len;
	if (memmem(name, namelen, SEP, SEPLEN) != NULL)
		return -1;
	c->kind = (enum counter_kind)head->val;
	c->dir = (enum counter_dir)tail->val;
	c->name = name;
	c->namelen = namelen;
	return 0;
}

const char *
counter_kind_name(enum counter_kind k)
{
	switch (k) {
	case COUNTER_USER:
		return "user";
	case COUNTER_INBOUND:
		return "inbound";
	case COUNTER_OUTBOUND:
		return "outbound";
	}
	return "?";
}

const char *
counter_dir_name(enum counter_dir d)
{
	switch (d) {
	case COUNTER_UPLINK:
		return "uplink";
	case COUNTER_DOWNLINK:
		return "downlink";
	}
	return "?";
}
