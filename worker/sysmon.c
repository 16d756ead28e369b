/*
 * The system watch (sysmon.h): each tick, the services, the memory and
 * the disk are sampled, and what changed is told through the outbox in
 * the transaction that saves the new state.
 */
#include "config.h"

#include <sys/statvfs.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "outbox.h"
#include "procinfo.h"
#include "sysmon.h"
#include "tgmsg.h"
#include "worker.h"
#include "xmalloc.h"

/* The kernel keeps this many bytes of a program's name (TASK_COMM_LEN). */
#define COMM_MAX 15

/* A message of the tick, not yet added. */
struct pending {
	enum outbox_kind kind;
	struct buf text;
};

void
sysmon_init(struct worker *w)
{
	const struct cfg *cfg = &w->cfg;
	struct sysmon *sm;
	char esc[128];
	size_t i, cap;

	sm = w->sysmon = xcalloc(1, sizeof(*sm));
	sm->nsvc = cfg->nservices;
	if (sm->nsvc > SYSMON_MAX_SERVICES)
		sm->nsvc = SYSMON_MAX_SERVICES;
	sm->list = sysmon_list_fp(cfg->services, sm->nsvc);
	sm->running = xcalloc(sm->nsvc + 1, sizeof(*sm->running));
	sm->watch_svc = sm->nsvc > 0 && outbox_wants(cfg, OB_SERVICE);
	sm->watch_mem =
	    cfg->sysmon_memory_threshold > 0 && outbox_wants(cfg, OB_MEMORY);
	sm->watch_disk =
	    cfg->sysmon_disk_threshold > 0 && outbox_wants(cfg, OB_DISK);
	if (sm->watch_svc && cfg->nservices > sm->nsvc)
		log_warnx("services: only the first %d of %zu are watched",
		    SYSMON_MAX_SERVICES, cfg->nservices);
	for (i = 0; sm->watch_svc && i < sm->nsvc; i++)
		if (strlen(cfg->services[i]) > COMM_MAX)
			log_warnx("services: '%s' is never seen running: the "
				  "kernel keeps %d bytes of a program's name",
			    log_escape(cfg->services[i],
				strlen(cfg->services[i]), esc, sizeof(esc)),
			    COMM_MAX);
	cap = usage_window_size(
	    cfg->sysmon_average_interval, cfg->ticker_interval);
	if (sm->watch_mem)
		usage_window_init(&sm->mem, cap);
	if (sm->watch_disk)
		usage_window_init(&sm->disk, cap);
}

/*
 * Reads what the last run saved and forgets what is no longer watched
 * (watched again later, it starts with a record).  Returns 0, or -1 if
 * the database did not answer (tried again next tick: a state taken for
 * absent would repeat a standing alert).
 */
static int
load_state(struct worker *w)
{
	struct sysmon *sm = w->sysmon;
	struct sysmon_state st;
	int rc;

	memset(&st, 0, sizeof(st));
	if ((rc = wstate_get_text(&w->db, WS_SYSMON_STATE, sm->saved_text)) < 0)
		return -1;
	if (rc == 0)
		sm->saved_text[0] = '\0';
	else if (sysmon_state_parse(sm->saved_text, &st) == -1)
		log_warnx("system watch: saved state not understood; "
			  "the first check only records");
	if (!sm->watch_svc || st.list != sm->list)
		st.have_services = 0;
	if (!sm->watch_mem)
		st.mem_raised = 0;
	if (!sm->watch_disk)
		st.disk_raised = 0;
	sm->saved = st;
	sm->loaded = 1;
	return 0;
}

void
sysmon_free(struct worker *w)
{
	struct sysmon *sm = w->sysmon;

	if (sm == NULL)
		return;
	usage_window_free(&sm->mem);
	usage_window_free(&sm->disk);
	free(sm->running);
	free(sm);
	w->sysmon = NULL;
}

/* Samples the services into NEXT; adds a message to P if one changed. */
static void
check_services(
    struct worker *w, struct sysmon_state *next, struct pending *p, size_t *np)
{
	struct sysmon *sm = w->sysmon;
	char esc[128];
	size_t i;
	int ch;

