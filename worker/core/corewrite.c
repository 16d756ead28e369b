/*
 * Rewriting the core's JSON config (see corewrite.h): the edit itself.  The
 * file is parsed with json-c (coreparse.c refuses a file json-c would not
 * print back as written), only the users arrays of the managed inbounds
 * (and sing-box's stats user list) are changed in the tree, and the tree is
 * printed back.  json-c keeps the order of keys.  atomicfile.c replaces the
 * old file under its lock, so a reader sees the old or the new file, never
 * a part of one.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "atomicfile.h"
#include "cfg.h"
#include "corecfg.h"
#include "coreparse.h"
#include "corewrite.h"
#include "jsonfile.h"
#include "namefold.h"
#include "xmalloc.h"

#define CW_PRINT_FLAGS \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
	    JSON_C_TO_STRING_NOSLASHESCAPE)

/* What one run of corewrite_sync() works with. */
struct cw {
	const struct corewrite_user *want;
	size_t n;
	size_t *by_tag; /* valid WANT indices by tag, email, index */
	size_t nvalid;
	size_t *by_email; /* the same by email, index */
	size_t *mark; /* per WANT entry: inbound number + 1 it was seen in */
	unsigned char *applied; /* per WANT entry: put in (or found in) place */
	int singbox;
	int (*is_known)(void *, const char *);
	void *arg;
	int changed;
};

/* ------------------------------------------------------------ reading */

/* The member KEY of O if it is an object, else NULL. */
static json_object *
jobj(json_object *o, const char *key)
{
	json_object *m;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, json_type_object))
		return NULL;
	return m;
}

static const char *
tag_of(json_object *in)
{
	const char *s;

	return (s = jsonfile_str(in, "tag")) != NULL ? s : "";
}

/* ------------------------------------------------------------ indexes */

static int
cmp_email(const void *a, const void *b, void *arg)
{
	const struct corewrite_user *w = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c;

	if ((c = name_key_cmp(w[i].email, w[j].email)) != 0)
		return c;
	return i < j ? -1 : i > j;
}

static int
cmp_tag(const void *a, const void *b, void *arg)
{
	const struct corewrite_user *w = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c;

	if ((c = strcmp(w[i].inbound_tag, w[j].inbound_tag)) != 0)
		return c;
	return cmp_email(a, b, arg);
}

static int
valid_want(const struct corewrite_user *w)
{
	return w->email != NULL && *w->email != '\0' &&
	    w->inbound_tag != NULL && w->credential != NULL &&
	    *w->credential != '\0' && w->proto != PROTO_OTHER;
}

/*
 * Position in by_tag of the first entry for (TAG, EMAIL); -1 if none.  The
 * entries of one tag whose emails have one name key (lib/namefold.h) are
 * one group: one user to the core.
 */
static ssize_t
find_tag_email(const struct cw *cw, const char *tag, const char *email)
{
	const struct corewrite_user *w;
	size_t lo, hi, mid;
	int c;

	lo = 0;
	hi = cw->nvalid;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		w = &cw->want[cw->by_tag[mid]];
		if ((c = strcmp(w->inbound_tag, tag)) == 0)
			c = name_key_cmp(w->email, email);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cw->nvalid &&
	    strcmp(cw->want[cw->by_tag[lo]].inbound_tag, tag) == 0 &&
	    name_key_cmp(cw->want[cw->by_tag[lo]].email, email) == 0)
		return (ssize_t)lo;
	return -1;
}

/* The end (in by_tag) of the group that starts at G. */
static size_t
group_end(const struct cw *cw, size_t g)
{
	const struct corewrite_user *first = &cw->want[cw->by_tag[g]], *w;
	size_t i;

	for (i = g + 1; i < cw->nvalid; i++) {
		w = &cw->want[cw->by_tag[i]];
		if (strcmp(w->inbound_tag, first->inbound_tag) != 0 ||
		    name_key_cmp(w->email, first->email) != 0)
			break;
	}
	return i;
}

/*
 * Of the group at G: 1 if a member is in place in the inbound STAMP
 * already (the core's user of that name is there), else 0 with *POS the
 * WANT index of the member whose email is EMAIL exactly, or of the first.
 */
