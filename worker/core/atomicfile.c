/*
 * Atomic replacement of a file under a lock (see atomicfile.h): the
 * temporary file beside the target, its owner and mode, the fsyncs, the
 * check that nobody changed the target meanwhile, the rename, and the
 * flock(2) on "PATH.lock".
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "xmalloc.h"

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int
atomicfile_replace(const char *target, int oldfd, const struct stat *st,
    const char *data, size_t len, char *err, size_t errsz)
{
	struct stat now, tst;
	const char *slash;
	char *dir, *tmp;
	int fd, dfd, rc;

	rc = -1;
	fd = -1;
	dfd = -1;
	slash = strrchr(target, '/');
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == target)
		dir = xstrdup("/");
	else
		dir = xstrndup(target, (size_t)(slash - target));
	tmp =
	    xasprintf("%s/.%s.XXXXXX", dir, slash != NULL ? slash + 1 : target);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "cannot create a file in '%s': %s", dir,
		    strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (write_all(fd, data, len) == -1) {
		snprintf(
		    err, errsz, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (fstat(fd, &tst) == -1) {
		snprintf(
		    err, errsz, "cannot stat '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if ((tst.st_uid != st->st_uid || tst.st_gid != st->st_gid) &&
	    fchown(fd, st->st_uid, st->st_gid) == -1) {
		snprintf(err, errsz,
		    "cannot give the new '%s' its owner %lu:%lu: %s", target,
		    (unsigned long)st->st_uid, (unsigned long)st->st_gid,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, st->st_mode & 07777) == -1) {
		snprintf(err, errsz, "cannot give the new '%s' its mode: %s",
		    target, strerror(errno));
		goto out;
	}
	if (fsync(fd) == -1) {
		snprintf(
		    err, errsz, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		snprintf(
		    err, errsz, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* Someone who does not take our lock wrote it meanwhile? */
	if (fstat(oldfd, &now) == -1 || !same_file(st, &now) ||
	    stat(target, &now) == -1 || !same_file(st, &now)) {
		snprintf(err, errsz,
		    "'%s' changed while it was being rewritten; not replaced",
		    target);
		goto out;
	}
	if (rename(tmp, target) == -1) {
		snprintf(err, errsz, "cannot rename '%s' to '%s': %s", tmp,
		    target, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		(void)fsync(dfd);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	free(dir);
	return rc;
}

int
atomicfile_lock(const char *path, char *err, size_t errsz)
{
	char *lpath;
	int fd;

	lpath = xasprintf("%s.lock", path);
	fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		snprintf(err, errsz, "cannot open the lock '%s': %s", lpath,
		    strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX) == -1) {
		if (errno == EINTR)
			continue;
		snprintf(
		    err, errsz, "cannot lock '%s': %s", lpath, strerror(errno));
		close(fd);
		fd = -1;
		break;
	}
out:
	free(lpath);
	return fd;
}
