/*
 * Following a log file exactly once (see tail.h for the contract).
 *
 * While not skipping an over-long line, buf[0..len) holds the bytes of the
 * file from pos.off to rd_off: a partial line (or, after the callback
 * asked to stop, complete lines not delivered yet).  While skipping, len
 * is 0 and pos.off stays at the start of the long line until its newline
 * is read.
 *
 * For the fingerprints, head[0..head_len) is the start of the file
 * (head_len = min(TAIL_FP_LEN, rd_off)) and pre[0..pre_len) the bytes just
 * before buf[0] (pre_len = min(TAIL_FP_LEN, offset of buf[0])): together
 * they give the bytes just before any offset in the buffer, without
 * reading the file again.
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

#define FP TAIL_FP_LEN

struct tail {
	char *path;
	char *dir; /* where rotated copies are looked for */
	char *base; /* PATH's last component: copies begin with it */
	int fd; /* -1 while there is no file */
	struct tail_pos pos; /* fingerprints: only while fd is -1 */
	int64_t rd_off; /* file offset of buf[len] */
	char *buf; /* TAIL_BUFSZ bytes */
	size_t len;
	size_t scanned; /* buf[0..scanned) holds no newline */
	size_t max_line;
	int skipping; /* discarding up to the next newline */
	uint64_t skip_back; /* back fingerprint of pos.off while skipping */
	int rot_pending; /* PATH is another (empty) file; old one drained */
	int rot_quiet; /* nothing read from the old file since then */
	int is_copy; /* a copy nobody writes to: PATH follows its end */
	int warned; /* an open error was logged already */
	unsigned char head[FP]; /* the first head_len bytes of the file */
	size_t head_len;
	unsigned char pre[FP]; /* the pre_len bytes before buf[0] */
	size_t pre_len;
	struct tail_stats st;
};

