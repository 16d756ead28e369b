/* Unit tests for lib/cfg.c and lib/statcol.c. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accesslog.h"
#include "buf.h"
#include "cfg.h"
#include "cfg_int.h"
#include "log.h"
#include "statcol.h"
#include "tap.h"
#include "xmalloc.h"

static char tmpl_path[4096];

/* Writes N bytes of YAML to a new temp file; returns its path (static). */
static const char *
write_tmp(const char *yaml, size_t n)
{
	const char *dir;
	int fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(tmpl_path, sizeof(tmpl_path), "%s/v2s-cfg-XXXXXX", dir);
	if ((fd = mkstemp(tmpl_path)) == -1) {
		tap_diag("mkstemp: %s", strerror(errno));
		exit(1);
	}
	if (write(fd, yaml, n) != (ssize_t)n) {
		tap_diag("write: %s", strerror(errno));
		exit(1);
	}
	close(fd);
	return tmpl_path;
}

/* Replaces every '@' in WANT with PATH (the expected messages' file). */
static char *
subst(const char *want, const char *path)
{
	struct buf b;
	const char *p;
	char *s;

	buf_init(&b);
	for (p = want; *p != '\0'; p++) {
		if (*p == '@')
			buf_puts(&b, path);
		else
			buf_putc(&b, *p);
	}
	s = xstrdup(buf_str(&b));
	buf_free(&b);
	return s;
}

/* Loads YAML (N bytes) into CFG; returns cfg_load()'s result. */
static int
load(struct cfg *cfg, const char *yaml, size_t n, struct buf *msgs)
{
	const char *path;
	int rc;

	buf_init(msgs);
	path = write_tmp(yaml, n);
	rc = cfg_load(cfg, path, accesslog_regex_check, msgs);
	unlink(path);
	return rc;
}

#define LOADS(cfg, yaml, msgs) load((cfg), (yaml), strlen(yaml), (msgs))

/* ------------------------------------------------------------ messages */

