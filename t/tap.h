/*
 * A small TAP producer for the C unit tests (the shape of git's test-lib.h
 * and h2o's picotest).  Each check prints "ok N - description" or
 * "not ok N - description" with both values and the place on failure.
 */
#ifndef V2S_TAP_H
#define V2S_TAP_H

/* Records one result; prints the file and line when COND is false. */
int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((__format__(printf, 4, 5)));
/* Like tap_ok() for integers: passes when GOT == WANT, else prints both. */
int tap_is_int(long long got, long long want, const char *file, int line,
    const char *fmt, ...) __attribute__((__format__(printf, 5, 6)));
/* Like tap_ok() for strings: NULL equals only NULL. */
int tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...) __attribute__((__format__(printf, 5, 6)));
/* Prints "# ..." (a diagnostic, not a result). */
void tap_diag(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
/* Prints the plan "1..N" and returns the exit status: 0 if all passed. */
int tap_done(void);

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

#endif
