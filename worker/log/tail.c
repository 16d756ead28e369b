/*
 * Following a log file exactly once (see tail.h for the contract).
 *
 * While not skipping an over-long line, buf[0..len) holds the bytes of the
 * file from pos.off to rd_off: a partial line (or, after the callback
 * asked to stop, complete lines not delivered yet).  While skipping, len
 * is 0 and pos.off stays at the start of the long line until its newline
 * is read.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tail.h"
#include "xmalloc.h"

struct tail {
	char *path;
	char *dir; /* where rotated copies are looked for */
	int fd; /* -1 while there is no file */
	struct tail_pos pos;
	int64_t rd_off; /* file offset of buf[len] */
	char *buf; /* TAIL_BUFSZ bytes */
	size_t len;
	size_t scanned; /* buf[0..scanned) holds no newline */
	size_t max_line;
	int skipping; /* discarding up to the next newline */
	int rot_pending; /* PATH is another (empty) file; old one drained */
	int rot_quiet; /* nothing read from the old file since then */
	int warned; /* an open error was logged already */
	struct tail_stats st;
};

static void
set_file(struct tail *t, int fd, const struct stat *sb, int64_t off)
{
	t->fd = fd;
	t->pos.dev = (uint64_t)sb->st_dev;
	t->pos.ino = (uint64_t)sb->st_ino;
	t->pos.off = off;
	t->rd_off = off;
	t->len = 0;
	t->scanned = 0;
	t->skipping = 0;
	t->rot_pending = 0;
	t->rot_quiet = 0;
	if (lseek(fd, (off_t)off, SEEK_SET) == -1)
		log_warn("tail: lseek %s", t->path);
}

static int
same_file(const struct stat *sb, uint64_t dev, uint64_t ino)
{
	return ino != 0 && (uint64_t)sb->st_dev == dev &&
	    (uint64_t)sb->st_ino == ino;
}

/* Is OFF 0 or just after a newline?  (Catches a truncated, refilled file.) */
static int
at_line_start(int fd, int64_t off)
{
	char c;

	if (off == 0)
		return 1;
	return pread(fd, &c, 1, (off_t)(off - 1)) == 1 && c == '\n';
}

/* Uses FD: resume at pos.off if it is the saved file and still valid. */
static void
adopt(struct tail *t, int fd, const struct stat *sb)
{
	if (same_file(sb, t->pos.dev, t->pos.ino)) {
		if ((int64_t)sb->st_size >= t->pos.off &&
		    at_line_start(fd, t->pos.off)) {
			set_file(t, fd, sb, t->pos.off);
			return;
		}
		t->st.truncations++;
	}
	set_file(t, fd, sb, 0);
}

/* Opens PATH read-only; returns the fd (with *SB) or -1. */
static int
open_path(struct tail *t, struct stat *sb)
{
	int fd;

	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT && !t->warned) {
			log_warn("tail: open %s", t->path);
			t->warned = 1;
		}
		return -1;
	}
	if (fstat(fd, sb) == -1 || !S_ISREG(sb->st_mode)) {
		if (!t->warned)
			log_warnx(
			    "tail: %s is not a readable regular file", t->path);
		t->warned = 1;
		close(fd);
		return -1;
	}
	t->warned = 0;
	return fd;
}

/* The saved file under another name in the same directory, or -1. */
static int
find_rotated(struct tail *t, uint64_t dev, uint64_t ino, struct stat *sb)
{
	DIR *d;
	struct dirent *de;
	int fd = -1;

	if ((d = opendir(t->dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, sb, AT_SYMLINK_NOFOLLOW) ==
			-1 ||
		    !S_ISREG(sb->st_mode) || !same_file(sb, dev, ino))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd != -1 &&
		    (fstat(fd, sb) == -1 || !same_file(sb, dev, ino))) {
			close(fd);
			fd = -1;
		}
		break;
	}
	closedir(d);
	return fd;
}

/* The offset just after the last newline before SIZE (0 if none). */
static int64_t
last_line_end(struct tail *t, int fd, int64_t size)
{
	int64_t end = size, start;
	ssize_t n;
	char *nl;

	while (end > 0) {
		start = end > TAIL_BUFSZ ? end - TAIL_BUFSZ : 0;
		n = pread(fd, t->buf, (size_t)(end - start), (off_t)start);
		if (n <= 0)
			return size; /* cannot look back: start at the end */
		if ((nl = memrchr(t->buf, '\n', (size_t)n)) != NULL)
			return start + (nl - t->buf) + 1;
		end = start;
	}
	return 0;
}

