/* Unit tests for lib/corecfg.c: the core's JSON config, friendly and not. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "corecfg.h"
#include "tap.h"
#include "xmalloc.h"

static const char *top;

static char *
data(const char *name)
{
	return xasprintf("%s/t/data/%s", top, name);
}

/* Loads t/data/NAME; returns the result, ERR holds the reason. */
static int
load(struct corecfg *cc, const char *name, enum core_type type, char *err,
    size_t errsz)
{
	char *path;
	int rc;

	path = data(name);
	rc = corecfg_load(cc, path, type, err, errsz);
	free(path);
	return rc;
}

static const struct core_client *
client(const struct corecfg *cc, const char *email)
{
	size_t i;

	for (i = 0; i < cc->nclients; i++)
		if (strcmp(cc->clients[i].email, email) == 0)
			return &cc->clients[i];
	return NULL;
}

static void
t_xray(void)
{
	struct corecfg cc;
	const struct core_inbound *in;
	const struct core_client *c;
	char err[256];
	int rc;

	rc = load(&cc, "corecfg-xray.json", CORE_XRAY, err, sizeof(err));
	is_int(rc, 0, "xray: loads (with comments): %s", err);
	is_int((long long)cc.ninbounds, 5, "xray: five inbounds");
	is_str(cc.api_tag, "api", "xray: api tag");
	is_int((long long)cc.noutbounds, 2, "xray: untagged outbound skipped");
	if (cc.noutbounds == 2) {
		is_str(cc.outbounds[0], "direct", "xray: outbound 1");
		is_str(cc.outbounds[1], "blocked", "xray: outbound 2");
	}

	in = corecfg_inbound(&cc, "vless-in");
	ok(in != NULL, "xray: vless-in found");
	if (in != NULL) {
		is_int(in->proto, PROTO_VLESS, "vless-in: proto");
		is_str(in->protocol, "vless", "vless-in: protocol text");
		is_int(in->port, 443, "vless-in: numeric port");
		is_str(in->flow, "xtls-rprx-vision", "vless-in: first flow");
	}
	in = corecfg_inbound(&cc, "vmess-in");
	ok(in != NULL && in->port == 8443 && in->proto == PROTO_VMESS &&
		in->flow == NULL,
	    "vmess-in: port given as a digit string, no flow");
	in = corecfg_inbound(&cc, "trojan-in");
	ok(in != NULL && in->port == 0 && in->proto == PROTO_TROJAN,
	    "trojan-in: a port range is port 0");
	in = corecfg_inbound(&cc, "socks-in");
	ok(in != NULL && in->proto == PROTO_OTHER && in->port == 1080,
	    "socks-in: other protocol");
	in = corecfg_inbound(&cc, "ss-in");
	ok(in != NULL && in->proto == PROTO_OTHER,
	    "ss-in: shadowsocks is other");
	ok(corecfg_inbound(&cc, "nope") == NULL, "unknown tag: NULL");
	ok(corecfg_inbound(&cc, NULL) == NULL, "NULL tag: NULL");

	is_int((long long)cc.nclients, 4, "xray: four managed clients");
	c = client(&cc, "alice");
	ok(c != NULL &&
		strcmp(c->credential, "11111111-1111-4111-8111-111111111111") ==
		    0 &&
		strcmp(c->inbound_tag, "vless-in") == 0 &&
		c->proto == PROTO_VLESS && c->flow != NULL &&
		strcmp(c->flow, "xtls-rprx-vision") == 0,
	    "alice: vless id, tag, flow");
	c = client(&cc, "bob");
	ok(c != NULL && c->flow == NULL, "bob: no flow");
	c = client(&cc, "carol");
	ok(c != NULL && c->proto == PROTO_VMESS &&
		strcmp(c->inbound_tag, "vmess-in") == 0,
	    "carol: vmess");
	c = client(&cc, "dave");
	ok(c != NULL && c->proto == PROTO_TROJAN &&
		strcmp(c->credential, "dave-secret") == 0,
	    "dave: trojan password is the credential");
	ok(client(&cc, "erin") == NULL,
	    "trojan client with only an id "
	    "skipped");
	ok(client(&cc, "frank") == NULL, "shadowsocks clients not managed");
	corecfg_free(&cc);
	ok(cc.inbounds == NULL && cc.nclients == 0 && cc.api_tag == NULL,
	    "free zeroes");
	corecfg_free(&cc);
	ok(1, "free twice");

	/* The same file read as sing-box finds no protocols and no api. */
	rc = load(&cc, "corecfg-xray.json", CORE_SINGBOX, err, sizeof(err));
	is_int(rc, 0, "xray file as sing-box: loads");
	ok(cc.api_tag == NULL && cc.nclients == 0 && cc.ninbounds == 5,
	    "xray file as sing-box: shapes do not mix");
	corecfg_free(&cc);
}

