/*
 * A growable byte buffer, always NUL-terminated after len bytes.  Response
 * bodies, text tables and config diagnostics are built in one.
 */
#ifndef V2S_BUF_H
#define V2S_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* owned; NULL until the first byte is added */
	size_t len;
	size_t cap;
};

/* Sets B to empty without freeing (for a zeroed or new struct). */
void buf_init(struct buf *b);
/* Appends N bytes of P. */
void buf_add(struct buf *b, const void *p, size_t n);
/* Appends the string S. */
void buf_puts(struct buf *b, const char *s);
/* Appends one byte. */
void buf_putc(struct buf *b, char c);
/* Appends C N times. */
void buf_fill(struct buf *b, char c, size_t n);
/* Appends formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));
/* Empties B, keeping its memory. */
void buf_reset(struct buf *b);
/* Returns the contents as a string ("" when empty); valid until changed. */
const char *buf_str(const struct buf *b);
/* Frees the memory and empties B; accepts a zeroed struct. */
void buf_free(struct buf *b);

#endif
