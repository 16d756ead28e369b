/*
 * HAProxy's auth.lua (features.auth_lua): the Lua table
 *
 *	local users = {
 *	  ["NAME"] = "VALUE",
 *	}
 *
 * that an HAProxy Lua script checks its clients against (VALUE: a vless
 * user's UUID, or the hex SHA-224 of a trojan user's password).  The table
 * belongs to v2ray-stat: its lines are replaced as a whole by the users
 * given.  The rest of the file (the script around it) is kept byte for
 * byte.
 */
#ifndef V2S_AUTHLUA_H
#define V2S_AUTHLUA_H

#include <stddef.h>

struct buf;

struct authlua_user {
	const char *name;
	const char *value;
};

/*
 * Appends S to B as a double-quoted Lua string literal that reads back as
 * S: '"' and '\' escaped, control bytes and DEL as "\ddd" (three digits),
 * every other byte (UTF-8 too) as it is.  The literal is one line.
 */
void authlua_quote(struct buf *b, const char *s);

/*
 * Puts in *OUT (a new NUL-terminated buffer, *OUTLEN bytes; freed by the
 * caller) the file OLD (OLDLEN bytes) with its users table holding the N
 * USERS, one "  [NAME] = VALUE," line each, in the order given.  The
 * table starts at the first line that is "local users = {" (spaces
 * anywhere between the words, a "--" comment after) and ends at the next
 * line that starts with "}" (spaces before; ";" and a comment after); a
 * one-line "local users = {}" is opened into lines.  An empty OLD gives a
 * file of its own: a comment, the table and "return users" (for dofile()
 * or require()).  Returns 0, or -1 with a reason in ERR and nothing
 * allocated if OLD has text but no such table.
 */
int authlua_render(const char *old, size_t oldlen,
    const struct authlua_user *users, size_t n, char **out, size_t *outlen,
    char *err, size_t errsz);

/*
 * Makes the file PATH hold the N USERS (authlua_render()), under the lock
 * "PATH.lock" (worker/core/atomicfile.h).  A missing PATH is created, mode
 * 0640; through a symlink, the file it points to is the one written; an
 * existing file keeps its mode and owner.  The file is replaced (temporary
 * file and rename) only when its text would change.  Returns 1 if it was
 * written, 0 if it already held these users, or -1 with a reason in ERR
 * and the file untouched.
 */
int authlua_sync(const char *path, const struct authlua_user *users, size_t n,
    char *err, size_t errsz);

#endif
