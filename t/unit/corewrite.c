/*
 * Unit tests for worker/core/corewrite.c: the core config follows the wanted users,
 * keeps everything else, and is replaced atomically or not at all.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cfg.h"
#include "corecfg.h"
#include "corecmp.h"
#include "corewrite.h"
#include "tap.h"
#include "tmpdir.h"
#include "xmalloc.h"

static const char *top;
static const char *tmpdir;

static char *
data(const char *name)
{
	return xasprintf("%s/t/data/corewrite/%s", top, name);
}

static char *
tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Reads PATH whole (NUL-terminated, *LEN bytes); NULL if it cannot. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *p;
	size_t n, cap;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	cap = 4096;
	n = 0;
	p = xmalloc(cap + 1);
	for (;;) {
		n += fread(p + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		p = xreallocarray(p, cap + 1, 1);
	}
	fclose(f);
	p[n] = '\0';
	if (len != NULL)
		*len = n;
	return p;
}

static void
spit(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "wb")) == NULL) {
		tap_diag("cannot write %s: %s", path, strerror(errno));
		return;
	}
	fputs(text, f);
	fclose(f);
}

/* Copies fixture NAME to a fresh temporary file DST (returned, owned). */
static char *
fixture(const char *name, const char *dst)
{
	char *src, *path, *text;

	src = data(name);
	path = tmp(dst);
	(void)unlink(path);
	text = slurp(src, NULL);
	if (text == NULL)
		tap_diag("cannot read fixture %s", src);
	else
		spit(path, text);
	free(text);
	free(src);
	return path;
}

static int
same_bytes(const char *a, const char *b)
{
	char *x, *y;
	size_t nx, ny;
	int same;

	x = slurp(a, &nx);
	y = slurp(b, &ny);
	same = x != NULL && y != NULL && nx == ny && memcmp(x, y, nx) == 0;
	free(x);
	free(y);
	return same;
}

/* ------------------------------------------------------------ lookups */

/* The set of emails the "database" knows. */
struct known {
	const char *const *names;
};

static int
is_known(void *arg, const char *email)
{
	const struct known *k = arg;
	size_t i;

	for (i = 0; k->names[i] != NULL; i++)
		if (strcasecmp(k->names[i], email) == 0)
			return 1;
	return 0;
}

static json_object *
load_json(const char *path)
{
	json_object *o;

	if ((o = json_object_from_file(path)) == NULL)
		tap_diag("cannot parse %s: %s", path, json_util_get_last_err());
	return o;
}

static json_object *
inbound(json_object *root, const char *tag)
{
	json_object *arr, *in, *t;
	size_t i, n;

	if (!json_object_object_get_ex(root, "inbounds", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		in = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(in, "tag", &t) &&
		    strcmp(json_object_get_string(t), tag) == 0)
			return in;
	}
	return NULL;
}

/* The users array of the inbound TAG (xray: settings.clients). */
static json_object *
users_of(json_object *root, const char *tag, int singbox)
{
	json_object *in, *s, *u;

	if ((in = inbound(root, tag)) == NULL)
		return NULL;
	if (singbox)
		return json_object_object_get_ex(in, "users", &u) ? u : NULL;
	if (!json_object_object_get_ex(in, "settings", &s))
		return NULL;
	return json_object_object_get_ex(s, "clients", &u) ? u : NULL;
}

static json_object *
user(json_object *root, const char *tag, const char *email, int singbox)
{
	json_object *arr, *c, *e;
	size_t i, n;

	if ((arr = users_of(root, tag, singbox)) == NULL)
		return NULL;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(
			c, singbox ? "name" : "email", &e) &&
		    strcmp(json_object_get_string(e), email) == 0)
			return c;
	}
	return NULL;
}

static int
count_users(json_object *root, const char *tag, int singbox)
{
	json_object *arr;

	arr = users_of(root, tag, singbox);
	return arr == NULL ? -1 : (int)json_object_array_length(arr);
}

/* Member KEY of O as a string, or NULL. */
static const char *
sget(json_object *o, const char *key)
{
	json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || m == NULL)
		return NULL;
	return json_object_get_string(m);
}

/* The keys of O joined with ',' (for order checks; static buffer). */
static const char *
keys(json_object *o)
{
	static char b[512];
	size_t len;

	b[0] = '\0';
	if (o == NULL)
		return "(none)";
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		len = strlen(b);
		snprintf(
		    b + len, sizeof(b) - len, "%s%s", len > 0 ? "," : "", k);
	}
	return b;
}

/* ------------------------------------------------------------ tests */

#define UUID_A "11111111-1111-4111-8111-111111111111"
#define UUID_B "22222222-2222-4222-8222-222222222222"
#define UUID_C "55555555-5555-4555-8555-555555555555"
#define UUID_N "99999999-9999-4999-8999-999999999999"
#define UUID_X "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"

static const char *const xray_known[] = { "alice", "bob", "carol", "dave",
	"newbie", "erin", "frank", NULL };

