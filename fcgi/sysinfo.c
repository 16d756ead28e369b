/*
 * The optional blocks at the top of /api/v1/stats: "Server State"
 * (features.system_monitoring) and "Network" (features.network), read from
 * /proc, and the network counters' reset point kept in the database.
 */
#include "config.h"

#include <sys/statvfs.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"
#include "fmt.h"
#include "netdev.h"
#include "procinfo.h"
#include "wstate.h"
#include "xmalloc.h"

void
sysinfo_server_state(struct req *req, struct buf *out)
{
	const struct cfg *cfg = &req->app->cfg;
	struct statvfs vfs;
	struct meminfo mi;
	char text[PROCINFO_SMALL], line[64];
	int *running;
	size_t i;

	buf_puts(out, "➤  Server State:\n");
	if (procinfo_read("/proc/uptime", text, sizeof(text)) == 0 &&
	    procinfo_uptime(text, line, sizeof(line)) == 0)
		buf_printf(out, "%13s %s\n", "Uptime:", line);
	if (procinfo_read("/proc/loadavg", text, sizeof(text)) == 0 &&
	    procinfo_loadavg(text, line, sizeof(line)) == 0)
		buf_printf(out, "%13s %s\n", "Load average:", line);
	if (procinfo_read("/proc/meminfo", text, sizeof(text)) == 0 &&
	    procinfo_meminfo(text, &mi) == 0)
		buf_printf(out, "%13s %.2f MB used / %.2f MB total\n",
		    "Memory:", (double)(mi.total_kb - mi.avail_kb) / 1024.0,
		    (double)mi.total_kb / 1024.0);
	if (statvfs("/", &vfs) == 0)
		buf_printf(out, "%13s %.2f GB used / %.2f GB total\n",
		    "Disk usage:",
		    (double)(vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize / 1e9,
		    (double)vfs.f_blocks * vfs.f_frsize / 1e9);
	buf_printf(out, "%13s", "Status:");
	running = xcalloc(cfg->nservices + 1, sizeof(*running));
	procinfo_running("/proc", cfg->services, cfg->nservices, running);
	for (i = 0; i < cfg->nservices; i++)
		buf_printf(
		    out, " %s %s", running[i] ? "▲" : "▼", cfg->services[i]);
	free(running);
	buf_puts(out, "\n\n");
}

/* A rate the worker publishes (lib/wstate.h); 0 if absent. */
static long long
worker_rate(struct req *req, enum wstate_key key)
{
	int64_t v = 0;

	if (wstate_get_int(&req->app->db, key, &v) != 1 || v < 0)
		v = 0;
	return (long long)v;
}

void
sysinfo_network(struct req *req, struct buf *out)
{
	struct netdev nd;
	sqlite3_stmt *st;
	long long rx0 = 0, tx0 = 0;
	char rate[32], total[32];

	if (netdev_read(req->app->cfg.net_interface, &nd) == -1)
		return;
	if (db_row(&req->app->db, &st,
		"SELECT rx, tx FROM net_baseline WHERE iface = ?1",
		dbv_text(nd.name)) == 1) {
		rx0 = sqlite3_column_int64(st, 0);
		tx0 = sqlite3_column_int64(st, 1);
		db_done(st);
	}
	/* Counters below the reset point mean the host rebooted. */
	if (nd.rx_bytes < rx0 || nd.tx_bytes < tx0)
		rx0 = tx0 = 0;
	buf_printf(out, "➤  Network (%s):\n", nd.name);
	fmt_rate(worker_rate(req, WS_NET_RX_BPS), rate, sizeof(rate));
	fmt_bytes(nd.rx_bytes - rx0, total, sizeof(total));
	buf_printf(out, "   rx: %s   %lld p/s   %s\n", rate,
	    worker_rate(req, WS_NET_RX_PPS), total);
	fmt_rate(worker_rate(req, WS_NET_TX_BPS), rate, sizeof(rate));
	fmt_bytes(nd.tx_bytes - tx0, total, sizeof(total));
	buf_printf(out, "   tx: %s   %lld p/s   %s\n\n", rate,
	    worker_rate(req, WS_NET_TX_PPS), total);
}

int
sysinfo_network_reset(struct req *req, char *err, size_t errsz)
{
	struct netdev nd;

	if (netdev_read(req->app->cfg.net_interface, &nd) == -1) {
		snprintf(err, errsz,
		    "interface '%s' not found in /proc/net/dev",
		    req->app->cfg.net_interface);
		return -1;
	}
	if (db_run(&req->app->db,
		"INSERT OR REPLACE INTO net_baseline (iface, rx, tx, at) "
		"VALUES (?1, ?2, ?3, ?4)",
		dbv_text(nd.name), dbv_int(nd.rx_bytes), dbv_int(nd.tx_bytes),
		dbv_int(time(NULL))) != DB_OK) {
		snprintf(err, errsz, "database error");
		return -1;
	}
	return 0;
}
