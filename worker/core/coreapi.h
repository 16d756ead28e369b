/*
 * The client of the proxy core's gRPC API (gRPC core C API + protobuf-c):
 * StatsService (QueryStats, GetStats, GetSysStats) and HandlerService
 * (AlterInbound with AddUserOperation / RemoveUserOperation).
 *
 * One handle holds one long-lived channel (plaintext, no receive-size cap,
 * no HTTP proxy, reconnect backoff about 1 s) and one completion queue.
 * Every call is synchronous and bounded by the handle's deadline.  After
 * UNAVAILABLE or DEADLINE the channel is dropped and the next call builds a
 * fresh one, so a restarted core is reached on the very next call instead
 * of after gRPC's exponential backoff.
 *
 * Stats always use /v2ray.core.app.stats.command.StatsService/... (v2fly;
 * Xray serves that alias too; sing-box only has it).  HandlerService paths
 * and TypedMessage type names differ between v2fly ("v2ray.core.*") and
 * Xray ("xray.*"): the flavour is chosen from the core type, and switched
 * (and remembered) when the core answers UNIMPLEMENTED for the path or
 * "Unknown type" for our type names — in both cases nothing was applied.
 *
 * Process rules (the caller's job):
 * - coreapi_new() starts gRPC (grpc_init) and its threads.  Do every fork()
 *   (daemonizing, spawning children) BEFORE the first coreapi_new().
 * - gRPC threads inherit the signal mask: block SIGTERM, SIGINT, SIGHUP
 *   (and whatever else the main loop takes with signalfd/sigwait) before
 *   the first coreapi_new(), and ignore SIGPIPE; gRPC does neither.
 * - gRPC's own log lines go to lib/log.h (errors as warnings, the rest at
 *   debug level); set GRPC_VERBOSITY / GRPC_TRACE in the environment for
 *   more.
 * - A handle is not thread-safe: use it from one thread.
 *
 * Never send an account to an inbound whose protocol differs from the
 * account's (a trojan account to a VLESS inbound): v2fly and Xray panic and
 * the whole core dies.  coreapi cannot know an inbound's protocol; the
 * caller checks it (lib/corecfg.h).
 *
 * coreapi.c has the handle, the channel and the unary call, coreapi_stats.c
 * the StatsService calls, coreapi_handler.c the HandlerService ones;
 * coreapi_int.h is what they share.
 */
#ifndef V2S_COREAPI_H
#define V2S_COREAPI_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "corecfg.h"

/* The outcome of one call. */
enum coreapi_rc {
	COREAPI_OK,
	COREAPI_UNAVAILABLE, /* status 14: core down, refused, not HTTP/2 */
	COREAPI_DEADLINE, /* status 4, or no answer within the deadline */
	COREAPI_UNIMPLEMENTED, /* status 12: service/method not served */
	COREAPI_EXISTS, /* details say "already exists" (AddUser) */
	COREAPI_NOT_FOUND, /* details say "not found" (RemoveUser, GetStats),
				  but not "handler not found" */
	COREAPI_ERROR, /* anything else, including our local refusals */
};

/* coreapi_code() for errors found before or without a gRPC status. */
#define COREAPI_CODE_LOCAL (-1)

/* The longest details text kept, NUL included; longer text is cut. */
#define COREAPI_DETAILS_MAX 512

/* Called for each counter by coreapi_query(); returns 0 to go on. */
typedef int (*coreapi_stat_cb)(
    void *arg, const char *name, size_t namelen, int64_t value);

/* GetSysStats of the core (Go runtime numbers). */
struct coreapi_sys {
	uint32_t uptime; /* seconds since the core started */
	uint32_t num_goroutine;
	uint32_t num_gc;
	uint64_t alloc;
	uint64_t total_alloc;
	uint64_t sys;
	uint64_t mallocs;
	uint64_t frees;
	uint64_t live_objects;
	uint64_t pause_total_ns;
};

struct coreapi;

/*
 * Returns a new handle for the core's API at ADDRESS ("127.0.0.1:9953",
 * "ipv4:127.0.0.1:9953", "localhost:9953", "unix:/path") of core TYPE, with
 * DEADLINE_MS (clamped to 10..600000) for every call.  Calls grpc_init()
 * (see the process rules above) and routes gRPC logging to lib/log.h; does
 * not connect yet (the first call does).  Never returns NULL.  Free with
 * coreapi_free().
 */