static void
t_v2fly(void)
{
	struct corecfg cc;
	const struct core_inbound *in;
	char err[256];
	int rc;

	rc = load(&cc, "corecfg-v2fly.json", CORE_V2FLY, err, sizeof(err));
	is_int(rc, 0, "v2fly: loads: %s", err);
	is_str(cc.api_tag, "api", "v2fly: api tag");
	is_int((long long)cc.ninbounds, 2, "v2fly: two inbounds");
	in = corecfg_inbound(&cc, "api");
	ok(in != NULL && in->proto == PROTO_OTHER && in->port == 10085 &&
		strcmp(in->protocol, "dokodemo-door") == 0,
	    "v2fly: api inbound is other");
	is_int((long long)cc.nclients, 1, "v2fly: one client");
	if (cc.nclients == 1) {
		is_str(cc.clients[0].email, "gina@example.org", "v2fly: email");
		is_str(cc.clients[0].credential,
		    "44444444-4444-4444-8444-444444444444", "v2fly: id");
		is_str(cc.clients[0].inbound_tag, "vmess-in", "v2fly: tag");
	}
	corecfg_free(&cc);
}

static void
t_singbox(void)
{
	struct corecfg cc;
	const struct core_inbound *in;
	const struct core_client *c;
	char err[256];
	int rc;

	rc = load(&cc, "corecfg-singbox.json", CORE_SINGBOX, err, sizeof(err));
	is_int(rc, 0, "sing-box: loads: %s", err);
	ok(cc.api_tag == NULL, "sing-box: no api tag even if present");
	is_int((long long)cc.ninbounds, 4, "sing-box: four inbounds");
	in = corecfg_inbound(&cc, "vless-in");
	ok(in != NULL && in->proto == PROTO_VLESS && in->port == 443 &&
		in->flow != NULL && strcmp(in->flow, "xtls-rprx-vision") == 0,
	    "sing-box: vless-in type, listen_port, flow");
	in = corecfg_inbound(&cc, "vmess-in");
	ok(in != NULL && in->port == 0, "sing-box: port 70000 is 0");
	in = corecfg_inbound(&cc, "mixed-in");
	ok(in != NULL && in->proto == PROTO_OTHER && in->port == 2080,
	    "sing-box: mixed is other");
	is_int((long long)cc.nclients, 3, "sing-box: three users");
	c = client(&cc, "alice");
	ok(c != NULL &&
		strcmp(c->credential, "55555555-5555-4555-8555-555555555555") ==
		    0,
	    "sing-box: vless uuid");
	ok(client(&cc, "bob") == NULL,
	    "sing-box: vless user without uuid "
	    "skipped");
	c = client(&cc, "carol");
	ok(c != NULL && c->proto == PROTO_TROJAN &&
		strcmp(c->credential, "carol-pass") == 0,
	    "sing-box: trojan password");
	c = client(&cc, "dave");
	ok(c != NULL && c->proto == PROTO_VMESS, "sing-box: vmess uuid");
	is_int((long long)cc.noutbounds, 2, "sing-box: outbounds");
	corecfg_free(&cc);
}

