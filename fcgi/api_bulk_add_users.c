/*
 * POST /api/v1/bulk_add_users: a multipart upload of lines
 * "user[,credential[,inboundTag]]".  All lines are checked and added in one
 * transaction; if any line fails nothing is added and every failing line is
 * reported.
 *
 * The write lock is held only for the inserts: every line is split and
 * checked first (the core config through its indexes, the database in one
 * read transaction, the file against itself by sorting), which blocks no
 * other writer; then one write transaction looks again, one indexed read
 * each, at what other writers may have taken meanwhile, inserts and
 * commits.  So m lines into a server of n users cost O(m log n).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "multipart.h"
#include "valid.h"
#include "xmalloc.h"

#define BULK_MAX_PARTS 8
#define BULK_MAX_FIELD 256
/* How many inserts between two looks at the clock. */
#define BULK_CLOCK_EVERY 1024

/* One user line of the file. */
struct bline {
	size_t lineno;
	char *f[3]; /* owned: user, credential, inbound tag ("" if absent) */
	struct user_new u; /* once checked */
	int status; /* 200, or the 4xx of the line's error */
	char *err; /* owned: the error, or NULL */
};

struct bulk {
	struct bline *lines; /* owned */
	size_t n, cap;
	size_t nbad;
};

/* Copies the N bytes at S into OUT (OUTSZ), trimming blanks; returns -1 if
 * the trimmed field does not fit. */
static int
copy_field(const char *s, size_t n, char *out, size_t outsz)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * Splits one line (without its newline) into up to three fields.  Returns
 * 1 for a user line, 0 for a line to skip (empty or a comment), -1 for a
 * malformed line (reason in ERR).
 */
static int
split_line(const char *line, size_t len, char f[3][BULK_MAX_FIELD], char *err,
    size_t errsz)
{
	const char *p, *end, *comma;
	size_t nf = 0;

	while (len > 0 &&
	    (line[len - 1] == '\r' || line[len - 1] == ' ' ||
		line[len - 1] == '\t'))
		len--;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len == 0 || *line == '#')
		return 0;
	/* Everything from the first blank on is a comment. */
	for (end = line; end < line + len && *end != ' ' && *end != '\t'; end++)
		;
	f[0][0] = f[1][0] = f[2][0] = '\0';
	for (p = line; nf < 3; nf++) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if (copy_field(p, (size_t)(comma - p), f[nf], BULK_MAX_FIELD) ==
		    -1) {
			snprintf(err, errsz, "field %zu too long", nf + 1);
			return -1;
		}
		if (comma == end)
			break;
		p = comma + 1;
	}
	if (nf == 3) {
		snprintf(err, errsz,
		    "too many fields (at most "
		    "user,credential,inboundTag)");
		return -1;
	}
	if (f[0][0] == '\0') {
		snprintf(err, errsz, "missing user name");
		return -1;
	}
	return 1;
}

/* Records the error (STATUS, ERR) of line L. */
static void
line_fail(struct bulk *b, struct bline *l, int status, const char *err)
{
	if (l->status == 200)
		b->nbad++;
	l->status = status;
	free(l->err);
	l->err = xstrdup(err);
}

/*
 * Splits the file's lines into B: the user lines, with malformed ones
 * failed (comments and blank lines are skipped).
 */
static void
bulk_split(struct bulk *b, const char *data, size_t len)
{
	char f[3][BULK_MAX_FIELD], err[128];
	const char *p, *end, *nl;
	struct bline *l;
	size_t lineno = 0;
	int rc, i;

	for (p = data, end = data + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		rc = split_line(p, (size_t)(nl - p), f, err, sizeof(err));
		if (rc == 0)
			continue;
		if (b->n == b->cap) {
			b->cap = b->cap ? b->cap * 2 : 64;
			b->lines =
			    xreallocarray(b->lines, b->cap, sizeof(*b->lines));
		}
		l = &b->lines[b->n++];
		memset(l, 0, sizeof(*l));
		l->lineno = lineno;
		l->status = 200;
		/* A malformed line keeps what was split of it: the report
		 * shows its first field. */
		for (i = 0; i < 3; i++)
			l->f[i] = xstrdup(f[i]);
		if (rc == -1)
			line_fail(b, l, 400, err);
	}
}

