/*
 * fake-core: a stand-in for the proxy core's StatsService at a scale we
 * cannot generate with real traffic, speaking the real wire protocol (gRPC
 * over plaintext HTTP/2, through the gRPC core C server API).
 *
 *   fake-core ADDRESS NUSERS [ACTIVE_PERCENT]
 *
 * Listens on ADDRESS ("127.0.0.1:0" picks a port), prints "port N" on
 * stdout once it serves, and answers until SIGTERM or SIGINT:
 *   /v2ray.core.app.stats.command.StatsService/QueryStats
 *       counters user>>>uNNNNNN>>>traffic>>>{uplink,downlink} for NUSERS
 *       users plus inbound>>>{api,vless-in} and outbound>>>direct; on
 *       every QueryStats the counters of each user grow by a random
 *       1..4096 bytes with a chance of ACTIVE_PERCENT (default 100: all
 *       users active), the others' stay; the pattern is a substring match
 *       and reset zeroes what it returned (as in v2fly).
 *   /v2ray.core.app.stats.command.StatsService/GetSysStats
 *       uptime in seconds since the start, plus fixed runtime numbers.
 *   anything else: status 12 UNIMPLEMENTED.
 * On exit it writes "served N calls" to stderr.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/status.h>
#include <grpc/support/time.h>

#include "log.h"
#include "vapi.pb-c.h"
#include "xmalloc.h"

#define SVC "/v2ray.core.app.stats.command.StatsService/"

/* completion queue tags */
static int tag_new, tag_recv, tag_send, tag_shutdown;

static volatile sig_atomic_t stop;

struct fake {
	size_t n; /* counters */
	size_t nfixed; /* the first counters: inbounds and outbounds */
	unsigned active; /* percent of users whose counters move per call */
	char **names; /* owned */
	int64_t *values; /* owned */
	Vapi__Stat *stats; /* owned: one per counter, for replies */
	Vapi__Stat **selected; /* owned: the reply's pointers */
	uint8_t *out; /* owned: the packed reply */
	size_t outcap;
	uint64_t rng;
	time_t started;
	unsigned long served;
};

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
next_rand(struct fake *f)
{
	/* xorshift64: cheap enough for 200 000 counters per call */
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static void
fake_init(struct fake *f, size_t users, unsigned active)
{
	static const char *const fixed[] = {
		"inbound>>>api>>>traffic>>>uplink",
		"inbound>>>api>>>traffic>>>downlink",
		"inbound>>>vless-in>>>traffic>>>uplink",
		"inbound>>>vless-in>>>traffic>>>downlink",
		"outbound>>>direct>>>traffic>>>uplink",
		"outbound>>>direct>>>traffic>>>downlink",
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), i;

	memset(f, 0, sizeof(*f));
	f->n = 2 * users + nfixed;
	f->nfixed = nfixed;
	f->active = active;
	f->names = xcalloc(f->n, sizeof(*f->names));
	f->values = xcalloc(f->n, sizeof(*f->values));
	f->stats = xcalloc(f->n, sizeof(*f->stats));
	f->selected = xcalloc(f->n, sizeof(*f->selected));
	for (i = 0; i < nfixed; i++)
		f->names[i] = xstrdup(fixed[i]);
	for (i = 0; i < users; i++) {
		f->names[nfixed + 2 * i] =
		    xasprintf("user>>>u%06zu>>>traffic>>>uplink", i);
		f->names[nfixed + 2 * i + 1] =
		    xasprintf("user>>>u%06zu>>>traffic>>>downlink", i);
	}
	for (i = 0; i < f->n; i++) {
		vapi__stat__init(&f->stats[i]);
		f->stats[i].name = f->names[i];
	}
	f->rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)time(NULL);
	f->started = time(NULL);
}

static void
fake_free(struct fake *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->names[i]);
	free(f->names);
	free(f->values);
	free(f->stats);
	free(f->selected);
	free(f->out);
}

/* Makes room for N bytes in F->out. */
static void
reserve(struct fake *f, size_t n)
{
	if (n > f->outcap) {
		free(f->out);
		f->outcap = n;
		f->out = xmalloc(n > 0 ? n : 1);
	}
}

