/*
 * Unit tests for the system watch's and the daily report's decisions
 * (worker/sysmon.h): the rolling average and its crossings, the services'
 * changes, the saved state (also garbled), when the report is due, the
 * core's version and which address is shown.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "sysmon.h"
#include "tap.h"
#include "tmpdir.h"

static void
t_window(void)
{
	struct usage_window uw;
	double avg = -1;
	int i;

	is_int(usage_window_size(120, 10), 12, "size: 120 s of 10 s ticks");
	is_int(usage_window_size(125, 10), 13, "size: rounded up");
	is_int(usage_window_size(10, 1), 10, "size: 10 s of 1 s ticks");
	is_int(usage_window_size(10, 30), 1, "size: a tick longer: 1");
	is_int(usage_window_size(120, 0), 12, "size: bad ticker counts 10");
	is_int(usage_window_size(0, 10), 1, "size: at least 1");
	is_int(usage_window_size(86400, 1), 86400, "size: a day of 1 s");

	usage_window_init(&uw, 3);
	usage_window_push(&uw, 10);
	usage_window_push(&uw, 20);
	ok(!usage_window_average(&uw, &avg) && avg == -1,
	    "window: not full, no average");
	usage_window_push(&uw, 60);
	ok(usage_window_average(&uw, &avg) && avg == 30,
	    "window: full, mean 30 (%.2f)", avg);
	usage_window_push(&uw, 90); /* drops 10 */
	ok(usage_window_average(&uw, &avg) && avg > 56.66 && avg < 56.67,
	    "window: oldest dropped (%.2f)", avg);
	for (i = 0; i < 1000; i++)
		usage_window_push(&uw, 5);
	ok(usage_window_average(&uw, &avg) && avg == 5,
	    "window: after many pushes, the last 3 (%.2f)", avg);
	usage_window_free(&uw);
	usage_window_free(&uw);
	ok(uw.v == NULL, "window: freed twice");
}

/* Runs the samples V through a window of CAP and the crossing with
 * THRESHOLD, writing 'A' (alert), 'B' (back) or '.' per sample. */
static void
run(const double *v, size_t n, size_t cap, int threshold, char *out)
{
	struct usage_window uw;
	double avg;
	size_t i;
	int raised = 0;
	enum usage_cross c;

	usage_window_init(&uw, cap);
	for (i = 0; i < n; i++) {
		usage_window_push(&uw, v[i]);
		c = UC_NONE;
		if (usage_window_average(&uw, &avg))
			c = usage_cross(raised, threshold, avg);
		if (c == UC_ABOVE)
			raised = 1;
		else if (c == UC_BELOW)
			raised = 0;
		out[i] = c == UC_ABOVE ? 'A' : c == UC_BELOW ? 'B' : '.';
	}
	out[n] = '\0';
	usage_window_free(&uw);
}

static void
t_cross(void)
{
	static const double up_down[] = { 90, 90, 90, 90, 90, 10, 10, 10, 10,
		90, 90 };
	static const double flat[] = { 50, 50, 50, 50, 50 };
	static const double edge[] = { 80, 80, 80.01, 80, 79 };
	char out[32];

	is_int(usage_cross(0, 80, 80.01), UC_ABOVE, "cross: above");
	is_int(usage_cross(0, 80, 80), UC_NONE, "cross: at is not above");
	is_int(usage_cross(1, 80, 80), UC_BELOW, "cross: at is back");
	is_int(usage_cross(1, 80, 95), UC_NONE, "cross: still above");
	is_int(usage_cross(0, 80, 5), UC_NONE, "cross: still below");
	is_int(usage_cross(0, 0, 100), UC_NONE, "cross: threshold 0 is off");
	is_int(usage_cross(1, 0, 0), UC_NONE,
	    "cross: threshold 0, raised: "
	    "off too");
	is_int(usage_cross(0, -3, 50), UC_NONE, "cross: negative is off");
	is_int(usage_cross(0, 100, 100), UC_NONE, "cross: 100%% never above");

	run(up_down, 11, 3, 80, out);
	is_str(out, "..A..B.....", "cross: window 3, once up, once back");
	run(up_down, 11, 1, 80, out);
	is_str(out, "A....B...A.", "cross: window 1 follows every sample");
	run(flat, 5, 3, 0, out);
	is_str(out, ".....",
	    "cross: threshold 0 never alerts (original "
	    "alerted whenever > 0)");
	run(flat, 5, 9, 10, out);
	is_str(out, ".....", "cross: a window never full never judges");
	run(edge, 5, 1, 80, out);
	is_str(out, "..AB.", "cross: exactly at the threshold is back");
}

