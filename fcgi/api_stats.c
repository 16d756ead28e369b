/* GET /api/v1/stats: the tables configured in stats_columns. */
#include "config.h"

#include "fcgi.h"

int
api_stats(struct req *req)
{
	const struct cfg *cfg = &req->app->cfg;
	enum statcol sort = cfg->client_cols.sort;
	int desc = cfg->client_cols.sort_desc, status, rc;
	struct buf out;

	if ((status = stats_sort_params(req, &sort, &desc)) != 0)
		return status;
	buf_init(&out);
	stats_preamble(req, &out);
	if (cfg->server_cols.ncols > 0) {
		buf_puts(&out, "➤  Server Statistics:\n");
		rc = stats_render_table(req, SCS_SERVER, &cfg->server_cols,
		    cfg->server_cols.sort, cfg->server_cols.sort_desc, &out);
		if (rc != DB_OK)
			goto dberr;
		buf_putc(&out, '\n');
	}
	if (cfg->client_cols.ncols > 0) {
		buf_puts(&out, "➤  Client Statistics:\n");
		rc = stats_render_table(
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
