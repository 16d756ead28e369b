/*
 * Aggregation of one batch of access-log lines: three open-addressing
 * tables (linear probing) over one byte arena.  The hash is seeded per
 * process so that crafted destination names cannot be aimed at one slot.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest_agg.h"
#include "log.h"
#include "xmalloc.h"

#define AGG_MIN_CAP 64
#define AGG_HUGE_PAGE ((size_t)2 << 20)

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

static uint64_t
hash_bytes(uint64_t seed, const char *p, size_t n)
{
	uint64_t h, v;

	h = seed ^ ((uint64_t)n * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	v = 0;
	if (n > 0)
		memcpy(&v, p, n);
	h = (h ^ v) * 0x94d049bb133111ebULL;
	return mix(h);
}

/*
 * Zeroed memory for N items of SIZE bytes.  Big tables go on huge pages:
 * lookups land anywhere in them, and with 4 KiB pages most of a lookup's
 * time is TLB misses and, while a table fills, page faults.
 */
static void *
table_alloc(size_t n, size_t size)
{
	size_t bytes = n * size;
	void *p;

	if (bytes < AGG_HUGE_PAGE)
		return xcalloc(n, size);
	bytes = (bytes + AGG_HUGE_PAGE - 1) & ~(size_t)(AGG_HUGE_PAGE - 1);
	if (posix_memalign(&p, AGG_HUGE_PAGE, bytes) != 0)
		fatalx("out of memory (%zu bytes)", bytes);
	(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: may be off */
	memset(p, 0, bytes);
	return p;
}

static void
tab_grow(struct agg_tab *t, size_t want)
{
	struct agg_ent *e, *ents;
	size_t i, j, mask;

	if (want < AGG_MIN_CAP)
		want = AGG_MIN_CAP;
	ents = table_alloc(want, sizeof(*t->ents));
	if (t->n > 0)
		memcpy(ents, t->ents, t->n * sizeof(*t->ents));
	free(t->ents);
	t->ents = ents;
	t->cap = want;
	free(t->slots);
	t->nslots = 1;
	while (t->nslots < want * 2)
		t->nslots <<= 1;
	t->slots = table_alloc(t->nslots, sizeof(*t->slots));
	mask = t->nslots - 1;
	for (i = 0; i < t->n; i++) {
		e = &t->ents[i];
		j = (size_t)e->hash & mask;
		while (t->slots[j] != 0)
			j = (j + 1) & mask;
		t->slots[j] = (uint32_t)i + 1;
	}
}

static const char *
ent_str(const struct agg *a, const struct agg_ent *e)
{
	return a->arena + e->off;
}

static size_t
arena_add(struct agg *a, const char *s, size_t n)
{
	size_t off;

	if (a->acap - a->alen < n + 1) {
		while (a->acap - a->alen < n + 1)
			a->acap = a->acap == 0 ? 65536 : a->acap * 2;
		a->arena = xreallocarray(a->arena, a->acap, 1);
	}
	off = a->alen;
	memcpy(a->arena + off, s, n);
	a->arena[off + n] = '\0';
	a->alen += n + 1;
	return off;
}

static uint64_t
key_hash(const struct agg *a, uint32_t user, const char *s, size_t n)
{
	return hash_bytes(
	    a->seed ^ ((uint64_t)user * 0xa24baed4963ee407ULL), s, n);
}

/* Finds (USER, S) of hash H in T or adds it with count 0; its index. */
static uint32_t
tab_find(struct agg *a, struct agg_tab *t, uint64_t h, uint32_t user,
    const char *s, size_t n)
{
	struct agg_ent *e;
	size_t j, mask;
	uint32_t k;

	if (t->n + 1 > t->cap)
		tab_grow(t, t->cap * 2);
	mask = t->nslots - 1;
	for (j = (size_t)h & mask; (k = t->slots[j]) != 0; j = (j + 1) & mask) {
		e = &t->ents[k - 1];
		if (e->hash == h && e->user == user && e->len == n &&
		    memcmp(ent_str(a, e), s, n) == 0)
			return k - 1;
	}
	e = &t->ents[t->n];
	e->hash = h;
	e->user = user;
	e->len = (uint32_t)n;
	e->off = arena_add(a, s, n);
	e->count = 0;
	e->aux = 0;
	t->slots[j] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

static uint32_t
tab_get(
    struct agg *a, struct agg_tab *t, uint32_t user, const char *s, size_t n)
{
	return tab_find(a, t, key_hash(a, user, s, n), user, s, n);
}

/* Moves every host in the pipeline one step closer to its lookup. */
static void
pipe_step(struct agg *a)
{
	struct agg_tab *t = &a->dns;
	struct agg_pend *p;
	const struct agg_ent *e;
	unsigned i, age;
	uint32_t k;

	if (t->nslots == 0)
		return;
	for (i = 0; i < a->pipe_n; i++) {
		p = &a->pipe[(a->pipe_head + i) % AGG_PIPE];
		age = a->pipe_n - i; /* 1 = the newest */
		k = t->slots[(size_t)p->hash & (t->nslots - 1)];
		if (k == 0)
			continue;
		e = &t->ents[k - 1];
		if (age == 1)
			__builtin_prefetch(e);
		else
			__builtin_prefetch(a->arena + e->off);
	}
}

/* Counts the oldest host of the pipeline. */
static void
pipe_pop(struct agg *a)
{
	struct agg_pend *p = &a->pipe[a->pipe_head];
	uint32_t k;

	k = tab_find(a, &a->dns, p->hash, p->user, p->key, p->len);
	a->dns.ents[k].count++;
	a->pipe_head = (a->pipe_head + 1) % AGG_PIPE;
	a->pipe_n--;
}

static void
pipe_push(struct agg *a, uint32_t user, const char *s, size_t n)
{
	struct agg_pend *p;
	uint64_t h = key_hash(a, user, s, n);

	if (a->pipe_n == AGG_PIPE)
		pipe_pop(a);
	pipe_step(a);
	p = &a->pipe[(a->pipe_head + a->pipe_n) % AGG_PIPE];
	p->hash = h;
	p->user = user;
	p->len = (uint32_t)n;
	memcpy(p->key, s, n);
	a->pipe_n++;
	if (a->dns.nslots > 0)
		__builtin_prefetch(
		    &a->dns.slots[(size_t)h & (a->dns.nslots - 1)]);
}

void
agg_flush(struct agg *a)
{
	while (a->pipe_n > 0)
		pipe_pop(a);
}

/* An entry in the sort: its string's first bytes, and where it is. */
struct sort_rec {
	uint64_t pre[2]; /* bytes 0..15, big-endian, zero padded */
	uint32_t ent;
	uint32_t rank; /* of its user */
};

static int
cmp_rec(const void *pa, const void *pb, void *arg)
{
	const struct sort_rec *x = pa, *y = pb;
	const struct agg_tab *t = ((const void *const *)arg)[0];
	const struct agg *a = ((const void *const *)arg)[1];
	const struct agg_ent *ex, *ey;
	size_t n;
	int c;

	if (x->pre[0] != y->pre[0])
		return x->pre[0] < y->pre[0] ? -1 : 1;
	if (x->pre[1] != y->pre[1])
		return x->pre[1] < y->pre[1] ? -1 : 1;
	/* The same first 16 bytes (zero padded): the whole strings. */
	ex = &t->ents[x->ent];
	ey = &t->ents[y->ent];
	n = ex->len < ey->len ? ex->len : ey->len;
	if ((c = memcmp(ent_str(a, ex), ent_str(a, ey), n)) != 0)
		return c;
	return ex->len < ey->len ? -1 : ex->len > ey->len;
}

uint32_t *
agg_sorted(const struct agg *a, const struct agg_tab *t, const uint32_t *rank)
{
	struct sort_rec *recs, *by_user;
	const struct agg_ent *e;
	const void *ctx[2] = { t, a };
	const char *s;
	size_t *start, i, j, nusers = a->users.n;
	uint32_t *order;

	/* Counting sort by user rank, then each user's strings apart:
	 * short runs of compact records, not one big indirect sort. */
	recs = xcalloc(t->n + 1, sizeof(*recs));
	by_user = xcalloc(t->n + 1, sizeof(*by_user));
	start = xcalloc(nusers + 2, sizeof(*start));
	for (i = 0; i < t->n; i++) {
		e = &t->ents[i];
		s = ent_str(a, e);
		recs[i].pre[0] = recs[i].pre[1] = 0;
		for (j = 0; j < 16; j++)
			recs[i].pre[j / 8] = recs[i].pre[j / 8] << 8 |
			    (j < e->len ? (unsigned char)s[j] : 0);
		recs[i].ent = (uint32_t)i;
		recs[i].rank = rank[e->user];
		start[recs[i].rank + 1]++;
	}
	for (i = 0; i < nusers; i++)
		start[i + 1] += start[i];
	for (i = 0; i < t->n; i++)
		by_user[start[recs[i].rank]++] = recs[i];
	/* start[r] is now the end of rank r's run */
	for (i = 0, j = 0; i < nusers; j = start[i++])
		if (start[i] - j > 1)
			qsort_r(by_user + j, start[i] - j, sizeof(*by_user),
			    cmp_rec, ctx);
	order = xcalloc(t->n + 1, sizeof(*order));
	for (i = 0; i < t->n; i++)
		order[i] = by_user[i].ent;
	free(recs);
	free(by_user);
	free(start);
	return order;
}

void
agg_init(struct agg *a, size_t max_keys)
{
	memset(a, 0, sizeof(*a));
	a->max_keys = max_keys;
	a->last = AGG_NONE;
	a->seed = mix((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)(uintptr_t)a);
}

void
agg_add(struct agg *a, const char *user, size_t ulen, const char *ip,
    size_t iplen, const char *host, size_t hostlen)
{
	struct agg_ent *ue;
	uint32_t u, k;

	/* Consecutive lines are often of the same user. */
	u = a->last;
	ue = u != AGG_NONE ? &a->users.ents[u] : NULL;
	if (ue == NULL || ue->len != ulen ||
	    memcmp(ent_str(a, ue), user, ulen) != 0) {
		u = tab_get(a, &a->users, AGG_NONE, user, ulen);
		ue = &a->users.ents[u];
		a->last = u;
	}
	ue->count++;
	/* tab_get() may move ents: index only after it returned. */
	if (iplen > 0) {
		k = tab_get(a, &a->ips, u, ip, iplen);
		a->ips.ents[k].count++;
	}
	if (hostlen > AGG_PIPE_KEY) {
		k = tab_get(a, &a->dns, u, host, hostlen);
		a->dns.ents[k].count++;
	} else if (hostlen > 0)
		pipe_push(a, u, host, hostlen);
}

int
agg_full(const struct agg *a)
{
	return a->max_keys > 0 &&
	    (a->users.n >= a->max_keys || a->dns.n >= a->max_keys ||
		a->ips.n >= a->max_keys);
}

const char *
agg_str(const struct agg *a, const struct agg_ent *e)
{
	return ent_str(a, e);
}

static void
tab_reset(struct agg_tab *t)
{
	if (t->n > 0 && t->slots != NULL)
		memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	t->n = 0;
}

void
agg_reset(struct agg *a)
{
	a->pipe_head = a->pipe_n = 0; /* counted or not, the batch is over */
	tab_reset(&a->users);
	tab_reset(&a->dns);
	tab_reset(&a->ips);
	a->alen = 0;
	a->last = AGG_NONE;
}

static void
tab_free(struct agg_tab *t)
{
	free(t->ents);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void
agg_free(struct agg *a)
{
	tab_free(&a->users);
	tab_free(&a->dns);
	tab_free(&a->ips);
	free(a->arena);
	memset(a, 0, sizeof(*a));
}
