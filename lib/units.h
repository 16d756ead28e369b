/*
 * Byte counts and bit rates as text, as the original v2ray-stat prints
 * them: the tables of /api/v1/stats and the daily report's traffic.
 */
#ifndef V2S_UNITS_H
#define V2S_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes in binary units: "%.2f GiB" / "%.2f MiB" / "%.2f KiB" / "%.0f B",
 * the unit chosen by value >= 2^30 / 2^20 / 2^10; negative counts as 0.
 * 24 bytes of OUT are always enough. */
void fmt_bytes(int64_t bytes, char *out, size_t outsz);
/* Bits per second in decimal units: "%.2f Mbps" / "%.2f Kbps" / "%.0f bps",
 * the unit chosen by value >= 1e6 / 1e3; negative counts as 0. */
void fmt_rate(int64_t bps, char *out, size_t outsz);

#endif
