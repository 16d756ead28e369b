/*
 * netlink sock_diag (see sockdiag.h): one dump of the listening TCP
 * sockets (their ports, in a bitmap), and per question one or two dumps
 * of the sockets whose remote address is the one asked about, filtered by
 * the kernel with an INET_DIAG_REQ_BYTECODE program of one D_COND.
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

struct sockdiag {
	int fd;
	uint32_t seq;
	int64_t listen_at; /* mono ms of the last listener dump; -1 none */
	uint8_t listening[65536 / 8]; /* bit P: a TCP socket listens on P */
	char *rbuf; /* SD_RCVBUF bytes */
};

/* What a dump does with each socket it returns. */
struct scan {
	struct sockdiag *sd;
	int listeners; /* 1: record the ports (a listener dump) */
	int found; /* a connected socket on a listening port */
	int missed; /* a connected socket on a port not known to listen */
};

static int
port_listens(const struct sockdiag *sd, unsigned int port)
{
	return (sd->listening[port >> 3] >> (port & 7)) & 1;
}

static void
on_sock(struct scan *sc, const struct inet_diag_msg *m)
{
	unsigned int port = ntohs(m->id.idiag_sport);

	if (sc->listeners) {
		sc->sd->listening[port >> 3] |= (uint8_t)(1u << (port & 7));
		return;
	}
	if (((1u << m->idiag_state) & SD_CONNECTED) == 0)
		return;
	if (port_listens(sc->sd, port))
		sc->found = 1;
	else
		sc->missed = 1;
}

/*
 * Sends one dump request for FAMILY's TCP sockets in STATES, with the
 * bytecode BC (BCLEN bytes, 0 for none), and feeds every socket of the
 * reply to SC.  0, or -1 with errno.
 */
static int
dump(struct sockdiag *sd, int family, uint32_t states, const void *bc,
    size_t bclen, struct scan *sc)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
		struct rtattr rta;
		uint8_t bc[64];
	} msg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	const struct nlmsghdr *h;
	const struct nlmsgerr *e;
	size_t len;
	ssize_t n;
	uint32_t seq = ++sd->seq;
	int done = 0;

	if (bclen > sizeof(msg.bc)) {
		errno = EINVAL;
		return -1;
	}
	memset(&msg, 0, sizeof(msg));
	len = NLMSG_LENGTH(sizeof(msg.req));
	msg.req.sdiag_family = (uint8_t)family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = states;
	if (bclen > 0) {
		msg.rta.rta_type = INET_DIAG_REQ_BYTECODE;
		msg.rta.rta_len = (unsigned short)RTA_LENGTH(bclen);
		memcpy(msg.bc, bc, bclen);
		len = NLMSG_ALIGN(len) + RTA_ALIGN(msg.rta.rta_len);
	}
	msg.nlh.nlmsg_len = (uint32_t)len;
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = seq;
	for (;;) {
		n = sendto(sd->fd, &msg, len, 0, (struct sockaddr *)&kernel,
		    sizeof(kernel));
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	/* Read the whole reply, even after an answer: the socket must be
	 * clean for the next question. */
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
	if (dump(sd, AF_INET, 1u << ST_LISTEN, NULL, 0, &sc) == -1 ||
	    dump(sd, AF_INET6, 1u << ST_LISTEN, NULL, 0, &sc) == -1)
		return -1;
	sd->listen_at = mono_ms();
	return 0;
}

/*
 * The bytecode "remote address is ADDR" (FAMILY's ALEN bytes) into OUT;
 * returns its length.  One D_COND: on a match the program jumps to its
 * end (accept), else 4 bytes past it (reject).
 */
static size_t
bc_remote(uint8_t *out, int family, const void *addr, size_t alen)
{
	struct inet_diag_bc_op op;
	struct {
		uint8_t family;
		uint8_t prefix_len;
		int port;
	} cond;
	size_t len = sizeof(op) + sizeof(cond) + alen;

	_Static_assert(sizeof(cond) == sizeof(struct inet_diag_hostcond),
	    "the layout of struct inet_diag_hostcond");
	op.code = INET_DIAG_BC_D_COND;
	op.yes = (unsigned char)len;
	op.no = (unsigned short)(len + 4);
	cond.family = (uint8_t)family;
	cond.prefix_len = (uint8_t)(alen * 8);
	cond.port = -1;
	memcpy(out, &op, sizeof(op));
	memcpy(out + sizeof(op), &cond, sizeof(cond));
	memcpy(out + sizeof(op) + sizeof(cond), addr, alen);
	return len;
}

/* One pass of sockdiag_tcp_peer() over both families' sockets. */
static int
ask(struct sockdiag *sd, int family, const uint8_t *a, struct scan *sc)
{
	uint8_t bc[64];
	size_t bclen;

	sc->found = sc->missed = 0;
	bclen = bc_remote(bc, family, a, family == AF_INET ? 4 : 16);
	if (dump(sd, AF_INET6, SD_CONNECTED, bc, bclen, sc) == -1)
		return -1;
	if (family == AF_INET &&
	    dump(sd, AF_INET, SD_CONNECTED, bc, bclen, sc) == -1)
		return -1;
	return 0;
}

int
sockdiag_tcp_peer(struct sockdiag *sd, const char *addr)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };
	struct scan sc = { .sd = sd };
	uint8_t a[16];
	int family, fresh = 0;

	if (inet_pton(AF_INET, addr, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, a) == 1) {
		family = AF_INET6;
		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			memmove(a, a + 12, 4);
			family = AF_INET;
		}
	} else {
		errno = EINVAL;
		return -1;
	}
	if (sd->listen_at < 0 || mono_ms() - sd->listen_at >= SD_LISTEN_AGE) {
		if (load_listeners(sd) == -1)
			return -1;
		fresh = 1;
	}
	if (ask(sd, family, a, &sc) == -1)
		return -1;
	/* A listener may have appeared since the last dump. */
	if (!sc.found && sc.missed && !fresh) {
		if (load_listeners(sd) == -1 || ask(sd, family, a, &sc) == -1)
			return -1;
	}
	return sc.found;
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
	return sd;
}

void
sockdiag_close(struct sockdiag *sd)
{
	if (sd == NULL)
		return;
	close(sd->fd);
	free(sd->rbuf);
	free(sd);
}
