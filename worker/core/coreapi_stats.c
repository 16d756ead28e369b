/*
 * The StatsService calls of the core's API (see coreapi.h): QueryStats,
 * walked in place by worker/core/statsdec.c, GetStats and GetSysStats,
 * each one unary call (coreapi.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coreapi.h"
#include "coreapi_int.h"
#include "statsdec.h"
#include "vapi.pb-c.h"
#include "xmalloc.h"

#define STATS_SVC "/v2ray.core.app.stats.command.StatsService/"

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
	n = coreapi_pack(&req.base, &buf);
	rc = coreapi_unary(api, STATS_SVC "QueryStats", buf, n, &rlen);
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
		rc = coreapi_local_error(api, "stopped by the callback");
		break;
	default:
		rc = coreapi_local_error(
		    api, "cannot decode the QueryStats reply");
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
	n = coreapi_pack(&req.base, &buf);
	rc = coreapi_unary(api, STATS_SVC "GetStats", buf, n, &rlen);
	if (rc != COREAPI_OK)
		goto out;
	resp = vapi__get_stats_response__unpack(NULL, rlen, api->rbuf);
	if (resp == NULL) {
		rc = coreapi_local_error(
		    api, "cannot decode the GetStats reply");
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
	n = coreapi_pack(&req.base, &buf);
	rc = coreapi_unary(api, STATS_SVC "GetSysStats", buf, n, &rlen);
	if (rc != COREAPI_OK)
		goto out;
	r = vapi__sys_stats_response__unpack(NULL, rlen, api->rbuf);
	if (r == NULL) {
		rc = coreapi_local_error(
		    api, "cannot decode the GetSysStats reply");
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
