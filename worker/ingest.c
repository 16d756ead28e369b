/*
 * Access-log ingestion (see ingest.h).  Each tick:
 *
 *  1. batches: read lines with the tailer until a batch is full (bytes or
 *     distinct keys), aggregate them in memory (ingest_agg.c), then commit
 *     in ONE transaction: dns_stats += counts, user_ips and user_ip_since
 *     for known users, clients_stats.last_seen and .ips of the users of
 *     the batch, and the log position (worker_state's access_log_pos).
 *     Only a committed position is ever reused: when a commit fails the
 *     tailer is reopened at the last committed one and the lines come
 *     again.  Batches go on until the log is read or the tick budget is
 *     spent.
 *  2. expiry: users whose IPs went past ip_ttl since the last tick get
 *     their ips list recomputed (even if they made no new connection);
 *     once a minute user_ips older than max(ip_ttl, 1 day) is pruned.
 *  3. IP limit: for users with lim_ip > 0 and more live IPs, the IPs that
 *     appeared last (beyond the lim_ip first ones of the current streaks)
 *     are appended to paths.f2b_log, once per IP per minute, remembered
 *     in user_ip_since.f2b_at (committed before the lines are written:
 *     a crash may lose a line, never repeat one).
 *
 * "Now" is the time the worker reads the lines, as in the original.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "buf.h"
#include "dbrows.h"
#include "ingest.h"
#include "ingest_agg.h"
#include "ingest_int.h"
#include "log.h"
#include "tail.h"
#include "users.h"
#include "worker.h"
#include "wstate.h"
#include "xmalloc.h"

struct ingest {
	struct worker *w; /* borrowed */
	struct db *db; /* borrowed: &w->db */
	const struct cfg *cfg; /* borrowed: &w->cfg */
	struct accesslog_regex *re; /* owned; NULL = built-in parser */
	struct tail *tail; /* owned; NULL until the position is loaded */
	struct tail_pos committed; /* last position known durable */
	struct agg agg;
	size_t batch_bytes;
	int stop_reason; /* the callback ended the batch early */
	struct ingest_tuning tune;
	struct ingest_counts counts;
	int64_t prev_cut; /* expiry boundary of the last tick, -1 = none */
	time_t last_prune;
	char lasterr[256]; /* logged once per change */
};

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t
mono_ms(void)
{
	return mono_us() / 1000;
}

/* Logs MSG unless it is the same as the last problem; "" clears it. */
static void
problem(struct ingest *ig, const char *msg)
{
	if (strcmp(ig->lasterr, msg) == 0)
		return;
	if (msg[0] != '\0')
		log_warnx("access log: %s", msg);
	else if (ig->lasterr[0] != '\0')
		log_info("access log: working again");
	snprintf(ig->lasterr, sizeof(ig->lasterr), "%s", msg);
}

static int
same_pos(const struct tail_pos *a, const struct tail_pos *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->off == b->off;
}

/* ------------------------------------------------------------ position */

/* Parses "DEV INO OFF"; returns 0 or -1. */
static int
parse_pos(const char *s, struct tail_pos *out)
{
	unsigned long long v[3];
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		while (*s == ' ')
			s++;
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(s, &end, 10);
		if (errno != 0 || end == s)
			return -1;
		s = end;
	}
	if (*s != '\0' || v[2] > (unsigned long long)INT64_MAX)
		return -1;
	out->dev = v[0];
	out->ino = v[1];
	out->off = (int64_t)v[2];
	return 0;
}

/* Reads the committed position: 1 found, 0 none, or a DB_* error. */
static int
load_pos(struct ingest *ig, struct tail_pos *out)
{
	char v[WSTATE_TEXT_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = wstate_get_text(ig->db, WS_ACCESS_LOG_POS, v);
	if (rc == 1 && parse_pos(v, out) == -1) {
		log_warnx("access log: ignoring a bad saved position '%s'", v);
		memset(out, 0, sizeof(*out));
		rc = 0;
	}
	return rc;
}

static int
save_pos(struct ingest *ig, const struct tail_pos *p)
{
	char v[96];

	snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64 " %" PRId64, p->dev,
	    p->ino, p->off);
	return wstate_set_text(ig->db, WS_ACCESS_LOG_POS, v);
}

static void
open_tail(struct ingest *ig)
{
	tail_close(ig->tail);
	ig->tail = tail_open(ig->cfg->core_access_log, ig->committed.dev,
	    ig->committed.ino, ig->committed.off,
	    ig->cfg->access_log_from_start ? TAIL_FROM_START : 0);
}

/* ------------------------------------------------------------ reading */

