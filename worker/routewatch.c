/*
 * Watching what the proxy's customers can reach through the core: the
 * routing check (worker/core/routecheck.h) at start and whenever the core
 * config changed, logged as warnings and published for /api/v1/health;
 * and the same check for v2ray-stat-worker -n.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "routecheck.h"
#include "worker.h"

/* A changed config is read again at most this often (it can be large). */
#define ROUTEWATCH_MIN_MS 5000

static const char hint[] =
    "block private and loopback destinations in the "
    "core's routing (v2ray-stat(8), SECURITY CONSIDERATIONS)";

/* Runs the check of CFG's core config: findings (lines in OUT), or -1. */
static int
check(const struct cfg *cfg, struct buf *out, uint64_t *fp)
{
	struct routecheck_target t[ROUTECHECK_TARGETS_MAX];
	size_t nt = routecheck_targets(cfg, t);

	return routecheck_file(
	    cfg->core_config, cfg->core_type, t, nt, out, fp);
}

int
routewatch_report(const struct cfg *cfg, FILE *f)
{
	struct buf out;
	const char *s, *p;
	int n;

	buf_init(&out);
	n = check(cfg, &out, NULL);
	if (n == -1)
		fprintf(f,
		    "%s: warning: cannot check what proxy customers can "
		    "reach: %s\n",
		    cfg->core_config, buf_str(&out));
	for (s = buf_str(&out); n > 0 && (p = strchr(s, '\n')) != NULL;
	     s = p + 1)
		fprintf(f, "%s: warning: %.*s\n", cfg->core_config,
		    (int)(p - s), s);
	if (n > 0)
		fprintf(f,
		    "%s: warning: proxy customers can reach the API through "
		    "their tunnel: %s\n",
		    cfg->core_config, hint);
	buf_free(&out);
	return n;
}

/* The text for health: the first finding, and how many more. */
static void
summary(const char *lines, int n, char *text, size_t textsz)
{
	const char *nl = strchr(lines, '\n');
	int len = nl != NULL ? (int)(nl - lines) : (int)strlen(lines);

	if (n <= 0) {
		text[0] = '\0';
		return;
	}
	if (n == 1)
		snprintf(text, textsz,
		    "proxy customers can reach the API: %.*s", len, lines);
	else
		snprintf(text, textsz,
		    "proxy customers can reach the API: %.*s (and %d more: "
		    "v2ray-stat-worker -n lists them)",
		    len, lines, n - 1);
}

/* Logs the findings (or that there are none any more). */
static void
report(struct worker *w, const char *lines, int n)
{
	const char *s, *p;

	if (n == 0) {
		if (w->route.findings > 0)
			log_info("core config '%s': the proxy inbounds can no "
				 "longer reach the API or the core's API",
			    w->cfg.core_config);
		return;
	}
	for (s = lines; (p = strchr(s, '\n')) != NULL; s = p + 1)
		log_warnx("core config '%s': %.*s", w->cfg.core_config,
		    (int)(p - s), s);
	log_warnx("core config '%s': proxy customers can reach the API "
		  "through their tunnel: %s",
	    w->cfg.core_config, hint);
}

void
routewatch_tick(struct worker *w)
{
	struct routewatch *rw = &w->route;
	struct stat st;
	struct buf out;
	uint64_t fp = 0;
	int64_t now = mono_ms();
	int n, first = rw->checked_at == 0;

	if (stat(w->cfg.core_config, &st) == -1)
		memset(&st, 0, sizeof(st));
	if (first ||
	    (now - rw->checked_at >= ROUTEWATCH_MIN_MS &&
		(st.st_dev != rw->dev || st.st_ino != rw->ino ||
		    st.st_size != rw->size ||
		    st.st_mtim.tv_sec != rw->mtime.tv_sec ||
		    st.st_mtim.tv_nsec != rw->mtime.tv_nsec))) {
		rw->checked_at = now;
		rw->dev = st.st_dev;
		rw->ino = st.st_ino;
		rw->size = st.st_size;
		rw->mtime = st.st_mtim;
		buf_init(&out);
		/* Unreadable: corefile_config() says why; the verdict stays
		 * (none at start). */
		if ((n = check(&w->cfg, &out, &fp)) >= 0) {
			if (first || fp != rw->fp)
				report(w, buf_str(&out), n);
			rw->fp = fp;
			rw->findings = n;
			summary(buf_str(&out), n, rw->want, sizeof(rw->want));
		}
		buf_free(&out);
	}
	/* Published until the database took it. */
	if ((!rw->published || strcmp(rw->want, rw->text) != 0) &&
	    wstate_set_text(&w->db, WS_ROUTE_WARNING, rw->want) == DB_OK) {
		snprintf(rw->text, sizeof(rw->text), "%s", rw->want);
		rw->published = 1;
	}
}
