/* Reading a network interface's counters from /proc/net/dev. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "netdev.h"

/* Writes the interface of the IPv4 default route into OUT; -1 if none. */
static int
default_route_iface(char *out, size_t outsz)
{
	char line[512], name[64], dest[16];
	FILE *f;
	int rc = -1;

	if ((f = fopen("/proc/net/route", "r")) == NULL)
		return -1;
	while (rc == -1 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %15s", name, dest) == 2 &&
		    strcmp(dest, "00000000") == 0 && strlen(name) < outsz) {
			memcpy(out, name, strlen(name) + 1);
			rc = 0;
		}
	fclose(f);
	return rc;
}

int
netdev_read(const char *iface, struct netdev *nd)
{
	char line[512], *colon, *name, dflt[64];
	long long v[16];
	FILE *f;
	int rc = -1;

	if (*iface == '\0' && default_route_iface(dflt, sizeof(dflt)) == 0)
		iface = dflt;
	if ((f = fopen("/proc/net/dev", "r")) == NULL)
		return -1;
	while (rc == -1 && fgets(line, sizeof(line), f) != NULL) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		for (name = line; *name == ' '; name++)
			;
		if (*iface != '\0' ? strcmp(name, iface) != 0
				   : strcmp(name, "lo") == 0)
			continue;
		if (sscanf(colon + 1,
			"%lld %lld %lld %lld %lld %lld %lld %lld "
			"%lld %lld %lld %lld %lld %lld %lld %lld",
			&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
			&v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14],
			&v[15]) != 16)
			continue;
		if (strlen(name) >= sizeof(nd->name))
			continue;
		memcpy(nd->name, name, strlen(name) + 1);
		nd->rx_bytes = v[0];
		nd->rx_packets = v[1];
		nd->tx_bytes = v[8];
		nd->tx_packets = v[9];
		rc = 0;
	}
	fclose(f);
	return rc;
}