static int
on_line(void *arg, const char *line, size_t len)
{
	struct ingest *ig = arg;
	struct accesslog_rec rec;
	enum accesslog_result r;

	ig->batch_bytes += len + 1;
	ig->counts.lines++;
	if (ig->re != NULL)
		r = accesslog_regex_match(ig->re, line, len, &rec);
	else
		r = accesslog_parse(line, len, &rec);
	ig->counts.reasons[r]++;
	if (r == ACCESSLOG_OK)
		agg_add(&ig->agg, rec.email.p, rec.email.len, rec.src_ip.p,
		    rec.src_ip.len, rec.dst_host.p, rec.dst_host.len);
	if (ig->batch_bytes >= ig->tune.batch_bytes || agg_full(&ig->agg)) {
		ig->stop_reason = 1;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ committing */

static void
minute_str(time_t now, char *out, size_t outsz)
{
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M", &tm);
}

/* 1 if S[0..N) is an IPv4 or IPv6 address. */
static int
is_ip(const char *s, size_t n)
{
	unsigned char a[16];
	char tmp[64];

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, a) == 1 ||
	    inet_pton(AF_INET6, tmp, a) == 1;
}

/*
 * Sets clients_stats.ips of USER (an exact name) to the IPs seen at or
 * after CUT, the most recent first.
 */
static int
recompute_ips(
    struct ingest *ig, const char *user, int64_t cut, struct buf *list)
{
	sqlite3_stmt *st;
	int rc;

	st = db_query(ig->db,
	    "SELECT ip FROM user_ips WHERE user = ?1 AND last_seen >= ?2 "
	    "ORDER BY last_seen DESC, ip ASC",
	    dbv_text(user), dbv_int(cut));
	buf_reset(list);
	while ((rc = db_next(ig->db, st)) == 1) {
		if (list->len > 0)
			buf_putc(list, ',');
		buf_puts(list, db_text(st, 0));
	}
	if (rc < 0)
		return rc;
	return users_set_ips(ig->db, user, buf_str(list));
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

/* Writes the batch and POS in one transaction.  DB_OK or DB_*. */
static int
commit_batch(struct ingest *ig, const struct tail_pos *pos, time_t now)
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
	if ((rc = db_begin(ig->db)) != DB_OK)
		goto out;
	names = xcalloc(a->users.n + 1, sizeof(*names));
	for (i = 0; i < a->users.n; i++) {
		e = &a->users.ents[i];
		if ((rc = resolve_user(ig, e, &names[i])) < 0)
			goto fail;
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
		goto fail;
	for (i = 0; i < a->ips.n; i++) {
		e = &a->ips.ents[i];
		if (a->users.ents[e->user].aux != 1 ||
		    !is_ip(agg_str(a, e), e->len))
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
			goto fail;
		rc = db_run(ig->db,
		    "INSERT INTO user_ips (user, ip, last_seen) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT (user, ip) DO UPDATE "
		    "SET last_seen = max(last_seen, excluded.last_seen)",
		    dbv_text(names[e->user]), dbv_textn(agg_str(a, e), e->len),
		    dbv_int(now));
		if (rc != DB_OK)
			goto fail;
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
			goto fail;
		if (e->aux != 1)
			continue;
		if ((rc = users_seen(ig->db, names[i], minute)) != DB_OK)
			goto fail;
		if ((rc = recompute_ips(ig, names[i], cut, &list)) != DB_OK)
			goto fail;
	}
	if ((rc = save_pos(ig, pos)) != DB_OK)
		goto fail;
	if ((rc = db_commit(ig->db)) != DB_OK)
		goto fail;
	goto out;
fail:
	db_rollback(ig->db);
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

/* ------------------------------------------------------------ expiry */

/*
 * Recomputes the ips of every user with an IP that expired since the
 * last tick, and prunes the old history once a minute.
 */
static int
expire(struct ingest *ig, time_t now)
{
	sqlite3_stmt *st;
	struct buf list;
	char **users = NULL;
	size_t n = 0, cap = 0, i;
	int64_t cut = (int64_t)now - ig->cfg->ip_ttl, keep;
	int rc, prune;

	buf_init(&list);
	prune = now - ig->last_prune >= 60 || now < ig->last_prune;
	if (cut <= ig->prev_cut && !prune) {
		rc = DB_OK;
		goto out;
	}
	if ((rc = db_begin(ig->db)) != DB_OK)
		goto out;
	st = db_query(ig->db,
	    "SELECT DISTINCT user FROM user_ips WHERE last_seen < ?1 AND "
	    "last_seen >= ?2",
	    dbv_int(cut), dbv_int(ig->prev_cut));
	while ((rc = db_next(ig->db, st)) == 1) {
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			users = xreallocarray(users, cap, sizeof(*users));
		}
		users[n++] = xstrdup(db_text(st, 0));
	}
	if (rc < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if ((rc = recompute_ips(ig, users[i], cut, &list)) != DB_OK)
			goto fail;
	if (prune) {
		keep = ig->cfg->ip_ttl > INGEST_IP_KEEP ? ig->cfg->ip_ttl
							: INGEST_IP_KEEP;
		if ((rc = db_run(ig->db,
			 "DELETE FROM user_ips WHERE last_seen < ?1",
			 dbv_int(now - keep))) != DB_OK ||
		    (rc = db_run(ig->db,
			 "DELETE FROM user_ip_since WHERE NOT EXISTS (SELECT 1 "
			 "FROM user_ips u WHERE u.user = user_ip_since.user "
			 "AND "
			 "u.ip = user_ip_since.ip)")) != DB_OK)
			goto fail;
	}
	if ((rc = db_commit(ig->db)) != DB_OK)
		goto fail;
	if (cut > ig->prev_cut)
		ig->prev_cut = cut;
	if (prune)
		ig->last_prune = now;
	goto out;
fail:
	db_rollback(ig->db);
out:
	for (i = 0; i < n; i++)
		free(users[i]);
	free(users);
	buf_free(&list);
	return rc;
}

/* ------------------------------------------------------------ IP limit */

struct excess {
	char *user;
	char *ip;
};

/* 1 if S can go into a fail2ban line as is (no control bytes, no "||"). */
static int
f2b_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f ||
		    (s[0] == '|' && s[1] == '|'))
			return 0;
	return 1;
}

/* Appends the lines of X[0..N) to paths.f2b_log (opened and closed). */
static int
f2b_write(struct ingest *ig, const struct excess *x, size_t n, time_t now)
{
	struct buf out;
	struct tm tm;
	char stamp[32];
	size_t i, off;
	ssize_t w;
	int fd = -1, rc = -1;

	buf_init(&out);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y/%m/%d %H:%M:%S", &tm);
	for (i = 0; i < n; i++)
		buf_printf(&out, "%s [LIMIT_IP] User = %s || SRC = %s\n", stamp,
		    x[i].user, x[i].ip);
	fd = open(
	    ig->cfg->f2b_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		log_warn("access log: open %s", ig->cfg->f2b_log);
		goto out;
	}
	for (off = 0; off < out.len; off += (size_t)w) {
		w = write(fd, out.data + off, out.len - off);
		if (w == -1 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0) {
			log_warn("access log: write %s", ig->cfg->f2b_log);
			goto out;
		}
	}
	rc = 0;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		log_warn("access log: close %s", ig->cfg->f2b_log);
		rc = -1;
	}
	buf_free(&out);
	return rc;
}

