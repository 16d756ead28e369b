/*
 * The system watch and the daily report (features.telegram), as the
 * original v2ray-stat had them: a message when a service starts or stops,
 * when the average memory or disk use goes above its threshold or back,
 * and a summary of the machine once a day.  Messages go to the outbox
 * (lib/outbox.h) in the transaction that records why they were sent
 * (worker_state sysmon_state, report_last), so that a restart of the
 * worker neither repeats nor loses one.
 *
 * The decisions are pure functions, tested without a machine to watch.
 */
#ifndef V2S_SYSMON_H
#define V2S_SYSMON_H

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "wstate.h"

struct worker;

/* Services watched at most (a longer list is cut, with a warning): their
 * message must stay below Telegram's 4096 characters. */
#define SYSMON_MAX_SERVICES 100

/* ---------------------------------------------------- sysmon_window.c */

/* The last CAP samples of a percentage, oldest overwritten first. */
struct usage_window {
	double *v; /* owned, CAP entries */
	size_t cap, n, next;
};

/* Samples kept for AVERAGE_INTERVAL seconds of ticks of TICKER seconds:
 * ceil(AVERAGE_INTERVAL / TICKER), at least 1 (a bad TICKER counts 10). */
size_t usage_window_size(int average_interval, int ticker);
/* An empty window of CAP (>= 1) samples. */
void usage_window_init(struct usage_window *uw, size_t cap);
/* Frees the samples; accepts a zeroed struct. */
void usage_window_free(struct usage_window *uw);
/* Adds a sample, dropping the oldest of a full window. */
void usage_window_push(struct usage_window *uw, double v);
/* 1 with the mean of the samples in *AVG once the window is full, else 0. */
int usage_window_average(const struct usage_window *uw, double *avg);

enum usage_cross {
	UC_NONE, /* nothing to say */
	UC_ABOVE, /* the average went above the threshold: alert */
	UC_BELOW, /* it is back at or below it: all clear */
};

/*
 * What an average AVG says, with the alert RAISED (1) or not and a
 * THRESHOLD in percent: above it while not raised, UC_ABOVE; at or below
 * it while raised, UC_BELOW; else UC_NONE.  A THRESHOLD of 0 or less
 * turns the watch off (always UC_NONE).
 */
enum usage_cross usage_cross(int raised, int threshold, double avg);

/* ----------------------------------------------------- sysmon_state.c */

/* What the watch keeps across restarts (worker_state sysmon_state). */
struct sysmon_state {
	int mem_raised, disk_raised; /* an alert is standing */
	int have_services; /* the rest is known: */
	uint64_t list; /* sysmon_list_fp() of the services watched */
	size_t n; /* how many */
	unsigned char up[SYSMON_MAX_SERVICES]; /* 1 running, 0 not */
};

/* A fingerprint of the N service NAMES, in order (FNV-1a 64). */
uint64_t sysmon_list_fp(char *const *names, size_t n);

/*
 * ST as text: "sysmon1 mem=M disk=D", then " list=HEX16 up=BITS" when the
 * services are known (BITS one '0' or '1' per service).  OUT holds at
 * least 64 + SYSMON_MAX_SERVICES bytes.
 */
void sysmon_state_format(
    const struct sysmon_state *st, char *out, size_t outsz);

/*
 * Parses TEXT as written by sysmon_state_format().  Returns 0, or -1
 * (ST zeroed: nothing known) for anything else.
 */
int sysmon_state_parse(const char *text, struct sysmon_state *st);

/*
 * Compares the services RUNNING now (N of them, the list of fingerprint
 * LIST) with ST: -1 if ST does not know them (another list, or none
 * saved: the check only records), 0 if none changed, 1 if some did.
 */
int sysmon_services_changed(
    const struct sysmon_state *st, uint64_t list, const int *running, size_t n);

/* ----------------------------------------------------------- sysmon.c */

/* The watch's and the report's state in the worker (W->sysmon). */
struct sysmon {
	int watch_svc, watch_mem, watch_disk; /* what is wanted */
	size_t nsvc; /* services watched: the first nsvc of cfg */
	uint64_t list; /* their sysmon_list_fp() */
	int *running; /* nsvc entries: the last scan */
	struct usage_window mem, disk;
	int loaded; /* saved was read from the database */
	struct sysmon_state saved; /* as committed */
	char saved_text[WSTATE_TEXT_MAX]; /* as in the database, "" absent */
	/* report.c */
	char report_last[16]; /* "YYYY-MM-DD" of the last report, "" */
	int report_loaded; /* report_last was read */
	char core_version[48]; /* corever_get(), cached for an hour */
	int64_t core_version_at; /* when (monotonic ms), 0 never */
};

/*
 * Starts the watch of W's configuration (what the last run saved is read
 * at the first tick).  Call once, after the database is open.
 */
void sysmon_init(struct worker *w);
/* Frees what sysmon_init() and report_tick() allocated. */
void sysmon_free(struct worker *w);

/*
 * One sample per tick: the services (one scan of /proc), the memory
 * (/proc/meminfo) and the disk (statfs of "/"), each only when its
 * messages are wanted (outbox_wants(), a threshold above 0).  Messages
 * and the new state are committed together; on a busy database nothing
 * is, and the next tick tries again.
 */
void sysmon_tick(struct worker *w);

/* ----------------------------------------------------------- report.c */

/* 1 if S is a date "YYYY-MM-DD" (digits and dashes there), else 0. */
int report_date_valid(const char *s);

/*
 * Whether the daily report is due at minute MINUTE (0..1439) of the local
 * date TODAY ("YYYY-MM-DD"), the last report having been sent on LAST
 * (NULL or not a date: never) and the report set for REPORT_MINUTE (-1:
 * never): once the minute has come, if the last report is of an earlier
 * day.  Returns 1 or 0.
 */
int report_due(
    const char *today, int minute, const char *last, int report_minute);

/*
 * Sends the daily report when it is due (telegram.report_time, local
 * time), with telegram.report wanted: gathers the values (running the
 * core's version command, at most about 2 s) and commits the message with
 * the date in worker_state report_last.
 */
void report_tick(struct worker *w);

/* ----------------------------------------------------- report_probe.c */

/*
 * The version in the first line of the core's version command OUT:
 * "Xray 1.8.4 (...)", "V2Ray 4.34.0 (...)", "sing-box version 1.8.0".
 * Returns 0 with it in VER (letters, digits and ".-+_", up to 40 bytes),
 * or -1.
 */
int corever_parse(
    enum core_type type, const char *out, char *ver, size_t versz);

/*
 * Runs the core's version command (the binary in CFG's core.dir, else in
 * PATH), waiting at most TIMEOUT_MS, and writes its version into VER, or
 * "unknown".
 */
void corever_get(
    const struct cfg *cfg, int timeout_ms, char *ver, size_t versz);

/* How good an address is to show: 3 global, 2 private (RFC 1918, CGNAT,
 * ULA), 1 link-local, 0 loopback or unspecified (never shown). */
int addr_rank4(const struct in_addr *a);
int addr_rank6(const struct in6_addr *a);

/*
 * The best IPv4 and IPv6 addresses of the machine's interfaces (the first
 * of the highest rank), as text, or "none".
 */
void host_addresses(char *v4, size_t v4sz, char *v6, size_t v6sz);

#endif
