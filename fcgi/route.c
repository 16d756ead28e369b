/*
 * The route table and the checks every request passes before its handler:
 * path (404), token (401), method (405), size limits (413/414), content
 * type (415) and parameter syntax (400).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"
#include "log.h"
#include "multipart.h"
#include "valid.h"

enum route_flags {
	ROUTE_WRITE = 1 << 0, /* needs the token when one is set */
	ROUTE_MULTIPART = 1 << 1, /* the handler takes a file upload */
};

struct route {
	const char *path;
	const char *method;
	api_fn fn;
	int flags;
};

static const struct route routes[] = {
	{ "/api/v1/users", "GET", api_users, 0 },
	{ "/api/v1/stats", "GET", api_stats, 0 },
	{ "/api/v1/stats/base", "GET", api_stats_base, 0 },
	{ "/api/v1/dns_stats", "GET", api_dns_stats, 0 },
	{ "/api/v1/health", "GET", api_health, 0 },
	{ "/api/v1/metrics", "GET", api_metrics, 0 },
	{ "/api/v1/delete_dns_stats", "POST", api_delete_dns_stats,
	    ROUTE_WRITE },
	{ "/api/v1/reset_traffic_stats", "POST", api_reset_traffic_stats,
	    ROUTE_WRITE },
	{ "/api/v1/reset_clients_stats", "POST", api_reset_clients_stats,
	    ROUTE_WRITE },
	{ "/api/v1/reset_traffic", "POST", api_reset_traffic, ROUTE_WRITE },
	{ "/api/v1/add_user", "POST", api_add_user, ROUTE_WRITE },
	{ "/api/v1/bulk_add_users", "POST", api_bulk_add_users,
	    ROUTE_WRITE | ROUTE_MULTIPART },
	{ "/api/v1/delete_user", "DELETE", api_delete_user, ROUTE_WRITE },
	{ "/api/v1/set_enabled", "PATCH", api_set_enabled, ROUTE_WRITE },
	{ "/api/v1/update_lim_ip", "PATCH", api_update_lim_ip, ROUTE_WRITE },
	{ "/api/v1/update_renew", "PATCH", api_update_renew, ROUTE_WRITE },
	{ "/api/v1/adjust_date", "PATCH", api_adjust_date, ROUTE_WRITE },
	{ "/api/v1/notify_test", "POST", api_notify_test, ROUTE_WRITE },
};

static const struct form_limits param_limits = {
	REQ_MAX_PARAMS,
	REQ_MAX_KEY,
	REQ_MAX_VALUE,
};

/* Compares two strings in time that depends only on their lengths. */
static int
token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = la != lb;

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	for (; i < la; i++)
		diff |= (unsigned char)a[i];
	return diff == 0;
}

/* Checks the Bearer token; returns 0 or the 401 reply's status. */
static int
check_token(struct req *req)
{
	const char *h = req->authorization, *tok;

	if (h == NULL || *h == '\0')
		goto missing;
	if (strncmp(h, "Bearer ", 7) != 0) {
		reply_header(req, "WWW-Authenticate", "Bearer");
		return reply_text(
		    req, 401, "Invalid Authorization header format");
	}
	tok = h + 7;
	if (*tok == '\0') {
		reply_header(req, "WWW-Authenticate", "Bearer");
		return reply_text(req, 401, "Empty token");
	}
	if (!token_equal(tok, req->app->cfg.api_token)) {
		reply_header(req, "WWW-Authenticate", "Bearer");
		return reply_text(req, 401, "Invalid token");
	}
	return 0;
missing:
	reply_header(req, "WWW-Authenticate", "Bearer");
	return reply_text(req, 401, "Missing Authorization header");
}

/* Replies 400 for a parameter syntax error. */
static int
reply_form_error(struct req *req, enum form_err fe, const char *badkey)
{
	char q[160];

	req_quote(badkey != NULL ? badkey : "", q, sizeof(q));
	switch (fe) {
	case FORM_E2BIG:
		return reply_text(
		    req, 400, "too many parameters (max %d)", REQ_MAX_PARAMS);
	case FORM_EKEYLEN:
	case FORM_EVALLEN:
		return reply_text(req, 400, "parameter '%s' too long", q);
	case FORM_ENUL:
		return reply_text(
		    req, 400, "parameter '%s' contains a NUL byte", q);
	case FORM_EDUP:
		return reply_text(req, 400, "duplicate parameter '%s'", q);
	case FORM_EEMPTYKEY:
		return reply_text(req, 400, "parameter without a name");
	default:
		return reply_text(req, 400, "malformed parameter encoding");
	}
}

