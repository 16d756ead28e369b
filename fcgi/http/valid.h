/*
 * Validators for every parameter the API accepts.  Each is a pure function
 * with a table test in t/unit/valid.c.  On failure they return -1 and, where
 * they take ERR, put a short lower-case English reason there.
 */
#ifndef V2S_VALID_H
#define V2S_VALID_H

#include <stddef.h>

#define VALID_USER_MAX_CHARS 40 /* the original's limit, in characters */
#define VALID_USER_MAX_BYTES 160
#define VALID_CRED_MAX 64 /* trojan password, bytes */
#define VALID_TAG_MAX 64

/* 1 if the N bytes at S are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF), else 0. */
int valid_utf8(const char *s, size_t n);

/*
 * A user name (the core's "email"): 1..40 characters of valid UTF-8, at
 * most 160 bytes; no control characters (C0, DEL, C1), no whitespace, no
 * ',' (the bulk file separator), no '"' or '\\', no ">>>" (it breaks the
 * core's counter names) and no "||" (the separator of the fail2ban lines
 * of the IP limit, which could not name such a user).
 * Checks run in this order, the first failure giving the reason: "empty",
 * "is not valid UTF-8", "too long (max 40 characters)", then character by
 * character "contains whitespace" (Go's unicode.IsSpace set, so a tab is
 * whitespace, not a control character), "contains a control character",
 * "contains ','", "contains a quote or backslash", then "contains '>>>'"
 * and "contains '||'".
 * A NULL S counts as empty; ERR may be NULL.
 */
int valid_user(const char *s, char *err, size_t errsz);

/* A UUID 8-4-4-4-12 of hex digits (any case).  0 or -1. */
int valid_uuid(const char *s);
/* Writes the lower-case form of a valid UUID S into OUT (37 bytes). */
void uuid_normalize(const char *s, char out[37]);
/*
 * Fills OUT (37 bytes) with a new random version-4 UUID, lower case
 * (getrandom(2), /dev/urandom if the kernel lacks it).  If the kernel gives
 * no random bytes at all this calls fatal(): a guessable credential is
 * worse than a dead process (like xmalloc's out-of-memory policy).
 */
void uuid_generate(char out[37]);

/* A trojan password: 1..64 bytes of printable ASCII 0x21-0x7e except ','.
 * Reasons: "empty", "too long (max 64 bytes)", "contains ','",
 * "contains a character other than printable ASCII (no spaces)". */
int valid_password(const char *s, char *err, size_t errsz);
/* Fills OUT (LEN + 1 bytes) with LEN random [A-Za-z0-9], without bias
 * (rejection sampling); fatal() like uuid_generate() without randomness. */
void password_generate(char *out, size_t len);

/* An inbound tag: 1..64 bytes of [A-Za-z0-9._-]. */
int valid_tag(const char *s);

/*
 * Go's strconv.ParseBool spellings: 1 t T TRUE true True, 0 f F FALSE
 * false False.  Sets *OUT to 1 or 0 and returns 0; -1 otherwise.
 */
int parse_bool(const char *s, int *out);

/*
 * A decimal integer in [MIN, MAX]: an optional '-' (only if MIN < 0), then
 * 1..19 digits; no blanks, no '+' ("007" is 7).  Returns 0 and sets *OUT,
 * or -1 on an empty string, any other character, or a value out of range.
 */
int parse_int(const char *s, long long min, long long max, long long *out);

#endif
