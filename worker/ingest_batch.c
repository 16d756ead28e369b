/*
 * Access-log ingestion: writing one batch (ingest_int.h).  Every user of
 * the batch is resolved to the database's spelling of the name; the
 * destination counts go in key order in one statement (v2s_rows), the
 * source IPs of known users with their streaks, and the users' last_seen
 * and live IPs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "dbrows.h"
#include "ingest_int.h"
#include "users.h"
#include "xmalloc.h"

static void
minute_str(time_t now, char *out, size_t outsz)
{
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M", &tm);
}

/*
 * Finds the database's name for the log's user E: the exact name, else
 * one equal ignoring case.  Returns 1 and an allocated name in *OUT, 0 if
 * the user is unknown (*OUT = a copy of the log's name), or DB_*.
 */
static int
resolve_user(struct ingest *ig, const struct agg_ent *e, char **out)
{
	const char *name = agg_str(&ig->agg, e);
	int rc;

	if ((rc = users_resolve(ig->db, name, e->len, out)) == 0)
		*out = xstrndup(name, e->len);
	return rc;
}

static int
cmp_name(const void *pa, const void *pb, void *names)
{
	return strcmp(((char **)names)[*(const uint32_t *)pa],
	    ((char **)names)[*(const uint32_t *)pb]);
}

/* The rank of each of the N users in the order of their NAMES. */
static uint32_t *
rank_users(char **names, size_t n)
{
	uint32_t *by_name, *rank;
	size_t i;

	by_name = xcalloc(n + 1, sizeof(*by_name));
	rank = xcalloc(n + 1, sizeof(*rank));
	for (i = 0; i < n; i++)
		by_name[i] = (uint32_t)i;
	qsort_r(by_name, n, sizeof(*by_name), cmp_name, names);
	for (i = 0; i < n; i++)
		rank[by_name[i]] = (uint32_t)i;
	free(by_name);
	return rank;
}

/* The dns_stats rows of a batch for v2s_rows: user, domain, count. */
struct dns_rows {
	const struct agg *agg;
	const uint32_t *order;
	size_t n;
	char **names;
};

static void
dns_column(void *arg, size_t row, int col, sqlite3_context *ctx)
{
	const struct dns_rows *r = arg;
	const struct agg_ent *e = &r->agg->dns.ents[r->order[row]];

	/* Key order is random order in memory: fetch the entries a few rows
	 * ahead, and the bytes of those whose entries have arrived. */
	if (col == 0 && row + 8 < r->n)
		__builtin_prefetch(&r->agg->dns.ents[r->order[row + 8]]);
	if (col == 0 && row + 4 < r->n)
		__builtin_prefetch(
		    agg_str(r->agg, &r->agg->dns.ents[r->order[row + 4]]));
	if (col == 0)
		sqlite3_result_text(ctx, r->names[e->user], -1, SQLITE_STATIC);
	else if (col == 1)
		sqlite3_result_text(
		    ctx, agg_str(r->agg, e), (int)e->len, SQLITE_STATIC);
	else if (col == 2)
		sqlite3_result_int64(ctx, e->count);
}

int
ingest_write_batch(struct ingest *ig, time_t now)
{
	struct agg *a = &ig->agg;
	struct agg_ent *e;
	struct dns_rows dr;
	struct dbrows src;
	struct buf list;
	char **names = NULL, minute[32];
	uint32_t *order = NULL, *rank = NULL;
	int64_t cut = (int64_t)now - ig->cfg->ip_ttl;
	size_t i;
	int rc;

	buf_init(&list);
	agg_flush(a);
	names = xcalloc(a->users.n + 1, sizeof(*names));
	for (i = 0; i < a->users.n; i++) {
		e = &a->users.ents[i];
		if ((rc = resolve_user(ig, e, &names[i])) < 0)
			goto out;
		e->aux = rc; /* 1 = known */
	}
	/* In key order the upserts walk the B-tree pages once. */
	rank = rank_users(names, a->users.n);
	order = agg_sorted(a, &a->dns, rank);
	dr.agg = a;
	dr.order = order;
	dr.n = a->dns.n;
	dr.names = names;
	src.n = a->dns.n;
	src.column = dns_column;
	src.arg = &dr;
	/* "WHERE true" tells the parser ON CONFLICT is not a join's ON. */
	rc = dbrows_exec(ig->db,
	    "INSERT INTO dns_stats (user, domain, count) SELECT c0, c1, c2 "
	    "FROM v2s_rows WHERE true ON CONFLICT (user, domain) DO UPDATE "
	    "SET count = COALESCE(count, 0) + excluded.count",
	    &src);
	if (rc != DB_OK)
		goto out;
	for (i = 0; i < a->ips.n; i++) {
		e = &a->ips.ents[i];
		if (a->users.ents[e->user].aux != 1 ||
		    !ingest_is_ip(agg_str(a, e), e->len))
			continue;
		/* A new streak starts when the IP was not live. */
		rc = db_run(ig->db,
		    "INSERT INTO user_ip_since (user, ip, since) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT (user, ip) DO UPDATE "
		    "SET since = CASE WHEN COALESCE((SELECT last_seen FROM "
		    "user_ips WHERE user = ?1 AND ip = ?2), 0) < ?4 "
		    "THEN ?3 ELSE since END",
		    dbv_text(names[e->user]), dbv_textn(agg_str(a, e), e->len),
		    dbv_int(now), dbv_int(cut));
		if (rc != DB_OK)
			goto out;
		rc = db_run(ig->db,
		    "INSERT INTO user_ips (user, ip, last_seen) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT (user, ip) DO UPDATE "
		    "SET last_seen = max(last_seen, excluded.last_seen)",
		    dbv_text(names[e->user]), dbv_textn(agg_str(a, e), e->len),
		    dbv_int(now));
		if (rc != DB_OK)
			goto out;
	}
	minute_str(now, minute, sizeof(minute));
	for (i = 0; i < a->users.n; i++) {
		e = &a->users.ents[i];
		if (ig->cfg->dns_max_per_user > 0 &&
		    (rc = db_run(ig->db,
			 "DELETE FROM dns_stats WHERE user = ?1 AND domain NOT "
			 "IN (SELECT domain FROM dns_stats WHERE user = ?1 "
			 "ORDER BY count DESC, domain ASC LIMIT ?2)",
			 dbv_text(names[i]),
			 dbv_int(ig->cfg->dns_max_per_user))) != DB_OK)
			goto out;
		if (e->aux != 1)
			continue;
		if ((rc = users_seen(ig->db, names[i], minute)) != DB_OK)
			goto out;
		if ((rc = ingest_recompute_ips(ig, names[i], cut, &list)) !=
		    DB_OK)
			goto out;
	}
out:
	if (names != NULL)
		for (i = 0; i < a->users.n; i++)
			free(names[i]);
	free(names);
	free(order);
	free(rank);
	buf_free(&list);
	return rc;
}
