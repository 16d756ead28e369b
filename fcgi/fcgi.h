/*
 * The FastCGI responder: one request at a time per process.  A request is
 * read into struct req (main.c), routed, checked and validated (route.c)
 * and handled by the route's handler, api_NAME() in api_NAME.c for
 * /api/v1/NAME; the handler fills the response in the same struct (req.c)
 * and main.c writes it out.  It never talks to the core: a change the core
 * must follow is an operation for the worker (apply.c, lib/coreops.h).
 */
#ifndef V2S_FCGI_H
#define V2S_FCGI_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "cfg.h"
#include "corecache.h"
#include "corecfg.h"
#include "db.h"
#include "form.h"
#include "statcol.h"
#include "valid.h"

/* Limits on what a request may carry (the body limits come from cfg). */
#define REQ_MAX_QUERY 4096
#define REQ_MAX_PARAMS 32
#define REQ_MAX_KEY 64
#define REQ_MAX_VALUE 1024

/* State of one responder process. */
struct app {
	struct cfg cfg; /* owned */
	struct db db; /* owned */
	struct corecache core; /* owned: the core config as last read */
	unsigned long reqno;
};

struct req {
	struct app *app; /* borrowed */
	/* from the FastCGI environment (borrowed, valid for the request) */
	const char *method;
	const char *path;
	const char *query;
	const char *content_type;
	const char *authorization;
	const char *remote_addr;
	size_t content_length;
	int64_t answer_by; /* mono_ms() by which the answer must be out
			      (deadline.h); a write commits only before */
	char *body; /* owned: the request body, NUL-terminated */
	size_t body_len;
	struct form params; /* owned: query string + urlencoded body */
	/* the response */
	int status;
	const char *out_type; /* Content-Type */
	struct buf out; /* body */
	struct buf headers; /* extra header lines, each "Name: v\r\n" */
};

/* A handler reads req->params (and req->body for uploads), fills the
 * response with reply_*() and returns the HTTP status. */
typedef int (*api_fn)(struct req *);

/* route.c */
/*
 * Routes REQ: finds the endpoint (404), checks the token (401), the method
 * (405), reads and parses the parameters (4xx), then runs the handler.
 * READ_BODY is called to fetch up to MAX bytes of body.  Returns the status.
 */
int route_dispatch(
    struct req *req, int (*read_body)(struct req *, void *), void *arg);

/* req.c */
/* Sets a text/plain reply: the formatted message plus "\n". */
int reply_text(struct req *req, int status, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));
/* Replies STATUS with B's contents plus "\n" as text/plain; takes B's
 * memory and leaves B empty. */
int reply_take(struct req *req, int status, struct buf *b);
/* Adds one response header line (no CR/LF allowed in NAME or VALUE). */
void reply_header(struct req *req, const char *name, const char *value);
/* Replies 500 (or 503 for DB_BUSY) for a database failure RC. */
int reply_db_error(struct req *req, int rc);
/* "OK", "Not Found", ... for STATUS. */
const char *http_reason(int status);
/* Escapes a user-supplied string for an error message (bounded). */
const char *req_quote(const char *s, char *buf, size_t bufsz);
/*
 * Returns the current core config, read again when core.config changed
 * (lib/corecache.h).  On failure returns NULL with a reason in ERR.
 */
const struct corecfg *app_corecfg(struct app *app, char *err, size_t errsz);
/* Frees what REQ owns (not the app). */
void req_free(struct req *req);

/* One handler per route (route.c), api_NAME in api_NAME.c. */
int api_add_user(struct req *req);
int api_adjust_date(struct req *req);
int api_bulk_add_users(struct req *req);
int api_delete_dns_stats(struct req *req);
int api_delete_user(struct req *req);
int api_dns_stats(struct req *req);
int api_health(struct req *req);
int api_metrics(struct req *req);
int api_notify_test(struct req *req);
int api_reset_clients_stats(struct req *req);
int api_reset_traffic(struct req *req);
int api_reset_traffic_stats(struct req *req);
int api_set_enabled(struct req *req);
int api_stats(struct req *req);
int api_stats_base(struct req *req);
int api_update_lim_ip(struct req *req);
int api_update_renew(struct req *req);
int api_users(struct req *req);

/* stats_table.c: the tables of /stats and /stats/base */
/*
 * Renders the table of SECTION (users or inbounds and outbounds) with the
 * columns COLS into OUT, ordered by SORT (DESC: descending).  Returns
 * DB_OK or a DB_* error.
 */
