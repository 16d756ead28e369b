/*
 * A set of strings compared without regard to ASCII case (the core
 * compares user emails that way).  Open addressing; strings are copied.
 */
#ifndef V2S_STRSET_H
#define V2S_STRSET_H

#include <stddef.h>

struct strset {
	char **slots; /* owned; NULL = empty */
	size_t cap; /* power of two */
	size_t n;
};

/* Adds S (copied) unless already present; returns 1 if added, else 0. */
int strset_add(struct strset *set, const char *s);
/* strset_add() as a callback: SET is a struct strset. */
void strset_add_fn(void *set, const char *s);
/* 1 if S is in the set (ignoring case), else 0. */
int strset_has(const struct strset *set, const char *s);
/* Frees everything and zeroes SET; accepts a zeroed struct. */
void strset_free(struct strset *set);

#endif
