/*
 * The core's gRPC API over the gRPC core C API (see coreapi.h): the handle,
 * its channel and the generic unary call that coreapi_stats.c
 * (StatsService) and coreapi_handler.c (HandlerService) make.  Requests
 * and replies are packed and unpacked with the protobuf-c code generated
 * from proto/vapi.proto; each unary call is one batch of six operations
 * plucked from the handle's completion queue.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/status.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>

#include "coreapi.h"
#include "coreapi_int.h"
#include "log.h"
#include "xmalloc.h"

/* gRPC's log lines into ours. */
static void
grpc_log_to_ours(gpr_log_func_args *args)
{
	char esc[1024];
	const char *msg = args->message != NULL ? args->message : "";

	log_escape(msg, strlen(msg), esc, sizeof(esc));
	if (args->severity == GPR_LOG_SEVERITY_ERROR)
		log_warnx("grpc: %s", esc);
	else
		log_debug("grpc: %s", esc);
}

static void
set_status(struct coreapi *api, int code, const char *text, size_t len)
{
	if (len >= sizeof(api->details))
		len = sizeof(api->details) - 1;
	api->code = code;
	memcpy(api->details, text, len);
	api->details[len] = '\0';
}

enum coreapi_rc
coreapi_local_error(struct coreapi *api, const char *why)
{
	set_status(api, COREAPI_CODE_LOCAL, why, strlen(why));
	return COREAPI_ERROR;
}

/* Does S, without trailing dots and white space, end with SUFFIX? */
static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), sn = strlen(suffix);

	while (n > 0 &&
	    (s[n - 1] == '.' || s[n - 1] == ' ' || s[n - 1] == '\n' ||
		s[n - 1] == '\r'))
		n--;
	return n >= sn && memcmp(s + n - sn, suffix, sn) == 0;
}

int
coreapi_names_unknown(const char *details)
{
	return strstr(details, "nknown type") != NULL ||
	    strstr(details, "proto: not found") != NULL;
}

static enum coreapi_rc
classify(int code, const char *details)
{
	switch (code) {
	case GRPC_STATUS_OK:
		return COREAPI_OK;
	case GRPC_STATUS_UNAVAILABLE:
		return COREAPI_UNAVAILABLE;
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		return COREAPI_DEADLINE;
	case GRPC_STATUS_UNIMPLEMENTED:
		return COREAPI_UNIMPLEMENTED;
	case GRPC_STATUS_ALREADY_EXISTS:
		return COREAPI_EXISTS;
	case GRPC_STATUS_NOT_FOUND:
		return COREAPI_NOT_FOUND;
	default:
		break;
	}
	/* Go handlers answer every application error with 2 UNKNOWN */
	if (strstr(details, "handler not found") != NULL ||
	    coreapi_names_unknown(details))
		return COREAPI_ERROR;
	if (ends_with(details, "already exists"))
		return COREAPI_EXISTS;
	if (ends_with(details, "not found"))
		return COREAPI_NOT_FOUND;
	return COREAPI_ERROR;
}

static void
drop_channel(struct coreapi *api)
{
	if (api->chan != NULL) {
		grpc_channel_destroy(api->chan);
		api->chan = NULL;
	}
}

static void
make_channel(struct coreapi *api)
{
	grpc_channel_credentials *creds;
	grpc_arg args[5];
	grpc_channel_args chargs;

	args[0].type = GRPC_ARG_INTEGER;
	args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	args[0].value.integer = -1;
	args[1].type = GRPC_ARG_INTEGER;
	args[1].key = (char *)GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS;
	args[1].value.integer = 1000;
	args[2].type = GRPC_ARG_INTEGER;
	args[2].key = (char *)GRPC_ARG_MIN_RECONNECT_BACKOFF_MS;
	args[2].value.integer = 1000;
	args[3].type = GRPC_ARG_INTEGER;
	args[3].key = (char *)GRPC_ARG_MAX_RECONNECT_BACKOFF_MS;
	args[3].value.integer = 1000;
	/* the core is local: never go through an http_proxy from the env */
	args[4].type = GRPC_ARG_INTEGER;
	args[4].key = (char *)GRPC_ARG_ENABLE_HTTP_PROXY;
	args[4].value.integer = 0;
	chargs.num_args = sizeof(args) / sizeof(args[0]);
	chargs.args = args;

	creds = grpc_insecure_credentials_create();
	api->chan = grpc_channel_create(api->target, creds, &chargs);
	grpc_channel_credentials_release(creds);
}

