/*
 * User names as the core compares them.  v2fly and Xray keep an inbound's
 * users in a map keyed by strings.ToLower(email) (Go: unicode.ToLower rune
 * by rune, the Unicode simple lower-case mapping; Debian's v2ray 4.34 is
 * built with Go 1.19, Unicode 13.0.0), so "Ärger" and "ärger", or "kate"
 * and "Kate" with U+212A KELVIN SIGN, are one user to the core: the second
 * is refused as "already exists" and removing one removes the other.
 * VMess also removes a user by strings.EqualFold, which also equates the
 * members of a simple case-folding orbit ("s" and U+017F LONG S, final
 * and other sigma, U+00B5 MICRO SIGN and mu, ...).
 *
 * The name key joins both: two names are one user to the core, for any
 * protocol, exactly when their keys are equal.  ASCII names key to their
 * ASCII lower case.  The tables come from lib/namefold_gen.py at build
 * time, checked against Go 1.19's own.
 *
 * Bytes that are not valid UTF-8 are read as Go reads them: each byte that
 * does not start a complete, shortest, non-surrogate sequence up to
 * U+10FFFF is one U+FFFD (an overlong "\xC0\x80" is two U+FFFD).
 */
#ifndef V2S_NAMEFOLD_H
#define V2S_NAMEFOLD_H

#include <stddef.h>
#include <stdint.h>

/* Go's unicode.ToLower of the code point CP (Unicode 13.0.0); anything
 * that is not a code point with a mapping comes back as is. */
uint32_t namefold_lower(uint32_t cp);

/* The key of the code point CP (see above); CP itself if it has none. */
uint32_t namefold_key(uint32_t cp);

/*
 * Decodes the code point at S (N > 0 bytes) as Go's utf8.DecodeRune:
 * returns its length with the code point in *CP, or 1 with U+FFFD in *CP
 * for a byte that does not start a valid sequence.
 */
size_t namefold_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Go's strings.ToLower of the N bytes at S: a new NUL-terminated string
 * (free() it). */
char *name_lower(const char *s, size_t n);

/* The name key of the N bytes at S: a new NUL-terminated string (free()
 * it), valid UTF-8. */
char *name_key_n(const char *s, size_t n);

/* name_key_n() of the NUL-terminated S. */
char *name_key(const char *s);

/*
 * Compares the keys of the NUL-terminated names A and B, without
 * allocating: <0, 0 or >0 as strcmp() would compare their name_key()
 * strings (code point order).
 */
int name_key_cmp(const char *a, const char *b);

/* A hash of the key of the NUL-terminated S (equal keys, equal hashes). */
uint64_t name_key_hash(const char *s);

#endif
