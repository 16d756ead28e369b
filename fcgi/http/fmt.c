#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fmt.h"
#include "xmalloc.h"

#define TABLE_MAX_CELL 255

/*
 * How many characters Go's fmt counts in the N bytes at S: one per
 * well-formed UTF-8 sequence, one per byte that starts none.
 */
static size_t
go_runes(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, count = 0, len, k;

	while (i < n) {
		len = 1;
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			len = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			len = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			len = 4;
		if (len > 1) {
			if (n - i < len)
				len = 1;
			for (k = 1; k < len; k++)
				if ((p[i + k] & 0xc0) != 0x80) {
					len = 1;
					break;
				}
			/* Overlongs, surrogates and > U+10FFFF. */
			if (len >= 3 &&
			    ((p[i] == 0xe0 && p[i + 1] < 0xa0) ||
				(p[i] == 0xed && p[i + 1] >= 0xa0) ||
				(p[i] == 0xf0 && p[i + 1] < 0x90) ||
				(p[i] == 0xf4 && p[i + 1] >= 0x90)))
				len = 1;
		}
		i += len;
		count++;
	}
	return count;
}

/* The length of S cut to TABLE_MAX_CELL bytes, not inside a character. */
static size_t
cut_len(const char *s)
{
	size_t n = strlen(s), k;

	if (n <= TABLE_MAX_CELL)
		return n;
	n = TABLE_MAX_CELL;
	/* Back off over continuation bytes to the start of a sequence;
	 * drop that sequence if it does not end by byte N. */
	k = n;
	while (k > 0 && k > n - 4 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	if (k < n && ((unsigned char)s[k] & 0xc0) == 0xc0)
		return k;
	return n;
}

void
table_init(struct table *t, size_t ncols, const char **titles, const int *right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->titles = titles;
	t->right = right;
}

void
table_add_row(struct table *t, const char *const *cells)
{
	const char *v;
	size_t i;

	if (t->ncols == 0)
		return;
	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->cells = xreallocarray(
		    t->cells, t->cap, t->ncols * sizeof(*t->cells));
	}
	for (i = 0; i < t->ncols; i++) {
		v = cells[i] != NULL ? cells[i] : "<nil>";
		t->cells[t->nrows * t->ncols + i] = xstrndup(v, cut_len(v));
	}
	t->nrows++;
}

/* Appends S padded with spaces to WIDTH characters, on the right or left. */
static void
put_cell(struct buf *out, const char *s, size_t width, int right)
{
	size_t n = strlen(s), w = go_runes(s, n);

	if (right && w < width)
		buf_fill(out, ' ', width - w);
	buf_add(out, s, n);
	if (!right && w < width)
		buf_fill(out, ' ', width - w);
}

void
table_render(const struct table *t, struct buf *out)
{
	size_t *w, r, c, n;

	if (t->ncols == 0)
		return;
	w = xcalloc(t->ncols, sizeof(*w));
	for (c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->titles[c]);
		for (r = 0; r < t->nrows; r++) {
			n = strlen(t->cells[r * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	}
	for (c = 0; c < t->ncols; c++)
		put_cell(out, t->titles[c], w[c] + 2, 0);
	buf_putc(out, '\n');
	for (c = 0; c < t->ncols; c++) {
		buf_fill(out, '-', w[c]);
		buf_puts(out, "  ");
	}
	buf_putc(out, '\n');
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (t->right != NULL && t->right[c]) {
				put_cell(
				    out, t->cells[r * t->ncols + c], w[c], 1);
				buf_puts(out, "  ");
			} else
				put_cell(out, t->cells[r * t->ncols + c],
				    w[c] + 2, 0);
		}
		buf_putc(out, '\n');
	}
	free(w);
}

void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
	t->cap = 0;
}
