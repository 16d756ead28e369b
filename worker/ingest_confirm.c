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
#define CONFIRM_BUDGET 512 /* kernel questions per batch at most */

struct cent {
	uint8_t addr[16]; /* IPv4 as IPv4-mapped IPv6 */
	uint8_t used;
	time_t confirmed; /* last time the kernel said yes; 0 never */
	time_t checked; /* last time it was asked */
};

struct ipconfirm {
	struct sockdiag *sd; /* NULL: not opened yet, or failed */
	int failed; /* the kernel cannot be asked (logged once) */
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
 * The entry of A, added if missing.  When the table is 3/4 full, the
 * entries older than KEEP seconds are dropped (all of them if that is
 * not enough: the IPs are asked about again).
 */
static struct cent *
lookup(struct ipconfirm *c, const uint8_t a[16], time_t now, time_t keep)
{
	struct cent *old;
	size_t i, k;

	if (c->n >= CONFIRM_SLOTS / 4 * 3) {
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

/* Asks the kernel about E's address (IP, text); updates E. */
static void
ask(struct ipconfirm *c, struct cent *e, const char *ip, time_t now)
{
	int rc;

	if (c->failed)
		return;
	if (c->sd == NULL && (c->sd = sockdiag_open()) == NULL) {
		c->failed = 1;
		log_warn("access log: cannot ask the kernel about TCP "
			 "connections (netlink sock_diag); no IP will be "
			 "written to the ban log");
		return;
	}
	rc = sockdiag_tcp_peer(c->sd, ip);
	if (rc == -1) {
		log_warn("access log: sock_diag about %s", ip);
		return;
	}
	e->checked = now;
	if (rc == 1)
		e->confirmed = now;
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
	struct cent *ce;
	uint8_t key[16];
	int8_t *lim = NULL;
	char ip[64];
	time_t keep = ig->cfg->ip_ttl;
	size_t i;
	int budget = CONFIRM_BUDGET;

	if (ig->cfg->f2b_log == NULL || ig->cfg->f2b_log[0] == '\0' ||
	    a->ips.n == 0)
		return;
	c = get(ig);
	/* -1 unknown, 0 no limit, 1 limit; per user of the batch. */
	lim = xcalloc(a->users.n + 1, sizeof(*lim));
	memset(lim, -1, a->users.n + 1);
	for (i = 0; i < a->ips.n && budget > 0 && !c->failed; i++) {
		e = &a->ips.ents[i];
		if (lim[e->user] < 0) {
			u = &a->users.ents[e->user];
			lim[e->user] =
			    (int8_t)(has_limit(ig, agg_str(a, u), u->len) == 1);
		}
		if (lim[e->user] != 1 || e->len >= sizeof(ip) ||
		    ip_key(agg_str(a, e), e->len, key) == -1)
			continue;
		ce = lookup(c, key, now, keep);
		/* Confirmed in the first half of its window: enough. */
		if (ce->confirmed > 0 && now - ce->confirmed < keep / 2 &&
		    ce->confirmed <= now)
			continue;
		if (ce->checked > 0 && now - ce->checked < CONFIRM_RETRY &&
		    ce->checked <= now)
			continue;
		memcpy(ip, agg_str(a, e), e->len);
		ip[e->len] = '\0';
		ask(c, ce, ip, now);
		budget--;
	}
	free(lim);
}

int
ingest_confirmed(struct ingest *ig, const char *ip, time_t now)
{
	struct ipconfirm *c = get(ig);
	struct cent *ce;
	uint8_t key[16];

	if (ip_key(ip, strlen(ip), key) == -1)
		return 0;
	ce = lookup(c, key, now, ig->cfg->ip_ttl);
	if (ce->confirmed > 0 && ce->confirmed <= now &&
	    now - ce->confirmed <= ig->cfg->ip_ttl)
		return 1;
	ask(c, ce, ip, now);
	return ce->confirmed == now;
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
