/*
 * netlink sock_diag (see sockdiag.h): one dump of the listening TCP
 * sockets (their ports, in a bitmap), and per question one dump per
 * family of the sockets whose remote address is one of those asked
 * about, filtered by the kernel with an INET_DIAG_REQ_BYTECODE program:
 * for each address a D_COND that, on a match, jumps to a JMP to the end
 * (accept) and else to the next address; past the last, reject.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "clock.h"
#include "sockdiag.h"
#include "xmalloc.h"

#define SD_RCVBUF 65536 /* one recv(2) of a dump */
#define SD_LISTEN_AGE 1000 /* ms before the listening ports are dumped again */
#define SD_OP 4 /* struct inet_diag_bc_op */
#define SD_COND 8 /* struct inet_diag_hostcond, without the address */
#define SD_BC_MAX (SOCKDIAG_MAX_ASK * (SD_OP + SD_COND + 16 + SD_OP))

/* The kernel's TCP states (include/net/tcp_states.h). */
enum {
	ST_ESTABLISHED = 1,
	ST_SYN_SENT,
	ST_SYN_RECV,
	ST_FIN_WAIT1,
	ST_FIN_WAIT2,
	ST_TIME_WAIT,
	ST_CLOSE,
	ST_CLOSE_WAIT,
	ST_LAST_ACK,
	ST_LISTEN,
	ST_CLOSING
};

/* A completed handshake (see sockdiag.h). */
#define SD_CONNECTED \
	((1u << ST_ESTABLISHED) | (1u << ST_FIN_WAIT1) | \
	    (1u << ST_FIN_WAIT2) | (1u << ST_TIME_WAIT) | \
	    (1u << ST_CLOSE_WAIT) | (1u << ST_LAST_ACK) | (1u << ST_CLOSING))

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	0xff };

struct sockdiag {
	int fd;
	uint32_t seq;
	int64_t listen_at; /* mono ms of the last listener dump; -1 none */
	uint8_t listening[65536 / 8]; /* bit P: a TCP socket listens on P */
	char *rbuf; /* SD_RCVBUF bytes */
	uint8_t *req; /* the request: headers and up to SD_BC_MAX bytecode */
};

/* One address asked about: 16 bytes (IPv4 mapped), and where it came. */
struct want {
	uint8_t a[16];
	size_t idx;
};

/* What a dump does with each socket it returns. */
struct scan {
	struct sockdiag *sd;
	int listeners; /* 1: record the ports (a listener dump) */
	const struct want *w; /* sorted by address */
	size_t nw;
	int *found; /* by the callers' index */
	int missed; /* a connected socket on a port not known to listen */
};

static int
cmp_want(const void *pa, const void *pb)
{
	return memcmp(
	    ((const struct want *)pa)->a, ((const struct want *)pb)->a, 16);
}

static int
port_listens(const struct sockdiag *sd, unsigned int port)
{
	return (sd->listening[port >> 3] >> (port & 7)) & 1;
}

static void
on_sock(struct scan *sc, const struct inet_diag_msg *m)
{
	unsigned int port = ntohs(m->id.idiag_sport);
	struct want key, *w;

	if (sc->listeners) {
		sc->sd->listening[port >> 3] |= (uint8_t)(1u << (port & 7));
		return;
	}
	if (((1u << m->idiag_state) & SD_CONNECTED) == 0)
		return;
	if (m->idiag_family == AF_INET) {
		memcpy(key.a, v4mapped, 12);
		memcpy(key.a + 12, m->id.idiag_dst, 4);
	} else
		memcpy(key.a, m->id.idiag_dst, 16);
	w = bsearch(&key, sc->w, sc->nw, sizeof(*w), cmp_want);
	if (w == NULL)
		return;
	/* Equal addresses sit together: mark them all. */
	while (w > sc->w && memcmp(w[-1].a, key.a, 16) == 0)
		w--;
	if (!port_listens(sc->sd, port)) {
		sc->missed = 1;
		return;
	}
	for (; w < sc->w + sc->nw && memcmp(w->a, key.a, 16) == 0; w++)
		sc->found[w->idx] = 1;
}

