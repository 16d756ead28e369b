/*
 * POST /api/v1/bulk_add_users: a multipart upload of lines
 * "user[,credential[,inboundTag]]".  All lines are checked and added in one
 * transaction; if any line fails nothing is added and every failing line is
 * reported.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "coreops.h"
#include "fcgi.h"
#include "multipart.h"
#include "valid.h"

#define BULK_MAX_PARTS 8
#define BULK_MAX_FIELD 256

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

int
api_bulk_add_users(struct req *req)
{
	struct mpart parts[BULK_MAX_PARTS];
	const struct mpart *file;
	const struct corecfg *cc;
	struct buf ok, bad;
	char boundary[MULTIPART_MAX_BOUNDARY + 1], err[512], q[200];
	char f[3][BULK_MAX_FIELD], cred[VALID_CRED_MAX + 1];
	const char *p, *end, *nl;
	size_t lineno = 0, nusers = 0, nbad = 0, nlines = 0;
	char okmsg[64];
	int64_t op, first = 0, last = 0;
	int n, rc, status = 200;

	buf_init(&ok);
	buf_init(&bad);
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
	if ((rc = db_begin(&req->app->db)) != DB_OK)
		return reply_db_error(req, rc);

	for (p = file->data, end = p + file->len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		rc = split_line(p, (size_t)(nl - p), f, err, sizeof(err));
		if (rc == 0)
			continue;
		if (rc == 1)
			rc = user_add_one(
			    req, cc, f[0], f[1], f[2], cred, err, sizeof(err));
		else
			rc = 400;
		if (rc < 0) {
			status = rc;
			break;
		}
		if (rc != 200) {
			nbad++;
			buf_printf(&bad, "line %zu: %s: %s\n", lineno,
			    req_quote(f[0], q, sizeof(q)), err);
			continue;
		}
		if ((op = coreops_add(&req->app->db, f[0])) < 0) {
			status = (int)op;
			break;
		}
		if (first == 0)
			first = op;
		last = op;
		nusers++;
		buf_printf(&ok, "line %zu: %s,%s,%s\n", lineno, f[0], cred,
		    f[2][0] != '\0' ? f[2] : req->app->cfg.default_inbound);
	}

	if (status < 0) {
		db_rollback(&req->app->db);
		status = reply_db_error(req, status);
	} else if (nbad > 0) {
		db_rollback(&req->app->db);
		status = reply_text(req, 400,
		    "Users not added: %zu of %zu lines have errors", nbad,
		    nbad + nusers);
		buf_add(&req->out, bad.data, bad.len);
	} else if (nusers == 0) {
		db_rollback(&req->app->db);
		status = reply_text(
		    req, 400, "Users not added: users_file has no users");
	} else if ((rc = req_commit(req)) != 0)
		status = rc;
	else {
		/* One batch for the worker; the first line says how the core
		 * took it, the rest lists every user added. */
		snprintf(okmsg, sizeof(okmsg),
		    "Users added successfully: %zu "
		    "users",
		    nusers);
		status = reply_applied(req, first, last, okmsg);
		buf_add(&req->out, ok.data, ok.len);
	}
	buf_free(&ok);
	buf_free(&bad);
	return status;
}
