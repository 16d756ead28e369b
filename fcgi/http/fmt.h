/*
 * The plain-text tables of /api/v1/stats, byte for byte as the original
 * v2ray-stat prints them (their numbers: units.h).
 */
#ifndef V2S_FMT_H
#define V2S_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "units.h" /* fmt_bytes(), fmt_rate() */

/*
 * A text table.  Column width = the longest of the title and the values
 * (bytes, values cut at 255 bytes).  Header cells are left-aligned and
 * padded to width + 2; then a row of '-' x width + 2 spaces per column;
 * data cells of right-aligned columns are padded on the left to width and
 * followed by 2 spaces, others left-aligned padded to width + 2; every row
 * ends in "\n".
 *
 * Like the original (Go's len() for the width, fmt's "%-*s" for padding),
 * the width is counted in bytes but padding counts characters (one per
 * UTF-8 sequence, one per invalid byte); for ASCII the two agree.  A value
 * over 255 bytes is cut to 255 bytes, less if that would split a UTF-8
 * character (the original cut mid-character).  A NULL cell prints as
 * "<nil>".  RIGHT may be NULL (all left-aligned).  A table without rows
 * still prints its header and dashes.
 */
struct table {
	size_t ncols;
	const char **titles; /* borrowed, ncols entries */
	const int *right; /* borrowed, ncols flags */
	char **cells; /* owned copies, row-major */
	size_t nrows;
	size_t cap;
};

/* Starts an empty table with NCOLS columns. */
void table_init(
    struct table *t, size_t ncols, const char **titles, const int *right);
/* Appends one row: NCOLS strings, copied. */
void table_add_row(struct table *t, const char *const *cells);
/* Appends the rendered table to OUT. */
void table_render(const struct table *t, struct buf *out);
/* Frees the rows; accepts a zeroed struct. */
void table_free(struct table *t);

#endif
