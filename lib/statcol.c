#include "config.h"

/*
 * The /api/v1/stats columns: one table indexed by enum statcol, and the
 * per-section lists in the order the original printed them in its error
 * message for a bad sort_by.
 */

#include <stdio.h>
#include <string.h>

#include "statcol.h"

static const struct {
	const char *name;
	const char *title;
	int traffic;
} statcols[SC__MAX] = {
	[SC_USER] = { "user", "User", 0 },
	[SC_UUID] = { "uuid", "ID", 0 },
	[SC_LAST_SEEN] = { "last_seen", "Last seen", 0 },
	[SC_RATE] = { "rate", "Rate", 1 },
	[SC_UPLINK] = { "uplink", "Uplink", 1 },
	[SC_DOWNLINK] = { "downlink", "Downlink", 1 },
	[SC_SESS_UPLINK] = { "sess_uplink", "Sess Up", 1 },
	[SC_SESS_DOWNLINK] = { "sess_downlink", "Sess Down", 1 },
	[SC_ENABLED] = { "enabled", "Enabled", 0 },
	[SC_SUB_END] = { "sub_end", "Sub end", 0 },
	[SC_RENEW] = { "renew", "Renew", 0 },
	[SC_LIM_IP] = { "lim_ip", "Lim", 0 },
	[SC_IPS] = { "ips", "Ips", 0 },
	[SC_CREATED] = { "created", "Created", 0 },
	[SC_INBOUND_TAG] = { "inbound_tag", "Inbound", 0 },
	[SC_SOURCE] = { "source", "Source", 0 },
	[SC_DIRECTION] = { "direction", "Direction", 0 },
};

/* The order of the original's "must be one of [...]" text. */
static const enum statcol client_cols[] = {
	SC_USER,
	SC_UUID,
	SC_LAST_SEEN,
	SC_RATE,
	SC_SESS_UPLINK,
	SC_SESS_DOWNLINK,
	SC_UPLINK,
	SC_DOWNLINK,
	SC_ENABLED,
	SC_SUB_END,
	SC_RENEW,
	SC_LIM_IP,
	SC_IPS,
	SC_CREATED,
	SC_INBOUND_TAG,
};

static const enum statcol server_cols[] = {
	SC_SOURCE,
	SC_DIRECTION,
	SC_RATE,
	SC_UPLINK,
	SC_DOWNLINK,
	SC_SESS_UPLINK,
	SC_SESS_DOWNLINK,
};

static const enum statcol *
section_cols(enum statcol_section section, size_t *n)
{
	if (section == SCS_SERVER) {
		*n = sizeof(server_cols) / sizeof(server_cols[0]);
		return server_cols;
	}
	*n = sizeof(client_cols) / sizeof(client_cols[0]);
	return client_cols;
}

int
statcol_lookup(enum statcol_section section, const char *name)
{
	const enum statcol *cols;
	size_t i, n;

	if (name == NULL)
		return -1;
	cols = section_cols(section, &n);
	for (i = 0; i < n; i++)
		if (strcmp(statcols[cols[i]].name, name) == 0)
			return (int)cols[i];
	return -1;
}

const char *
statcol_name(enum statcol col)
{
	if ((int)col < 0 || col >= SC__MAX)
		return "?";
	return statcols[col].name;
}

const char *
statcol_title(enum statcol col)
{
	if ((int)col < 0 || col >= SC__MAX)
		return "?";
	return statcols[col].title;
}

int
statcol_is_traffic(enum statcol col)
{
	if ((int)col < 0 || col >= SC__MAX)
		return 0;
	return statcols[col].traffic;
}

const char *
statcol_list(enum statcol_section section, char *out, unsigned long outsz)
{
	const enum statcol *cols;
	size_t i, n, len;
	int w;

	if (out == NULL || outsz == 0)
		return out;
	cols = section_cols(section, &n);
	out[0] = '\0';
	len = 0;
	for (i = 0; i <= n && len < outsz; i++) {
		if (i == n)
			w = snprintf(out + len, outsz - len, "]");
		else
			w = snprintf(out + len, outsz - len, "%s%s",
			    i == 0 ? "[" : " ", statcols[cols[i]].name);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return out;
}
