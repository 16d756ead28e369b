#include "config.h"

/*
 * The YAML configuration.  The file is read whole (it is small), turned into
 * a tree of nodes with libyaml's event API, and the tree is then applied to
 * struct cfg through one table of known keys.  Every problem becomes one
 * line in the caller's buffer; loading goes on after an error so the admin
 * sees all of them at once.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "buf.h"
#include "cfg.h"
#include "fdread.h"
#include "log.h"
#include "statcol.h"
#include "xmalloc.h"

#ifndef CFG_ZONEINFO_DIR
#define CFG_ZONEINFO_DIR "/usr/share/zoneinfo"
#endif

#define CFG_MAX_FILE (4 * 1024 * 1024) /* a config file is never bigger */
#define CFG_MAX_DEPTH 64 /* YAML nesting we accept */
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
	const char *text; /* the file, for line numbers of reader errors */
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

#define F(field) offsetof(struct cfg, field)
/* clang-format off */
#define SEC(p) { p, K_SECTION, 0, 0, 0, SCS_SERVER }
/* clang-format on */

static const struct key keys[] = {
	SEC("log"),
	{ "log.loglevel", K_LOGLEVEL, F(log_level), 0, 0, SCS_SERVER },
	{ "log.logmode", K_LOGMODE, F(log_exclusive), 0, 0, SCS_SERVER },

	SEC("v2ray-stat"),
	{ "v2ray-stat.type", K_CORETYPE, F(core_type), 0, 0, SCS_SERVER },
	{ "v2ray-stat.address", K_STR, F(listen_address), 0, 0, SCS_SERVER },
	{ "v2ray-stat.port", K_INT, F(listen_port), 1, 65535, SCS_SERVER },
	SEC("v2ray-stat.monitor"),
	{ "v2ray-stat.monitor.ticker_interval", K_INT, F(ticker_interval), 1,
	    3600, SCS_SERVER },
	{ "v2ray-stat.monitor.online_rate_threshold", K_INT,
	    F(online_rate_threshold), 0, 10000000, SCS_SERVER },
	{ "v2ray-stat.monitor.ip_ttl", K_INT, F(ip_ttl), 1, 86400, SCS_SERVER },

	SEC("core"),
	{ "core.dir", K_STR, F(core_dir), 0, 0, SCS_SERVER },
	{ "core.config", K_STR, F(core_config), 0, 0, SCS_SERVER },
	{ "core.access_log", K_STR, F(core_access_log), 0, 0, SCS_SERVER },
	{ "core.access_log_regex", K_REGEX, F(core_access_log_regex), 0, 0,
	    SCS_SERVER },
	{ "core.api_address", K_HOSTPORT, F(core_api_address), 0, 0,
	    SCS_SERVER },
	{ "core.reload_command", K_STR, F(core_reload_command), 0, 0,
	    SCS_SERVER },
	{ "core.reload_delay", K_INT, F(core_reload_delay), 0, 3600,
	    SCS_SERVER },
	{ "core.kill_connections", K_BOOL, F(core_kill_connections), 0, 0,
	    SCS_SERVER },
	{ "core.access_log_from_start", K_BOOL, F(access_log_from_start), 0, 0,
	    SCS_SERVER },

	SEC("api"),
	{ "api.api_token", K_STR, F(api_token), 0, 0, SCS_SERVER },
	{ "api.auth_reads", K_BOOL, F(api_auth_reads), 0, 0, SCS_SERVER },
	{ "api.default_inbound", K_STR_NONEMPTY, F(default_inbound), 0, 0,
	    SCS_SERVER },
	{ "api.max_body", K_SIZE, F(max_body), 1024, 16777216, SCS_SERVER },
	{ "api.max_upload", K_SIZE, F(max_upload), 1024, 268435456,
	    SCS_SERVER },
	{ "api.max_bulk_lines", K_INT, F(max_bulk_lines), 1, 1000000,
	    SCS_SERVER },
	{ "api.apply_wait_ms", K_INT, F(apply_wait_ms), 0, 60000, SCS_SERVER },

	{ "timezone", K_TZ, F(timezone), 0, 0, SCS_SERVER },

	SEC("features"),
	{ "features.telegram", K_BOOL, F(feat_telegram), 0, 0, SCS_SERVER },
	{ "features.network", K_BOOL, F(feat_network), 0, 0, SCS_SERVER },
	{ "features.system_monitoring", K_BOOL, F(feat_system_monitoring), 0, 0,
	    SCS_SERVER },
	{ "features.auth_lua", K_BOOL, F(feat_auth_lua), 0, 0, SCS_SERVER },

	{ "services", K_SERVICES, 0, 0, 0, SCS_SERVER },

	SEC("telegram"),
	{ "telegram.chat_id", K_STR, F(telegram_chat_id), 0, 0, SCS_SERVER },
	{ "telegram.bot_token", K_STR, F(telegram_bot_token), 0, 0,
	    SCS_SERVER },

	SEC("system_monitoring"),
	{ "system_monitoring.average_interval", K_INT,
	    F(sysmon_average_interval), 10, 86400, SCS_SERVER },
	SEC("system_monitoring.memory"),
	{ "system_monitoring.memory.threshold", K_INT,
	    F(sysmon_memory_threshold), 0, 100, SCS_SERVER },
	SEC("system_monitoring.disk"),
	{ "system_monitoring.disk.threshold", K_INT, F(sysmon_disk_threshold),
	    0, 100, SCS_SERVER },

	SEC("paths"),
	{ "paths.database", K_STR, F(database), 0, 0, SCS_SERVER },
	{ "paths.f2b_log", K_STR, F(f2b_log), 0, 0, SCS_SERVER },
	{ "paths.f2b_banned_log", K_STR, F(f2b_banned_log), 0, 0, SCS_SERVER },
	{ "paths.auth_lua", K_STR, F(auth_lua), 0, 0, SCS_SERVER },

	SEC("dns_stats"),
	{ "dns_stats.max_per_user", K_INT, F(dns_max_per_user), 0, 1000000,
	    SCS_SERVER },

	SEC("network"),
	{ "network.interface", K_IFNAME, F(net_interface), 0, 0, SCS_SERVER },

	SEC("stats_columns"),
	SEC("stats_columns.server"),
	{ "stats_columns.server.sort", K_SORT, F(server_cols), 0, 0,
	    SCS_SERVER },
	{ "stats_columns.server.columns", K_COLUMNS, F(server_cols), 0, 0,
	    SCS_SERVER },
	SEC("stats_columns.client"),
	{ "stats_columns.client.sort", K_SORT, F(client_cols), 0, 0,
	    SCS_CLIENT },
	{ "stats_columns.client.columns", K_COLUMNS, F(client_cols), 0, 0,
	    SCS_CLIENT },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void apply_map(struct loader *, const struct ynode *, const char *, int);

/* ------------------------------------------------------------ messages */

static void vmsg(struct loader *, size_t, int, const char *, va_list)
    __attribute__((__format__(printf, 4, 0)));

static void
vmsg(struct loader *ld, size_t line, int warning, const char *fmt, va_list ap)
{
	char *s;

	if (line > 0)
		buf_printf(ld->msgs, "%s:%zu: ", ld->path, line);
	else
		buf_printf(ld->msgs, "%s: ", ld->path);
	if (warning)
		buf_puts(ld->msgs, "warning: ");
	else
		ld->errors++;
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("cfg: out of memory");
	buf_puts(ld->msgs, s);
	free(s);
	buf_putc(ld->msgs, '\n');
}

static void emsg(struct loader *ld, size_t line, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));
static void wmsg(struct loader *ld, size_t line, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static void
emsg(struct loader *ld, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ld, line, 0, fmt, ap);
	va_end(ap);
}

