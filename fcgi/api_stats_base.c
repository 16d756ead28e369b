/* GET /api/v1/stats/base: the original's fixed layouts, by mode. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fcgi.h"

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
	if ((status = stats_sort_params(req, &sort, &desc)) != 0)
		return status;
	memset(&srv, 0, sizeof(srv));
	memset(&cli, 0, sizeof(cli));
	memcpy(srv.cols, modes[m].srv, sizeof(enum statcol) * modes[m].nsrv);
	srv.ncols = modes[m].nsrv;
	memcpy(cli.cols, modes[m].cli, sizeof(enum statcol) * modes[m].ncli);
	cli.ncols = modes[m].ncli;

	buf_init(&out);
	stats_preamble(req, &out);
	buf_puts(&out, "➤  Server Statistics:\n");
	if ((rc = stats_render_table(
		 req, SCS_SERVER, &srv, SC_SOURCE, 0, &out)) != DB_OK)
		goto dberr;
	buf_puts(&out, "\n➤  Client Statistics:\n");
	if ((rc = stats_render_table(
		 req, SCS_CLIENT, &cli, sort, desc, &out)) != DB_OK)
		goto dberr;
	return reply_take(req, 200, &out);
dberr:
	buf_free(&out);
	return reply_db_error(req, rc);
}
