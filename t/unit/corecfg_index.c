/*
 * Unit tests for lib/corecfg_index.c: the indexes of the core config's
 * clients answer as a scan in file order would, and with O(log n) key
 * comparisons per lookup (counted, not timed).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "corecache.h"
#include "corecfg.h"
#include "tap.h"
#include "tmpdir.h"
#include "xmalloc.h"

static const char *dir;

/* Writes TEXT to DIR/NAME; returns the path (caller frees). */
static char *
write_file(const char *name, const char *text, size_t len)
{
	char *path;
	FILE *f;

	path = xasprintf("%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, len, f) != len ||
	    fclose(f) != 0) {
		tap_diag("cannot write %s", path);
		exit(1);
	}
	return path;
}

/* "EMAIL/TAG" of C, or "(none)". */
static const char *
who(const struct core_client *c)
{
	static char s[256];

	if (c == NULL)
		return "(none)";
	snprintf(s, sizeof(s), "%s/%s", c->email, c->inbound_tag);
	return s;
}

static const char small[] =
    "{\"inbounds\": [\n"
    " {\"tag\": \"vless-in\", \"protocol\": \"vless\", \"settings\": "
    "{\"clients\": [\n"
    "  {\"email\": \"Alice\", \"id\": "
    "\"AAAAAAAA-0000-4000-8000-000000000001\"},\n"
    "  {\"email\": \"bob\", \"id\": "
    "\"aaaaaaaa-0000-4000-8000-000000000002\"},\n"
    "  {\"email\": \"carol\", \"id\": "
    "\"aaaaaaaa-0000-4000-8000-000000000002\"}]}},\n"
    " {\"tag\": \"trojan-in\", \"protocol\": \"trojan\", \"settings\": "
    "{\"clients\": [\n"
    "  {\"email\": \"alice\", \"password\": \"PassW0rd\"},\n"
    "  {\"email\": \"dave\", \"password\": \"aaaaaaaa-0000-4000-8000-"
    "000000000002\"}]}},\n"
    " {\"tag\": \"socks-in\", \"protocol\": \"socks\"}]}\n";

static void
t_answers(void)
{
	struct corecfg cc;
	char err[256], *path;

	path = write_file("small.json", small, sizeof(small) - 1);
	if (corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err)) == -1) {
		tap_diag("%s", err);
		exit(1);
	}
	is_int((long long)cc.nindexed, 5, "every client indexed");
	is_str(who(corecfg_find_name(&cc, "alice")), "Alice/vless-in",
	    "a name in two inbounds: the first in the file");
	is_str(who(corecfg_find_name(&cc, "ALICE")), "Alice/vless-in",
	    "names ignore ASCII case");
	is_str(who(corecfg_find_name(&cc, "Dave")), "dave/trojan-in",
	    "a name of a later inbound");
	is_str(who(corecfg_find_name(&cc, "alic")), "(none)", "a prefix");
	is_str(who(corecfg_find_name(&cc, "alicee")), "(none)", "longer");
	is_str(who(corecfg_find_name(&cc, "")), "(none)", "the empty name");
	is_str(who(corecfg_find_name(&cc, "zz")), "(none)", "after the last");

	is_str(who(corecfg_find_cred(&cc, "vless-in",
		   "aaaaaaaa-0000-4000-8000-000000000001", PROTO_VLESS)),
	    "Alice/vless-in", "a UUID ignores case (upper in the file)");
	is_str(who(corecfg_find_cred(&cc, "vless-in",
		   "AAAAAAAA-0000-4000-8000-000000000002", PROTO_VLESS)),
	    "bob/vless-in", "a UUID twice in one inbound: the first");
	is_str(who(corecfg_find_cred(&cc, "trojan-in",
		   "aaaaaaaa-0000-4000-8000-000000000002", PROTO_TROJAN)),
	    "dave/trojan-in", "the same text in another inbound");
	is_str(
	    who(corecfg_find_cred(&cc, "trojan-in", "PassW0rd", PROTO_TROJAN)),
	    "alice/trojan-in", "a trojan password as it is");
	is_str(
	    who(corecfg_find_cred(&cc, "trojan-in", "passw0rd", PROTO_TROJAN)),
	    "(none)", "a trojan password does not ignore case");
	is_str(who(corecfg_find_cred(&cc, "vless-in", "PassW0rd", PROTO_VLESS)),
	    "(none)", "credentials are per inbound");
	is_str(who(corecfg_find_cred(&cc, "socks-in",
		   "aaaaaaaa-0000-4000-8000-000000000002", PROTO_VLESS)),
	    "(none)", "an inbound without users");
	is_str(who(corecfg_find_cred(&cc, NULL, "PassW0rd", PROTO_TROJAN)),
	    "(none)", "no tag");
	corecfg_free(&cc);
	is_int((long long)cc.nindexed, 0, "freed");

	memset(&cc, 0, sizeof(cc));
	ok(corecfg_find_name(&cc, "a") == NULL &&
		corecfg_find_cred(&cc, "t", "c", PROTO_VLESS) == NULL,
	    "an empty (zeroed) config finds nothing");
	unlink(path);
	free(path);
}

