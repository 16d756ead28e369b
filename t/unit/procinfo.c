/*
 * Unit tests for lib/procinfo.c: the parsers of /proc's memory, uptime,
 * load and socket tables with real and hostile contents, and the scan of
 * programs in a /proc of our own making.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"
#include "tap.h"
#include "tmpdir.h"

static void
t_meminfo(void)
{
	static const char real[] = "MemTotal:       16318480 kB\n"
				   "MemFree:         1207364 kB\n"
				   "MemAvailable:    8159240 kB\n"
				   "Buffers:          512000 kB\n";
	static const struct {
		const char *text, *what;
	} bad[] = {
		{ "", "empty" },
		{ "MemTotal: 100 kB\n", "MemAvailable missing" },
		{ "MemAvailable: 100 kB\n", "MemTotal missing" },
		{ "MemTotal: 0 kB\nMemAvailable: 0 kB\n", "MemTotal 0" },
		{ "MemTotal: -5 kB\nMemAvailable: 1 kB\n", "negative" },
		{ "MemTotal: 12x kB\nMemAvailable: 1 kB\n", "not a number" },
		{ "MemTotal: 100\nMemAvailable: 1 kB\n", "no unit" },
		{ "MemTotal: 100 MB\nMemAvailable: 1 kB\n", "other unit" },
		{ "MemTotal: 99999999999999999999999999 kB\n"
		  "MemAvailable: 1 kB\n",
		    "huge (would overflow)" },
		{ "MemTotal: 9007199254740993 kB\nMemAvailable: 1 kB\n",
		    "just above 2^53" },
		{ "MemTotal:  kB\nMemAvailable: 1 kB\n", "no digits" },
		{ " MemTotal: 100 kB\nMemAvailable: 1 kB\n",
		    "key not at line start" },
		{ "MemTotal: 100 kB\nMemAvailable: 1 kB trailing\n",
		    "garbage after the unit" },
	};
	struct meminfo mi;
	size_t i;

	ok(procinfo_meminfo(real, &mi) == 0, "meminfo: real text parses");
	is_int(mi.total_kb, 16318480, "meminfo: MemTotal");
	is_int(mi.avail_kb, 8159240, "meminfo: MemAvailable");
	ok(procinfo_mem_used_pct(&mi) > 49.99 &&
		procinfo_mem_used_pct(&mi) < 50.01,
	    "meminfo: used 50%% (%.4f)", procinfo_mem_used_pct(&mi));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(procinfo_meminfo(bad[i].text, &mi) == -1,
		    "meminfo refused: %s", bad[i].what);

	ok(procinfo_meminfo("MemAvailable: 300 kB\nMemTotal: 100 kB", &mi) ==
		    0 &&
		mi.avail_kb == 100 && procinfo_mem_used_pct(&mi) == 0.0,
	    "meminfo: available above total counts as nothing used");
	ok(procinfo_meminfo("MemTotal: 9007199254740992 kB\n"
			    "MemAvailable: 0 kB",
	       &mi) == 0 &&
		procinfo_mem_used_pct(&mi) == 100.0,
	    "meminfo: 2^53 still taken, without a newline at the end");
	ok(procinfo_meminfo("MemTotal: 100 kB\nMemTotal: 999 kB\n"
			    "MemAvailable: 50 kB\n",
	       &mi) == 0 &&
		mi.total_kb == 100,
	    "meminfo: the first of two MemTotal lines counts");
}

static void
t_uptime_load(void)
{
	char out[64];

	ok(procinfo_uptime("363723.44 1428561.47\n", out, sizeof(out)) == 0,
	    "uptime parses");
	is_str(out, "4 days 05 hours", "uptime: D days HH hours");
	ok(procinfo_uptime("59.9 1.0\n", out, sizeof(out)) == 0 &&
		strcmp(out, "0 days 00 hours") == 0,
	    "uptime under a minute");
	ok(procinfo_uptime("", out, sizeof(out)) == -1 &&
		strcmp(out, "unknown") == 0,
	    "uptime: empty is unknown");
	ok(procinfo_uptime("nan 1\n", out, sizeof(out)) == -1,
	    "uptime: nan refused");
	ok(procinfo_uptime("1e300 1\n", out, sizeof(out)) == -1,
	    "uptime: 1e300 refused");
	ok(procinfo_uptime("99999999999999.5 1\n", out, sizeof(out)) == -1,
	    "uptime: above 10^12 s refused");
	ok(procinfo_uptime("-5 1\n", out, sizeof(out)) == -1,
	    "uptime: negative refused");
	ok(procinfo_uptime("12abc 1\n", out, sizeof(out)) == -1,
	    "uptime: trailing letters refused");

	ok(procinfo_loadavg("0.10 0.25 1.50 2/345 6789\n", out, sizeof(out)) ==
		0,
	    "loadavg parses");
	is_str(out, "0.10, 0.25, 1.50", "loadavg: three averages");
	ok(procinfo_loadavg("0.10 0.25\n", out, sizeof(out)) == -1 &&
		strcmp(out, "unknown") == 0,
	    "loadavg: two numbers are unknown");
	ok(procinfo_loadavg("0.1 inf 0.3\n", out, sizeof(out)) == -1,
	    "loadavg: inf refused");
	ok(procinfo_loadavg("0x10 0.2 0.3\n", out, sizeof(out)) == -1,
	    "loadavg: hex refused");
}

/* Counts TEXT fed in pieces of STEP bytes. */
static long long
count(const char *text, size_t step)
{
	struct sockcount sc;
	size_t len = strlen(text), off;

	memset(&sc, 0, sizeof(sc));
	for (off = 0; off < len; off += step)
		sockcount_feed(
		    &sc, text + off, len - off < step ? len - off : step);
	return sc.n;
}

