/* The core config, read again only when the file changed (corecache.h). */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "corecache.h"

const struct corecfg *
corecache_get(struct corecache *c, const char *path, enum core_type type,
    char *err, size_t errsz)
{
	struct corecfg fresh;
	struct stat sb;

	if (stat(path, &sb) == -1) {
		snprintf(
		    err, errsz, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (c->loaded && sb.st_dev == c->dev && sb.st_ino == c->ino &&
	    sb.st_size == c->size && sb.st_mtim.tv_sec == c->mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == c->mtime.tv_nsec)
		return &c->cc;
	if (corecfg_load(&fresh, path, type, err, errsz) == -1)
		return NULL;
	corecfg_free(&c->cc);
	c->cc = fresh;
	c->dev = sb.st_dev;
	c->ino = sb.st_ino;
	c->size = sb.st_size;
	c->mtime = sb.st_mtim;
	c->loaded = 1;
	return &c->cc;
}

const struct corecfg *
corecache_last(const struct corecache *c)
{
	return c->loaded ? &c->cc : NULL;
}

void
corecache_free(struct corecache *c)
{
	corecfg_free(&c->cc);
	memset(c, 0, sizeof(*c));
}
