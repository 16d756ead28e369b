#include "config.h"

/* Filled in by its module work. */
typedef int multipart_placeholder;
