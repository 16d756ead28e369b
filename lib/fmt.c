#include "config.h"

/* Filled in by its module work. */
typedef int fmt_placeholder;
