/*
 * Parsing the proxy core's JSON config for a rewrite: a tree that json-c
 * prints back as the file wrote it, and the protocol of an inbound.  Shared
 * by the writer (corewrite) and the tests' comparison of two configs.
 */
#ifndef V2S_COREPARSE_H
#define V2S_COREPARSE_H

#include <stddef.h>

#include <json-c/json.h>

#include "corecfg.h"

/*
 * Parses TEXT (LEN bytes, read from PATH) as jsonfile_parse() does (one
 * JSON object, comments allowed, as the cores accept it), and refuses a
 * number outside strings and comments that json-c would not print back as
 * written: an integer with a leading zero, "-0", or beyond [INT64_MIN,
 * UINT64_MAX], or a number outside JSON's grammar ("1.", "1e").  Fractions
 * and exponents are fine: json-c keeps their text.  Returns the tree (the
 * caller puts it), or NULL with a one-line reason in ERR (jsonfile_parse()'s,
 * or "line N: the number '...' would not be written back as it is").
 */
json_object *coreparse_text(
    const char *path, const char *text, size_t len, char *err, size_t errsz);

/*
 * The protocol of inbound IN: its "protocol" member (sing-box, when SINGBOX
 * is 1: "type"), ignoring case.  PROTO_OTHER if IN is not an object, the
 * member is missing or not a non-empty string, or names another protocol.
 */
enum proto coreparse_proto(json_object *in, int singbox);

#endif