static void
t_state(void)
{
	static const char *const hostile[] = {
		"",
		"sysmon1",
		"sysmon1 ",
		"sysmon2 mem=0 disk=0",
		"sysmon1 mem=2 disk=0",
		"sysmon1 mem=0 disk=0 ",
		"sysmon1 mem=0  disk=0",
		"sysmon1 disk=0 mem=0",
		"sysmon1 mem=0 disk=0 list=123 up=1",
		"sysmon1 mem=0 disk=0 list=0123456789ABCDEF up=1",
		"sysmon1 mem=0 disk=0 list=0123456789abcdeg up=1",
		"sysmon1 mem=0 disk=0 list=0123456789abcdef",
		"sysmon1 mem=0 disk=0 list=0123456789abcdef up=012",
		"sysmon1 mem=0 disk=0 list=0123456789abcdef up=1 ",
		"sysmon1 mem=1 disk=1\n",
		"SYSMON1 mem=1 disk=1",
		"\xff\xfe garbage",
	};
	struct sysmon_state st, back;
	char text[WSTATE_TEXT_MAX], big[WSTATE_TEXT_MAX];
	static char s0[] = "xray", s1[] = "nginx", s2[] = "fail2ban-server",
		    s3[] = "ab", s4[] = "c", s5[] = "a", s6[] = "bc";
	char *names[3] = { s0, s1, s2 };
	char *ab[2] = { s3, s4 }, *a_bc[2] = { s5, s6 };
	int running[SYSMON_MAX_SERVICES];
	size_t i;

	ok(sysmon_list_fp(names, 3) != sysmon_list_fp(names, 2),
	    "fp: a shorter list differs");
	ok(sysmon_list_fp(ab, 2) != sysmon_list_fp(a_bc, 2),
	    "fp: the names' borders count");
	ok(sysmon_list_fp(names, 3) == sysmon_list_fp(names, 3), "fp: stable");

	memset(&st, 0, sizeof(st));
	sysmon_state_format(&st, text, sizeof(text));
	is_str(text, "sysmon1 mem=0 disk=0", "state: empty");
	ok(sysmon_state_parse(text, &back) == 0 && !back.have_services &&
		!back.mem_raised && !back.disk_raised,
	    "state: empty round trip");

	st.mem_raised = 1;
	st.have_services = 1;
	st.list = 0x0123456789abcdefULL;
	st.n = 3;
	st.up[0] = 1;
	st.up[2] = 1;
	sysmon_state_format(&st, text, sizeof(text));
	is_str(text, "sysmon1 mem=1 disk=0 list=0123456789abcdef up=101",
	    "state: text");
	ok(sysmon_state_parse(text, &back) == 0 && back.mem_raised == 1 &&
		back.disk_raised == 0 && back.have_services &&
		back.list == st.list && back.n == 3 && back.up[0] == 1 &&
		back.up[1] == 0 && back.up[2] == 1,
	    "state: round trip");

	st.n = SYSMON_MAX_SERVICES;
	for (i = 0; i < st.n; i++)
		st.up[i] = i % 3 == 0;
	sysmon_state_format(&st, text, sizeof(text));
	ok(strlen(text) < WSTATE_TEXT_MAX - 1,
	    "state: %d services fit worker_state (%zu bytes)",
	    SYSMON_MAX_SERVICES, strlen(text));
	ok(sysmon_state_parse(text, &back) == 0 &&
		back.n == SYSMON_MAX_SERVICES &&
		memcmp(back.up, st.up, st.n) == 0,
	    "state: the most services round trip");
	snprintf(big, sizeof(big), "%s1", text);
	ok(sysmon_state_parse(big, &back) == -1 && !back.have_services,
	    "state: one service too many refused");
	st.n = 0;
	sysmon_state_format(&st, text, sizeof(text));
	ok(sysmon_state_parse(text, &back) == 0 && back.have_services &&
		back.n == 0,
	    "state: no services, known");

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		memset(&back, 0x55, sizeof(back));
		ok(sysmon_state_parse(hostile[i], &back) == -1 &&
			!back.have_services && !back.mem_raised &&
			!back.disk_raised,
		    "state: refused and zeroed: hostile #%zu", i);
	}

	/* The services' comparison. */
	memset(&st, 0, sizeof(st));
	running[0] = 1;
	running[1] = 0;
	running[2] = 1;
	is_int(sysmon_services_changed(&st, 7, running, 3), -1,
	    "services: nothing saved: record only");
	st.have_services = 1;
	st.list = 7;
	st.n = 3;
	st.up[0] = 1;
	st.up[2] = 1;
	is_int(
	    sysmon_services_changed(&st, 7, running, 3), 0, "services: same");
	running[1] = 5; /* any non-zero is running */
	is_int(sysmon_services_changed(&st, 7, running, 3), 1,
	    "services: one came up");
	running[1] = 0;
	running[0] = 0;
	is_int(sysmon_services_changed(&st, 7, running, 3), 1,
	    "services: one went down");
	is_int(sysmon_services_changed(&st, 8, running, 3), -1,
	    "services: another list: record only");
	is_int(sysmon_services_changed(&st, 7, running, 2), -1,
	    "services: another count: record only");
}

