/* The worker daemon: the only process that talks to the core. */
#ifndef V2S_WORKER_H
#define V2S_WORKER_H

#include "cfg.h"
#include "db.h"

struct worker {
	struct cfg cfg; /* owned */
	struct db db; /* owned */
};

/* adopt.c */
/*
 * Inserts every user of the core config that the database does not know
 * (by name, ignoring case) as an enabled user of its inbound.  An unreadable
 * or invalid core config changes nothing (logged).  Returns the number of
 * users added, or -1.
 */
int adopt_core_users(struct worker *w);

#endif