int stats_render_table(struct req *req, enum statcol_section section,
    const struct statcols *cols, enum statcol sort, int desc, struct buf *out);
/*
 * Reads sort_by / sort_order into *SORT / *DESC (left as they are when
 * absent).  Returns 0, or the status of the 400 reply it made.
 */
int stats_sort_params(struct req *req, enum statcol *sort, int *desc);
/* Appends the optional Server State and Network blocks to OUT. */
void stats_preamble(struct req *req, struct buf *out);

/* user_edit.c: what the endpoints that change one user share */
/* Replies 404 "user 'USER' not found". */
int reply_no_user(struct req *req, const char *user);
/* Starts the change's transaction: 0, or the status of the error reply. */
int user_edit_begin(struct req *req);
/*
 * Ends the change begun by user_edit_begin(); RC is what the change of
 * USER returned (1 the user exists, 0 no such user, or DB_*).  With CORE
 * the core must follow: an operation is recorded (lib/coreops.h) and the
 * reply waits for the worker.  Commits, or rolls back on 0 or an error;
 * replies OKMSG (as reply_applied() with CORE), 404 or the database error,
 * and returns the status.
 */
int user_edit_end(
    struct req *req, const char *user, int rc, int core, const char *okmsg);
/*
 * For a change that brings back USER, whom the expiry had disabled, until
 * END (unix time, 0: unlimited): when RC (what the change returned) is 1,
 * adds the Telegram message "User enabled" (lib/outbox.h) inside the
 * change's transaction.  Returns RC, or the outbox's DB_* error, to pass
 * on to user_edit_end().
 */
int user_edit_enabled(struct req *req, const char *user, time_t end, int rc);

/* user_add.c: shared by add_user and bulk_add_users */
/* A new user, checked by user_add_check() and ready to insert. */
struct user_new {
	const char *user; /* borrowed */
	const char *tag; /* borrowed: as given, or the default inbound */
	enum proto proto; /* its inbound's protocol */
	char cred[VALID_CRED_MAX + 1]; /* as given (a UUID in lower case) or
					  generated */
};
/*
 * Checks one new user against the core config (its indexes: O(log n)) and
 * the database (indexed reads), without writing: outside any write
 * transaction (a batch in one read transaction, db_begin_read()).  CRED
 * may be "" to generate one, TAG "" for the default inbound.  Fills U.
 * Returns 200; 400 or 409 with the reason in ERR; or DB_*.
 */
int user_add_check(struct req *req, const struct corecfg *cc, const char *user,
    const char *cred, const char *tag, struct user_new *u, char *err,
    size_t errsz);
/*
 * Inside the caller's write transaction: checks again, in the database,
 * what another writer may have taken since user_add_check() (the name and
 * the credential: one indexed read each), inserts U and records its
 * operation for the worker (lib/coreops.h), its id in *OP.  Returns 200;
 * 409 with the reason in ERR; or DB_*.
 */
int user_add_insert(struct req *req, const struct user_new *u, int64_t *op,
    char *err, size_t errsz);

/* apply.c */
/* 1 if REQ's answer is due already (req->answer_by has come). */
int req_late(const struct req *req);
/* Replies 503: the request waited too long to be served; nothing was
 * changed, retry. */
int reply_late(struct req *req);
/*
 * Commits the write transaction of REQ if its answer can still be out in
 * time (req_late()), else rolls it back.  Returns 0 if committed, else
 * the status of the error reply made (503, 500): nothing changed.
 */
int req_commit(struct req *req);
/*
 * After the commit of a change that recorded operations FIRST..LAST
 * (coreops_add(), lib/coreops.h), waits up to api.apply_wait_ms (and half
 * a millisecond per operation more), but never past req->answer_by, for
 * the worker and replies: 200 OKMSG; 202 OKMSG with why it is not applied
 * yet (or that the database could not tell); 502 OKMSG with the core's
 * refusal.  Never an error for the committed change itself.
 */
int reply_applied(
    struct req *req, int64_t first, int64_t last, const char *okmsg);

/* sysinfo.c: the optional "Server State" and "Network" blocks of /stats */
void sysinfo_server_state(struct req *req, struct buf *out);
void sysinfo_network(struct req *req, struct buf *out);
/* Stores the interface's current counters as zero; -1 if unreadable. */
int sysinfo_network_reset(struct req *req, char *err, size_t errsz);

/* Current time as "YYYY-MM-DD-HH" (UTC) into OUT (>= 16 bytes). */
void now_hour_utc(char *out, size_t outsz);

#endif
