#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "namefold.h"
#include "strset.h"
#include "xmalloc.h"

static size_t
hash_of(const struct strset *set, const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	if (!set->exact)
		return (size_t)name_key_hash(s);
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static int
same(const struct strset *set, const char *a, const char *b)
{
	return set->exact ? strcmp(a, b) == 0 : name_key_cmp(a, b) == 0;
}

/* The slot holding S, or the empty slot where it would go. */
static size_t
find(const struct strset *set, const char *s)
{
	size_t i = hash_of(set, s) & (set->cap - 1);

	while (set->slots[i] != NULL && !same(set, set->slots[i], s))
		i = (i + 1) & (set->cap - 1);
	return i;
}

static void
grow(struct strset *set)
{
	char **old = set->slots;
	size_t oldcap = set->cap, i;

	set->cap = oldcap ? oldcap * 2 : 64;
	set->slots = xcalloc(set->cap, sizeof(*set->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			set->slots[find(set, old[i])] = old[i];
	free(old);
}

int
strset_add(struct strset *set, const char *s)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap)
		grow(set);
	i = find(set, s);
	if (set->slots[i] != NULL)
		return 0;
	set->slots[i] = xstrdup(s);
	set->n++;
	return 1;
}

void
strset_add_fn(void *set, const char *s)
{
	strset_add(set, s);
}

int
strset_has(const struct strset *set, const char *s)
{
	if (set->cap == 0)
		return 0;
	return set->slots[find(set, s)] != NULL;
}

void
strset_free(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}
