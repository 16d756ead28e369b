/*
 * The kernel's word on a source address: netlink NETLINK_SOCK_DIAG
 * (inet_diag) asked whether an address is the remote end of a TCP
 * connection that this host accepted.  No other program is run.
 *
 * "Accepted" is what a forged log line cannot fake:
 *  - the socket's remote address is one asked about (an
 *    INET_DIAG_REQ_BYTECODE filter on the remote address, so the kernel
 *    returns only those sockets); IPv4 is looked for in AF_INET sockets
 *    and, as an IPv4-mapped address, in AF_INET6 ones (dual-stack
 *    listeners);
 *  - the handshake completed: ESTABLISHED, FIN_WAIT1/2, TIME_WAIT,
 *    CLOSE_WAIT, LAST_ACK or CLOSING.  SYN_RECV is left out (a SYN with a
 *    forged source creates one), and so is SYN_SENT;
 *  - the socket's local port is one that a TCP socket of this host
 *    listens on, any address, any program (the core, or an HAProxy or
 *    nginx in front of it).  A connection this host made itself (the
 *    core's outbound to a destination a customer chose) has an ephemeral
 *    local port, which the kernel never takes from a listener.
 * The answer is about the worker's network namespace.
 *
 * Each dump walks the kernel's whole table of connections (about a
 * millisecond on a large host, however few sockets match), so addresses
 * are best asked about together: one question is one dump per family.
 */
#ifndef V2S_SOCKDIAG_H
#define V2S_SOCKDIAG_H

struct sockdiag;

/*
 * Opens a NETLINK_SOCK_DIAG socket.  Returns a handle owned by the caller
 * (sockdiag_close), or NULL with errno set if the kernel refuses one.
 */
struct sockdiag *sockdiag_open(void);

/* The most addresses one sockdiag_tcp_peers() call takes. */
#define SOCKDIAG_MAX_ASK 1024

/*
 * Asks whether each of ADDRS[0..N) (IPv4 or IPv6 text, without brackets
 * or port; an IPv4-mapped IPv6 address counts as the IPv4 address) has a
 * TCP connection to this host, in the sense above, at this moment, in
 * one question: FOUND[I] is set to 1 or 0 (0 also for a text that is not
 * an address).  N is at most SOCKDIAG_MAX_ASK.  Returns 0, or -1 if the
 * kernel could not be asked (errno from the socket, EPROTO for a reply we
 * do not understand, EINVAL for N too large).  The listening ports are
 * dumped again when they are a second old, or when a connection's local
 * port is not among them.
 */
int sockdiag_tcp_peers(
    struct sockdiag *sd, const char *const *addrs, size_t n, int *found);

/*
 * The same for one address: 1 yes, 0 no, -1 if ADDR is not an address
 * (errno EINVAL) or the kernel could not be asked.
 */
int sockdiag_tcp_peer(struct sockdiag *sd, const char *addr);

/* Closes SD; NULL is allowed. */
void sockdiag_close(struct sockdiag *sd);

#endif