/* Parses S (LEN bytes) into req->params; returns 0 or a 400 status. */
static int
add_form(struct req *req, const char *s, size_t len)
{
	enum form_err fe;
	char *badkey = NULL;
	int status;

	fe = form_parse(&req->params, s, len, &param_limits, &badkey);
	/* The limit is for the query and the body together. */
	if (fe == FORM_OK && req->params.n > REQ_MAX_PARAMS)
		fe = FORM_E2BIG;
	if (fe == FORM_OK)
		return 0;

	status = reply_form_error(req, fe, badkey);
	free(badkey);
	return status;
}

/* 1 if the Content-Type CT names media type TYPE (ignoring parameters). */
static int
ctype_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	if (ct == NULL || strncasecmp(ct, type, n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/*
 * Adds the plain fields of a multipart body (curl -F user=x) to the
 * parameters, as Go's FormValue did.  Returns 0 or a 4xx status.
 */
static int
add_multipart_fields(struct req *req)
{
	struct mpart parts[REQ_MAX_PARAMS];
	char boundary[MULTIPART_MAX_BOUNDARY + 1], err[128];
	struct buf enc;
	int i, n, status = 0;
	size_t j;

	if (multipart_boundary(req->content_type, boundary, sizeof(boundary)) ==
	    -1)
		return reply_text(
		    req, 400, "malformed multipart/form-data: no boundary");
	n = multipart_parse(req->body, req->body_len, boundary, parts,
	    REQ_MAX_PARAMS, err, sizeof(err));
	if (n == -1)
		return reply_text(
		    req, 400, "malformed multipart/form-data: %s", err);
	buf_init(&enc);
	for (i = 0; i < n && status == 0; i++) {
		if (parts[i].filename[0] != '\0')
			continue;
		/* Re-encode as key=value so the one parser checks it. */
		buf_reset(&enc);
		for (j = 0; parts[i].name[j] != '\0'; j++)
			buf_printf(
			    &enc, "%%%02X", (unsigned char)parts[i].name[j]);
		buf_putc(&enc, '=');
		for (j = 0; j < parts[i].len && j <= REQ_MAX_VALUE; j++)
			buf_printf(
			    &enc, "%%%02X", (unsigned char)parts[i].data[j]);
		status = add_form(req, enc.data, enc.len);
	}
	buf_free(&enc);
	return status;
}

int
route_dispatch(
    struct req *req, int (*read_body)(struct req *, void *), void *arg)
{
	const struct route *r = NULL;
	const struct cfg *cfg = &req->app->cfg;
	size_t i, limit;
	int status;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, req->path) == 0) {
			r = &routes[i];
			break;
		}
	if (r == NULL)
		return reply_text(req, 404, "404 page not found");

	if (cfg->api_token[0] != '\0' &&
	    ((r->flags & ROUTE_WRITE) || cfg->api_auth_reads) &&
	    (status = check_token(req)) != 0)
		return status;

	if (strcmp(req->method, r->method) != 0) {
		reply_header(req, "Allow", r->method);
		return reply_text(
		    req, 405, "Invalid method. Use %s", r->method);
	}

	if (req->query != NULL && strlen(req->query) > REQ_MAX_QUERY)
		return reply_text(req, 414,
		    "query string too long (max %d bytes)", REQ_MAX_QUERY);

	limit = ctype_is(req->content_type, "multipart/form-data")
	    ? cfg->max_upload
	    : cfg->max_body;
	if (req->content_length > limit) {
		if (limit == cfg->max_upload)
			return reply_text(req, 413,
			    "upload too large (max %zu bytes)", limit);
		return reply_text(
		    req, 413, "request body too large (max %zu bytes)", limit);
	}
	if (req->content_length > 0 && (status = read_body(req, arg)) != 0)
		return status;

	if (req->query != NULL &&
	    (status = add_form(req, req->query, strlen(req->query))) != 0)
		return status;

	if (req->body_len > 0) {
		if (ctype_is(req->content_type,
			"application/x-www-form-urlencoded")) {
			if ((status = add_form(
				 req, req->body, req->body_len)) != 0)
				return status;
		} else if (ctype_is(req->content_type, "multipart/form-data")) {
			if (!(r->flags & ROUTE_MULTIPART) &&
			    (status = add_multipart_fields(req)) != 0)
				return status;
		} else
			return reply_text(req, 415, "unsupported content type");
	}
	/* A write nginx has given up on (or soon will) is not made. */
	if ((r->flags & ROUTE_WRITE) && req_late(req))
		return reply_late(req);
	return r->fn(req);
}