static void
t_hostile(void)
{
	struct corecfg cc;
	const struct core_inbound *in;
	const struct core_client *c;
	char err[256];
	int rc;

	rc = load(&cc, "corecfg-hostile.json", CORE_XRAY, err, sizeof(err));
	is_int(rc, 0, "hostile: still loads: %s", err);
	ok(cc.api_tag == NULL, "hostile: numeric api tag ignored");
	is_int((long long)cc.ninbounds, 8, "hostile: non-objects skipped");
	if (cc.ninbounds == 8) {
		is_str(cc.inbounds[0].tag, "", "numeric tag becomes \"\"");
		is_int(cc.inbounds[0].port, 0, "port -1 is 0");
		is_int(cc.inbounds[1].proto, PROTO_OTHER, "no protocol: other");
		is_str(cc.inbounds[1].protocol, "", "no protocol: \"\"");
		is_int(cc.inbounds[1].port, 0, "port 65536 is 0");
		is_int(cc.inbounds[2].port, 0, "port 1.5 is 0");
		is_int(cc.inbounds[3].port, 0, "port \"443x\" is 0");
		is_int(cc.inbounds[4].port, 0, "port \"\" is 0");
		is_int(cc.inbounds[5].port, 65535, "port \"65535\"");
		is_int(cc.inbounds[6].port, 0, "port true is 0");
		ok(cc.inbounds[6].flow == NULL,
		    "first client without flow: inbound flow NULL");
	}
	is_int((long long)cc.nclients, 4, "hostile: only fitting clients");
	c = client(&cc, "t1");
	ok(c != NULL && strcmp(c->inbound_tag, "") == 0,
	    "client of an untagged inbound");
	c = client(&cc, "flow-number");
	ok(c != NULL && c->flow == NULL, "numeric flow ignored");
	c = client(&cc, "good");
	ok(c != NULL && strcmp(c->credential, "uuid-4") == 0 &&
		strcmp(c->flow, "xtls-rprx-vision") == 0,
	    "nested junk next to a good client");
	ok(client(&cc, "nul") == NULL, "email with a NUL byte skipped");
	ok(client(&cc, "id-number") == NULL, "numeric id skipped");
	ok(client(&cc, "empty-id") == NULL, "empty id skipped");
	c = client(&cc, "shadowed");
	ok(c != NULL && c->proto == PROTO_VMESS,
	    "client of a duplicate tag keeps its own proto");
	in = corecfg_inbound(&cc, "odd-clients");
	ok(in != NULL && in->proto == PROTO_VLESS,
	    "duplicate tag: the first inbound is returned");
	is_int((long long)cc.noutbounds, 1, "hostile: one fitting outbound");
	if (cc.noutbounds == 1)
		is_str(cc.outbounds[0], "ok", "hostile: outbound tag");
	corecfg_free(&cc);

	rc = load(&cc, "corecfg-types.json", CORE_XRAY, err, sizeof(err));
	is_int(rc, 0, "wrong member types: loads");
	ok(cc.ninbounds == 0 && cc.noutbounds == 0 && cc.nclients == 0 &&
		cc.api_tag == NULL,
	    "wrong member types: nothing taken");
	corecfg_free(&cc);
	rc = load(&cc, "corecfg-types.json", CORE_SINGBOX, err, sizeof(err));
	is_int(rc, 0, "wrong member types as sing-box: loads");
	corecfg_free(&cc);
}