static const struct {
	const char *name;
	const char *yaml;
	int rc;
	const char *msgs; /* '@' stands for the file's path */
} msgcases[] = {
	/* integers */
	{ "port out of range", "v2ray-stat:\n  port: 70000\n", -1,
	    "@:2: v2ray-stat.port: '70000' is out of range 1..65535\n" },
	{ "port 0", "v2ray-stat:\n  port: 0\n", -1,
	    "@:2: v2ray-stat.port: '0' is out of range 1..65535\n" },
	{ "port negative", "v2ray-stat:\n  port: -1\n", -1,
	    "@:2: v2ray-stat.port: '-1' is out of range 1..65535\n" },
	{ "port trailing junk", "v2ray-stat:\n  port: 12abc\n", -1,
	    "@:2: v2ray-stat.port: '12abc' is not an integer\n" },
	{ "port leading space", "v2ray-stat:\n  port: \" 12\"\n", -1,
	    "@:2: v2ray-stat.port: ' 12' is not an integer\n" },
	{ "port exponent", "v2ray-stat:\n  port: 1e3\n", -1,
	    "@:2: v2ray-stat.port: '1e3' is not an integer\n" },
	{ "port plus sign", "v2ray-stat:\n  port: +80\n", -1,
	    "@:2: v2ray-stat.port: '+80' is not an integer\n" },
	{ "port hex", "v2ray-stat:\n  port: 0x50\n", -1,
	    "@:2: v2ray-stat.port: '0x50' is not an integer\n" },
	{ "port float", "v2ray-stat:\n  port: 80.0\n", -1,
	    "@:2: v2ray-stat.port: '80.0' is not an integer\n" },
	{ "port lone minus", "v2ray-stat:\n  port: '-'\n", -1,
	    "@:2: v2ray-stat.port: '-' is not an integer\n" },
	{ "port overflows long long",
	    "v2ray-stat:\n  port: 99999999999999999999999\n", -1,
	    "@:2: v2ray-stat.port: '99999999999999999999999' is out of "
	    "range 1..65535\n" },
	{ "port mapping", "v2ray-stat:\n  port: {a: 1}\n", -1,
	    "@:2: v2ray-stat.port: expected an integer, got a mapping\n" },
	{ "port block mapping", "v2ray-stat:\n  port:\n    a: 1\n", -1,
	    "@:2: v2ray-stat.port: expected an integer, got a mapping\n" },
	{ "ticker 0", "v2ray-stat:\n  monitor:\n    ticker_interval: 0\n", -1,
	    "@:3: v2ray-stat.monitor.ticker_interval: '0' is out of range "
	    "1..3600\n" },
	{ "ticker 3601", "v2ray-stat:\n  monitor:\n    ticker_interval: 3601\n",
	    -1,
	    "@:3: v2ray-stat.monitor.ticker_interval: '3601' is out of "
	    "range 1..3600\n" },
	{ "online threshold negative",
	    "v2ray-stat:\n  monitor:\n    online_rate_threshold: -5\n", -1,
	    "@:3: v2ray-stat.monitor.online_rate_threshold: '-5' is out of "
	    "range 0..10000000\n" },
	{ "ip_ttl 0", "v2ray-stat:\n  monitor:\n    ip_ttl: 0\n", -1,
	    "@:3: v2ray-stat.monitor.ip_ttl: '0' is out of range 1..86400\n" },
	{ "average_interval 9", "system_monitoring:\n  average_interval: 9\n",
	    -1,
	    "@:2: system_monitoring.average_interval: '9' is out of range "
	    "10..86400\n" },
	{ "memory threshold 101",
	    "system_monitoring:\n  memory:\n    threshold: 101\n", -1,
	    "@:3: system_monitoring.memory.threshold: '101' is out of range "
	    "0..100\n" },
	{ "disk threshold -1",
	    "system_monitoring:\n  disk:\n    threshold: -1\n", -1,
	    "@:3: system_monitoring.disk.threshold: '-1' is out of range "
	    "0..100\n" },
	{ "max_body too small", "api:\n  max_body: 1023\n", -1,
	    "@:2: api.max_body: '1023' is out of range 1024..16777216\n" },
	{ "max_upload too big", "api:\n  max_upload: 268435457\n", -1,
	    "@:2: api.max_upload: '268435457' is out of range "
	    "1024..268435456\n" },
	{ "max_bulk_lines 0", "api:\n  max_bulk_lines: 0\n", -1,
	    "@:2: api.max_bulk_lines: '0' is out of range 1..1000000\n" },
	{ "NUL in a number", "v2ray-stat:\n  port: \"1\\0\"\n", -1,
	    "@:2: v2ray-stat.port: value contains a NUL byte\n" },

	/* booleans */
	{ "bool maybe", "features:\n  telegram: maybe\n", -1,
	    "@:2: features.telegram: 'maybe' is not a boolean "
	    "(true/false/yes/no/on/off)\n" },
	{ "bool 1", "api:\n  auth_reads: 1\n", -1,
	    "@:2: api.auth_reads: '1' is not a boolean "
	    "(true/false/yes/no/on/off)\n" },
	{ "bool sequence", "features:\n  network: []\n", -1,
	    "@:2: features.network: expected a boolean, got a sequence\n" },

	/* strings and enumerations */
	{ "string as mapping", "core:\n  dir: {x: y}\n", -1,
	    "@:2: core.dir: expected a string, got a mapping\n" },
	{ "string as sequence", "paths:\n  database: [a, b]\n", -1,
	    "@:2: paths.database: expected a string, got a sequence\n" },
	{ "bad log level", "log:\n  loglevel: verbose\n", -1,
	    "@:2: log.loglevel: unknown level 'verbose' (trace, debug, info, "
	    "warn, error, fatal, panic, none)\n" },
	{ "bad log mode", "log:\n  logmode: both\n", -1,
	    "@:2: log.logmode: unknown mode 'both' (inclusive or "
	    "exclusive)\n" },
	{ "bad core type", "v2ray-stat:\n  type: clash\n", -1,
	    "@:2: v2ray-stat.type: unknown core type 'clash' (xray, v2fly, "
	    "v2ray, singbox, sing-box)\n" },
	{ "unknown zone", "timezone: Mars/Olympus\n", -1,
	    "@:1: timezone: unknown time zone 'Mars/Olympus'\n" },
	{ "zone with ..", "timezone: ../../etc/passwd\n", -1,
	    "@:1: timezone: unknown time zone '../../etc/passwd'\n" },
	{ "absolute zone", "timezone: /usr/share/zoneinfo/UTC\n", -1,
	    "@:1: timezone: unknown time zone '/usr/share/zoneinfo/UTC'\n" },
	{ "zone that is not TZif", "timezone: zone.tab\n", -1,
	    "@:1: timezone: unknown time zone 'zone.tab'\n" },
	{ "zone directory", "timezone: Europe\n", -1,
	    "@:1: timezone: unknown time zone 'Europe'\n" },
	{ "regex does not compile", "core:\n  access_log_regex: '(a'\n", -1,
	    "@:2: core.access_log_regex: '(a' does not compile: missing "
	    "closing parenthesis at offset 2\n" },
	{ "regex with one group",
	    "core:\n  access_log_regex: 'email: (\\S+)'\n", -1,
	    "@:2: core.access_log_regex: 'email: (\\\\S+)' has 1 capture "
	    "groups, want 2 (user, ip) or 3 (ip, host, user)\n" },
	{ "regex with four groups",
	    "core:\n  access_log_regex: '(a)(b)(c)(d)'\n", -1,
	    "@:2: core.access_log_regex: '(a)(b)(c)(d)' has 4 capture "
	    "groups, want 2 (user, ip) or 3 (ip, host, user)\n" },
	{ "api_address without port", "core:\n  api_address: localhost\n", -1,
	    "@:2: core.api_address: 'localhost' is not host:port (port "
	    "1..65535)\n" },
	{ "api_address without host", "core:\n  api_address: ':9953'\n", -1,
	    "@:2: core.api_address: ':9953' is not host:port (port "
	    "1..65535)\n" },
	{ "api_address port 0", "core:\n  api_address: 'h:0'\n", -1,
	    "@:2: core.api_address: 'h:0' is not host:port (port "
	    "1..65535)\n" },
	{ "api_address with space", "core:\n  api_address: 'a b:1'\n", -1,
	    "@:2: core.api_address: 'a b:1' is not host:port (port "
	    "1..65535)\n" },
	{ "api_address bare v6", "core:\n  api_address: '::1:9953'\n", -1,
	    "@:2: core.api_address: '::1:9953' is not host:port (port "
	    "1..65535)\n" },
	{ "empty default inbound", "api:\n  default_inbound: ''\n", -1,
	    "@:2: api.default_inbound: must not be empty\n" },
	{ "interface name too long",
	    "network:\n  interface: abcdefghijklmnop\n", -1,
	    "@:2: network.interface: 'abcdefghijklmnop' is not an interface "
	    "name\n" },
	{ "interface with slash", "network:\n  interface: ../x\n", -1,
	    "@:2: network.interface: '../x' is not an interface name\n" },
	{ "control bytes are escaped", "log:\n  loglevel: \"a\\nb\\x01\"\n", -1,
	    "@:2: log.loglevel: unknown level 'a\\nb\\x01' (trace, debug, "
	    "info, warn, error, fatal, panic, none)\n" },

	/* structure */
	{ "section as scalar", "log: debug\n", -1,
	    "@:1: log: expected a mapping, got a scalar\n" },
	{ "section as sequence", "api:\n  - a\n", -1,
	    "@:1: api: expected a mapping, got a sequence\n" },
	{ "services as scalar", "services: xray\n", -1,
	    "@:1: services: expected a sequence, got a scalar\n" },
	{ "services item mapping", "services:\n  - xray\n  - {a: b}\n", -1,
	    "@:3: services: item 2: expected a string, got a mapping\n" },
	{ "services empty item", "services:\n  - xray\n  -\n", -1,
	    "@:3: services: item 2 is empty\n" },
	{ "columns as scalar", "stats_columns:\n  server:\n    columns: rate\n",
	    -1,
	    "@:3: stats_columns.server.columns: expected a sequence, got a "
	    "scalar\n" },
	{ "top level sequence", "- a\n- b\n", -1,
	    "@:1: expected a mapping at the top, got a sequence\n" },
	{ "top level scalar", "hello\n", -1,
	    "@:1: expected a mapping at the top, got a scalar\n" },
	{ "two documents", "log:\n  loglevel: info\n---\nfoo: 1\n", -1,
	    "@:3: only one YAML document is allowed\n" },
	{ "alias", "a: &x 1\nv2ray-stat:\n  port: *x\n", -1,
	    "@:3: YAML aliases are not supported\n" },
	{ "mapping as key", "? {a: 1}\n: 2\n", -1,
	    "@:1: a mapping cannot be a key\n" },

	/* YAML syntax */
	{ "unclosed flow sequence", "log:\n  loglevel: [debug\nfoo: 1\n", -1,
	    "@:3: syntax error: did not find expected ',' or ']' (while "
	    "parsing a flow sequence)\n" },
	{ "bad indentation", "log:\n  loglevel: info\n logmode: x\n", -1,
	    "@:3: syntax error: did not find expected key (while parsing a "
	    "block mapping)\n" },
	{ "tab indentation", "log:\n\tloglevel: info\n", -1,
	    "@:2: syntax error: found character that cannot start any token "
	    "(while scanning for the next token)\n" },
	{ "invalid UTF-8", "log:\n  loglevel: info\nx: \xff\xfe\n", -1,
	    "@:3: syntax error: invalid leading UTF-8 octet\n" },

	/* warnings only */
	{ "unknown top key", "foo: 1\nlog:\n  loglevel: info\n", 0,
	    "@:1: warning: unknown key 'foo'\n" },
	{ "unknown nested key", "log:\n  level: debug\n", 0,
	    "@:2: warning: unknown key 'log.level'\n" },
	{ "unknown deep key", "system_monitoring:\n  memory:\n    limit: 5\n",
	    0, "@:3: warning: unknown key 'system_monitoring.memory.limit'\n" },
	{ "unknown column",
	    "stats_columns:\n  client:\n    columns:\n      - user\n"
	    "      - foo\n",
	    0,
	    "@:5: warning: stats_columns.client.columns: unknown column "
	    "'foo' ignored\n" },
	{ "client column in server table",
	    "stats_columns:\n  server:\n    columns: [source, user]\n", 0,
	    "@:3: warning: stats_columns.server.columns: unknown column "
	    "'user' ignored\n" },
	{ "duplicate column",
	    "stats_columns:\n  server:\n    columns: [rate, rate]\n", 0,
	    "@:3: warning: stats_columns.server.columns: duplicate column "
	    "'rate' ignored\n" },
	{ "bad sort column",
	    "stats_columns:\n  server:\n    sort: bogus DESC\n", 0,
	    "@:3: warning: stats_columns.server.sort: unknown column 'bogus', "
	    "keeping 'source ASC'\n" },
	{ "bad sort order", "stats_columns:\n  client:\n    sort: rate UP\n", 0,
	    "@:3: warning: stats_columns.client.sort: unknown order 'UP', "
	    "using ASC\n" },
	{ "sort with three words",
	    "stats_columns:\n  client:\n    sort: rate DESC now\n", 0,
	    "@:3: warning: stats_columns.client.sort: 'rate DESC now' is not "
	    "'<column> [ASC|DESC]', keeping 'user ASC'\n" },
	{ "duplicate key", "v2ray-stat:\n  port: 1\n  port: 2\n", 0,
	    "@:3: warning: duplicate key 'v2ray-stat.port', the last one "
	    "wins\n" },
	{ "error in an overridden duplicate is ignored",
	    "v2ray-stat:\n  port: 99999\n  port: 2\n", 0,
	    "@:3: warning: duplicate key 'v2ray-stat.port', the last one "
	    "wins\n" },

	/* several problems: all reported, in file order */
	{ "several problems",
	    "foo: 1\nv2ray-stat:\n  port: x\n  type: y\nbar: 2\n", -1,
	    "@:1: warning: unknown key 'foo'\n"
	    "@:3: v2ray-stat.port: 'x' is not an integer\n"
	    "@:4: v2ray-stat.type: unknown core type 'y' (xray, v2fly, v2ray, "
	    "singbox, sing-box)\n"
	    "@:5: warning: unknown key 'bar'\n" },

	/* telegram: keys that only work together, and checked values */
	{ "token without chat id", "telegram:\n  bot_token: \"123:abc\"\n", -1,
	    "@:2: telegram.bot_token: set without telegram.chat_id (both are "
	    "needed to send anything)\n" },
	{ "chat id without token", "telegram:\n  chat_id: -100123\n", -1,
	    "@:2: telegram.chat_id: set without telegram.bot_token (both are "
	    "needed to send anything)\n" },
	{ "token and chat id",
	    "telegram:\n  chat_id: 42\n  bot_token: 1:a-_Z\n", 0, "" },
	{ "feature without token", "features:\n  telegram: true\n", 0,
	    "@: warning: features.telegram is on but telegram.bot_token and "
	    "telegram.chat_id are not set: nothing will be sent\n" },
	{ "token with a blank",
	    "telegram:\n  chat_id: 42\n  bot_token: \"1:a b\"\n", -1,
	    "@:3: telegram.bot_token: not a bot token (DIGITS:LETTERS, as "
	    "BotFather gives it)\n"
	    "@:2: telegram.chat_id: set without telegram.bot_token (both are "
	    "needed to send anything)\n" },
	{ "token without digits", "telegram:\n  bot_token: \":abc\"\n", -1,
	    "@:2: telegram.bot_token: not a bot token (DIGITS:LETTERS, as "
	    "BotFather gives it)\n" },
	{ "token with a slash", "telegram:\n  bot_token: \"1:a/../b\"\n", -1,
	    "@:2: telegram.bot_token: not a bot token (DIGITS:LETTERS, as "
	    "BotFather gives it)\n" },
	{ "chat id word", "telegram:\n  chat_id: admin\n  bot_token: 1:a\n", -1,
	    "@:2: telegram.chat_id: 'admin' is not a chat id (an integer such "
	    "as -1001234567890, or a channel's username)\n"
	    "@:3: telegram.bot_token: set without telegram.chat_id (both are "
	    "needed to send anything)\n" },
	{ "chat id channel",
	    "telegram:\n  chat_id: \"@my_channel\"\n  "
	    "bot_token: 1:a\n",
	    0, "" },
	{ "api_url ftp", "telegram:\n  api_url: ftp://x\n", -1,
	    "@:2: telegram.api_url: 'ftp://x' is not an http:// or https:// "
	    "URL\n" },
	{ "api_url without host", "telegram:\n  api_url: \"https:///bot\"\n",
	    -1,
	    "@:2: telegram.api_url: 'https:///bot' is not an http:// or "
	    "https:// URL\n" },
	{ "api_url with a blank", "telegram:\n  api_url: \"http://a b\"\n", -1,
	    "@:2: telegram.api_url: 'http://a b' is not an http:// or https:// "
	    "URL\n" },
	{ "proxy scheme", "telegram:\n  proxy: \"ftp://p:1\"\n", -1,
	    "@:2: telegram.proxy: 'ftp://p:1' is not a proxy URL (http://, "
	    "https://, socks4://, socks4a://, socks5://, socks5h://)\n" },
	{ "proxy socks5h", "telegram:\n  proxy: socks5h://u:p@127.0.0.1:1080\n",
	    0, "" },
	{ "events unknown", "telegram:\n  events: [expired, banned]\n", -1,
	    "@:2: telegram.events: unknown event 'banned' (expired, renewed, "
	    "disabled, enabled, ban, unban, report, service, memory, disk, "
	    "all)\n" },
	{ "events scalar", "telegram:\n  events: expired\n", -1,
	    "@:2: telegram.events: expected a sequence, got a scalar\n" },
	{ "report_time 24:00", "telegram:\n  report_time: \"24:00\"\n", -1,
	    "@:2: telegram.report_time: '24:00' is not a time HH:MM "
	    "(00:00..23:59) or off\n" },
	{ "report_time 9:00", "telegram:\n  report_time: \"9:00\"\n", -1,
	    "@:2: telegram.report_time: '9:00' is not a time HH:MM "
	    "(00:00..23:59) or off\n" },
	{ "outbox_max_messages 0", "telegram:\n  outbox_max_messages: 0\n", -1,
	    "@:2: telegram.outbox_max_messages: '0' is out of range "
	    "1..1000000\n" },

	/* fine */
	{ "empty file", "", 0, "" },
	{ "only comments", "# nothing\n\n# here\n", 0, "" },
	{ "empty document", "---\n...\n", 0, "" },
	{ "empty values keep defaults",
	    "log:\nv2ray-stat:\n  port:\n  monitor:\nservices:\n", 0, "" },
};

