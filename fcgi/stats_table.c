/*
 * The plain-text tables of /api/v1/stats and /api/v1/stats/base: a table
 * of users (lib/users.h) or of inbounds and outbounds (traffic_stats), in
 * the columns and order asked for, and the optional blocks above them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fcgi.h"
#include "fmt.h"
#include "statcol.h"
#include "users.h"

/* The server table's columns, sorted by the column named ?1 (then by
 * source and direction). */
#define SERVER_SORTED(dir) \
	"SELECT source, direction, rate, uplink, downlink, sess_uplink, " \
	"sess_downlink FROM traffic_stats ORDER BY CASE ?1 " \
	"WHEN 'source' THEN source WHEN 'direction' THEN direction " \
	"WHEN 'rate' THEN rate WHEN 'uplink' THEN uplink " \
	"WHEN 'downlink' THEN downlink WHEN 'sess_uplink' THEN sess_uplink " \
	"WHEN 'sess_downlink' THEN sess_downlink END " dir \
	", source, direction"

/* Position of a column in the server query. */
static int
server_index(enum statcol c)
{
	switch (c) {
	case SC_SOURCE:
		return 0;
	case SC_DIRECTION:
		return 1;
	case SC_RATE:
		return 2;
	case SC_UPLINK:
		return 3;
	case SC_DOWNLINK:
		return 4;
	case SC_SESS_UPLINK:
		return 5;
	case SC_SESS_DOWNLINK:
		return 6;
	default:
		return -1;
	}
}

/* Formats one cell: traffic columns as bytes or bit rates. */
static void
format_cell(sqlite3_stmt *st, int idx, enum statcol c, char *out, size_t outsz)
{
	if (c == SC_RATE)
		fmt_rate(sqlite3_column_int64(st, idx), out, outsz);
	else if (statcol_is_traffic(c))
		fmt_bytes(sqlite3_column_int64(st, idx), out, outsz);
	else
		snprintf(out, outsz, "%s", db_text(st, idx));
}

int
stats_render_table(struct req *req, enum statcol_section section,
    const struct statcols *cols, enum statcol sort, int desc, struct buf *out)
{
	const char *titles[STATCOL_MAX_COLS], *cells[STATCOL_MAX_COLS];
	char vals[STATCOL_MAX_COLS][288];
	int right[STATCOL_MAX_COLS];
	struct table t;
	sqlite3_stmt *st;
	int i, idx, rc;

	if (section == SCS_CLIENT)
		st = users_sorted(&req->app->db, sort, desc);
	else if (desc)
		st = db_query(&req->app->db, SERVER_SORTED("DESC"),
		    dbv_text(statcol_name(sort)));
	else
		st = db_query(&req->app->db, SERVER_SORTED("ASC"),
		    dbv_text(statcol_name(sort)));
	for (i = 0; i < cols->ncols; i++) {
		titles[i] = statcol_title(cols->cols[i]);
		right[i] = statcol_is_traffic(cols->cols[i]);
		cells[i] = vals[i];
	}
	table_init(&t, (size_t)cols->ncols, titles, right);
	while ((rc = db_next(&req->app->db, st)) == 1) {
		for (i = 0; i < cols->ncols; i++) {
			idx = section == SCS_CLIENT
			    ? (int)cols->cols[i]
			    : server_index(cols->cols[i]);
			if (idx < 0)
				vals[i][0] = '\0';
			else
				format_cell(st, idx, cols->cols[i], vals[i],
				    sizeof(vals[i]));
		}
		table_add_row(&t, cells);
	}
	if (rc == 0)
		table_render(&t, out);
	table_free(&t);
	return rc < 0 ? rc : DB_OK;
}

int
stats_sort_params(struct req *req, enum statcol *sort, int *desc)
{
	const char *by, *order;
	char list[512], q[200];
	int c;

	by = form_get(&req->params, "sort_by");
	order = form_get(&req->params, "sort_order");
	if (by != NULL && *by != '\0') {
		if ((c = statcol_lookup(SCS_CLIENT, by)) < 0)
			return reply_text(req, 400,
			    "Invalid sort_by parameter: %s, must be one of %s",
			    req_quote(by, q, sizeof(q)),
			    statcol_list(SCS_CLIENT, list, sizeof(list)));
		*sort = (enum statcol)c;
		*desc = 0;
	}
	if (order != NULL && *order != '\0') {
		if (strcmp(order, "ASC") == 0)
			*desc = 0;
		else if (strcmp(order, "DESC") == 0)
			*desc = 1;
		else
			return reply_text(req, 400,
			    "Invalid sort_order parameter: %s, must be ASC or "
			    "DESC",
			    req_quote(order, q, sizeof(q)));
	}
	return 0;
}

void
stats_preamble(struct req *req, struct buf *out)
{
	if (req->app->cfg.feat_system_monitoring)
		sysinfo_server_state(req, out);
	if (req->app->cfg.feat_network)
		sysinfo_network(req, out);
}
