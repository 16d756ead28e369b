/* The system watch's rolling averages and their crossings (sysmon.h). */
#include "config.h"

#include <stdlib.h>

#include "sysmon.h"
#include "xmalloc.h"

size_t
usage_window_size(int average_interval, int ticker)
{
	if (ticker < 1)
		ticker = 10;
	if (average_interval < 1)
		return 1;
	return ((size_t)average_interval + (size_t)ticker - 1) / (size_t)ticker;
}

void
usage_window_init(struct usage_window *uw, size_t cap)
{
	if (cap < 1)
		cap = 1;
	uw->v = xcalloc(cap, sizeof(*uw->v));
	uw->cap = cap;
	uw->n = uw->next = 0;
}

void
usage_window_free(struct usage_window *uw)
{
	free(uw->v);
	uw->v = NULL;
	uw->cap = uw->n = uw->next = 0;
}

void
usage_window_push(struct usage_window *uw, double v)
{
	if (uw->cap == 0)
		return;
	uw->v[uw->next] = v;
	uw->next = (uw->next + 1) % uw->cap;
	if (uw->n < uw->cap)
		uw->n++;
}

int
usage_window_average(const struct usage_window *uw, double *avg)
{
	double sum = 0;
	size_t i;

	if (uw->cap == 0 || uw->n < uw->cap)
		return 0;
	/* Summed again each time (a day of 1 s ticks is 86400 adds): no
	 * drift of a running sum. */
	for (i = 0; i < uw->n; i++)
		sum += uw->v[i];
	*avg = sum / (double)uw->n;
	return 1;
}

enum usage_cross
usage_cross(int raised, int threshold, double avg)
{
	if (threshold <= 0)
		return UC_NONE;
	if (!raised && avg > (double)threshold)
		return UC_ABOVE;
	if (raised && avg <= (double)threshold)
		return UC_BELOW;
	return UC_NONE;
}