/*
 * Sends one dump request for FAMILY's TCP sockets in STATES, with the
 * bytecode BCLEN bytes already at its place in sd->req (0 for none), and
 * feeds every socket of the reply to SC.  0, or -1 with errno.
 */
static int
dump(struct sockdiag *sd, int family, uint32_t states, size_t bclen,
    struct scan *sc)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)sd->req;
	struct inet_diag_req_v2 *req = NLMSG_DATA(nlh);
	struct rtattr *rta;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	const struct nlmsghdr *h;
	const struct nlmsgerr *e;
	size_t len;
	ssize_t n;
	uint32_t seq = ++sd->seq;
	int done = 0;

	len = NLMSG_LENGTH(sizeof(*req));
	memset(nlh, 0, len);
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = states;
	if (bclen > 0) {
		rta = (struct rtattr *)(sd->req + NLMSG_ALIGN(len));
		rta->rta_type = INET_DIAG_REQ_BYTECODE;
		rta->rta_len = (unsigned short)RTA_LENGTH(bclen);
		len = NLMSG_ALIGN(len) + RTA_ALIGN(rta->rta_len);
	}
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	for (;;) {
		n = sendto(sd->fd, sd->req, len, 0, (struct sockaddr *)&kernel,
		    sizeof(kernel));
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	/* Read the whole reply: the socket must be clean for the next
	 * question. */
	while (!done) {
		n = recv(sd->fd, sd->rbuf, SD_RCVBUF, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPROTO;
			return -1;
		}
		len = (size_t)n;
		for (h = (const struct nlmsghdr *)sd->rbuf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue; /* a late reply to an older question */
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(h);
				errno =
				    h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) &&
					e->error < 0
				    ? -e->error
				    : EPROTO;
				return -1;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
			    h->nlmsg_len >=
				NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				on_sock(sc, NLMSG_DATA(h));
		}
	}
	return 0;
}

/* Dumps the listening TCP sockets of both families into the bitmap. */
static int
load_listeners(struct sockdiag *sd)
{
	struct scan sc = { .sd = sd, .listeners = 1 };

	memset(sd->listening, 0, sizeof(sd->listening));
	sd->listen_at = -1;
	if (dump(sd, AF_INET, 1u << ST_LISTEN, 0, &sc) == -1 ||
	    dump(sd, AF_INET6, 1u << ST_LISTEN, 0, &sc) == -1)
		return -1;
	sd->listen_at = mono_ms();
	return 0;
}

/* Appends one bytecode op at P; returns the byte after it. */
static uint8_t *
put_op(uint8_t *p, unsigned code, unsigned yes, unsigned no)
{
	struct inet_diag_bc_op op;

	op.code = (unsigned char)code;
	op.yes = (unsigned char)yes;
	op.no = (unsigned short)no;
	memcpy(p, &op, sizeof(op));
	return p + sizeof(op);
}

/*
 * The bytecode "the remote address is one of W[0..N)" at OUT; returns
 * its length.  Per address: D_COND (yes: the JMP after it; no: the next
 * address), then JMP (to the end: accept).  The last D_COND's "no" goes
 * 4 bytes past the end: reject.
 */
static size_t
bc_remote(uint8_t *out, const struct want *w, size_t n)
{
	struct {
		uint8_t family;
		uint8_t prefix_len;
		int port;
	} cond;
	uint8_t *p = out;
	size_t total = 0, i, alen, cl, left;

	_Static_assert(sizeof(struct inet_diag_bc_op) == SD_OP &&
		sizeof(cond) == SD_COND &&
		sizeof(cond) == sizeof(struct inet_diag_hostcond),
	    "the layout of the inet_diag bytecode");
	for (i = 0; i < n; i++)
		total += SD_OP + SD_COND + SD_OP +
		    (memcmp(w[i].a, v4mapped, 12) == 0 ? 4 : 16);
	for (i = 0; i < n; i++) {
		alen = memcmp(w[i].a, v4mapped, 12) == 0 ? 4 : 16;
		cl = SD_OP + SD_COND + alen;
		left = total - (size_t)(p - out);
		p = put_op(p, INET_DIAG_BC_D_COND, cl,
		    i + 1 < n ? cl + SD_OP : cl + SD_OP + 4);
		cond.family = alen == 4 ? AF_INET : AF_INET6;
		cond.prefix_len = (uint8_t)(alen * 8);
		cond.port = -1;
		memcpy(p, &cond, sizeof(cond));
		memcpy(
		    p + sizeof(cond), alen == 4 ? w[i].a + 12 : w[i].a, alen);
		p += sizeof(cond) + alen;
		p = put_op(p, INET_DIAG_BC_JMP, SD_OP, left - cl);
	}
	return total;
}