static void
t_failures(void)
{
	static const struct {
		const char *file;
		const char *want; /* '@' stands for the path */
	} cases[] = {
		{ "corecfg-invalid.json",
		    "line 3: quoted object property name expected" },
		{ "corecfg-truncated.json", "line 4: unexpected end of file" },
		{ "corecfg-empty.json", "'@' holds no JSON" },
		{ "corecfg-array.json",
		    "'@': the top level is not a JSON object" },
		{ "corecfg-trailing.json",
		    "line 3: unexpected data after the JSON value" },
		{ "corecfg-deep.json", "line 1: nesting too deep" },
		{ "no-such-file.json",
		    "cannot read '@': No such file or directory" },
	};
	struct corecfg cc;
	char err[512], *path, *want;
	const char *at;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = data(cases[i].file);
		if ((at = strchr(cases[i].want, '@')) != NULL)
			want = xasprintf("%.*s%s%s", (int)(at - cases[i].want),
			    cases[i].want, path, at + 1);
		else
			want = xstrdup(cases[i].want);
		memset(&cc, 0xa5, sizeof(cc));
		rc = corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err));
		is_int(rc, -1, "%s: fails", cases[i].file);
		is_str(err, want, "%s: reason", cases[i].file);
		ok(cc.inbounds == NULL && cc.ninbounds == 0 &&
			cc.clients == NULL && cc.api_tag == NULL,
		    "%s: result zeroed", cases[i].file);
		corecfg_free(&cc);
		free(want);
		free(path);
	}

	path = data("");
	rc = corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err));
	is_int(rc, -1, "a directory fails");
	ok(strstr(err, "not a regular file") != NULL, "directory: %s", err);
	corecfg_free(&cc);
	free(path);

	path = xasprintf("%s/v2s-corecfg-fifo-%ld",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0'
		? getenv("TMPDIR")
		: "/tmp",
	    (long)getpid());
	if (mkfifo(path, 0600) == 0) {
		rc = corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err));
		is_int(rc, -1, "a FIFO fails without blocking");
		ok(strstr(err, "not a regular file") != NULL, "FIFO: %s", err);
		unlink(path);
	}
	free(path);

	rc = corecfg_load(&cc, "/nonexistent", CORE_XRAY, err, 8);
	is_int(rc, -1, "small error buffer");
	is_int((long long)strlen(err), 7, "error cut to the buffer");
	corecfg_free(&cc);
}

/* Writes N bytes to a temp file; returns its path (caller frees). */
static char *
tmpfile_with(const void *p, size_t n, off_t size)
{
	const char *dir;
	char *path;
	int fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	path = xasprintf("%s/v2s-corecfg-XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1 || write(fd, p, n) != (ssize_t)n ||
	    (size > 0 && ftruncate(fd, size) == -1)) {
		tap_diag("temp file: %s", strerror(errno));
		exit(1);
	}
	close(fd);
	return path;
}

static void
t_files(void)
{
	static const char nul[] = "{\"inbounds\": []}\0junk";
	static const char crlf[] = "{\r\n\"api\": {\"tag\": \"a\"},\r\n\"x\": "
				   "}\r\n";
	struct corecfg cc;
	char err[512], *path, *want;
	int rc;

	/* Over 64 MiB (sparse, so the test stays cheap). */
	path = tmpfile_with("{}", 2, (off_t)64 * 1024 * 1024 + 1);
	rc = corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err));
	want = xasprintf("'%s' is larger than 64 MiB", path);
	is_int(rc, -1, "file over 64 MiB refused");
	is_str(err, want, "too large reason");
	unlink(path);
	free(path);
	free(want);

	/* Exactly 64 MiB is read (spaces after the object). */
	path = tmpfile_with(
	    "{\"api\":{\"tag\":\"big\"}}", 21, (off_t)64 * 1024 * 1024);
	rc = corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err));
	is_int(rc, -1, "64 MiB of object and NULs is not JSON");
	is_str(err, "line 1: unexpected data after the JSON value",
	    "exactly 64 MiB is read, not refused");
	corecfg_free(&cc);
	unlink(path);
	free(path);

	path = tmpfile_with(nul, sizeof(nul) - 1, 0);
	rc = corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err));
	is_int(rc, -1, "a NUL byte after the object is refused");
	is_str(
	    err, "line 1: unexpected data after the JSON value", "NUL reason");
	corecfg_free(&cc);
	unlink(path);
	free(path);

	path = tmpfile_with(crlf, sizeof(crlf) - 1, 0);
	rc = corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err));
	is_int(rc, -1, "CRLF file with an error fails");
	is_str(err, "line 3: unexpected character", "line counted over CRLF");
	corecfg_free(&cc);
	unlink(path);
	free(path);

	is_str(proto_name(PROTO_VLESS), "vless", "proto_name vless");
	is_str(proto_name(PROTO_VMESS), "vmess", "proto_name vmess");
	is_str(proto_name(PROTO_TROJAN), "trojan", "proto_name trojan");
	is_str(proto_name(PROTO_OTHER), "other", "proto_name other");
}

int
main(void)
{
	if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
		top = ".";
	t_xray();
	t_v2fly();
	t_singbox();
	t_hostile();
	t_failures();
	t_files();
	return tap_done();
}