static void
t_sockets(const char *dir)
{
	static const char tcp[] =
	    "  sl  local_address rem_address   st tx_queue rx_queue tr "
	    "tm->when retrnsmt   uid  timeout inode\n"
	    "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000   106        0 20470 1 0000000000000000 "
	    "100 0 0 10 0\n"
	    "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 18810 1\n"
	    "  12: 0100007F:A1B2 0100007F:0CEA 01 00000000:00000000\n";
	static const char hostile[] = "garbage first line 1: 2:\n"
				      "\n"
				      "x1: not an entry\n"
				      "1x: not an entry\n"
				      "  : no number\n"
				      "7: an entry\r\n"
				      "8:\n"
				      "9";
	char p1[512], p2[512], p3[512];
	const char *paths[3];
	FILE *f;
	size_t step;
	long long n;

	is_int(count(tcp, 4096), 3, "sockets: header excluded, 3 entries");
	for (step = 1; step <= 7; step++)
		is_int(count(tcp, step), 3, "sockets: fed %zu bytes at a time",
		    step);
	is_int(count(hostile, 1), 2, "sockets: hostile lines not counted");
	is_int(count("", 1), 0, "sockets: empty");

	snprintf(p1, sizeof(p1), "%s/tcp", dir);
	snprintf(p2, sizeof(p2), "%s/tcp6", dir);
	snprintf(p3, sizeof(p3), "%s/absent", dir);
	if ((f = fopen(p1, "w")) != NULL) {
		fputs(tcp, f);
		fclose(f);
	}
	/* A file whose last line has no newline, then the next file. */
	if ((f = fopen(p2, "w")) != NULL) {
		fputs("  sl header\n 0: a\n 1", f);
		fclose(f);
	}
	paths[0] = p1;
	paths[1] = p2;
	paths[2] = p3;
	n = procinfo_sockets(paths, 3);
	is_int(n, 4, "sockets: tcp + tcp6 counted together, absent is 0");
	/* p1 now begins where p2's cut line would go on. */
	if ((f = fopen(p1, "w")) != NULL) {
		fputs(": 1\n", f);
		fclose(f);
	}
	paths[0] = p2;
	paths[1] = p1;
	is_int(procinfo_sockets(paths, 2), 1,
	    "sockets: a cut last line does not run into the next file");
	paths[0] = p3;
	is_int(procinfo_sockets(paths, 1), -1, "sockets: none readable");
}

