/*
 * Access-log ingestion: the users' live IPs (ingest_int.h).  A user's ips
 * column lists the IPs seen within ip_ttl; IPs that expire are taken out
 * every tick, and the history is pruned once a minute.  Users with more
 * live IPs than lim_ip get the newest ones written to paths.f2b_log for
 * fail2ban, once per IP a minute -- only those the kernel confirms
 * (ingest_confirm.c): the log alone does not prove that an IP connected.
 * The others are counted (ip_limit_unconfirmed) and logged, never banned.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ingest_int.h"
#include "log.h"
#include "users.h"
#include "wstate.h"
#include "xmalloc.h"

int
ingest_is_ip(const char *s, size_t n)
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

int
ingest_recompute_ips(
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

int
ingest_expire(struct ingest *ig, time_t now)
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
		if ((rc = ingest_recompute_ips(ig, users[i], cut, &list)) !=
		    DB_OK)
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
	int confirmed; /* the kernel saw a TCP connection from ip */
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
		if (x[i].confirmed)
			buf_printf(&out,
			    "%s [LIMIT_IP] User = %s || SRC = %s\n", stamp,
			    x[i].user, x[i].ip);
	if (out.len == 0) {
		rc = 0;
		goto out;
	}
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

int
ingest_ip_limit(struct ingest *ig, time_t now)
{
	sqlite3_stmt *st;
	struct excess *x = NULL;
	char *cur = NULL;
	const char *user, *ip;
	int64_t cut = (int64_t)now - ig->cfg->ip_ttl, lim = 0, rank = 0, at;
	size_t n = 0, cap = 0, i, nok = 0;
	const char **ips = NULL;
	int *oks = NULL, rc;

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
		if (!f2b_safe(user) || !ingest_is_ip(ip, strlen(ip)))
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
	/* Asked outside the transaction; an unconfirmed IP gets its f2b_at
	 * too, so that it is counted (and asked about) once a minute. */
	ips = xcalloc(n, sizeof(*ips));
	oks = xcalloc(n, sizeof(*oks));
	for (i = 0; i < n; i++)
		ips[i] = x[i].ip;
	ingest_confirm_list(ig, ips, n, oks, now);
	for (i = 0; i < n; i++)
		if ((x[i].confirmed = oks[i]))
			nok++;
	if ((rc = db_begin(ig->db)) != DB_OK)
		goto out;
	for (i = 0; i < n && rc == DB_OK; i++)
		rc = db_run(ig->db,
		    "UPDATE user_ip_since SET f2b_at = ?3 WHERE user = ?1 AND "
		    "ip = ?2",
		    dbv_text(x[i].user), dbv_text(x[i].ip), dbv_int(now));
	if (rc == DB_OK && nok < n && ig->trust.loaded)
		rc = wstate_set_int(ig->db, WS_IP_UNCONFIRMED,
		    ig->trust.unconfirmed_total + (int64_t)(n - nok));
	if (rc == DB_OK)
		rc = db_commit(ig->db);
	if (rc != DB_OK) {
		db_rollback(ig->db);
		goto out;
	}
	if (ig->trust.loaded)
		ig->trust.unconfirmed_total += (int64_t)(n - nok);
	ig->counts.unconfirmed += n - nok;
	for (i = 0; i < n; i++)
		if (!x[i].confirmed)
			log_info("ip limit: %s, an IP of %s beyond lim_ip, has "
				 "no TCP connection to this host: not banned",
			    x[i].ip, x[i].user);
	if (nok > 0 && f2b_write(ig, x, n, now) == 0)
		ig->counts.f2b_lines += nok;
out:
	for (i = 0; i < n; i++) {
		free(x[i].user);
		free(x[i].ip);
	}
	free(x);
	free(ips);
	free(oks);
	free(cur);
	return rc < 0 ? rc : DB_OK;
}
