/*
 * Adding users, shared by add_user and bulk_add_users, in two steps so
 * that the write lock is held only for the inserts: every check first,
 * reading only (the core config through its indexes, the database through
 * its indexes), then, in the write transaction, one indexed look each at
 * what another writer may have taken meanwhile, and the insert.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "coreops.h"
#include "fcgi.h"
#include "namefold.h"
#include "users.h"
#include "valid.h"

#define GENERATED_PASSWORD_LEN 30

/* 1 if the core config has EMAIL in any inbound (a name the core takes
 * for it: the same name key, lib/namefold.h), and the API did not delete
 * it; 0; or a negative DB_* code. */
static int
core_has_email(struct req *req, const struct corecfg *cc, const char *email)
{
	const struct core_client *c;
	int rc;

	if ((c = corecfg_find_name(cc, email)) == NULL)
		return 0;
	if ((rc = users_deleted(&req->app->db, c->email)) < 0)
		return rc;
	return rc == 0;
}

/* 1 if the core config's inbound TAG has credential CRED for a user the
 * API did not delete; 0; or a negative DB_* code. */
static int
core_has_credential(struct req *req, const struct corecfg *cc, const char *tag,
    const char *cred, enum proto proto)
{
	const struct core_client *c;
	int rc;

	if ((c = corecfg_find_cred(cc, tag, cred, proto)) == NULL)
		return 0;
	if ((rc = users_deleted(&req->app->db, c->email)) != 0)
		return rc < 0 ? rc : 0;
	return 1;
}

/* The 409 reasons, the same whichever check finds the name or the
 * credential taken. */
static int
name_taken(const char *user, char *err, size_t errsz)
{
	char q[200];

	snprintf(err, errsz, "user %s already exists",
	    req_quote(user, q, sizeof(q)));
	return 409;
}

static int
cred_taken(enum proto proto, char *err, size_t errsz)
{
	snprintf(err, errsz, "user with this %s already exists",
	    proto == PROTO_TROJAN ? "password" : "id");
	return 409;
}

/* Checks CRED for inbound IN (or generates one into U). */
static int
check_cred(const struct core_inbound *in, const char *cred, struct user_new *u,
    char *err, size_t errsz)
{
	char reason[96];

	if (*cred == '\0') {
		if (in->proto == PROTO_TROJAN)
			password_generate(u->cred, GENERATED_PASSWORD_LEN);
		else
			uuid_generate(u->cred);
	} else if (in->proto == PROTO_TROJAN) {
		if (valid_password(cred, reason, sizeof(reason)) == -1) {
			snprintf(err, errsz, "invalid password: %s", reason);
			return 400;
		}
		snprintf(u->cred, sizeof(u->cred), "%s", cred);
	} else {
		if (valid_uuid(cred) == -1) {
			snprintf(err, errsz,
			    "credential for %s (%s) must be "
			    "a UUID",
			    u->tag, proto_name(in->proto));
			return 400;
		}
		uuid_normalize(cred, u->cred);
	}
	return 200;
}

int
user_add_check(struct req *req, const struct corecfg *cc, const char *user,
    const char *cred, const char *tag, struct user_new *u, char *err,
    size_t errsz)
{
	const struct core_inbound *in;
	char reason[96], q[200];
	int rc;

	memset(u, 0, sizeof(*u));
	if (valid_user(user, reason, sizeof(reason)) == -1) {
		if (strncmp(reason, "too long", 8) == 0)
			snprintf(err, errsz,
			    "user or credential too long "
			    "(max %d characters)",
			    VALID_USER_MAX_CHARS);
		else
			snprintf(err, errsz, "invalid user name: %s", reason);
		return 400;
	}
	if (*tag == '\0')
		tag = req->app->cfg.default_inbound;
	if (valid_tag(tag) == -1 || (in = corecfg_inbound(cc, tag)) == NULL) {
		snprintf(err, errsz, "inbound with tag %s not found",
		    req_quote(tag, q, sizeof(q)));
		return 400;
	}
	if (in->proto == PROTO_OTHER) {
		snprintf(err, errsz,
		    "inbound %s (protocol %s) does not "
		    "accept users",
		    tag, req_quote(in->protocol, q, sizeof(q)));
		return 400;
	}
	u->user = user;
	u->tag = tag;
	u->proto = in->proto;
	if ((rc = check_cred(in, cred, u, err, errsz)) != 200)
		return rc;

	rc = users_exists(&req->app->db, user);
	if (rc == 0)
		rc = core_has_email(req, cc, user);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return name_taken(user, err, errsz);
	rc = users_credential_taken(&req->app->db, tag, u->cred);
	if (rc == 0)
		rc = core_has_credential(req, cc, tag, u->cred, u->proto);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return cred_taken(u->proto, err, errsz);
	return 200;
}

int
user_add_insert(struct req *req, const struct user_new *u, int64_t *op,
    char *err, size_t errsz)
{
	struct db *db = &req->app->db;
	char created[16];
	int rc;

	/* The core config was checked already: only the database's other
	 * writers can have taken the name or the credential since. */
	if ((rc = users_exists(db, u->user)) != 0)
		return rc < 0 ? rc : name_taken(u->user, err, errsz);
	if ((rc = users_credential_taken(db, u->tag, u->cred)) != 0)
		return rc < 0 ? rc : cred_taken(u->proto, err, errsz);
	now_hour_utc(created, sizeof(created));
	if ((rc = users_add(db, u->user, u->cred, u->tag, created)) != DB_OK)
		return rc;
	if ((*op = coreops_add(db, u->user)) < 0)
		return (int)*op;
	return 200;
}
