/*
 * Replacing a file atomically under a lock: a reader sees the old or the
 * new file, never a part of one, and two writers that take the lock do not
 * lose each other's changes.  Used for the proxy core's config file.
 */
#ifndef V2S_ATOMICFILE_H
#define V2S_ATOMICFILE_H

#include <sys/stat.h>

#include <stddef.h>

/*
 * Takes an exclusive flock(2) on "PATH.lock" (created with mode 0600 if
 * missing, never through a symlink), waiting for it.  Returns the lock's
 * fd, which the caller closes to release the lock, or -1 with a reason in
 * ERR ("cannot open the lock 'PATH.lock': ...", "cannot lock ...").
 */
int atomicfile_lock(const char *path, char *err, size_t errsz);

/*
 * Replaces TARGET with the LEN bytes of DATA.  TARGET is open as OLDFD and
 * ST is its fstat(2) from when it was read.  A temporary file ".NAME.XXXXXX"
 * in TARGET's directory gets the data, ST's owner (when it differs from
 * ours) and mode, and an fsync; it is renamed over TARGET and the directory
 * is fsynced.  Returns 0, or -1 with a reason in ERR and TARGET untouched
 * (the temporary file removed) if anything fails, if the new file cannot be
 * given ST's owner, or if TARGET changed since ST (its identity, size or
 * mtime, through OLDFD or by name: a writer that does not take the lock).
 */
int atomicfile_replace(const char *target, int oldfd, const struct stat *st,
    const char *data, size_t len, char *err, size_t errsz);

#endif
