/*
 * The worker's Telegram sender: a thread with a database connection of
 * its own that delivers the outbox (lib/outbox.h) in id order, so that
 * the worker's tick never waits for Telegram.
 *
 * Only the first message is ever tried; the others wait behind it.  Each
 * answer is classified (notify_rules.h): accepted, the message is removed
 * and counted sent in one transaction; rejected for its text (400), it
 * is logged, removed and counted failed; anything else, it stays and is
 * tried again later (429: when Telegram says; else after a backoff),
 * its error published.  Telegram's rate limits are kept.  The bounds
 * (telegram.outbox_max, telegram.outbox_max_age) are applied once a
 * minute, the messages they drop counted.  A message Telegram accepted
 * just before the worker died is sent again at its next start: the one
 * window for a duplicate.
 */
#ifndef V2S_NOTIFY_H
#define V2S_NOTIFY_H

#include <stddef.h>

#include "cfg.h"

struct notify_thread;

/*
 * Starts the sender for CFG (borrowed: it must outlive the thread), which
 * must have Telegram configured (outbox_configured()).  Call after
 * notify_http_global_init() and with the signals the main thread takes
 * blocked (the thread inherits the mask).  Returns NULL with ERR if the
 * database cannot be opened or libcurl set up.
 */
struct notify_thread *notify_thread_start(
    const struct cfg *cfg, char *err, size_t errsz);

/*
 * Stops the sender and frees NT (accepts NULL): a transfer in progress is
 * abandoned at once (its message stays queued).
 */
void notify_thread_stop(struct notify_thread *nt);

#endif
