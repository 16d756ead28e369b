/*
 * Unit tests for worker/sockdiag.c against real sockets on loopback: a
 * TCP connection's client address is found (IPv4, IPv6 ::1, IPv4 through
 * a dual-stack IPv6 listener, and after the connection closed while the
 * server side is in TIME_WAIT); an address with no connection is not; the
 * far end of a connection this host made (its destination) is not; a
 * socket in SYN_RECV (the handshake not completed) does not count; a
 * listener opened a moment ago is seen.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockdiag.h"
#include "tap.h"

/* accept(2), but never blocking the test: -1 if nothing is queued. */
static int
accept_to(int l, struct sockaddr *sa, socklen_t *sl)
{
	struct timeval tv = { 2, 0 };

	setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return accept(l, sa, sl);
}

/* A listener on ADDR (IPv4 or IPv6 text), any port; fd or -1. */
static int
listener(const char *addr, int v6only, unsigned short *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		sl = sizeof(*s6);
	} else
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(
		    fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 || listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return fd;
}

/* A client bound to FROM connected to TO:PORT; fd or -1. */
static int
client(const char *from, const char *to, unsigned short port)
{
	struct sockaddr_storage src, dst;
	struct sockaddr_in *d4 = (struct sockaddr_in *)&dst;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&dst;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&src;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&src;
	socklen_t sl;
	int fd;

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	if (inet_pton(AF_INET, to, &d4->sin_addr) == 1) {
		d4->sin_family = s4->sin_family = AF_INET;
		d4->sin_port = htons(port);
		if (inet_pton(AF_INET, from, &s4->sin_addr) != 1)
			return -1;
		sl = sizeof(*d4);
	} else if (inet_pton(AF_INET6, to, &d6->sin6_addr) == 1) {
		d6->sin6_family = s6->sin6_family = AF_INET6;
		d6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, from, &s6->sin6_addr) != 1)
			return -1;
		sl = sizeof(*d6);
	} else
		return -1;
	if ((fd = socket(dst.ss_family, SOCK_STREAM, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, sl) == -1 ||
	    connect(fd, (struct sockaddr *)&dst, sl) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
main(void)
{
	struct sockdiag *sd;
	unsigned short p4, p6, pd;
	int l4, l6, ld, c, s, c2, s2, c3, s3, rc, i, one;

	if ((sd = sockdiag_open()) == NULL) {
		printf(
		    "1..0 # SKIP no NETLINK_SOCK_DIAG: %s\n", strerror(errno));
		return 0;
	}
	l4 = listener("127.0.0.1", 0, &p4);
	ok(l4 != -1, "an IPv4 listener on 127.0.0.1");

	/* Before any connection: nothing from 127.0.0.5. */
	is_int(sockdiag_tcp_peer(sd, "127.0.0.5"), 0,
	    "127.0.0.5: no connection yet");

	c = client("127.0.0.5", "127.0.0.1", p4);
	s = accept_to(l4, NULL, NULL);
	ok(c != -1 && s != -1, "a connection from 127.0.0.5");
	is_int(sockdiag_tcp_peer(sd, "127.0.0.5"), 1,
	    "127.0.0.5 is found (its connection to the listening port)");
	is_int(sockdiag_tcp_peer(sd, "::ffff:127.0.0.5"), 1,
	    "the same address written IPv4-mapped");
	is_int(sockdiag_tcp_peer(sd, "127.0.0.6"), 0,
	    "127.0.0.6, an unused address: not found");
	/* The client side's remote address is 127.0.0.1, with an
	 * ephemeral local port: this host's own connection out. */
	ld = listener("127.0.0.7", 0, &pd);
	c2 = client("127.0.0.1", "127.0.0.7", pd);
	s2 = c2 != -1 ? accept_to(ld, NULL, NULL) : -1;
	ok(c2 != -1 && s2 != -1, "a connection from 127.0.0.1 to 127.0.0.7");
	is_int(sockdiag_tcp_peer(sd, "127.0.0.7"), 0,
	    "127.0.0.7, only the destination of a connection made here: not "
	    "found");
	is_int(sockdiag_tcp_peer(sd, "127.0.0.1"), 1,
	    "127.0.0.1, its source: found");
	close(c2);
	close(s2);
	close(ld);

	/* The server closes first: its socket stays in TIME_WAIT. */
	close(s);
	usleep(50000);
	close(c);
	usleep(50000);
	is_int(sockdiag_tcp_peer(sd, "127.0.0.5"), 1,
	    "127.0.0.5 after the connection closed: still found "
	    "(TIME_WAIT on the server side)");

	/* IPv6 loopback. */
	l6 = listener("::1", 1, &p6);
	if (l6 == -1) {
		tap_diag("no IPv6 loopback: %s", strerror(errno));
		ok(1, "# SKIP IPv6");
	} else {
		is_int(sockdiag_tcp_peer(sd, "::1"), 0, "::1: no connection");
		c = client("::1", "::1", p6);
		s = accept_to(l6, NULL, NULL);
		ok(c != -1 && s != -1, "an IPv6 connection from ::1");
		is_int(sockdiag_tcp_peer(sd, "::1"), 1, "::1 is found");
		is_int(sockdiag_tcp_peer(sd, "::2"), 0, "::2 is not");
		close(c);
		close(s);
		close(l6);
	}

	/* IPv4 client of a dual-stack IPv6 listener (::ffff:127.0.0.8). */
	ld = listener("::", 0, &pd);
	if (ld == -1)
		ok(1, "# SKIP no dual-stack listener: %s", strerror(errno));
	else {
		c = client("127.0.0.8", "127.0.0.1", pd);
		s = accept_to(ld, NULL, NULL);
		ok(c != -1 && s != -1,
		    "a connection from 127.0.0.8 to a dual-stack listener");
		is_int(sockdiag_tcp_peer(sd, "127.0.0.8"), 1,
		    "127.0.0.8 is found in an AF_INET6 socket");
		close(c);
		close(s);
		close(ld);
	}

	/* A connection in the accept queue counts: the handshake completed. */
	c3 = client("127.0.0.9", "127.0.0.1", p4);
	ok(c3 != -1, "a connection from 127.0.0.9 not accepted yet");
	is_int(sockdiag_tcp_peer(sd, "127.0.0.9"), 1,
	    "127.0.0.9 is found while in the accept queue");
	s3 = accept_to(l4, NULL, NULL);
	close(s3);
	close(c3);

	/* SYN_RECV does not: with TCP_DEFER_ACCEPT the server drops the
	 * client's last ACK (no data) and keeps the request in SYN_RECV, the
	 * state a SYN with a forged source address leaves behind. */
	ld = listener("127.0.0.1", 0, &pd);
	one = 30;
	setsockopt(ld, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof(one));
	c3 = client("127.0.0.11", "127.0.0.1", pd);
	ok(c3 != -1, "a connection from 127.0.0.11 that sends nothing");
	usleep(50000);
	is_int(sockdiag_tcp_peer(sd, "127.0.0.11"), 0,
	    "127.0.0.11 in SYN_RECV on the server side: not found");
	close(c3);
	close(ld);

	/* A new listener is seen at once, not a second later. */
	ld = listener("127.0.0.1", 0, &pd);
	c = client("127.0.0.10", "127.0.0.1", pd);
	s = accept_to(ld, NULL, NULL);
	is_int(sockdiag_tcp_peer(sd, "127.0.0.10"), 1,
	    "a connection to a listener opened a moment ago is found");
	close(c);
	close(s);
	close(ld);

	/* Many addresses in one question. */
	l6 = listener("::1", 1, &p6);
	c = client("127.0.0.21", "127.0.0.1", p4);
	s = accept_to(l4, NULL, NULL);
	c2 = client("127.0.0.22", "127.0.0.1", p4);
	s2 = accept_to(l4, NULL, NULL);
	c3 = l6 != -1 ? client("::1", "::1", p6) : -1;
	s3 = c3 != -1 ? accept_to(l6, NULL, NULL) : -1;
	ok(c != -1 && s != -1 && c2 != -1 && s2 != -1,
	    "connections from 127.0.0.21 and 127.0.0.22");
	{
		const char *many[] = { "127.0.0.21", "127.0.0.23", "::1",
			"nope", "127.0.0.22", "::ffff:127.0.0.21", "::2" };
		char want[8], got[8];
		int found[7];
		size_t k;

		snprintf(want, sizeof(want), "10%d0110", s3 != -1);
		rc = sockdiag_tcp_peers(sd, many, 7, found);
		for (k = 0; k < 7; k++)
			got[k] = (char)('0' + found[k]);
		got[7] = '\0';
		is_int(rc, 0, "one question about seven addresses");
		is_str(got, want,
		    "each answered (IPv4, IPv6, a repeat, not an address)");
	}
	{
		static char bufs[SOCKDIAG_MAX_ASK][32];
		const char *many[SOCKDIAG_MAX_ASK + 1];
		static int found[SOCKDIAG_MAX_ASK + 1];
		size_t k, hits = 0;

		for (k = 0; k < SOCKDIAG_MAX_ASK; k++) {
			snprintf(bufs[k], sizeof(bufs[k]), "10.%zu.%zu.%zu",
			    k >> 16, (k >> 8) & 255, k & 255);
			many[k] = bufs[k];
		}
		many[SOCKDIAG_MAX_ASK / 2] = "127.0.0.22";
		rc = sockdiag_tcp_peers(sd, many, SOCKDIAG_MAX_ASK, found);
		for (k = 0; k < SOCKDIAG_MAX_ASK; k++)
			hits += (size_t)found[k];
		ok(rc == 0 && hits == 1 && found[SOCKDIAG_MAX_ASK / 2] == 1,
		    "%d addresses in one question: the one connected found",
		    SOCKDIAG_MAX_ASK);
		many[SOCKDIAG_MAX_ASK] = "127.0.0.22";
		is_int(
		    sockdiag_tcp_peers(sd, many, SOCKDIAG_MAX_ASK + 1, found),
		    -1, "one more is refused");
	}
	close(c);
	close(s);
	close(c2);
	close(s2);
	if (c3 != -1)
		close(c3);
	if (s3 != -1)
		close(s3);
	if (l6 != -1)
		close(l6);

	is_int(sockdiag_tcp_peer(sd, "not-an-ip"), -1, "a name: -1");
	is_int(errno, EINVAL, "errno EINVAL");
	rc = 0;
	for (i = 0; i < 2000 && rc == 0; i++)
		rc = sockdiag_tcp_peer(sd, "127.0.0.6");
	is_int(rc, 0, "2000 questions in a row on one socket");
	close(l4);
	sockdiag_close(sd);
	return tap_done();
}
