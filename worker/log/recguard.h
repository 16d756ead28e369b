/*
 * Lines that begin inside a record of the core.  The cores write each
 * access record with one write(2), ending in a newline, but some records
 * carry bytes the client chose, newlines included, so one record can
 * span several lines and every line after its first is the client's
 * text: a forged access line (any time, source IP and email) if the
 * client wrote one.  The guard follows the log line by line and says
 * which lines begin at a point where such a record may still go on.
 *
 * Which records of v2fly 4.34 (and Xray, built the same way) carry raw
 * client bytes (common/log/access.go writes every field as it is):
 *
 *  1. "invalid domain name: NAME" (common/protocol/address.go): a request
 *     whose destination name fails isValidDomain is rejected with the
 *     name in the reason, raw, up to 255 bytes (one length byte), at the
 *     end of the record.  Reached by trojan (with a valid password: the
 *     address is read after the user) and shadowsocks (valid key), TCP
 *     and UDP, and by socks5.  VLESS and VMess replace the error with
 *     "invalid request address" / "invalid remote address".  Guarded:
 *     any line that starts within 255 bytes after the first
 *     "invalid domain name: " of a line is inside that record.
 *  2. SOCKS4a (proxy/socks/protocol.go, a socks inbound without auth):
 *     the destination name is read up to a NUL, unchecked, up to a read
 *     buffer (2047 bytes in v2fly, 8191 in Xray), and written as the TO
 *     of an "accepted" record: "... accepted tcp:NAME:PORT [tag]".  When
 *     a line that begins a record is accepted and its TO is not a clean
 *     HOST:PORT, it is taken as such a record and the lines that start
 *     within 8191 bytes after the name's start as inside it.  (Not for a
 *     line already inside a record: there every line is the client's,
 *     and one request could widen its span to 8191 bytes.)  The
 *     client can make that first line look clean ("x:80 [direct] email:
 *     bob" then a newline): that cannot be recognised from the log, which
 *     is why a socks inbound without auth must not be open to customers
 *     (v2ray-stat(8)).
 *
 * Not raw: the destinations of accepted records read by the address
 * parser (checked by isValidDomain), the HTTP inbound's URL (escaped),
 * the source (an address the core formats; but see X-Forwarded-For in
 * v2ray-stat(8)), the email and tags (the admin's).
 *
 * The guard is conservative: a real record that starts within the span
 * is skipped too (at most the span's bytes after each such record).
 */
#ifndef V2S_RECGUARD_H
#define V2S_RECGUARD_H

#include <stddef.h>
#include <stdint.h>

#define RECGUARD_DOMAIN_MAX 255 /* a name after a one-byte length */
#define RECGUARD_SOCKS4A_MAX 8191 /* a SOCKS4a name (Xray's buffer) */

/*
 * The state between two lines: LEFT is how many bytes after the start of
 * the next line a line can still begin inside a record (-1: none).  Keep
 * it with the log position: it is part of where the reading stands.
 */
struct recguard {
	int64_t left;
};

/* Sets G to "no record open" (the start of a file, or no history). */
void recguard_init(struct recguard *g);

/*
 * Feeds the next line of the log (LINE, LEN bytes, without its newline).
 * Returns 1 if the line begins inside a record (do not trust it), else 0.
 * Either way the line is looked at for the start of client text that may
 * go on past its end, which opens (or widens) the span.
 */
int recguard_line(struct recguard *g, const char *line, size_t len);

#endif