static void
wmsg(struct loader *ld, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ld, line, 1, fmt, ap);
	va_end(ap);
}

/* Quotes bytes that came from the file so they cannot break the line. */
static const char *
esc(const char *s, size_t n, char *out)
{
	return log_escape(s, n, out, CFG_ESC);
}

/* ------------------------------------------------------------ the tree */

static void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static void
ynode_add(struct ynode *parent, struct ynode *kid)
{
	parent->kids = xreallocarray(
	    parent->kids, parent->nkids + 1, sizeof(*parent->kids));
	parent->kids[parent->nkids++] = kid;
}

static size_t
offset_line(const struct loader *ld, size_t off)
{
	size_t i, line;

	line = 1;
	for (i = 0; i < off && i < ld->textlen; i++)
		if (ld->text[i] == '\n')
			line++;
	return line;
}

static void
syntax_error(struct loader *ld)
{
	yaml_parser_t *p;
	size_t line;

	p = &ld->parser;
	if (p->error == YAML_READER_ERROR)
		line = offset_line(ld, p->problem_offset);
	else
		line = p->problem_mark.line + 1;
	emsg(ld, line, "syntax error: %s%s%s%s",
	    p->problem != NULL ? p->problem : "cannot parse",
	    p->context != NULL ? " (" : "",
	    p->context != NULL ? p->context : "",
	    p->context != NULL ? ")" : "");
}

