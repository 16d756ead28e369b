#include "config.h"

#include "statsdec.h"

enum wire_type {
	WT_VARINT = 0,
	WT_FIXED64 = 1,
	WT_LEN = 2,
	WT_FIXED32 = 5,
};

/* Reads a varint at *P (before END); returns 0, or -1 if truncated or
 * longer than 10 bytes. */
static int
varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	const uint8_t *q = *p;

	while (q < end && shift < 70) {
		v |= (uint64_t)(*q & 0x7f) << shift;
		if ((*q++ & 0x80) == 0) {
			*p = q;
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/* Skips the value of a field of wire type WT; 0 or -1. */
static int
skip(const uint8_t **p, const uint8_t *end, unsigned wt)
{
	uint64_t v;

	switch (wt) {
	case WT_VARINT:
		return varint(p, end, &v);
	case WT_FIXED64:
		if (end - *p < 8)
			return -1;
		*p += 8;
		return 0;
	case WT_LEN:
		if (varint(p, end, &v) == -1 || v > (uint64_t)(end - *p))
			return -1;
		*p += v;
		return 0;
	case WT_FIXED32:
		if (end - *p < 4)
			return -1;
		*p += 4;
		return 0;
	default:
		return -1; /* groups are not used by these messages */
	}
}

/* Decodes one Stat message [P, END). */
static int
stat_msg(const uint8_t *p, const uint8_t *end, const char **name,
    size_t *namelen, int64_t *value)
{
	uint64_t key, v;

	*name = "";
	*namelen = 0;
	*value = 0;
	while (p < end) {
		if (varint(&p, end, &key) == -1)
			return -1;
		if (key == ((1 << 3) | WT_LEN)) {
			if (varint(&p, end, &v) == -1 ||
			    v > (uint64_t)(end - p))
				return -1;
			*name = (const char *)p;
			*namelen = (size_t)v;
			p += v;
		} else if (key == ((2 << 3) | WT_VARINT)) {
			if (varint(&p, end, &v) == -1)
				return -1;
			*value = (int64_t)v;
		} else if ((key >> 3) == 0 || skip(&p, end, key & 7) == -1)
			return -1;
	}
	return 0;
}

enum statsdec_rc
statsdec_walk(
    const uint8_t *buf, size_t len, statsdec_cb cb, void *arg, size_t *count)
{
	const uint8_t *p = buf, *end = buf + len;
	const char *name;
	size_t namelen, n = 0;
	uint64_t key, v;
	int64_t value;
	enum statsdec_rc rc = STATSDEC_OK;

	while (p < end) {
		if (varint(&p, end, &key) == -1) {
			rc = STATSDEC_MALFORMED;
			break;
		}
		if (key != ((1 << 3) | WT_LEN)) {
			if ((key >> 3) == 0 || skip(&p, end, key & 7) == -1) {
				rc = STATSDEC_MALFORMED;
				break;
			}
			continue;
		}
		if (varint(&p, end, &v) == -1 || v > (uint64_t)(end - p) ||
		    stat_msg(p, p + v, &name, &namelen, &value) == -1) {
			rc = STATSDEC_MALFORMED;
			break;
		}
		p += v;
		n++;
		if (cb(arg, name, namelen, value) != 0) {
			rc = STATSDEC_STOPPED;
			break;
		}
	}
	if (count != NULL)
		*count = n;
	return rc;
}
