/*
 * libFuzzer target for fcgi/http/multipart.c.  The first line of the input (up
 * to 200 bytes) is taken as a Content-Type value for multipart_boundary();
 * the rest is the body, parsed with the boundary found there (or "X").
 * Every part must lie inside the body and no part may be found twice.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpart parts[8];
	char ctype[201], boundary[MULTIPART_MAX_BOUNDARY + 1], err[128];
	const uint8_t *nl;
	char *body;
	size_t clen, blen, i;
	int n;

	nl = memchr(data, '\n', size < 200 ? size : 200);
	clen = nl != NULL ? (size_t)(nl - data) : (size < 200 ? size : 200);
	memcpy(ctype, data, clen);
	ctype[clen] = '\0';
	if (multipart_boundary(ctype, boundary, sizeof(boundary)) == 0) {
		blen = strlen(boundary);
		if (blen == 0 || blen > MULTIPART_MAX_BOUNDARY)
			abort();
	} else
		strcpy(boundary, "X");

	data += clen;
	size -= clen;
	if (size > 0 && nl != NULL) {
		data++;
		size--;
	}
	body = malloc(size ? size : 1);
	if (body == NULL)
		return 0;
	memcpy(body, data, size);
	n = multipart_parse(body, size, boundary, parts, 8, err, sizeof(err));
	if (n < -1 || n > 8)
		abort();
	if (n == -1 && err[0] == '\0')
		abort();
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		if (parts[i].data < body || parts[i].len > size ||
		    parts[i].data + parts[i].len > body + size)
			abort();
		if (strlen(parts[i].name) >= sizeof(parts[i].name) ||
		    strlen(parts[i].filename) >= sizeof(parts[i].filename))
			abort();
		if (multipart_find(parts, (size_t)n, parts[i].name) == NULL)
			abort();
		if (i > 0 &&
		    parts[i].data < parts[i - 1].data + parts[i - 1].len)
			abort();
	}
	(void)multipart_find(parts, n > 0 ? (size_t)n : 0, "users_file");
	/* the same body with fewer slots must agree or fail */
	if (n > 1 &&
	    multipart_parse(body, size, boundary, parts, 1, err, sizeof(err)) !=
		-1)
		abort();
	free(body);
	return 0;
}