	if (procinfo_running("/proc", w->cfg.services, sm->nsvc, sm->running) ==
	    -1)
		return;
	ch = sysmon_services_changed(
	    &sm->saved, sm->list, sm->running, sm->nsvc);
	if (ch == 0)
		return;
	if (ch == 1) {
		for (i = 0; i < sm->nsvc; i++)
			if ((sm->saved.up[i] != 0) != (sm->running[i] != 0))
				log_info("service '%s' %s",
				    log_escape(w->cfg.services[i],
					strlen(w->cfg.services[i]), esc,
					sizeof(esc)),
				    sm->running[i] ? "runs again"
						   : "is not running");
		p[*np].kind = OB_SERVICE;
		tgmsg_services(
		    &p[*np].text, w->cfg.services, sm->running, sm->nsvc);
		(*np)++;
	}
	next->have_services = 1;
	next->list = sm->list;
	next->n = sm->nsvc;
	for (i = 0; i < sm->nsvc; i++)
		next->up[i] = sm->running[i] != 0;
}

/*
 * Adds the sample PCT of WHAT ("memory", "disk") to UW and, when its
 * average crosses THRESHOLD, a message of KIND to P and the new flag to
 * *RAISED.
 */
static void
check_usage(struct worker *w, const char *what, enum outbox_kind kind,
    struct usage_window *uw, int threshold, double pct, int *raised,
    struct pending *p, size_t *np)
{
	enum usage_cross c;
	double avg;

	usage_window_push(uw, pct);
	if (!usage_window_average(uw, &avg))
		return;
	if ((c = usage_cross(*raised, threshold, avg)) == UC_NONE)
		return;
	*raised = c == UC_ABOVE;
	log_info("%s: average use over %d s %s %d%% (%.2f%%)", what,
	    w->cfg.sysmon_average_interval,
	    *raised ? "above" : "back at or below", threshold, avg);
	p[*np].kind = kind;
	tgmsg_usage(&p[*np].text, what, *raised, w->cfg.sysmon_average_interval,
	    threshold, avg);
	(*np)++;
}

/* Adds the messages and saves TEXT in one transaction.  DB_OK or DB_*. */
static int
commit(struct worker *w, struct pending *p, size_t np, const char *text)
{
	struct db *db = &w->db;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	for (i = 0; i < np; i++)
		if ((rc = outbox_add(db, &w->cfg, p[i].kind,
			 buf_str(&p[i].text), now, NULL)) < 0)
			goto fail;
	if ((rc = wstate_set_text(db, WS_SYSMON_STATE, text)) != DB_OK ||
	    (rc = db_commit(db)) != DB_OK)
		goto fail;
	return DB_OK;
fail:
	db_rollback(db);
	return rc;
}

void
sysmon_tick(struct worker *w)
{
	struct sysmon *sm = w->sysmon;
	const struct cfg *cfg = &w->cfg;
	struct sysmon_state next;
	struct pending p[3];
	struct statvfs vfs;
	struct meminfo mi;
	char text[WSTATE_TEXT_MAX], info[PROCINFO_SMALL];
	size_t i, np = 0;
	int rc;

	if (sm == NULL || (!sm->loaded && load_state(w) == -1))
		return;
	for (i = 0; i < 3; i++)
		buf_init(&p[i].text);
	next = sm->saved;
	if (sm->watch_svc)
		check_services(w, &next, p, &np);
	if (sm->watch_mem &&
	    procinfo_read("/proc/meminfo", info, sizeof(info)) == 0 &&
	    procinfo_meminfo(info, &mi) == 0)
		check_usage(w, "memory", OB_MEMORY, &sm->mem,
		    cfg->sysmon_memory_threshold, procinfo_mem_used_pct(&mi),
		    &next.mem_raised, p, &np);
	if (sm->watch_disk && statvfs("/", &vfs) == 0 && vfs.f_blocks > 0 &&
	    vfs.f_bfree <= vfs.f_blocks)
		check_usage(w, "disk", OB_DISK, &sm->disk,
		    cfg->sysmon_disk_threshold,
		    (double)(vfs.f_blocks - vfs.f_bfree) * 100.0 /
			(double)vfs.f_blocks,
		    &next.disk_raised, p, &np);

	sysmon_state_format(&next, text, sizeof(text));
	/* A state never saved is the empty one: nothing to write. */
	if (np == 0 &&
	    strcmp(text,
		sm->saved_text[0] != '\0' ? sm->saved_text
					  : "sysmon1 mem=0 disk=0") == 0)
		goto out;
	if ((rc = commit(w, p, np, text)) != DB_OK) {
		log_warnx("system watch: cannot save (%s); checked again "
			  "next tick",
		    rc == DB_BUSY ? "database busy" : "database error");
		goto out;
	}
	sm->saved = next;
	snprintf(sm->saved_text, sizeof(sm->saved_text), "%s", text);
out:
	for (i = 0; i < 3; i++)
		buf_free(&p[i].text);
}
