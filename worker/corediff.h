/*
 * What changed between two versions of the core config, as the worker
 * looks at a file someone else edited: the clients one version had and
 * the next lacks, and whether a traffic_stats row still has its inbound or
 * outbound.  Pure: no database, no files.
 */
#ifndef V2S_COREDIFF_H
#define V2S_COREDIFF_H

#include <stddef.h>

#include "corecfg.h"
#include "strset.h"

/* Adds the email of every client of CC to SET (which should be exact). */
void corediff_names(const struct corecfg *cc, struct strset *set);

/*
 * Calls FN with every name of PREV that NOW lacks (both exact sets of
 * client emails, corediff_names()), in no particular order.  Returns how
 * many.
 */
size_t corediff_removed(const struct strset *prev, const struct strset *now,
    void (*fn)(void *arg, const char *name), void *arg);

/*
 * 1 if CC has an outbound (OUTBOUND set) or an inbound (else) tagged TAG
 * (LEN bytes, compared exactly), else 0.
 */
int corediff_has_link(
    const struct corecfg *cc, int outbound, const char *tag, size_t len);

#endif
