/*
 * The YAML configuration (libyaml): every key of the original v2ray-stat's
 * config.yaml, with its meaning and default, plus our additions.
 */
#ifndef V2S_CFG_H
#define V2S_CFG_H

#include <stddef.h>

#include "buf.h"
#include "statcol.h"

#define CFG_DEFAULT_PATH "/etc/v2ray-stat/v2ray-stat.yaml"

enum core_type {
	CORE_XRAY, /* v2ray-stat.type: xray (default) */
	CORE_V2FLY, /* v2ray-stat.type: v2fly (or v2ray) */
	CORE_SINGBOX, /* v2ray-stat.type: singbox (or sing-box) */
};

struct cfg {
	char *path; /* owned: the file loaded */

	/* log */
	int log_level; /* enum log_level; default LOG_LVL_NONE ("none") */
	int log_exclusive;

	/* v2ray-stat */
	enum core_type core_type;
	char *listen_address; /* default 127.0.0.1 */
	int listen_port; /* default 9952 */
	int ticker_interval; /* seconds, default 10, >= 1 */
	int online_rate_threshold; /* kbit/s, default 0, >= 0 */
	int ip_ttl; /* seconds, default 66 (ours) */

	/* core */
	char *core_dir; /* default /usr/local/etc/xray/ */
	char *core_config; /* default /usr/local/etc/xray/config.json */
	char *core_access_log; /* default /usr/local/etc/xray/access.log */
	char *core_access_log_regex; /* NULL = built-in parser (ours) */
	char *core_api_address; /* default 127.0.0.1:9953 (ours) */
	char *core_reload_command; /* ours: sing-box reload, "" = none */
	int core_reload_delay; /* ours: seconds to gather changes */
	char *haproxy_reload_command; /* ours: after auth.lua, "" = none */
	int core_kill_connections; /* ours: ss -K a removed user's IPs */
	int access_log_from_start; /* ours: first start reads from 0 */

	/* api */
	char *api_token; /* "" = writes are not authenticated */
	int api_auth_reads; /* ours: 1 = reads need the token too */
	char *default_inbound; /* ours: default "vless-in" */
	size_t max_body; /* ours: urlencoded body, default 65536 */
	size_t max_upload; /* ours: multipart body, default 8 MiB */
	int max_bulk_lines; /* ours: default 100000 */
	int apply_wait_ms; /* ours: how long writes wait for the core */

	char *timezone; /* "" = local zone */

	/* features */
	int feat_telegram;
	int feat_network;
	int feat_system_monitoring;
	int feat_auth_lua;

	char **services; /* default {"xray", "fail2ban-server"} */
	size_t nservices;

	/* telegram */
	char *telegram_chat_id;
	char *telegram_bot_token;
	char *telegram_api_url; /* ours: default https://api.telegram.org */
	char *telegram_proxy; /* ours: "" = direct, else a proxy URL */
	unsigned telegram_events; /* ours: OB_BIT()s (lib/outbox.h), all */
	int telegram_report_minute; /* ours: local minute of the day, -1 off */
	int telegram_outbox_max; /* ours: messages kept, default 10000 */
	int telegram_outbox_max_age; /* ours: hours kept, default 168 */

	/* system_monitoring */
	int sysmon_average_interval; /* seconds, default 120, >= 10 */
	int sysmon_memory_threshold; /* percent 0..100 */
	int sysmon_disk_threshold; /* percent 0..100 */

	/* paths */
	char *database; /* default /usr/local/etc/v2ray-stat/data.db */
	char *f2b_log; /* default /var/log/v2ray-stat.log */
	char *f2b_banned_log; /* default /var/log/v2ray-stat-banned.log */
	char *auth_lua; /* default /etc/haproxy/.auth.lua */

	/* dns_stats (ours): rows kept per user, 0 = all */
	int dns_max_per_user;

	/* network (ours): interface for features.network; "" = first non-lo */
	char *net_interface;

	/* stats_columns */
	struct statcols server_cols; /* default: no columns, sort source ASC */
	struct statcols client_cols; /* default: no columns, sort user ASC */

	/* Where the file set each key it set (cfg_key_line()). */
	struct cfg_key_line {
		const char *key; /* static: the key's dotted path */
		size_t line;
	} * key_lines;
	size_t nkey_lines;
};

/* Fills CFG with the defaults above (all strings owned). */
void cfg_defaults(struct cfg *cfg);

/*
 * Checks a core.access_log_regex value the way the program that uses it
 * will compile it.  Returns 0 if PATTERN is usable, or -1 with the reason
 * after the quoted value ("does not compile: ...", "has 1 capture groups,
 * want ...") in WHY.  The worker passes accesslog_regex_check()
 * (worker/log/accesslog.h); the responder, which never reads the access
 * log, passes NULL and does not link the regex library.
 */
typedef int cfg_regex_check(const char *pattern, char *why, size_t whysz);

/*
 * Loads PATH into CFG, which cfg_load() first fills with the defaults.
 * Every problem is appended to MSGS as one line
 * "PATH:LINE: key: what is wrong\n" (warnings start "PATH:LINE: warning: ").
 * A wrong value or type, a YAML syntax error or an unreadable file is an
 * error; an unknown key or a bad stats column is a warning.  A regex is
 * checked with CHECK_REGEX, or kept as written if it is NULL.  Returns 0
 * when there was no error, -1 otherwise (CFG then holds defaults and
 * whatever parsed, and must still be freed).
 */
int cfg_load(struct cfg *cfg, const char *path, cfg_regex_check *check_regex,
    struct buf *msgs);

/*
 * The line of the loaded file that set KEY (a dotted path such as
 * "paths.database"; for a key set twice, the line that won), or 0 if the
 * file does not set it (its value is the default).
 */
size_t cfg_key_line(const struct cfg *cfg, const char *key);

/* Frees everything CFG owns and zeroes it; accepts a zeroed struct. */
void cfg_free(struct cfg *cfg);

#endif
