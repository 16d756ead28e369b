/*
 * Unit tests for worker/log/tail.c: every complete line exactly once, in order,
 * across partial writes, rename rotation, copytruncate, deletion, long
 * lines and restarts from a committed position.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "tail.h"
#include "tap.h"
#include "tmpdir.h"

static const char *dir;
static char path[128];

/* What the callback saw: lines joined with '\n'. */
struct got {
	struct buf text;
	int n;
	int stop_after; /* 0 = never stop */
	struct tail *t;
	int pos_ok; /* tail_position() inside cb was past this line */
	int64_t last_off;
};

static int
collect(void *arg, const char *line, size_t len)
{
	struct got *g = arg;
	struct tail_pos p;

	buf_add(&g->text, line, len);
	buf_putc(&g->text, '\n');
	g->n++;
	if (g->t != NULL) {
		tail_position(g->t, &p);
		if (p.off <= g->last_off)
			g->pos_ok = 0;
		g->last_off = p.off;
	}
	return g->stop_after > 0 && g->n >= g->stop_after;
}

static void
got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	buf_init(&g->text);
	g->pos_ok = 1;
}

static void
append_to(const char *p, const char *s)
{
	int fd;

	fd = open(p, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd == -1 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		perror("append");
	close(fd);
}

static void
append(const char *s)
{
	append_to(path, s);
}

static void
writefd(int fd, const char *s, size_t n)
{
	if (write(fd, s, n) != (ssize_t)n)
		perror("write");
}

static int
do_read(struct tail *t, struct got *g)
{
	g->t = t;
	return tail_read(t, collect, g);
}

static int64_t
file_size(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

static uint64_t
file_ino(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

static void
reset_dir(void)
{
	tmpdir_empty(dir);
}

static void
t_basic(void)
{
	struct tail *t;
	struct got g;
	struct tail_pos p;
	struct tail_stats st;

	reset_dir();
	append("old1\nold2\n");
	t = tail_open(path, NULL, 0);
	got_init(&g);
	is_int(do_read(t, &g), 0, "from the end: history skipped");
	append("a\nb\n");
	is_int(do_read(t, &g), 2, "two new lines");
	append("c");
	is_int(do_read(t, &g), 0, "a partial line waits");
	tail_position(t, &p);
	is_int(p.off, file_size(path) - 1, "  position before the partial");
	append("-rest\r\n");
	is_int(do_read(t, &g), 1, "completed line delivered");
	is_str(buf_str(&g.text), "a\nb\nc-rest\r\n", "lines, CR kept");
	tail_position(t, &p);
	is_int(p.off, file_size(path), "position at the end");
	ok(p.ino == file_ino(path) && p.ino != 0, "position has the inode");
	ok(g.pos_ok, "position inside the callback moves past each line");
	append("\n\n");
	is_int(do_read(t, &g), 2, "empty lines are lines");
	tail_stats(t, &st);
	is_int((long long)st.lines, 5, "stats: 5 lines");
	tail_close(t);
	buf_free(&g.text);

	t = tail_open(path, NULL, TAIL_FROM_START);
	got_init(&g);
	is_int(do_read(t, &g), 7, "TAIL_FROM_START reads the history");
	is_str(buf_str(&g.text), "old1\nold2\na\nb\nc-rest\r\n\n\n", "  all");
	tail_close(t);
	buf_free(&g.text);

	/* From the end with a partial last line: it comes when complete. */
	reset_dir();
	append("x\ny");
	t = tail_open(path, NULL, 0);
	got_init(&g);
	is_int(do_read(t, &g), 0, "from the end, partial last line waits");
	append("z\nw\n");
	is_int(do_read(t, &g), 2, "  then comes whole");
	is_str(buf_str(&g.text), "yz\nw\n", "  yz and w");
	tail_close(t);
	buf_free(&g.text);
}

static void
t_batches(void)
{
	struct tail *t;
	struct got g;
	struct tail_pos p;

	reset_dir();
	append("1\n2\n3\n4\n5\n");
	t = tail_open(path, NULL, TAIL_FROM_START);
	got_init(&g);
	g.stop_after = 2;
	is_int(do_read(t, &g), 2, "callback stops after 2");
	tail_position(t, &p);
	is_int(p.off, 4, "  position after line 2");
	g.stop_after = 4;
	is_int(do_read(t, &g), 2, "next batch from the buffer");
	g.stop_after = 0;
	is_int(do_read(t, &g), 1, "the rest");
	is_str(buf_str(&g.text), "1\n2\n3\n4\n5\n", "  in order, once");
	tail_close(t);
	buf_free(&g.text);
}

static void
t_rename(void)
{
	struct tail *t;
	struct got g;
	struct buf want;
	struct tail_stats st;
	char old[160], line[64];
	int i, wfd;

	reset_dir();
	buf_init(&want);
	got_init(&g);
	append("");
	t = tail_open(path, NULL, 0);
	wfd = open(path, O_WRONLY | O_APPEND);
	for (i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "r%d-a\nr%d-b\n", i, i);
		writefd(wfd, line, strlen(line));
		buf_puts(&want, line);
		if (i % 3 == 0)
			do_read(t, &g);
		snprintf(line, sizeof(line), "r%d-c\nr%d-", i, i);
		writefd(wfd, line, strlen(line));
		snprintf(old, sizeof(old), "%s.%d", path, i);
		if (rename(path, old) == -1)
			perror("rename");
		/* The writer has not reopened yet: it finishes its line. */
		writefd(wfd, "d\n", 2);
		snprintf(line, sizeof(line), "r%d-c\nr%d-d\n", i, i);
		buf_puts(&want, line);
		close(wfd);
		wfd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
		snprintf(line, sizeof(line), "n%d\n", i);
		writefd(wfd, line, strlen(line));
		buf_puts(&want, line);
		/* One rotation per read at most (see tail.h). */
		do_read(t, &g);
	}
	close(wfd);
	do_read(t, &g);
	is_str(buf_str(&g.text), buf_str(&want),
	    "30 rename rotations: every line once, in order");
	tail_stats(t, &st);
	is_int((long long)st.rotations, 30, "  30 rotations counted");
	is_int((long long)st.lost_bytes, 0, "  nothing lost");
	tail_close(t);
	buf_free(&g.text);
	buf_free(&want);
}

static void
t_rename_empty(void)
{
	struct tail *t;
	struct got g;
	struct tail_pos p;
	char old[160];
	int wfd;
	uint64_t oldino;

	reset_dir();
	got_init(&g);
	append("");
	t = tail_open(path, NULL, 0);
	oldino = file_ino(path);
	wfd = open(path, O_WRONLY | O_APPEND);
	writefd(wfd, "a\n", 2);
	snprintf(old, sizeof(old), "%s.1", path);
	rename(path, old);
	append(""); /* logrotate "create": a new empty file */
	is_int(do_read(t, &g), 1, "old file drained");
	tail_position(t, &p);
	ok(p.ino == oldino, "  still on the old file (new one empty)");
	writefd(wfd, "b\n", 2); /* writer still on the old file */
	is_int(do_read(t, &g), 1, "late line in the old file read");
	is_int(do_read(t, &g), 0, "quiet round");
	tail_position(t, &p);
	ok(p.ino == file_ino(path) && p.off == 0, "  then switched to new");
	close(wfd);
	append("c\n");
	is_int(do_read(t, &g), 1, "new file read");
	is_str(buf_str(&g.text), "a\nb\nc\n", "  a b c");

	/* Path missing: keep reading the open file, then the new one. */
	wfd = open(path, O_WRONLY | O_APPEND);
	unlink(path);
	writefd(wfd, "d\n", 2);
	is_int(do_read(t, &g), 1, "deleted file still read");
	close(wfd);
	append("e\nf\n");
	is_int(do_read(t, &g), 2, "recreated file read from 0");
	is_str(buf_str(&g.text), "a\nb\nc\nd\ne\nf\n", "  all once");
	tail_close(t);
	buf_free(&g.text);
}

static void
t_copytruncate(void)
{
	struct tail *t;
	struct got g;
	struct tail_stats st;
	struct tail_pos p;

	reset_dir();
	got_init(&g);
	append("");
	t = tail_open(path, NULL, 0);
	append("first line\nsecond line\n");
	is_int(do_read(t, &g), 2, "two lines");
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("x\n");
	is_int(do_read(t, &g), 1, "after copytruncate: from 0");
	tail_stats(t, &st);
	is_int((long long)st.truncations, 1, "  one truncation");
	tail_position(t, &p);
	is_int(p.off, 2, "  position 2");
	is_str(buf_str(&g.text), "first line\nsecond line\nx\n", "  lines");
	tail_close(t);
	buf_free(&g.text);
}

static void
t_long_lines(void)
{
	struct tail *t;
	struct got g;
	struct tail_stats st;
	struct tail_pos p;
	char *big;
	size_t i;

	reset_dir();
	got_init(&g);
	append("");
	t = tail_open(path, NULL, 0);
	big = malloc(100 * 1024 + 1);
	memset(big, 'x', 100 * 1024);
	big[100 * 1024] = '\0';
	append("a\n");
	append(big);
	append("\nb\n");
	is_int(do_read(t, &g), 2, "100 KiB line skipped whole");
	tail_stats(t, &st);
	is_int((long long)st.long_lines, 1, "  counted");
	is_str(buf_str(&g.text), "a\nb\n", "  a and b");

	/* A long line arriving in pieces, with reads in between. */
	big[50 * 1024] = '\0';
	append(big);
	is_int(do_read(t, &g), 0, "half a long line: nothing");
	tail_position(t, &p);
	is_int(p.off, file_size(path) - 50 * 1024, "  position at its start");
	append(big);
	is_int(do_read(t, &g), 0, "past the max: skipping");
	tail_position(t, &p);
	is_int(p.off, file_size(path) - 100 * 1024,
	    "  position still at its start");
	append(big);
	append("\nc\n");
	is_int(do_read(t, &g), 1, "line after it delivered");
	tail_stats(t, &st);
	is_int((long long)st.long_lines, 2, "  2 long lines");
	tail_position(t, &p);
	is_int(p.off, file_size(path), "  position at the end");

	/* The boundary, with a small max. */
	tail_set_max_line(t, 10);
	append("0123456789\n0123456789A\nok\n");
	is_int(do_read(t, &g), 2, "max 10: 10 bytes pass, 11 skipped");
	is_str(buf_str(&g.text), "a\nb\nc\n0123456789\nok\n", "  lines");
	/* Many long lines in one read; never stalls. */
	for (i = 0; i < 100; i++)
		append("this line is too long\n");
	append("end\n");
	is_int(do_read(t, &g), 1, "100 long lines, then one short");
	tail_stats(t, &st);
	is_int((long long)st.long_lines, 103, "  103 long lines in all");
	tail_close(t);
	free(big);
	buf_free(&g.text);
}

static void
t_resume(void)
{
	struct tail *t;
	struct got g;
	struct tail_pos p;
	char old[160];

	reset_dir();
	got_init(&g);
	append("1\n2\n3\n");
	t = tail_open(path, NULL, TAIL_FROM_START);
	g.stop_after = 2;
	do_read(t, &g);
	tail_position(t, &p); /* "committed" with lines 1, 2 */
	g.stop_after = 0;
	do_read(t, &g); /* line 3 delivered but never committed: crash */
	tail_close(t);
	buf_reset(&g.text);
	buf_puts(&g.text, "1\n2\n"); /* what the DB holds */
	append("4\n5");
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 2, "resume: 3 and 4 again/new");
	is_str(buf_str(&g.text), "1\n2\n3\n4\n", "  exactly once");
	tail_position(t, &p);
	tail_close(t);

	/* Rotated while we were down: finish the old one, then the new. */
	append("\n6\n");
	snprintf(old, sizeof(old), "%s.1", path);
	rename(path, old);
	append("7\n");
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 3, "resume in the rotated file, then new");
	is_str(buf_str(&g.text), "1\n2\n3\n4\n5\n6\n7\n", "  exactly once");
	tail_position(t, &p);
	ok(p.ino == file_ino(path) && p.off == 2, "  position in the new");
	tail_close(t);

	/* Rotated while down, new file empty: old drained, switch later. */
	append("8\n");
	rename(path, old);
	append("");
	/* Position 0, as saved by an older version (no fingerprints). */
	p.off = 0;
	p.has_fp = 0;
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 2, "resume in the rotated file (new empty)");
	is_int(do_read(t, &g), 0, "  quiet round");
	append("9\n");
	is_int(do_read(t, &g), 1, "  then the new file");
	is_str(buf_str(&g.text), "1\n2\n3\n4\n5\n6\n7\n7\n8\n9\n",
	    "  (position 0 given: 7 again)");
	tail_position(t, &p);
	tail_close(t);

	/* The rotated file is gone: start the new one at 0. */
	buf_reset(&g.text);
	append("10\n");
	rename(path, old);
	unlink(old);
	append("11\n");
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 1, "old identity gone: new file from 0");
	is_str(buf_str(&g.text), "11\n", "  11");
	tail_position(t, &p);
	tail_close(t);

	/* Truncated while down (copytruncate): from 0. */
	append("12\n13\n");
	t = tail_open(path, &p, 0);
	do_read(t, &g);
	tail_position(t, &p);
	tail_close(t);
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("14\n");
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 1, "truncated while down: from 0");
	tail_close(t);
	/* Truncated and refilled past the offset: no newline before it. */
	tail_position(t = tail_open(path, NULL, 0), &p);
	tail_close(t);
	is_int(p.off, 3, "  from the end of 14");
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("abcdef\n");
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 1, "refilled past the offset: from 0");
	is_str(buf_str(&g.text), "11\n12\n13\n14\nabcdef\n", "  all lines");
	tail_close(t);

	/* Missing at start: read it from 0 when it appears. */
	unlink(path);
	buf_reset(&g.text);
	t = tail_open(path, NULL, 0);
	is_int(do_read(t, &g), 0, "missing file: nothing");
	append("m1\nm2\n");
	is_int(do_read(t, &g), 2, "  appears: from 0");
	tail_close(t);
	tail_close(NULL);
	buf_free(&g.text);
}

