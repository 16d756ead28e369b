/*
 * Inside the core's API client: the handle and what coreapi.c (channel,
 * unary call) gives coreapi_stats.c (StatsService) and coreapi_handler.c
 * (HandlerService).  Not for use outside worker/core/coreapi*.c.
 */
#ifndef V2S_COREAPI_INT_H
#define V2S_COREAPI_INT_H

#include <stddef.h>
#include <stdint.h>

#include <grpc/grpc.h>
#include <protobuf-c/protobuf-c.h>

#include "coreapi.h"

/* Indexes into coreapi_handler.c's flavours[]. */
#define FLAVOUR_V2FLY 0
#define FLAVOUR_XRAY 1

struct coreapi {
	char *target;
	int deadline_ms;
	int flavour; /* index into flavours[] */
	grpc_channel *chan; /* NULL: the next call creates one */
	grpc_completion_queue *cq;
	int code;
	char details[COREAPI_DETAILS_MAX];
	uint8_t *rbuf; /* the last reply's bytes, kept for reuse */
	size_t rcap;
	char *namebuf; /* a counter name with its NUL, for the callback */
	size_t namecap;
};

/*
 * Sets API's status to COREAPI_CODE_LOCAL with WHY as the details (a
 * refusal of ours, or a reply we cannot use); returns COREAPI_ERROR.
 */
enum coreapi_rc coreapi_local_error(struct coreapi *api, const char *why);

/*
 * Is DETAILS the core's answer to a TypedMessage type name it does not
 * know?  v2fly: "... > Serial: Unknown type: xray.proxy.vless.Account";
 * Xray (protoregistry): "unknown operation > proto: not found".
 */
int coreapi_names_unknown(const char *details);

/*
 * One unary call of METHOD with the packed request REQ.  On COREAPI_OK the
 * reply's bytes are API->rbuf[0 .. *REPLYLEN).  The status code and details
 * are left in API.
 */
enum coreapi_rc coreapi_unary(struct coreapi *api, const char *method,
    const uint8_t *req, size_t reqlen, size_t *replylen);

/* Packs MSG into a fresh buffer (*OUT, caller frees) and returns its size. */
size_t coreapi_pack(const ProtobufCMessage *msg, uint8_t **out);

#endif