/* 64-bit FNV-1a of P[0..N). */
static uint64_t
fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* pread(2) until N bytes or the end; returns the count (0 on error). */
static size_t
pread_full(int fd, void *p, size_t n, int64_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, (char *)p + got, n - got, (off_t)(off + got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static size_t
fp_len(int64_t off)
{
	return off < FP ? (size_t)off : FP;
}

/* Remembers P[0..N) as the bytes just before the (new) buf[0]. */
static void
push_pre(struct tail *t, const char *p, size_t n)
{
	size_t keep;

	if (n >= FP) {
		memcpy(t->pre, p + n - FP, FP);
		t->pre_len = FP;
		return;
	}
	keep = t->pre_len + n > FP ? FP - n : t->pre_len;
	memmove(t->pre, t->pre + t->pre_len - keep, keep);
	memcpy(t->pre + keep, p, n);
	t->pre_len = keep + n;
}

/*
 * Copies into OUT the bytes of the file just before buf[K] (at most FP,
 * fewer near its start); returns how many.
 */
static size_t
window(const struct tail *t, size_t k, unsigned char *out)
{
	size_t fromb = k < FP ? k : FP, fromp = FP - fromb;

	if (fromp > t->pre_len)
		fromp = t->pre_len;
	memcpy(out, t->pre + t->pre_len - fromp, fromp);
	memcpy(out + fromp, t->buf + k - fromb, fromb);
	return fromp + fromb;
}

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
	t->is_copy = 0;
	/* Short reads (the file changed meanwhile) are caught by the next
	 * comparison with the file. */
	t->head_len = pread_full(fd, t->head, fp_len(off), 0);
	t->pre_len = pread_full(fd, t->pre, fp_len(off), off - fp_len(off));
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

/*
 * Does FD (stat SB) hold what P describes: at least P->off bytes, a line
 * start there and, if P has them, the same fingerprints?
 */
static int
matches(int fd, const struct stat *sb, const struct tail_pos *p)
{
	unsigned char b[FP];
	size_t w = fp_len(p->off);

	if ((int64_t)sb->st_size < p->off || !at_line_start(fd, p->off))
		return 0;
	if (!p->has_fp)
		return 1;
	return pread_full(fd, b, w, 0) == w && fnv(b, w) == p->head &&
	    pread_full(fd, b, w, p->off - (int64_t)w) == w &&
	    fnv(b, w) == p->back;
}

/*
 * Does the open file still hold what we read from it: its first bytes,
 * and the bytes just before rd_off?
 */
static int
unchanged(struct tail *t)
{
	unsigned char want[FP], got[FP];
	size_t w;

	if (t->head_len > 0 &&
	    (pread_full(t->fd, got, t->head_len, 0) != t->head_len ||
		memcmp(got, t->head, t->head_len) != 0))
		return 0;
	w = window(t, t->len, want);
	return w == 0 ||
	    (pread_full(t->fd, got, w, t->rd_off - (int64_t)w) == w &&
		memcmp(got, want, w) == 0);
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

/*
 * The file P describes, in PATH's directory, other than the file XDEV,
 * XINO: the one with P's device and inode (renamed), else, if P has
 * fingerprints, one whose name begins with PATH's (a copy).  Either must
 * hold P's bytes (matches()).  Returns an open fd (with *SB, and
 * *RENAMED) or -1.
 */
static int
find_saved(struct tail *t, const struct tail_pos *p, uint64_t xdev,
    uint64_t xino, struct stat *sb, int *renamed)
{
	DIR *d;
	struct dirent *de;
	struct stat cs;
	size_t blen = strlen(t->base);
	int fd, best = -1, ren;

	*renamed = 0;
	if (p->ino == 0 || (d = opendir(t->dir)) == NULL)
		return -1;
	/* Any file holds the first 0 bytes: a copy needs more. */
	while (!*renamed && (de = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), de->d_name, &cs, AT_SYMLINK_NOFOLLOW) ==
			-1 ||
		    !S_ISREG(cs.st_mode) || same_file(&cs, xdev, xino) ||
		    (int64_t)cs.st_size < p->off)
			continue;
		ren = same_file(&cs, p->dev, p->ino);
		if (!ren &&
		    (best != -1 || !p->has_fp || p->off == 0 ||
			strncmp(de->d_name, t->base, blen) != 0))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			continue;
		if (fstat(fd, &cs) == -1 || same_file(&cs, xdev, xino) ||
		    ren != same_file(&cs, p->dev, p->ino) ||
		    !matches(fd, &cs, p)) {
			close(fd);
			continue;
		}
		if (best != -1)
			close(best);
		best = fd;
		*sb = cs;
		*renamed = ren;
	}
	closedir(d);
	return best;
}

/* Goes on from P->off in FD, P's file found under another name. */
static void
use_saved(struct tail *t, int fd, const struct stat *sb,
    const struct tail_pos *p, int renamed)
{
	set_file(t, fd, sb, p->off);
	if (renamed)
		t->rot_pending = 1;
	else {
		t->is_copy = 1;
		t->st.copies++;
	}
}

/* Uses FD (PATH): resume at pos.off if it is the saved file and holds it. */
static void
adopt(struct tail *t, int fd, const struct stat *sb)
{
	struct tail_pos p = t->pos;
	struct stat csb;
	int cfd, renamed;

	if (same_file(sb, p.dev, p.ino)) {
		if (matches(fd, sb, &p)) {
			set_file(t, fd, sb, p.off);
			return;
		}
		/* Truncated, or a new file on the inode of a deleted one. */
		t->st.truncations++;
		cfd = find_saved(t, &p, (uint64_t)sb->st_dev,
		    (uint64_t)sb->st_ino, &csb, &renamed);
		if (cfd != -1) {
			close(fd);
			use_saved(t, cfd, &csb, &p, renamed);
			return;
		}
	}
	set_file(t, fd, sb, 0);
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
tail_open(const char *path, const struct tail_pos *saved, int flags)
{
	struct tail *t;
	struct stat sb, osb;
	const char *slash;
	int fd, ofd, renamed;

	t = xcalloc(1, sizeof(*t));
	t->path = xstrdup(path);
	slash = strrchr(path, '/');
	if (slash == NULL)
		t->dir = xstrdup(".");
	else if (slash == path)
		t->dir = xstrdup("/");
	else
		t->dir = xstrndup(path, (size_t)(slash - path));
	t->base = xstrdup(slash == NULL ? path : slash + 1);
	t->buf = xmalloc(TAIL_BUFSZ);
	t->max_line = TAIL_MAX_LINE;
	t->fd = -1;
	if (saved != NULL && saved->ino != 0) {
		t->pos = *saved;
		if (t->pos.off < 0)
			t->pos.off = 0;
	}

	fd = open_path(t, &sb);
	if (t->pos.ino == 0) {
		/* First start: skip the history unless asked not to. */
		if (fd != -1)
			set_file(t, fd, &sb,
			    (flags & TAIL_FROM_START)
				? 0
				: last_line_end(t, fd, (int64_t)sb.st_size));
		goto out;
	}
	if (fd != -1 && same_file(&sb, t->pos.dev, t->pos.ino)) {
		adopt(t, fd, &sb);
		goto out;
	}
	/* PATH is another file or missing: was ours renamed or copied? */
	ofd = find_saved(t, &t->pos, fd != -1 ? (uint64_t)sb.st_dev : 0,
	    fd != -1 ? (uint64_t)sb.st_ino : 0, &osb, &renamed);
	if (ofd != -1) {
		if (fd != -1)
			close(fd);
		use_saved(t, ofd, &osb, &t->pos, renamed);
		goto out;
	}
	if (fd != -1)
		set_file(t, fd, &sb, 0);
	/* else keep the saved position until PATH appears. */
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
	unsigned char w[FP];
	char *nl;
	size_t start = 0, linelen;
	int stop = 0;

	if (t->skipping) {
		nl = memchr(t->buf, '\n', t->len);
		if (nl == NULL) {
			push_pre(t, t->buf, t->len);
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
		push_pre(t, t->buf, start);
		memmove(t->buf, t->buf + start, t->len - start);
		t->len -= start;
	}
	t->scanned = stop ? 0 : t->len;
	if (!stop && t->len > t->max_line) {
		/* The partial line is already too long: drop it as we go.
		 * buf[0] is at pos.off, which stays there meanwhile. */
		t->skip_back = fnv(w, window(t, 0, w));
		push_pre(t, t->buf, t->len);
		t->skipping = 1;
		t->len = 0;
		t->scanned = 0;
	}
	return stop;
}

/*
 * The open file (stat FSB) was truncated or rewritten: go on in a copy
 * that holds our position (the lines not read yet), else at its start.
 */
static void
truncated(struct tail *t, const struct stat *fsb)
{
	struct tail_pos p;
	struct stat csb;
	int cfd, renamed;

	t->st.truncations++;
	tail_position(t, &p);
	cfd = find_saved(t, &p, (uint64_t)fsb->st_dev, (uint64_t)fsb->st_ino,
	    &csb, &renamed);
	if (cfd != -1) {
		close(t->fd);
		use_saved(t, cfd, &csb, &p, 0);
		return;
	}
	t->st.lost_bytes += t->len;
	set_file(t, t->fd, fsb, 0);
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
	if ((int64_t)fsb.st_size < t->rd_off || !unchanged(t)) {
		truncated(t, &fsb); /* copytruncate */
		return 1;
	}
	if (stat(t->path, &psb) == -1 ||
	    same_file(&psb, (uint64_t)fsb.st_dev, (uint64_t)fsb.st_ino)) {
		/* Missing (keep reading the old one) or unchanged. */
		t->rot_pending = 0;
		return 0;
	}
	if (psb.st_size == 0 && !t->is_copy &&
	    !(t->rot_pending && t->rot_quiet)) {
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

/* Takes N bytes just read at buf[len]; 0, or -1 if the file changed. */
static int
got_bytes(struct tail *t, size_t n)
{
	struct stat sb;
	size_t c;

	if (t->rd_off > 0 && !unchanged(t)) {
		if (fstat(t->fd, &sb) == -1) {
			log_warn("tail: fstat %s", t->path);
			return -1;
		}
		truncated(t, &sb);
		return 0;
	}
	if (t->rd_off < FP) {
		c = FP - (size_t)t->rd_off;
		if (c > n)
			c = n;
		memcpy(t->head + t->rd_off, t->buf + t->len, c);
		t->head_len = (size_t)t->rd_off + c;
	}
	t->rd_off += (int64_t)n;
	t->len += n;
	t->rot_quiet = 0;
	return 0;
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
			/* Checked before any of it is delivered. */
			if (got_bytes(t, (size_t)n) == -1) {
				count = -1;
				break;
			}
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
	unsigned char w[FP];

	*out = t->pos;
	if (t->fd == -1)
		return; /* the saved position, as given */
	out->head = fnv(t->head, fp_len(t->pos.off));
	if (t->skipping)
		out->back = t->skip_back;
	else
		out->back = fnv(w,
		    window(t,
			(size_t)(t->pos.off - (t->rd_off - (int64_t)t->len)),
			w));
	out->has_fp = 1;
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
	free(t->base);
	free(t->dir);
	free(t->path);
	free(t);
}
