/*
 * Parsing of application/x-www-form-urlencoded text: the query string and
 * urlencoded request bodies.  Hostile input is the normal case here.
 */
#ifndef V2S_FORM_H
#define V2S_FORM_H

#include <stddef.h>

struct form_limits {
	size_t max_params; /* most key=value pairs in one form */
	size_t max_key; /* longest decoded key, bytes */
	size_t max_value; /* longest decoded value, bytes */
};

struct form_param {
	char *key; /* owned, decoded, NUL-terminated, no NUL inside */
	char *value; /* owned, decoded, NUL-terminated, no NUL inside */
};

struct form {
	struct form_param *params; /* owned */
	size_t n;
};

enum form_err {
	FORM_OK,
	FORM_E2BIG, /* more than max_params pairs */
	FORM_EKEYLEN, /* a key longer than max_key */
	FORM_EVALLEN, /* a value longer than max_value */
	FORM_EESCAPE, /* a '%' not followed by two hex digits */
	FORM_ENUL, /* a decoded NUL byte (%00) in a key or value */
	FORM_EDUP, /* the same key twice (also across forms) */
	FORM_EEMPTYKEY, /* "=value" */
};

/*
 * Decodes the LEN bytes at S and appends its pairs to F (which may already
 * hold pairs from another form: a key present in both is FORM_EDUP).
 * '+' decodes to a space, %XX to its byte; empty segments ("a=1&&b=2") are
 * skipped; a key without '=' has the value "".  On error F is unchanged,
 * and *BADKEY (if BADKEY is not NULL) is set to a newly allocated copy of
 * the offending key, cut to max_key bytes, or NULL when there is none.
 * Returns FORM_OK or the first error.
 *
 * Details decided here:
 * - S need not be NUL-terminated; S may be NULL when LEN is 0.  Only '&'
 *   separates pairs (';' is an ordinary byte); the first '=' splits.
 * - max_params counts the pairs of this call only, not those already in F.
 * - Checks run pair by pair in input order; within a pair: empty raw key
 *   (EEMPTYKEY), key escape/NUL, key length, value escape/NUL, value
 *   length, duplicate, count.  A raw NUL byte in S is FORM_ENUL too.
 * - *BADKEY is the decoded key, except when the key itself cannot be
 *   decoded (EESCAPE/ENUL in the key): then it is the raw, undecoded key.
 *   It is NULL for FORM_E2BIG and FORM_EEMPTYKEY.  It may hold any byte
 *   but NUL: escape it before printing or logging.
 * - Decoded bytes are not checked for UTF-8 (the validators do that).
 */
enum form_err form_parse(struct form *f, const char *s, size_t len,
    const struct form_limits *lim, char **badkey);

/* Returns the value of KEY, or NULL if it is absent. */
const char *form_get(const struct form *f, const char *key);

/* A short English text for ERR ("too many parameters", ...). */
const char *form_strerror(enum form_err err);

/* Frees all pairs and zeroes F; accepts a zeroed struct. */
void form_free(struct form *f);

#endif
