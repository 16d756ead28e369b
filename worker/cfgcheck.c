/* The -n checks beyond the syntax (see cfgcheck.h). */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cfgcheck.h"
#include "outbox.h"

struct check {
	const struct cfg *cfg;
	FILE *f;
	int n;
};

/* One warning about KEY. */
static void warn_key(struct check *c, const char *key, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static void
warn_key(struct check *c, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t line;

	line = cfg_key_line(c->cfg, key);
	if (line > 0)
		fprintf(c->f, "%s:%zu: warning: %s: ", c->cfg->path, line, key);
	else
		fprintf(c->f, "%s: warning: %s (default): ", c->cfg->path, key);
	va_start(ap, fmt);
	vfprintf(c->f, fmt, ap);
	va_end(ap);
	fputc('\n', c->f);
	c->n++;
}

/* The directory of PATH, in OUT. */
static const char *
dir_of(const char *path, char *out, size_t outsz)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(out, outsz, "%s", dirname(tmp));
	return out;
}

/*
 * A file the worker writes (or creates) at PATH: it must be writable if
 * it exists, else its directory must let it be created.
 */
static void
check_writable(struct check *c, const char *key, const char *path)
{
	struct stat st;
	char dir[4096];

	if (path[0] == '\0')
		return;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			warn_key(c, key, "'%s' is a directory", path);
		else if (access(path, W_OK) == -1)
			warn_key(c, key, "'%s' cannot be written: %s", path,
			    strerror(errno));
		return;
	}
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		warn_key(c, key,
		    "'%s' cannot be created: its directory '%s' does not exist",
		    path, dir);
	else if (access(dir, W_OK | X_OK) == -1)
		warn_key(c, key, "'%s' cannot be created in '%s': %s", path,
		    dir, strerror(errno));
}

/* A file the worker reads at PATH; WAITS: a missing one is waited for. */
static void
check_readable(struct check *c, const char *key, const char *path, int waits,
    const char *missing)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT && waits)
			warn_key(c, key, "'%s' does not exist (yet): %s", path,
			    missing);
		else
			warn_key(c, key, "'%s': %s: %s", path, strerror(errno),
			    missing);
		return;
	}
	if (S_ISDIR(st.st_mode))
		warn_key(c, key, "'%s' is a directory", path);
	else if (access(path, R_OK) == -1)
		warn_key(
		    c, key, "'%s' cannot be read: %s", path, strerror(errno));
}

int
cfgcheck_report(const struct cfg *cfg, FILE *f)
{
	struct check c = { cfg, f, 0 };
	struct stat st;
	char dir[4096];

	/* Accepted for the original's sake; nginx owns the port. */
	if (cfg_key_line(cfg, "v2ray-stat.address") > 0)
		warn_key(&c, "v2ray-stat.address",
		    "does not choose where the API listens (nginx's listen "
		    "directive does); only tells the routing check where it "
		    "is");
	if (cfg_key_line(cfg, "v2ray-stat.port") > 0)
		warn_key(&c, "v2ray-stat.port",
		    "does not choose where the API listens (nginx's listen "
		    "directive does); only tells the routing check where it "
		    "is");

	/* The core's files. */
	check_readable(&c, "core.config", cfg->core_config, 0,
	    "the users of the core cannot be managed");
	if (stat(cfg->core_config, &st) == 0 &&
	    access(dir_of(cfg->core_config, dir, sizeof(dir)), W_OK) == -1)
		warn_key(&c, "core.config",
		    "its directory '%s' is not writable: the worker cannot "
		    "replace the file",
		    dir);
	check_readable(&c, "core.access_log", cfg->core_access_log, 1,
	    "the worker waits for it (the core's log.access must name it)");
	if (stat(cfg->core_dir, &st) == -1 || !S_ISDIR(st.st_mode))
		warn_key(&c, "core.dir",
		    "'%s' is not a directory: the original's .disabled_users "
		    "is not looked for there",
		    cfg->core_dir);

	/* What the worker writes. */
	check_writable(&c, "paths.database", cfg->database);
	check_writable(&c, "paths.f2b_log", cfg->f2b_log);
	if (outbox_configured(cfg))
		check_readable(&c, "paths.f2b_banned_log", cfg->f2b_banned_log,
		    1,
		    "fail2ban's action writes it; bans are announced once "
		    "it exists");
	if (cfg->feat_auth_lua)
		check_writable(&c, "paths.auth_lua", cfg->auth_lua);
	return c.n;
}
