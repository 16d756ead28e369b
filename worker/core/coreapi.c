/*
 * The core's gRPC API over the gRPC core C API (see coreapi.h).  Requests
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
#include "statsdec.h"
#include "log.h"
#include "vapi.pb-c.h"
#include "xmalloc.h"

#define STATS_SVC "/v2ray.core.app.stats.command.StatsService/"

/* The HandlerService names of one core family. */
struct flavour {
	enum core_type type;
	const char *name;
	const char *alter_path;
	const char *add_op;
	const char *remove_op;
	const char *vless;
	const char *vmess;
	const char *trojan;
};

static const struct flavour flavours[] = {
	{ CORE_V2FLY, "v2fly",
	    "/v2ray.core.app.proxyman.command.HandlerService/AlterInbound",
	    "v2ray.core.app.proxyman.command.AddUserOperation",
	    "v2ray.core.app.proxyman.command.RemoveUserOperation",
	    "v2ray.core.proxy.vless.Account", "v2ray.core.proxy.vmess.Account",
	    "v2ray.core.proxy.trojan.Account" },
	{ CORE_XRAY, "xray",
	    "/xray.app.proxyman.command.HandlerService/AlterInbound",
	    "xray.app.proxyman.command.AddUserOperation",
	    "xray.app.proxyman.command.RemoveUserOperation",
	    "xray.proxy.vless.Account", "xray.proxy.vmess.Account",
	    "xray.proxy.trojan.Account" },
};

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

static enum coreapi_rc
local_error(struct coreapi *api, const char *why)
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

/*
 * Is DETAILS the core's answer to a TypedMessage type name it does not
 * know?  v2fly: "... > Serial: Unknown type: xray.proxy.vless.Account";
 * Xray (protoregistry): "unknown operation > proto: not found".
 */
static int
names_unknown(const char *details)
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
	    names_unknown(details))
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

/*
 * One unary call of METHOD with the packed request REQ.  On COREAPI_OK the
 * reply's bytes are API->rbuf[0 .. *REPLYLEN).  The status code and details
 * are left in API.
 */
