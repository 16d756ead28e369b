/*
 * The core config as both programs keep it: read again only when the file
 * changed (its device, inode, size or modification time), so a request or
 * a poll costs one stat(2) while the file stays as it is.
 */
#ifndef V2S_CORECACHE_H
#define V2S_CORECACHE_H

#include <sys/stat.h>

#include <stddef.h>

#include "cfg.h"
#include "corecfg.h"

struct corecache {
	struct corecfg cc; /* owned: the config as last read */
	dev_t dev; /* the file's identity, size and mtime then */
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int loaded; /* cc holds a config */
};

/*
 * Returns the core config at PATH (shape of TYPE), reading it again when
 * the file changed since the last read.  When it cannot be read or parsed,
 * returns NULL with the reason in ERR ("cannot read '/x': No such file or
 * directory", "line 3: ...") and keeps the last good one
 * (corecache_last()).  The config belongs to C until the next call.
 */
const struct corecfg *corecache_get(struct corecache *c, const char *path,
    enum core_type type, char *err, size_t errsz);

/* The config of the last successful read, or NULL if there was none. */
const struct corecfg *corecache_last(const struct corecache *c);

/* Frees what C holds and zeroes it; accepts a zeroed struct. */
void corecache_free(struct corecache *c);

#endif
