/* Unit tests for lib/fdread.c: whole-file reads and their size limit. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdread.h"
#include "tap.h"

/* A pipe holding N bytes of 'x' (N <= 60000, within the pipe buffer). */
static int
pipe_of(size_t n)
{
	static char x[60000];
	int fds[2];

	memset(x, 'x', sizeof(x));
	if (pipe(fds) == -1 || write(fds[1], x, n) != (ssize_t)n)
		return -1;
	close(fds[1]);
	return fds[0];
}

static void
t_sizes(void)
{
	static const struct {
		size_t n, max, hint;
		int ok;
		const char *what;
	} c[] = {
		{ 0, 10, 0, 1, "empty" },
		{ 10, 10, 0, 1, "exactly max, no hint" },
		{ 10, 10, 10, 1, "exactly max, exact hint" },
		{ 10, 10, 3, 1, "exactly max, low hint" },
		{ 11, 10, 0, 0, "one byte over max" },
		{ 11, 10, 100, 0, "over max, hint above max" },
		{ 50000, 60000, 1, 1, "many regrows" },
		{ 50000, 49999, 50000, 0, "large, one over" },
	};
	char *text;
	size_t i, len;
	int fd, rc;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if ((fd = pipe_of(c[i].n)) == -1) {
			ok(0, "%s: pipe", c[i].what);
			continue;
		}
		errno = 0;
		rc = fd_read_all(fd, c[i].max, c[i].hint, &text, &len);
		close(fd);
		if (c[i].ok) {
			is_int(rc, 0, "%s: read", c[i].what);
			is_int((long long)len, (long long)c[i].n, "%s: length",
			    c[i].what);
			ok(text != NULL && text[len] == '\0' &&
				(len == 0 || text[len - 1] == 'x'),
			    "%s: NUL-terminated", c[i].what);
		} else {
			is_int(rc, -1, "%s: refused", c[i].what);
			is_int(errno, EFBIG, "%s: EFBIG", c[i].what);
			ok(text == NULL && len == 0, "%s: nothing returned",
			    c[i].what);
		}
		free(text);
	}
}

int
main(void)
{
	char *text = (char *)1;
	size_t len = 1;

	t_sizes();
	is_int(fd_read_all(-1, 10, 0, &text, &len), -1, "bad fd: -1");
	is_int(errno, EBADF, "bad fd: errno kept");
	ok(text == NULL && len == 0, "bad fd: nothing returned");
	return tap_done();
}