static void
t_report_due(void)
{
	static const struct {
		const char *today;
		int minute;
		const char *last;
		int at, due;
		const char *what;
	} c[] = {
		{ "2026-03-10", 540, "2026-03-09", 540, 1, "at the minute" },
		{ "2026-03-10", 539, "2026-03-09", 540, 0, "a minute early" },
		{ "2026-03-10", 1439, "2026-03-09", 540, 1,
		    "late the same day (worker was down)" },
		{ "2026-03-10", 541, "2026-03-10", 540, 0, "sent today" },
		{ "2026-03-10", 1439, "2026-03-10", 540, 0,
		    "never twice a day" },
		{ "2026-03-11", 0, "2026-03-10", 540, 0,
		    "just after midnight: not yet" },
		{ "2026-03-11", 0, "2026-03-10", 0, 1, "report at 00:00" },
		{ "2026-03-11", 1439, "2026-03-10", 1439, 1,
		    "report at 23:59" },
		{ "2026-03-12", 100, "2026-03-10", 540, 0,
		    "a missed day is not sent before the time" },
		{ "2026-03-12", 600, "2026-03-10", 540, 1,
		    "after a missed day: once, today" },
		{ "2027-01-01", 540, "2026-12-31", 540, 1, "across a year" },
		{ "2026-03-10", 600, NULL, 540, 1, "no last date: due" },
		{ "2026-03-10", 500, NULL, 540, 0, "no last date, early" },
		{ "2026-03-10", 600, "", 540, 1, "empty last date" },
		{ "2026-03-10", 600, "garbage!!!", 540, 1, "garbled last" },
		{ "2026-03-10", 600, "2026-03-10x", 540, 1,
		    "last with a tail is garbled" },
		{ "2026-03-10", 600, "2026-03-11", 540, 0,
		    "last in the future (clock went back)" },
		{ "2026-03-10", 600, "2026-03-09", -1, 0, "report off" },
		{ "2026-03-10", 600, "2026-03-09", 1440, 0, "bad minute" },
		{ "2026-3-10", 600, "2026-03-09", 540, 0, "bad today" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		is_int(report_due(c[i].today, c[i].minute, c[i].last, c[i].at),
		    c[i].due, "report due: %s", c[i].what);
	ok(report_date_valid("0000-00-00"), "date: digits and dashes");
	ok(!report_date_valid("2026-03-1"), "date: short");
	ok(!report_date_valid("2026/03/10"), "date: slashes");
	ok(!report_date_valid(NULL), "date: NULL");
}

static void
t_corever(void)
{
	static const struct {
		enum core_type t;
		const char *out, *want;
	} c[] = {
		{ CORE_XRAY,
		    "Xray 1.8.4 (Xray, Penetrates Everything.) 5ed6fe6 "
		    "(go1.21.1 "
		    "linux/amd64)\nA unified platform for anti-censorship.\n",
		    "1.8.4" },
		{ CORE_V2FLY,
		    "V2Ray 4.34.0 (user) 20230518-074445 (go1.19.8 "
		    "linux/amd64)\nA unified platform for anti-censorship.\n",
		    "4.34.0" },
		{ CORE_V2FLY,
		    "V2Ray 5.16.1 (V2Fly, a community-driven "
		    "edition of V2Ray.) Custom (go1.22.2)\n",
		    "5.16.1" },
		{ CORE_SINGBOX,
		    "sing-box version 1.8.0\n\nEnvironment: go1.21.5 "
		    "linux/amd64\n",
		    "1.8.0" },
		{ CORE_SINGBOX, "sing-box version 1.11.0-beta.3\n",
		    "1.11.0-beta.3" },
		{ CORE_XRAY, "Xray v25.1.1\r\n", "v25.1.1" },
		{ CORE_XRAY, "  Xray\t1.2.3", "1.2.3" },
		{ CORE_XRAY, "V2Ray 4.34.0 (user)\n", NULL },
		{ CORE_XRAY, "Xray\n1.8.4\n", NULL },
		{ CORE_XRAY, "", NULL },
		{ CORE_XRAY, "Xray", NULL },
		{ CORE_XRAY, "Xray *bold*_x\n", NULL },
		{ CORE_XRAY, "Xray 1.2`rm -rf`\n", NULL },
		{ CORE_XRAY, "Xray 1234567890123456789012345678901234567890X\n",
		    NULL },
		{ CORE_SINGBOX, "sing-box 1.8.0\n", NULL },
		{ CORE_SINGBOX, "sing-box version\n", NULL },
		{ CORE_V2FLY, "Usage: v2ray <command> [arguments]\n", NULL },
		{ CORE_V2FLY, "V2Ray version\n", NULL },
	};
	char ver[48];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		strcpy(ver, "-");
		rc = corever_parse(c[i].t, c[i].out, ver, sizeof(ver));
		if (c[i].want != NULL)
			ok(rc == 0 && strcmp(ver, c[i].want) == 0,
			    "core version #%zu: %s (got %s)", i, c[i].want,
			    ver);
		else
			ok(rc == -1, "core version #%zu refused", i);
	}
	ok(corever_parse(CORE_XRAY, "Xray 1.8.4", ver, 5) == -1,
	    "core version: too long for the buffer");
}

/* Writes DIR/NAME, an executable shell script of BODY. */
static void
script(const char *dir, const char *name, const char *body)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "#!/bin/sh\n%s\n", body);
		fclose(f);
	}
	chmod(path, 0755);
}

