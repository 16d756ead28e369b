#!/bin/sh
# Exactly-once ingestion under rotation and crashes: a writer appends known
# lines (matching and not, some written in two pieces) while the test
# rotates the log by rename and by copytruncate, and kill -9s the worker at
# random moments (restarting it each time).  At the end the sum of
# dns_stats.count equals the number of matching lines written, exactly,
# and so does every user's share.  TAP.
# ROTATE_SEED fixes the random choices (printed as a diagnostic).

top_builddir=${top_builddir:-.}
WORKER=$top_builddir/v2ray-stat-worker

if [ ! -x "$WORKER" ]; then
	echo "1..0 # SKIP worker not built"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not installed"
	exit 0
fi

exec python3 - "$WORKER" <<'EOF'
import os, random, shutil, signal, sqlite3, subprocess, sys, tempfile, time

WORKER = sys.argv[1]
ROUNDS = 16
seed = int(os.environ.get("ROTATE_SEED", str(int(time.time()))))
rnd = random.Random(seed)
T = tempfile.mkdtemp(prefix="v2s-rotate.")
LOG = os.path.join(T, "access.log")
DB = os.path.join(T, "v2ray-stat.db")
CFG = os.path.join(T, "v2ray-stat.yaml")
n = 0
worker = None


def ok(cond, desc):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc), flush=True)
    return cond


def start():
    global worker
    err = open(os.path.join(T, "worker.err"), "ab")
    worker = subprocess.Popen([WORKER, "-f", CFG], stderr=err)
    err.close()


def kill9():
    worker.send_signal(signal.SIGKILL)
    worker.wait()


def pos():
    try:
        c = sqlite3.connect(DB, timeout=5)
        r = c.execute("SELECT value FROM worker_state "
                      "WHERE key = 'access_log_pos'").fetchone()
        c.close()
    except sqlite3.Error:
        return None
    if r is None:
        return None
    d, i, o = r[0].split()
    return int(i), int(o)


def wait_until(cond, secs=20):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def caught_up():
    st = os.stat(LOG)
    return pos() == (st.st_ino, st.st_size)


users = ["alice", "bob", "carol", "dave@example.com"]
hosts = ["www.google.com", "example.org", "1.1.1.1", "2001:db8::1"]
want = {}
written = 0


def line():
    """One line; returns (text, user or None)."""
    global written
    written += 1
    ts = time.strftime("%Y/%m/%d %H:%M:%S")
    u = rnd.choice(users)
    src = "10.0.%d.%d:%d" % (rnd.randint(0, 3), rnd.randint(1, 9),
                             rnd.randint(1024, 65535))
    h = rnd.choice(hosts)
    dst = ("tcp:[%s]:443" % h) if ":" in h else "tcp:%s:443" % h
    r = rnd.random()
    if r < 0.08:
        return "%s %s accepted tcp:127.0.0.1:0 [api]\n" % (ts, src), None
    if r < 0.12:
        return "%s %s rejected  proxy/vless: invalid user\n" % (ts, src), None
    if r < 0.18:
        return "%s %s accepted %s [direct]\n" % (ts, src, dst), None
    if r < 0.20:
        return "%s not an access line at all\n" % ts, None
    if r < 0.60:
        return ("%s.%06d from %s accepted %s [vless-in >> direct] "
                "email: %s\n" % (ts, rnd.randint(0, 999999), src, dst, u)), u
    return "%s %s accepted %s [direct] email: %s\n" % (ts, src, dst, u), u


with open(CFG, "w") as f:
    f.write("""v2ray-stat:
  type: v2fly
  monitor:
    ticker_interval: 1
core:
  config: %s/core.json
  access_log: %s
  access_log_from_start: true
  api_address: 127.0.0.1:1
paths:
  database: %s
  f2b_log: ""
""" % (T, LOG, DB))

print("1..5")
print("# seed %d (ROTATE_SEED)" % seed)
fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
kills = renames = truncs = 0
start()
try:
    for rnd_no in range(ROUNDS):
        chunks = rnd.randint(8, 16)
        kill_at = set(rnd.sample(range(chunks), rnd.randint(1, 2)))
        for c in range(chunks):
            text = []
            for _ in range(rnd.randint(1, 60)):
                s, u = line()
                text.append(s)
                if u is not None:
                    want[u] = want.get(u, 0) + 1
            data = "".join(text).encode()
            if rnd.random() < 0.3:
                # A line arrives in two pieces.
                cut = rnd.randint(1, len(data) - 1)
                os.write(fd, data[:cut])
                time.sleep(rnd.uniform(0, 0.3))
                os.write(fd, data[cut:])
            else:
                os.write(fd, data)
            if c in kill_at:
                time.sleep(rnd.uniform(0, 1.2))
                kill9()
                kills += 1
                time.sleep(rnd.uniform(0, 0.3))
                start()
            time.sleep(rnd.uniform(0, 0.05))
        # Rotate: rename or copytruncate, in turn.
        old = LOG + ".%d" % rnd_no
        if rnd_no % 2 == 0:
            # The worker must be on the current file before it moves
            # again (one rotation between two reads at most).
            ino = os.stat(LOG).st_ino
            wait_until(lambda: pos() is not None and pos()[0] == ino)
            os.rename(LOG, old)
            # The writer reopens (as a restarted core would), maybe
            # finishing a last line in the old file first.
            s, u = line()
            if u is not None:
                want[u] = want.get(u, 0) + 1
            os.write(fd, s.encode())
            os.close(fd)
            fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            renames += 1
            if rnd.random() < 0.5:
                kill9()
                kills += 1
                start()
        else:
            # copytruncate loses what the reader has not read yet by
            # design: let it catch up first, and see the truncation
            # before the file grows again.
            wait_until(caught_up)
            size = os.stat(LOG).st_size
            shutil.copyfile(LOG, old)
            os.truncate(LOG, 0)
            truncs += 1
            if rnd.random() < 0.5:
                kill9()
                kills += 1
                start()
            wait_until(lambda: pos() is not None and pos()[1] < size)
    total = sum(want.values())
    done = wait_until(caught_up, 30)
    ok(done, "the worker catches up with the log (%d lines written)"
       % written)
    ok(kills >= 10, "%d kill -9, %d renames, %d copytruncates"
       % (kills, renames, truncs))
    c = sqlite3.connect(DB, timeout=5)
    got = c.execute("SELECT COALESCE(SUM(count), 0) FROM dns_stats") \
        .fetchone()[0]
    ok(got == total, "sum of dns_stats.count = %d matching lines (got %d)"
       % (total, got))
    per = dict(c.execute("SELECT user, SUM(count) FROM dns_stats "
                         "GROUP BY user").fetchall())
    ok(per == want, "every user's count is exact")
    if per != want:
        print("# got %r\n# want %r" % (per, want))
    c.close()
    worker.send_signal(signal.SIGTERM)
    ok(worker.wait(timeout=10) == 0, "the worker stops cleanly")
    worker = None
finally:
    if worker is not None and worker.poll() is None:
        kill9()
    os.close(fd)
    shutil.rmtree(T, ignore_errors=True)
EOF