/* Answers QueryStats; returns the packed size in F->out. */
static size_t
query_stats(struct fake *f, const uint8_t *req, size_t reqlen)
{
	Vapi__QueryStatsRequest *q;
	Vapi__QueryStatsResponse resp = VAPI__QUERY_STATS_RESPONSE__INIT;
	const char *pattern = "";
	int reset = 0;
	size_t i, k = 0, n;
	int move = 1;

	q = vapi__query_stats_request__unpack(NULL, reqlen, req);
	if (q != NULL) {
		pattern = q->pattern != NULL ? q->pattern : "";
		reset = q->reset;
	}
	for (i = 0; i < f->n; i++) {
		/* a user's uplink and downlink move together, or not */
		if (i >= f->nfixed && (i - f->nfixed) % 2 == 0)
			move =
			    f->active >= 100 || next_rand(f) % 100 < f->active;
		if (i < f->nfixed || move)
			f->values[i] += (int64_t)(next_rand(f) & 4095) + 1;
		if (*pattern != '\0' && strstr(f->names[i], pattern) == NULL)
			continue;
		f->stats[i].value = f->values[i];
		f->selected[k++] = &f->stats[i];
		if (reset)
			f->values[i] = 0;
	}
	resp.n_stat = k;
	resp.stat = f->selected;
	n = vapi__query_stats_response__get_packed_size(&resp);
	reserve(f, n);
	vapi__query_stats_response__pack(&resp, f->out);
	if (q != NULL)
		vapi__query_stats_request__free_unpacked(q, NULL);
	return n;
}

static size_t
sys_stats(struct fake *f)
{
	Vapi__SysStatsResponse r = VAPI__SYS_STATS_RESPONSE__INIT;
	size_t n;

	r.uptime = (uint32_t)(time(NULL) - f->started);
	r.numgoroutine = 42;
	r.numgc = 7;
	r.alloc = 1 << 24;
	r.sys = 1 << 26;
	n = vapi__sys_stats_response__get_packed_size(&r);
	reserve(f, n);
	vapi__sys_stats_response__pack(&r, f->out);
	return n;
}

/* Waits for TAG on CQ; returns its success flag, or -1 on shutdown. */
static int
wait_tag(grpc_completion_queue *cq, void *tag)
{
	grpc_event ev;

	for (;;) {
		ev = grpc_completion_queue_next(cq,
		    gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
			gpr_time_from_millis(200, GPR_TIMESPAN)),
		    NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			return -1;
		if (ev.type == GRPC_QUEUE_TIMEOUT) {
			if (stop)
				return -1;
			continue;
		}
		if (ev.tag == tag)
			return ev.success;
		log_warnx("fake-core: unexpected completion");
	}
}

static int
slice_is(grpc_slice s, const char *str)
{
	size_t n = strlen(str);

	return GRPC_SLICE_LENGTH(s) == n &&
	    memcmp(GRPC_SLICE_START_PTR(s), str, n) == 0;
}

/* Serves one call; returns -1 when asked to stop. */
static int
serve(struct fake *f, grpc_completion_queue *cq, grpc_call *call,
    const grpc_call_details *det)
{
	grpc_op ops[3];
	grpc_byte_buffer *req_bb = NULL, *resp_bb = NULL;
	grpc_byte_buffer_reader reader;
	grpc_slice req = grpc_empty_slice(), out, details;
	grpc_status_code status = GRPC_STATUS_OK;
	int cancelled = 0, ret = 0, nops = 0;
	size_t n = 0;
	char msg[256];

	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_RECV_MESSAGE;
	ops[1].data.recv_message.recv_message = &req_bb;
	if (grpc_call_start_batch(call, ops, 2, &tag_recv, NULL) !=
	    GRPC_CALL_OK) {
		ret = 0;
		goto out;
	}
	if (wait_tag(cq, &tag_recv) < 0) {
		ret = -1;
		goto out;
	}
	if (req_bb != NULL && grpc_byte_buffer_reader_init(&reader, req_bb)) {
		req = grpc_byte_buffer_reader_readall(&reader);
		grpc_byte_buffer_reader_destroy(&reader);
	}

	if (slice_is(det->method, SVC "QueryStats"))
		n = query_stats(
		    f, GRPC_SLICE_START_PTR(req), GRPC_SLICE_LENGTH(req));
	else if (slice_is(det->method, SVC "GetSysStats"))
		n = sys_stats(f);
	else
		status = GRPC_STATUS_UNIMPLEMENTED;

	memset(ops, 0, sizeof(ops));
	if (status == GRPC_STATUS_OK) {
		out = grpc_slice_from_copied_buffer((const char *)f->out, n);
		resp_bb = grpc_raw_byte_buffer_create(&out, 1);
		grpc_slice_unref(out);
		ops[nops].op = GRPC_OP_SEND_MESSAGE;
		ops[nops].data.send_message.send_message = resp_bb;
		nops++;
		details = grpc_empty_slice();
	} else {
		snprintf(msg, sizeof(msg), "unknown method %.*s",
		    (int)GRPC_SLICE_LENGTH(det->method),
		    (const char *)GRPC_SLICE_START_PTR(det->method));
		details = grpc_slice_from_copied_string(msg);
	}
	ops[nops].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[nops].data.send_status_from_server.trailing_metadata_count = 0;
	ops[nops].data.send_status_from_server.status = status;
	ops[nops].data.send_status_from_server.status_details = &details;
	nops++;
	ops[nops].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[nops].data.recv_close_on_server.cancelled = &cancelled;
	nops++;
	if (grpc_call_start_batch(call, ops, (size_t)nops, &tag_send, NULL) ==
	    GRPC_CALL_OK) {
		if (wait_tag(cq, &tag_send) < 0)
			ret = -1;
	}
	grpc_slice_unref(details);
	f->served++;
out:
	grpc_slice_unref(req);
	if (req_bb != NULL)
		grpc_byte_buffer_destroy(req_bb);
	if (resp_bb != NULL)
		grpc_byte_buffer_destroy(resp_bb);
	return ret;
}

