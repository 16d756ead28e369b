/*
 * What the kernel tells of the machine through /proc: memory, uptime,
 * load, the number of sockets, and which programs run.  The "Server
 * State" block of /api/v1/stats and the worker's system watch and daily
 * report read them.  The parsers take the file's text and trust none of
 * it: a field missing, not a number or out of range makes the value
 * unknown, never a wrong one.
 */
#ifndef V2S_PROCINFO_H
#define V2S_PROCINFO_H

#include <stddef.h>

/* Room for the small files read whole (/proc/meminfo is about 1.5 KiB;
 * the fields wanted are at its top). */
#define PROCINFO_SMALL 8192

/*
 * Reads at most OUTSZ - 1 bytes of PATH into OUT, NUL-terminated.
 * Returns 0, or -1 if PATH cannot be read.
 */
int procinfo_read(const char *path, char *out, size_t outsz);

/* MemTotal and MemAvailable of /proc/meminfo, in KiB. */
struct meminfo {
	long long total_kb, avail_kb;
};

/*
 * Parses the text of /proc/meminfo.  Returns 0, or -1 when MemTotal or
 * MemAvailable is missing, not a decimal number of kB, above 2^53 or
 * MemTotal is 0.  An available amount above the total counts as the
 * total (nothing used).
 */
int procinfo_meminfo(const char *text, struct meminfo *mi);

/* The memory in use, MemTotal - MemAvailable, in percent of MemTotal. */
double procinfo_mem_used_pct(const struct meminfo *mi);

/*
 * Formats the text of /proc/uptime as the original: "D days HH hours".
 * Returns 0, or -1 (OUT "unknown") if it does not start with a number of
 * seconds below 10^12.
 */
int procinfo_uptime(const char *text, char *out, size_t outsz);

/*
 * Formats the text of /proc/loadavg as "0.10, 0.20, 0.30".  Returns 0, or
 * -1 (OUT "unknown") without three numbers in 0..10^9.
 */
int procinfo_loadavg(const char *text, char *out, size_t outsz);

/*
 * Counts the entries of /proc/net/tcp, tcp6, udp or udp6, fed in pieces
 * of any size: the lines that begin (after blanks) with a decimal slot
 * number and ':' (the header line does not).  Zero the struct to start.
 */
struct sockcount {
	long long n; /* entries so far */
	int st; /* where in the line: 0 start, 1 digits, 2 counted/skip */
};
void sockcount_feed(struct sockcount *sc, const char *p, size_t len);

/*
 * The entries of the files PATHS (N of them) together; a file that cannot
 * be read counts 0.  Returns the number, or -1 if none could be read.
 */
long long procinfo_sockets(const char *const *paths, size_t n);

/*
 * Looks through PROC (normally "/proc") once for each of the N names:
 * RUNNING[i] = 1 if some PROC/PID/comm is exactly NAMES[i] (the kernel
 * keeps 15 bytes of a program's name, so a longer name is never found)
 * and that process has not exited (a zombie: state Z or X in its stat).
 * Returns 0, or -1 (RUNNING all 0) if PROC cannot be read.
 */
int procinfo_running(
    const char *proc, char *const *names, size_t n, int *running);

#endif