/* Copies the reply BB into API->rbuf; returns its length. */
static size_t
copy_reply(struct coreapi *api, grpc_byte_buffer *bb)
{
	grpc_byte_buffer_reader reader;
	grpc_slice s;
	size_t need, len = 0;

	need = grpc_byte_buffer_length(bb);
	if (need > api->rcap) {
		/* With room to spare: replies grow a little with every call
		 * (counters gain digits), and a fresh buffer of megabytes on
		 * every tick would be page faults all over again. */
		free(api->rbuf);
		api->rcap = need + need / 4;
		api->rbuf = xmalloc(api->rcap);
	}
	if (!grpc_byte_buffer_reader_init(&reader, bb))
		return 0;
	while (grpc_byte_buffer_reader_next(&reader, &s) != 0) {
		if (GRPC_SLICE_LENGTH(s) <= need - len) {
			memcpy(api->rbuf + len, GRPC_SLICE_START_PTR(s),
			    GRPC_SLICE_LENGTH(s));
			len += GRPC_SLICE_LENGTH(s);
		}
		grpc_slice_unref(s);
	}
	grpc_byte_buffer_reader_destroy(&reader);
	return len;
}

enum coreapi_rc
coreapi_unary(struct coreapi *api, const char *method, const uint8_t *req,
    size_t reqlen, size_t *replylen)
{
	grpc_call *call = NULL;
	grpc_op ops[6];
	grpc_metadata_array md_initial, md_trailing;
	grpc_byte_buffer *send_bb = NULL, *recv_bb = NULL;
	grpc_slice slice, status_details;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_call_error cerr;
	grpc_event ev;
	gpr_timespec deadline, wait;
	const char *error_string = NULL;
	enum coreapi_rc rc;
	char why[128];

	*replylen = 0;
	status_details = grpc_empty_slice();
	grpc_metadata_array_init(&md_initial);
	grpc_metadata_array_init(&md_trailing);
	if (api->chan == NULL)
		make_channel(api);

	deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
	    gpr_time_from_millis(api->deadline_ms, GPR_TIMESPAN));
	call = grpc_channel_create_call(api->chan, NULL,
	    GRPC_PROPAGATE_DEFAULTS, api->cq,
	    grpc_slice_from_static_string(method), NULL, deadline, NULL);
	if (call == NULL) {
		rc = coreapi_local_error(api, "cannot create a gRPC call");
		goto out;
	}
	slice = grpc_slice_from_copied_buffer((const char *)req, reqlen);
	send_bb = grpc_raw_byte_buffer_create(&slice, 1);
	grpc_slice_unref(slice);

	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[0].data.send_initial_metadata.count = 0;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send_bb;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &md_initial;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv_bb;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &md_trailing;
	ops[5].data.recv_status_on_client.status = &status;
	ops[5].data.recv_status_on_client.status_details = &status_details;
	ops[5].data.recv_status_on_client.error_string = &error_string;
	cerr = grpc_call_start_batch(
	    call, ops, sizeof(ops) / sizeof(ops[0]), call, NULL);
	if (cerr != GRPC_CALL_OK) {
		snprintf(why, sizeof(why), "grpc_call_start_batch: error %d",
		    (int)cerr);
		rc = coreapi_local_error(api, why);
		goto out;
	}

	/* the call ends itself at the deadline; wait a little longer */
	wait = gpr_time_add(deadline, gpr_time_from_millis(1000, GPR_TIMESPAN));
	ev = grpc_completion_queue_pluck(api->cq, call, wait, NULL);
	if (ev.type == GRPC_QUEUE_TIMEOUT) {
		log_warnx("coreapi: %s: no completion after the deadline, "
			  "cancelling",
		    method);
		grpc_call_cancel(call, NULL);
		ev = grpc_completion_queue_pluck(
		    api->cq, call, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
	}
	if (ev.type != GRPC_OP_COMPLETE) {
		rc = coreapi_local_error(api, "gRPC completion queue failed");
		goto out;
	}

	set_status(api, (int)status,
	    (const char *)GRPC_SLICE_START_PTR(status_details),
	    GRPC_SLICE_LENGTH(status_details));
	rc = classify(api->code, api->details);
	if (rc == COREAPI_OK && recv_bb != NULL)
		*replylen = copy_reply(api, recv_bb);

out:
	if (rc == COREAPI_UNAVAILABLE || rc == COREAPI_DEADLINE) {
		/* a restarted or wedged core: start over on the next call
		 * rather than wait out the channel's reconnect backoff */
		drop_channel(api);
	}
	if (send_bb != NULL)
		grpc_byte_buffer_destroy(send_bb);
	if (recv_bb != NULL)
		grpc_byte_buffer_destroy(recv_bb);
	grpc_slice_unref(status_details);
	if (error_string != NULL)
		gpr_free((void *)error_string);
	grpc_metadata_array_destroy(&md_initial);
	grpc_metadata_array_destroy(&md_trailing);
	if (call != NULL)
		grpc_call_unref(call);
	return rc;
}