static void
copy_file(const char *from, const char *to)
{
	char b[4096];
	ssize_t n;
	int in, out;

	in = open(from, O_RDONLY);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	while (in != -1 && out != -1 && (n = read(in, b, sizeof(b))) > 0)
		writefd(out, b, (size_t)n);
	if (in == -1 || out == -1)
		perror("copy");
	close(in);
	close(out);
}

static uint64_t
file_dev(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (uint64_t)sb.st_dev : 0;
}

/*
 * A new file on the inode of a deleted one is not the old file, even with
 * a line start at the old offset: it is read from 0.
 */
static void
t_inode_reuse(void)
{
	struct tail *t;
	struct got g;
	struct tail_pos p;
	char old[160];
	int reused;

	reset_dir();
	got_init(&g);
	append("a1\na2\na3\n");
	t = tail_open(path, NULL, TAIL_FROM_START);
	do_read(t, &g);
	tail_position(t, &p); /* committed: 9, in the first file */
	tail_close(t);
	ok(p.has_fp && p.off == 9, "the position has fingerprints");
	/* While we are down: rotated, deleted, a new file. */
	snprintf(old, sizeof(old), "%s.1", path);
	rename(path, old);
	unlink(old);
	append("b1\nb2\nb3\nb4\n");
	reused = file_ino(path) == p.ino;
	if (!reused) {
		/* The filesystem chose another inode: as if it had not. */
		p.dev = file_dev(path);
		p.ino = file_ino(path);
	}
	buf_reset(&g.text);
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 4, "inode reused%s: the new file from 0",
	    reused ? "" : " (simulated)");
	is_str(buf_str(&g.text), "b1\nb2\nb3\nb4\n", "  every line");
	tail_position(t, &p);
	tail_close(t);

	/* The same when the new file appears after tail_open(). */
	unlink(path);
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 0, "file missing at open: nothing");
	append("c1\nc2\nc3\nc4\nc5\n");
	reused = file_ino(path) == p.ino;
	is_int(do_read(t, &g), 5, "then a new file%s: from 0",
	    reused ? " on the same inode" : "");
	is_str(buf_str(&g.text), "b1\nb2\nb3\nb4\nc1\nc2\nc3\nc4\nc5\n",
	    "  every line");
	tail_close(t);
	buf_free(&g.text);
}

