/* Unit tests for worker/core/disabled_users.c: the original's side file, read once. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "corecfg.h"
#include "disabled_users.h"
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

static const struct core_client *
find(const struct core_client *u, size_t n, const char *email, const char *tag)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(u[i].email, email) == 0 &&
		    strcmp(u[i].inbound_tag, tag) == 0)
			return &u[i];
	return NULL;
}

static void
t_xray(void)
{
	struct core_client *u;
	const struct core_client *c;
	char *path, err[256];
	size_t n;
	int rc;

	path = data("disabled-xray.json");
	rc = disabled_users_read(path, CORE_XRAY, &u, &n, err, sizeof(err));
	is_int(rc, 0, "xray: read (%s)", err);
	is_int((long long)n, 3,
	    "xray: erin twice, frank; no credential and shadowsocks skipped");
	c = find(u, n, "erin", "vless-in");
	ok(c != NULL, "xray: erin in vless-in");
	if (c != NULL) {
		is_str(c->credential, "77777777-7777-4777-8777-777777777777",
		    "xray: erin's uuid");
		is_str(c->flow, "xtls-rprx-vision", "xray: erin's flow");
		is_int(c->proto, PROTO_VLESS, "xray: erin's vless proto");
	}
	c = find(u, n, "erin", "trojan-in");
	ok(c != NULL && c->proto == PROTO_TROJAN &&
		strcmp(c->credential, "erin-pass") == 0 && c->flow == NULL,
	    "xray: erin in trojan-in with a password");
	c = find(u, n, "frank", "vless-in");
	ok(c != NULL && c->flow == NULL, "xray: frank without flow");
	ok(find(u, n, "gina", "ss-in") == NULL,
	    "xray: shadowsocks user not imported");
	disabled_users_free(u, n);
	free(path);
}

static void
t_singbox(void)
{
	struct core_client *u;
	const struct core_client *c;
	char *path, err[256];
	size_t n;
	int rc;

	path = data("disabled-singbox.json");
	rc = disabled_users_read(path, CORE_SINGBOX, &u, &n, err, sizeof(err));
	is_int(rc, 0, "sing-box: read (%s)", err);
	is_int((long long)n, 2, "sing-box: two users");
	c = find(u, n, "erin", "vless-in");
	ok(c != NULL && c->proto == PROTO_VLESS &&
		strcmp(c->credential, "77777777-7777-4777-8777-777777777777") ==
		    0 &&
		c->flow != NULL && strcmp(c->flow, "xtls-rprx-vision") == 0,
	    "sing-box: erin by name/uuid/flow");
	c = find(u, n, "hal", "trojan-in");
	ok(c != NULL && c->proto == PROTO_TROJAN &&
		strcmp(c->credential, "hal-pass") == 0,
	    "sing-box: hal by name/password");
	disabled_users_free(u, n);

	/* Read with the wrong shape: no users found, not an error. */
	rc = disabled_users_read(path, CORE_XRAY, &u, &n, err, sizeof(err));
	ok(rc == 0 && n == 0, "sing-box file read as xray: nothing");
	disabled_users_free(u, n);
	free(path);
}

static void
t_failures(void)
{
	struct core_client *u;
	char *path, err[256];
	size_t n;
	int rc;

	path = xasprintf("%s/nonexistent", tmpdir);
	u = (struct core_client *)&n; /* must be reset */
	n = 7;
	rc = disabled_users_read(path, CORE_XRAY, &u, &n, err, sizeof(err));
	ok(rc == 1 && u == NULL && n == 0, "missing file: 1, nothing");
	rc = disabled_users_retire(path, err, sizeof(err));
	is_int(rc, 1, "missing file: retire says 1");
	free(path);

	path = data("disabled-invalid.json");
	err[0] = '\0';
	rc = disabled_users_read(path, CORE_XRAY, &u, &n, err, sizeof(err));
	ok(rc == -1 && u == NULL && n == 0, "invalid file: -1");
	ok(err[0] != '\0', "invalid file: says why (%s)", err);
	free(path);

	path = xasprintf("%s/adir", tmpdir);
	(void)mkdir(path, 0755);
	rc = disabled_users_read(path, CORE_XRAY, &u, &n, err, sizeof(err));
	ok(rc == -1 && n == 0, "a directory: -1 (%s)", err);
	(void)rmdir(path);
	free(path);
}

static void
t_retire(void)
{
	struct stat st;
	struct core_client *u;
	char *path, *imp, *imp1, err[256];
	size_t n;
	int rc, i;
	FILE *f;

	path = xasprintf("%s/.disabled_users", tmpdir);
	imp = xasprintf("%s.imported", path);
	imp1 = xasprintf("%s.imported.1", path);
	for (i = 0; i < 2; i++) {
		if ((f = fopen(path, "w")) == NULL) {
			ok(0, "retire: cannot create %s", path);
			goto out;
		}
		fprintf(f, "{\"inbounds\": [], \"round\": %d}\n", i);
		fclose(f);
		rc = disabled_users_retire(path, err, sizeof(err));
		is_int(rc, 0, "retire %d: 0 (%s)", i, err);
		ok(stat(path, &st) == -1 && errno == ENOENT,
		    "retire %d: the side file is gone", i);
		rc = disabled_users_read(
		    path, CORE_XRAY, &u, &n, err, sizeof(err));
		is_int(rc, 1, "retire %d: nothing left to import", i);
	}
	ok(stat(imp, &st) == 0, "retire: first kept as .imported");
	ok(stat(imp1, &st) == 0,
	    "retire: second as .imported.1 (first not overwritten)");
	{
		char buf[64] = "";

		if ((f = fopen(imp, "r")) != NULL) {
			if (fgets(buf, sizeof(buf), f) == NULL)
				buf[0] = '\0';
			fclose(f);
		}
		ok(strstr(buf, "\"round\": 0") != NULL,
		    "retire: .imported holds the first file");
	}
out:
	(void)unlink(imp);
	(void)unlink(imp1);
	free(path);
	free(imp);
	free(imp1);
}

int
main(void)
{

	if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
		top = ".";
	tmpdir = tmpdir_make("disabled");
	t_xray();
	t_singbox();
	t_failures();
	t_retire();
	tmpdir_remove(tmpdir);
	return tap_done();
}
