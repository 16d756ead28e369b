/*
 * features.auth_lua: HAProxy's auth.lua follows the users the database
 * puts in the core (worker/core/authlua.h), whenever the core config file
 * is brought in step, and haproxy.reload_command makes HAProxy read it.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authlua.h"
#include "log.h"
#include "sha224.h"
#include "users.h"
#include "worker.h"
#include "xmalloc.h"

/* The file's identity, size and mtime as text ("" if it is missing). */
static void
signature(const char *path, char *sig, size_t sigsz)
{
	struct stat st;

	if (stat(path, &st) == -1)
		snprintf(sig, sigsz, "-");
	else
		snprintf(sig, sigsz, "%llu %llu %lld %lld.%09ld",
		    (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino, (long long)st.st_size,
		    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

void
authfile_tick(struct worker *w)
{
	char sig[sizeof(w->authlua_seen)];

	if (!w->cfg.feat_auth_lua)
		return;
	signature(w->cfg.auth_lua, sig, sizeof(sig));
	if (strcmp(sig, w->authlua_seen) != 0)
		authfile_sync(w, corefile_config(w));
}

void
authfile_sync(struct worker *w, const struct corecfg *cc)
{
	const struct core_inbound *in;
	struct authlua_user *users = NULL;
	sqlite3_stmt *st;
	char err[WSTATE_TEXT_MAX], hex[SHA224_HEX_SIZE];
	const char *cred;
	size_t n = 0, cap = 0, i;
	int rc;

	if (!w->cfg.feat_auth_lua || cc == NULL)
		return;
	if ((st = users_in_core_list(&w->db)) == NULL)
		return;
	while ((rc = db_next(&w->db, st)) == 1) {
		in = corecfg_inbound(cc, db_text(st, 2));
		if (in == NULL ||
		    (in->proto != PROTO_VLESS && in->proto != PROTO_TROJAN))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			users = xreallocarray(users, cap, sizeof(*users));
		}
		cred = db_text(st, 1);
		if (in->proto == PROTO_TROJAN) {
			sha224_hex(cred, strlen(cred), hex);
			cred = hex;
		}
		users[n].name = xstrdup(db_text(st, 0));
		users[n].value = xstrdup(cred);
		n++;
	}
	if (rc < 0)
		goto out;
	rc = authlua_sync(w->cfg.auth_lua, users, n, err, sizeof(err));
	if (rc == -1) {
		/* Tried at every tick: logged once per reason. */
		if (strcmp(err, w->authlua_error) != 0)
			log_warnx("auth.lua not updated: %s", err);
		snprintf(w->authlua_error, sizeof(w->authlua_error), "%s", err);
		goto out;
	}
	if (w->authlua_error[0] != '\0')
		log_info("auth.lua '%s' can be written again", w->cfg.auth_lua);
	w->authlua_error[0] = '\0';
	if (rc == 1) {
		log_info(
		    "auth.lua '%s' updated (%zu users)", w->cfg.auth_lua, n);
		haproxy_reload_schedule(w);
	}
out:
	signature(w->cfg.auth_lua, w->authlua_seen, sizeof(w->authlua_seen));
	for (i = 0; i < n; i++) {
		free((char *)users[i].name);
		free((char *)users[i].value);
	}
	free(users);
}
