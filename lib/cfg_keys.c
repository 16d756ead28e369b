/*
 * The schema: one table of every known key, with its kind, the field of
 * struct cfg it sets and its range, and applying a mapping of the file to
 * struct cfg through it.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"
#include "statcol.h"
#include "xmalloc.h"

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

	SEC("haproxy"),
	{ "haproxy.reload_command", K_STR, F(haproxy_reload_command), 0, 0,
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
	{ "telegram.chat_id", K_CHATID, F(telegram_chat_id), 0, 0, SCS_SERVER },
	{ "telegram.bot_token", K_TGTOKEN, F(telegram_bot_token), 0, 0,
	    SCS_SERVER },
	{ "telegram.api_url", K_URL, F(telegram_api_url), 0, 0, SCS_SERVER },
	{ "telegram.proxy", K_PROXY, F(telegram_proxy), 0, 0, SCS_SERVER },
	{ "telegram.events", K_EVENTS, F(telegram_events), 0, 0, SCS_SERVER },
	{ "telegram.report_time", K_HHMM, F(telegram_report_minute), 0, 0,
	    SCS_SERVER },
	{ "telegram.outbox_max_messages", K_INT, F(telegram_outbox_max), 1,
	    1000000, SCS_SERVER },
	{ "telegram.outbox_max_age", K_INT, F(telegram_outbox_max_age), 1, 8760,
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

static int
key_lookup(const char *path)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].path, path) == 0)
			return (int)i;
	return -1;
}

void
cfg_apply_map(
    struct loader *ld, const struct ynode *m, const char *prefix, int top)
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
			cfg_emsg(ld, k->line, "%s%sa %s cannot be a key",
			    prefix, top ? "" : ": ", ynode_type_name(k));
			continue;
		}
		if (idx[i] == -1) {
			cfg_wmsg(ld, k->line, "unknown key '%s'",
			    cfg_esc(paths[i], strlen(paths[i]), e));
			continue;
		}
		if (first[idx[i]] != (int)i)
			cfg_wmsg(ld, k->line,
			    "duplicate key '%s', the last one wins", paths[i]);
		if (last[idx[i]] != (int)i)
			continue;
		cfg_apply_key(ld, &keys[idx[i]], v, k->line);
		ld->cfg->key_lines = xreallocarray(ld->cfg->key_lines,
		    ld->cfg->nkey_lines + 1, sizeof(*ld->cfg->key_lines));
		ld->cfg->key_lines[ld->cfg->nkey_lines].key = keys[idx[i]].path;
		ld->cfg->key_lines[ld->cfg->nkey_lines++].line = k->line;
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(idx);
}