/* The version commands run for real: fake cores in a directory. */
static void
t_corever_run(void)
{
	const char *dir = tmpdir_make("corever");
	static char dirbuf[512];
	struct cfg cfg;
	char ver[48];
	int64_t t0, ms;
	int status;

	snprintf(dirbuf, sizeof(dirbuf), "%s", dir);
	memset(&cfg, 0, sizeof(cfg));
	cfg.core_dir = dirbuf;

	cfg.core_type = CORE_XRAY;
	script(dir, "xray",
	    "[ \"$1\" = version ] && echo 'Xray 25.3.6 (Xray, "
	    "Penetrates Everything.)'");
	corever_get(&cfg, 2000, ver, sizeof(ver));
	is_str(ver, "25.3.6", "core version: xray version, from core.dir");

	/* v2fly 5 refuses -version: the second try, "version", answers. */
	cfg.core_type = CORE_V2FLY;
	script(dir, "v2ray",
	    "if [ \"$1\" = version ]; then echo 'V2Ray 5.16.1 (V2Fly)'; "
	    "else echo 'unknown flag' >&2; exit 1; fi");
	corever_get(&cfg, 2000, ver, sizeof(ver));
	is_str(ver, "5.16.1", "core version: v2fly 5 through 'version'");
	script(dir, "v2ray",
	    "[ \"$1\" = -version ] && echo 'V2Ray 4.34.0 (user)' && exit 0; "
	    "exec sleep 30");
	corever_get(&cfg, 2000, ver, sizeof(ver));
	is_str(ver, "4.34.0", "core version: v2fly 4 through '-version'");

	/* A core that hangs is killed at the deadline. */
	cfg.core_type = CORE_SINGBOX;
	script(dir, "sing-box", "echo 'sing-box version 1.8.0'; exec sleep 30");
	t0 = mono_ms();
	corever_get(&cfg, 300, ver, sizeof(ver));
	ms = mono_ms() - t0;
	is_str(ver, "1.8.0", "core version: what came before the hang");
	ok(ms >= 250 && ms < 1500,
	    "core version: waited %lld ms for a "
	    "core that does not exit (deadline 300)",
	    (long long)ms);
	script(dir, "sing-box", "exec sleep 30");
	t0 = mono_ms();
	corever_get(&cfg, 300, ver, sizeof(ver));
	ms = mono_ms() - t0;
	ok(strcmp(ver, "unknown") == 0 && ms < 1500,
	    "core version: a silent hang is unknown after %lld ms",
	    (long long)ms);
	ok(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD,
	    "core version: no child left behind");

	script(dir, "sing-box", "echo 'sing-box version `id`*_'");
	corever_get(&cfg, 2000, ver, sizeof(ver));
	is_str(ver, "unknown", "core version: garbage is unknown");

	/* Not in core.dir nor in PATH. */
	cfg.core_type = CORE_XRAY;
	snprintf(dirbuf, sizeof(dirbuf), "%s/none/", dir);
	setenv("PATH", dir, 1); /* emptied below */
	tmpdir_empty(dir);
	corever_get(&cfg, 2000, ver, sizeof(ver));
	is_str(ver, "unknown", "core version: no binary is unknown");
	tmpdir_remove(dir);
}