/* What the fixture already holds, as the database would want it. */
static const struct corewrite_user xray_now[] = {
	{ "alice", "vless-in", PROTO_VLESS, UUID_A, "xtls-rprx-vision" },
	{ "bob", "vless-in", PROTO_VLESS, UUID_B, "xtls-rprx-vision" },
	{ "carol", "vmess-in", PROTO_VMESS, UUID_C, NULL },
	{ "dave", "trojan-in", PROTO_TROJAN, "dave-pass", NULL },
};

static void
t_noop(void)
{
	struct known k = { xray_known };
	struct stat before, after;
	char *path, *orig, *lock, err[256];
	size_t missing;
	int rc;

	orig = data("xray.json");
	path = fixture("xray.json", "noop.json");
	lock = tmp("noop.json.lock");
	(void)unlink(lock);
	(void)stat(path, &before);
	missing = 99;
	rc = corewrite_sync(path, CORE_XRAY, xray_now, 4, is_known, &k,
	    &missing, err, sizeof(err));
	is_int(rc, 0, "noop: nothing to change returns 0 (%s)", err);
	is_int((long long)missing, 0, "noop: nothing missing");
	ok(same_bytes(path, orig), "noop: file byte-identical (comments kept)");
	(void)stat(path, &after);
	ok(before.st_ino == after.st_ino &&
		before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
		before.st_mtim.tv_nsec == after.st_mtim.tv_nsec,
	    "noop: same inode and mtime");
	ok(stat(lock, &after) == 0 && (after.st_mode & 07777) == 0600,
	    "noop: lock file created with mode 0600");

	/* Case of the email does not matter; the file's spelling stays. */
	{
		struct corewrite_user w[4];

		memcpy(w, xray_now, sizeof(w));
		w[0].email = "ALICE";
		w[2].email = "Carol";
		rc = corewrite_sync(path, CORE_XRAY, w, 4, is_known, &k,
		    &missing, err, sizeof(err));
		is_int(rc, 0, "noop: emails match ignoring case (%s)", err);
	}
	free(orig);
	free(path);
	free(lock);
}

/* Checks the file at PATH against the fixture apart from users. */
static void
same_rest(const char *path, const char *fixname, enum core_type type,
    const char *step)
{
	char *orig, err[256];
	int rc;

	orig = data(fixname);
	rc = corecmp_files(orig, path, type, err, sizeof(err));
	is_int(rc, 0, "%s: everything but users kept (%s)", step, err);
	free(orig);
}

