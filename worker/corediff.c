/* What changed between two versions of the core config (corediff.h). */
#include "config.h"

#include <string.h>

#include "corediff.h"

void
corediff_names(const struct corecfg *cc, struct strset *set)
{
	size_t i;

	for (i = 0; i < cc->nclients; i++)
		strset_add(set, cc->clients[i].email);
}

size_t
corediff_removed(const struct strset *prev, const struct strset *now,
    void (*fn)(void *arg, const char *name), void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < prev->cap; i++)
		if (prev->slots[i] != NULL &&
		    !strset_has(now, prev->slots[i])) {
			fn(arg, prev->slots[i]);
			n++;
		}
	return n;
}

static int
same(const char *s, const char *tag, size_t len)
{
	return strlen(s) == len && memcmp(s, tag, len) == 0;
}

int
corediff_has_link(
    const struct corecfg *cc, int outbound, const char *tag, size_t len)
{
	size_t i;

	if (outbound) {
		for (i = 0; i < cc->noutbounds; i++)
			if (same(cc->outbounds[i], tag, len))
				return 1;
		return 0;
	}
	for (i = 0; i < cc->ninbounds; i++)
		if (same(cc->inbounds[i].tag, tag, len))
			return 1;
	return 0;
}
