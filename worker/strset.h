/*
 * A set of user names: compared by their name key, as the core compares
 * emails (lib/namefold.h), or, with EXACT set before the first add, byte
 * for byte.  Open addressing; strings are copied.
 */
#ifndef V2S_STRSET_H
#define V2S_STRSET_H

#include <stddef.h>

struct strset {
	char **slots; /* owned; NULL = empty */
	size_t cap; /* power of two */
	size_t n;
	int exact; /* 0: by name key; 1: exact bytes */
};

/* Adds S (copied) unless already present; returns 1 if added, else 0. */
int strset_add(struct strset *set, const char *s);
/* strset_add() as a callback: SET is a struct strset. */
void strset_add_fn(void *set, const char *s);
/* 1 if S is in the set (by name key, or exactly), else 0. */
int strset_has(const struct strset *set, const char *s);
/* Frees everything and zeroes SET (EXACT too); accepts a zeroed
 * struct. */
void strset_free(struct strset *set);

#endif
