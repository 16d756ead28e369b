/*
 * Reading a whole file descriptor into memory, with a size limit: the
 * configuration file and the cores' JSON files are read this way.
 */
#ifndef V2S_FDREAD_H
#define V2S_FDREAD_H

#include <stddef.h>

/*
 * Reads FD to its end into a new NUL-terminated buffer (*TEXT, freed by
 * the caller; *LEN bytes before the NUL).  HINT is the expected size
 * (e.g. from fstat), used to size the buffer.  Returns 0, or -1 with
 * errno set (EFBIG if there are more than MAX bytes) and nothing
 * allocated.
 */
int fd_read_all(int fd, size_t max, size_t hint, char **text, size_t *len);

#endif