static int
next_event(struct loader *ld, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ld->parser, ev)) {
		syntax_error(ld);
		return -1;
	}
	return 0;
}

static int
is_null_scalar(const yaml_event_t *ev)
{
	const char *v;
	size_t n;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)ev->data.scalar.value;
	n = ev->data.scalar.length;
	return n == 0 || (n == 1 && v[0] == '~') ||
	    (n == 4 &&
		(strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
		    strcmp(v, "NULL") == 0));
}

/*
 * Builds the node that starts with EV, reading the events of its children.
 * Deletes EV.  Returns NULL after an error (already reported).
 */
static struct ynode *
build(struct loader *ld, yaml_event_t *ev, int depth)
{
	struct ynode *n, *kid;
	yaml_event_t kev;
	yaml_event_type_t end;

	n = NULL;
	if (depth > CFG_MAX_DEPTH) {
		emsg(ld, ev->start_mark.line + 1,
		    "nesting deeper than %d levels", CFG_MAX_DEPTH);
		goto fail;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = xcalloc(1, sizeof(*n));
		n->type = YN_SCALAR;
		n->line = ev->start_mark.line + 1;
		n->len = ev->data.scalar.length;
		n->str = xmalloc(n->len + 1);
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		n->null = is_null_scalar(ev);
		yaml_event_delete(ev);
		return n;
	case YAML_ALIAS_EVENT:
		emsg(ld, ev->start_mark.line + 1,
		    "YAML aliases are not supported");
		goto fail;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	default:
		emsg(ld, ev->start_mark.line + 1, "unexpected YAML event");
		goto fail;
	}
	n = xcalloc(1, sizeof(*n));
	n->line = ev->start_mark.line + 1;
	if (ev->type == YAML_SEQUENCE_START_EVENT) {
		n->type = YN_SEQ;
		end = YAML_SEQUENCE_END_EVENT;
	} else {
		n->type = YN_MAP;
		end = YAML_MAPPING_END_EVENT;
	}
	yaml_event_delete(ev);
	for (;;) {
		if (next_event(ld, &kev) == -1)
			goto fail;
		if (kev.type == end) {
			yaml_event_delete(&kev);
			break;
		}
		if ((kid = build(ld, &kev, depth + 1)) == NULL)
			goto fail;
		ynode_add(n, kid);
	}
	return n;
fail:
	yaml_event_delete(ev);
	ynode_free(n);
	return NULL;
}

/*
 * Parses the whole stream: at most one document.  *ROOT is NULL for an
 * empty file.  Returns -1 after an error.
 */
static int
parse_stream(struct loader *ld, struct ynode **root)
{
	yaml_event_t ev;
	int ndocs, rc;

	*root = NULL;
	ndocs = 0;
	rc = -1;
	for (;;) {
		if (next_event(ld, &ev) == -1)
			goto out;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			rc = 0;
			goto out;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				emsg(ld, ev.start_mark.line + 1,
				    "only one YAML document is allowed");
				yaml_event_delete(&ev);
				goto out;
			}
			yaml_event_delete(&ev);
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if ((*root = build(ld, &ev, 0)) == NULL)
				goto out;
			break;
		default:
			yaml_event_delete(&ev);
			break;
		}
	}
out:
	return rc;
}

/* ------------------------------------------------------------ values */

static const char *
type_name(const struct ynode *n)
{
	switch (n->type) {
	case YN_MAP:
		return "mapping";
	case YN_SEQ:
		return "sequence";
	default:
		return "scalar";
	}
}

/*
 * Checks that V is a scalar usable as a value of PATH.  Returns 1 to apply
 * it, 0 to keep the default (an empty value), -1 after an error.
 */
