/*
 * Reading the proxy core's JSON files (its config, the original's
 * .disabled_users) as the cores accept them: comments allowed, one object,
 * nothing after it.  Shared by the reader (corecfg) and the writer
 * (corewrite) so both refuse and accept the same files.
 */
#ifndef V2S_JSONFILE_H
#define V2S_JSONFILE_H

#include <stddef.h>

#include <json-c/json.h>

#define JSONFILE_MAX (64 * 1024 * 1024) /* bytes */
#define JSONFILE_MAX_DEPTH 128

/*
 * Reads the open file FD (named PATH in messages) whole into *TEXT
 * (NUL-terminated, owned by the caller) and *LEN.  Only a regular file of
 * at most JSONFILE_MAX bytes is read.  Returns 0, or -1 with a one-line
 * reason in ERR ("cannot read 'PATH': ...", "'PATH' is larger than 64
 * MiB").
 */
int jsonfile_read_fd(int fd, const char *path, char **text, size_t *len,
    char *err, size_t errsz);

/* Opens PATH and reads it as jsonfile_read_fd() does. */
int jsonfile_read(
    const char *path, char **text, size_t *len, char *err, size_t errsz);

/*
 * Parses TEXT (LEN bytes, read from PATH) as one JSON object with comments
 * allowed.  Returns the tree (the caller puts it), or NULL with a reason in
 * ERR: "'PATH' holds no JSON", "line N: what json-c says", "line N:
 * unexpected data after the JSON value", "'PATH': the top level is not a
 * JSON object".
 */
json_object *jsonfile_parse(
    const char *path, const char *text, size_t len, char *err, size_t errsz);

/* The member KEY of object O if it is a non-empty string without a NUL
 * byte, else NULL; the string belongs to O. */
const char *jsonfile_str(json_object *o, const char *key);

/* The line number (from 1) of offset OFF in S. */
size_t jsonfile_line_of(const char *s, size_t off);

/* Skips blanks and comments in S (LEN bytes) from OFF; the new offset. */
size_t jsonfile_skip_blank(const char *s, size_t len, size_t off);

#endif
