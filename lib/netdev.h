/*
 * A network interface's counters, for the optional "Network" block of
 * /api/v1/stats (features.network): read by the API for totals and by the
 * worker for rates.
 */
#ifndef V2S_NETDEV_H
#define V2S_NETDEV_H

struct netdev {
	char name[64];
	long long rx_bytes, rx_packets, tx_bytes, tx_packets;
};

/*
 * Reads the counters of IFACE from /proc/net/dev into ND; an empty IFACE
 * means the interface of the IPv4 default route, else the first one that
 * is not lo.  Returns 0, or -1 if there is no such interface.
 */
int netdev_read(const char *iface, struct netdev *nd);

#endif
