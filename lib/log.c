#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *log_name = "v2ray-stat";
static enum log_level log_level = LOG_LVL_INFO;
static int log_exclusive;
static int log_syslog;

static const char *const level_names[LOG_LVL__MAX] = { "TRACE", "DEBUG", "INFO",
	"WARN", "ERROR", "FATAL", "NONE" };

void
log_init(
    const char *progname, enum log_level level, int exclusive, int use_syslog)
{
	log_name = progname;
	log_level = level;
	log_exclusive = exclusive;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level, int exclusive)
{
	log_level = level;
	log_exclusive = exclusive;
}

int
log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "trace", LOG_LVL_TRACE },
		{ "debug", LOG_LVL_DEBUG },
		{ "info", LOG_LVL_INFO },
		{ "warn", LOG_LVL_WARN },
		{ "warning", LOG_LVL_WARN },
		{ "error", LOG_LVL_ERROR },
		{ "fatal", LOG_LVL_FATAL },
		{ "panic", LOG_LVL_FATAL },
		{ "none", LOG_LVL_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].level;
	return -1;
}

static int
log_wanted(enum log_level level)
{
	if (level == LOG_LVL_FATAL)
		return 1;
	if (log_level == LOG_LVL_NONE)
		return 0;
	if (log_exclusive)
		return level == log_level;
	return level >= log_level;
}

/*
 * Writes byte C into OUT (room for 4) as the log shows it and returns how
 * many bytes that took.  Always escaped: control bytes (\n, \t, \xNN;
 * \r too unless ALL).  With ALL (log_escape()) also quotes, backslashes
 * and bytes >= 0x7f, and CR as \x0d.
 */
static size_t
escape_byte(unsigned char c, int all, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (all && (c == '\\' || c == '"')) {
		out[n++] = '\\';
		out[n++] = (char)c;
	} else if (c == '\n' || c == '\t' || (!all && c == '\r')) {
		out[n++] = '\\';
		out[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
	} else if (c < 0x20 || c == 0x7f || (all && c > 0x7f)) {
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 0xf];
	} else
		out[n++] = (char)c;
	return n;
}

/*
 * Copies the formatted message S into OUT with every control byte (below
 * 0x20, and 0x7f) written as a visible escape: "\n", "\r", "\t" or \xNN.
 * Whatever a caller passes in (a request path with %0A decoded, a user
 * name, a core's error text), one call writes exactly one line.  Other
 * bytes, backslashes and UTF-8 included, are kept: callers that must show
 * raw bytes unambiguously use log_escape() as before.  Cut with "..." when
 * OUT is full.
 */
static void
log_neutralise(const char *s, char *out, size_t outsz)
{
	size_t o = 0, tn;
	unsigned char c;
	char tmp[4];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		tn = escape_byte(c, 0, tmp);
		if (o + tn + 4 > outsz) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, tmp, tn);
		o += tn;
	}
	out[o] = '\0';
}

static void log_vwrite(enum log_level, const char *, const char *, va_list)
    __attribute__((__format__(printf, 3, 0)));

static void
log_vwrite(
    enum log_level level, const char *errstr, const char *fmt, va_list ap)
{
	static const int prio[LOG_LVL__MAX] = { LOG_DEBUG, LOG_DEBUG, LOG_INFO,
		LOG_WARNING, LOG_ERR, LOG_CRIT, LOG_DEBUG };
	char raw[2048], msg[2048 + 64], stamp[32];
	struct tm tm;
	time_t now;

	if (!log_wanted(level))
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_neutralise(raw, msg, sizeof(msg));
	if (log_syslog) {
		if (errstr != NULL)
			syslog(prio[level], "%s: %s", msg, errstr);
		else
			syslog(prio[level], "%s", msg);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y/%m/%d %H:%M:%S", &tm);
	if (errstr != NULL)
		fprintf(stderr, "%s %s [%s] %s: %s\n", stamp, log_name,
		    level_names[level], msg, errstr);
	else
		fprintf(stderr, "%s %s [%s] %s\n", stamp, log_name,
		    level_names[level], msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_WARN, e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_WARN, NULL, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_FATAL, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_FATAL, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

const char *
log_escape(const char *s, size_t n, char *buf, size_t bufsz)
{
	size_t i, o = 0;
	unsigned char c;
	char tmp[5];
	size_t tn;

	if (bufsz == 0)
		return buf;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		tn = escape_byte(c, 1, tmp);
		if (o + tn + 4 > bufsz) {
			if (bufsz >= 4) {
				o = o < bufsz - 4 ? o : bufsz - 4;
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(buf + o, tmp, tn);
		o += tn;
	}
	buf[o < bufsz ? o : bufsz - 1] = '\0';
	return buf;
}
