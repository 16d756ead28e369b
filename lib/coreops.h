/*
 * The operations queue from the responder to the worker (table core_ops).
 *
 * A write that the running core must follow (a user added, deleted,
 * enabled or disabled, renewed by the expiry logic...) records an
 * operation for that user in the same transaction as the change.  The
 * worker, the only process that talks to the core, picks up the waiting
 * operations, brings each user's state in the core to what the database
 * says, and records how that ended.  The responder waits a short while
 * for that ending and answers 200, 202 or 502 from it.
 *
 * An operation names only the user: the worker applies the user's state
 * as the database has it then, so several operations of one user are one
 * application.  Finished operations are kept a day for the record.
 */
#ifndef V2S_COREOPS_H
#define V2S_COREOPS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* core_ops.done: how applying an operation ended. */
enum coreop_state {
	COREOP_WAITING = 0, /* recorded; the worker has not got to it */
	COREOP_APPLIED = 1, /* the core has the user's state */
	COREOP_DEFERRED = 2, /* the core is unreachable: applied when back */
	COREOP_REFUSED = 3, /* the core (or a check before it) refused; the
			       result says why */
};

/*
 * Records an operation for USER inside the caller's transaction, and
 * clears USER's config_removed mark (lib/users.h): the admin has dealt
 * with it.  Returns its id (> 0), or DB_BUSY / DB_ERR.
 */
int64_t coreops_add(struct db *db, const char *user);

/*
 * Waits up to WAIT_MS (every 5 ms a look) until the operations FIRST..LAST
 * have all ended, and returns the worst state: COREOP_REFUSED (the first
 * refusal's result in WHY), COREOP_DEFERRED, COREOP_WAITING (still waiting
 * when the time was up, or WAIT_MS is 0) or COREOP_APPLIED; or DB_BUSY /
 * DB_ERR.
 */
int coreops_wait(struct db *db, int64_t first, int64_t last, int64_t wait_ms,
    char *why, size_t whysz);

/* The id of the newest operation, 0 if none; or DB_BUSY / DB_ERR. */
int64_t coreops_last_id(struct db *db);

/*
 * Calls FN with the user of every operation up to id UPTO that is
 * waiting, and with DEFERRED also of those deferred (each user once).
 * Returns DB_OK, DB_BUSY or DB_ERR.
 */
int coreops_pending(struct db *db, int64_t upto, int deferred,
    void (*fn)(void *arg, const char *user), void *arg);

/*
 * Inside the caller's transaction: ends USER's operations up to id UPTO
 * that were waiting or deferred with STATE, RESULT ("" or the refusal, or
 * why it is deferred).  Returns DB_OK, DB_BUSY or DB_ERR.
 */
int coreops_record(struct db *db, const char *user, enum coreop_state state,
    const char *result, int64_t upto);

/* Deletes applied operations older than a day.  DB_OK, DB_BUSY, DB_ERR. */
int coreops_prune(struct db *db);

#endif