/*
 * copytruncate and at once more lines than the old offset, the lines of
 * the same length (a newline where the old offset was): detected, while
 * reading and at a restart.
 */
static void
t_truncate_regrow(void)
{
	struct tail *t;
	struct got g;
	struct tail_stats st;
	struct tail_pos p;

	reset_dir();
	got_init(&g);
	append("");
	t = tail_open(path, NULL, 0);
	append("x1\nx2\nx3\n");
	is_int(do_read(t, &g), 3, "three lines");
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("y1\ny2\ny3\ny4\ny5\n");
	is_int(do_read(t, &g), 5, "truncated, refilled past the offset: 5");
	is_str(buf_str(&g.text), "x1\nx2\nx3\ny1\ny2\ny3\ny4\ny5\n",
	    "  every line once");
	tail_stats(t, &st);
	is_int((long long)st.truncations, 1, "  one truncation");
	/* A partial line when it happens: dropped, the new lines from 0. */
	append("y6");
	is_int(do_read(t, &g), 0, "a partial line");
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("z1\nz2\nz3\nz4\nz5\nz6\nz7\n");
	is_int(do_read(t, &g), 7, "truncated again, with a partial: 7 new");
	tail_stats(t, &st);
	is_int((long long)st.lost_bytes, 2, "  the partial is lost (2 bytes)");
	tail_position(t, &p);
	tail_close(t);

	/* While we are down, with the same shape again. */
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("w1\nw2\nw3\nw4\nw5\nw6\nw7\nw8\n");
	buf_reset(&g.text);
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 8, "at a restart: from 0");
	is_str(buf_str(&g.text), "w1\nw2\nw3\nw4\nw5\nw6\nw7\nw8\n", "  all");
	tail_close(t);
	buf_free(&g.text);
}

