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
 * The media type and parameter names are matched without regard to case;
 * other parameters (charset=...) must be well-formed and are ignored; a
 * quoted value may use backslash escapes.  A valid boundary is 1..70
 * characters of RFC 2046 bchars (letters, digits, '()+_,-./:=? and space)
 * not ending in a space.  Two boundary parameters are refused.  OUTSZ
 * smaller than the boundary + 1 is -1.
 */
int multipart_boundary(const char *ctype, char *out, size_t outsz);

/*
 * Splits the LEN bytes of BODY into at most MAXPARTS parts delimited by
 * BOUNDARY.  Lines end in CRLF.  Each part must carry a
 * "Content-Disposition: form-data; name=..." header; other headers are
 * ignored; header blocks over 8 KiB are refused.  Returns the number of
 * parts (0..MAXPARTS), or -1 on malformed input (no closing delimiter,
 * too many parts, bad header), with a short English reason in ERR.
 *
 * Details decided here:
 * - A delimiter is "--BOUNDARY" at the very start of BODY or right after a
 *   CRLF, followed by optional blanks and CRLF; "--BOUNDARY--" closes (what
 *   follows it, the epilogue, is ignored, as is a preamble before the first
 *   delimiter).  "--BOUNDARY" followed by anything else is part data.  A
 *   delimiter line ending in a bare LF is refused, not skipped.
 * - A part's data runs up to (not including) the CRLF before the next
 *   delimiter; it may hold any byte, NUL included.
 * - Header lines need "Name: value" with a token name; control characters
 *   (bare CR/LF, NUL) in them are refused; obsolete line folding is not
 *   supported.  Content-Disposition must appear exactly once, with type
 *   form-data and a name parameter (name="" gives ""); name/filename are
 *   tokens or quoted strings with backslash escapes; a repeated parameter,
 *   a name over 127 or a filename over 255 bytes is an error; unknown
 *   parameters (filename*=...) are ignored.
 * - PARTS may be NULL when MAXPARTS is 0.  On error the contents of PARTS
 *   are unspecified.
 */
int multipart_parse(const char *body, size_t len, const char *boundary,
    struct mpart *parts, size_t maxparts, char *err, size_t errsz);

/* Returns the first part named NAME, or NULL. */
const struct mpart *multipart_find(
    const struct mpart *parts, size_t n, const char *name);

#endif
