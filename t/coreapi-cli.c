/*
 * coreapi-cli: drives worker/core/coreapi.c from the shell, for the integration
 * tests and for debugging against a live core.
 *
 *   coreapi-cli [-q] [-r] [-t DEADLINE_MS] ADDRESS TYPE COMMAND [ARG...]
 *
 * TYPE is xray, v2fly or singbox.  Commands:
 *   query [PATTERN]                  every counter "NAME VALUE", then
 *                                    "count N parsed M" (-q: only that)
 *   get NAME                         "value N"
 *   sys                              "uptime N", "goroutines N", ...
 *   add TAG EMAIL PROTO CRED [FLOW]  PROTO: vless, vmess, trojan, other
 *   remove TAG EMAIL
 *   loop N                           N QueryStats calls on one channel:
 *                                    "loop calls N ok M failed K counters C
 *                                    ms T"
 *   watch N MS                       N GetSysStats calls MS apart, one line
 *                                    each: "T_MS RC uptime U"
 * -r sets reset for query and get.  The last line is always
 * "result RC code N details TEXT" (of the last call).  Exit status: 0 OK,
 * 2 UNAVAILABLE, 3 DEADLINE, 4 UNIMPLEMENTED, 5 EXISTS, 6 NOT_FOUND,
 * 7 ERROR, 64 usage.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "coreapi.h"
#include "counter.h"
#include "log.h"

#define EX_USAGE_ 64

struct qstate {
	int quiet;
	size_t parsed;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: coreapi-cli [-q] [-r] [-t DEADLINE_MS] ADDRESS TYPE "
	    "COMMAND [ARG...]\n"
	    "  commands: query [PATTERN] | get NAME | sys | "
	    "add TAG EMAIL PROTO CRED [FLOW] |\n"
	    "            remove TAG EMAIL | loop N | watch N MS\n");
	exit(EX_USAGE_);
}

static long long
number(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, "coreapi-cli: bad number '%s' (%lld..%lld)\n",
		    s, min, max);
		exit(EX_USAGE_);
	}
	return v;
}

static int
print_stat(void *arg, const char *name, size_t namelen, int64_t value)
{
	struct qstate *q = arg;
	struct counter c;

	if (counter_parse(name, namelen, &c) == 0)
		q->parsed++;
	if (!q->quiet)
		printf("%s %" PRId64 "\n", name, value);
	return 0;
}

static int
count_stat(void *arg, const char *name, size_t namelen, int64_t value)
{
	size_t *n = arg;

	(void)name;
	(void)namelen;
	(void)value;
	(*n)++;
	return 0;
}

static enum proto
parse_proto(const char *s)
{
	if (strcmp(s, "vless") == 0)
		return PROTO_VLESS;
	if (strcmp(s, "vmess") == 0)
		return PROTO_VMESS;
	if (strcmp(s, "trojan") == 0)
		return PROTO_TROJAN;
	if (strcmp(s, "other") == 0)
		return PROTO_OTHER;
	fprintf(stderr, "coreapi-cli: unknown protocol '%s'\n", s);
	exit(EX_USAGE_);
}

static enum core_type
parse_type(const char *s)
{
	if (strcmp(s, "xray") == 0)
		return CORE_XRAY;
	if (strcmp(s, "v2fly") == 0 || strcmp(s, "v2ray") == 0)
		return CORE_V2FLY;
	if (strcmp(s, "singbox") == 0 || strcmp(s, "sing-box") == 0)
		return CORE_SINGBOX;
	fprintf(stderr, "coreapi-cli: unknown core type '%s'\n", s);
	exit(EX_USAGE_);
}

static int
exit_status(enum coreapi_rc rc)
{
	switch (rc) {
	case COREAPI_OK:
		return 0;
	case COREAPI_UNAVAILABLE:
		return 2;
	case COREAPI_DEADLINE:
		return 3;
	case COREAPI_UNIMPLEMENTED:
		return 4;
	case COREAPI_EXISTS:
		return 5;
	case COREAPI_NOT_FOUND:
		return 6;
	case COREAPI_ERROR:
		break;
	}
	return 7;
}

int
main(int argc, char *argv[])
{
	struct coreapi *api;
	struct coreapi_sys sys;
	struct qstate q;
	enum coreapi_rc rc = COREAPI_ERROR;
	const char *cmd, *details;
	char esc[2 * COREAPI_DETAILS_MAX];
	int ch, reset = 0, quiet = 0, deadline = 3000;
	long long i, n, ms, t0;
	size_t count, ok_calls, failed;
	int64_t value;

	log_init("coreapi-cli", LOG_LVL_WARN, 0, 0);
	while ((ch = getopt(argc, argv, "qrt:")) != -1) {
		switch (ch) {
		case 'q':
			quiet = 1;
			break;
		case 'r':
			reset = 1;
			break;
		case 't':
			deadline = (int)number(optarg, 10, 600000);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	cmd = argv[2];

	api = coreapi_new(argv[0], parse_type(argv[1]), deadline);
	if (strcmp(cmd, "query") == 0 && argc <= 4) {
		q.quiet = quiet;
		q.parsed = 0;
		rc = coreapi_query(api, argc == 4 ? argv[3] : "", reset,
		    print_stat, &q, &count);
		if (rc == COREAPI_OK)
			printf("count %zu parsed %zu\n", count, q.parsed);
	} else if (strcmp(cmd, "get") == 0 && argc == 4) {
		rc = coreapi_get(api, argv[3], reset, &value);
		if (rc == COREAPI_OK)
			printf("value %" PRId64 "\n", value);
	} else if (strcmp(cmd, "sys") == 0 && argc == 3) {
		rc = coreapi_sys(api, &sys);
		if (rc == COREAPI_OK)
			printf("uptime %" PRIu32 "\ngoroutines %" PRIu32
			       "\nnumgc %" PRIu32 "\nalloc %" PRIu64
			       "\nsys %" PRIu64 "\n",
			    sys.uptime, sys.num_goroutine, sys.num_gc,
			    sys.alloc, sys.sys);
	} else if (strcmp(cmd, "add") == 0 && (argc == 7 || argc == 8)) {
		rc = coreapi_add_user(api, argv[3], argv[4],
		    parse_proto(argv[5]), argv[6], argc == 8 ? argv[7] : NULL,
		    0);
		printf("flavour %s\n",
		    coreapi_handler_flavour(api) == CORE_XRAY ? "xray"
							      : "v2fly");
	} else if (strcmp(cmd, "remove") == 0 && argc == 5) {
		rc = coreapi_remove_user(api, argv[3], argv[4]);
		printf("flavour %s\n",
		    coreapi_handler_flavour(api) == CORE_XRAY ? "xray"
							      : "v2fly");
	} else if (strcmp(cmd, "loop") == 0 && argc == 4) {
		n = number(argv[3], 1, 100000000);
		ok_calls = failed = count = 0;
		t0 = (long long)wall_ms();
		for (i = 0; i < n; i++) {
			count = 0;
			rc =
			    coreapi_query(api, "", 0, count_stat, &count, NULL);
			if (rc == COREAPI_OK)
				ok_calls++;
			else if (failed++ == 0)
				fprintf(stderr, "call %lld: %s\n", i,
				    coreapi_rc_name(rc));
		}
		printf(
		    "loop calls %lld ok %zu failed %zu counters %zu ms %lld\n",
		    n, ok_calls, failed, count, (long long)wall_ms() - t0);
		if (failed > 0 && rc == COREAPI_OK)
			rc = COREAPI_ERROR;
	} else if (strcmp(cmd, "watch") == 0 && argc == 5) {
		n = number(argv[3], 1, 1000000);
		ms = number(argv[4], 0, 60000);
		for (i = 0; i < n; i++) {
			rc = coreapi_sys(api, &sys);
			printf("%lld %s uptime %" PRIu32 "\n",
			    (long long)wall_ms(), coreapi_rc_name(rc),
			    sys.uptime);
			fflush(stdout);
			if (i + 1 < n)
				usleep((useconds_t)ms * 1000);
		}
	} else {
		coreapi_free(api);
		usage();
	}

	details = coreapi_details(api);
	printf("result %s code %d details %s\n", coreapi_rc_name(rc),
	    coreapi_code(api),
	    log_escape(details, strlen(details), esc, sizeof(esc)));
	coreapi_free(api);
	return exit_status(rc);
}
