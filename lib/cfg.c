/*
 * The YAML configuration.  The file is read whole (it is small), turned into
 * a tree of nodes with libyaml's event API, and the tree is then applied to
 * struct cfg through one table of known keys.  Every problem becomes one
 * line in the caller's buffer; loading goes on after an error so the admin
 * sees all of them at once.
 *
 * This file holds the messages, reading the file, the defaults, loading and
 * freeing; the tree is in cfg_yaml.c, the table of keys in cfg_keys.c,
 * applying a value by its kind in cfg_apply.c and cfg_cols.c, the value
 * checks in cfg_value.c.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "cfg_int.h"
#include "outbox.h"
#include "fdread.h"
#include "log.h"
#include "statcol.h"
#include "xmalloc.h"

#define CFG_MAX_FILE (4 * 1024 * 1024) /* a config file is never bigger */

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

void
cfg_emsg(struct loader *ld, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ld, line, 0, fmt, ap);
	va_end(ap);
}

void
cfg_wmsg(struct loader *ld, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ld, line, 1, fmt, ap);
	va_end(ap);
}

const char *
cfg_esc(const char *s, size_t n, char *out)
{
	return log_escape(s, n, out, CFG_ESC);
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
		cfg_emsg(ld, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		cfg_emsg(ld, 0, "cannot stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cfg_emsg(ld, 0, "not a regular file");
	/* A file of CFG_MAX_FILE bytes or more is refused. */
	else if (fd_read_all(fd, CFG_MAX_FILE - 1, (size_t)st.st_size, text,
		     len) == -1) {
		if (errno == EFBIG)
			cfg_emsg(ld, 0, "larger than %d bytes", CFG_MAX_FILE);
		else
			cfg_emsg(ld, 0, "cannot read: %s", strerror(errno));
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
	cfg->haproxy_reload_command = xstrdup("");

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
	cfg->telegram_api_url = xstrdup("https://api.telegram.org");
	cfg->telegram_proxy = xstrdup("");
	cfg->telegram_events = OB_ALL;
	cfg->telegram_report_minute = 9 * 60;
	cfg->telegram_outbox_max = 10000;
	cfg->telegram_outbox_max_age = 168;
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

/* The telegram keys that only make sense together. */
static void
check_telegram(struct loader *ld)
{
	const struct cfg *cfg = ld->cfg;
	int token, chat;

	token = cfg->telegram_bot_token[0] != '\0';
	chat = cfg->telegram_chat_id[0] != '\0';
	if (token && !chat)
		cfg_emsg(ld, ld->token_line,
		    "telegram.bot_token: set without telegram.chat_id (both "
		    "are needed to send anything)");
	else if (chat && !token)
		cfg_emsg(ld, ld->chat_line,
		    "telegram.chat_id: set without telegram.bot_token (both "
		    "are needed to send anything)");
	else if (cfg->feat_telegram && !token)
		cfg_wmsg(ld, 0,
		    "features.telegram is on but telegram.bot_token and "
		    "telegram.chat_id are not set: nothing will be sent");
}

int
cfg_load(struct cfg *cfg, const char *path, cfg_regex_check *check_regex,
    struct buf *msgs)
{
	struct loader ld;
	struct ynode *root;
	char *text;
	size_t len;

	cfg_defaults(cfg);
	cfg->path = xstrdup(path);
	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.path = path;
	ld.msgs = msgs;
	ld.check_regex = check_regex;
	root = NULL;
	text = NULL;
	if (read_file(&ld, &text, &len) == -1)
		goto out;
	ld.text = text;
	ld.textlen = len;
	if (ynode_parse(&ld, &root) == -1 || root == NULL)
		goto out;
	if (root->type == YN_SCALAR && root->null)
		goto out;
	if (root->type != YN_MAP) {
		cfg_emsg(&ld, root->line,
		    "expected a mapping at the top, got a %s",
		    ynode_type_name(root));
		goto out;
	}
	cfg_apply_map(&ld, root, "", 1);
	check_telegram(&ld);
out:
	ynode_free(root);
	free(text);
	return ld.errors > 0 ? -1 : 0;
}

size_t
cfg_key_line(const struct cfg *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nkey_lines; i++)
		if (strcmp(cfg->key_lines[i].key, key) == 0)
			return cfg->key_lines[i].line;
	return 0;
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
	free(cfg->haproxy_reload_command);
	free(cfg->api_token);
	free(cfg->default_inbound);
	free(cfg->timezone);
	for (i = 0; i < cfg->nservices; i++)
		free(cfg->services[i]);
	free(cfg->services);
	free(cfg->telegram_chat_id);
	free(cfg->telegram_bot_token);
	free(cfg->telegram_api_url);
	free(cfg->telegram_proxy);
	free(cfg->database);
	free(cfg->f2b_log);
	free(cfg->f2b_banned_log);
	free(cfg->auth_lua);
	free(cfg->net_interface);
	free(cfg->key_lines);
	memset(cfg, 0, sizeof(*cfg));
}
