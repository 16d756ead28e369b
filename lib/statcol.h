/*
 * The columns of the /api/v1/stats text tables: their config names, display
 * names, and which section (server = traffic_stats, client = clients_stats)
 * each belongs to.  Shared by the config loader and the stats endpoint.
 */
#ifndef V2S_STATCOL_H
#define V2S_STATCOL_H

enum statcol {
	/* client (clients_stats) */
	SC_USER,
	SC_UUID,
	SC_LAST_SEEN,
	SC_RATE,
	SC_UPLINK,
	SC_DOWNLINK,
	SC_SESS_UPLINK,
	SC_SESS_DOWNLINK,
	SC_ENABLED,
	SC_SUB_END,
	SC_RENEW,
	SC_LIM_IP,
	SC_IPS,
	SC_CREATED,
	SC_INBOUND_TAG, /* ours: the user's inbound */
	/* server (traffic_stats) only */
	SC_SOURCE,
	SC_DIRECTION, /* ours: "inbound" or "outbound" */
	SC__MAX
};

enum statcol_section { SCS_SERVER, SCS_CLIENT };

#define STATCOL_MAX_COLS 24

/* A configured table: the columns in order and the default sort. */
struct statcols {
	enum statcol cols[STATCOL_MAX_COLS];
	int ncols;
	enum statcol sort; /* column to sort by */
	int sort_desc; /* 1 = DESC */
};

/* Returns the column named NAME valid in SECTION, or -1. */
int statcol_lookup(enum statcol_section section, const char *name);
/* The config name ("sess_uplink") and display name ("Sess Up") of COL. */
const char *statcol_name(enum statcol col);
const char *statcol_title(enum statcol col);
/* 1 if COL is a traffic column: right-aligned and shown as bytes/rate. */
int statcol_is_traffic(enum statcol col);
/*
 * Fills OUT with the names allowed in SECTION, as "[a b c]" (the original's
 * error text for a bad sort_by).  Returns OUT.
 */
const char *statcol_list(
    enum statcol_section section, char *out, unsigned long outsz);

#endif
