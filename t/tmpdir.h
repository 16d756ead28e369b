/* Test helper: a private directory for a test's files. */
#ifndef V2S_T_TMPDIR_H
#define V2S_T_TMPDIR_H

/*
 * Creates $TMPDIR/v2s-NAME-XXXXXX ($TMPDIR, else /tmp) and returns its
 * path, valid until tmpdir_remove(); exits with a diagnostic if it cannot.
 * One directory at a time.
 */
const char *tmpdir_make(const char *name);

/* Removes everything inside DIR; DIR stays.  0, or -1 (diagnosed). */
int tmpdir_empty(const char *dir);

/* Removes DIR and everything in it.  0, or -1 (diagnosed). */
int tmpdir_remove(const char *dir);

#endif
