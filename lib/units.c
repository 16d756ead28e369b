/* Byte counts and bit rates as text (see units.h). */
#include "config.h"

#include <stdio.h>

#include "units.h"

void
fmt_bytes(int64_t bytes, char *out, size_t outsz)
{
	double v = bytes < 0 ? 0.0 : (double)bytes;

	if (v >= 1024.0 * 1024.0 * 1024.0)
		snprintf(
		    out, outsz, "%.2f GiB", v / (1024.0 * 1024.0 * 1024.0));
	else if (v >= 1024.0 * 1024.0)
		snprintf(out, outsz, "%.2f MiB", v / (1024.0 * 1024.0));
	else if (v >= 1024.0)
		snprintf(out, outsz, "%.2f KiB", v / 1024.0);
	else
		snprintf(out, outsz, "%.0f B", v);
}

void
fmt_rate(int64_t bps, char *out, size_t outsz)
{
	double v = bps < 0 ? 0.0 : (double)bps;

	if (v >= 1e6)
		snprintf(out, outsz, "%.2f Mbps", v / 1e6);
	else if (v >= 1e3)
		snprintf(out, outsz, "%.2f Kbps", v / 1e3);
	else
		snprintf(out, outsz, "%.0f bps", v);
}