struct tail *
tail_open(const char *path, uint64_t dev, uint64_t ino, int64_t off, int flags)
{
	struct tail *t;
	struct stat sb, osb;
	const char *slash;
	int fd, ofd;

	t = xcalloc(1, sizeof(*t));
	t->path = xstrdup(path);
	slash = strrchr(path, '/');
	if (slash == NULL)
		t->dir = xstrdup(".");
	else if (slash == path)
		t->dir = xstrdup("/");
	else
		t->dir = xstrndup(path, (size_t)(slash - path));
	t->buf = xmalloc(TAIL_BUFSZ);
	t->max_line = TAIL_MAX_LINE;
	t->fd = -1;
	if (off < 0)
		off = 0;
	if (ino != 0) {
		t->pos.dev = dev;
		t->pos.ino = ino;
		t->pos.off = off;
	}

	fd = open_path(t, &sb);
	if (ino == 0) {
		/* First start: skip the history unless asked not to. */
		if (fd != -1)
			set_file(t, fd, &sb,
			    (flags & TAIL_FROM_START)
				? 0
				: last_line_end(t, fd, (int64_t)sb.st_size));
		goto out;
	}
	if (fd != -1 && same_file(&sb, dev, ino)) {
		adopt(t, fd, &sb);
		goto out;
	}
	/* PATH is another file or missing: was ours renamed? */
	ofd = find_rotated(t, dev, ino, &osb);
	if (ofd != -1) {
		if ((int64_t)osb.st_size >= off && at_line_start(ofd, off)) {
			if (fd != -1)
				close(fd);
			set_file(t, ofd, &osb, off);
			t->rot_pending = 1;
			goto out;
		}
		close(ofd);
	}
	if (fd != -1)
		set_file(t, fd, &sb, 0);
	/* else keep the saved position until PATH appears (read from 0). */
out:
	return t;
}

/*
 * Delivers the complete lines in the buffer.  Returns 1 if the callback
 * asked to stop, else 0.
 */
static int
drain(struct tail *t, int (*cb)(void *, const char *, size_t), void *arg,
    int *count)
{
	char *nl;
	size_t start = 0, linelen;
	int stop = 0;

	if (t->skipping) {
		nl = memchr(t->buf, '\n', t->len);
		if (nl == NULL) {
			t->len = 0;
			return 0;
		}
		start = (size_t)(nl - t->buf) + 1;
		t->pos.off = t->rd_off - (int64_t)t->len + (int64_t)start;
		t->skipping = 0;
		t->scanned = start;
		t->st.long_lines++;
	}
	if (t->scanned < start)
		t->scanned = start;
	while ((nl = memchr(t->buf + t->scanned, '\n', t->len - t->scanned)) !=
	    NULL) {
		linelen = (size_t)(nl - (t->buf + start));
		t->pos.off += (int64_t)linelen + 1;
		if (linelen > t->max_line)
			t->st.long_lines++;
		else {
			t->st.lines++;
			(*count)++;
			stop = cb(arg, t->buf + start, linelen) != 0;
		}
		start = (size_t)(nl - t->buf) + 1;
		t->scanned = start;
		if (stop)
			break;
	}
	if (start > 0) {
		memmove(t->buf, t->buf + start, t->len - start);
		t->len -= start;
	}
	t->scanned = stop ? 0 : t->len;
	if (!stop && t->len > t->max_line) {
		/* The partial line is already too long: drop it as we go. */
		t->skipping = 1;
		t->len = 0;
		t->scanned = 0;
	}
	return stop;
}

/* At EOF: 1 if we moved to another file or offset, 0 if not, -1 error. */
static int
check_rotation(struct tail *t)
{
	struct stat fsb, psb;
	int nfd;

	if (fstat(t->fd, &fsb) == -1) {
		log_warn("tail: fstat %s", t->path);
		return -1;
	}
	if ((int64_t)fsb.st_size < t->rd_off) {
		/* copytruncate */
		t->st.truncations++;
		t->st.lost_bytes += t->len;
		set_file(t, t->fd, &fsb, 0);
		return 1;
	}
	if (stat(t->path, &psb) == -1 ||
	    (psb.st_dev == fsb.st_dev && psb.st_ino == fsb.st_ino)) {
		/* Missing (keep reading the old one) or unchanged. */
		t->rot_pending = 0;
		return 0;
	}
	if (psb.st_size == 0 && !(t->rot_pending && t->rot_quiet)) {
		/* The writer may not have reopened yet: one more round. */
		t->rot_pending = 1;
		t->rot_quiet = 1;
		return 0;
	}
	if ((nfd = open_path(t, &psb)) == -1)
		return 0;
	t->st.lost_bytes += t->len;
	t->st.rotations++;
	close(t->fd);
	set_file(t, nfd, &psb, 0);
	return 1;
}

int
tail_read(struct tail *t, int (*cb)(void *, const char *, size_t), void *arg)
{
	struct stat sb;
	ssize_t n;
	int fd, count = 0, r;

	if (t->fd == -1) {
		if ((fd = open_path(t, &sb)) == -1)
			return 0;
		adopt(t, fd, &sb);
	}
	for (;;) {
		if (drain(t, cb, arg, &count))
			break;
		n = read(t->fd, t->buf + t->len, TAIL_BUFSZ - t->len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("tail: read %s", t->path);
			count = -1;
			break;
		}
		if (n > 0) {
			t->rd_off += n;
			t->len += (size_t)n;
			t->rot_quiet = 0;
			continue;
		}
		if ((r = check_rotation(t)) == -1)
			count = -1;
		if (r != 1)
			break;
	}
	return count;
}

void
tail_position(const struct tail *t, struct tail_pos *out)
{
	*out = t->pos;
}

void
tail_stats(const struct tail *t, struct tail_stats *out)
{
	*out = t->st;
}

void
tail_set_max_line(struct tail *t, size_t max)
{
	if (max < 1)
		max = 1;
	if (max > TAIL_BUFSZ / 2)
		max = TAIL_BUFSZ / 2;
	t->max_line = max;
}

void
tail_close(struct tail *t)
{
	if (t == NULL)
		return;
	if (t->fd != -1)
		close(t->fd);
	free(t->buf);
	free(t->dir);
	free(t->path);
	free(t);
}
