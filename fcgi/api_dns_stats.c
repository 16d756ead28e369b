/* GET /api/v1/dns_stats: a user's most visited destinations. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fcgi.h"
#include "valid.h"

#define DNS_COUNT_DEFAULT 20
#define DNS_COUNT_MAX 1000

int
api_dns_stats(struct req *req)
{
	sqlite3_stmt *st;
	const char *user, *count;
	char q[200];
	long long n = DNS_COUNT_DEFAULT;
	struct buf out;
	int rc;

	user = form_get(&req->params, "user");
	count = form_get(&req->params, "count");
	if (user == NULL || *user == '\0')
		return reply_text(req, 400, "Missing user parameter");
	if (count != NULL && *count != '\0' &&
	    parse_int(count, 1, DNS_COUNT_MAX, &n) == -1)
		return reply_text(req, 400,
		    "Invalid count parameter: %s, must be an integer between "
		    "1 and %d",
		    req_quote(count, q, sizeof(q)), DNS_COUNT_MAX);
	st = db_query(&req->app->db,
	    "SELECT count, domain FROM dns_stats WHERE user = ?1 "
	    "ORDER BY count DESC, domain ASC LIMIT ?2",
	    dbv_text(user), dbv_int(n));
	buf_init(&out);
	buf_puts(&out, " 📊 DNS Query Statistics:\n");
	buf_printf(&out, "%-12s %-6s %s\n", "User", "Count", "Domain");
	buf_fill(&out, '-', 61);
	buf_putc(&out, '\n');
	while ((rc = db_next(&req->app->db, st)) == 1)
		buf_printf(&out, "%-12s %-6lld %s\n", user,
		    (long long)sqlite3_column_int64(st, 0), db_text(st, 1));
	if (rc < 0) {
		buf_free(&out);
		return reply_db_error(req, rc);
	}
	return reply_take(req, 200, &out);
}