static void
t_messages(void)
{
	struct cfg cfg;
	struct buf msgs;
	size_t i;
	char *want, path[4096];
	int rc;

	for (i = 0; i < sizeof(msgcases) / sizeof(msgcases[0]); i++) {
		buf_init(&msgs);
		write_tmp(msgcases[i].yaml, strlen(msgcases[i].yaml));
		snprintf(path, sizeof(path), "%s", tmpl_path);
		rc = cfg_load(&cfg, path, accesslog_regex_check, &msgs);
		unlink(path);
		want = subst(msgcases[i].msgs, path);
		is_int(rc, msgcases[i].rc, "%s: result", msgcases[i].name);
		is_str(buf_str(&msgs), want, "%s: messages", msgcases[i].name);
		free(want);
		cfg_free(&cfg);
		buf_free(&msgs);
	}
}

/* The checks of telegram values, hostile ones included. */
static void
t_telegram_values(void)
{
	static const struct {
		const char *s;
		int chat, token;
	} v[] = {
		{ "42", 1, 0 },
		{ "-1001234567890", 1, 0 },
		{ "@my_channel", 1, 0 },
		{ "@abcd", 0, 0 },
		{ "@abcde", 1, 0 },
		{ "@abc-de", 0, 0 },
		{ "-", 0, 0 },
		{ "--1", 0, 0 },
		{ "123456789012345678901", 0, 0 },
		{ "12 3", 0, 0 },
		{ "123:ABC-def_9", 0, 1 },
		{ "123:", 0, 0 },
		{ ":abc", 0, 0 },
		{ "123:a%2Fb", 0, 0 },
		{ "123:a\nb", 0, 0 },
		{ "123:abc?x=1", 0, 0 },
		{ "", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		is_int(cfg_chatid_valid(v[i].s), v[i].chat, "chat id '%s'",
		    v[i].s);
		is_int(cfg_tgtoken_valid(v[i].s), v[i].token, "bot token '%s'",
		    v[i].s);
	}
	is_int(cfg_hhmm_parse("00:00"), 0, "00:00");
	is_int(cfg_hhmm_parse("23:59"), 1439, "23:59");
	is_int(cfg_hhmm_parse("12:60"), -1, "12:60");
	is_int(cfg_hhmm_parse("1:00"), -1, "1:00");
	is_int(cfg_hhmm_parse("01:00 "), -1, "trailing blank");
	is_int(cfg_hhmm_parse("-1:00"), -1, "negative");
	is_int(cfg_url_valid("https://api.telegram.org", 0), 1, "https");
	is_int(cfg_url_valid("HTTP://127.0.0.1:8081/", 0), 1, "HTTP upper");
	is_int(cfg_url_valid("socks5://127.0.0.1:1080", 0), 0,
	    "socks is not an api_url");
	is_int(cfg_url_valid("socks5://127.0.0.1:1080", 1), 1, "socks proxy");
	is_int(cfg_url_valid("http://", 0), 0, "no host");
	is_int(cfg_url_valid("http://a\x7f", 0), 0, "DEL");
	is_int(cfg_url_valid("file:///etc/passwd", 1), 0, "file proxy");
}

/* Files that cannot be read, or are not regular files. */
static void
t_unreadable(void)
{
	struct cfg cfg;
	struct buf msgs;
	char *want, *fifo;
	const char *dir;
	int rc;

	buf_init(&msgs);
	rc = cfg_load(
	    &cfg, "/nonexistent/v2s.yaml", accesslog_regex_check, &msgs);
	is_int(rc, -1, "missing file is an error");
	is_str(buf_str(&msgs),
	    "/nonexistent/v2s.yaml: cannot open: No such file or directory\n",
	    "missing file message");
	is_str(cfg.path, "/nonexistent/v2s.yaml", "path is kept");
	is_int(cfg.listen_port, 9952, "defaults after a missing file");
	cfg_free(&cfg);
	buf_free(&msgs);

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	buf_init(&msgs);
	rc = cfg_load(&cfg, dir, accesslog_regex_check, &msgs);
	want = xasprintf("%s: not a regular file\n", dir);
	is_int(rc, -1, "directory is an error");
	is_str(buf_str(&msgs), want, "directory message");
	free(want);
	cfg_free(&cfg);
	buf_free(&msgs);

	/* A FIFO must not block the loader. */
	fifo = xasprintf("%s/v2s-cfg-fifo-%ld", dir, (long)getpid());
	if (mkfifo(fifo, 0600) == 0) {
		buf_init(&msgs);
		rc = cfg_load(&cfg, fifo, accesslog_regex_check, &msgs);
		want = xasprintf("%s: not a regular file\n", fifo);
		is_int(rc, -1, "FIFO is an error");
		is_str(buf_str(&msgs), want, "FIFO message");
		free(want);
		cfg_free(&cfg);
		buf_free(&msgs);
		unlink(fifo);
	} else
		tap_diag("mkfifo: %s", strerror(errno));
	free(fifo);
}

static void
t_too_large(void)
{
	struct cfg cfg;
	struct buf msgs;
	char *big, *want;
	size_t n;
	int rc;

	n = 4 * 1024 * 1024 + 10;
	big = xmalloc(n);
	memset(big, '#', n);
	big[n - 1] = '\n';
	rc = load(&cfg, big, n, &msgs);
	want = xasprintf("%s: larger than 4194304 bytes\n", tmpl_path);
	is_int(rc, -1, "file over 4 MiB refused");
	is_str(buf_str(&msgs), want, "too large message");
	free(want);
	free(big);
	cfg_free(&cfg);
	buf_free(&msgs);
}

static void
t_deep(void)
{
	struct cfg cfg;
	struct buf msgs, y;
	int i, rc;

	buf_init(&y);
	buf_puts(&y, "a: ");
	for (i = 0; i < 10000; i++)
		buf_putc(&y, '[');
	for (i = 0; i < 10000; i++)
		buf_putc(&y, ']');
	buf_putc(&y, '\n');
	rc = load(&cfg, y.data, y.len, &msgs);
	is_int(rc, -1, "deep nesting refused");
	ok(strstr(buf_str(&msgs), "nesting deeper than 64 levels") != NULL,
	    "deep nesting message: %s", buf_str(&msgs));
	cfg_free(&cfg);
	buf_free(&msgs);
	buf_free(&y);
}

/* ------------------------------------------------------------ values */

static void
check_defaults(const struct cfg *c, const char *what)
{
	is_int(c->log_level, LOG_LVL_NONE, "%s: log level", what);
	is_int(c->log_exclusive, 0, "%s: log mode", what);
	is_int(c->core_type, CORE_XRAY, "%s: core type", what);
	is_str(c->listen_address, "127.0.0.1", "%s: address", what);
	is_int(c->listen_port, 9952, "%s: port", what);
	is_int(c->ticker_interval, 10, "%s: ticker", what);
	is_int(c->online_rate_threshold, 0, "%s: online threshold", what);
	is_int(c->ip_ttl, 66, "%s: ip_ttl", what);
	is_str(c->core_dir, "/usr/local/etc/xray/", "%s: core.dir", what);
	is_str(c->core_config, "/usr/local/etc/xray/config.json",
	    "%s: core.config", what);
	is_str(c->core_access_log, "/usr/local/etc/xray/access.log",
	    "%s: core.access_log", what);
	ok(c->core_access_log_regex == NULL, "%s: regex is built in", what);
	is_str(c->core_api_address, "127.0.0.1:9953", "%s: api address", what);
	is_str(c->api_token, "", "%s: token", what);
	is_int(c->api_auth_reads, 0, "%s: auth_reads", what);
	is_str(c->default_inbound, "vless-in", "%s: default inbound", what);
	is_int((long long)c->max_body, 65536, "%s: max_body", what);
	is_int((long long)c->max_upload, 8388608, "%s: max_upload", what);
	is_int(c->max_bulk_lines, 100000, "%s: max_bulk_lines", what);
	is_str(c->timezone, "", "%s: timezone", what);
	ok(!c->feat_telegram && !c->feat_network &&
		!c->feat_system_monitoring && !c->feat_auth_lua,
	    "%s: features off", what);
	is_int((long long)c->nservices, 2, "%s: two services", what);
	if (c->nservices == 2) {
		is_str(c->services[0], "xray", "%s: service 1", what);
		is_str(
		    c->services[1], "fail2ban-server", "%s: service 2", what);
	}
	is_str(c->telegram_chat_id, "", "%s: chat id", what);
	is_str(c->telegram_bot_token, "", "%s: bot token", what);
	is_int(c->sysmon_average_interval, 120, "%s: average", what);
	is_int(c->sysmon_memory_threshold, 0, "%s: memory", what);
	is_int(c->sysmon_disk_threshold, 0, "%s: disk", what);
	is_str(c->database, "/usr/local/etc/v2ray-stat/data.db", "%s: database",
	    what);
	is_str(c->f2b_log, "/var/log/v2ray-stat.log", "%s: f2b_log", what);
	is_str(c->f2b_banned_log, "/var/log/v2ray-stat-banned.log",
	    "%s: f2b_banned_log", what);
	is_str(c->auth_lua, "/etc/haproxy/.auth.lua", "%s: auth_lua", what);
	is_str(c->net_interface, "", "%s: interface", what);
	is_int(c->server_cols.ncols, 0, "%s: no server columns", what);
	is_int(c->server_cols.sort, SC_SOURCE, "%s: server sort", what);
	is_int(c->server_cols.sort_desc, 0, "%s: server order", what);
	is_int(c->client_cols.ncols, 0, "%s: no client columns", what);
	is_int(c->client_cols.sort, SC_USER, "%s: client sort", what);
	is_int(c->client_cols.sort_desc, 0, "%s: client order", what);
}

static void
t_defaults(void)
{
	struct cfg cfg;
	struct buf msgs;
	int rc;

	cfg_defaults(&cfg);
	check_defaults(&cfg, "cfg_defaults");
	cfg_free(&cfg);
	ok(cfg.listen_address == NULL && cfg.services == NULL,
	    "cfg_free zeroes");
	cfg_free(&cfg);
	ok(1, "cfg_free of a zeroed struct");

	rc = LOADS(&cfg, "", &msgs);
	is_int(rc, 0, "empty file loads");
	check_defaults(&cfg, "empty file");
	cfg_free(&cfg);
	buf_free(&msgs);

	rc = LOADS(&cfg,
	    "log:\nv2ray-stat:\n  port:\n  type: ~\n"
	    "core:\n  dir: null\nservices:\nfeatures:\n  telegram: NULL\n"
	    "stats_columns:\n  client:\n    columns:\n    sort:\n",
	    &msgs);
	is_int(rc, 0, "empty values load");
	check_defaults(&cfg, "empty values");
	cfg_free(&cfg);
	buf_free(&msgs);
}

/* The sample of the original's README, plus our keys. */
static const char full_yaml[] =
    "log:\n"
    "  loglevel: Debug\n"
    "  logmode: EXCLUSIVE\n"
    "v2ray-stat:\n"
    "  type: sing-box\n"
    "  address: 0.0.0.0\n"
    "  port: 65535\n"
    "  monitor:\n"
    "    ticker_interval: 3600\n"
    "    online_rate_threshold: 10000000\n"
    "    ip_ttl: 86400\n"
    "core:\n"
    "  dir: \"/etc/sing-box/\"\n"
    "  config: /etc/sing-box/config.json\n"
    "  access_log: /var/log/haproxy.log\n"
    "  access_log_regex: 'login: (\\S+); ip: "
    "([0-9\\.]+)'\n"
    "  api_address: '[::1]:10085'\n"
    "api:\n"
    "  api_token: s3cr3t\n"
    "  auth_reads: On\n"
    "  default_inbound: trojan-in\n"
    "  max_body: 16777216\n"
    "  max_upload: 1024\n"
    "  max_bulk_lines: 1\n"
    "timezone: Europe/Moscow\n"
    "features:\n"
    "  telegram: yes\n"
    "  network: TRUE\n"
    "  system_monitoring: on\n"
    "  auth_lua: no\n"
    "services: [xray, haproxy, nginx, warp-svc]\n"
    "telegram:\n"
    "  chat_id: -100123456\n"
    "  bot_token: \"123:ABC\"\n"
    "system_monitoring:\n"
    "  average_interval: 10\n"
    "  memory:\n"
    "    threshold: 80\n"
    "  disk:\n"
    "    threshold: 100\n"
    "paths:\n"
    "  database: /var/lib/v2s/data.db\n"
    "  f2b_log: /var/log/a.log\n"
    "  f2b_banned_log: /var/log/b.log\n"
    "  auth_lua: /etc/haproxy/auth.lua\n"
    "network:\n"
    "  interface: eth0\n"
    "stats_columns:\n"
    "  server:\n"
    "    sort: rate desc\n"
    "    columns:\n"
    "      - source\n"
    "      - direction\n"
    "      - rate\n"
    "  client:\n"
    "    sort: \"last_seen\"\n"
    "    columns: [user, inbound_tag, sess_uplink]\n";

static void
t_full(void)
{
	struct cfg c;
	struct buf msgs;
	int rc;

	rc = LOADS(&c, full_yaml, &msgs);
	is_int(rc, 0, "full config loads");
	is_str(buf_str(&msgs), "", "full config: no messages");
	is_int(c.log_level, LOG_LVL_DEBUG, "loglevel any case");
	is_int(c.log_exclusive, 1, "logmode any case");
	is_int(c.core_type, CORE_SINGBOX, "sing-box");
	is_str(c.listen_address, "0.0.0.0", "address");
	is_int(c.listen_port, 65535, "port at the top of its range");
	is_int(c.ticker_interval, 3600, "ticker max");
	is_int(c.online_rate_threshold, 10000000, "online max");
	is_int(c.ip_ttl, 86400, "ip_ttl max");
	is_str(c.core_dir, "/etc/sing-box/", "quoted string");
	is_str(c.core_config, "/etc/sing-box/config.json", "core.config");
	is_str(c.core_access_log, "/var/log/haproxy.log", "access_log");
	is_str(c.core_access_log_regex, "login: (\\S+); ip: ([0-9\\.]+)",
	    "2-group regex kept");
	is_str(c.core_api_address, "[::1]:10085", "bracketed v6 api address");
	is_str(c.api_token, "s3cr3t", "token");
	is_int(c.api_auth_reads, 1, "On is true");
	is_str(c.default_inbound, "trojan-in", "default inbound");
	is_int((long long)c.max_body, 16777216, "max_body max");
	is_int((long long)c.max_upload, 1024, "max_upload min");
	is_int(c.max_bulk_lines, 1, "max_bulk_lines min");
	is_str(c.timezone, "Europe/Moscow", "timezone");
	is_int(c.feat_telegram, 1, "yes is true");
	is_int(c.feat_network, 1, "TRUE is true");
	is_int(c.feat_system_monitoring, 1, "on is true");
	is_int(c.feat_auth_lua, 0, "no is false");
	is_int((long long)c.nservices, 4, "four services");
	if (c.nservices == 4) {
		is_str(c.services[0], "xray", "service 1");
		is_str(c.services[3], "warp-svc", "service 4");
	}
	is_str(c.telegram_chat_id, "-100123456", "numeric chat id as text");
	is_str(c.telegram_bot_token, "123:ABC", "bot token");
	is_int(c.sysmon_average_interval, 10, "average min");
	is_int(c.sysmon_memory_threshold, 80, "memory threshold");
	is_int(c.sysmon_disk_threshold, 100, "disk threshold max");
	is_str(c.database, "/var/lib/v2s/data.db", "database");
	is_str(c.f2b_log, "/var/log/a.log", "f2b_log");
	is_str(c.f2b_banned_log, "/var/log/b.log", "f2b_banned_log");
	is_str(c.auth_lua, "/etc/haproxy/auth.lua", "auth_lua");
	is_str(c.net_interface, "eth0", "interface");
	is_int(c.server_cols.ncols, 3, "three server columns");
	is_int(c.server_cols.cols[0], SC_SOURCE, "server column 1");
	is_int(c.server_cols.cols[1], SC_DIRECTION, "server column 2");
	is_int(c.server_cols.cols[2], SC_RATE, "server column 3");
	is_int(c.server_cols.sort, SC_RATE, "server sort column");
	is_int(c.server_cols.sort_desc, 1, "lower-case desc");
	is_int(c.client_cols.ncols, 3, "three client columns");
	is_int(c.client_cols.cols[1], SC_INBOUND_TAG, "inbound_tag column");
	is_int(c.client_cols.cols[2], SC_SESS_UPLINK, "sess_uplink column");
	is_int(c.client_cols.sort, SC_LAST_SEEN, "client sort column");
	is_int(c.client_cols.sort_desc, 0, "order defaults to ASC");
	is_str(c.path, tmpl_path, "path recorded");
	cfg_free(&c);
	buf_free(&msgs);
}

static void
t_values(void)
{
	struct cfg c;
	struct buf msgs;
	int rc;

	rc = LOADS(&c, "v2ray-stat:\n  type: v2ray\n", &msgs);
	is_int(c.core_type, CORE_V2FLY, "v2ray means v2fly");
	cfg_free(&c);
	buf_free(&msgs);
	rc = LOADS(&c, "v2ray-stat:\n  type: V2Fly\n", &msgs);
	is_int(c.core_type, CORE_V2FLY, "type any case");
	cfg_free(&c);
	buf_free(&msgs);
	rc = LOADS(&c, "v2ray-stat:\n  type: singbox\n  port: 1\n", &msgs);
	is_int(c.core_type, CORE_SINGBOX, "singbox");
	is_int(c.listen_port, 1, "port at the bottom of its range");
	cfg_free(&c);
	buf_free(&msgs);

	rc = LOADS(
	    &c, "v2ray-stat: {port: 8080, monitor: {ip_ttl: 5}}\n", &msgs);
	is_int(rc, 0, "flow mapping");
	is_int(c.listen_port, 8080, "flow mapping value");
	is_int(c.ip_ttl, 5, "nested flow mapping value");
	cfg_free(&c);
	buf_free(&msgs);

	rc = LOADS(&c, "v2ray-stat:\n  port: \"8443\"\n", &msgs);
	is_int(rc, 0, "quoted number accepted");
	is_int(c.listen_port, 8443, "quoted number value");
	cfg_free(&c);
	buf_free(&msgs);

	rc = LOADS(&c,
	    "services: []\ncore:\n  dir: ''\n  access_log_regex: \"\"\n"
	    "timezone: UTC\n",
	    &msgs);
	is_int(rc, 0, "empty strings load");
	is_int((long long)c.nservices, 0, "services: [] empties the list");
	is_str(c.core_dir, "", "quoted empty string is set");
	ok(c.core_access_log_regex == NULL, "empty regex is the built-in");
	is_str(c.timezone, "UTC", "UTC (a symlink) is a zone");
	cfg_free(&c);
	buf_free(&msgs);

	rc = LOADS(&c,
	    "core:\n  access_log_regex: 'from (?:tcp|udp):([\\d\\.]+):\\d+ "
	    "accepted (?:tcp|udp):([\\w\\.\\-]+):\\d+ \\[[^\\]]+\\] email: "
	    "(\\S+)'\n",
	    &msgs);
	is_int(rc, 0, "the original's 3-group regex");
	ok(c.core_access_log_regex != NULL &&
		strncmp(c.core_access_log_regex, "from (?:tcp", 11) == 0,
	    "3-group regex kept");
	cfg_free(&c);
	buf_free(&msgs);

	/* The later duplicate wins, and a whole section is replaced. */
	rc = LOADS(&c,
	    "log:\n  loglevel: debug\nlog:\n  logmode: exclusive\n"
	    "v2ray-stat:\n  port: 1\n  port: 2\n",
	    &msgs);
	is_int(rc, 0, "duplicates are warnings");
	is_int(c.log_level, LOG_LVL_NONE, "earlier duplicate section ignored");
	is_int(c.log_exclusive, 1, "later duplicate section applied");
	is_int(c.listen_port, 2, "later duplicate key wins");
	cfg_free(&c);
	buf_free(&msgs);

	/* Errors do not stop the rest from applying. */
	rc = LOADS(&c,
	    "v2ray-stat:\n  port: bad\n  address: 10.0.0.1\n"
	    "api:\n  max_body: 2048\n",
	    &msgs);
	is_int(rc, -1, "an error fails the load");
	is_int(c.listen_port, 9952, "bad value keeps the default");
	is_str(c.listen_address, "10.0.0.1", "keys after an error apply");
	is_int((long long)c.max_body, 2048, "sections after an error apply");
	cfg_free(&c);
	buf_free(&msgs);

	/* Bad stats columns and sorts keep what they should. */
	rc = LOADS(&c,
	    "stats_columns:\n  server:\n    sort: nope\n"
	    "    columns: [foo, uplink]\n  client:\n    sort: created "
	    "sideways\n",
	    &msgs);
	is_int(rc, 0, "stats warnings only");
	is_int(c.server_cols.sort, SC_SOURCE, "bad sort column: default");
	is_int(c.server_cols.ncols, 1, "unknown column dropped");
	is_int(c.server_cols.cols[0], SC_UPLINK, "known column kept");
	is_int(c.client_cols.sort, SC_CREATED, "bad order keeps the column");
	is_int(c.client_cols.sort_desc, 0, "bad order is ASC");
	cfg_free(&c);
	buf_free(&msgs);

	rc = LOADS(&c,
	    "stats_columns:\n  server:\n    sort: \"  uplink\t DeSc \"\n",
	    &msgs);
	is_int(c.server_cols.sort, SC_UPLINK, "sort with extra blanks");
	is_int(c.server_cols.sort_desc, 1, "DeSc");
	cfg_free(&c);
	buf_free(&msgs);
	(void)rc;
}

/* conf/v2ray-stat.yaml must load cleanly and hold exactly the defaults. */
static void
t_example(void)
{
	struct cfg c;
	struct buf msgs;
	const char *top;
	char *path;
	int rc;

	if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
		top = ".";
	path = xasprintf("%s/conf/v2ray-stat.yaml", top);
	buf_init(&msgs);
	rc = cfg_load(&c, path, accesslog_regex_check, &msgs);
	is_int(rc, 0, "example config loads");
	is_str(buf_str(&msgs), "", "example config: no errors or warnings");
	check_defaults(&c, "example config");
	cfg_free(&c);
	buf_free(&msgs);
	free(path);
}

/* ------------------------------------------------------------ statcol */

static void
t_statcol(void)
{
	static const struct {
		const char *name, *title;
		int traffic, server, client;
	} cols[] = {
		{ "source", "Source", 0, 1, 0 },
		{ "direction", "Direction", 0, 1, 0 },
		{ "rate", "Rate", 1, 1, 1 },
		{ "uplink", "Uplink", 1, 1, 1 },
		{ "downlink", "Downlink", 1, 1, 1 },
		{ "sess_uplink", "Sess Up", 1, 1, 1 },
		{ "sess_downlink", "Sess Down", 1, 1, 1 },
		{ "user", "User", 0, 0, 1 },
		{ "uuid", "ID", 0, 0, 1 },
		{ "last_seen", "Last seen", 0, 0, 1 },
		{ "enabled", "Enabled", 0, 0, 1 },
		{ "sub_end", "Sub end", 0, 0, 1 },
		{ "renew", "Renew", 0, 0, 1 },
		{ "lim_ip", "Lim", 0, 0, 1 },
		{ "ips", "Ips", 0, 0, 1 },
		{ "created", "Created", 0, 0, 1 },
		{ "inbound_tag", "Inbound", 0, 0, 1 },
	};
	char out[256], small[8];
	size_t i;
	int c, s;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		c = statcol_lookup(SCS_CLIENT, cols[i].name);
		s = statcol_lookup(SCS_SERVER, cols[i].name);
		ok((c != -1) == cols[i].client, "%s in client: %d",
		    cols[i].name, c);
		ok((s != -1) == cols[i].server, "%s in server: %d",
		    cols[i].name, s);
		if (c == -1)
			c = s;
		if (c == -1)
			continue;
		is_str(statcol_name((enum statcol)c), cols[i].name,
		    "%s: name round trip", cols[i].name);
		is_str(statcol_title((enum statcol)c), cols[i].title,
		    "%s: title", cols[i].name);
		is_int(statcol_is_traffic((enum statcol)c), cols[i].traffic,
		    "%s: traffic", cols[i].name);
	}
	is_int(statcol_lookup(SCS_CLIENT, "User"), -1, "names are exact");
	is_int(statcol_lookup(SCS_CLIENT, ""), -1, "empty name");
	is_int(statcol_lookup(SCS_CLIENT, NULL), -1, "NULL name");
	is_str(statcol_name(SC__MAX), "?", "out of range name");
	is_str(statcol_list(SCS_CLIENT, out, sizeof(out)),
	    "[user uuid last_seen rate sess_uplink sess_downlink uplink "
	    "downlink enabled sub_end renew lim_ip ips created inbound_tag]",
	    "client list");
	is_str(statcol_list(SCS_SERVER, out, sizeof(out)),
	    "[source direction rate uplink downlink sess_uplink "
	    "sess_downlink]",
	    "server list");
	is_str(statcol_list(SCS_SERVER, small, sizeof(small)), "[source",
	    "list cut to the buffer");
}

