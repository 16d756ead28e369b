/*
 * GET /api/v1/stats (tables driven by stats_columns) and
 * GET /api/v1/stats/base (fixed layouts), as plain text.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fcgi.h"
#include "fmt.h"
#include "statcol.h"

/* The client query's columns are in enum statcol order (SC_USER..). */
static const char client_sql_asc[] =
    "SELECT user, uuid, last_seen, rate, uplink, downlink, sess_uplink, "
    "sess_downlink, enabled, sub_end, renew, lim_ip, ips, created, "
    "inbound_tag FROM clients_stats ORDER BY CASE ?1 "
    "WHEN 'user' THEN user WHEN 'uuid' THEN uuid "
    "WHEN 'last_seen' THEN last_seen WHEN 'rate' THEN rate "
    "WHEN 'uplink' THEN uplink WHEN 'downlink' THEN downlink "
    "WHEN 'sess_uplink' THEN sess_uplink "
    "WHEN 'sess_downlink' THEN sess_downlink "
    "WHEN 'enabled' THEN enabled WHEN 'sub_end' THEN sub_end "
    "WHEN 'renew' THEN renew WHEN 'lim_ip' THEN lim_ip "
    "WHEN 'ips' THEN ips WHEN 'created' THEN created "
    "WHEN 'inbound_tag' THEN inbound_tag END ASC, user ASC";
static const char client_sql_desc[] =
    "SELECT user, uuid, last_seen, rate, uplink, downlink, sess_uplink, "
    "sess_downlink, enabled, sub_end, renew, lim_ip, ips, created, "
    "inbound_tag FROM clients_stats ORDER BY CASE ?1 "
    "WHEN 'user' THEN user WHEN 'uuid' THEN uuid "
    "WHEN 'last_seen' THEN last_seen WHEN 'rate' THEN rate "
    "WHEN 'uplink' THEN uplink WHEN 'downlink' THEN downlink "
    "WHEN 'sess_uplink' THEN sess_uplink "
    "WHEN 'sess_downlink' THEN sess_downlink "
    "WHEN 'enabled' THEN enabled WHEN 'sub_end' THEN sub_end "
    "WHEN 'renew' THEN renew WHEN 'lim_ip' THEN lim_ip "
    "WHEN 'ips' THEN ips WHEN 'created' THEN created "
    "WHEN 'inbound_tag' THEN inbound_tag END DESC, user ASC";

static const char server_sql_asc[] =
    "SELECT source, direction, rate, uplink, downlink, sess_uplink, "
    "sess_downlink FROM traffic_stats ORDER BY CASE ?1 "
    "WHEN 'source' THEN source WHEN 'direction' THEN direction "
    "WHEN 'rate' THEN rate WHEN 'uplink' THEN uplink "
    "WHEN 'downlink' THEN downlink WHEN 'sess_uplink' THEN sess_uplink "
    "WHEN 'sess_downlink' THEN sess_downlink END ASC, source, direction";
static const char server_sql_desc[] =
    "SELECT source, direction, rate, uplink, downlink, sess_uplink, "
    "sess_downlink FROM traffic_stats ORDER BY CASE ?1 "
    "WHEN 'source' THEN source WHEN 'direction' THEN direction "
    "WHEN 'rate' THEN rate WHEN 'uplink' THEN uplink "
    "WHEN 'downlink' THEN downlink WHEN 'sess_uplink' THEN sess_uplink "
    "WHEN 'sess_downlink' THEN sess_downlink END DESC, source, direction";

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

/*
 * Renders the table of SECTION with COLS into OUT, ordered by SORT.
 * Returns DB_OK or a DB_* error.
 */
