#include "config.h"

/*
 * The side file has the core config's shape, so lib/corecfg.c reads it;
 * this module only adds "missing is fine" and the one-time retirement.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "corecfg.h"
#include "disabled_users.h"
#include "xmalloc.h"

#define DU_MAX_SUFFIX 99

int
disabled_users_read(const char *path, enum core_type type,
    struct core_client **out, size_t *n, char *err, size_t errsz)
{
	struct corecfg cc;
	struct stat st;

	*out = NULL;
	*n = 0;
	if (errsz > 0)
		err[0] = '\0';
	if (stat(path, &st) == -1 && errno == ENOENT)
		return 1;
	if (corecfg_load(&cc, path, type, err, errsz) == -1)
		return -1;
	*out = cc.clients;
	*n = cc.nclients;
	cc.clients = NULL;
	cc.nclients = 0;
	corecfg_free(&cc);
	return 0;
}

void
disabled_users_free(struct core_client *users, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(users[i].email);
		free(users[i].credential);
		free(users[i].inbound_tag);
		free(users[i].flow);
	}
	free(users);
}

/* rename(2) FROM to TO unless TO exists: 0, or -1 with errno (EEXIST). */
static int
rename_noreplace(const char *from, const char *to)
{
	struct stat st;

	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* The file system cannot do it atomically: check, then rename. */
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

int
disabled_users_retire(const char *path, char *err, size_t errsz)
{
	const char *slash;
	char *to, *dir;
	int i, rc, dfd;

	if (errsz > 0)
		err[0] = '\0';
	rc = -1;
	to = NULL;
	for (i = 0; i <= DU_MAX_SUFFIX; i++) {
		free(to);
		to = i == 0 ? xasprintf("%s.imported", path)
			    : xasprintf("%s.imported.%d", path, i);
		if (rename_noreplace(path, to) == 0) {
			rc = 0;
			break;
		}
		if (errno == ENOENT) {
			rc = 1;
			goto out;
		}
		if (errno != EEXIST) {
			snprintf(err, errsz, "cannot rename '%s' to '%s': %s",
			    path, to, strerror(errno));
			goto out;
		}
	}
	if (rc != 0) {
		snprintf(err, errsz,
		    "cannot retire '%s': '%s.imported' .. '.%d' all exist",
		    path, path, DU_MAX_SUFFIX);
		goto out;
	}
	slash = strrchr(path, '/');
	dir = slash == NULL ? xstrdup(".")
	    : slash == path ? xstrdup("/")
			    : xstrndup(path, (size_t)(slash - path));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
out:
	free(to);
	return rc;
}
