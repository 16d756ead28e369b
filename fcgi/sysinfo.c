/*
 * The optional blocks at the top of /api/v1/stats: "Server State"
 * (features.system_monitoring) and "Network" (features.network), read from
 * /proc, and the network counters' reset point kept in the database.
 */
#include "config.h"

#include <sys/statvfs.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"
#include "fmt.h"
#include "netdev.h"
#include "wstate.h"

/* Reads the first line of PATH into OUT; -1 if unreadable. */
static int
read_line(const char *path, char *out, size_t outsz)
{
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(out, (int)outsz, f) != NULL) {
		out[strcspn(out, "\n")] = '\0';
		rc = 0;
	}
	fclose(f);
	return rc;
}

/* Reads MemTotal and MemAvailable (kB) from /proc/meminfo. */
static int
read_meminfo(long long *total, long long *avail)
{
	char line[256];
	FILE *f;
	int found = 0;

	*total = *avail = 0;
	if ((f = fopen("/proc/meminfo", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "MemTotal: %lld kB", total) == 1)
			found |= 1;
		else if (sscanf(line, "MemAvailable: %lld kB", avail) == 1)
			found |= 2;
	}
	fclose(f);
	return found == 3 ? 0 : -1;
}

/* 1 if a process whose comm is exactly NAME runs. */
static int
service_running(const char *name)
{
	struct dirent *de;
	char path[300], comm[64];
	DIR *d;
	int found = 0;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_line(path, comm, sizeof(comm)) == 0 &&
		    strcmp(comm, name) == 0)
			found = 1;
	}
	closedir(d);
	return found;
}

void
sysinfo_server_state(struct req *req, struct buf *out)
{
	const struct cfg *cfg = &req->app->cfg;
	struct statvfs vfs;
	char line[256];
	double up = 0, l1, l5, l15;
	long long total, avail, days;
	size_t i;

	buf_puts(out, "➤  Server State:\n");
	if (read_line("/proc/uptime", line, sizeof(line)) == 0 &&
	    sscanf(line, "%lf", &up) == 1) {
		days = (long long)up / 86400;
		buf_printf(out, "%13s %lld days %02lld hours\n",
		    "Uptime:", days, ((long long)up % 86400) / 3600);
	}
	if (read_line("/proc/loadavg", line, sizeof(line)) == 0 &&
	    sscanf(line, "%lf %lf %lf", &l1, &l5, &l15) == 3)
		buf_printf(out, "%13s %.2f, %.2f, %.2f\n", "Load average:", l1,
		    l5, l15);
	if (read_meminfo(&total, &avail) == 0)
		buf_printf(out, "%13s %.2f MB used / %.2f MB total\n",
		    "Memory:", (double)(total - avail) / 1024.0,
		    (double)total / 1024.0);
	if (statvfs("/", &vfs) == 0)
		buf_printf(out, "%13s %.2f GB used / %.2f GB total\n",
		    "Disk usage:",
		    (double)(vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize / 1e9,
		    (double)vfs.f_blocks * vfs.f_frsize / 1e9);
	buf_printf(out, "%13s", "Status:");
	for (i = 0; i < cfg->nservices; i++)
		buf_printf(out, " %s %s",
		    service_running(cfg->services[i]) ? "▲" : "▼",
		    cfg->services[i]);
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
