/* Test helper: a private directory for a test's files (see tmpdir.h). */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tmpdir.h"

static char tmpdir[4096];
static const char *top; /* the directory being walked */

const char *
tmpdir_make(const char *name)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/v2s-%s-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp", name);
	if (mkdtemp(tmpdir) == NULL) {
		tap_diag("mkdtemp %s: %s", tmpdir, strerror(errno));
		exit(1);
	}
	return tmpdir;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (top != NULL && strcmp(path, top) == 0)
		return 0;
	if (remove(path) == -1) {
		tap_diag("remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
tmpdir_empty(const char *dir)
{
	int rc;

	top = dir;
	rc = nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	top = NULL;
	return rc == 0 ? 0 : -1;
}

int
tmpdir_remove(const char *dir)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return -1;
	return 0;
}