static int
ip_limit(struct ingest *ig, time_t now)
{
	sqlite3_stmt *st;
	struct excess *x = NULL;
	char *cur = NULL;
	const char *user, *ip;
	int64_t cut = (int64_t)now - ig->cfg->ip_ttl, lim = 0, rank = 0, at;
	size_t n = 0, cap = 0, i;
	int rc;

	if (ig->cfg->f2b_log == NULL || ig->cfg->f2b_log[0] == '\0')
		return DB_OK;
	st = db_query(ig->db,
	    "SELECT c.user, c.lim_ip, u.ip, s.f2b_at FROM clients_stats c "
	    "JOIN user_ips u ON u.user = c.user "
	    "JOIN user_ip_since s ON s.user = u.user AND s.ip = u.ip "
	    "WHERE c.lim_ip > 0 AND u.last_seen >= ?1 "
	    "ORDER BY c.user, s.since ASC, u.ip ASC",
	    dbv_int(cut));
	while ((rc = db_next(ig->db, st)) == 1) {
		user = db_text(st, 0);
		if (cur == NULL || strcmp(cur, user) != 0) {
			free(cur);
			cur = xstrdup(user);
			lim = sqlite3_column_int64(st, 1);
			rank = 0;
		}
		if (++rank <= lim)
			continue;
		at = sqlite3_column_int64(st, 3);
		if ((int64_t)now - at < INGEST_F2B_INTERVAL &&
		    at <= (int64_t)now)
			continue;
		ip = db_text(st, 2);
		if (!f2b_safe(user) || !is_ip(ip, strlen(ip)))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			x = xreallocarray(x, cap, sizeof(*x));
		}
		x[n].user = xstrdup(user);
		x[n].ip = xstrdup(ip);
		n++;
	}
	if (rc < 0 || n == 0)
		goto out;
	if ((rc = db_begin(ig->db)) != DB_OK)
		goto out;
	for (i = 0; i < n && rc == DB_OK; i++)
		rc = db_run(ig->db,
		    "UPDATE user_ip_since SET f2b_at = ?3 WHERE user = ?1 AND "
		    "ip = ?2",
		    dbv_text(x[i].user), dbv_text(x[i].ip), dbv_int(now));
	if (rc == DB_OK)
		rc = db_commit(ig->db);
	if (rc != DB_OK) {
		db_rollback(ig->db);
		goto out;
	}
	if (f2b_write(ig, x, n, now) == 0)
		ig->counts.f2b_lines += n;
