/*
 * Keeping the proxy core's JSON config file in step with the database:
 * the users of every managed inbound are set to exactly the enabled users
 * the database wants there, while everything else in the file is kept
 * (unknown keys, flow, fallbacks, streamSettings, the order of keys as
 * json-c keeps it, other inbounds, client fields we do not know).  The file
 * is replaced atomically under a lock, and only when something changed.  An
 * unreadable or invalid file is never rewritten.
 */
#ifndef V2S_COREWRITE_H
#define V2S_COREWRITE_H

#include <stddef.h>

#include "cfg.h"
#include "corecfg.h"

/* One user the core should have. */
struct corewrite_user {
	const char *email; /* borrowed */
	const char *inbound_tag; /* borrowed */
	enum proto proto; /* the inbound's protocol */
	const char *credential; /* uuid (vless/vmess) or password (trojan) */
	const char *flow; /* vless flow or NULL */
};

/*
 * Sets the users of the core config at PATH (shape of TYPE: Xray/v2fly or
 * sing-box) to WANT (N entries):
 * - In every inbound of protocol vless, vmess or trojan, a client whose
 *   email (sing-box: name) matches a WANT entry of that inbound by name key
 *   (as the core compares names, lib/namefold.h) is kept as it is, with
 *   only its credential field replaced if it differs (the credential of
 *   the entry of exactly its email, if the group has one); WANT entries
 *   missing from their inbound are appended as
 *   {"email", "id"|"password", "flow" (if any), "level": 0} (sing-box:
 *   {"name", "uuid"|"password", "flow" (if any)}).
 * - A client whose email is KNOWN (IS_KNOWN returns 1; the database knows
 *   the name, enabled or not, or deleted it) but is not wanted in that
 *   inbound is removed.  A client the database does not know is kept as it
 *   is (the worker adopts it).
 * - sing-box: experimental.v2ray_api.stats.users gets every wanted email
 *   and loses known-but-unwanted ones (so new users are counted), when that
 *   list exists.
 * - A WANT entry whose inbound tag is not in the file is reported in
 *   *MISSING (count) and skipped.
 * The new file is written beside PATH (same directory), with PATH's mode
 * and owner, fsynced, then renamed over PATH, while holding an exclusive
 * flock(2) on "PATH.lock"; the directory is fsynced.  Output is json-c's
 * pretty form with two-space indents (comments in the old file are lost).
 * Returns 1 if the file was rewritten, 0 if nothing needed to change, -1
 * with a reason in ERR if PATH could not be read or parsed or written (the
 * file is then left exactly as it was).
 * Details (as built):
 * - WANT entries are grouped by (tag, name key of the email): a group is
 *   one user to the core, and an inbound gets one client per group, never
 *   two (the core would refuse the whole file when it starts): a client of
 *   a group already in place is removed, and of a group with no client the
 *   first entry is appended; the others count as applied.  An entry with
 *   no email, tag or credential, or whose protocol differs from its
 *   inbound's, is counted in *MISSING too (MISSING may be NULL); a client
 *   matching such a mismatched entry is kept untouched.  Users are appended
 *   in order of name key, so the output depends only on the set.
 * - "inbounds" absent or null: nothing to do.  "inbounds" not an array, or
 *   a managed inbound whose settings/clients/users has another type than
 *   object/array/null: -1.  A null clients/users counts as absent: it is
 *   created only if users must be added.
 * - json-c prints integers from their value, so a file holding an integer
 *   that would not print back as written (leading zero, "-0", beyond the
 *   64-bit range) or a number outside JSON's grammar ("1.", "1e") is
 *   refused (-1).  Other numbers keep their text ("1.0", "1e5").  Strings
 *   keep their value; their escapes may be written differently ("\u00e9" is
 *   written as the UTF-8 character, "\/" as "/").  Of a key given twice in
 *   one object only the last value is kept, as the cores do.
 * - Output: keys as "key": value, a newline at the end; an empty object or
 *   array is printed "{\n  }" / "[\n  ]" (json-c's form).
 * - A symlink at PATH is followed: the file it points to is replaced.
 *   The lock is taken before PATH is read.  If PATH's identity, size or
 *   mtime changed by the time of the rename (a writer that does not take
 *   the lock), -1 and nothing is replaced.  Not being allowed to give the
 *   new file PATH's owner is an error (-1).
 */
int corewrite_sync(const char *path, enum core_type type,
    const struct corewrite_user *want, size_t n,
    int (*is_known)(void *arg, const char *email), void *arg, size_t *missing,
    char *err, size_t errsz);

#endif
