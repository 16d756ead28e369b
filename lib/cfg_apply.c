/*
 * Applying the value of one known key to struct cfg by the key's kind:
 * the scalar kinds (strings, integers, booleans, names from a list,
 * checked values), core.access_log_regex and services.  A section's
 * mapping goes back to cfg_apply_map(), stats columns to cfg_cols.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_int.h"
#include "log.h"
#include "outbox.h"
#include "xmalloc.h"

/*
 * Checks that V is a scalar usable as a value of PATH.  Returns 1 to apply
 * it, 0 to keep the default (an empty value), -1 after an error.
 */
static int
want_scalar(struct loader *ld, const struct ynode *v, const char *path,
    const char *what, size_t kline)
{
	if (v->type != YN_SCALAR) {
		cfg_emsg(ld, kline, "%s: expected %s, got a %s", path, what,
		    ynode_type_name(v));
		return -1;
	}
	if (v->null)
		return 0;
	if (strlen(v->str) != v->len) {
		cfg_emsg(ld, v->line, "%s: value contains a NUL byte", path);
		return -1;
	}
	return 1;
}

static int
get_int(struct loader *ld, const struct key *k, const struct ynode *v,
    long long *out)
{
	char e[CFG_ESC];
	int r;

	r = cfg_parse_ll(v->str, out);
	if (r == -1) {
		cfg_emsg(ld, v->line, "%s: '%s' is not an integer", k->path,
		    cfg_esc(v->str, v->len, e));
		return -1;
	}
	if (r == -2 || *out < k->min || *out > k->max) {
		cfg_emsg(ld, v->line, "%s: '%s' is out of range %lld..%lld",
		    k->path, cfg_esc(v->str, v->len, e), k->min, k->max);
		return -1;
	}
	return 0;
}

static void
set_str(struct cfg *cfg, size_t off, const char *s)
{
	char **p;

	p = (char **)(void *)((char *)cfg + off);
	free(*p);
	*p = s == NULL ? NULL : xstrdup(s);
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
		cfg_emsg(ld, v->line, "%s: '%s' %s", k->path,
		    cfg_esc(v->str, v->len, e), why);
		return;
	}
	set_str(ld->cfg, k->off, v->str);
}

int
cfg_want_seq(
    struct loader *ld, const struct key *k, const struct ynode *v, size_t kline)
{
	if (v->type == YN_SCALAR && v->null)
		return 0;
	if (v->type != YN_SEQ) {
		cfg_emsg(ld, kline, "%s: expected a sequence, got a %s",
		    k->path, ynode_type_name(v));
		return -1;
	}
	return 1;
}

int
cfg_seq_item(
    struct loader *ld, const struct key *k, const struct ynode *it, size_t i)
{
	if (it->type != YN_SCALAR) {
		cfg_emsg(ld, it->line,
		    "%s: item %zu: expected a string, got a %s", k->path, i + 1,
		    ynode_type_name(it));
		return 0;
	}
	if (it->null || it->len == 0) {
		cfg_emsg(ld, it->line, "%s: item %zu is empty", k->path, i + 1);
		return 0;
	}
	if (strlen(it->str) != it->len) {
		cfg_emsg(ld, it->line, "%s: item %zu contains a NUL byte",
		    k->path, i + 1);
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
	if (cfg_want_seq(ld, k, v, kline) != 1)
		return;
	for (i = 0; i < cfg->nservices; i++)
		free(cfg->services[i]);
	free(cfg->services);
	cfg->services = NULL;
	cfg->nservices = 0;
	for (i = 0; i < v->nkids; i++) {
		if (!cfg_seq_item(ld, k, v->kids[i], i))
			continue;
		cfg->services = xreallocarray(
		    cfg->services, cfg->nservices + 1, sizeof(*cfg->services));
		cfg->services[cfg->nservices++] = xstrdup(v->kids[i]->str);
	}
}

/* telegram.events: a list of kind names, or the word "all". */
static void
apply_events(
    struct loader *ld, const struct key *k, const struct ynode *v, size_t kline)
{
	const struct ynode *it;
	char e[CFG_ESC];
	unsigned bits = 0;
	size_t i;
	int kind;