static int
want_scalar(struct loader *ld, const struct ynode *v, const char *path,
    const char *what, size_t kline)
{
	if (v->type != YN_SCALAR) {
		emsg(ld, kline, "%s: expected %s, got a %s", path, what,
		    type_name(v));
		return -1;
	}
	if (v->null)
		return 0;
	if (strlen(v->str) != v->len) {
		emsg(ld, v->line, "%s: value contains a NUL byte", path);
		return -1;
	}
	return 1;
}

/*
 * Parses S as a decimal integer: an optional '-' and digits, nothing else.
 * Returns 0, -1 if S is not a number, -2 if it does not fit.
 */
static int
parse_ll(const char *s, long long *out)
{
	unsigned long long v, lim;
	int neg;

	neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (v = 0; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (lim - (unsigned long long)(*s - '0')) / 10) {
			while (*s >= '0' && *s <= '9')
				s++;
			return *s == '\0' ? -2 : -1;
		}
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							      : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

static int
get_int(struct loader *ld, const struct key *k, const struct ynode *v,
    long long *out)
{
	char e[CFG_ESC];
	int r;

	r = parse_ll(v->str, out);
	if (r == -1) {
		emsg(ld, v->line, "%s: '%s' is not an integer", k->path,
		    esc(v->str, v->len, e));
		return -1;
	}
	if (r == -2 || *out < k->min || *out > k->max) {
		emsg(ld, v->line, "%s: '%s' is out of range %lld..%lld",
		    k->path, esc(v->str, v->len, e), k->min, k->max);
		return -1;
	}
	return 0;
}

static int
parse_bool(const char *s)
{
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcasecmp(s, "on") == 0)
		return 1;
	if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
	    strcasecmp(s, "off") == 0)
		return 0;
	return -1;
}

static void
set_str(struct cfg *cfg, size_t off, const char *s)
{
	char **p;

	p = (char **)(void *)((char *)cfg + off);
	free(*p);
	*p = s == NULL ? NULL : xstrdup(s);
}

/* Returns 1 if TZ names a TZif file under the zoneinfo directory. */
static int
tz_valid(const char *tz)
{
	const char *p;
	char *path, magic[4];
	struct stat st;
	int fd, ok;

	if (tz[0] == '/' || strstr(tz, "..") != NULL || strlen(tz) > 200)
		return 0;
	for (p = tz; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-.", *p) == NULL)
			return 0;
	ok = 0;
	path = xasprintf("%s/%s", CFG_ZONEINFO_DIR, tz);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		goto out;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0)
		ok = 1;
	close(fd);
out:
	free(path);
	return ok;
}

/* Returns 1 if S is "host:port" or "[v6]:port" with port 1..65535. */
static int
hostport_valid(const char *s)
{
	const char *p, *port, *end;
	long long n;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end == s + 1 ||
		    end[1] != ':')
			return 0;
		for (p = s + 1; p < end; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' &&
			    *p != '.')
				return 0;
		port = end + 2;
	} else {
		if ((end = strrchr(s, ':')) == NULL || end == s)
			return 0;
		for (p = s; p < end; p++)
			if (!isalnum((unsigned char)*p) &&
			    strchr(".-_", *p) == NULL)
				return 0;
		port = end + 1;
	}
	return parse_ll(port, &n) == 0 && n >= 1 && n <= 65535;
}

/* Returns 1 if S can be a network interface name. */
static int
ifname_valid(const char *s)
{
	const char *p;

	if (strlen(s) > 15)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p) || *p == '/' || *p == ':')
			return 0;
	return 1;
}

/*
 * core.access_log_regex: "" is the built-in parser; anything else must pass
 * the caller's check (the worker's PCRE2; the responder never reads the
 * log and passes none).
 */
static void
apply_regex(struct loader *ld, const struct key *k, const struct ynode *v)
{
	char e[CFG_ESC], why[320];

	if (v->len == 0) {
		set_str(ld->cfg, k->off, NULL); /* "" = the built-in parser */
		return;
	}
	if (ld->check_regex != NULL &&
	    ld->check_regex(v->str, why, sizeof(why)) == -1) {
		emsg(ld, v->line, "%s: '%s' %s", k->path,
		    esc(v->str, v->len, e), why);
		return;
	}
	set_str(ld->cfg, k->off, v->str);
}