static int
render_table(struct req *req, enum statcol_section section,
    const struct statcols *cols, enum statcol sort, int desc, struct buf *out)
{
	const char *titles[STATCOL_MAX_COLS], *cells[STATCOL_MAX_COLS];
	char vals[STATCOL_MAX_COLS][288];
	int right[STATCOL_MAX_COLS];
	struct table t;
	sqlite3_stmt *st;
	const char *sql;
	int i, idx, rc;

	if (section == SCS_CLIENT)
		sql = desc ? client_sql_desc : client_sql_asc;
	else
		sql = desc ? server_sql_desc : server_sql_asc;
	if ((st = db_stmt(&req->app->db, sql)) == NULL)
		return DB_ERR;
	for (i = 0; i < cols->ncols; i++) {
		titles[i] = statcol_title(cols->cols[i]);
		right[i] = statcol_is_traffic(cols->cols[i]);
		cells[i] = vals[i];
	}
	table_init(&t, (size_t)cols->ncols, titles, right);
	sqlite3_bind_text(st, 1, statcol_name(sort), -1, SQLITE_STATIC);
	while ((rc = db_step(&req->app->db, st)) == 1) {
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
	sqlite3_reset(st);
	if (rc == 0)
		table_render(&t, out);
	table_free(&t);
	return rc < 0 ? rc : DB_OK;
}

/*
 * Reads sort_by / sort_order into *SORT / *DESC (left as they are when
 * absent).  Returns 0 or the 400 reply's status.
 */
static int
sort_params(struct req *req, enum statcol *sort, int *desc)
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

/* Adds the optional system and network blocks. */
static void
preamble(struct req *req, struct buf *out)
{
	if (req->app->cfg.feat_system_monitoring)
		sysinfo_server_state(req, out);
	if (req->app->cfg.feat_network)
		sysinfo_network(req, out);
}

int
api_stats(struct req *req)
{
	const struct cfg *cfg = &req->app->cfg;
	enum statcol sort = cfg->client_cols.sort;
	int desc = cfg->client_cols.sort_desc, status, rc;
	struct buf out;

	if ((status = sort_params(req, &sort, &desc)) != 0)
		return status;
	buf_init(&out);
	preamble(req, &out);
	if (cfg->server_cols.ncols > 0) {
		buf_puts(&out, "➤  Server Statistics:\n");
		rc = render_table(req, SCS_SERVER, &cfg->server_cols,
		    cfg->server_cols.sort, cfg->server_cols.sort_desc, &out);
		if (rc != DB_OK)
			goto dberr;
		buf_putc(&out, '\n');
	}
	if (cfg->client_cols.ncols > 0) {
		buf_puts(&out, "➤  Client Statistics:\n");
		rc = render_table(
		    req, SCS_CLIENT, &cfg->client_cols, sort, desc, &out);
		if (rc != DB_OK)
			goto dberr;
	}
	if (out.len == 0)
		buf_puts(&out, "No custom columns specified in configuration.");
	return reply_take(req, 200, &out);
dberr:
	buf_free(&out);
	return reply_db_error(req, rc);
}

int
api_stats_base(struct req *req)
{
	static const enum statcol srv_min[] = { SC_SOURCE, SC_RATE, SC_UPLINK,
		SC_DOWNLINK };
	static const enum statcol srv_ext[] = { SC_SOURCE, SC_RATE,
		SC_SESS_UPLINK, SC_SESS_DOWNLINK, SC_UPLINK, SC_DOWNLINK };
	static const enum statcol cli_min[] = { SC_USER, SC_LAST_SEEN, SC_RATE,
		SC_UPLINK, SC_DOWNLINK };
	static const enum statcol cli_std[] = { SC_USER, SC_LAST_SEEN, SC_RATE,
		SC_UPLINK, SC_DOWNLINK, SC_ENABLED, SC_SUB_END, SC_RENEW,
		SC_LIM_IP, SC_IPS };
	static const enum statcol cli_ext[] = { SC_USER, SC_LAST_SEEN, SC_RATE,
		SC_SESS_UPLINK, SC_SESS_DOWNLINK, SC_UPLINK, SC_DOWNLINK,
		SC_ENABLED, SC_SUB_END, SC_RENEW, SC_LIM_IP, SC_IPS };
	static const enum statcol cli_full[] = { SC_USER, SC_UUID, SC_LAST_SEEN,
		SC_RATE, SC_SESS_UPLINK, SC_SESS_DOWNLINK, SC_UPLINK,
		SC_DOWNLINK, SC_ENABLED, SC_SUB_END, SC_RENEW, SC_LIM_IP,
		SC_IPS, SC_CREATED };
	static const struct {
		const char *name;
		const enum statcol *srv, *cli;
		int nsrv, ncli;
	} modes[] = {
		{ "minimal", srv_min, cli_min, 4, 5 },
		{ "standard", srv_min, cli_std, 4, 10 },
		{ "extended", srv_ext, cli_ext, 6, 12 },
		{ "full", srv_ext, cli_full, 6, 14 },
	};
	struct statcols srv, cli;
	enum statcol sort = SC_USER;
	const char *mode;
	struct buf out;
	char q[200];
	size_t m;
	int desc = 0, status, rc;

	mode = form_get(&req->params, "mode");
	if (mode == NULL || *mode == '\0')
		mode = "minimal";
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		if (strcmp(modes[m].name, mode) == 0)
			break;
	if (m == sizeof(modes) / sizeof(modes[0]))
		return reply_text(req, 400,
		    "Invalid mode parameter: %s, must be one of [minimal "
		    "standard extended full]",
		    req_quote(mode, q, sizeof(q)));
	if ((status = sort_params(req, &sort, &desc)) != 0)
		return status;
	memset(&srv, 0, sizeof(srv));
	memset(&cli, 0, sizeof(cli));
	memcpy(srv.cols, modes[m].srv, sizeof(enum statcol) * modes[m].nsrv);
	srv.ncols = modes[m].nsrv;
	memcpy(cli.cols, modes[m].cli, sizeof(enum statcol) * modes[m].ncli);
	cli.ncols = modes[m].ncli;

	buf_init(&out);
	preamble(req, &out);
	buf_puts(&out, "➤  Server Statistics:\n");
	if ((rc = render_table(req, SCS_SERVER, &srv, SC_SOURCE, 0, &out)) !=
	    DB_OK)
		goto dberr;
	buf_puts(&out, "\n➤  Client Statistics:\n");
	if ((rc = render_table(req, SCS_CLIENT, &cli, sort, desc, &out)) !=
	    DB_OK)
		goto dberr;
	return reply_take(req, 200, &out);
dberr:
	buf_free(&out);
	return reply_db_error(req, rc);
}
