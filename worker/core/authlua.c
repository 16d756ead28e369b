/*
 * HAProxy's auth.lua: finding the users table in the file, writing its
 * lines (names and values as Lua string literals), and replacing the file
 * when they change (see authlua.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "authlua.h"
#include "buf.h"
#include "fdread.h"

/* An auth.lua larger than this is not ours to rewrite. */
#define AUTHLUA_MAX (16 * 1024 * 1024)

static const char standalone_head[] =
    "-- HAProxy's users, kept by v2ray-stat-worker (features.auth_lua):\n"
    "-- a vless user's UUID, or the hex SHA-224 of a trojan user's "
    "password.\n";

void
authlua_quote(struct buf *b, const char *s)
{
	const unsigned char *p;

	buf_putc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)*p);
		} else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\%03u", (unsigned)*p);
		else
			buf_putc(b, (char)*p);
	}
	buf_putc(b, '"');
}

static const char *
skip_space(const char *p, const char *e)
{
	while (p < e &&
	    (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
		p++;
	return p;
}

/* P past the word W at P, or NULL. */
static const char *
skip_word(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(e - p) < n || memcmp(p, w, n) != 0)
		return NULL;
	return p + n;
}

/* 1 if [P, E) holds only spaces and perhaps a "--" comment. */
static int
only_comment(const char *p, const char *e)
{
	p = skip_space(p, e);
	return p == e || (e - p >= 2 && p[0] == '-' && p[1] == '-');
}

/* Past the "{" of a line "local users = {", or NULL. */
static const char *
table_open(const char *p, const char *e)
{
	const char *q;

	p = skip_space(p, e);
	if ((p = skip_word(p, e, "local")) == NULL)
		return NULL;
	if ((q = skip_space(p, e)) == p)
		return NULL;
	if ((p = skip_word(q, e, "users")) == NULL)
		return NULL;
	if ((p = skip_word(skip_space(p, e), e, "=")) == NULL)
		return NULL;
	return skip_word(skip_space(p, e), e, "{");
}

/* 1 if [P, E) is "}" (spaces before, ";" and a comment after). */
static int
table_close(const char *p, const char *e)
{
	p = skip_space(p, e);
	if (p == e || *p != '}')
		return 0;
	p = skip_space(p + 1, e);
	if (p < e && *p == ';')
		p++;
	return only_comment(p, e);
}

static void
put_users(struct buf *b, const struct authlua_user *users, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_puts(b, "  [");
		authlua_quote(b, users[i].name);
		buf_puts(b, "] = ");
		authlua_quote(b, users[i].value);
		buf_puts(b, ",\n");
	}
}

int
authlua_render(const char *old, size_t oldlen, const struct authlua_user *users,
    size_t n, char **out, size_t *outlen, char *err, size_t errsz)
{
	const char *end = old + oldlen, *ls, *le, *next, *brace, *q;
	const char *body = NULL;
	struct buf b;

	buf_init(&b);
	if (oldlen == 0) {
		buf_puts(&b, standalone_head);
		buf_puts(&b, "local users = {\n");
		put_users(&b, users, n);
		buf_puts(&b, "}\n\nreturn users\n");
		goto done;
	}
	for (ls = old; ls < end; ls = next) {
		if ((le = memchr(ls, '\n', (size_t)(end - ls))) == NULL)
			le = end;
		next = le < end ? le + 1 : end;
		if (body == NULL) {
			if ((brace = table_open(ls, le)) == NULL)
				continue;
			q = skip_space(brace, le);
			if (q < le && *q == '}' && table_close(q, le)) {
				/* "local users = {}": opened into lines. */
				buf_add(&b, old, (size_t)(brace - old));
				buf_putc(&b, '\n');
				put_users(&b, users, n);
				buf_add(&b, q, (size_t)(end - q));
				goto done;
			}
			if (only_comment(brace, le) && le < end)
				body = next;
		} else if (table_close(ls, le)) {
			buf_add(&b, old, (size_t)(body - old));
			put_users(&b, users, n);
			buf_add(&b, ls, (size_t)(end - ls));
			goto done;
		}
	}
	if (body == NULL)
		snprintf(err, errsz, "no line \"local users = {\" in it");
	else
		snprintf(
		    err, errsz, "the users table has no closing line \"}\"");
	buf_free(&b);
	return -1;
done:
	if (b.data == NULL)
		buf_puts(&b, "");
	*out = b.data;
	*outlen = b.len;
	return 0;
}

int
authlua_sync(const char *path, const struct authlua_user *users, size_t n,
    char *err, size_t errsz)
{
	struct stat st;
	char *target = NULL, *text = NULL, *out = NULL, why[256];
	size_t len = 0, outlen = 0;
	int lockfd, fd = -1, rc = -1;

	if ((lockfd = atomicfile_lock(path, err, errsz)) == -1)
		goto out;
	if ((target = realpath(path, NULL)) == NULL) {
		if (errno != ENOENT) {
			snprintf(err, errsz, "cannot read '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		/* Not through a dangling symlink. */
		fd = open(path,
		    O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (fd == -1) {
			snprintf(err, errsz, "cannot create '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		close(fd);
		fd = -1;
		if ((target = realpath(path, NULL)) == NULL) {
			snprintf(err, errsz, "cannot read '%s': %s", path,
			    strerror(errno));
			goto out;
		}
	}
	if ((fd = open(target, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(
		    err, errsz, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "'%s' is not a regular file", path);
		goto out;
	}
	if (fd_read_all(fd, AUTHLUA_MAX, (size_t)st.st_size, &text, &len) ==
	    -1) {
		snprintf(err, errsz, "cannot read '%s': %s", path,
		    errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
		goto out;
	}
	if (authlua_render(
		text, len, users, n, &out, &outlen, why, sizeof(why)) == -1) {
		snprintf(err, errsz, "'%s': %s", path, why);
		goto out;
	}
	if (outlen == len && memcmp(out, text, len) == 0) {
		rc = 0;
		goto out;
	}
	if (atomicfile_replace(target, fd, &st, out, outlen, err, errsz) == -1)
		goto out;
	rc = 1;
out:
	if (fd != -1)
		close(fd);
	if (lockfd != -1)
		close(lockfd);
	free(target);
	free(text);
	free(out);
	return rc;
}