/* Checks every line against the core config and the database, in one read
 * transaction.  DB_OK or DB_*. */
static int
bulk_check(struct req *req, const struct corecfg *cc, struct bulk *b)
{
	struct bline *l;
	char err[512];
	size_t i;
	int rc;

	if ((rc = db_begin_read(&req->app->db)) != DB_OK)
		return rc;
	for (i = 0; i < b->n; i++) {
		l = &b->lines[i];
		if (l->status != 200)
			continue;
		rc = user_add_check(req, cc, l->f[0], l->f[1], l->f[2], &l->u,
		    err, sizeof(err));
		if (rc < 0)
			break;
		if (rc != 200)
			line_fail(b, l, rc, err);
	}
	db_rollback(&req->app->db);
	return rc < 0 ? rc : DB_OK;
}

/* An entry for finding duplicates in the file: lines sort by tag (NULL for
 * names), key, then line. */
struct dkey {
	const char *tag; /* borrowed */
	char *key; /* owned */
	size_t line; /* index in bulk.lines */
};

static int
dkey_cmp(const void *pa, const void *pb)
{
	const struct dkey *a = pa, *b = pb;
	int c;

	if (a->tag != NULL && (c = strcmp(a->tag, b->tag)) != 0)
		return c;
	if ((c = strcmp(a->key, b->key)) != 0)
		return c;
	return (a->line > b->line) - (a->line < b->line);
}

/*
 * Fails every line whose name (CREDS: inbound and credential) an earlier
 * good line of the file has, compared by the same keys as the core
 * config's (corecfg_name_key(), corecfg_cred_key()).
 */
static void
bulk_dups(struct bulk *b, int creds)
{
	struct dkey *k;
	struct bline *l, *first;
	char err[512], q[200];
	size_t i, n = 0, g;

	k = xreallocarray(NULL, b->n + 1, sizeof(*k));
	for (i = 0; i < b->n; i++) {
		l = &b->lines[i];
		if (l->status != 200)
			continue;
		k[n].tag = creds ? l->u.tag : NULL;
		k[n].key = creds ? corecfg_cred_key(l->u.cred, l->u.proto)
				 : corecfg_name_key(l->f[0]);
		k[n++].line = i;
	}
	qsort(k, n, sizeof(*k), dkey_cmp);
	for (g = 0, i = 1; i < n; i++) {
		if ((k[i].tag != NULL && strcmp(k[i].tag, k[g].tag) != 0) ||
		    strcmp(k[i].key, k[g].key) != 0) {
			g = i;
			continue;
		}
		first = &b->lines[k[g].line];
		if (creds)
			snprintf(err, sizeof(err),
			    "user with this %s already exists (line %zu)",
			    first->u.proto == PROTO_TROJAN ? "password" : "id",
			    first->lineno);
		else
			snprintf(err, sizeof(err),
			    "user %s already exists (line %zu)",
			    req_quote(first->f[0], q, sizeof(q)),
			    first->lineno);
		line_fail(b, &b->lines[k[i].line], 409, err);
	}
	for (i = 0; i < n; i++)
		free(k[i].key);
	free(k);
}

/*
 * Inserts every line in one write transaction, looking at the clock every
 * BULK_CLOCK_EVERY lines.  Returns 0 with the transaction open and the
 * operations' ids in *FIRST..*LAST, or the status of the reply made (the
 * transaction rolled back): 503 late or busy, 500, or 0 with B->nbad > 0
 * if another writer took a name or credential meanwhile.
 */
static int
bulk_insert(struct req *req, struct bulk *b, int64_t *first, int64_t *last)
{
	struct bline *l;
	char err[512];
	int64_t op;
	size_t i;
	int rc;

	if (req_late(req))
		return reply_late(req);
	if ((rc = db_begin(&req->app->db)) != DB_OK)
		return reply_db_error(req, rc);
	for (i = 0; i < b->n; i++) {
		l = &b->lines[i];
		if (i % BULK_CLOCK_EVERY == BULK_CLOCK_EVERY - 1 &&
		    req_late(req)) {
			db_rollback(&req->app->db);
			return reply_late(req);
		}
		rc = user_add_insert(req, &l->u, &op, err, sizeof(err));
		if (rc < 0) {
			db_rollback(&req->app->db);
			return reply_db_error(req, rc);
		}
		if (rc != 200) {
			line_fail(b, l, rc, err);
			continue;
		}
		if (*first == 0)
			*first = op;
		*last = op;
	}
	if (b->nbad > 0)
		db_rollback(&req->app->db);
	return 0;
}