static void
t_series_xray(void)
{
	struct known k = { xray_known };
	struct corewrite_user w[8];
	json_object *root, *c, *fb, *ss;
	char *path, *text, err[256];
	size_t missing;
	int rc;

	path = fixture("xray.json", "series.json");

	/* 1. add a user to vless-in (with flow), keep the rest */
	memcpy(w, xray_now, sizeof(xray_now));
	w[4] = (struct corewrite_user){ "newbie", "vless-in", PROTO_VLESS,
		UUID_N, "xtls-rprx-vision" };
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 5, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "add: rewritten (%s)", err);
	same_rest(path, "xray.json", CORE_XRAY, "add");
	root = load_json(path);
	c = user(root, "vless-in", "newbie", 0);
	ok(c != NULL, "add: newbie is in vless-in");
	is_str(keys(c), "email,id,flow,level", "add: new client's fields");
	is_str(sget(c, "id"), UUID_N, "add: new client's id");
	is_str(sget(c, "flow"), "xtls-rprx-vision", "add: new client's flow");
	is_str(sget(c, "level"), "0", "add: new client's level");
	c = user(root, "vless-in", "alice", 0);
	is_str(keys(c), "id,email,flow,level,comment",
	    "add: alice keeps all fields in order");
	is_str(sget(c, "flow"), "xtls-rprx-vision", "add: alice keeps flow");
	is_str(sget(c, "comment"), "first", "add: alice keeps unknown field");
	is_int(count_users(root, "vless-in", 0), 5,
	    "add: vless-in has 5 clients (incl. stranger and no-email)");
	ok(user(root, "vless-in", "stranger", 0) != NULL,
	    "add: unknown client kept");
	json_object_put(root);

	/* Numbers and strings as written. */
	text = slurp(path, NULL);
	ok(text != NULL && strstr(text, "\"port\": 443,") != NULL,
	    "numbers: port 443 as written");
	ok(text != NULL && strstr(text, "\"level\": 0,") != NULL,
	    "numbers: level 0 as written");
	ok(text != NULL &&
		strstr(text, "\"big\": 9223372036854775807,") != NULL,
	    "numbers: INT64_MAX as written");
	ok(text != NULL &&
		strstr(text, "\"ubig\": 18446744073709551615,") != NULL,
	    "numbers: UINT64_MAX as written");
	ok(text != NULL &&
		strstr(text, "\"neg\": -9223372036854775808,") != NULL,
	    "numbers: INT64_MIN as written");
	ok(text != NULL && strstr(text, "\"ratio\": 1.0,") != NULL,
	    "numbers: 1.0 stays 1.0");
	ok(text != NULL && strstr(text, "\"exp\": 1e5,") != NULL,
	    "numbers: 1e5 stays 1e5");
	ok(text != NULL && strstr(text, "\"frac\": 0.10,") != NULL,
	    "numbers: 0.10 stays 0.10");
	ok(text != NULL && strstr(text, "\"tiny\": -2.5E-3,") != NULL,
	    "numbers: -2.5E-3 stays");
	ok(text != NULL && strstr(text, "1.50,") != NULL,
	    "numbers: 1.50 in an array stays");
	ok(text != NULL && strstr(text, "\"slash\": \"a/b\"") != NULL,
	    "strings: slash not escaped");
	ok(text != NULL && strstr(text, "\"utf8\": \"привет\"") != NULL,
	    "strings: UTF-8 kept raw");
	ok(text != NULL &&
		strstr(text, "\"quote\": \"say \\\"hi\\\"\"") != NULL,
	    "strings: escaped quotes kept");
	ok(text != NULL &&
		strstr(text, "\n  \"log\": {\n    \"loglevel\"") != NULL,
	    "output: two-space indents");
	ok(text != NULL && text[strlen(text) - 1] == '\n',
	    "output: ends with a newline");
	free(text);

	/* 2. again with the same users: nothing to do */
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 5, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 0, "add: second run changes nothing (%s)", err);

	/* 3. remove bob (known, not wanted); change alice's id */
	w[1] = w[4];
	w[0].credential = UUID_X;
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 4, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "remove+change: rewritten (%s)", err);
	same_rest(path, "xray.json", CORE_XRAY, "remove+change");
	root = load_json(path);
	ok(user(root, "vless-in", "bob", 0) == NULL, "remove: bob gone");
	c = user(root, "vless-in", "alice", 0);
	is_str(sget(c, "id"), UUID_X, "change: alice's id replaced");
	is_str(keys(c), "id,email,flow,level,comment",
	    "change: alice's fields and order kept");
	is_str(sget(c, "flow"), "xtls-rprx-vision", "change: flow kept");
	ok(user(root, "vless-in", "stranger", 0) != NULL,
	    "remove: unknown client kept");
	is_int(count_users(root, "vless-in", 0), 4, "remove: 4 clients left");
	ss = users_of(root, "ss-in", 0);
	ok(ss != NULL && json_object_array_length(ss) == 1,
	    "remove: bob kept in the shadowsocks inbound (not managed)");
	ok(strstr(json_object_to_json_string(inbound(root, "socks-in")),
	       "\"bob\"") != NULL,
	    "remove: bob kept in socks accounts");
	fb = NULL;
	(void)json_object_object_get_ex(
	    json_object_object_get(inbound(root, "vless-in"), "settings"),
	    "fallbacks", &fb);
	ok(fb != NULL && json_object_array_length(fb) == 2,
	    "remove: fallbacks kept");
	json_object_put(root);

	/* 4. add to an inbound without clients and one without settings */
	w[4] = (struct corewrite_user){ "erin", "vless-empty", PROTO_VLESS,
		UUID_N, NULL };
	w[5] = (struct corewrite_user){ "frank", "vless-bare", PROTO_VLESS,
		UUID_X, "xtls-rprx-vision" };
	w[6] = (struct corewrite_user){ "ghost", "no-such-tag", PROTO_VLESS,
		UUID_X, NULL };
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 7, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "missing clients: rewritten (%s)", err);
	is_int((long long)missing, 1, "missing clients: unknown tag counted");
	same_rest(path, "xray.json", CORE_XRAY, "missing clients");
	root = load_json(path);
	is_int(count_users(root, "vless-empty", 0), 1,
	    "missing clients: created with erin");
	is_str(keys(json_object_object_get(
		   inbound(root, "vless-empty"), "settings")),
	    "decryption,clients", "missing clients: appended after decryption");
	c = user(root, "vless-empty", "erin", 0);
	is_str(keys(c), "email,id,level", "missing clients: no flow, level 0");
	is_int(count_users(root, "vless-bare", 0), 1,
	    "missing settings: created with frank");
	is_str(keys(inbound(root, "vless-bare")), "tag,port,protocol,settings",
	    "missing settings: settings appended");
	json_object_put(root);

	/* 5. protocol mismatch: counted missing, existing client untouched */
	w[6] = (struct corewrite_user){ "dave", "trojan-in", PROTO_VLESS,
		UUID_X, NULL };
	w[3] = w[6];
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 6, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 0, "mismatch: nothing changed (%s)", err);
	is_int((long long)missing, 1, "mismatch: counted missing");
	root = load_json(path);
	is_str(sget(user(root, "trojan-in", "dave", 0), "password"),
	    "dave-pass", "mismatch: dave's trojan password untouched");
	json_object_put(root);

	/* 6. nobody wanted: every known client goes, the others stay */
	rc = corewrite_sync(
	    path, CORE_XRAY, NULL, 0, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "empty: rewritten (%s)", err);
	same_rest(path, "xray.json", CORE_XRAY, "empty");
	root = load_json(path);
	is_int(count_users(root, "vless-in", 0), 2,
	    "empty: stranger and the email-less client stay");
	is_int(count_users(root, "vmess-in", 0), 0, "empty: vmess-in empty");
	is_int(count_users(root, "trojan-in", 0), 0, "empty: trojan-in empty");
	is_int(
	    count_users(root, "vless-bare", 0), 0, "empty: vless-bare empty");
	is_int(count_users(root, "ss-in", 0), 1, "empty: ss-in untouched");
	json_object_put(root);

	/* 7. and back to the start: only the users arrays moved */
	rc = corewrite_sync(path, CORE_XRAY, xray_now, 4, is_known, &k,
	    &missing, err, sizeof(err));
	is_int(rc, 1, "restore: rewritten (%s)", err);
	same_rest(path, "xray.json", CORE_XRAY, "restore");
	root = load_json(path);
	c = user(root, "vmess-in", "carol", 0);
	is_str(keys(c), "email,id,level", "restore: carol is a new client");
	json_object_put(root);
	free(path);
}

