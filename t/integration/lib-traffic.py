#!/usr/bin/env python3
"""Helpers of the accounting tests (t/integration/lib-traffic.sh).

  lib-traffic.py httpd PORT RUN        HTTP/1.1 on 127.0.0.1:PORT:
                                       GET /N answers N bytes; POST reads
                                       and drops the body (both directions)
  lib-traffic.py silent PORT RUN       accepts TCP connections and never
                                       answers (holds them open)
  lib-traffic.py poll DB OUT           appends one JSON line to OUT for each
                                       accounting commit seen in DB (a new
                                       worker_state tick_ms), every 40 ms
  lib-traffic.py view DB [CORE]        the accounting rows of DB, one
                                       canonical line each (sorted); with
                                       CORE, a counter without a row shows
                                       as a row of zeros
  lib-traffic.py missing DB CORE       the counters of CORE that have no row
                                       in DB
  lib-traffic.py expect DB CORE [BASE] the lines `view DB` must print: every
                                       row of DB and every counter of CORE
                                       ("NAME VALUE" lines, the api inbound
                                       left out); totals = BASE (a saved
                                       `view`; none: 0) + the counter,
                                       sess_* = the counter (0 if absent)
  lib-traffic.py statsrows CORE        the rows /api/v1/stats must show
                                       (blanks squeezed) for the counters of
                                       CORE with traffic, rate 0
  lib-traffic.py base LOG              the rows (as `view`) of the last commit
                                       in LOG before the last core restart
  lib-traffic.py chain LOG [rates]             checks every pair of consecutive
                                       commits in LOG: no lost, negative or
                                       doubled delta (with "rates": and the
                                       rate is the bits/s over the measured
                                       interval); prints the violations
RUN only makes the run directory appear in the command line (the harness
kills only processes whose command line names it).
"""
import json
import os
import socket
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = bytes(range(256)) * 256  # 64 KiB


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        try:
            n = int(self.path.lstrip("/").split("?")[0] or "0")
        except ValueError:
            n = 0
        n = max(0, min(n, 1 << 30))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.send_header("Connection", "close")
        self.end_headers()
        while n > 0:
            k = min(n, len(CHUNK))
            self.wfile.write(CHUNK[:k])
            n -= k

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or "0")
        while n > 0:
            b = self.rfile.read(min(n, 65536))
            if not b:
                break
            n -= len(b)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"ok")


def httpd(port):
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.serve_forever()


def silent(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # never read, never answer, never close


def snapshot(db):
    """One consistent read: (worker_state dict, rows dict)."""
    con = sqlite3.connect(db, timeout=5, isolation_level=None)
    try:
        con.execute("BEGIN")
        state = dict(con.execute("SELECT key, value FROM worker_state"))
        rows = {}
        for r in con.execute(
                "SELECT user, uplink, downlink, sess_uplink, sess_downlink, "
                "rate FROM clients_stats"):
            rows["user " + r[0]] = [int(x or 0) for x in r[1:]]
        for r in con.execute(
                "SELECT direction, source, uplink, downlink, sess_uplink, "
                "sess_downlink, rate FROM traffic_stats"):
            rows[(r[0] or "?") + " " + r[1]] = [int(x or 0) for x in r[2:]]
        con.execute("COMMIT")
    finally:
        con.close()
    return state, rows


def poll(db, out):
    last = None
    while True:
        try:
            state, rows = snapshot(db)
        except sqlite3.Error:
            time.sleep(0.04)
            continue
        tick = state.get("tick_ms")
        if tick is not None and tick != last:
            last = tick
            rec = {"tick_ms": int(tick),
                   "uptime": int(state.get("core_uptime", -1)),
                   "seen_ms": int(time.time() * 1000), "rows": rows}
            with open(out, "a") as f:
                f.write(json.dumps(rec, sort_keys=True) + "\n")
        time.sleep(0.04)


def fmt(key, v):
    return "%s up=%d down=%d sess_up=%d sess_down=%d" % (key, *v[:4])


def view(db, core):
    _, rows = snapshot(db)
    if core:
        for k in read_core(core):
            rows.setdefault(k, [0, 0, 0, 0, 0])
    for k in sorted(rows):
        print(fmt(k, rows[k]))


def missing(db, core):
    _, rows = snapshot(db)
    for k in sorted(read_core(core)):
        if k not in rows:
            print(k)


def fmt_bytes(v):
    """fcgi/http/fmt.c fmt_bytes."""
    v = float(max(v, 0))
    if v >= 1024.0 ** 3:
        return "%.2f GiB" % (v / 1024.0 ** 3)
    if v >= 1024.0 ** 2:
        return "%.2f MiB" % (v / 1024.0 ** 2)
    if v >= 1024.0:
        return "%.2f KiB" % (v / 1024.0)
    return "%.0f B" % v


def statsrows(core):
    for k, (u, d) in sorted(read_core(core).items()):
        if u == 0 and d == 0:
            continue
        kind, name = k.split(" ", 1)
        cells = [name] if kind == "user" else [name, kind]
        cells += ["0 bps"] + [fmt_bytes(x) for x in (u, d, u, d)]
        print(" ".join(cells))


def read_core(path):
    """Counters "NAME VALUE" -> {key: [up, down]} (the api inbound left
    out, as the worker must)."""
    c = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2:
                continue
            name = parts[0].split(">>>")
            if len(name) != 4 or name[2] != "traffic":
                continue
            kind, tag, _, d = name
            if kind == "inbound" and tag == "api":
                continue
            if kind not in ("user", "inbound", "outbound"):
                continue
            v = c.setdefault(kind + " " + tag, [0, 0])
            v[0 if d == "uplink" else 1] = int(parts[1])
    return c


def read_view(path):
    rows = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) != 6:
                continue
            rows[p[0] + " " + p[1]] = [int(x.split("=")[1]) for x in p[2:]]
    return rows


