/* Replies, the per-request cleanup, and the cached core config. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
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
	struct corecfg fresh;
	struct stat sb;

	if (stat(app->cfg.core_config, &sb) == -1) {
		snprintf(err, errsz, "cannot read '%s': %s",
		    app->cfg.core_config, strerror(errno));
		return NULL;
	}
	if (app->core_loaded && sb.st_dev == app->core_dev &&
	    sb.st_ino == app->core_ino && sb.st_size == app->core_size &&
	    sb.st_mtim.tv_sec == app->core_mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == app->core_mtime.tv_nsec)
		return &app->core;
	if (corecfg_load(&fresh, app->cfg.core_config, app->cfg.core_type, err,
		errsz) == -1)
		return NULL;
	corecfg_free(&app->core);
	app->core = fresh;
	app->core_dev = sb.st_dev;
	app->core_ino = sb.st_ino;
	app->core_size = sb.st_size;
	app->core_mtime = sb.st_mtim;
	app->core_loaded = 1;
	return &app->core;
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