struct coreapi *coreapi_new(
    const char *address, enum core_type type, int deadline_ms);

/*
 * Destroys the channel and the queue, frees API and calls grpc_shutdown().
 * Accepts NULL.
 */
void coreapi_free(struct coreapi *api);

/*
 * QueryStats(PATTERN, RESET): calls CB(ARG, name, namelen, value) once per
 * counter in the reply, in the core's (random) order.  NAME is
 * NUL-terminated and valid only during that callback.  PATTERN is a
 * substring ("" or NULL for every counter).  With RESET the values are
 * those from before the reset (exact deltas; but a second poller with
 * reset steals them).  The reply is walked in place (worker/core/statsdec.h), with
 * no allocation per counter; its bytes stay in a buffer the handle keeps
 * and reuses (about 50 bytes per counter) until coreapi_free().  A reply
 * that does not decode is COREAPI_ERROR after the counters before the bad
 * bytes were passed.  If CB returns non-zero the walk stops and
 * COREAPI_ERROR is returned (code COREAPI_CODE_LOCAL).
 * *COUNT (if not NULL) gets the number of counters passed to CB.
 */
enum coreapi_rc coreapi_query(struct coreapi *api, const char *pattern,
    int reset, coreapi_stat_cb cb, void *arg, size_t *count);

/*
 * GetStats(NAME, RESET): stores the counter's value in *VALUE (0 unless
 * COREAPI_OK).  A counter the core has not created yet (a user that never
 * connected since the core started) is COREAPI_NOT_FOUND.
 */
enum coreapi_rc coreapi_get(
    struct coreapi *api, const char *name, int reset, int64_t *value);

/* GetSysStats: fills *SYS (zeroed unless COREAPI_OK). */
enum coreapi_rc coreapi_sys(struct coreapi *api, struct coreapi_sys *sys);

/*
 * AlterInbound(TAG, AddUserOperation): adds the user EMAIL at LEVEL to the
 * inbound TAG with the account of PROTO:
 *   PROTO_VLESS   CREDENTIAL is the UUID, FLOW the flow (NULL = none);
 *   PROTO_VMESS   CREDENTIAL is the UUID (alterId 0), FLOW ignored;
 *   PROTO_TROJAN  CREDENTIAL is the password, FLOW ignored.
 * PROTO_OTHER, an empty TAG, EMAIL or CREDENTIAL are refused with
 * COREAPI_ERROR / COREAPI_CODE_LOCAL and nothing is sent (an empty email
 * could never be removed).  COREAPI_EXISTS if the inbound already has that
 * email (compared case-insensitively by the core).  An unknown tag is
 * COREAPI_ERROR with "handler not found" in the details.  The caller must
 * make sure TAG's protocol is PROTO (see the top of this file).
 */
enum coreapi_rc coreapi_add_user(struct coreapi *api, const char *tag,
    const char *email, enum proto proto, const char *credential,
    const char *flow, unsigned int level);

/*
 * AlterInbound(TAG, RemoveUserOperation): removes the user EMAIL from the
 * inbound TAG.  COREAPI_NOT_FOUND if it has no such user; an unknown tag is
 * COREAPI_ERROR ("handler not found").  Empty TAG or EMAIL: refused
 * locally as in coreapi_add_user().
 */
enum coreapi_rc coreapi_remove_user(
    struct coreapi *api, const char *tag, const char *email);

/*
 * The last call's gRPC status code (0 OK, 2 UNKNOWN, 4, 12, 14, ...), or
 * COREAPI_CODE_LOCAL; and its details text (server message or our own
 * reason; "" after success; at most COREAPI_DETAILS_MAX - 1 bytes, may hold
 * any bytes from the server: escape before logging).  Valid until the next
 * call on API.
 */
int coreapi_code(const struct coreapi *api);
const char *coreapi_details(const struct coreapi *api);

/*
 * The HandlerService flavour in use now: CORE_XRAY ("xray.*") or
 * CORE_V2FLY ("v2ray.core.*").  Starts as the configured type (sing-box
 * starts as v2fly) and follows detection.
 */
enum core_type coreapi_handler_flavour(const struct coreapi *api);

/* "OK", "UNAVAILABLE", "DEADLINE", "UNIMPLEMENTED", "EXISTS", "NOT_FOUND",
   "ERROR". */
const char *coreapi_rc_name(enum coreapi_rc rc);

#endif
