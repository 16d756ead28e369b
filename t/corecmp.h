/*
 * Test helper: comparing two proxy core configs apart from the users that
 * corewrite_sync() manages, the oracle for "everything else was kept".
 */
#ifndef V2S_T_CORECMP_H
#define V2S_T_CORECMP_H

#include <stddef.h>

#include "cfg.h"

/*
 * Compares the core configs at A and B (shape of TYPE) while ignoring what
 * corewrite_sync() manages: the clients (sing-box: users) arrays of
 * vless/vmess/trojan inbounds, a "settings" object that holds nothing but
 * "clients" where the other file has no "settings", and sing-box's
 * experimental.v2ray_api.stats.users.  Everything else must be equal: same
 * keys in the same order, same array lengths, strings byte for byte,
 * numbers as written.  Returns 0 if they are equal, 1 if they differ (ERR
 * then names the first difference, e.g. "inbounds[2].settings.fallbacks:
 * missing in B"), -1 if either file cannot be read or parsed as
 * corewrite_sync() reads it (ERR says why).
 */
int corecmp_files(
    const char *a, const char *b, enum core_type type, char *err, size_t errsz);

#endif
