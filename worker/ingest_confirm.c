/*
 * Access-log ingestion: the kernel's word on source IPs (ingest_int.h).
 * A line of the log names a source IP; only the kernel can say that the
 * IP really connected (worker/sockdiag.h).  Each batch, the IPs of users
 * with an IP limit are asked about while their connections are likely
 * still open (lines are read within about a second), and the answers
 * kept in a small table: an IP confirmed at some time stays confirmed for
 * ip_ttl seconds after it, the time an IP stays live in the user's list.
 * Before a ban the table is looked at, and the kernel asked once more.
 *
 * UDP cannot be confirmed this way (there is no connection): a client
 * that reaches the core only over UDP (mKCP, QUIC, the UDP of shadowsocks
 * or socks) is never banned; its excess IPs are counted as unconfirmed.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"
#include "log.h"
#include "sockdiag.h"
#include "users.h"
#include "xmalloc.h"

#define CONFIRM_SLOTS 65536 /* power of two; 3/4 of it in use at most */
#define CONFIRM_RETRY 2 /* s before an unconfirmed IP is asked again */
#define CONFIRM_BUDGET 128 /* IPs asked about per batch at most */
#define CONFIRM_CHUNK \
	64 /* IPs per question (its cost grows with both
			    the IPs and the host's sockets) */

struct cent {
	uint8_t addr[16]; /* IPv4 as IPv4-mapped IPv6 */
	uint8_t used;
	time_t confirmed; /* last time the kernel said yes; 0 never */
	time_t checked; /* last time it was asked */
};

struct ipconfirm {
	struct sockdiag *sd; /* NULL: not opened yet, or failed */
	int failed; /* no netlink socket at all (logged once) */
	int erring; /* the last question failed (logged once) */
	struct cent *tab; /* CONFIRM_SLOTS */
	size_t n;
};

/* IP (text) as 16 bytes; 0, or -1 if it is not an address. */
static int
ip_key(const char *ip, size_t len, uint8_t out[16])
{
	char tmp[64];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, ip, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET6, tmp, out) == 1)
		return 0;
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	return inet_pton(AF_INET, tmp, out + 12) == 1 ? 0 : -1;
}

static size_t
slot_of(const uint8_t a[16])
{
	uint64_t h = 1469598103934665603ULL;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29)) & (CONFIRM_SLOTS - 1);
}

/*
 * Makes room for NEED more entries (NEED <= CONFIRM_SLOTS / 4), so that
 * the next NEED lookup()s move nothing: when the table would pass 3/4
 * full, the entries older than KEEP seconds are dropped, and all of them
 * if that is not enough (those IPs are asked about again).
 */
static void
make_room(struct ipconfirm *c, size_t need, time_t now, time_t keep)
{
	struct cent *old;
	size_t i, k;

	if (c->n + need < CONFIRM_SLOTS / 4 * 3)
		return;
	old = c->tab;
	c->tab = xcalloc(CONFIRM_SLOTS, sizeof(*c->tab));
	c->n = 0;
	for (k = 0; k < CONFIRM_SLOTS; k++) {
		if (!old[k].used ||
		    (old[k].checked < now - keep &&
			old[k].confirmed < now - keep))
			continue;
		if (c->n >= CONFIRM_SLOTS / 2)
			break;
		for (i = slot_of(old[k].addr); c->tab[i].used;
		     i = (i + 1) & (CONFIRM_SLOTS - 1))
			;
		c->tab[i] = old[k];
		c->n++;
	}
	free(old);
	if (k < CONFIRM_SLOTS) {
		memset(c->tab, 0, CONFIRM_SLOTS * sizeof(*c->tab));
		c->n = 0;
	}
}

/* The entry of A, added if missing (after make_room()). */
static struct cent *
lookup(struct ipconfirm *c, const uint8_t a[16])
{
	size_t i;

	for (i = slot_of(a); c->tab[i].used; i = (i + 1) & (CONFIRM_SLOTS - 1))
		if (memcmp(c->tab[i].addr, a, 16) == 0)
			return &c->tab[i];
	memcpy(c->tab[i].addr, a, 16);
	c->tab[i].used = 1;
	c->n++;
	return &c->tab[i];
}

static struct ipconfirm *
get(struct ingest *ig)
{
	struct ipconfirm *c = ig->trust.confirm;

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->tab = xcalloc(CONFIRM_SLOTS, sizeof(*c->tab));
		ig->trust.confirm = c;
	}
	return c;
}

/*
 * Asks the kernel about IPS[0..N) (text), whose entries are ENTS, in
 * questions of CONFIRM_CHUNK; updates the entries.
 */
