/*
 * What the files of the configuration loader share, and nothing outside
 * them uses: the loader's state, the YAML tree (cfg_yaml.c), the table
 * entry of a known key (cfg_keys.c), applying a value by its kind
 * (cfg_apply.c, cfg_cols.c), the value checks (cfg_value.c) and the
 * messages (cfg.c).
 */
#ifndef V2S_CFG_INT_H
#define V2S_CFG_INT_H

#include <stddef.h>

#include <yaml.h>

#include "buf.h"
#include "cfg.h"
#include "statcol.h"

#define CFG_ESC 128 /* room for a quoted value */

enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP };

/* One YAML node; a mapping keeps key, value, key, value... in kids. */
struct ynode {
	enum ynode_type type;
	size_t line; /* 1-based */
	char *str; /* scalar bytes, NUL-terminated (may hold NULs) */
	size_t len;
	int null; /* plain empty, "~" or "null": keep the default */
	struct ynode **kids;
	size_t nkids;
};

struct loader {
	struct cfg *cfg;
	const char *path;
	struct buf *msgs;
	cfg_regex_check *check_regex; /* NULL: regexes are not checked */
	int errors;
	yaml_parser_t parser;
	const char *text; /* the file: parsed; line numbers of reader errors */
	size_t token_line, chat_line; /* where the telegram keys were set */
	size_t textlen;
};

enum kind {
	K_SECTION,
	K_STR,
	K_STR_NONEMPTY,
	K_INT,
	K_SIZE,
	K_BOOL,
	K_LOGLEVEL,
	K_LOGMODE,
	K_CORETYPE,
	K_TZ,
	K_REGEX,
	K_HOSTPORT,
	K_IFNAME,
	K_SERVICES,
	K_EVENTS, /* telegram.events: a list of lib/outbox.h kind names */
	K_HHMM, /* "HH:MM" (a minute of the day) or "off" (-1) */
	K_URL, /* an http:// or https:// URL */
	K_PROXY, /* "" or a proxy URL (http, https, socks4(a), socks5(h)) */
	K_TGTOKEN, /* a bot token: "" or DIGITS:REST, no blanks */
	K_CHATID, /* a chat id: "", an integer or @name */
	K_COLUMNS,
	K_SORT,
};

struct key {
	const char *path;
	enum kind kind;
	size_t off;
	long long min, max;
	enum statcol_section section;
};

/* ------------------------------------------------------------ cfg.c */

/*
 * Appends one error to LD's messages, "PATH:LINE: " (or "PATH: " when LINE
 * is 0) then FMT and a newline, and counts it in LD->errors.
 */
void cfg_emsg(struct loader *ld, size_t line, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

/* The same for a warning ("PATH:LINE: warning: "), which is not counted. */
void cfg_wmsg(struct loader *ld, size_t line, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

/*
 * Quotes bytes that came from the file so they cannot break the line:
 * the N bytes at S, escaped with log_escape() into OUT, CFG_ESC bytes (cut
 * with "..." if longer).  Returns OUT.
 */
const char *cfg_esc(const char *s, size_t n, char *out);

/* ------------------------------------------------------------ cfg_yaml.c */

/*
 * Parses LD->text (LD->textlen bytes), at most one document, into a tree
 * at *ROOT, which is NULL for an empty file.  Returns 0, or -1 after an
 * error (reported; *ROOT may still hold a tree to free).
 */
int ynode_parse(struct loader *ld, struct ynode **root);

/* Frees the tree N; accepts NULL. */
void ynode_free(struct ynode *n);

/* Returns "mapping", "sequence" or "scalar", N's type for messages. */
const char *ynode_type_name(const struct ynode *n);

/* ------------------------------------------------------------ cfg_keys.c */

/*
 * Applies mapping M whose keys live under PREFIX ("" at the top, where TOP
 * is 1).  When a key appears twice the later one wins: earlier ones are
 * skipped.  An unknown key is a warning.
 */
void cfg_apply_map(
    struct loader *ld, const struct ynode *m, const char *prefix, int top);

/* ------------------------------------------------------------ cfg_apply.c */

/*
 * Applies the value V of the known key K (whose key is on line KLINE).  A
 * value that cannot be used is reported and leaves the field as it was.
 */
void cfg_apply_key(struct loader *ld, const struct key *k,
    const struct ynode *v, size_t kline);

/*
 * Checks that V, the value of K (whose key is on line KLINE), is a
 * sequence.  Returns 1 to apply it, 0 to keep the default (an empty
 * value), -1 after an error.
 */
int cfg_want_seq(struct loader *ld, const struct key *k, const struct ynode *v,
    size_t kline);

/*
 * Checks item I (0-based) of K's sequence of strings; reports what is wrong
 * with it.  Returns 1 if it is usable, 0 if not.
 */
int cfg_seq_item(
    struct loader *ld, const struct key *k, const struct ynode *it, size_t i);

/* ------------------------------------------------------------ cfg_cols.c */

/*
 * K_COLUMNS: replaces the columns at K->off with the sequence V.  An empty
 * value keeps them; another type is an error on KLINE, the key's line.
 * Unknown, duplicate and extra columns are warnings and are left out.
 */
void cfg_apply_columns(struct loader *ld, const struct key *k,
    const struct ynode *v, size_t kline);

/*
 * K_SORT: sets the sort of the columns at K->off from the scalar V,
 * "<column> [ASC|DESC]".  An unknown order is a warning and means ASC;
 * another value is a warning that keeps the sort (a blank one, silently).
 */
void cfg_apply_sort(
    struct loader *ld, const struct key *k, const struct ynode *v);

/* ------------------------------------------------------------ cfg_value.c */

/*
 * Parses S as a decimal integer: an optional '-' and digits, nothing else.
 * Returns 0, -1 if S is not a number, -2 if it does not fit.
 */
int cfg_parse_ll(const char *s, long long *out);

/* Returns 1 for true/yes/on, 0 for false/no/off (any case), else -1. */
int cfg_parse_bool(const char *s);

/* Returns 1 if TZ names a TZif file under the zoneinfo directory, or 0. */
int cfg_tz_valid(const char *tz);

/* Returns 1 if S is "host:port" or "[v6]:port" with port 1..65535, or 0. */
int cfg_hostport_valid(const char *s);

/* Returns 1 if S can be a network interface name, or 0. */
int cfg_ifname_valid(const char *s);

/* "HH:MM" as minutes of the day (0..1439), or -1. */
int cfg_hhmm_parse(const char *s);

/* 1 if S is an http:// or https:// URL with a host (with PROXY, also
 * socks4://, socks4a://, socks5://, socks5h://), without blanks or
 * control characters; else 0. */
int cfg_url_valid(const char *s, int proxy);

/* 1 if S looks like a bot token: digits, ':', then [A-Za-z0-9_-]. */
int cfg_tgtoken_valid(const char *s);

/* 1 if S is a chat id: an optional '-' and 1..20 digits, or '@' and
 * 5..32 of [A-Za-z0-9_]. */
int cfg_chatid_valid(const char *s);

#endif
