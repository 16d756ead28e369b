/*
 * v2ray-stat.fcgi: the FastCGI responder behind nginx.  spawn-fcgi (or
 * systemd) hands it the listening socket on fd 0; it answers one request
 * at a time, and a pool of processes gives concurrency.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "clock.h"
#include "deadline.h"
#include "fcgi.h"
#include "log.h"
#include "xmalloc.h"

static void
usage(void)
{
	fprintf(stderr, "usage: v2ray-stat.fcgi [-f config]\n");
	exit(1);
}

/* Reads the whole body announced by CONTENT_LENGTH from the FastCGI
 * stream; replies 400 if the client sent less. */
static int
read_body(struct req *req, void *arg)
{
	FCGX_Request *fr = arg;
	size_t got = 0;
	int n;

	req->body = xmalloc(req->content_length + 1);
	while (got < req->content_length) {
		n = FCGX_GetStr(
		    req->body + got, (int)(req->content_length - got), fr->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->body_len = got;
	if (got < req->content_length)
		return reply_text(req, 400, "incomplete request body");
	return 0;
}

/* Parses CONTENT_LENGTH; an absent or empty value is 0.  -1 if invalid. */
static int
parse_length(const char *s, size_t *out)
{
	size_t v = 0;

	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > ((size_t)-1 - 9) / 10)
			return -1;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* The request path: DOCUMENT_URI, or REQUEST_URI up to '?'. */
static char *
request_path(FCGX_Request *fr)
{
	const char *p;

	if ((p = FCGX_GetParam("DOCUMENT_URI", fr->envp)) != NULL && *p != '\0')
		return xstrdup(p);
	if ((p = FCGX_GetParam("REQUEST_URI", fr->envp)) == NULL)
		return xstrdup("");
	return xstrndup(p, strcspn(p, "?"));
}

static void
handle(struct app *app, FCGX_Request *fr)
{
	struct req req;
	char *path;
	const char *len;

	memset(&req, 0, sizeof(req));
	req.app = app;
	app->reqno++;
	/* Counted from when nginx handed the request on: it may have waited
	 * for a free responder (deadline.h). */
	req.answer_by = deadline_answer_by(mono_ms(), wall_ms(),
	    FCGX_GetParam("V2S_REQUEST_START", fr->envp),
	    FCGX_GetParam("V2S_READ_TIMEOUT", fr->envp));
	path = request_path(fr);
	req.path = path;
	req.method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	if (req.method == NULL)
		req.method = "GET";
	req.query = FCGX_GetParam("QUERY_STRING", fr->envp);
	req.content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	req.authorization = FCGX_GetParam("HTTP_AUTHORIZATION", fr->envp);
	req.remote_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	len = FCGX_GetParam("CONTENT_LENGTH", fr->envp);

	if (parse_length(len, &req.content_length) == -1)
		reply_text(&req, 400, "invalid Content-Length");
	else
		route_dispatch(&req, read_body, fr);

	FCGX_FPrintF(fr->out,
	    "Status: %d %s\r\nContent-Type: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Cache-Control: no-store\r\n%s\r\n",
	    req.status, http_reason(req.status), req.out_type,
	    buf_str(&req.headers));
	if (req.out.len > 0)
		FCGX_PutStr(req.out.data, (int)req.out.len, fr->out);
	if (req.status >= 500)
		log_error("request %lu: %s %s -> %d", app->reqno, req.method,
		    path, req.status);
	else
		log_debug("request %lu: %s %s -> %d", app->reqno, req.method,
		    path, req.status);
	req_free(&req);
	free(path);
}

int
main(int argc, char *argv[])
{
	static struct app app;
	FCGX_Request fr;
	struct buf msgs;
	const char *path = CFG_DEFAULT_PATH;
	char err[512];
	int ch, rc, tries;

	while ((ch = getopt(argc, argv, "f:h")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	signal(SIGPIPE, SIG_IGN);
	log_init("v2ray-stat.fcgi", LOG_LVL_WARN, 0, 0);
	buf_init(&msgs);
	rc = cfg_load(&app.cfg, path, NULL, &msgs);
	if (msgs.len > 0)
		fputs(buf_str(&msgs), stderr);
	buf_free(&msgs);
	if (rc == -1) {
		fprintf(stderr, "v2ray-stat.fcgi: %s: configuration errors\n",
		    path);
		return 1;
	}
	log_set_level(app.cfg.log_level, app.cfg.log_exclusive);
	/* Times in messages (lib/tgmsg.h) are in the configured zone, as
	 * the worker's. */
	if (app.cfg.timezone[0] != '\0')
		setenv("TZ", app.cfg.timezone, 1);
	tzset();

	if (db_open(&app.db, app.cfg.database, err, sizeof(err)) != DB_OK)
		fatalx("%s", err);
	/* The worker may be creating the schema right now. */
	for (tries = 0;
	     (rc = db_migrate(&app.db, err, sizeof(err))) == DB_BUSY &&
	     tries < 10;
	     tries++)
		sleep(1);
	if (rc != DB_OK)
		fatalx("%s", err);

	if (FCGX_Init() != 0)
		fatalx("FCGX_Init failed");
	if (FCGX_InitRequest(&fr, 0, 0) != 0)
		fatalx("FCGX_InitRequest failed");
	while (FCGX_Accept_r(&fr) >= 0) {
		handle(&app, &fr);
		FCGX_Finish_r(&fr);
	}
	db_close(&app.db);
	corecache_free(&app.core);
	cfg_free(&app.cfg);
	return 0;
}
