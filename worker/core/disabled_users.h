/*
 * The original v2ray-stat kept disabled users out of the core config, in a
 * side file "core.dir/.disabled_users" shaped like the core config
 * ({"inbounds": [{"tag", "protocol", "settings": {"clients": [...]}}]};
 * sing-box: inbounds[].type, .users[] with name/uuid/password).  We keep
 * disabled users in the database instead; this reads that file once, so
 * its users can be imported as disabled, and then retires it.
 */
#ifndef V2S_DISABLED_USERS_H
#define V2S_DISABLED_USERS_H

#include <stddef.h>

#include "cfg.h"
#include "corecfg.h"

/*
 * Reads the users of the vless, vmess and trojan inbounds in the side file
 * PATH (shape of TYPE), each with its email, credential, inbound tag,
 * protocol and flow; entries without an email or credential are skipped,
 * and an email that appears in several inbounds is returned once for each.
 * On 0, *OUT (owned by the caller; free with disabled_users_free()) holds
 * *N users (*OUT may be NULL when *N is 0).  Returns 1 if PATH does not
 * exist (*OUT NULL, *N 0, nothing to import), -1 with a one-line reason in
 * ERR if it cannot be read or parsed (*OUT NULL, *N 0).
 */
int disabled_users_read(const char *path, enum core_type type,
    struct core_client **out, size_t *n, char *err, size_t errsz);

/* Frees the N users of USERS as returned by disabled_users_read(). */
void disabled_users_free(struct core_client *users, size_t n);

/*
 * Renames PATH to "PATH.imported" so that it is imported only once; if that
 * name is taken, "PATH.imported.1" ... "PATH.imported.99" (an older import
 * is never overwritten).  The directory is fsynced.  Returns 0, 1 if PATH
 * does not exist, -1 with a reason in ERR.
 */
int disabled_users_retire(const char *path, char *err, size_t errsz);

#endif