/* Makes DIR/PID/stat holding STAT. */
static void
fake_stat(const char *dir, const char *pid, const char *stat)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/stat", dir, pid);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(stat, f);
		fclose(f);
	}
}

/* Makes DIR/PID/comm holding COMM (written as is). */
static void
fake_proc(const char *dir, const char *pid, const char *comm)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/comm", dir, pid);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(comm, f);
		fclose(f);
	}
}

static void
t_running(const char *dir)
{
	static char n0[] = "xray", n1[] = "nginx", n2[] = "fail2ban-server",
		    n3[] = "haproxy", n4[] = "xra", n5[] = "";
	static char z0[] = "dead", z1[] = "gone", z2[] = "tricky",
		    z3[] = "garbled";
	char proc[512], *names[6] = { n0, n1, n2, n3, n4, n5 };
	char *zn[4] = { z0, z1, z2, z3 };
	int running[6];

	snprintf(proc, sizeof(proc), "%s/proc", dir);
	mkdir(proc, 0755);
	fake_proc(proc, "1", "systemd\n");
	fake_proc(proc, "42", "xray\n");
	fake_proc(proc, "43", "nginx: worker\n");
	fake_proc(proc, "self", "fail2ban-server\n"); /* not a pid */
	fake_proc(proc, "77", "haproxy"); /* no newline */
	fake_proc(proc, "78", "");
	/* A zombie first, then the live one of the same name. */
	fake_proc(proc, "90", "dead\n");
	fake_stat(proc, "90", "90 (dead) Z 1 90 90 0 -1");
	fake_proc(proc, "91", "gone\n");
	fake_stat(proc, "91", "91 (gone) X 1");
	fake_proc(proc, "92", "tricky\n");
	fake_stat(proc, "92", "92 (x) Z (y) S 1 92");
	fake_proc(proc, "93", "garbled\n");
	fake_stat(proc, "93", "93 no parens Z");
	ok(procinfo_running(proc, names, 6, running) == 0, "running: scanned");
	is_int(running[0], 1, "running: xray found");
	is_int(running[1], 0, "running: nginx is not 'nginx: worker'");
	is_int(running[2], 0, "running: non-numeric entries are skipped");
	is_int(running[3], 1, "running: comm without a newline");
	is_int(running[4], 0, "running: a prefix is not the name");
	is_int(running[5], 1, "running: an empty comm matches only ''");
	ok(procinfo_running(proc, zn, 4, running) == 0, "running: scanned");
	is_int(running[0], 0, "running: a zombie is not running");
	is_int(running[1], 0, "running: state X is not running");
	is_int(running[2], 1, "running: the state after the last ')'");
	is_int(running[3], 1, "running: a garbled stat counts as alive");
	snprintf(proc, sizeof(proc), "%s/none", dir);
	running[0] = 7;
	ok(procinfo_running(proc, names, 1, running) == -1 && running[0] == 0,
	    "running: no /proc is -1, all down");
	ok(procinfo_running("/proc", names, 0, running) == 0,
	    "running: no names");
}

int
main(void)
{
	const char *dir = tmpdir_make("procinfo");
	char buf[8], path[512];
	FILE *f;

	t_meminfo();
	t_uptime_load();
	t_sockets(dir);
	t_running(dir);

	snprintf(path, sizeof(path), "%s/long", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("0123456789", f);
		fclose(f);
	}
	ok(procinfo_read(path, buf, sizeof(buf)) == 0 &&
		strcmp(buf, "0123456") == 0,
	    "read: cut at the buffer, NUL-terminated");
	ok(procinfo_read("/nonexistent/x", buf, sizeof(buf)) == -1,
	    "read: missing file");
	ok(procinfo_read("/proc/meminfo", buf, sizeof(buf)) == 0,
	    "read: the real /proc/meminfo");
	tmpdir_remove(dir);
	return tap_done();
}