static void
t_duplicates_and_bad_want(void)
{
	struct known k = { xray_known };
	struct corewrite_user w[4];
	json_object *root;
	char *path, err[256];
	size_t missing;
	int rc;

	path = tmp("dup.json");
	spit(path,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": [{\"email\": \"alice\", \"id\": "
	    "\"" UUID_A "\", \"x\": 1}, {\"email\": \"Alice\", \"id\": "
	    "\"" UUID_B "\"}]}}]}\n");
	w[0] =
	    (struct corewrite_user){ "alice", "v", PROTO_VLESS, UUID_A, NULL };
	w[1] =
	    (struct corewrite_user){ "ALICE", "v", PROTO_VLESS, UUID_B, NULL };
	w[2] =
	    (struct corewrite_user){ "nocred", "v", PROTO_VLESS, NULL, NULL };
	w[3] = (struct corewrite_user){ "", "v", PROTO_VLESS, UUID_A, NULL };
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 4, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "dup: second copy of a wanted client removed (%s)", err);
	is_int((long long)missing, 2,
	    "dup: entries without credential/email "
	    "are missing, duplicates are not");
	root = load_json(path);
	is_int(count_users(root, "v", 0), 1, "dup: one alice left");
	is_str(sget(user(root, "v", "alice", 0), "id"), UUID_A,
	    "dup: the first copy and first WANT entry win");
	is_str(sget(user(root, "v", "alice", 0), "x"), "1",
	    "dup: the first copy is kept whole");
	json_object_put(root);
	free(path);
}

/*
 * Names that are one user to the core ("\xc3\x84rger" and "\xc3\xa4rger", "kate"
 * and "Kate" with U+212A): one of them per inbound, or the core refuses
 * the whole file when it starts.  A database from before may want both.
 */
static void
t_name_keys(void)
{
	static const char *const none[] = { NULL };
	struct known k = { none };
	struct corewrite_user w[5];
	json_object *root;
	char *path, err[256];
	size_t missing;
	int rc;

	w[0] = (struct corewrite_user){ "\xc3\x84rger", "v", PROTO_VLESS,
		UUID_A, NULL };
	w[1] = (struct corewrite_user){ "\xc3\xa4rger", "v", PROTO_VLESS,
		UUID_B, NULL };
	w[2] =
	    (struct corewrite_user){ "kate", "v", PROTO_VLESS, UUID_C, NULL };
	w[3] = (struct corewrite_user){ "\xe2\x84\xaa"
					"ate",
		"v", PROTO_VLESS, UUID_X, NULL };
	w[4] = (struct corewrite_user){ "\xc3\xa4rger", "t", PROTO_TROJAN, "pw",
		NULL };

	/* What the writer wrote before: both of each pair. */
	path = tmp("keys.json");
	spit(path,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": [{\"email\": \"\xc3\x84rger\", "
	    "\"id\": "
	    "\"" UUID_A "\"}, {\"email\": \"\xc3\xa4rger\", \"id\": \"" UUID_B
	    "\"}, {\"email\": \"kate\", \"id\": \"" UUID_C "\"}, "
	    "{\"email\": \"\xe2\x84\xaa"
	    "ate\", \"id\": \"" UUID_X "\"}]}}, "
	    "{\"tag\": \"t\", \"protocol\": \"trojan\", \"settings\": "
	    "{\"clients\": []}}]}\n");
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 5, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "keys: rewritten (%s)", err);
	is_int((long long)missing, 0, "keys: nothing missing");
	root = load_json(path);
	is_int(count_users(root, "v", 0), 2, "keys: one user per name key");
	is_str(sget(user(root, "v", "\xc3\x84rger", 0), "id"), UUID_A,
	    "keys: the first copy stays");
	is_str(sget(user(root, "v", "kate", 0), "id"), UUID_C,
	    "keys: kate stays, Kate with KELVIN SIGN goes");
	is_int(count_users(root, "t", 0), 1,
	    "keys: another inbound is another user to the core");
	json_object_put(root);

	/* The file has the second of a pair: it keeps its own credential. */
	spit(path,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": [{\"email\": \"\xc3\xa4rger\", "
	    "\"id\": "
	    "\"" UUID_B "\"}]}}]}\n");
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 2, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 0, "keys: nothing to change (%s)", err);
	root = load_json(path);
	is_int(count_users(root, "v", 0), 1, "keys: the other not added");
	is_str(sget(user(root, "v", "\xc3\xa4rger", 0), "id"), UUID_B,
	    "keys: never the other's credential");
	json_object_put(root);

	/* None there: the first of the pair is added, once. */
	spit(path,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": []}}]}\n");
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 4, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "keys: added (%s)", err);
	root = load_json(path);
	is_int(count_users(root, "v", 0), 2, "keys: one of each pair");
	ok(user(root, "v", "\xc3\x84rger", 0) != NULL &&
		user(root, "v", "kate", 0) != NULL,
	    "keys: the first of each pair");
	json_object_put(root);
	free(path);
}