int
main(int argc, char *argv[])
{
	struct fake f;
	struct sigaction sa;
	grpc_server *server;
	grpc_server_credentials *creds;
	grpc_completion_queue *cq;
	grpc_call *call;
	grpc_call_details det;
	grpc_metadata_array md;
	grpc_event ev;
	char *end;
	unsigned long long users, active = 100;
	int port, r, pending = 0, down = 0;

	if (argc != 3 && argc != 4) {
		fprintf(stderr,
		    "usage: fake-core ADDRESS NUSERS [ACTIVE_PERCENT]\n");
		return 64;
	}
	if (argc == 4) {
		errno = 0;
		active = strtoull(argv[3], &end, 10);
		if (*argv[3] == '\0' || *end != '\0' || errno != 0 ||
		    active > 100) {
			fprintf(stderr,
			    "fake-core: ACTIVE_PERCENT must be 0..100\n");
			return 64;
		}
	}
	errno = 0;
	users = strtoull(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || errno != 0 ||
	    users > 10000000) {
		fprintf(stderr, "fake-core: NUSERS must be 0..10000000\n");
		return 64;
	}
	log_init("fake-core", LOG_LVL_WARN, 0, 0);
	/* Replies of megabytes, one per call: from a heap that keeps them,
	 * not from fresh mmap()s whose page faults would be most of the
	 * time of a call (and would vary with the reply size). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);

	/* before grpc_init: its threads inherit this */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fake_init(&f, (size_t)users, (unsigned)active);
	grpc_init();
	server = grpc_server_create(NULL, NULL);
	cq = grpc_completion_queue_create_for_next(NULL);
	grpc_server_register_completion_queue(server, cq, NULL);
	creds = grpc_insecure_server_credentials_create();
	port = grpc_server_add_http2_port(server, argv[1], creds);
	grpc_server_credentials_release(creds);
	if (port == 0) {
		fprintf(stderr, "fake-core: cannot listen on %s\n", argv[1]);
		grpc_server_destroy(server);
		grpc_completion_queue_shutdown(cq);
		while (grpc_completion_queue_next(
			   cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL)
			   .type != GRPC_QUEUE_SHUTDOWN)
			;
		grpc_completion_queue_destroy(cq);
		grpc_shutdown();
		fake_free(&f);
		return 1;
	}
	grpc_server_start(server);
	printf("port %d\n", port);
	fflush(stdout);

	for (;;) {
		grpc_call_details_init(&det);
		grpc_metadata_array_init(&md);
		call = NULL;
		if (grpc_server_request_call(server, &call, &det, &md, cq, cq,
			&tag_new) != GRPC_CALL_OK) {
			grpc_call_details_destroy(&det);
			grpc_metadata_array_destroy(&md);
			break;
		}
		pending = 1;
		if ((r = wait_tag(cq, &tag_new)) < 0)
			break; /* still pending: ends with the shutdown */
		pending = 0;
		if (r == 1 && call != NULL)
			serve(&f, cq, call, &det);
		if (call != NULL)
			grpc_call_unref(call);
		grpc_call_details_destroy(&det);
		grpc_metadata_array_destroy(&md);
		if (stop)
			break;
	}

	grpc_server_shutdown_and_notify(server, cq, &tag_shutdown);
	grpc_server_cancel_all_calls(server);
	/* until the server is down and the pending request_call is back */
	do {
		ev = grpc_completion_queue_next(
		    cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_OP_COMPLETE && ev.tag == &tag_shutdown)
			down = 1;
		if (ev.type == GRPC_OP_COMPLETE && ev.tag == &tag_new) {
			if (ev.success && call != NULL)
				grpc_call_unref(call);
			pending = 0;
			grpc_call_details_destroy(&det);
			grpc_metadata_array_destroy(&md);
		}
	} while (!down || pending);
	grpc_server_destroy(server);
	grpc_completion_queue_shutdown(cq);
	do {
		ev = grpc_completion_queue_next(
		    cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	} while (ev.type != GRPC_QUEUE_SHUTDOWN);
	grpc_completion_queue_destroy(cq);
	grpc_shutdown();
	fprintf(stderr, "served %lu calls\n", f.served);
	fake_free(&f);
	return 0;
}
