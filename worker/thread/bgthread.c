/* A background thread of the worker that can be stopped (bgthread.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bgthread.h"
#include "log.h"

/* Undoes what bgthread_start() set up before the thread ran. */
static void
undo(struct bgthread *t)
{
	if (t->wake[0] != -1) {
		close(t->wake[0]);
		close(t->wake[1]);
	}
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
}

int
bgthread_start(struct bgthread *t, const char *what, void *(*fn)(void *),
    void *arg, char *err, size_t errsz)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->wake[0] = t->wake[1] = -1;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pipe2(t->wake, O_CLOEXEC) == -1) {
		snprintf(err, errsz, "%s: pipe: %s", what, strerror(errno));
		goto fail;
	}
	if ((rc = pthread_create(&t->tid, NULL, fn, arg)) != 0) {
		snprintf(err, errsz, "%s: thread: %s", what, strerror(rc));
		goto fail;
	}
	pthread_mutex_lock(&t->mu);
	while (t->state == 0)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
	if (t->state == 1)
		return 0;
	snprintf(err, errsz, "%s", t->err);
	pthread_join(t->tid, NULL);
fail:
	undo(t);
	return -1;
}

void
bgthread_ready(struct bgthread *t, int state, const char *err)
{
	pthread_mutex_lock(&t->mu);
	t->state = state;
	snprintf(t->err, sizeof(t->err), "%s", err);
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

int
bgthread_wake_fd(const struct bgthread *t)
{
	return t->wake[0];
}

int
bgthread_stop(struct bgthread *t, const char *what)
{
	ssize_t n;

	do
		n = write(t->wake[1], "x", 1);
	while (n == -1 && errno == EINTR);
	if (n != 1) {
		log_warn("%s: cannot stop the thread", what);
		return -1;
	}
	pthread_join(t->tid, NULL);
	undo(t);
	return 0;
}
