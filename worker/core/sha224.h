/*
 * SHA-224 (FIPS 180-4): HAProxy's auth.lua keeps a trojan user's password
 * as the hex of its SHA-224, which is what trojan clients send.
 */
#ifndef V2S_SHA224_H
#define V2S_SHA224_H

#include <stddef.h>

#define SHA224_LEN 28 /* bytes of a digest */
#define SHA224_HEX_SIZE (2 * SHA224_LEN + 1) /* hex digits and the NUL */

/* Puts the SHA-224 digest of the LEN bytes at DATA in OUT. */
void sha224(const void *data, size_t len, unsigned char out[SHA224_LEN]);

/* Puts the digest as 56 lower-case hex digits and a NUL in OUT. */
void sha224_hex(const void *data, size_t len, char out[SHA224_HEX_SIZE]);

#endif