size_t
coreapi_pack(const ProtobufCMessage *msg, uint8_t **out)
{
	size_t n;

	n = protobuf_c_message_get_packed_size(msg);
	*out = xmalloc(n > 0 ? n : 1);
	protobuf_c_message_pack(msg, *out);
	return n;
}

struct coreapi *
coreapi_new(const char *address, enum core_type type, int deadline_ms)
{
	struct coreapi *api;

	api = xcalloc(1, sizeof(*api));
	api->target = xstrdup(address);
	if (deadline_ms < 10)
		deadline_ms = 10;
	if (deadline_ms > 600000)
		deadline_ms = 600000;
	api->deadline_ms = deadline_ms;
	api->flavour = type == CORE_XRAY ? FLAVOUR_XRAY : FLAVOUR_V2FLY;
	gpr_set_log_function(grpc_log_to_ours);
	grpc_init();
	api->cq = grpc_completion_queue_create_for_pluck(NULL);
	return api;
}

void
coreapi_free(struct coreapi *api)
{
	grpc_event ev;

	if (api == NULL)
		return;
	drop_channel(api);
	grpc_completion_queue_shutdown(api->cq);
	do {
		ev = grpc_completion_queue_pluck(
		    api->cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	} while (ev.type != GRPC_QUEUE_SHUTDOWN);
	grpc_completion_queue_destroy(api->cq);
	free(api->namebuf);
	free(api->rbuf);
	free(api->target);
	free(api);
	grpc_shutdown();
}

int
coreapi_code(const struct coreapi *api)
{
	return api->code;
}

const char *
coreapi_details(const struct coreapi *api)
{
	return api->details;
}

const char *
coreapi_rc_name(enum coreapi_rc rc)
{
	switch (rc) {
	case COREAPI_OK:
		return "OK";
	case COREAPI_UNAVAILABLE:
		return "UNAVAILABLE";
	case COREAPI_DEADLINE:
		return "DEADLINE";
	case COREAPI_UNIMPLEMENTED:
		return "UNIMPLEMENTED";
	case COREAPI_EXISTS:
		return "EXISTS";
	case COREAPI_NOT_FOUND:
		return "NOT_FOUND";
	case COREAPI_ERROR:
		return "ERROR";
	}
	return "?";
}