static void
ask(struct ipconfirm *c, struct cent **ents, const char **ips, size_t n,
    time_t now)
{
	int found[CONFIRM_CHUNK];
	size_t i, k, m;

	if (c->sd == NULL && !c->failed && (c->sd = sockdiag_open()) == NULL) {
		c->failed = 1;
		log_warn("access log: cannot ask the kernel about TCP "
			 "connections (netlink sock_diag); no IP will be "
			 "written to the ban log");
	}
	if (c->failed)
		return;
	for (i = 0; i < n; i += m) {
		m = n - i < CONFIRM_CHUNK ? n - i : CONFIRM_CHUNK;
		if (sockdiag_tcp_peers(c->sd, ips + i, m, found) == -1) {
			if (!c->erring)
				log_warn("access log: sock_diag (IPs not "
					 "confirmed are not banned)");
			c->erring = 1;
			return;
		}
		c->erring = 0;
		for (k = 0; k < m; k++) {
			ents[i + k]->checked = now;
			if (found[k])
				ents[i + k]->confirmed = now;
		}
	}
}

/* 1 if NAME (NLEN bytes) is a user with an IP limit; 0 if not; DB_*. */
static int
has_limit(struct ingest *ig, const char *name, size_t nlen)
{
	int64_t lim = 0;
	int rc;

	rc = db_get_int(ig->db, &lim,
	    "SELECT max(lim_ip) FROM clients_stats WHERE " USERS_KEY_IS("?1"),
	    dbv_textn(name, nlen));
	if (rc < 0)
		return rc;
	return rc == 1 && lim > 0;
}

void
ingest_confirm_batch(struct ingest *ig, time_t now)
{
	struct agg *a = &ig->agg;
	struct agg_ent *e, *u;
	struct ipconfirm *c;
	struct cent *ce, *ents[CONFIRM_BUDGET];
	const char *ips[CONFIRM_BUDGET];
	char text[CONFIRM_BUDGET][64];
	uint8_t key[16];
	int8_t *lim = NULL;
	time_t keep = ig->cfg->ip_ttl;
	size_t i, n = 0;

	if (ig->cfg->f2b_log == NULL || ig->cfg->f2b_log[0] == '\0' ||
	    a->ips.n == 0)
		return;
	c = get(ig);
	make_room(c, CONFIRM_BUDGET, now, keep);
	/* -1 unknown, 0 no limit, 1 limit; per user of the batch. */
	lim = xcalloc(a->users.n + 1, sizeof(*lim));
	memset(lim, -1, a->users.n + 1);
	for (i = 0; i < a->ips.n && n < CONFIRM_BUDGET; i++) {
		e = &a->ips.ents[i];
		if (lim[e->user] < 0) {
			u = &a->users.ents[e->user];
			lim[e->user] =
			    (int8_t)(has_limit(ig, agg_str(a, u), u->len) == 1);
		}
		if (lim[e->user] != 1 || e->len >= sizeof(text[0]) ||
		    ip_key(agg_str(a, e), e->len, key) == -1)
			continue;
		ce = lookup(c, key);
		/* Confirmed in the first half of its window: enough. */
		if (ce->confirmed > 0 && now - ce->confirmed < keep / 2 &&
		    ce->confirmed <= now)
			continue;
		if (ce->checked > 0 && now - ce->checked < CONFIRM_RETRY &&
		    ce->checked <= now)
			continue;
		memcpy(text[n], agg_str(a, e), e->len);
		text[n][e->len] = '\0';
		ips[n] = text[n];
		ents[n++] = ce;
	}
	free(lim);
	ask(c, ents, ips, n, now);
}

void
ingest_confirm_list(
    struct ingest *ig, const char *const *ips, size_t n, int *ok, time_t now)
{
	struct ipconfirm *c = get(ig);
	struct cent *ce, *all[CONFIRM_BUDGET], *ents[CONFIRM_BUDGET];
	const char *left[CONFIRM_BUDGET];
	time_t keep = ig->cfg->ip_ttl;
	uint8_t key[16];
	size_t i, k, m, part;

	for (i = 0; i < n; i += part) {
		part = n - i < CONFIRM_BUDGET ? n - i : CONFIRM_BUDGET;
		make_room(c, part, now, keep);
		for (k = m = 0; k < part; k++) {
			ok[i + k] = 0;
			all[k] = NULL;
			if (ip_key(ips[i + k], strlen(ips[i + k]), key) == -1)
				continue;
			ce = all[k] = lookup(c, key);
			if (ce->confirmed > 0 && ce->confirmed <= now &&
			    now - ce->confirmed <= keep)
				ok[i + k] = 1;
			else {
				ents[m] = ce;
				left[m++] = ips[i + k];
			}
		}
		ask(c, ents, left, m, now);
		for (k = 0; k < part; k++)
			if (all[k] != NULL && !ok[i + k])
				ok[i + k] = all[k]->confirmed == now;
	}
}

void
ingest_confirm_free(struct ingest *ig)
{
	struct ipconfirm *c = ig->trust.confirm;

	if (c == NULL)
		return;
	sockdiag_close(c->sd);
	free(c->tab);
	free(c);
	ig->trust.confirm = NULL;
}