/* Digits in strings and comments are not numbers; "1." is refused. */
static void
t_number_scan(void)
{
	struct known k = { xray_known };
	char *path, *text, err[256];
	int rc;

	path = tmp("scan.json");
	spit(path,
	    "{\"x\": \"0123 -0 1.\", /* 0123 -0 */ \"y\": '007',\n"
	    "// 99999999999999999999 1e\n\"inbounds\": [{\"tag\": \"v\", "
	    "\"protocol\": \"vless\"}], \"z\": [-1, 0, 2.0e-1]}\n");
	rc = corewrite_sync(
	    path, CORE_XRAY, xray_now, 1, is_known, &k, NULL, err, sizeof(err));
	is_int(rc, 0, "scan: digits in strings and comments pass (%s)", err);
	spit(path, "{\"inbounds\": [], \"x\": 1.}\n");
	rc = corewrite_sync(
	    path, CORE_XRAY, xray_now, 1, is_known, &k, NULL, err, sizeof(err));
	is_int(rc, -1, "scan: 1. refused (%s)", err);
	text = slurp(path, NULL);
	is_str(text, "{\"inbounds\": [], \"x\": 1.}\n", "scan: untouched");
	free(text);
	free(path);
}

static void
t_deterministic(void)
{
	struct known k = { xray_known };
	struct corewrite_user w[6], r[6];
	char *a, *b, err[256];
	size_t i;
	int ra, rb;

	memcpy(w, xray_now, sizeof(xray_now));
	w[4] = (struct corewrite_user){ "newbie", "vless-in", PROTO_VLESS,
		UUID_N, NULL };
	w[5] = (struct corewrite_user){ "erin", "vless-in", PROTO_VLESS, UUID_X,
		NULL };
	for (i = 0; i < 6; i++)
		r[i] = w[5 - i];
	a = fixture("xray.json", "det-a.json");
	b = fixture("xray.json", "det-b.json");
	ra = corewrite_sync(
	    a, CORE_XRAY, w, 6, is_known, &k, NULL, err, sizeof(err));
	rb = corewrite_sync(
	    b, CORE_XRAY, r, 6, is_known, &k, NULL, err, sizeof(err));
	ok(ra == 1 && rb == 1, "deterministic: both rewritten");
	ok(same_bytes(a, b),
	    "deterministic: same output whatever the order of WANT");
	free(a);
	free(b);
}

static const char *const sb_known[] = { "alice", "bob", "carol", "zed",
	"newbie", NULL };

static void
t_singbox(void)
{
	struct known k = { sb_known };
	struct corewrite_user w[5];
	json_object *root, *c, *stats;
	char *path, err[256];
	size_t missing;
	int rc;

	path = fixture("singbox.json", "sb.json");
	w[0] = (struct corewrite_user){ "alice", "vless-in", PROTO_VLESS,
		UUID_X, "xtls-rprx-vision" };
	w[1] = (struct corewrite_user){ "newbie", "vless-in", PROTO_VLESS,
		UUID_N, "xtls-rprx-vision" };
	w[2] = (struct corewrite_user){ "carol", "trojan-in", PROTO_TROJAN,
		"carol-pass", NULL };
	w[3] = (struct corewrite_user){ "ivy", "vmess-in", PROTO_VMESS, UUID_C,
		NULL };
	rc = corewrite_sync(
	    path, CORE_SINGBOX, w, 4, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "sing-box: rewritten (%s)", err);
	is_int((long long)missing, 0, "sing-box: nothing missing");
	same_rest(path, "singbox.json", CORE_SINGBOX, "sing-box");
	root = load_json(path);
	c = user(root, "vless-in", "newbie", 1);
	is_str(keys(c), "name,uuid,flow", "sing-box: new user's fields");
	c = user(root, "vless-in", "alice", 1);
	is_str(sget(c, "uuid"), UUID_X, "sing-box: alice's uuid replaced");
	is_str(keys(c), "name,uuid,flow", "sing-box: alice's fields kept");
	ok(user(root, "vless-in", "bob", 1) == NULL, "sing-box: bob removed");
	ok(user(root, "vless-in", "stranger", 1) != NULL,
	    "sing-box: unknown user kept");
	is_str(keys(user(root, "vmess-in", "ivy", 1)), "name,uuid",
	    "sing-box: users created in an inbound without them");
	is_int(count_users(root, "mixed-in", 1), 1,
	    "sing-box: mixed inbound untouched");
	stats = json_object_object_get(
	    json_object_object_get(
		json_object_object_get(
		    json_object_object_get(root, "experimental"), "v2ray_api"),
		"stats"),
	    "users");
	is_str(json_object_to_json_string_ext(stats, JSON_C_TO_STRING_PLAIN),
	    "[\"alice\",7,\"carol\",\"ivy\",\"newbie\"]",
	    "sing-box: stats.users gains new users, loses unwanted known ones, "
	    "keeps the rest");
	ok(json_object_object_get_ex(inbound(root, "vless-in"), "tls", NULL),
	    "sing-box: tls kept");
	json_object_put(root);

	rc = corewrite_sync(
	    path, CORE_SINGBOX, w, 4, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 0, "sing-box: second run changes nothing (%s)", err);
	free(path);

	/* No stats.users list: none is made. */
	path = fixture("singbox-nostats.json", "sb-nostats.json");
	rc = corewrite_sync(
	    path, CORE_SINGBOX, w, 2, is_known, &k, &missing, err, sizeof(err));
	is_int(rc, 1, "sing-box without stats.users: rewritten (%s)", err);
	same_rest(path, "singbox-nostats.json", CORE_SINGBOX,
	    "sing-box without stats.users");
	root = load_json(path);
	is_str(
	    keys(json_object_object_get(
		json_object_object_get(
		    json_object_object_get(root, "experimental"), "v2ray_api"),
		"stats")),
	    "enabled", "sing-box without stats.users: none created");
	json_object_put(root);
	free(path);
}

