#!/usr/bin/env python3
"""Writes N lines of Xray-format access log to stdout, deterministic per seed.

usage: gen-accesslog.py [-n LINES] [-u USERS] [-s SEED] [--v2fly]

Variety (roughly): users u0..u(USERS-1) with a skewed popularity; IPv4
sources and ~10% IPv6; ~70 destination domains plus some IPv4/IPv6
destinations and udp:1.1.1.1:53; ~8% lines without email, ~2% [api] lines,
~2% rejected lines; "tcp:" before the source on half of the lines; inbound
tags vless-in/trojan-in and the detour arrows >>, ->, ==>.
With --v2fly the v2fly 4.34 shape is written instead (no microseconds, no
"from ", only the outbound tag).
"""
import argparse
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000000)
    ap.add_argument("-u", type=int, default=1000)
    ap.add_argument("-s", type=int, default=1)
    ap.add_argument("--v2fly", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.s)
    words = ["google", "youtube", "telegram", "github", "cloudflare", "apple",
             "yandex", "wikipedia", "netflix", "microsoft", "amazon", "vk"]
    tlds = ["com", "org", "net", "ru", "io"]
    domains = ["%s%s.%s" % (pre, w, t) for w in words for t in tlds[:3]
               for pre in ("", "www.")][:70]
    outs = ["direct", "direct", "direct", "block", "warp"]
    arrows = [">>", ">>", ">>", "->", "==>"]
    ips = {}
    out = sys.stdout
    t = 1749902400  # 2025/06/14 12:00:00 UTC
    usec = 0
    for i in range(a.n):
        usec += rnd.randint(0, 20000)
        t += usec // 1000000
        usec %= 1000000
        # A fixed calendar day/hour walk without time zones.
        s = t - 1749902400
        ts = "2025/06/14 %02d:%02d:%02d" % ((12 + s // 3600) % 24,
                                             (s // 60) % 60, s % 60)
        if not a.v2fly:
            ts += ".%06d" % usec
        u = (int(rnd.paretovariate(1.2)) - 1) % a.u
        if u not in ips:
            ips[u] = ("10.%d.%d.%d" % (u >> 16 & 255, u >> 8 & 255, u & 255)
                      if rnd.random() > 0.1 else "2001:db8::%x" % (u + 1))
        ip = ips[u]
        src = ("[%s]" % ip if ":" in ip else ip) + ":%d" % rnd.randint(1024, 65535)
        if rnd.random() < 0.5:
            src = "tcp:" + src
        frm = src if a.v2fly else "from " + src
        r = rnd.random()
        if r < 0.02:
            reason = "proxy/vless/encoding: invalid request user id"
            if a.v2fly:
                reason = "v2ray.com/core/" + reason
            out.write("%s %s rejected  %s\n" % (ts, frm, reason))
            continue
        if r < 0.04:
            det = "[api]" if a.v2fly else "[api >> api]"
            out.write("%s %s accepted tcp:127.0.0.1:0 %s\n" % (ts, frm, det))
            continue
        d = rnd.random()
        if d < 0.8:
            dst = "tcp:%s:443" % rnd.choice(domains)
        elif d < 0.9:
            dst = "udp:1.1.1.1:53"
        elif d < 0.95:
            dst = "tcp:93.184.%d.%d:80" % (rnd.randint(0, 255), rnd.randint(1, 254))
        else:
            dst = "tcp:[2606:4700::%x]:443" % rnd.randint(1, 65535)
        inb = "vless-in" if u % 3 else "trojan-in"
        det = ("[%s]" % rnd.choice(outs) if a.v2fly else
               "[%s %s %s]" % (inb, rnd.choice(arrows), rnd.choice(outs)))
        line = "%s %s accepted %s %s" % (ts, frm, dst, det)
        if rnd.random() >= 0.08:
            line += " email: u%d" % u
        out.write(line + "\n")


if __name__ == "__main__":
    main()