	if (v->type == YN_SCALAR && !v->null && strcmp(v->str, "all") == 0) {
		ld->cfg->telegram_events = OB_ALL;
		return;
	}
	if (cfg_want_seq(ld, k, v, kline) != 1)
		return;
	for (i = 0; i < v->nkids; i++) {
		it = v->kids[i];
		if (!cfg_seq_item(ld, k, it, i))
			continue;
		if (strcmp(it->str, "all") == 0)
			kind = -2;
		else
			kind = outbox_kind_lookup(it->str);
		if (kind == -1) {
			cfg_emsg(ld, it->line,
			    "%s: unknown event '%s' (expired, renewed, "
			    "disabled, enabled, ban, unban, report, service, "
			    "memory, disk, all)",
			    k->path, cfg_esc(it->str, it->len, e));
			continue;
		}
		bits |= kind == -2 ? OB_ALL : OB_BIT(kind);
	}
	ld->cfg->telegram_events = bits;
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

void
cfg_apply_key(
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
			cfg_emsg(ld, kline, "%s: expected a mapping, got a %s",
			    k->path, ynode_type_name(v));
			return;
		}
		cfg_apply_map(ld, v, k->path, 0);
		return;
	case K_SERVICES:
		apply_services(ld, k, v, kline);
		return;
	case K_EVENTS:
		apply_events(ld, k, v, kline);
		return;
	case K_COLUMNS:
		cfg_apply_columns(ld, k, v, kline);
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
			cfg_emsg(ld, v->line, "%s: must not be empty", k->path);
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
		if ((b = cfg_parse_bool(v->str)) == -1)
			cfg_emsg(ld, v->line,
			    "%s: '%s' is not a boolean "
			    "(true/false/yes/no/on/off)",
			    k->path, cfg_esc(v->str, v->len, e));
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
			cfg_emsg(ld, v->line,
			    "%s: unknown level '%s' (trace, debug, info, warn, "
			    "error, fatal, panic, none)",
			    k->path, cfg_esc(v->str, v->len, e));
		else
			cfg->log_level = lvl;
		break;
	case K_LOGMODE:
		if (strcasecmp(v->str, "inclusive") == 0)
			cfg->log_exclusive = 0;
		else if (strcasecmp(v->str, "exclusive") == 0)
			cfg->log_exclusive = 1;
		else
			cfg_emsg(ld, v->line,
			    "%s: unknown mode '%s' (inclusive or exclusive)",
			    k->path, cfg_esc(v->str, v->len, e));
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
			cfg_emsg(ld, v->line,
			    "%s: unknown core type '%s' (xray, v2fly, v2ray, "
			    "singbox, sing-box)",
			    k->path, cfg_esc(v->str, v->len, e));
		break;
	case K_TZ:
		if (v->len == 0 || cfg_tz_valid(v->str))
			set_str(cfg, k->off, v->str);
		else
			cfg_emsg(ld, v->line, "%s: unknown time zone '%s'",
			    k->path, cfg_esc(v->str, v->len, e));
		break;
	case K_REGEX:
		apply_regex(ld, k, v);
		break;
	case K_HOSTPORT:
		if (cfg_hostport_valid(v->str))
			set_str(cfg, k->off, v->str);
		else
			cfg_emsg(ld, v->line,
			    "%s: '%s' is not host:port (port 1..65535)",
			    k->path, cfg_esc(v->str, v->len, e));
		break;
	case K_IFNAME:
		if (cfg_ifname_valid(v->str))
			set_str(cfg, k->off, v->str);
		else
			cfg_emsg(ld, v->line,
			    "%s: '%s' is not an interface name", k->path,
			    cfg_esc(v->str, v->len, e));
		break;
	case K_SORT:
		cfg_apply_sort(ld, k, v);
		break;
	case K_HHMM:
		if (strcmp(v->str, "off") == 0)
			cfg->telegram_report_minute = -1;
		else if ((b = cfg_hhmm_parse(v->str)) >= 0)
			cfg->telegram_report_minute = b;
		else
			cfg_emsg(ld, v->line,
			    "%s: '%s' is not a time HH:MM (00:00..23:59) or "
			    "off",
			    k->path, cfg_esc(v->str, v->len, e));
		break;
	case K_URL:
		if (cfg_url_valid(v->str, 0))
			set_str(cfg, k->off, v->str);
		else
			cfg_emsg(ld, v->line,
			    "%s: '%s' is not an http:// or https:// URL",
			    k->path, cfg_esc(v->str, v->len, e));
		break;
	case K_PROXY:
		if (v->len == 0 || cfg_url_valid(v->str, 1))
			set_str(cfg, k->off, v->str);
		else
			cfg_emsg(ld, v->line,
			    "%s: '%s' is not a proxy URL (http://, https://, "
			    "socks4://, socks4a://, socks5://, socks5h://)",
			    k->path, cfg_esc(v->str, v->len, e));
		break;
	case K_TGTOKEN:
		if (v->len == 0 || cfg_tgtoken_valid(v->str)) {
			set_str(cfg, k->off, v->str);
			ld->token_line = v->line;
		} else
			cfg_emsg(ld, v->line,
			    "%s: not a bot token (DIGITS:LETTERS, as "
			    "BotFather gives it)",
			    k->path);
		break;
	case K_CHATID:
		if (v->len == 0 || cfg_chatid_valid(v->str)) {
			set_str(cfg, k->off, v->str);
			ld->chat_line = v->line;
		} else
			cfg_emsg(ld, v->line,
			    "%s: '%s' is not a chat id (an integer such as "
			    "-1001234567890, or a channel's username)",
			    k->path, cfg_esc(v->str, v->len, e));
		break;
	default:
		break;
	}
}