def expect(db, core, base):
    c = read_core(core)
    b = read_view(base) if base else {}
    _, rows = snapshot(db)
    keys = set(c) | set(b) | set(rows)
    for k in sorted(keys):
        cu, cd = c.get(k, [0, 0])
        bu, bd = b.get(k, [0, 0, 0, 0])[:2]
        print(fmt(k, [bu + cu, bd + cd, cu, cd]))


def read_log(log):
    recs = []
    with open(log) as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    return recs


def last_base(log):
    recs = read_log(log)
    last = None
    for a, b in zip(recs, recs[1:]):
        if 0 <= b["uptime"] < a["uptime"]:
            last = a
    if last is not None:
        for k in sorted(last["rows"]):
            print(fmt(k, last["rows"][k]))


def chain(log, rates):
    recs = read_log(log)
    bad = 0
    restarts = 0
    for a, b in zip(recs, recs[1:]):
        restarted = 0 <= b["uptime"] < a["uptime"]
        restarts += restarted
        elapsed = b["tick_ms"] - a["tick_ms"]
        for k in sorted(set(a["rows"]) | set(b["rows"])):
            ra = a["rows"].get(k, [0, 0, 0, 0, 0])
            rb = b["rows"].get(k, [0, 0, 0, 0, 0])
            moved = (rb[0] - ra[0]) + (rb[1] - ra[1])
            if rates and elapsed > 0 and moved >= 0:
                want = moved * 8000 // elapsed
                if rb[4] != want:
                    bad += 1
                    print("%s rate: tick %d -> %d: %d bytes in %d ms: "
                          "rate %d, want %d bits/s" %
                          (k, a["tick_ms"], b["tick_ms"], moved, elapsed,
                           rb[4], want))
            for i, d in ((0, "up"), (1, "down")):
                dt = rb[i] - ra[i]
                if restarted:
                    want = rb[2 + i]
                else:
                    want = rb[2 + i] - ra[2 + i]
                if dt != want or want < 0:
                    bad += 1
                    print("%s %s: tick %d -> %d (uptime %d -> %d): total "
                          "%d -> %d (+%d), sess %d -> %d: want +%d" %
                          (k, d, a["tick_ms"], b["tick_ms"], a["uptime"],
                           b["uptime"], ra[i], rb[i], dt, ra[2 + i],
                           rb[2 + i], want))
    print("commits %d restarts %d violations %d" % (len(recs), restarts, bad))


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "httpd":
        httpd(int(sys.argv[2]))
    elif cmd == "silent":
        silent(int(sys.argv[2]))
    elif cmd == "poll":
        poll(sys.argv[2], sys.argv[3])
    elif cmd == "view":
        view(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif cmd == "missing":
        missing(sys.argv[2], sys.argv[3])
    elif cmd == "statsrows":
        statsrows(sys.argv[2])
    elif cmd == "expect":
        base = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
        expect(sys.argv[2], sys.argv[3], base)
    elif cmd == "base":
        last_base(sys.argv[2])
    elif cmd == "chain":
        chain(sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "rates")
    else:
        sys.stderr.write(__doc__)
        sys.exit(64)


if __name__ == "__main__":
    main()
