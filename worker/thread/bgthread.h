/*
 * A background thread of the worker that can be stopped at any time: the
 * plumbing the access log's follower and the Telegram sender share.  The
 * starter waits until the thread says whether its set-up worked; the
 * thread waits on bgthread_wake_fd() (readable: stop) wherever it
 * sleeps.
 */
#ifndef V2S_BGTHREAD_H
#define V2S_BGTHREAD_H

#include <pthread.h>
#include <stddef.h>

struct bgthread {
	pthread_t tid;
	int wake[2]; /* a byte in wake[0]: stop */
	pthread_mutex_t mu; /* guards state and err */
	pthread_cond_t cv; /* state left 0 */
	int state; /* 0 setting up, 1 running, -1 could not */
	char err[512];
};

/*
 * Starts FN(ARG) in a thread and waits until it calls bgthread_ready().
 * Returns 0 if it is running; -1 with the reason in ERR (prefixed with
 * WHAT for what the system refused) if it could not start or its set-up
 * failed (the thread has then ended).  T must stay where it is until
 * bgthread_stop().
 */
int bgthread_start(struct bgthread *t, const char *what, void *(*fn)(void *),
    void *arg, char *err, size_t errsz);

/* Called once by the thread: set up (STATE 1) or not (-1, why in ERR). */
void bgthread_ready(struct bgthread *t, int state, const char *err);

/* The descriptor that becomes readable when the thread is to stop. */
int bgthread_wake_fd(const struct bgthread *t);

/*
 * Tells the thread to stop and waits for it.  Returns 0, or -1 if it
 * could not be told (logged as about WHAT; it is left running and the
 * process's exit ends it, and T must not be freed).
 */
int bgthread_stop(struct bgthread *t, const char *what);

#endif