/* Checks one item of a sequence of strings; returns 1 if usable. */
static int
seq_item(
    struct loader *ld, const struct key *k, const struct ynode *it, size_t i)
{
	if (it->type != YN_SCALAR) {
		emsg(ld, it->line, "%s: item %zu: expected a string, got a %s",
		    k->path, i + 1, type_name(it));
		return 0;
	}
	if (it->null || it->len == 0) {
		emsg(ld, it->line, "%s: item %zu is empty", k->path, i + 1);
		return 0;
	}
	if (strlen(it->str) != it->len) {
		emsg(ld, it->line, "%s: item %zu contains a NUL byte", k->path,
		    i + 1);
		return 0;
	}
	return 1;
}

static void
apply_services(
    struct loader *ld, const struct key *k, const struct ynode *v, size_t kline)
{
	struct cfg *cfg;
	size_t i;

	cfg = ld->cfg;
	if (v->type == YN_SCALAR && v->null)
		return;
	if (v->type != YN_SEQ) {
		emsg(ld, kline, "%s: expected a sequence, got a %s", k->path,
		    type_name(v));
		return;
	}
	for (i = 0; i < cfg->nservices; i++)
		free(cfg->services[i]);
	free(cfg->services);
	cfg->services = NULL;
	cfg->nservices = 0;
	for (i = 0; i < v->nkids; i++) {
		if (!seq_item(ld, k, v->kids[i], i))
			continue;
		cfg->services = xreallocarray(
		    cfg->services, cfg->nservices + 1, sizeof(*cfg->services));
		cfg->services[cfg->nservices++] = xstrdup(v->kids[i]->str);
	}
}

static void
apply_columns(
    struct loader *ld, const struct key *k, const struct ynode *v, size_t kline)
{
	struct statcols *sc;
	const struct ynode *it;
	char e[CFG_ESC];
	size_t i;
	int c, j, dup;

	sc = (struct statcols *)(void *)((char *)ld->cfg + k->off);
	if (v->type == YN_SCALAR && v->null)
		return;
	if (v->type != YN_SEQ) {
		emsg(ld, kline, "%s: expected a sequence, got a %s", k->path,
		    type_name(v));
		return;
	}
	sc->ncols = 0;
	for (i = 0; i < v->nkids; i++) {
		it = v->kids[i];
		if (!seq_item(ld, k, it, i))
			continue;
		if ((c = statcol_lookup(k->section, it->str)) == -1) {
			wmsg(ld, it->line, "%s: unknown column '%s' ignored",
			    k->path, esc(it->str, it->len, e));
			continue;
		}
		for (dup = 0, j = 0; j < sc->ncols; j++)
			if ((int)sc->cols[j] == c)
				dup = 1;
		if (dup) {
			wmsg(ld, it->line, "%s: duplicate column '%s' ignored",
			    k->path, it->str);
			continue;
		}
		if (sc->ncols == STATCOL_MAX_COLS) {
			wmsg(ld, it->line, "%s: too many columns, '%s' ignored",
			    k->path, it->str);
			continue;
		}
		sc->cols[sc->ncols++] = (enum statcol)c;
	}
}

static void
apply_sort(struct loader *ld, const struct key *k, const struct ynode *v)
{
	struct statcols *sc;
	char *copy, *tok[3], *save, *t, e[CFG_ESC];
	int ntok, c;

	sc = (struct statcols *)(void *)((char *)ld->cfg + k->off);
	copy = xstrdup(v->str);
	ntok = 0;
	for (t = strtok_r(copy, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save)) {
		if (ntok == 3)
			break;
		tok[ntok++] = t;
	}
	if (ntok == 0)
		goto out;
	if (ntok > 2) {
		wmsg(ld, v->line,
		    "%s: '%s' is not '<column> [ASC|DESC]', keeping '%s %s'",
		    k->path, esc(v->str, v->len, e), statcol_name(sc->sort),
		    sc->sort_desc ? "DESC" : "ASC");
		goto out;
	}
	if ((c = statcol_lookup(k->section, tok[0])) == -1) {
		wmsg(ld, v->line, "%s: unknown column '%s', keeping '%s %s'",
		    k->path, esc(tok[0], strlen(tok[0]), e),
		    statcol_name(sc->sort), sc->sort_desc ? "DESC" : "ASC");
		goto out;
	}
	sc->sort = (enum statcol)c;
	sc->sort_desc = 0;
	if (ntok == 2) {
		if (strcasecmp(tok[1], "DESC") == 0)
			sc->sort_desc = 1;
		else if (strcasecmp(tok[1], "ASC") != 0)
			wmsg(ld, v->line, "%s: unknown order '%s', using ASC",
			    k->path, esc(tok[1], strlen(tok[1]), e));
	}
out:
	free(copy);
}

