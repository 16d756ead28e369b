/*
 * The sender's rules, without I/O or clocks (the caller passes the time):
 * what an answer of the Bot API means for the message, how long to wait
 * after a failure, and Telegram's rate limits for one chat.
 *
 * Telegram's answers (core.telegram.org/bots/api): {"ok": true, ...}
 * with 200 for a message accepted; {"ok": false, "error_code": N,
 * "description": "...", "parameters": {"retry_after": S}} otherwise.
 * Bodies are untrusted: anything that is not such an object is read as
 * an answer without a description.
 */
#ifndef V2S_NOTIFY_RULES_H
#define V2S_NOTIFY_RULES_H

#include <stddef.h>
#include <stdint.h>

/* What to do with the message after an attempt. */
enum notify_verdict {
	NOTIFY_SENT, /* Telegram accepted it: remove it */
	NOTIFY_RETRY_AT, /* 429: try again after retry_ms exactly */
	NOTIFY_RETRY_BACKOFF, /* try again after notify_backoff_ms() */
	NOTIFY_DROP, /* rejected for good because of its text: remove it */
};

#define NOTIFY_RETRY_AFTER_DEFAULT_MS 5000 /* 429 without retry_after */
#define NOTIFY_RETRY_AFTER_MAX_MS 3600000 /* retry_after is cut to this */
#define NOTIFY_BACKOFF_MAX_MS 300000 /* the backoff stops doubling here */
#define NOTIFY_GAP_MS 1000 /* between two messages to one chat */
#define NOTIFY_GROUP_MAX 20 /* messages to a group ... */
#define NOTIFY_GROUP_WINDOW_MS 60000 /* ... in any such window */
#define NOTIFY_ERR_MAX 256

struct notify_answer {
	enum notify_verdict verdict;
	int64_t retry_ms; /* NOTIFY_RETRY_AT: how long to wait */
	/* What went wrong ("" when sent), printable ASCII: "HTTP 400: Bad
	 * Request: chat not found", "network: Timeout was reached". */
	char error[NOTIFY_ERR_MAX];
};

/*
 * Classifies one attempt.  STATUS is the HTTP status, or 0 when no answer
 * came (NETERR then says why, e.g. curl's text); BODY (LEN bytes, any
 * bytes, not NUL-terminated) is the answer.
 *   200 with "ok": true                         NOTIFY_SENT
 *   429                                         NOTIFY_RETRY_AT, retry_ms
 *	from parameters.retry_after (seconds; missing, not an integer or
 *	below 1: NOTIFY_RETRY_AFTER_DEFAULT_MS; cut to ..._MAX_MS)
 *   400 whose description is about the text itself ("can't parse
 *	entities", "message is too long", "message text is empty", "text
 *	must be non-empty")                      NOTIFY_DROP
 *   anything else: no answer, 5xx, 401, 403, 404, other 400s ("chat not
 *	found": the admin can fix it), 200 without "ok": true
 *						 NOTIFY_RETRY_BACKOFF
 */
void notify_classify(long status, const char *body, size_t len,
    const char *neterr, struct notify_answer *a);

/* The wait after the FAILURES-th failure in a row (1, 2, ...): 1 s, 2 s,
 * 4 s ... doubling up to NOTIFY_BACKOFF_MAX_MS.  FAILURES < 1 is 1. */
int64_t notify_backoff_ms(int64_t failures);

/*
 * Telegram's limits for one chat: at least NOTIFY_GAP_MS between two
 * messages, and to a group or channel (its id begins with '-') at most
 * NOTIFY_GROUP_MAX in any NOTIFY_GROUP_WINDOW_MS.  Times are a monotonic
 * clock in ms, given by the caller.
 */
struct notify_rate {
	int group; /* the chat is a group or a channel */
	int n; /* attempts recorded (at most NOTIFY_GROUP_MAX kept) */
	int head; /* the oldest of them in at[] once n is full */
	int64_t last; /* the last attempt */
	int64_t at[NOTIFY_GROUP_MAX]; /* the last attempts, a ring */
};

/* Starts the limits for CHAT_ID with nothing sent yet. */
void notify_rate_init(struct notify_rate *r, const char *chat_id);

/* The earliest time (>= NOW) at which the next message may go. */
int64_t notify_rate_next(const struct notify_rate *r, int64_t now);

/* Records an attempt made at NOW (counted whatever its answer). */
void notify_rate_record(struct notify_rate *r, int64_t now);

#endif
