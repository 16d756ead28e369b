/*
 * Parsing the core's JSON config for a rewrite (see coreparse.h).  json-c
 * keeps the order of keys and the text of every floating-point number, but
 * prints integers from their value, so the text is scanned for numbers that
 * would come back changed and such a file is refused instead of silently
 * changed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "corecfg.h"
#include "coreparse.h"
#include "jsonfile.h"

/*
 * Whether the number token T (N bytes) prints back exactly as written once
 * json-c has parsed it: a JSON number, and if it is an integer (no fraction,
 * no exponent; json-c prints those from their int64/uint64 value) then not
 * "-0" and within [INT64_MIN, UINT64_MAX].  Fractions and exponents keep
 * their text in json-c.
 */
static int
number_keeps(const char *t, size_t n)
{
	static const char maxneg[] = "9223372036854775808";
	static const char maxpos[] = "18446744073709551615";
	const char *d, *lim;
	size_t i, nd;
	int neg, isint;

	i = 0;
	neg = 0;
	if (i < n && t[i] == '-') {
		neg = 1;
		i++;
	}
	d = t + i;
	if (i >= n || t[i] < '0' || t[i] > '9')
		return 0;
	if (t[i] == '0') {
		i++;
	} else {
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
	}
	nd = (size_t)(t + i - d);
	isint = 1;
	if (i < n && t[i] == '.') {
		isint = 0;
		i++;
		if (i >= n || t[i] < '0' || t[i] > '9')
			return 0;
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		isint = 0;
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		if (i >= n || t[i] < '0' || t[i] > '9')
			return 0;
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
	}
	if (i != n)
		return 0;
	if (!isint)
		return 1;
	if (neg && nd == 1 && d[0] == '0')
		return 0;
	lim = neg ? maxneg : maxpos;
	if (nd != strlen(lim))
		return nd < strlen(lim);
	return memcmp(d, lim, nd) <= 0;
}

/*
 * Finds every number outside strings and comments in the text and checks
 * that json-c will print it back unchanged; -1 with ERR set if not.
 */
static int
check_numbers(const char *s, size_t len, char *err, size_t errsz)
{
	const char *e;
	size_t i, j;
	char q;

	i = 0;
	while (i < len) {
		if (s[i] == '"' || s[i] == '\'') {
			q = s[i++];
			while (i < len && s[i] != q)
				i += s[i] == '\\' ? 2 : 1;
			i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			e = memmem(s + i + 2, len - i - 2, "*/", 2);
			i = e == NULL ? len : (size_t)(e - s) + 2;
		} else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			j = i;
			while (j < len &&
			    ((s[j] >= '0' && s[j] <= '9') || s[j] == '-' ||
				s[j] == '+' || s[j] == '.' || s[j] == 'e' ||
				s[j] == 'E'))
				j++;
			/* "-Infinity": a lone '-' before letters. */
			if (!(j == i + 1 && s[i] == '-') &&
			    !number_keeps(s + i, j - i)) {
				snprintf(err, errsz,
				    "line %zu: the number '%.*s' would not be "
				    "written back as it is",
				    jsonfile_line_of(s, i),
				    (int)(j - i > 40 ? 40 : j - i), s + i);
				return -1;
			}
			i = j;
		} else if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_') {
			/* a literal (true, NaN, ...): its digits are not a
			 * number */
			while (i < len &&
			    ((s[i] >= 'a' && s[i] <= 'z') ||
				(s[i] >= 'A' && s[i] <= 'Z') ||
				(s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
				i++;
		} else {
			i++;
		}
	}
	return 0;
}

json_object *
coreparse_text(
    const char *path, const char *text, size_t len, char *err, size_t errsz)
{
	json_object *root;

	if ((root = jsonfile_parse(path, text, len, err, errsz)) == NULL)
		return NULL;
	if (check_numbers(text, len, err, errsz) == -1) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

enum proto
coreparse_proto(json_object *in, int singbox)
{
	return proto_parse(jsonfile_str(in, singbox ? "type" : "protocol"));
}