static int
rank4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return addr_rank4(&a);
}

static int
rank6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return addr_rank6(&a);
}

static void
t_addr(void)
{
	char v4[64], v6[64];

	is_int(rank4("203.0.113.7"), 3, "v4: global");
	is_int(rank4("10.1.2.3"), 2, "v4: 10/8");
	is_int(rank4("172.16.0.1"), 2, "v4: 172.16/12 low");
	is_int(rank4("172.31.255.1"), 2, "v4: 172.16/12 high");
	is_int(rank4("172.32.0.1"), 3, "v4: 172.32 is global");
	is_int(rank4("192.168.1.1"), 2, "v4: 192.168/16");
	is_int(rank4("100.64.0.1"), 2, "v4: CGNAT low");
	is_int(rank4("100.127.255.1"), 2, "v4: CGNAT high");
	is_int(rank4("100.128.0.1"), 3, "v4: past CGNAT");
	is_int(rank4("169.254.1.1"), 1, "v4: link-local");
	is_int(rank4("127.0.0.1"), 0, "v4: loopback");
	is_int(rank4("0.0.0.0"), 0, "v4: unspecified");
	is_int(rank6("2001:db8::1"), 3, "v6: global");
	is_int(rank6("fd00::1"), 2, "v6: ULA");
	is_int(rank6("fe80::1"), 1, "v6: link-local");
	is_int(rank6("::1"), 0, "v6: loopback");
	is_int(rank6("::"), 0, "v6: unspecified");
	is_int(rank6("::ffff:1.2.3.4"), 0, "v6: v4-mapped");

	host_addresses(v4, sizeof(v4), v6, sizeof(v6));
	ok(strcmp(v4, "127.0.0.1") != 0 && strcmp(v6, "::1") != 0,
	    "host addresses: no loopback (%s, %s)", v4, v6);
}

int
main(void)
{
	t_window();
	t_cross();
	t_state();
	t_report_due();
	t_corever();
	t_corever_run();
	t_addr();
	return tap_done();
}
