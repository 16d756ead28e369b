/*
 * core.kill_connections: closing the open connections of a user just taken
 * out of the core, with "ss -K" for each of the user's source IPs of the
 * last hour and the inbound's port (see v2ray-stat.yaml(5) for where this
 * cannot work).  The core itself keeps a removed user's connections open.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <spawn.h>
#include <stdio.h>

#include "log.h"
#include "worker.h"

extern char **environ;

void
killconn_user(struct worker *w, const struct corecfg *cc, const char *tag,
    const char *user)
{
	const struct core_inbound *in;
	struct in6_addr a6;
	struct in_addr a4;
	sqlite3_stmt *st;
	char port[16], dst[64];
	char *argv[] = { (char *)"ss", (char *)"-K", (char *)"-n",
		(char *)"dst", dst, (char *)"sport", (char *)"=", port, NULL };
	pid_t pid;
	int status, n = 0;

	if (cc == NULL || (in = corecfg_inbound(cc, tag)) == NULL ||
	    in->port <= 0)
		return;
	snprintf(port, sizeof(port), ":%d", in->port);
	st = db_query(&w->db,
	    "SELECT ip FROM user_ips WHERE user = ?1 AND "
	    "last_seen >= CAST(strftime('%s', 'now') AS INTEGER) - 3600",
	    dbv_text(user));
	while (db_next(&w->db, st) == 1) {
		/* Only well-formed addresses reach the command line. */
		if (inet_pton(AF_INET, db_text(st, 0), &a4) == 1)
			snprintf(dst, sizeof(dst), "%s", db_text(st, 0));
		else if (inet_pton(AF_INET6, db_text(st, 0), &a6) == 1)
			snprintf(dst, sizeof(dst), "[%s]", db_text(st, 0));
		else
			continue;
		if (posix_spawnp(&pid, "ss", NULL, NULL, argv, environ) != 0 ||
		    waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			log_warnx("user '%s': 'ss -K dst %s sport = %s' failed",
			    user, dst, port);
		else
			n++;
	}
	if (n > 0)
		log_info(
		    "user '%s': connections from %d addresses closed", user, n);
}