static enum coreapi_rc
unary(struct coreapi *api, const char *method, const uint8_t *req,
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
		rc = local_error(api, "cannot create a gRPC call");
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
		rc = local_error(api, why);
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
		rc = local_error(api, "gRPC completion queue failed");
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

/* Packs MSG into a fresh buffer (*OUT, caller frees) and returns its size. */
static size_t
pack(const ProtobufCMessage *msg, uint8_t **out)
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

/* Hands one decoded counter to the caller with a NUL-terminated name. */
struct query_walk {
	struct coreapi *api;
	coreapi_stat_cb cb;
	void *arg;
};

static int
query_one(void *arg, const char *name, size_t len, int64_t value)
{
	struct query_walk *w = arg;
	struct coreapi *api = w->api;

	if (len + 1 > api->namecap) {
		api->namecap = len + 1 > 256 ? len + 1 : 256;
		free(api->namebuf);
		api->namebuf = xmalloc(api->namecap);
	}
	memcpy(api->namebuf, name, len);
	api->namebuf[len] = '\0';
	return w->cb(w->arg, api->namebuf, len, value);
}

enum coreapi_rc
coreapi_query(struct coreapi *api, const char *pattern, int reset,
    coreapi_stat_cb cb, void *arg, size_t *count)
{
	Vapi__QueryStatsRequest req = VAPI__QUERY_STATS_REQUEST__INIT;
	struct query_walk w;
	size_t rlen;
	uint8_t *buf = NULL;
	size_t n, done = 0;
	enum coreapi_rc rc;

	req.pattern = (char *)(pattern != NULL ? pattern : "");
	req.reset = reset ? 1 : 0;
	n = pack(&req.base, &buf);
	rc = unary(api, STATS_SVC "QueryStats", buf, n, &rlen);
	if (rc != COREAPI_OK)
		goto out;
	/* Walked in place: no allocation per counter (worker/core/statsdec.h). */
	w.api = api;
	w.cb = cb;
	w.arg = arg;
	switch (statsdec_walk(api->rbuf, rlen, query_one, &w, &done)) {
	case STATSDEC_OK:
		break;
	case STATSDEC_STOPPED:
		rc = local_error(api, "stopped by the callback");
		break;
	default:
		rc = local_error(api, "cannot decode the QueryStats reply");
		break;
	}
out:
	if (count != NULL)
		*count = done;
	free(buf);
	return rc;
}

enum coreapi_rc
coreapi_get(struct coreapi *api, const char *name, int reset, int64_t *value)
{
	Vapi__GetStatsRequest req = VAPI__GET_STATS_REQUEST__INIT;
	Vapi__GetStatsResponse *resp = NULL;
	size_t rlen;
	uint8_t *buf = NULL;
	size_t n;
	enum coreapi_rc rc;

	*value = 0;
	req.name = (char *)(name != NULL ? name : "");
	req.reset = reset ? 1 : 0;
	n = pack(&req.base, &buf);
	rc = unary(api, STATS_SVC "GetStats", buf, n, &rlen);
	if (rc != COREAPI_OK)
		goto out;
	resp = vapi__get_stats_response__unpack(NULL, rlen, api->rbuf);
	if (resp == NULL) {
		rc = local_error(api, "cannot decode the GetStats reply");
		goto out;
	}
	if (resp->stat != NULL)
		*value = resp->stat->value;
	vapi__get_stats_response__free_unpacked(resp, NULL);
out:
	free(buf);
	return rc;
}

enum coreapi_rc
coreapi_sys(struct coreapi *api, struct coreapi_sys *sys)
{
	Vapi__SysStatsRequest req = VAPI__SYS_STATS_REQUEST__INIT;
	Vapi__SysStatsResponse *r = NULL;
	size_t rlen;
	uint8_t *buf = NULL;
	size_t n;
	enum coreapi_rc rc;

	memset(sys, 0, sizeof(*sys));
	n = pack(&req.base, &buf);
	rc = unary(api, STATS_SVC "GetSysStats", buf, n, &rlen);
	if (rc != COREAPI_OK)
		goto out;
	r = vapi__sys_stats_response__unpack(NULL, rlen, api->rbuf);
	if (r == NULL) {
		rc = local_error(api, "cannot decode the GetSysStats reply");
		goto out;
	}
	sys->uptime = r->uptime;
	sys->num_goroutine = r->numgoroutine;
	sys->num_gc = r->numgc;
	sys->alloc = r->alloc;
	sys->total_alloc = r->totalalloc;
	sys->sys = r->sys;
	sys->mallocs = r->mallocs;
	sys->frees = r->frees;
	sys->live_objects = r->liveobjects;
	sys->pause_total_ns = r->pausetotalns;
	vapi__sys_stats_response__free_unpacked(r, NULL);
out:
	free(buf);
	return rc;
}

/* What an AlterInbound call carries, independent of the flavour. */
struct alter {
	const char *tag;
	const char *email;
	int add;
	enum proto proto;
	const char *credential;
	const char *flow;
	unsigned int level;
};

/* Packs the account of AL for flavour FL; sets *TYPE to its type name. */
static size_t
pack_account(const struct flavour *fl, const struct alter *al,
    const char **type, uint8_t **out)
{
	Vapi__VlessAccount vless = VAPI__VLESS_ACCOUNT__INIT;
	Vapi__VmessAccount vmess = VAPI__VMESS_ACCOUNT__INIT;
	Vapi__TrojanAccount trojan = VAPI__TROJAN_ACCOUNT__INIT;

	switch (al->proto) {
	case PROTO_VLESS:
		*type = fl->vless;
		vless.id = (char *)al->credential;
		vless.flow = (char *)(al->flow != NULL ? al->flow : "");
		return pack(&vless.base, out);
	case PROTO_VMESS:
		*type = fl->vmess;
		vmess.id = (char *)al->credential;
		return pack(&vmess.base, out);
	case PROTO_TROJAN:
	default:
		*type = fl->trojan;
		trojan.password = (char *)al->credential;
		return pack(&trojan.base, out);
	}
}

static enum coreapi_rc
alter_once(
    struct coreapi *api, const struct flavour *fl, const struct alter *al)
{
	Vapi__AlterInboundRequest req = VAPI__ALTER_INBOUND_REQUEST__INIT;
	Vapi__TypedMessage op = VAPI__TYPED_MESSAGE__INIT;
	Vapi__TypedMessage account = VAPI__TYPED_MESSAGE__INIT;
	Vapi__User user = VAPI__USER__INIT;
	Vapi__AddUserOperation add = VAPI__ADD_USER_OPERATION__INIT;
	Vapi__RemoveUserOperation rm = VAPI__REMOVE_USER_OPERATION__INIT;
	uint8_t *accbuf = NULL, *opbuf = NULL, *buf = NULL;
	const char *acctype = NULL;
	size_t rlen;
	size_t n;
	enum coreapi_rc rc;

	if (al->add) {
		n = pack_account(fl, al, &acctype, &accbuf);
		account.type = (char *)acctype;
		account.value.data = accbuf;
		account.value.len = n;
		user.level = al->level;
		user.email = (char *)al->email;
		user.account = &account;
		add.user = &user;
		op.type = (char *)fl->add_op;
		n = pack(&add.base, &opbuf);
	} else {
		rm.email = (char *)al->email;
		op.type = (char *)fl->remove_op;
		n = pack(&rm.base, &opbuf);
	}
	op.value.data = opbuf;
	op.value.len = n;
	req.tag = (char *)al->tag;
	req.operation = &op;
	n = pack(&req.base, &buf);

	rc = unary(api, fl->alter_path, buf, n, &rlen);
	free(accbuf);
	free(opbuf);
	free(buf);
	return rc;
}

/* Did the core reject our names rather than the operation itself? */
static int
flavour_mismatch(const struct coreapi *api, enum coreapi_rc rc)
{
	return rc == COREAPI_UNIMPLEMENTED ||
	    (rc == COREAPI_ERROR && api->code == GRPC_STATUS_UNKNOWN &&
		names_unknown(api->details));
}

static enum coreapi_rc
alter(struct coreapi *api, const struct alter *al)
{
	enum coreapi_rc rc;
	int other;

	if (al->tag == NULL || *al->tag == '\0')
		return local_error(api, "empty inbound tag");
	if (al->email == NULL || *al->email == '\0')
		return local_error(api, "empty email");
	if (al->add) {
		if (al->proto != PROTO_VLESS && al->proto != PROTO_VMESS &&
		    al->proto != PROTO_TROJAN)
			return local_error(
			    api, "no account type for this protocol");
		if (al->credential == NULL || *al->credential == '\0')
			return local_error(api, "empty credential");
	}

	rc = alter_once(api, &flavours[api->flavour], al);
	if (flavour_mismatch(api, rc)) {
		/* nothing was applied: try the other family's names */
		other =
		    api->flavour == FLAVOUR_XRAY ? FLAVOUR_V2FLY : FLAVOUR_XRAY;
		rc = alter_once(api, &flavours[other], al);
		if (!flavour_mismatch(api, rc) && rc != COREAPI_UNAVAILABLE &&
		    rc != COREAPI_DEADLINE) {
			log_info("coreapi: the core speaks the %s "
				 "HandlerService names, not %s",
			    flavours[other].name, flavours[api->flavour].name);
			api->flavour = other;
		}
	}
	return rc;
}

enum coreapi_rc
coreapi_add_user(struct coreapi *api, const char *tag, const char *email,
    enum proto proto, const char *credential, const char *flow,
    unsigned int level)
{
	struct alter al;

	al.tag = tag;
	al.email = email;
	al.add = 1;
	al.proto = proto;
	al.credential = credential;
	al.flow = flow;
	al.level = level;
	return alter(api, &al);
}

enum coreapi_rc
coreapi_remove_user(struct coreapi *api, const char *tag, const char *email)
{
	struct alter al;

	memset(&al, 0, sizeof(al));
	al.tag = tag;
	al.email = email;
	al.add = 0;
	al.proto = PROTO_OTHER;
	return alter(api, &al);
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

enum core_type
coreapi_handler_flavour(const struct coreapi *api)
{
	return flavours[api->flavour].type;
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
