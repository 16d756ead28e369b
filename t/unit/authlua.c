/*
 * Unit tests for worker/core/sha224.c (the FIPS 180-4 examples and the
 * padding's edges) and worker/core/authlua.c: Lua string literals for
 * hostile names, the users table found and replaced in a script that is
 * kept, and the file written only when it changes.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlua.h"
#include "buf.h"
#include "sha224.h"
#include "tap.h"
#include "tmpdir.h"
#include "xmalloc.h"

static void
check_sha(const char *in, size_t len, const char *want, const char *what)
{
	char hex[SHA224_HEX_SIZE];

	sha224_hex(in, len, hex);
	is_str(hex, want, "SHA-224 of %s", what);
}

static void
test_sha224(void)
{
	static const struct {
		size_t n;
		const char *hex;
	} as[] = {
		{ 55,
		    "fb0bd626a70c28541dfa781bb5cc4d7d7f56622a58f01a0b1ddd646"
		    "f" },
		{ 56,
		    "d40854fc9caf172067136f2e29e1380b14626bf6f0dd06779f820dc"
		    "d" },
		{ 63,
		    "1d4e051f4d6fed2a63fd2421e65834cec00d64456553de3496ae8b1"
		    "d" },
		{ 64,
		    "a88cd5cde6d6fe9136a4e58b49167461ea95d388ca2bdb7afdc3cbf"
		    "4" },
		{ 65,
		    "ff8716f600af42959d0efb52e1f21b01bb328733009344d511c299f"
		    "b" },
		{ 119,
		    "e000e6709d26667b631faa7fc1bd404eb4774003c5fb4f51a018487"
		    "5" },
		{ 120,
		    "66924e30a9929327e7a6cf03747397226ed2efc180ebe3dea7132a7"
		    "9" },
	};
	const char *two =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char d[SHA224_LEN];
	char *a;
	size_t i;

	/* FIPS 180-4 examples (NIST's SHA224.pdf). */
	check_sha("abc", 3,
	    "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
	    "\"abc\"");
	check_sha(two, strlen(two),
	    "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525",
	    "the two-block message");
	check_sha("", 0,
	    "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f",
	    "the empty string");
	a = xmalloc(1000000);
	memset(a, 'a', 1000000);
	check_sha(a, 1000000,
	    "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67",
	    "a million 'a'");
	/* Where the length does or does not fit in the last block. */
	for (i = 0; i < sizeof(as) / sizeof(as[0]); i++)
		check_sha(a, as[i].n, as[i].hex, "'a' x N at a block edge");
	free(a);
	sha224("abc", 3, d);
	ok(d[0] == 0x23 && d[27] == 0xa7, "the raw digest is the hex's bytes");
}

static void
check_quote(const char *in, const char *want, const char *what)
{
	struct buf b;

	buf_init(&b);
	authlua_quote(&b, in);
	is_str(buf_str(&b), want, "quoted: %s", what);
	ok(strchr(buf_str(&b), '\n') == NULL, "one line: %s", what);
	buf_free(&b);
}

static void
test_quote(void)
{
	check_quote("ann", "\"ann\"", "a plain name");
	check_quote("", "\"\"", "the empty string");
	check_quote("a\"b", "\"a\\\"b\"", "a double quote");
	check_quote("a\\", "\"a\\\\\"", "a trailing backslash");
	check_quote("x\n}\nos.execute('id')--",
	    "\"x\\010}\\010os.execute('id')--\"", "newlines and code");
	check_quote("\001"
		    "1",
	    "\"\\0011\"", "a control byte before a digit keeps three digits");
	check_quote("a\rb\tc\x7f", "\"a\\013b\\009c\\127\"", "CR, tab, DEL");
	check_quote("]] = \"x\", [\"", "\"]] = \\\"x\\\", [\\\"\"",
	    "brackets and quotes");
	check_quote("Ёж@пример", "\"Ёж@пример\"", "UTF-8 as it is");
}

static char *
render(const char *old, const struct authlua_user *u, size_t n, char *err,
    size_t errsz)
{
	char *out = NULL;
	size_t len = 0;

	err[0] = '\0';
	if (authlua_render(old, strlen(old), u, n, &out, &len, err, errsz) ==
	    -1)
		return NULL;
	ok(strlen(out) == len, "the length is the text's");
	return out;
}

static const char script[] = "-- HAProxy auth\n"
			     "local log = core.Info\n"
			     "-- local users = {\n"
			     "local users = { -- name = uuid\n"
			     "  [\"old\"] = \"gone\",\n"
			     "  -- a comment inside\n"
			     "}\n"
			     "\n"
			     "local function check(txn)\n"
			     "  local t = { a = 1,\n"
			     "}\n"
			     "end\n";