/*
 * Without a regex check (the responder, which never reads the access log
 * and does not link PCRE2) a regex is kept as written; "" is still the
 * built-in parser, and the other keys are checked as ever.
 */
static void
t_no_regex_check(void)
{
	static const char yaml[] = "core:\n  access_log_regex: '(a'\n"
				   "  api_address: nohost\n";
	static const char empty[] = "core:\n  access_log_regex: ''\n";
	struct cfg cfg;
	struct buf msgs;
	const char *path;
	int rc;

	buf_init(&msgs);
	path = write_tmp(yaml, strlen(yaml));
	rc = cfg_load(&cfg, path, NULL, &msgs);
	unlink(path);
	is_int(rc, -1, "no regex check: other errors still count");
	ok(strstr(buf_str(&msgs), "access_log_regex") == NULL,
	    "no regex check: the regex is not judged");
	ok(strstr(buf_str(&msgs), "core.api_address") != NULL,
	    "no regex check: api_address is judged");
	is_str(
	    cfg.core_access_log_regex, "(a", "no regex check: kept as written");
	cfg_free(&cfg);
	buf_free(&msgs);

	buf_init(&msgs);
	path = write_tmp(empty, strlen(empty));
	rc = cfg_load(&cfg, path, NULL, &msgs);
	unlink(path);
	is_int(rc, 0, "no regex check: empty regex loads");
	ok(cfg.core_access_log_regex == NULL,
	    "no regex check: empty regex is the built-in parser");
	cfg_free(&cfg);
	buf_free(&msgs);
}

int
main(void)
{
	t_statcol();
	t_defaults();
	t_full();
	t_values();
	t_messages();
	t_telegram_values();
	t_unreadable();
	t_too_large();
	t_deep();
	t_example();
	t_no_regex_check();
	return tap_done();
}
