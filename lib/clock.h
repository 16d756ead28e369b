/* The clocks: monotonic time for intervals and deadlines, wall time for
 * what is stored. */
#ifndef V2S_CLOCK_H
#define V2S_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds and in microseconds. */
int64_t mono_ms(void);
int64_t mono_us(void);

/* CLOCK_MONOTONIC in seconds, for measurements. */
double mono_s(void);

/* CLOCK_REALTIME in milliseconds since the epoch. */
int64_t wall_ms(void);

#endif
