/*
 * The indexes of the core config's clients (corecfg.h): two sorted arrays
 * searched by bisection, built once per loaded config, so that checking a
 * new user against a config of n clients costs O(log n) comparisons, not
 * n (a bulk upload of m lines costs m log n, not m * n).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "corecfg.h"
#include "namefold.h"
#include "xmalloc.h"

static unsigned long find_compares;

/* S with ASCII letters lowered, allocated. */
static char *
ascii_lower(const char *s)
{
	char *out, *p;

	out = xstrdup(s);
	for (p = out; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

char *
corecfg_name_key(const char *name)
{
	return name_key(name);
}

char *
corecfg_cred_key(const char *cred, enum proto proto)
{
	return proto == PROTO_TROJAN ? xstrdup(cred) : ascii_lower(cred);
}

/* Orders entries by tag (by_cred only; NULL in by_name), key, position. */
static int
ix_cmp(const struct corecfg_ix *a, const struct corecfg_ix *b)
{
	int c;

	if (a->tag != NULL && b->tag != NULL &&
	    (c = strcmp(a->tag, b->tag)) != 0)
		return c;
	if ((c = strcmp(a->key, b->key)) != 0)
		return c;
	return (a->client > b->client) - (a->client < b->client);
}

static int
ix_qsort_cmp(const void *a, const void *b)
{
	return ix_cmp(a, b);
}

static void
ix_free(struct corecfg_ix *ix, size_t n)
{
	size_t i;

	for (i = 0; i < n && ix != NULL; i++)
		free(ix[i].key);
	free(ix);
}

void
corecfg_index(struct corecfg *cc)
{
	const struct core_client *c;
	size_t i;

	ix_free(cc->by_name, cc->nindexed);
	ix_free(cc->by_cred, cc->nindexed);
	cc->by_name = cc->by_cred = NULL;
	cc->nindexed = 0;
	if (cc->nclients == 0)
		return;
	cc->by_name = xreallocarray(NULL, cc->nclients, sizeof(*cc->by_name));
	cc->by_cred = xreallocarray(NULL, cc->nclients, sizeof(*cc->by_cred));
	for (i = 0; i < cc->nclients; i++) {
		c = &cc->clients[i];
		cc->by_name[i].tag = NULL;
		cc->by_name[i].key = corecfg_name_key(c->email);
		cc->by_name[i].client = i;
		cc->by_cred[i].tag = c->inbound_tag;
		cc->by_cred[i].key = corecfg_cred_key(c->credential, c->proto);
		cc->by_cred[i].client = i;
	}
	cc->nindexed = cc->nclients;
	qsort(cc->by_name, cc->nindexed, sizeof(*cc->by_name), ix_qsort_cmp);
	qsort(cc->by_cred, cc->nindexed, sizeof(*cc->by_cred), ix_qsort_cmp);
}

/*
 * The client of the first entry of IX (N entries) with WANT's tag and key:
 * WANT's position is 0, so the first entry not below it is the first such
 * client in the file, if there is one.
 */
static const struct core_client *
find(const struct corecfg *cc, const struct corecfg_ix *ix,
    const struct corecfg_ix *want)
{
	size_t lo = 0, hi = cc->nindexed, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		find_compares++;
		if (ix_cmp(&ix[mid], want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == cc->nindexed)
		return NULL;
	find_compares++;
	if ((want->tag != NULL && strcmp(ix[lo].tag, want->tag) != 0) ||
	    strcmp(ix[lo].key, want->key) != 0)
		return NULL;
	return &cc->clients[ix[lo].client];
}

const struct core_client *
corecfg_find_name(const struct corecfg *cc, const char *name)
{
	const struct core_client *c;
	struct corecfg_ix want;

	want.tag = NULL;
	want.key = corecfg_name_key(name);
	want.client = 0;
	c = find(cc, cc->by_name, &want);
	free(want.key);
	return c;
}

const struct core_client *
corecfg_find_cred(const struct corecfg *cc, const char *tag, const char *cred,
    enum proto proto)
{
	const struct core_client *c;
	struct corecfg_ix want;

	if (tag == NULL)
		return NULL;
	want.tag = tag;
	want.key = corecfg_cred_key(cred, proto);
	want.client = 0;
	c = find(cc, cc->by_cred, &want);
	free(want.key);
	return c;
}

unsigned long
corecfg_find_compares(void)
{
	return find_compares;
}
