/* Replies, the per-request cleanup, and the cached core config. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"
#include "log.h"
#include "subdate.h"

const char *
http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 503:
		return "Service Unavailable";
	default:
		return status >= 500 ? "Internal Server Error" : "Error";
	}
}

int
reply_text(struct req *req, int status, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_reset(&req->out);
	buf_puts(&req->out, msg != NULL ? msg : "out of memory");
	buf_putc(&req->out, '\n');
	free(msg);
	req->status = status;
	req->out_type = "text/plain; charset=utf-8";
	return status;
}

int
reply_take(struct req *req, int status, struct buf *b)
{
	buf_free(&req->out);
	req->out = *b;
	buf_init(b);
	buf_putc(&req->out, '\n');
	req->status = status;
	req->out_type = "text/plain; charset=utf-8";
	return status;
}

void
reply_header(struct req *req, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n") != NULL || strpbrk(value, "\r\n") != NULL)
		return;
	buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

int
reply_db_error(struct req *req, int rc)
{
	if (rc == DB_BUSY) {
		reply_header(req, "Retry-After", "1");
		return reply_text(req, 503, "database busy, retry");
	}
	return reply_text(req, 500, "Internal server error");
}

const char *
req_quote(const char *s, char *buf, size_t bufsz)
{
	return log_escape(s, strlen(s), buf, bufsz);
}

void
now_hour_utc(char *out, size_t outsz)
{
	subdate_format(time(NULL), out, outsz);
}

const struct corecfg *
app_corecfg(struct app *app, char *err, size_t errsz)
{
	return corecache_get(
	    &app->core, app->cfg.core_config, app->cfg.core_type, err, errsz);
}

void
req_free(struct req *req)
{
	free(req->body);
	form_free(&req->params);
	buf_free(&req->out);
	buf_free(&req->headers);
	memset(req, 0, sizeof(*req));
}
