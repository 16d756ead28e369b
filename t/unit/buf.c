/* Unit tests for lib/buf.c and lib/log.c's escaping. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "log.h"
#include "tap.h"

static void
t_buf(void)
{
	struct buf b;
	int i;

	buf_init(&b);
	is_str(buf_str(&b), "", "empty buffer is the empty string");
	buf_puts(&b, "abc");
	buf_putc(&b, '-');
	buf_printf(&b, "%d/%s", 42, "x");
	is_str(buf_str(&b), "abc-42/x", "puts, putc and printf append");
	buf_fill(&b, '=', 3);
	is_int((long long)b.len, 11, "fill adds N bytes");
	buf_reset(&b);
	is_str(buf_str(&b), "", "reset empties");
	for (i = 0; i < 10000; i++)
		buf_puts(&b, "0123456789");
	is_int((long long)b.len, 100000, "grows past many doublings");
	ok(b.data[b.len] == '\0', "always NUL-terminated");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0, "free zeroes");
	buf_free(&b);
	ok(1, "free twice is harmless");
}

static void
t_escape(void)
{
	char out[64];
	static const char raw[] = "a\"b\\c\nd\x01\xff";

	is_str(log_escape(raw, sizeof(raw) - 1, out, sizeof(out)),
	    "a\\\"b\\\\c\\nd\\x01\\xff", "control and high bytes escaped");
	is_str(log_escape("abcdefghij", 10, out, 8), "abcd...",
	    "cut with ... when the buffer is small");
	is_str(log_escape("", 0, out, sizeof(out)), "", "empty input");
}

int
main(void)
{
	t_buf();
	t_escape();
	return tap_done();
}
