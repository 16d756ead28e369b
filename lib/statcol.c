#include "config.h"

/* Filled in by its module work. */
typedef int statcol_placeholder;
