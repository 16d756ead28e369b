/* libFuzzer target: the QueryStats reply walker (worker/core/statsdec.c) on
 * arbitrary bytes, checking every name it hands out lies in the input. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "statsdec.h"

struct bounds {
	const uint8_t *lo, *hi;
};

static int
check(void *arg, const char *name, size_t len, int64_t value)
{
	struct bounds *b = arg;

	(void)value;
	if (len > 0 &&
	    ((const uint8_t *)name < b->lo ||
		(const uint8_t *)name + len > b->hi))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bounds b = { data, data + size };
	size_t n;

	statsdec_walk(data, size, check, &b, &n);
	if (n > size)
		abort();
	return 0;
}