static const char *
scalar_what(enum kind kind)
{
	switch (kind) {
	case K_INT:
	case K_SIZE:
		return "an integer";
	case K_BOOL:
		return "a boolean";
	default:
		return "a string";
	}
}

/* Applies the value V of the known key K (whose key is on line KLINE). */
static void
apply_key(
    struct loader *ld, const struct key *k, const struct ynode *v, size_t kline)
{
	struct cfg *cfg;
	char e[CFG_ESC], low[16];
	long long n;
	size_t i;
	int b, lvl;

	cfg = ld->cfg;
	switch (k->kind) {
	case K_SECTION:
		if (v->type == YN_SCALAR && v->null)
			return;
		if (v->type != YN_MAP) {
			emsg(ld, kline, "%s: expected a mapping, got a %s",
			    k->path, type_name(v));
			return;
		}
		apply_map(ld, v, k->path, 0);
		return;
	case K_SERVICES:
		apply_services(ld, k, v, kline);
		return;
	case K_COLUMNS:
		apply_columns(ld, k, v, kline);
		return;
	default:
		break;
	}
	if (want_scalar(ld, v, k->path, scalar_what(k->kind), kline) != 1)
		return;
	switch (k->kind) {
	case K_STR:
		set_str(cfg, k->off, v->str);
		break;
	case K_STR_NONEMPTY:
		if (v->len == 0)
			emsg(ld, v->line, "%s: must not be empty", k->path);
		else
			set_str(cfg, k->off, v->str);
		break;
	case K_INT:
		if (get_int(ld, k, v, &n) == 0)
			*(int *)(void *)((char *)cfg + k->off) = (int)n;
		break;
	case K_SIZE:
		if (get_int(ld, k, v, &n) == 0)
			*(size_t *)(void *)((char *)cfg + k->off) = (size_t)n;
		break;
	case K_BOOL:
		if ((b = parse_bool(v->str)) == -1)
			emsg(ld, v->line,
			    "%s: '%s' is not a boolean "
			    "(true/false/yes/no/on/off)",
			    k->path, esc(v->str, v->len, e));
		else
			*(int *)(void *)((char *)cfg + k->off) = b;
		break;
	case K_LOGLEVEL:
		lvl = -1;
		if (v->len < sizeof(low)) {
			for (i = 0; i <= v->len; i++)
				low[i] =
				    (char)tolower((unsigned char)v->str[i]);
			lvl = log_level_parse(low);
		}
		if (lvl == -1)
			emsg(ld, v->line,
			    "%s: unknown level '%s' (trace, debug, info, warn, "
			    "error, fatal, panic, none)",
			    k->path, esc(v->str, v->len, e));
		else
			cfg->log_level = lvl;
		break;
	case K_LOGMODE:
		if (strcasecmp(v->str, "inclusive") == 0)
			cfg->log_exclusive = 0;
		else if (strcasecmp(v->str, "exclusive") == 0)
			cfg->log_exclusive = 1;
		else
			emsg(ld, v->line,
			    "%s: unknown mode '%s' (inclusive or exclusive)",
			    k->path, esc(v->str, v->len, e));
		break;
	case K_CORETYPE:
		if (strcasecmp(v->str, "xray") == 0)
			cfg->core_type = CORE_XRAY;
		else if (strcasecmp(v->str, "v2fly") == 0 ||
		    strcasecmp(v->str, "v2ray") == 0)
			cfg->core_type = CORE_V2FLY;
		else if (strcasecmp(v->str, "singbox") == 0 ||
		    strcasecmp(v->str, "sing-box") == 0)
			cfg->core_type = CORE_SINGBOX;
		else
			emsg(ld, v->line,
			    "%s: unknown core type '%s' (xray, v2fly, v2ray, "
			    "singbox, sing-box)",
			    k->path, esc(v->str, v->len, e));
		break;
	case K_TZ:
		if (v->len == 0 || tz_valid(v->str))
			set_str(cfg, k->off, v->str);
		else
			emsg(ld, v->line, "%s: unknown time zone '%s'", k->path,
			    esc(v->str, v->len, e));
		break;
	case K_REGEX:
		apply_regex(ld, k, v);
		break;
	case K_HOSTPORT:
		if (hostport_valid(v->str))
			set_str(cfg, k->off, v->str);
		else
			emsg(ld, v->line,
			    "%s: '%s' is not host:port (port 1..65535)",
			    k->path, esc(v->str, v->len, e));
		break;
	case K_IFNAME:
		if (ifname_valid(v->str))
			set_str(cfg, k->off, v->str);
		else
			emsg(ld, v->line, "%s: '%s' is not an interface name",
			    k->path, esc(v->str, v->len, e));
		break;
	case K_SORT:
		apply_sort(ld, k, v);
		break;
	default:
		break;
	}
}