static int
group_pick(
    const struct cw *cw, size_t g, const char *email, size_t stamp, size_t *pos)
{
	size_t i, end = group_end(cw, g);

	*pos = cw->by_tag[g];
	for (i = g; i < end; i++)
		if (cw->mark[cw->by_tag[i]] == stamp)
			return 1;
	for (i = g; email != NULL && i < end; i++)
		if (strcmp(cw->want[cw->by_tag[i]].email, email) == 0) {
			*pos = cw->by_tag[i];
			break;
		}
	return 0;
}

/* First position in by_tag of TAG (may hold another tag if none). */
static size_t
find_tag(const struct cw *cw, const char *tag)
{
	size_t lo, hi, mid;

	lo = 0;
	hi = cw->nvalid;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(cw->want[cw->by_tag[mid]].inbound_tag, tag) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether EMAIL is wanted in any inbound. */
static int
wanted_anywhere(const struct cw *cw, const char *email)
{
	size_t lo, hi, mid;
	int c;

	lo = 0;
	hi = cw->nvalid;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = name_key_cmp(cw->want[cw->by_email[mid]].email, email);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ------------------------------------------------------------ changing */

static json_object *
new_client(const struct cw *cw, const struct corewrite_user *w)
{
	json_object *c;

	c = json_object_new_object();
	json_object_object_add(c, cw->singbox ? "name" : "email",
	    json_object_new_string(w->email));
	json_object_object_add(c,
	    w->proto == PROTO_TROJAN ? "password"
				     : (cw->singbox ? "uuid" : "id"),
	    json_object_new_string(w->credential));
	if (w->flow != NULL && *w->flow != '\0')
		json_object_object_add(
		    c, "flow", json_object_new_string(w->flow));
	if (!cw->singbox)
		json_object_object_add(c, "level", json_object_new_int(0));
	return c;
}

/*
 * Brings the users of inbound IN (number NUM in the file) in line with the
 * WANT entries of its tag.  Returns 0, or -1 with ERR set when a users
 * field has a type we cannot know the meaning of.
 */
static int
sync_inbound(
    struct cw *cw, json_object *in, size_t num, char *err, size_t errsz)
{
	const struct corewrite_user *w;
	json_object *settings, *holder, *users, *nu, *c, *m;
	const char *tag, *email, *credkey, *old;
	enum proto p;
	size_t i, len, pos, stamp;
	ssize_t g;
	int changed, rc;

	rc = -1;
	nu = NULL;
	changed = 0;
	stamp = num + 1;
	if ((p = coreparse_proto(in, cw->singbox)) == PROTO_OTHER)
		return 0;
	tag = tag_of(in);
	credkey =
	    p == PROTO_TROJAN ? "password" : (cw->singbox ? "uuid" : "id");
	settings = NULL;
	holder = in;
	if (!cw->singbox) {
		if (json_object_object_get_ex(in, "settings", &settings) &&
		    settings != NULL &&
		    !json_object_is_type(settings, json_type_object)) {
			snprintf(err, errsz,
			    "inbound '%s': \"settings\" is not an object", tag);
			goto out;
		}
		holder = settings;
	}
	users = NULL;
	if (holder != NULL &&
	    json_object_object_get_ex(
		holder, cw->singbox ? "users" : "clients", &users) &&
	    users != NULL && !json_object_is_type(users, json_type_array)) {
		snprintf(err, errsz, "inbound '%s': \"%s\" is not an array",
		    tag, cw->singbox ? "users" : "clients");
		goto out;
	}

	len = users != NULL ? json_object_array_length(users) : 0;
	nu = json_object_new_array_ext(len > 0 ? (int)len : 1);
	for (i = 0; i < len; i++) {
		c = json_object_array_get_idx(users, i);
		email = jsonfile_str(c, cw->singbox ? "name" : "email");
		if (email == NULL)
			goto keep;
		if ((g = find_tag_email(cw, tag, email)) >= 0) {
			if (cw->want[cw->by_tag[g]].proto != p)
				goto keep; /* not ours to judge: keep */
			if (group_pick(cw, (size_t)g, email, stamp, &pos)) {
				/* A second copy, or a second name the core
				 * takes for the first: it would refuse the
				 * whole file. */
				changed = 1;
				continue;
			}
			w = &cw->want[pos];
			cw->mark[pos] = stamp;
			cw->applied[pos] = 1;
			old = json_object_object_get_ex(c, credkey, &m) &&
				json_object_is_type(m, json_type_string)
			    ? json_object_get_string(m)
			    : NULL;
			if (old == NULL || strcmp(old, w->credential) != 0) {
				json_object_object_add(c, credkey,
				    json_object_new_string(w->credential));
				changed = 1;
			}
			goto keep;
		}
		if (cw->is_known != NULL && cw->is_known(cw->arg, email) == 1) {
			changed = 1;
			continue;
		}
	keep:
		json_object_array_add(nu, json_object_get(c));
	}

	/* Append the wanted users still missing, by email: of a group, the
	 * first, unless a member is there already. */
	for (i = find_tag(cw, tag); i < cw->nvalid; i = group_end(cw, i)) {
		w = &cw->want[cw->by_tag[i]];
		if (strcmp(w->inbound_tag, tag) != 0)
			break;
		if (w->proto != p || group_pick(cw, i, NULL, stamp, &pos))
			continue;
		cw->mark[pos] = stamp;
		cw->applied[pos] = 1;
		json_object_array_add(nu, new_client(cw, w));
		changed = 1;
	}

	if (changed) {
		if (holder == NULL) {
			holder = json_object_new_object();
			json_object_object_add(in, "settings", holder);
		}
		json_object_object_add(
		    holder, cw->singbox ? "users" : "clients", nu);
		nu = NULL;
		cw->changed = 1;
	}
	rc = 0;
out:
	if (nu != NULL)
		json_object_put(nu);
	return rc;
}

static int
cmp_str_key(const void *a, const void *b)
{
	return name_key_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* sing-box: experimental.v2ray_api.stats.users, when it exists. */
static void
sync_stats(struct cw *cw, json_object *root)
{
	json_object *stats, *users, *nu, *e;
	const char **have, *s, *key;
	size_t i, len, nhave, pos;
	int changed;

	stats = jobj(jobj(jobj(root, "experimental"), "v2ray_api"), "stats");
	if (stats == NULL ||
	    !json_object_object_get_ex(stats, "users", &users) ||
	    !json_object_is_type(users, json_type_array))
		return;
	changed = 0;
	len = json_object_array_length(users);
	nu = json_object_new_array_ext(len > 0 ? (int)len : 1);
	have = xcalloc(len + 1, sizeof(*have));
	nhave = 0;
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(users, i);
		if (e != NULL && json_object_is_type(e, json_type_string)) {
			s = json_object_get_string(e);
			if (!wanted_anywhere(cw, s) && cw->is_known != NULL &&
			    cw->is_known(cw->arg, s) == 1) {
				changed = 1;
				continue;
			}
			have[nhave++] = s;
		}
		json_object_array_add(nu, json_object_get(e));
	}
	qsort(have, nhave, sizeof(*have), cmp_str_key);
	for (i = 0; i < cw->nvalid; i++) {
		pos = cw->by_email[i];
		if (!cw->applied[pos])
			continue;
		key = cw->want[pos].email;
		if (bsearch(&key, have, nhave, sizeof(*have), cmp_str_key) !=
		    NULL)
			continue;
		/* Entries of one name key count once. */
		if (i > 0 &&
		    name_key_cmp(cw->want[cw->by_email[i - 1]].email, key) ==
			0 &&
		    cw->applied[cw->by_email[i - 1]])
			continue;
		json_object_array_add(nu, json_object_new_string(key));
		changed = 1;
	}
	free(have);
	if (changed) {
		json_object_object_add(stats, "users", nu);
		cw->changed = 1;
	} else {
		json_object_put(nu);
	}
}

int
corewrite_sync(const char *path, enum core_type type,
    const struct corewrite_user *want, size_t n,
    int (*is_known)(void *arg, const char *email), void *arg, size_t *missing,
    char *err, size_t errsz)
{
	struct cw cw;
	struct stat st;
	json_object *root, *inbounds;
	const char *out;
	char *target, *text;
	size_t i, j, end, len, outlen, nmiss;
	int lockfd, fd, rc;

	if (errsz > 0)
		err[0] = '\0';
	if (missing != NULL)
		*missing = 0;
	memset(&cw, 0, sizeof(cw));
	rc = -1;
	lockfd = -1;
	fd = -1;
	root = NULL;
	text = NULL;
	target = NULL;
	cw.want = want;
	cw.n = n;
	cw.singbox = type == CORE_SINGBOX;
	cw.is_known = is_known;
	cw.arg = arg;
	cw.by_tag = xcalloc(n + 1, sizeof(*cw.by_tag));
	cw.by_email = xcalloc(n + 1, sizeof(*cw.by_email));
	cw.mark = xcalloc(n + 1, sizeof(*cw.mark));
	cw.applied = xcalloc(n + 1, 1);
	for (i = 0; i < n; i++)
		if (valid_want(&want[i]))
			cw.by_tag[cw.nvalid++] = i;
	memcpy(cw.by_email, cw.by_tag, cw.nvalid * sizeof(*cw.by_tag));
	qsort_r(cw.by_tag, cw.nvalid, sizeof(*cw.by_tag), cmp_tag,
	    (void *)(uintptr_t)want);
	qsort_r(cw.by_email, cw.nvalid, sizeof(*cw.by_email), cmp_email,
	    (void *)(uintptr_t)want);

	if ((lockfd = atomicfile_lock(path, err, errsz)) == -1)
		goto out;
	/* Through a symlink, the file it points to is the one replaced. */
	if ((target = realpath(path, NULL)) == NULL) {
		snprintf(
		    err, errsz, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if ((fd = open(target, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(
		    err, errsz, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (jsonfile_read_fd(fd, path, &text, &len, err, errsz) == -1 ||
	    fstat(fd, &st) == -1)
		goto out;
	if ((root = coreparse_text(path, text, len, err, errsz)) == NULL)
		goto out;
	inbounds = NULL;
	if (json_object_object_get_ex(root, "inbounds", &inbounds) &&
	    inbounds != NULL &&
	    !json_object_is_type(inbounds, json_type_array)) {
		snprintf(
		    err, errsz, "'%s': \"inbounds\" is not an array", path);
		goto out;
	}
	if (inbounds != NULL) {
		len = json_object_array_length(inbounds);
		for (i = 0; i < len; i++) {
			if (sync_inbound(&cw,
				json_object_array_get_idx(inbounds, i), i, err,
				errsz) == -1)
				goto out;
		}
	}
	if (cw.singbox)
		sync_stats(&cw, root);

	/* The members of a group are as applied as the one in place. */
	nmiss = 0;
	for (i = 0; i < cw.nvalid; i = end) {
		end = group_end(&cw, i);
		for (j = i; j < end; j++)
			if (cw.applied[cw.by_tag[j]])
				break;
		if (j < end)
			for (j = i; j < end; j++)
				cw.applied[cw.by_tag[j]] = 1;
	}
	for (i = 0; i < n; i++)
		if (!cw.applied[i])
			nmiss++;
	if (missing != NULL)
		*missing = nmiss;

	if (!cw.changed) {
		rc = 0;
		goto out;
	}
	out = json_object_to_json_string_length(root, CW_PRINT_FLAGS, &outlen);
	if (out == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	free(text);
	text = xmalloc(outlen + 2);
	memcpy(text, out, outlen);
	text[outlen++] = '\n';
	text[outlen] = '\0';
	if (atomicfile_replace(target, fd, &st, text, outlen, err, errsz) == -1)
		goto out;
	rc = 1;
out:
	if (root != NULL)
		json_object_put(root);
	if (fd != -1)
		close(fd);
	if (lockfd != -1)
		close(lockfd);
	free(text);
	free(target);
	free(cw.by_tag);
	free(cw.by_email);
	free(cw.mark);
	free(cw.applied);
	return rc;
}