/* Replies 400 with every failed line. */
static int
reply_bad(struct req *req, const struct bulk *b)
{
	const struct bline *l;
	char q[200];
	size_t i;

	reply_text(req, 400, "Users not added: %zu of %zu lines have errors",
	    b->nbad, b->n);
	for (i = 0; i < b->n; i++) {
		l = &b->lines[i];
		if (l->status != 200)
			buf_printf(&req->out, "line %zu: %s: %s\n", l->lineno,
			    req_quote(l->f[0], q, sizeof(q)), l->err);
	}
	return 400;
}

static void
bulk_free(struct bulk *b)
{
	size_t i;
	int j;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < 3; j++)
			free(b->lines[i].f[j]);
		free(b->lines[i].err);
	}
	free(b->lines);
	memset(b, 0, sizeof(*b));
}

int
api_bulk_add_users(struct req *req)
{
	struct mpart parts[BULK_MAX_PARTS];
	const struct mpart *file;
	const struct corecfg *cc;
	struct bulk b = { 0 };
	const struct bline *l;
	char boundary[MULTIPART_MAX_BOUNDARY + 1], err[512], okmsg[64];
	const char *p, *end, *nl;
	size_t nlines = 0, i;
	int64_t first = 0, last = 0;
	int n, rc, status;

	if (multipart_boundary(req->content_type, boundary, sizeof(boundary)) ==
	    -1)
		return reply_text(req, 400,
		    "Failed to retrieve file: request "
		    "is not multipart/form-data");
	n = multipart_parse(req->body, req->body_len, boundary, parts,
	    BULK_MAX_PARTS, err, sizeof(err));
	if (n == -1)
		return reply_text(req, 400, "Failed to retrieve file: %s", err);
	if ((file = multipart_find(parts, (size_t)n, "users_file")) == NULL)
		return reply_text(
		    req, 400, "Failed to retrieve file: no users_file field");

	/* Count lines first: an oversized file is refused before any work. */
	for (p = file->data, end = p + file->len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl > p && !(nl - p == 1 && *p == '\r'))
			nlines++;
	}
	if (nlines > (size_t)req->app->cfg.max_bulk_lines)
		return reply_text(req, 413,
		    "too many lines in users_file (max %d)",
		    req->app->cfg.max_bulk_lines);
	if (!valid_utf8(file->data, file->len) ||
	    memchr(file->data, '\0', file->len) != NULL)
		return reply_text(
		    req, 400, "Users not added: users_file is not UTF-8 text");

	if ((cc = app_corecfg(req->app, err, sizeof(err))) == NULL)
		return reply_text(req, 503, "cannot read core config: %s", err);

	/* Everything is checked before the write lock is taken. */
	bulk_split(&b, file->data, file->len);
	if ((rc = bulk_check(req, cc, &b)) != DB_OK) {
		status = reply_db_error(req, rc);
		goto out;
	}
	bulk_dups(&b, 0);
	bulk_dups(&b, 1);
	if (b.nbad > 0) {
		status = reply_bad(req, &b);
		goto out;
	}
	if (b.n == 0) {
		status = reply_text(
		    req, 400, "Users not added: users_file has no users");
		goto out;
	}
	if ((status = bulk_insert(req, &b, &first, &last)) != 0)
		goto out;
	if (b.nbad > 0) {
		status = reply_bad(req, &b);
		goto out;
	}
	if ((status = req_commit(req)) != 0)
		goto out;

	/* One batch for the worker; the first line says how the core took
	 * it, the rest lists every user added. */
	snprintf(
	    okmsg, sizeof(okmsg), "Users added successfully: %zu users", b.n);
	status = reply_applied(req, first, last, okmsg);
	for (i = 0; i < b.n; i++) {
		l = &b.lines[i];
		buf_printf(&req->out, "line %zu: %s,%s,%s\n", l->lineno,
		    l->f[0], l->u.cred, l->u.tag);
	}
out:
	bulk_free(&b);
	return status;
}