static void
t_refusals(void)
{
	static const char *const bad[] = { "truncated.json", "invalid.json",
		"inbounds-object.json", "top-array.json",
		"settings-string.json", "clients-object.json",
		"leading-zero.json", "minus-zero.json", "huge-int.json",
		"trailing.json" };
	struct known k = { xray_known };
	struct stat st;
	char *path, *orig, *missingp, *dir, err[256];
	size_t i, missing;
	pid_t pid;
	int rc, status;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		orig = data(bad[i]);
		path = fixture(bad[i], "bad.json");
		err[0] = '\0';
		rc = corewrite_sync(path, CORE_XRAY, xray_now, 4, is_known, &k,
		    &missing, err, sizeof(err));
		is_int(rc, -1, "refuse %s: -1", bad[i]);
		ok(err[0] != '\0', "refuse %s: says why (%s)", bad[i], err);
		ok(same_bytes(path, orig), "refuse %s: file byte-identical",
		    bad[i]);
		rc = corewrite_sync(path, CORE_XRAY, NULL, 0, is_known, &k,
		    &missing, err, sizeof(err));
		ok(rc == -1 && same_bytes(path, orig),
		    "refuse %s: also with nothing wanted", bad[i]);
		free(orig);
		free(path);
	}

	missingp = tmp("no-such-config.json");
	(void)unlink(missingp);
	rc = corewrite_sync(missingp, CORE_XRAY, xray_now, 4, is_known, &k,
	    &missing, err, sizeof(err));
	is_int(rc, -1, "refuse missing file: -1 (%s)", err);
	ok(stat(missingp, &st) == -1 && errno == ENOENT,
	    "refuse missing file: not created");
	free(missingp);

	dir = tmp("a-directory.json");
	(void)mkdir(dir, 0755);
	rc = corewrite_sync(dir, CORE_XRAY, xray_now, 4, is_known, &k, &missing,
	    err, sizeof(err));
	is_int(rc, -1, "refuse a directory: -1 (%s)", err);
	(void)rmdir(dir);
	free(dir);

	/* No "inbounds" (or null): nothing to do, everything missing. */
	for (i = 0; i < 2; i++) {
		const char *name =
		    i == 0 ? "no-inbounds.json" : "null-inbounds.json";

		orig = data(name);
		path = fixture(name, "noin.json");
		rc = corewrite_sync(path, CORE_XRAY, xray_now, 4, is_known, &k,
		    &missing, err, sizeof(err));
		ok(rc == 0 && missing == 4 && same_bytes(path, orig),
		    "%s: 0, all 4 missing, untouched (%s)", name, err);
		free(orig);
		free(path);
	}

	/* Unreadable: as an unprivileged user, a 0600 root-owned file. */
	if (geteuid() != 0) {
		ok(1, "# SKIP unreadable: needs root to drop to uid 65534");
		return;
	}
	dir = tmp("unreadable");
	(void)mkdir(dir, 0755);
	(void)chmod(dir, 01777);
	path = xasprintf("%s/config.json", dir);
	orig = data("xray.json");
	spit(path, "{\"inbounds\": []}\n");
	(void)chmod(path, 0600);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(3);
		rc = corewrite_sync(path, CORE_XRAY, xray_now, 4, is_known, &k,
		    &missing, err, sizeof(err));
		_exit(rc == -1 && strstr(err, "Permission denied") != NULL ? 0
									   : 1);
	}
	status = -1;
	(void)waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "refuse unreadable: -1 with EACCES (child status %d)", status);
	{
		char *t = slurp(path, NULL);

		is_str(
		    t, "{\"inbounds\": []}\n", "refuse unreadable: untouched");
		free(t);
	}
	(void)unlink(path);
	free(path);
	path = xasprintf("%s/config.json.lock", dir);
	(void)unlink(path);
	free(path);
	(void)rmdir(dir);
	free(dir);
	free(orig);
}