/*
 * copytruncate before we read the last lines: they are read from the copy
 * (not from an older copy of the same size), then the file from 0.
 */
static void
t_copytruncate_copy(void)
{
	struct tail *t;
	struct got g;
	struct tail_stats st;
	struct tail_pos p;
	char c1[160], c0[160];

	reset_dir();
	got_init(&g);
	snprintf(c0, sizeof(c0), "%s.0", path);
	snprintf(c1, sizeof(c1), "%s.1", path);
	append_to(c0, "o1\no2\no3\no4\no5\no6\no7\no8\n"); /* older copy */
	append("");
	t = tail_open(path, NULL, 0);
	append("c1\nc2\n");
	is_int(do_read(t, &g), 2, "two lines");
	append("c3\nc4\n"); /* not read yet */
	copy_file(path, c1);
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("d1\nd2\nd3\nd4\nd5\n");
	is_int(do_read(t, &g), 7, "copytruncate: the rest of the copy, then 5");
	is_str(buf_str(&g.text), "c1\nc2\nc3\nc4\nd1\nd2\nd3\nd4\nd5\n",
	    "  every line once, in order");
	tail_stats(t, &st);
	ok(st.truncations == 1 && st.copies == 1 && st.lost_bytes == 0,
	    "  one truncation, read from the copy, nothing lost");
	tail_position(t, &p);
	ok(p.ino == file_ino(path) && p.off == 15, "  then on the file");
	tail_close(t);

	/* The same while we are down. */
	reset_dir();
	append_to(c0, "o1\no2\no3\no4\no5\no6\no7\no8\n");
	append("e1\ne2\n");
	t = tail_open(path, NULL, TAIL_FROM_START);
	g.stop_after = 0;
	do_read(t, &g);
	tail_position(t, &p); /* committed: e1 e2 */
	tail_close(t);
	append("e3\ne4\n");
	copy_file(path, c1);
	if (truncate(path, 0) == -1)
		perror("truncate");
	append("f1\nf2\nf3\nf4\nf5\n");
	buf_reset(&g.text);
	t = tail_open(path, &p, 0);
	is_int(do_read(t, &g), 7, "truncated while down: the copy, then 5");
	is_str(buf_str(&g.text), "e3\ne4\nf1\nf2\nf3\nf4\nf5\n",
	    "  every line once, in order");
	tail_stats(t, &st);
	is_int((long long)st.copies, 1, "  read from the copy");
	tail_close(t);
	buf_free(&g.text);
}

