/*
 * Allocation that never returns NULL: out of memory is fatal in both
 * programs (spawn-fcgi or systemd restarts them), so callers have no
 * NULL branches for allocation.
 */
#ifndef V2S_XMALLOC_H
#define V2S_XMALLOC_H

#include <stddef.h>

/* malloc(3); fatal on failure; a zero size is a programming error. */
void *xmalloc(size_t size);
/* calloc(3); fatal on failure or overflow of NMEMB * SIZE. */
void *xcalloc(size_t nmemb, size_t size);
/* reallocarray(3); fatal on failure or overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/* strdup(3) / strndup(3); fatal on failure. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* asprintf(3); returns the new string (caller frees); fatal on failure. */
char *xasprintf(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

#endif