static void
t_mode_owner_symlink(void)
{
	struct known k = { xray_known };
	struct corewrite_user w[5];
	struct stat st, lst;
	char *path, *dir, *link, *real, err[256];
	int rc;

	memcpy(w, xray_now, sizeof(xray_now));
	w[4] = (struct corewrite_user){ "newbie", "vless-in", PROTO_VLESS,
		UUID_N, NULL };
	path = fixture("xray.json", "owned.json");
	(void)chmod(path, 0640);
	if (geteuid() == 0)
		(void)chown(path, 65534, 65534);
	rc = corewrite_sync(
	    path, CORE_XRAY, w, 5, is_known, &k, NULL, err, sizeof(err));
	is_int(rc, 1, "owner: rewritten (%s)", err);
	if (stat(path, &st) == -1)
		memset(&st, 0, sizeof(st));
	ok((st.st_mode & 07777) == 0640, "owner: mode 0640 kept (got %o)",
	    (unsigned)(st.st_mode & 07777));
	if (geteuid() == 0)
		ok(st.st_uid == 65534 && st.st_gid == 65534,
		    "owner: uid/gid 65534 kept (got %u:%u)",
		    (unsigned)st.st_uid, (unsigned)st.st_gid);
	else
		ok(1, "# SKIP owner: not root");
	free(path);

	/* Through a symlink: the target is replaced, the link stays. */
	dir = tmp("real");
	(void)mkdir(dir, 0755);
	real = xasprintf("%s/config.json", dir);
	free(fixture("xray.json", "real/config.json"));
	link = tmp("link.json");
	(void)unlink(link);
	(void)symlink(real, link);
	rc = corewrite_sync(
	    link, CORE_XRAY, w, 5, is_known, &k, NULL, err, sizeof(err));
	is_int(rc, 1, "symlink: rewritten (%s)", err);
	ok(lstat(link, &lst) == 0 && S_ISLNK(lst.st_mode),
	    "symlink: still a symlink");
	rc = corewrite_sync(
	    real, CORE_XRAY, w, 5, is_known, &k, NULL, err, sizeof(err));
	is_int(rc, 0, "symlink: the target holds the change (%s)", err);
	(void)unlink(link);
	(void)unlink(real);
	free(link);
	free(real);
	free(dir);
}

/*
 * A reader parses the file in a tight loop while 200 rewrites happen; it
 * must never see anything but a whole, valid file.
 */
static void
t_atomic_reader(void)
{
	struct known k = { xray_known };
	struct corewrite_user w[5];
	char *path, err[256];
	int pfd[2], i, rc, changed, status;
	pid_t pid;

	memcpy(w, xray_now, sizeof(xray_now));
	w[4] = (struct corewrite_user){ "newbie", "vless-in", PROTO_VLESS,
		UUID_N, NULL };
	path = fixture("xray.json", "atomic.json");
	if (pipe(pfd) == -1) {
		ok(0, "atomic: pipe: %s", strerror(errno));
		free(path);
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		long reads, bad;
		char buf;
		char *t;
		size_t len;
		json_tokener *tok;
		json_object *o;

		close(pfd[1]);
		(void)fcntl(pfd[0], F_SETFL, O_NONBLOCK);
		reads = 0;
		bad = 0;
		alarm(120);
		while (read(pfd[0], &buf, 1) == -1 && errno == EAGAIN) {
			if ((t = slurp(path, &len)) == NULL) {
				bad++;
				continue;
			}
			tok = json_tokener_new();
			o = json_tokener_parse_ex(tok, t, (int)len);
			if (o == NULL ||
			    json_tokener_get_error(tok) !=
				json_tokener_success ||
			    !json_object_is_type(o, json_type_object))
				bad++;
			if (o != NULL)
				json_object_put(o);
			json_tokener_free(tok);
			free(t);
			reads++;
		}
		_exit(bad > 0 ? 1 : reads == 0 ? 2 : 0);
	}
	close(pfd[0]);
	changed = 0;
	for (i = 0; i < 200; i++) {
		rc = corewrite_sync(path, CORE_XRAY, w, i % 2 == 0 ? 5 : 4,
		    is_known, &k, NULL, err, sizeof(err));
		if (rc == 1)
			changed++;
		else
			tap_diag("rewrite %d: %d %s", i, rc, err);
	}
	close(pfd[1]);
	status = -1;
	(void)waitpid(pid, &status, 0);
	is_int(changed, 200, "atomic: 200 rewrites");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "atomic: the reader only ever saw whole valid files (status %d)",
	    status);
	same_rest(path, "xray.json", CORE_XRAY, "atomic");
	free(path);
}

