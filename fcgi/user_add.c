/* Adding one user: the checks and the insert shared by add_user and
 * bulk_add_users. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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
	size_t i;
	int rc;

	for (i = 0; i < cc->nclients; i++) {
		if (name_key_cmp(cc->clients[i].email, email) != 0)
			continue;
		if ((rc = users_deleted(&req->app->db, cc->clients[i].email)) <
		    0)
			return rc;
		return rc == 0;
	}
	return 0;
}

/* 1 if the core config's inbound TAG has credential CRED for a user the
 * API did not delete; 0; or a negative DB_* code. */
static int
core_has_credential(struct req *req, const struct corecfg *cc, const char *tag,
    const char *cred, enum proto proto)
{
	const struct core_client *c;
	size_t i;
	int rc;

	for (i = 0; i < cc->nclients; i++) {
		c = &cc->clients[i];
		if (strcmp(c->inbound_tag, tag) != 0)
			continue;
		if (proto == PROTO_TROJAN
			? strcmp(c->credential, cred) != 0
			: strcasecmp(c->credential, cred) != 0)
			continue;
		if ((rc = users_deleted(&req->app->db, c->email)) != 0)
			return rc < 0 ? rc : 0;
		return 1;
	}
	return 0;
}

int
user_add_one(struct req *req, const struct corecfg *cc, const char *user,
    const char *cred, const char *tag, char *cred_out, char *err, size_t errsz)
{
	const struct core_inbound *in;
	char reason[96], created[16], q[200];
	int rc;

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
	if (*cred == '\0') {
		if (in->proto == PROTO_TROJAN)
			password_generate(cred_out, GENERATED_PASSWORD_LEN);
		else
			uuid_generate(cred_out);
	} else if (in->proto == PROTO_TROJAN) {
		if (valid_password(cred, reason, sizeof(reason)) == -1) {
			snprintf(err, errsz, "invalid password: %s", reason);
			return 400;
		}
		snprintf(cred_out, VALID_CRED_MAX + 1, "%s", cred);
	} else {
		if (valid_uuid(cred) == -1) {
			snprintf(err, errsz,
			    "credential for %s (%s) must be "
			    "a UUID",
			    tag, proto_name(in->proto));
			return 400;
		}
		uuid_normalize(cred, cred_out);
	}

	rc = users_exists(&req->app->db, user);
	if (rc < 0)
		return rc;
	if (rc == 0)
		rc = core_has_email(req, cc, user);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		snprintf(err, errsz, "user %s already exists",
		    req_quote(user, q, sizeof(q)));
		return 409;
	}
	rc = users_credential_taken(&req->app->db, tag, cred_out);
	if (rc < 0)
		return rc;
	if (rc == 0)
		rc = core_has_credential(req, cc, tag, cred_out, in->proto);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		snprintf(err, errsz, "user with this %s already exists",
		    in->proto == PROTO_TROJAN ? "password" : "id");
		return 409;
	}

	now_hour_utc(created, sizeof(created));
	rc = users_add(&req->app->db, user, cred_out, tag, created);
	return rc < 0 ? rc : 200;
}