static void
test_render(void)
{
	struct authlua_user u[] = {
		{ "ann", "11111111-2222-3333-4444-555555555555" },
		{ "x\"] = \"y\", [\"admin", "v\\" },
		{ "ann2", "hex" },
	};
	char err[256], *out, *again;

	out = render("", u, 3, err, sizeof(err));
	ok(out != NULL &&
		strstr(out,
		    "local users = {\n"
		    "  [\"ann\"] = "
		    "\"11111111-2222-3333-4444-555555555555\",\n"
		    "  [\"x\\\"] = \\\"y\\\", [\\\"admin\"] = "
		    "\"v\\\\\",\n"
		    "  [\"ann2\"] = \"hex\",\n"
		    "}\n\nreturn users\n") != NULL,
	    "an empty file becomes a table of its own");
	ok(out != NULL && strncmp(out, "-- ", 3) == 0, "with a comment first");
	again = out ? render(out, u, 3, err, sizeof(err)) : NULL;
	is_str(again, out, "rendering it again changes nothing");
	free(out);
	free(again);

	out = render(script, u, 1, err, sizeof(err));
	is_str(out,
	    "-- HAProxy auth\n"
	    "local log = core.Info\n"
	    "-- local users = {\n"
	    "local users = { -- name = uuid\n"
	    "  [\"ann\"] = \"11111111-2222-3333-4444-555555555555\",\n"
	    "}\n"
	    "\n"
	    "local function check(txn)\n"
	    "  local t = { a = 1,\n"
	    "}\n"
	    "end\n",
	    "the table's lines are replaced, the script around kept");
	free(out);

	out = render(script, u, 0, err, sizeof(err));
	ok(out != NULL && strstr(out, "uuid\n}\n\nlocal function") != NULL,
	    "no users: an empty table");
	free(out);

	out = render(
	    "local  users={}  -- none\nreturn users\n", u, 1, err, sizeof(err));
	is_str(out,
	    "local  users={\n"
	    "  [\"ann\"] = \"11111111-2222-3333-4444-555555555555\",\n"
	    "}  -- none\nreturn users\n",
	    "a one-line table is opened into lines");
	free(out);

	out = render("local users = {\r\n  [\"a\"] = \"b\",\r\n};\r\nx()\r\n",
	    u, 1, err, sizeof(err));
	is_str(out,
	    "local users = {\r\n"
	    "  [\"ann\"] = \"11111111-2222-3333-4444-555555555555\",\n"
	    "};\r\nx()\r\n",
	    "CRLF lines and \"};\" are understood");
	free(out);

	out = render("local usersx = {\n}\n", u, 1, err, sizeof(err));
	ok(out == NULL, "another variable is not the table");
	is_str(err, "no line \"local users = {\" in it", "why");
	free(out);
	out = render("print(1)\n", u, 1, err, sizeof(err));
	ok(out == NULL, "a file without the table is refused");
	free(out);
	out = render(
	    "local users = {\n  [\"a\"] = \"b\",\n", u, 1, err, sizeof(err));
	ok(out == NULL, "an unclosed table is refused");
	is_str(err, "the users table has no closing line \"}\"", "why");
	free(out);
	out = render("local users = {", u, 1, err, sizeof(err));
	ok(out == NULL, "an opening line at the end is unclosed");
	free(out);
	out = render(
	    "local users = { [\"a\"] = \"b\" }\n", u, 1, err, sizeof(err));
	ok(out == NULL, "a one-line table with entries is not ours to split");
	free(out);
}

static char *
slurp(const char *path)
{
	FILE *f;
	char *s;
	long n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return s;
}

static void
spew(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void
test_sync(const char *dir)
{
	struct authlua_user u[] = { { "ann", "u-1" }, { "bob", "u-2" } };
	struct stat st, st2;
	char *path, *link, *text, err[512];

	path = xasprintf("%s/auth.lua", dir);
	link = xasprintf("%s/link.lua", dir);
	umask(022);
	is_int(authlua_sync(path, u, 2, err, sizeof(err)), 1,
	    "a missing file is created");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "mode 0640 (it holds credentials)");
	text = slurp(path);
	ok(text != NULL && strstr(text, "  [\"bob\"] = \"u-2\",\n}\n") != NULL,
	    "with the users");
	free(text);
	is_int(authlua_sync(path, u, 2, err, sizeof(err)), 0,
	    "the same users: not written");
	ok(stat(path, &st2) == 0 && st2.st_ino == st.st_ino &&
		st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec &&
		st2.st_mtim.tv_sec == st.st_mtim.tv_sec,
	    "the file is the same file");

	spew(path, script);
	chmod(path, 0604);
	is_int(authlua_sync(path, u, 1, err, sizeof(err)), 1,
	    "an existing script is rewritten");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0604,
	    "it keeps its mode");
	text = slurp(path);
	ok(text != NULL && strstr(text, "local log = core.Info\n") != NULL &&
		strstr(text, "\"old\"") == NULL &&
		strstr(text, "[\"ann\"] = \"u-1\",\n}\n") != NULL &&
		strstr(text, "[\"bob\"]") == NULL,
	    "the script kept, the table replaced");
	free(text);

	ok(symlink("auth.lua", link) == 0, "a symlink to it");
	is_int(authlua_sync(link, u, 2, err, sizeof(err)), 1,
	    "written through the symlink");
	ok(lstat(link, &st) == 0 && S_ISLNK(st.st_mode),
	    "the symlink stays a symlink");
	text = slurp(path);
	ok(text != NULL && strstr(text, "[\"bob\"]") != NULL,
	    "its target has the users");
	free(text);

	spew(path, "print('no table')\n");
	is_int(authlua_sync(path, u, 2, err, sizeof(err)), -1,
	    "a file without the table is refused");
	ok(strstr(err, "auth.lua': no line") != NULL, "why: %s", err);
	text = slurp(path);
	is_str(text, "print('no table')\n", "and left as it was");
	free(text);

	unlink(path);
	is_int(authlua_sync(link, u, 2, err, sizeof(err)), -1,
	    "a dangling symlink is not followed");
	ok(access(path, F_OK) == -1, "nothing created where it points");
	free(path);
	path = xasprintf("%s/nodir/auth.lua", dir);
	is_int(authlua_sync(path, u, 2, err, sizeof(err)), -1,
	    "a missing directory is an error");
	free(path);
	free(link);
}

int
main(void)
{
	const char *dir;

	test_sha224();
	test_quote();
	test_render();
	dir = tmpdir_make("authlua");
	test_sync(dir);
	tmpdir_remove(dir);
	return tap_done();
}
