/*
 * Logging for both programs: one line per message, to stderr or syslog.
 * Every message is written as exactly one line whatever it holds: control
 * bytes (newline, CR, ESC, ...) in the formatted text are written as
 * visible escapes by the logger itself, so no caller can let outside bytes
 * forge a line.  log_escape() is still the way to show outside bytes
 * unambiguously (quotes, backslashes, non-ASCII).
 */
#ifndef V2S_LOG_H
#define V2S_LOG_H

#include <stddef.h>

/* Levels, most verbose first (the original's names: trace..panic, none). */
enum log_level {
	LOG_LVL_TRACE,
	LOG_LVL_DEBUG,
	LOG_LVL_INFO,
	LOG_LVL_WARN,
	LOG_LVL_ERROR,
	LOG_LVL_FATAL,
	LOG_LVL_NONE,
	LOG_LVL__MAX
};

/*
 * Starts logging as PROGNAME at LEVEL.  With EXCLUSIVE only messages of
 * exactly LEVEL are written (the original's "logmode: exclusive"); fatal
 * messages are always written.  With USE_SYSLOG lines go to syslog(3)
 * (LOG_DAEMON), otherwise to stderr with a UTC time stamp.
 */
void log_init(
    const char *progname, enum log_level level, int exclusive, int use_syslog);

/* Changes the level after log_init(). */
void log_set_level(enum log_level level, int exclusive);

/* Maps "trace".."panic", "warning", "none" to a level; -1 if unknown. */
int log_level_parse(const char *name);

/* log_warn() appends ": strerror(errno)"; the others log the text as is. */
void log_warn(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));

/* Logs at fatal level (with strerror for fatal()) and exits 1. */
void fatal(const char *fmt, ...)
    __attribute__((__format__(printf, 1, 2), __noreturn__));
void fatalx(const char *fmt, ...)
    __attribute__((__format__(printf, 1, 2), __noreturn__));

/*
 * Writes S (N bytes, may hold any byte) into BUF as printable ASCII:
 * backslash escapes for control characters, quotes and backslashes, \xNN
 * for bytes >= 0x7f.  Cut with "..." if BUF is too small.  Returns BUF.
 */
const char *log_escape(const char *s, size_t n, char *buf, size_t bufsz);

#endif
