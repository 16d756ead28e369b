/*
 * Unit tests for worker/corediff.c: which clients one version of the core
 * config had and the next lacks (names compared exactly), and whether a
 * traffic_stats row's tag is still an inbound or outbound of the config.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corediff.h"
#include "tap.h"
#include "tmpdir.h"

static const char *dir;

/* Loads the Xray config JSON into CC through a file; 0 or -1. */
static int
load(struct corecfg *cc, const char *json)
{
	char path[512], err[512];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(json, f);
	fclose(f);
	rc = corecfg_load(cc, path, CORE_XRAY, err, sizeof(err));
	if (rc == -1)
		tap_diag("%s", err);
	unlink(path);
	return rc;
}

static void
collect(void *arg, const char *name)
{
	char *s = arg;

	strcat(s, name);
	strcat(s, " ");
}

static const char v1[] =
    "{\"inbounds\": ["
    "{\"tag\": \"vless-in\", \"protocol\": \"vless\", \"port\": 1,"
    " \"settings\": {\"clients\": ["
    "{\"email\": \"alice\", \"id\": \"11111111-1111-1111-1111-111111111111\"},"
    "{\"email\": \"Bob\", \"id\": \"22222222-2222-2222-2222-222222222222\"},"
    "{\"email\": \"carol\", \"id\": \"33333333-3333-3333-3333-333333333333\"}"
    "]}},"
    "{\"tag\": \"trojan-in\", \"protocol\": \"trojan\", \"port\": 2,"
    " \"settings\": {\"clients\": [{\"email\": \"tom\", \"password\": \"p\"}]}}"
    "], \"outbounds\": [{\"tag\": \"direct\", \"protocol\": \"freedom\"},"
    " {\"tag\": \"block\", \"protocol\": \"blackhole\"}]}";

/* alice gone, Bob now "bob" (another name exactly), dave new, the trojan
 * inbound and the block outbound gone. */
static const char v2[] =
    "{\"inbounds\": ["
    "{\"tag\": \"vless-in\", \"protocol\": \"vless\", \"port\": 1,"
    " \"settings\": {\"clients\": ["
    "{\"email\": \"bob\", \"id\": \"22222222-2222-2222-2222-222222222222\"},"
    "{\"email\": \"carol\", \"id\": \"33333333-3333-3333-3333-333333333333\"},"
    "{\"email\": \"dave\", \"id\": \"44444444-4444-4444-4444-444444444444\"}"
    "]}}], \"outbounds\": [{\"tag\": \"direct\", \"protocol\": "
    "\"freedom\"}]}";

int
main(void)
{
	struct corecfg a, b;
	struct strset pa = { .exact = 1 }, pb = { .exact = 1 };
	char gone[256] = "";
	size_t n;
	int rc;

	dir = tmpdir_make("corediff");
	if (load(&a, v1) == -1 || load(&b, v2) == -1)
		return 1;
	corediff_names(&a, &pa);
	corediff_names(&b, &pb);
	is_int((int)pa.n, 4, "four clients in the first version");
	is_int((int)pb.n, 3, "three in the second");
	n = corediff_removed(&pa, &pb, collect, gone);
	is_int((int)n, 3, "three gone");
	ok(strstr(gone, "alice ") != NULL, "alice is gone (%s)", gone);
	ok(strstr(gone, "Bob ") != NULL, "Bob is gone: bob is another name");
	ok(strstr(gone, "tom ") != NULL, "tom is gone with his inbound");
	ok(strstr(gone, "carol") == NULL, "carol stayed");
	gone[0] = '\0';
	is_int((int)corediff_removed(&pb, &pb, collect, gone), 0,
	    "a version against itself: nothing gone");
	is_int((int)corediff_removed(&pb, &pa, collect, gone), 2,
	    "backwards: bob and dave are the ones gone");

	is_int(corediff_has_link(&a, 0, "trojan-in", 9), 1, "v1 has trojan-in");
	is_int(
	    corediff_has_link(&b, 0, "trojan-in", 9), 0, "v2 lost trojan-in");
	is_int(corediff_has_link(&b, 0, "vless-in", 8), 1, "v2 has vless-in");
	is_int(corediff_has_link(&b, 1, "vless-in", 8), 0,
	    "an inbound is not an outbound");
	is_int(corediff_has_link(&b, 1, "direct", 6), 1, "v2 has direct");
	is_int(corediff_has_link(&b, 1, "block", 5), 0, "v2 lost block");
	is_int(corediff_has_link(&b, 1, "directX", 6), 1,
	    "LEN bytes of the tag are compared");
	is_int(
	    corediff_has_link(&b, 1, "direc", 5), 0, "a prefix is not the tag");
	is_int(corediff_has_link(&b, 1, "DIRECT", 6), 0, "tags are exact");
	strset_free(&pa);
	strset_free(&pb);
	corecfg_free(&a);
	corecfg_free(&b);
	rc = tap_done();
	return tmpdir_remove(dir) == 0 ? rc : 1;
}