out:
	for (i = 0; i < n; i++) {
		free(x[i].user);
		free(x[i].ip);
	}
	free(x);
	free(cur);
	return rc < 0 ? rc : DB_OK;
}

/* ------------------------------------------------------------ interface */

struct ingest *
ingest_new(struct worker *w)
{
	struct ingest *ig;
	struct accesslog_regex *re = NULL;
	char err[256];

	if (w->cfg.core_access_log_regex != NULL &&
	    w->cfg.core_access_log_regex[0] != '\0') {
		re = accesslog_regex_compile(
		    w->cfg.core_access_log_regex, err, sizeof(err));
		if (re == NULL) {
			log_warnx("core.access_log_regex: %s", err);
			return NULL;
		}
	}
	ig = xcalloc(1, sizeof(*ig));
	ig->w = w;
	ig->db = &w->db;
	ig->cfg = &w->cfg;
	ig->re = re;
	ig->tune.batch_bytes = INGEST_BATCH_BYTES;
	ig->tune.batch_keys = INGEST_BATCH_KEYS;
	/* Leave the tick most of its interval for the rest. */
	ig->tune.tick_budget_ms = (int64_t)w->cfg.ticker_interval * 500;
	ig->prev_cut = -1;
	agg_init(&ig->agg, ig->tune.batch_keys);
	db_exec(ig->db, "PRAGMA cache_size = -32768");
	return ig;
}

void
ingest_tune(struct ingest *ig, const struct ingest_tuning *t)
{
	if (t->batch_bytes > 0)
		ig->tune.batch_bytes = t->batch_bytes;
	if (t->batch_keys > 0) {
		ig->tune.batch_keys = t->batch_keys;
		ig->agg.max_keys = t->batch_keys;
	}
	if (t->tick_budget_ms > 0)
		ig->tune.tick_budget_ms = t->tick_budget_ms;
}

void
ingest_counts(const struct ingest *ig, struct ingest_counts *out)
{
	*out = ig->counts;
}

void
ingest_tick(struct ingest *ig)
{
	struct tail_pos pos;
	char msg[256];
	time_t now;
	int64_t start, t0;
	int n, rc;

	if (ig == NULL)
		return;
	now = time(NULL);
	start = mono_ms();
	if (ig->tail == NULL) {
		if ((rc = load_pos(ig, &ig->committed)) < 0) {
			problem(ig, "cannot read the saved position");
			return;
		}
		open_tail(ig);
	}
	for (;;) {
		agg_reset(&ig->agg);
		ig->batch_bytes = 0;
		ig->stop_reason = 0;
		n = tail_read(ig->tail, on_line, ig);
		if (n < 0) {
			/* Logged by the tailer.  Lines it gave before the
			 * error go with the batch: read them again from the
			 * committed position next tick. */
			open_tail(ig);
			break;
		}
		tail_position(ig->tail, &pos);
		if (n == 0 && same_pos(&pos, &ig->committed))
			break;
		t0 = mono_us();
		rc = commit_batch(ig, &pos, now);
		ig->counts.commit_us += mono_us() - t0;
		if (rc != DB_OK) {
			ig->counts.failed++;
			snprintf(msg, sizeof(msg),
			    "cannot commit %d lines (%s): they will be read "
			    "again",
			    n, rc == DB_BUSY ? "database busy" : "error");
			problem(ig, msg);
			open_tail(ig);
			break;
		}
		ig->counts.commits++;
		ig->committed = pos;
		problem(ig, "");
		if (!ig->stop_reason ||
		    mono_ms() - start >= ig->tune.tick_budget_ms)
			break;
	}
	agg_reset(&ig->agg);
	if ((rc = expire(ig, now)) != DB_OK)
		log_debug("access log: ip expiry: %s",
		    rc == DB_BUSY ? "busy" : "error");
	if ((rc = ip_limit(ig, now)) != DB_OK)
		log_debug("access log: ip limit: %s",
		    rc == DB_BUSY ? "busy" : "error");
}

void
ingest_free(struct ingest *ig)
{
	if (ig == NULL)
		return;
	tail_close(ig->tail);
	accesslog_regex_free(ig->re);
	agg_free(&ig->agg);
	free(ig);
}