/* The cache reads a changed file again, and the index follows it. */
static void
t_cache(void)
{
	static const char one[] =
	    "{\"inbounds\": [{\"tag\": \"t\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": [{\"email\": \"first\", \"id\": "
	    "\"aaaaaaaa-0000-4000-8000-000000000001\"}]}}]}\n";
	static const char two[] =
	    "{\"inbounds\": [{\"tag\": \"t\", \"protocol\": \"vless\", "
	    "\"settings\": {\"clients\": [{\"email\": \"second\", \"id\": "
	    "\"aaaaaaaa-0000-4000-8000-000000000002\"}]}}]}\n";
	struct corecache cache;
	const struct corecfg *cc;
	char err[256], *path;

	memset(&cache, 0, sizeof(cache));
	path = write_file("cache.json", one, sizeof(one) - 1);
	cc = corecache_get(&cache, path, CORE_XRAY, err, sizeof(err));
	ok(cc != NULL && corecfg_find_name(cc, "first") != NULL,
	    "cache: the first file's user is found");
	free(path);
	path = write_file("cache.json", two, sizeof(two) - 1);
	cc = corecache_get(&cache, path, CORE_XRAY, err, sizeof(err));
	ok(cc != NULL && corecfg_find_name(cc, "first") == NULL &&
		corecfg_find_name(cc, "second") != NULL &&
		corecfg_find_cred(cc, "t",
		    "aaaaaaaa-0000-4000-8000-000000000002",
		    PROTO_VLESS) != NULL,
	    "cache: after the file changed, the index is the new file's");
	corecache_free(&cache);
	unlink(path);
	free(path);
}

/*
 * N clients; each lookup must cost at most ceil(log2 N) + 2 comparisons
 * (a scan costs N / 2 on average).
 */
static void
t_work(size_t n)
{
	struct corecfg cc;
	struct buf b;
	const struct core_client *c;
	char err[256], name[32], cred[64], *path;
	unsigned long before, used, bound, log2n;
	size_t i, lookups = 0, wrong = 0;

	buf_init(&b);
	buf_printf(&b,
	    "{\"inbounds\": [{\"tag\": \"vless-in\", \"protocol\": "
	    "\"vless\", \"settings\": {\"clients\": [");
	for (i = 0; i < n; i++)
		buf_printf(&b,
		    "%s{\"email\": \"User%07zu\", \"id\": "
		    "\"%08zx-0000-4000-8000-%012zx\"}",
		    i > 0 ? "," : "", i, i, i);
	buf_printf(&b, "]}}]}\n");
	path = write_file("big.json", b.data, b.len);
	buf_free(&b);
	if (corecfg_load(&cc, path, CORE_XRAY, err, sizeof(err)) == -1) {
		tap_diag("%s", err);
		exit(1);
	}
	is_int((long long)cc.nindexed, (long long)n, "%zu clients indexed", n);

	before = corecfg_find_compares();
	/* Every 50th user, present and absent, by name and credential. */
	for (i = 0; i < n; i += 50) {
		snprintf(name, sizeof(name), "user%07zu", i);
		c = corecfg_find_name(&cc, name);
		wrong += c == NULL || strcasecmp(c->email, name) != 0;
		snprintf(name, sizeof(name), "user%07zux", i);
		wrong += corecfg_find_name(&cc, name) != NULL;
		snprintf(
		    cred, sizeof(cred), "%08zX-0000-4000-8000-%012zX", i, i);
		c = corecfg_find_cred(&cc, "vless-in", cred, PROTO_VLESS);
		wrong += c == NULL || strcasecmp(c->credential, cred) != 0;
		cred[0] = 'f';
		wrong += corecfg_find_cred(
			     &cc, "vless-in", cred, PROTO_VLESS) != NULL;
		lookups += 4;
	}
	used = corecfg_find_compares() - before;
	for (log2n = 0; ((size_t)1 << log2n) < n; log2n++)
		;
	bound = (unsigned long)lookups * (log2n + 2);
	is_int((long long)wrong, 0, "%zu lookups in %zu clients: all right",
	    lookups, n);
	ok(used <= bound,
	    "%zu lookups in %zu clients: %lu key comparisons (at most %lu: "
	    "log2 n + 2 each; a scan would make about %zu)",
	    lookups, n, used, bound, lookups * n / 2);
	corecfg_free(&cc);
	unlink(path);
	free(path);
}

int
main(void)
{
	dir = tmpdir_make("corecfg-index");
	t_answers();
	t_cache();
	t_work(1000);
	t_work(100000);
	tmpdir_remove(dir);
	return tap_done();
}