/* One pass of sockdiag_tcp_peers() over both families' sockets. */
static int
ask(struct sockdiag *sd, size_t bclen, struct scan *sc, size_t n)
{
	memset(sc->found, 0, n * sizeof(*sc->found));
	sc->missed = 0;
	if (dump(sd, AF_INET6, SD_CONNECTED, bclen, sc) == -1 ||
	    dump(sd, AF_INET, SD_CONNECTED, bclen, sc) == -1)
		return -1;
	return 0;
}

/* ADDR as 16 bytes (IPv4 mapped); 0, or -1 if it is not an address. */
static int
parse_addr(const char *addr, uint8_t out[16])
{
	if (inet_pton(AF_INET6, addr, out) == 1)
		return 0;
	memcpy(out, v4mapped, 12);
	return inet_pton(AF_INET, addr, out + 12) == 1 ? 0 : -1;
}

int
sockdiag_tcp_peers(
    struct sockdiag *sd, const char *const *addrs, size_t n, int *found)
{
	struct scan sc = { .sd = sd, .found = found };
	struct want *w;
	size_t i, nw = 0, bclen, off;
	int fresh = 0, rc = -1;

	if (n > SOCKDIAG_MAX_ASK) {
		errno = EINVAL;
		return -1;
	}
	memset(found, 0, n * sizeof(*found));
	w = xcalloc(n + 1, sizeof(*w));
	for (i = 0; i < n; i++)
		if (parse_addr(addrs[i], w[nw].a) == 0)
			w[nw++].idx = i;
	if (nw == 0) {
		rc = 0;
		goto out;
	}
	qsort(w, nw, sizeof(*w), cmp_want);
	sc.w = w;
	sc.nw = nw;
	off = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct inet_diag_req_v2))) +
	    RTA_LENGTH(0);
	bclen = bc_remote(sd->req + off, w, nw);
	if (sd->listen_at < 0 || mono_ms() - sd->listen_at >= SD_LISTEN_AGE) {
		if (load_listeners(sd) == -1)
			goto out;
		fresh = 1;
	}
	if (ask(sd, bclen, &sc, n) == -1)
		goto out;
	/* A listener may have appeared since the last dump. */
	if (sc.missed && !fresh &&
	    (load_listeners(sd) == -1 || ask(sd, bclen, &sc, n) == -1))
		goto out;
	rc = 0;
out:
	free(w);
	return rc;
}

int
sockdiag_tcp_peer(struct sockdiag *sd, const char *addr)
{
	uint8_t a[16];
	int found;

	if (parse_addr(addr, a) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (sockdiag_tcp_peers(sd, &addr, 1, &found) == -1)
		return -1;
	return found;
}

struct sockdiag *
sockdiag_open(void)
{
	struct sockdiag *sd;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd == -1)
		return NULL;
	sd = xcalloc(1, sizeof(*sd));
	sd->fd = fd;
	sd->listen_at = -1;
	sd->rbuf = xmalloc(SD_RCVBUF);
	sd->req = xcalloc(1,
	    NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct inet_diag_req_v2))) +
		RTA_LENGTH(SD_BC_MAX) + 4);
	return sd;
}

void
sockdiag_close(struct sockdiag *sd)
{
	if (sd == NULL)
		return;
	close(sd->fd);
	free(sd->rbuf);
	free(sd->req);
	free(sd);
}
