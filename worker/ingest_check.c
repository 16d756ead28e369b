/*
 * v2ray-stat-worker --check-log FILE: what ingestion would record from
 * FILE, as JSON, without a database (see ingest.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "accesslog.h"
#include "cfg.h"
#include "ingest.h"
#include "ingest_agg.h"
#include "recguard.h"
#include "tail.h"
#include "xmalloc.h"

#define CHECK_BUFSZ (1024 * 1024)

struct check {
	struct accesslog_regex *re;
	struct agg agg;
	uint64_t lines;
	uint64_t reasons[ACCESSLOG__MAX];
	struct recguard guard;
	uint64_t inside; /* lines that begin inside a record */
};

static void
check_line(struct check *c, const char *line, size_t len)
{
	struct accesslog_rec rec;
	enum accesslog_result r;

	c->lines++;
	if (recguard_line(&c->guard, line, len)) {
		c->inside++;
		return;
	}
	if (c->re != NULL)
		r = accesslog_regex_match(c->re, line, len, &rec);
	else
		r = accesslog_parse(line, len, &rec);
	c->reasons[r]++;
	if (r == ACCESSLOG_OK)
		agg_add(&c->agg, rec.email.p, rec.email.len, rec.src_ip.p,
		    rec.src_ip.len, rec.dst_host.p, rec.dst_host.len);
}

/*
 * Reads FD line by line (the last line may lack its newline); a line
 * longer than TAIL_MAX_LINE is counted as too long without being kept.
 */
static int
check_fd(struct check *c, int fd)
{
	char *buf, *nl;
	size_t len = 0, start;
	ssize_t n;
	int skipping = 0, rc = -1;

	buf = xmalloc(CHECK_BUFSZ);
	for (;;) {
		n = read(fd, buf + len, CHECK_BUFSZ - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
		start = 0;
		while ((nl = memchr(buf + start, '\n', len - start)) != NULL) {
			if (skipping) {
				skipping = 0;
				c->lines++;
				c->reasons[ACCESSLOG_TOO_LONG]++;
			} else
				check_line(c, buf + start,
				    (size_t)(nl - (buf + start)));
			start = (size_t)(nl - buf) + 1;
		}
		memmove(buf, buf + start, len - start);
		len -= start;
		if (len > TAIL_MAX_LINE) {
			skipping = 1;
			len = 0;
		}
	}
	if (skipping) {
		c->lines++;
		c->reasons[ACCESSLOG_TOO_LONG]++;
	} else if (len > 0)
		check_line(c, buf, len);
	rc = 0;
out:
	free(buf);
	return rc;
}

static json_object *
jstr(const char *s, size_t n)
{
	return json_object_new_string_len(s, (int)n);
}

static void
print_json(struct check *c, FILE *out)
{
	static const struct {
		const char *name;
		enum accesslog_result r;
	} skipped[] = {
		{ "api", ACCESSLOG_API },
		{ "rejected", ACCESSLOG_REJECTED },
		{ "no_user", ACCESSLOG_NO_USER },
		{ "malformed", ACCESSLOG_MALFORMED },
		{ "too_long", ACCESSLOG_TOO_LONG },
		{ "bad_utf8", ACCESSLOG_BAD_UTF8 },
		{ "nul", ACCESSLOG_NUL },
	};
	struct agg *a = &c->agg;
	struct agg_ent *e;
	json_object *root, *sk, *users, **uo, *v;
	char *key;
	size_t i;

	root = json_object_new_object();
	json_object_object_add(
	    root, "lines", json_object_new_int64((int64_t)c->lines));
	json_object_object_add(root, "matched",
	    json_object_new_int64((int64_t)c->reasons[ACCESSLOG_OK]));
	sk = json_object_new_object();
	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		json_object_object_add(sk, skipped[i].name,
		    json_object_new_int64((int64_t)c->reasons[skipped[i].r]));
	json_object_object_add(
	    sk, "inside_record", json_object_new_int64((int64_t)c->inside));
	json_object_object_add(root, "skipped", sk);

	users = json_object_new_object();
	uo = xcalloc(a->users.n + 1, sizeof(*uo));
	for (i = 0; i < a->users.n; i++) {
		e = &a->users.ents[i];
		uo[i] = json_object_new_object();
		json_object_object_add(
		    uo[i], "lines", json_object_new_int64(e->count));
		json_object_object_add(uo[i], "ips", json_object_new_array());
		json_object_object_add(
		    uo[i], "domains", json_object_new_object());
		/* Names may hold NUL-free bytes of any kind: copy to key. */
		key = xstrndup(agg_str(a, e), e->len);
		json_object_object_add(users, key, uo[i]);
		free(key);
	}
	for (i = 0; i < a->ips.n; i++) {
		e = &a->ips.ents[i];
		if (json_object_object_get_ex(uo[e->user], "ips", &v))
			json_object_array_add(v, jstr(agg_str(a, e), e->len));
	}
	for (i = 0; i < a->dns.n; i++) {
		e = &a->dns.ents[i];
		if (!json_object_object_get_ex(uo[e->user], "domains", &v))
			continue;
		key = xstrndup(agg_str(a, e), e->len);
		json_object_object_add(v, key, json_object_new_int64(e->count));
		free(key);
	}
	json_object_object_add(root, "users", users);
	fprintf(out, "%s\n",
	    json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	free(uo);
}

int
ingest_check_log(const struct cfg *cfg, const char *file, FILE *out)
{
	struct check c;
	char err[256];
	int fd = -1, rc = 1;

	memset(&c, 0, sizeof(c));
	recguard_init(&c.guard);
	agg_init(&c.agg, 0);
	if (cfg->core_access_log_regex != NULL &&
	    cfg->core_access_log_regex[0] != '\0') {
		c.re = accesslog_regex_compile(
		    cfg->core_access_log_regex, err, sizeof(err));
		if (c.re == NULL) {
			fprintf(stderr, "core.access_log_regex: %s\n", err);
			goto out;
		}
	}
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		goto out;
	}
	if (check_fd(&c, fd) == -1) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		goto out;
	}
	agg_flush(&c.agg);
	print_json(&c, out);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	accesslog_regex_free(c.re);
	agg_free(&c.agg);
	return rc;
}
