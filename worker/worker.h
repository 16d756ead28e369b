/* The worker daemon: the only process that talks to the core. */
#ifndef V2S_WORKER_H
#define V2S_WORKER_H

#include <time.h>

#include "acct.h"
#include "cfg.h"
#include "db.h"

struct coreapi;

struct worker {
	struct cfg cfg;	     /* owned */
	struct db db;	     /* owned */
	struct coreapi *api; /* owned */
	struct acct acct;    /* owned */
	int core_up;	     /* -1 unknown, 0 down, 1 answering */
	time_t core_since;   /* when core_up last changed */
	char core_error[600];
};

/* adopt.c */
/*
 * Inserts every user of the core config that the database does not know
 * (by name, ignoring case) as an enabled user of its inbound.  An unreadable
 * or invalid core config changes nothing (logged).  Returns the number of
 * users added, or -1.
 */
int adopt_core_users(struct worker *w);

/* tick.c */
/*
 * Runs one tick: reads the core's uptime and counters, commits the
 * accounting, and publishes the worker's and the core's state.  A core
 * that does not answer is logged once per change, never fatal.
 */
void worker_tick(struct worker *w);

#endif
