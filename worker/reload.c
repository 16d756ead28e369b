/*
 * sing-box has no user API: its users change through the config file and
 * core.reload_command, run once a burst of changes is over
 * (core.reload_delay), after the counters are committed (a reload zeroes
 * them).
 */
#include "config.h"

#include <sys/wait.h>

#include <spawn.h>
#include <stdint.h>

#include "clock.h"
#include "log.h"
#include "worker.h"

extern char **environ;

void
reload_schedule(struct worker *w)
{
	if (w->cfg.core_reload_command[0] != '\0' && w->reload_at == 0)
		w->reload_at =
		    mono_ms() + (int64_t)w->cfg.core_reload_delay * 1000;
}

void
reload_due(struct worker *w)
{
	char *argv[] = { (char *)"sh", (char *)"-c", NULL, NULL };
	pid_t pid;
	int status;

	if (w->reload_at == 0 || mono_ms() < w->reload_at)
		return;
	w->reload_at = 0;
	/* A sing-box reload zeroes its counters: commit them first. */
	worker_tick(w);
	argv[2] = w->cfg.core_reload_command;
	/* posix_spawn, not fork: the gRPC library's threads are running. */
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) {
		log_warn("reload: cannot run '%s'", w->cfg.core_reload_command);
		return;
	}
	if (waitpid(pid, &status, 0) == -1)
		log_warn("reload: waitpid");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warnx("reload: '%s' failed (status %d)",
		    w->cfg.core_reload_command, status);
	else
		log_info("core reloaded with '%s'", w->cfg.core_reload_command);
}
