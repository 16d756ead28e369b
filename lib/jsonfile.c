/* Reading the cores' JSON files: see jsonfile.h. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdread.h"
#include "jsonfile.h"
#include "xmalloc.h"

int
jsonfile_read_fd(
    int fd, const char *path, char **text, size_t *len, char *err, size_t errsz)
{
	struct stat st;

	*text = NULL;
	*len = 0;
	if (fstat(fd, &st) == -1) {
		snprintf(
		    err, errsz, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(
		    err, errsz, "cannot read '%s': not a regular file", path);
		return -1;
	}
	if (st.st_size > JSONFILE_MAX ||
	    fd_read_all(fd, JSONFILE_MAX, (size_t)st.st_size, text, len) ==
		-1) {
		if (st.st_size > JSONFILE_MAX || errno == EFBIG)
			snprintf(err, errsz, "'%s' is larger than %d MiB", path,
			    JSONFILE_MAX / (1024 * 1024));
		else
			snprintf(err, errsz, "cannot read '%s': %s", path,
			    strerror(errno));
		return -1;
	}
	return 0;
}

int
jsonfile_read(
    const char *path, char **text, size_t *len, char *err, size_t errsz)
{
	int fd, rc;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(
		    err, errsz, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	rc = jsonfile_read_fd(fd, path, text, len, err, errsz);
	close(fd);
	return rc;
}

size_t
jsonfile_skip_blank(const char *s, size_t len, size_t off)
{
	const char *e;

	while (off < len) {
		if (s[off] == ' ' || s[off] == '\t' || s[off] == '\n' ||
		    s[off] == '\r') {
			off++;
		} else if (s[off] == '/' && off + 1 < len &&
		    s[off + 1] == '/') {
			while (off < len && s[off] != '\n')
				off++;
		} else if (s[off] == '/' && off + 1 < len &&
		    s[off + 1] == '*') {
			e = memmem(s + off + 2, len - off - 2, "*/", 2);
			if (e == NULL)
				return off;
			off = (size_t)(e - s) + 2;
		} else {
			break;
		}
	}
	return off;
}

size_t
jsonfile_line_of(const char *s, size_t off)
{
	size_t i, line;

	for (line = 1, i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

const char *
jsonfile_str(json_object *o, const char *key)
{
	json_object *m;
	const char *s;
	int len;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, json_type_string))
		return NULL;
	s = json_object_get_string(m);
	len = json_object_get_string_len(m);
	if (s == NULL || len <= 0 || strlen(s) != (size_t)len)
		return NULL;
	return s;
}

json_object *
jsonfile_parse(
    const char *path, const char *text, size_t len, char *err, size_t errsz)
{
	struct json_tokener *tok;
	json_object *root;
	enum json_tokener_error jerr;
	size_t end;

	tok = NULL;
	root = NULL;
	if (jsonfile_skip_blank(text, len, 0) == len) {
		snprintf(err, errsz, "'%s' holds no JSON", path);
		goto fail;
	}
	if (len > INT32_MAX) { /* cannot happen below the size cap */
		snprintf(err, errsz, "'%s' is too large", path);
		goto fail;
	}
	if ((tok = json_tokener_new_ex(JSONFILE_MAX_DEPTH)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (end > len)
		end = len;
	if (root == NULL || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			snprintf(err, errsz, "line %zu: unexpected end of file",
			    jsonfile_line_of(text, len));
		else
			snprintf(err, errsz, "line %zu: %s",
			    jsonfile_line_of(text, end),
			    json_tokener_error_desc(jerr));
		goto fail;
	}
	if ((end = jsonfile_skip_blank(text, len, end)) < len) {
		snprintf(err, errsz,
		    "line %zu: unexpected data after the JSON "
		    "value",
		    jsonfile_line_of(text, end));
		goto fail;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errsz, "'%s': the top level is not a JSON object",
		    path);
		goto fail;
	}
	json_tokener_free(tok);
	return root;
fail:
	if (root != NULL)
		json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return NULL;
}