/* A small deterministic PRNG (xorshift). */
static uint64_t rng = 88172645463325252ULL;

static unsigned int
rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* The next line of the stress test into LINE (with its newline). */
static void
stress_line(struct buf *line, struct buf *want, int *seq, int *nlong)
{
	unsigned int len;

	buf_reset(line);
	buf_printf(line, "L%d ", (*seq)++);
	len = rnd(20) == 0 ? 200 + rnd(300) : rnd(60);
	buf_fill(line, 'a' + (char)(*seq % 26), len);
	if (line->len > 200)
		(*nlong)++;
	else {
		buf_add(want, line->data, line->len);
		buf_putc(want, '\n');
	}
	buf_putc(line, '\n');
}

/*
 * Random writes (whole and split lines, long lines), reads in batches,
 * commits, crashes, rename rotations and copytruncate (after the reader
 * caught up, or with a copy holding lines not read yet and at once more
 * lines than before); the committed lines must be exactly the complete
 * written lines, in order.  At most one rotation happens between two
 * commits (see tail.h).
 */
static void
t_stress(void)
{
	struct tail *t;
	struct got g;
	struct buf want, line;
	struct tail_pos committed = { 0 };
	size_t committed_len = 0;
	char old[160];
	struct tail_pos cur;
	int wfd, step, seq = 0, nrot = 0, ncrash = 0, ntrunc = 0, nlong = 0;
	int partial = 0, k, i, ncopy = 0, dirty = 0;
	int64_t size;

	reset_dir();
	buf_init(&want);
	buf_init(&line);
	got_init(&g);
	wfd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	t = tail_open(path, NULL, TAIL_FROM_START);
	tail_set_max_line(t, 200);
	for (step = 0; step < 3000; step++) {
		switch (rnd(9)) {
		case 0:
		case 1:
		case 2: /* write lines, the last maybe split */
			if (partial) {
				writefd(wfd, line.data + partial,
				    line.len - (size_t)partial);
				partial = 0;
			}
			k = 1 + (int)rnd(5);
			for (i = 0; i < k; i++) {
				stress_line(&line, &want, &seq, &nlong);
				if (i == k - 1 && rnd(3) == 0) {
					partial = 1 +
					    (int)rnd(
						(unsigned int)line.len - 1);
					writefd(
					    wfd, line.data, (size_t)partial);
				} else
					writefd(wfd, line.data, line.len);
			}
			break;
		case 3:
		case 4: /* read a batch and commit */
			g.stop_after = rnd(2) ? 0 : g.n + 1 + (int)rnd(10);
			do_read(t, &g);
			tail_position(t, &committed);
			committed_len = g.text.len;
			if (g.stop_after == 0)
				dirty = 0;
			break;
		case 5: /* read, do not commit, crash */
			do_read(t, &g);
			tail_close(t);
			if (g.text.data != NULL) {
				g.text.len = committed_len;
				g.text.data[committed_len] = '\0';
			}
			t = tail_open(path, &committed, TAIL_FROM_START);
			tail_set_max_line(t, 200);
			ncrash++;
			break;
		case 6: /* rename rotation, if the last one is done */
			if (partial || dirty || committed.ino != file_ino(path))
				break;
			snprintf(old, sizeof(old), "%s.%d", path, nrot++);
			rename(path, old);
			close(wfd);
			wfd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
			break;
		case 7: /* copytruncate, once everything was read */
			if (partial)
				break;
			g.stop_after = 0;
			do_read(t, &g);
			tail_position(t, &committed);
			committed_len = g.text.len;
			if (committed.ino != file_ino(path) ||
			    committed.off != file_size(path) ||
			    committed.off == 0)
				break;
			if (ftruncate(wfd, 0) == -1)
				perror("ftruncate");
			do_read(t, &g);
			tail_position(t, &committed);
			committed_len = g.text.len;
			dirty = 0;
			ntrunc++;
			break;
		case 8: /* copytruncate with lines not read, then a burst */
			if (partial || dirty)
				break;
			g.stop_after = 0;
			do_read(t, &g);
			tail_position(t, &committed);
			committed_len = g.text.len;
			/* Not before we read from the file (tail.h). */
			tail_position(t, &cur);
			if (cur.ino != file_ino(path) || cur.off == 0)
				break;
			for (i = 1 + (int)rnd(5); i > 0; i--) {
				stress_line(&line, &want, &seq, &nlong);
				writefd(wfd, line.data, line.len);
			}
			size = file_size(path);
			snprintf(old, sizeof(old), "%s.c%d", path, ncopy++);
			copy_file(path, old);
			if (ftruncate(wfd, 0) == -1)
				perror("ftruncate");
			while (ncopy % 2 == 0 && file_size(path) <= size) {
				stress_line(&line, &want, &seq, &nlong);
				writefd(wfd, line.data, line.len);
			}
			dirty = 1;
			break;
		}
	}
	if (partial)
		writefd(wfd, line.data + partial, line.len - (size_t)partial);
	close(wfd);
	g.stop_after = 0;
	for (i = 0; i < 3; i++)
		do_read(t, &g);
	ok(g.text.len == want.len &&
		memcmp(g.text.data, want.data, want.len) == 0,
	    "stress: %d lines, %d long, %d rotations, %d crashes, "
	    "%d truncations: exactly once, in order",
	    seq, nlong, nrot, ncrash, ntrunc);
	ok(nrot > 10 && ncrash > 10 && ntrunc > 3 && nlong > 10 && ncopy > 10,
	    "  every event happened (%d copies)", ncopy);
	if (g.text.len != want.len)
		tap_diag("got %zu bytes, want %zu", g.text.len, want.len);
	tail_close(t);
	buf_free(&g.text);
	buf_free(&want);
	buf_free(&line);
}

int
main(void)
{
	dir = tmpdir_make("tail");
	snprintf(path, sizeof(path), "%s/access.log", dir);
	t_basic();
	t_batches();
	t_rename();
	t_rename_empty();
	t_copytruncate();
	t_long_lines();
	t_resume();
	t_inode_reuse();
	t_truncate_regrow();
	t_copytruncate_copy();
	t_stress();
	tmpdir_remove(dir);
	return tap_done();
}
