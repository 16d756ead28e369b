#include "config.h"

/* Filled in by its module work. */
typedef int valid_placeholder;