static int
key_lookup(const char *path)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].path, path) == 0)
			return (int)i;
	return -1;
}

/*
 * Applies mapping M whose keys live under PREFIX ("" at the top).  When a
 * key appears twice the later one wins: earlier ones are skipped.
 */
static void
apply_map(struct loader *ld, const struct ynode *m, const char *prefix, int top)
{
	const struct ynode *k, *v;
	char **paths, e[CFG_ESC];
	int *idx, first[NKEYS], last[NKEYS];
	size_t i, n;

	n = m->nkids / 2;
	if (n == 0)
		return;
	paths = xcalloc(n, sizeof(*paths));
	idx = xcalloc(n, sizeof(*idx));
	for (i = 0; i < NKEYS; i++)
		first[i] = last[i] = -1;
	for (i = 0; i < n; i++) {
		k = m->kids[2 * i];
		idx[i] = -1;
		if (k->type != YN_SCALAR) {
			idx[i] = -2;
			continue;
		}
		paths[i] = xasprintf("%s%s%s", prefix, top ? "" : ".", k->str);
		if (strlen(k->str) == k->len &&
		    (idx[i] = key_lookup(paths[i])) >= 0) {
			if (first[idx[i]] == -1)
				first[idx[i]] = (int)i;
			last[idx[i]] = (int)i;
		}
	}
	for (i = 0; i < n; i++) {
		k = m->kids[2 * i];
		v = m->kids[2 * i + 1];
		if (idx[i] == -2) {
			emsg(ld, k->line, "%s%sa %s cannot be a key", prefix,
			    top ? "" : ": ", type_name(k));
			continue;
		}
		if (idx[i] == -1) {
			wmsg(ld, k->line, "unknown key '%s'",
			    esc(paths[i], strlen(paths[i]), e));
			continue;
		}
		if (first[idx[i]] != (int)i)
			wmsg(ld, k->line,
			    "duplicate key '%s', the last one wins", paths[i]);
		if (last[idx[i]] == (int)i)
			apply_key(ld, &keys[idx[i]], v, k->line);
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(idx);
}

/* ------------------------------------------------------------ loading */

/* Reads PATH whole into *TEXT; returns -1 after reporting why not. */
static int
read_file(struct loader *ld, char **text, size_t *len)
{
	struct stat st;
	int fd, rc = -1;

	*text = NULL;
	*len = 0;
	if ((fd = open(ld->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		emsg(ld, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		emsg(ld, 0, "cannot stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		emsg(ld, 0, "not a regular file");
	/* A file of CFG_MAX_FILE bytes or more is refused. */
	else if (fd_read_all(fd, CFG_MAX_FILE - 1, (size_t)st.st_size, text,
		     len) == -1) {
		if (errno == EFBIG)
			emsg(ld, 0, "larger than %d bytes", CFG_MAX_FILE);
		else
			emsg(ld, 0, "cannot read: %s", strerror(errno));
	} else
		rc = 0;
	close(fd);
	return rc;
}

void
cfg_defaults(struct cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_LVL_NONE;
	cfg->log_exclusive = 0;
	cfg->core_type = CORE_XRAY;
	cfg->listen_address = xstrdup("127.0.0.1");
	cfg->listen_port = 9952;
	cfg->ticker_interval = 10;
	cfg->online_rate_threshold = 0;
	cfg->ip_ttl = 66;
	cfg->core_dir = xstrdup("/usr/local/etc/xray/");
	cfg->core_config = xstrdup("/usr/local/etc/xray/config.json");
	cfg->core_access_log = xstrdup("/usr/local/etc/xray/access.log");
	cfg->core_access_log_regex = NULL;
	cfg->core_api_address = xstrdup("127.0.0.1:9953");
	cfg->core_reload_command = xstrdup("");
	cfg->core_reload_delay = 2;

	cfg->access_log_from_start = 0;
	cfg->api_token = xstrdup("");
	cfg->api_auth_reads = 0;
	cfg->default_inbound = xstrdup("vless-in");
	cfg->max_body = 65536;
	cfg->max_upload = 8388608;
	cfg->max_bulk_lines = 100000;
	cfg->apply_wait_ms = 2000;

	cfg->timezone = xstrdup("");
	cfg->services = xcalloc(2, sizeof(*cfg->services));
	cfg->services[0] = xstrdup("xray");
	cfg->services[1] = xstrdup("fail2ban-server");
	cfg->nservices = 2;
	cfg->telegram_chat_id = xstrdup("");
	cfg->telegram_bot_token = xstrdup("");
	cfg->sysmon_average_interval = 120;
	cfg->sysmon_memory_threshold = 0;
	cfg->sysmon_disk_threshold = 0;
	cfg->database = xstrdup("/usr/local/etc/v2ray-stat/data.db");
	cfg->f2b_log = xstrdup("/var/log/v2ray-stat.log");
	cfg->f2b_banned_log = xstrdup("/var/log/v2ray-stat-banned.log");
	cfg->auth_lua = xstrdup("/etc/haproxy/.auth.lua");
	cfg->dns_max_per_user = 0;
	cfg->net_interface = xstrdup("");
	cfg->server_cols.ncols = 0;
	cfg->server_cols.sort = SC_SOURCE;
	cfg->server_cols.sort_desc = 0;
	cfg->client_cols.ncols = 0;
	cfg->client_cols.sort = SC_USER;
	cfg->client_cols.sort_desc = 0;
}

int
cfg_load(struct cfg *cfg, const char *path, cfg_regex_check *check_regex,
    struct buf *msgs)
{
	struct loader ld;
	struct ynode *root;
	char *text;
	size_t len;
	int parser_ok;

	cfg_defaults(cfg);
	cfg->path = xstrdup(path);
	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.path = path;
	ld.msgs = msgs;
	ld.check_regex = check_regex;
	root = NULL;
	text = NULL;
	parser_ok = 0;
	if (read_file(&ld, &text, &len) == -1)
		goto out;
	ld.text = text;
	ld.textlen = len;
	if (!yaml_parser_initialize(&ld.parser)) {
		emsg(&ld, 0, "cannot initialise the YAML parser");
		goto out;
	}
	parser_ok = 1;
	yaml_parser_set_input_string(
	    &ld.parser, (const unsigned char *)text, len);
	if (parse_stream(&ld, &root) == -1 || root == NULL)
		goto out;
	if (root->type == YN_SCALAR && root->null)
		goto out;
	if (root->type != YN_MAP) {
		emsg(&ld, root->line, "expected a mapping at the top, got a %s",
		    type_name(root));
		goto out;
	}
	apply_map(&ld, root, "", 1);
out:
	ynode_free(root);
	if (parser_ok)
		yaml_parser_delete(&ld.parser);
	free(text);
	return ld.errors > 0 ? -1 : 0;
}

void
cfg_free(struct cfg *cfg)
{
	size_t i;

	free(cfg->path);
	free(cfg->listen_address);
	free(cfg->core_dir);
	free(cfg->core_config);
	free(cfg->core_access_log);
	free(cfg->core_access_log_regex);
	free(cfg->core_api_address);
	free(cfg->core_reload_command);
	free(cfg->api_token);
	free(cfg->default_inbound);
	free(cfg->timezone);
	for (i = 0; i < cfg->nservices; i++)
		free(cfg->services[i]);
	free(cfg->services);
	free(cfg->telegram_chat_id);
	free(cfg->telegram_bot_token);
	free(cfg->database);
	free(cfg->f2b_log);
	free(cfg->f2b_banned_log);
	free(cfg->auth_lua);
	free(cfg->net_interface);
	memset(cfg, 0, sizeof(*cfg));
}
