/*
 * The access-log parser's regex mode (core.access_log_regex, see
 * accesslog.h): PCRE2 in UTF-8 mode, JIT-compiled when the library can,
 * the original's 2- and 3-group conventions.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "accesslog.h"
#include "xmalloc.h"

/* The check compiles as the parser does, so a pattern it accepts works. */
#define REGEX_COMPILE_OPTIONS PCRE2_UTF

struct accesslog_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	int groups;
};

int
accesslog_regex_check(const char *pattern, char *why, size_t whysz)
{
	pcre2_code *re;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];
	uint32_t ncap;
	int errcode;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    REGEX_COMPILE_OPTIONS, &errcode, &erroff, NULL);
	if (re == NULL) {
		if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", errcode);
		snprintf(why, whysz, "does not compile: %s at offset %zu",
		    (const char *)msg, (size_t)erroff);
		return -1;
	}
	if (pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ncap) != 0)
		ncap = 0;
	pcre2_code_free(re);
	if (ncap != 2 && ncap != 3) {
		snprintf(why, whysz,
		    "has %u capture groups, want 2 (user, ip) or 3 (ip, host, "
		    "user)",
		    (unsigned)ncap);
		return -1;
	}
	return 0;
}

struct accesslog_regex *
accesslog_regex_compile(const char *pattern, char *err, size_t errsz)
{
	struct accesslog_regex *re = NULL;
	pcre2_code *code = NULL;
	pcre2_match_data *md;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE erroff;
	uint32_t ncap;
	int errcode;

	if (errsz > 0)
		err[0] = '\0';
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    REGEX_COMPILE_OPTIONS, &errcode, &erroff, NULL);
	if (code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		if (errsz > 0)
			snprintf(err, errsz, "at offset %zu: %s",
			    (size_t)erroff, (const char *)msg);
		goto fail;
	}
	if (pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap) != 0 ||
	    (ncap != 2 && ncap != 3)) {
		if (errsz > 0)
			snprintf(err, errsz,
			    "%u capture groups; need 3 (ip, host, user) or 2 "
			    "(user, ip)",
			    (unsigned int)ncap);
		goto fail;
	}
	/* Without JIT support pcre2_match() interprets; that is fine. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	if (md == NULL) {
		if (errsz > 0)
			snprintf(err, errsz, "out of memory");
		goto fail;
	}
	re = xcalloc(1, sizeof(*re));
	re->code = code;
	re->md = md;
	re->groups = (int)ncap;
	return re;
fail:
	pcre2_code_free(code);
	return NULL;
}

int
accesslog_regex_groups(const struct accesslog_regex *re)
{
	return re->groups;
}

/* Capture N of the last match, white space trimmed; len 0 if unset. */
static struct accesslog_slice
capture(struct accesslog_regex *re, const char *line, int n)
{
	struct accesslog_slice s = { NULL, 0 };
	PCRE2_SIZE *ov;
	size_t a, b;

	ov = pcre2_get_ovector_pointer(re->md);
	a = ov[2 * n];
	b = ov[2 * n + 1];
	if (a == PCRE2_UNSET || b == PCRE2_UNSET || b < a)
		return s;
	while (a < b &&
	    (line[a] == ' ' || line[a] == '\t' || line[a] == '\r' ||
		line[a] == '\n' || line[a] == '\v' || line[a] == '\f'))
		a++;
	while (b > a &&
	    (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r' ||
		line[b - 1] == '\n' || line[b - 1] == '\v' ||
		line[b - 1] == '\f'))
		b--;
	if (b > a) {
		s.p = line + a;
		s.len = b - a;
	}
	return s;
}

enum accesslog_result
accesslog_regex_match(struct accesslog_regex *re, const char *line, size_t len,
    struct accesslog_rec *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (len > ACCESSLOG_MAX_LINE)
		return ACCESSLOG_TOO_LONG;
	if ((rc = accesslog_check_bytes(line, len)) != 0)
		return (enum accesslog_result)rc;
	/* Validated above, so PCRE2 need not check again. */
	rc = pcre2_match(re->code, (PCRE2_SPTR)(len > 0 ? line : ""), len, 0,
	    PCRE2_NO_UTF_CHECK, re->md, NULL);
	if (rc < 0)
		return ACCESSLOG_MALFORMED;
	if (re->groups == 3) {
		r->src_ip = capture(re, line, 1);
		r->dst_host = capture(re, line, 2);
		r->email = capture(re, line, 3);
	} else {
		r->email = capture(re, line, 1);
		r->src_ip = capture(re, line, 2);
	}
	if (r->email.len == 0)
		return ACCESSLOG_NO_USER;
	return ACCESSLOG_OK;
}

void
accesslog_regex_free(struct accesslog_regex *re)
{
	if (re == NULL)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}
