/* Unit tests for fcgi/http/fmt.c: traffic units and the stats tables. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fmt.h"
#include "tap.h"

struct ntest {
	int64_t v;
	const char *want;
};

static const struct ntest byte_tests[] = {
	{ 0, "0 B" },
	{ 1, "1 B" },
	{ 1023, "1023 B" },
	{ 1024, "1.00 KiB" },
	{ 1536, "1.50 KiB" },
	{ 1048575, "1024.00 KiB" },
	{ 1048576, "1.00 MiB" },
	{ 1572864, "1.50 MiB" },
	{ 1073741823, "1024.00 MiB" },
	{ 1073741824, "1.00 GiB" },
	{ 5497558138880LL, "5120.00 GiB" },
	{ INT64_MAX, "8589934592.00 GiB" },
	{ -1, "0 B" },
	{ INT64_MIN, "0 B" },
};

static const struct ntest rate_tests[] = {
	{ 0, "0 bps" },
	{ 999, "999 bps" },
	{ 1000, "1.00 Kbps" },
	{ 1500, "1.50 Kbps" },
	{ 999999, "1000.00 Kbps" },
	{ 1000000, "1.00 Mbps" },
	{ 123456789, "123.46 Mbps" },
	{ 10000000000LL, "10000.00 Mbps" },
	{ -5, "0 bps" },
};

static void
t_numbers(void)
{
	char out[32];
	size_t i;

	for (i = 0; i < sizeof(byte_tests) / sizeof(byte_tests[0]); i++) {
		fmt_bytes(byte_tests[i].v, out, sizeof(out));
		is_str(out, byte_tests[i].want, "bytes %lld",
		    (long long)byte_tests[i].v);
	}
	for (i = 0; i < sizeof(rate_tests) / sizeof(rate_tests[0]); i++) {
		fmt_rate(rate_tests[i].v, out, sizeof(out));
		is_str(out, rate_tests[i].want, "rate %lld",
		    (long long)rate_tests[i].v);
	}
	fmt_bytes(1536, out, 4);
	is_str(out, "1.5", "cut to OUTSZ");
}

static void
t_table(void)
{
	static const char *titles[] = { "User", "Rate", "Uplink" };
	static const int right[] = { 0, 1, 1 };
	static const char *r1[] = { "alice", "1.50 Kbps", "2.00 MiB" };
	static const char *r2[] = { "bob", "0 bps", "512 B" };
	struct table t;
	struct buf b;

	buf_init(&b);
	table_init(&t, 3, titles, right);
	table_add_row(&t, r1);
	table_add_row(&t, r2);
	table_render(&t, &b);
	is_str(buf_str(&b),
	    "User   Rate       Uplink    \n"
	    "-----  ---------  --------  \n"
	    "alice  1.50 Kbps  2.00 MiB  \n"
	    "bob        0 bps     512 B  \n",
	    "table byte for byte");
	table_free(&t);
	ok(t.cells == NULL && t.nrows == 0, "table_free zeroes rows");
	table_free(&t);

	/* no rows: header and dashes only */
	buf_reset(&b);
	table_init(&t, 3, titles, right);
	table_render(&t, &b);
	is_str(buf_str(&b),
	    "User  Rate  Uplink  \n"
	    "----  ----  ------  \n",
	    "empty table");
	table_free(&t);

	/* many rows (growth) */
	{
		static const char *one[] = { "x" };
		static const char *tt[] = { "N" };
		int i;

		buf_reset(&b);
		table_init(&t, 1, tt, NULL);
		for (i = 0; i < 1000; i++)
			table_add_row(&t, one);
		table_render(&t, &b);
		is_int((long long)b.len, 4 * 1002, "1000 rows rendered");
		table_free(&t);
	}
	buf_free(&b);
}

static void
t_long_and_odd(void)
{
	static const char *titles[] = { "Ips", "Lim" };
	static const int right[] = { 0, 1 };
	static const char *utitles[] = { "User", "Rate" };
	struct table t;
	struct buf b, want;
	char longv[301], utf[301];
	const char *row[2];
	int i;

	buf_init(&b);
	buf_init(&want);

	/* a 300-byte value is cut to 255 and sets the width */
	memset(longv, 'x', 300);
	longv[300] = '\0';
	table_init(&t, 2, titles, right);
	row[0] = longv;
	row[1] = "5";
	table_add_row(&t, row);
	row[0] = "1.2.3.4";
	row[1] = NULL;
	table_add_row(&t, row);
	table_render(&t, &b);
	buf_puts(&want, "Ips");
	buf_fill(&want, ' ', 254);
	buf_puts(&want, "Lim    \n");
	buf_fill(&want, '-', 255);
	buf_puts(&want, "  -----  \n");
	buf_fill(&want, 'x', 255);
	buf_puts(&want, "      5  \n");
	buf_puts(&want, "1.2.3.4");
	buf_fill(&want, ' ', 250);
	buf_puts(&want, "<nil>  \n");
	is_str(buf_str(&b), buf_str(&want), "300-byte value cut to 255");
	is_int((long long)strlen(t.cells[0]), 255, "stored cell cut");
	table_free(&t);

	/* a cut never splits a UTF-8 character */
	memset(utf, 'a', 254);
	utf[254] = '\xc3';
	utf[255] = '\xa9';
	utf[256] = '\0';
	table_init(&t, 2, titles, right);
	row[0] = utf;
	row[1] = "1";
	table_add_row(&t, row);
	is_int(
	    (long long)strlen(t.cells[0]), 254, "2-byte char at 254 dropped");
	table_free(&t);
	for (i = 0; i < 84; i++)
		memcpy(utf + 3 * i, "\xe2\x82\xac", 3); /* 252 bytes */
	memcpy(utf + 252, "\xf0\x9f\x98\x80", 4);
	utf[256] = '\0';
	table_init(&t, 2, titles, right);
	row[0] = utf;
	table_add_row(&t, row);
	is_int(
	    (long long)strlen(t.cells[0]), 252, "4-byte char at 252 dropped");
	table_free(&t);
	memset(utf, 'a', 255);
	memcpy(utf + 255, "\xc3\xa9", 3);
	table_init(&t, 2, titles, right);
	row[0] = utf;
	table_add_row(&t, row);
	is_int(
	    (long long)strlen(t.cells[0]), 255, "char after 255 dropped only");
	table_free(&t);

	/* UTF-8: width in bytes, padding in characters (as Go's fmt) */
	buf_reset(&b);
	table_init(&t, 2, utitles, right);
	row[0] = "\xd0\xae\xd0\xbb\xd1\x8f"; /* 3 characters, 6 bytes */
	row[1] = "\xe2\x82\xac"; /* 1 character, 3 bytes */
	table_add_row(&t, row);
	row[0] = "bob";
	row[1] = "1";
	table_add_row(&t, row);
	table_render(&t, &b);
	is_str(buf_str(&b),
	    "User    Rate  \n"
	    "------  ----  \n"
	    "\xd0\xae\xd0\xbb\xd1\x8f     "
	    "   \xe2\x82\xac  \n"
	    "bob        1  \n",
	    "UTF-8 cells padded by characters");
	table_free(&t);

	/* zero columns renders nothing */
	buf_reset(&b);
	table_init(&t, 0, NULL, NULL);
	table_add_row(&t, NULL);
	table_render(&t, &b);
	is_int((long long)b.len, 0, "no columns, no output");
	table_free(&t);

	buf_free(&b);
	buf_free(&want);
}

int
main(void)
{
	t_numbers();
	t_table();
	t_long_and_odd();
	return tap_done();
}