/* A sync waits for the lock; two writers lose none of each other's users. */
static void
t_lock(void)
{
	static const char *const ka[] = { "a0", "a1", "a2", "a3", "a4", "a5",
		"a6", "a7", "a8", "a9", NULL };
	static const char *const kb[] = { "b0", "b1", "b2", "b3", "b4", "b5",
		"b6", "b7", "b8", "b9", NULL };
	struct known k = { xray_known };
	struct corewrite_user w[10];
	struct timespec t0, t1;
	json_object *root;
	char *path, *lock, err[256], name[2][10][8];
	int pfd[2], fd, i, j, status, all;
	pid_t pid[2];
	char c;
	double ms;

	path = fixture("xray.json", "locked.json");
	lock = tmp("locked.json.lock");
	if (pipe(pfd) == -1) {
		ok(0, "lock: pipe");
		goto out;
	}
	fflush(stdout);
	if ((pid[0] = fork()) == 0) {
		close(pfd[0]);
		fd = open(lock, O_RDWR | O_CREAT, 0600);
		if (fd == -1 || flock(fd, LOCK_EX) == -1)
			_exit(1);
		(void)write(pfd[1], "x", 1);
		usleep(300 * 1000);
		_exit(0);
	}
	close(pfd[1]);
	(void)read(pfd[0], &c, 1);
	close(pfd[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	(void)corewrite_sync(
	    path, CORE_XRAY, xray_now, 4, is_known, &k, NULL, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	(void)waitpid(pid[0], &status, 0);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ok(ms >= 200, "lock: waited for the holder (%.0f ms)", ms);

	/* Two writers, each growing its own set of users one by one. */
	for (j = 0; j < 2; j++) {
		fflush(stdout);
		if ((pid[j] = fork()) == 0) {
			struct known mine = { j == 0 ? ka : kb };
			int bad = 0;

			alarm(60);
			for (i = 0; i < 10; i++) {
				snprintf(name[j][i], sizeof(name[j][i]), "%c%d",
				    j == 0 ? 'a' : 'b', i);
				w[i] = (struct corewrite_user){ name[j][i],
					"vmess-in", PROTO_VMESS, UUID_X, NULL };
				if (corewrite_sync(path, CORE_XRAY, w,
					(size_t)i + 1, is_known, &mine, NULL,
					err, sizeof(err)) != 1)
					bad++;
			}
			_exit(bad > 0 ? 1 : 0);
		}
	}
	all = 1;
	for (j = 0; j < 2; j++) {
		status = -1;
		(void)waitpid(pid[j], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			all = 0;
	}
	ok(all, "lock: both writers rewrote the file 10 times");
	root = load_json(path);
	is_int(count_users(root, "vmess-in", 0), 21,
	    "lock: carol + 10 + 10 users, no update lost");
	json_object_put(root);
out:
	free(path);
	free(lock);
}

static void
t_compare(void)
{
	char *a, *b, err[256];
	int rc;

	a = tmp("cmp-a.json");
	b = tmp("cmp-b.json");
	spit(a,
	    "{\"x\": 1, \"inbounds\": [{\"tag\": \"v\", \"protocol\": "
	    "\"vless\", \"settings\": {\"clients\": [1], \"f\": 1.0}}]}");
	spit(b,
	    "{\"x\": 1, \"inbounds\": [{\"tag\": \"v\", \"protocol\": "
	    "\"vless\", \"settings\": {\"clients\": [2, 3], \"f\": 1.0}}]}");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(rc, 0, "compare: clients ignored (%s)", err);
	spit(b,
	    "{\"x\": 1, \"inbounds\": [{\"tag\": \"v\", \"protocol\": "
	    "\"vless\", \"settings\": {\"clients\": [1], \"f\": 1}}]}");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(rc, 1, "compare: 1.0 and 1 differ");
	is_str(err, "inbounds[0].settings.f: the types differ",
	    "compare: names the place");
	spit(b,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": "
	    "\"vless\", \"settings\": {\"clients\": [1], \"f\": 1.0}}], "
	    "\"x\": 1}");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(rc, 1, "compare: key order matters (%s)", err);
	spit(b,
	    "{\"x\": 1, \"inbounds\": [{\"tag\": \"v\", \"protocol\": "
	    "\"socks\", \"settings\": {\"clients\": [1], \"f\": 1.0}}]}");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(rc, 1, "compare: protocol differs (%s)", err);
	spit(a,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"socks\", "
	    "\"settings\": {\"clients\": [1]}}]}");
	spit(b,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"socks\", "
	    "\"settings\": {\"clients\": [2]}}]}");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(rc, 1, "compare: clients of unmanaged inbounds count (%s)", err);
	spit(a, "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"vless\"}]}");
	spit(b,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": [2]}}]}");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(rc, 0, "compare: created settings ignored (%s)", err);
	spit(b,
	    "{\"inbounds\": [{\"tag\": \"v\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": [2], \"decryption\": \"none\"}}]}");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(
	    rc, 1, "compare: settings with more than clients counts (%s)", err);
	spit(b, "{\"inbounds\": [");
	rc = corecmp_files(a, b, CORE_XRAY, err, sizeof(err));
	is_int(rc, -1, "compare: invalid file is -1 (%s)", err);
	(void)unlink(a);
	(void)unlink(b);
	free(a);
	free(b);
}

int
main(void)
{

	if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
		top = ".";
	tmpdir = tmpdir_make("corewrite");
	(void)chmod(tmpdir, 0755);
	alarm(300);
	t_noop();
	t_series_xray();
	t_duplicates_and_bad_want();
	t_name_keys();
	t_number_scan();
	t_deterministic();
	t_singbox();
	t_refusals();
	t_mode_owner_symlink();
	t_atomic_reader();
	t_lock();
	t_compare();
	tmpdir_remove(tmpdir);
	return tap_done();
}
