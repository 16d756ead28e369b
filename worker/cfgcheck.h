/*
 * What v2ray-stat-worker -n says beyond the file's syntax: the keys that
 * are accepted for compatibility with the original but do not do what
 * their name says, and the paths the running programs would fail to use.
 */
#ifndef V2S_CFGCHECK_H
#define V2S_CFGCHECK_H

#include <stdio.h>

#include "cfg.h"

/*
 * Prints one warning line per finding to F, as the loader's:
 * "FILE:LINE: warning: KEY: ..." for a key the file sets, or
 * "FILE: warning: KEY (default): ..." for a default.  Paths are checked
 * with the rights of the calling user (run it as the service's user to
 * see what the service will see).  Returns the number of warnings.
 */
int cfgcheck_report(const struct cfg *cfg, FILE *f);

#endif
