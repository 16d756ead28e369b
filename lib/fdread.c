#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdread.h"
#include "xmalloc.h"

int
fd_read_all(int fd, size_t max, size_t hint, char **text, size_t *len)
{
	size_t cap, n = 0;
	ssize_t r;
	char *p;
	int saved;

	*text = NULL;
	*len = 0;
	/* one byte more than expected, to see the end without a regrow */
	cap = (hint < max ? hint : max) + 1;
	p = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			p = xreallocarray(p, cap + 1, 1);
		}
		r = read(fd, p + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	p[n] = '\0';
	*text = p;
	*len = n;
	return 0;
fail:
	saved = errno;
	free(p);
	errno = saved;
	return -1;
}
