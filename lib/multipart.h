/*
 * Parsing of multipart/form-data bodies (RFC 7578), as curl -F sends them.
 * Parts point into the caller's body: nothing is copied.
 */
#ifndef V2S_MULTIPART_H
#define V2S_MULTIPART_H

#include <stddef.h>

#define MULTIPART_MAX_BOUNDARY 70 /* RFC 2046 */

struct mpart {
	char name[128]; /* form field name; "" if none */
	char filename[256]; /* "" if no filename parameter */
	const char *data; /* borrowed: points into the body */
	size_t len;
};

/*
 * Extracts the boundary from a Content-Type header value such as
 * "multipart/form-data; boundary=----X" (quoted or not) into OUT (at least
 * MULTIPART_MAX_BOUNDARY + 1 bytes).  Returns 0, or -1 if CTYPE is not
 * multipart/form-data or has no valid boundary.
 */
int multipart_boundary(const char *ctype, char *out, size_t outsz);

/*
 * Splits the LEN bytes of BODY into at most MAXPARTS parts delimited by
 * BOUNDARY.  Lines end in CRLF.  Each part must carry a
 * "Content-Disposition: form-data; name=..." header; other headers are
 * ignored; header blocks over 8 KiB are refused.  Returns the number of
 * parts (0..MAXPARTS), or -1 on malformed input (no closing delimiter,
 * too many parts, bad header), with a short English reason in ERR.
 */
int multipart_parse(const char *body, size_t len, const char *boundary,
    struct mpart *parts, size_t maxparts, char *err, size_t errsz);

/* Returns the first part named NAME, or NULL. */
const struct mpart *multipart_find(
    const struct mpart *parts, size_t n, const char *name);

#endif
