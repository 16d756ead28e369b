/*
 * Reload commands, run once a burst of changes is over (core.reload_delay):
 * core.reload_command for sing-box, which has no user API and reads its
 * users from the config file (after the counters are committed: a reload
 * zeroes them), and haproxy.reload_command after auth.lua changed.
 */
#include "config.h"

#include <sys/wait.h>

#include <spawn.h>
#include <stdint.h>

#include "clock.h"
#include "log.h"
#include "worker.h"

extern char **environ;

static void
schedule(const struct worker *w, const char *cmd, int64_t *at)
{
	if (cmd[0] != '\0' && *at == 0)
		*at = mono_ms() + (int64_t)w->cfg.core_reload_delay * 1000;
}

void
reload_schedule(struct worker *w)
{
	schedule(w, w->cfg.core_reload_command, &w->reload_at);
}

void
haproxy_reload_schedule(struct worker *w)
{
	schedule(w, w->cfg.haproxy_reload_command, &w->haproxy_reload_at);
}

/* Runs CMD through /bin/sh and waits for it; WHAT names it in the log. */
static void
run(const char *what, char *cmd)
{
	char *argv[] = { (char *)"sh", (char *)"-c", NULL, NULL };
	pid_t pid;
	int status;

	argv[2] = cmd;
	/* posix_spawn, not fork: the gRPC library's threads are running. */
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) {
		log_warn("reload: cannot run '%s'", cmd);
		return;
	}
	if (waitpid(pid, &status, 0) == -1)
		log_warn("reload: waitpid");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warnx("reload: '%s' failed (status %d)", cmd, status);
	else
		log_info("%s reloaded with '%s'", what, cmd);
}

void
reload_due(struct worker *w)
{
	int64_t now = mono_ms();

	if (w->haproxy_reload_at != 0 && now >= w->haproxy_reload_at) {
		w->haproxy_reload_at = 0;
		run("HAProxy", w->cfg.haproxy_reload_command);
	}
	if (w->reload_at == 0 || now < w->reload_at)
		return;
	w->reload_at = 0;
	/* A sing-box reload zeroes its counters: commit them first. */
	worker_tick(w);
	run("core", w->cfg.core_reload_command);
}
