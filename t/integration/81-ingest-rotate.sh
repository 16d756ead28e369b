#!/bin/sh
# Exactly-once ingestion under rotation and crashes.  Every phase has its
# own log, database and worker (1 s tick, no core answering on
# core.api_address), and ends by comparing dns_stats with the matching
# lines written (or, with copytruncate, still in the files), in all and
# per user.  TAP.
#
#  1. kill -9: a writer appends known lines (matching and not, some
#     written in two pieces) while the test rotates the log by rename and
#     by copytruncate (after letting the worker catch up) and kill -9s the
#     worker at random moments, restarting it each time.
#  2. fast renames: 24 batches, the log renamed a few hundred
#     milliseconds after each (the writer reopens), never waiting for the
#     worker.
#  3. inode reuse: the worker is killed in the middle of a batch; the log
#     is rotated and deleted, and the new log gets its inode and more
#     bytes than the committed offset, in lines of the same length (a line
#     start at the old offset).  Read from 0 after the restart.
#  4. copytruncate, then at once more lines than the file had, in lines
#     of the same length, with lines the worker had not read yet: those
#     come from the copy.
#  5. logrotate -f with the shipped snippet (conf/logrotate, paths
#     rewritten: copytruncate, compress, delaycompress) three times while
#     lines are written, each line with a destination of its own: every
#     line in the log and its rotated copies (plain and gzip) is counted
#     once, and nothing else but lines written while logrotate ran
#     (between its copy and its truncation, they are in no file).
# ROTATE_SEED fixes the random choices (printed as a diagnostic).

top_srcdir=${top_srcdir:-.}
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

exec python3 - "$WORKER" "$top_srcdir/conf/logrotate/v2ray-stat" <<'EOF'
import glob, gzip, os, random, shutil, signal, sqlite3, subprocess, sys
import tempfile, threading, time

WORKER = sys.argv[1]
SNIPPET = sys.argv[2]
SCALE = float(os.environ.get("V2S_TIME_SCALE", "1") or "1")
ROUNDS = 16
seed = int(os.environ.get("ROTATE_SEED", str(int(time.time()))))
rnd = random.Random(seed)
TOP = tempfile.mkdtemp(prefix="v2s-rotate.")
T = LOG = DB = CFG = None
n = 0
worker = None


def ok(cond, desc):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc), flush=True)
    return cond


def skip(desc):
    global n
    n += 1
    print("ok %d # SKIP %s" % (n, desc), flush=True)


def setup(name):
    """A fresh directory, log, database and configuration."""
    global T, LOG, DB, CFG
    T = os.path.join(TOP, name)
    os.mkdir(T)
    LOG = os.path.join(T, "access.log")
    DB = os.path.join(T, "v2ray-stat.db")
    CFG = os.path.join(T, "v2ray-stat.yaml")
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


def start():
    global worker
    err = open(os.path.join(T, "worker.err"), "ab")
    worker = subprocess.Popen([WORKER, "-f", CFG], stderr=err)
    err.close()


def kill9():
    worker.send_signal(signal.SIGKILL)
    worker.wait()


def stop():
    """SIGTERM; True if the worker exits 0."""
    global worker
    worker.send_signal(signal.SIGTERM)
    rc = worker.wait(timeout=10 * SCALE)
    worker = None
    return rc == 0


def q(sql):
    c = sqlite3.connect(DB, timeout=5)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


def pos():
    try:
        r = q("SELECT value FROM worker_state WHERE key = 'access_log_pos'")
    except sqlite3.Error:
        return None
    if not r:
        return None
    d, i, o = r[0][0].split()
    return int(i), int(o)


def wait_until(cond, secs=20):
    end = time.time() + secs * SCALE
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def caught_up():
    st = os.stat(LOG)
    return pos() == (st.st_ino, st.st_size)


def counted():
    return dict(q("SELECT user, SUM(count) FROM dns_stats GROUP BY user"))


def check_counts(want, what):
    """Two tests: the sum and every user's share equal WANT."""
    per = counted()
    total = sum(want.values())
    got = sum(per.values())
    ok(got == total, "%s: sum of dns_stats.count = %d matching lines "
       "(got %d)" % (what, total, got))
    ok(per == want, "%s: every user's count is exact" % what)
    if per != want:
        print("# got %r\n# want %r" % (per, want))


def add(want, u):
    if u is not None:
        want[u] = want.get(u, 0) + 1


users = ["alice", "bob", "carol", "dave@example.com"]
hosts = ["www.google.com", "example.org", "1.1.1.1", "2001:db8::1"]
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


def batch(want, k):
    """K random lines as bytes, counted in WANT."""
    text = []
    for _ in range(k):
        s, u = line()
        text.append(s)
        add(want, u)
    return "".join(text).encode()


fixed_users = ["alice", "bobby", "carol", "daves"]
LINE_LEN = 118  # of every fixed_batch() line


def fixed_batch(want, k):
    """K matching lines, all of the same length, counted in WANT."""
    text = []
    for _ in range(k):
        u = rnd.choice(fixed_users)
        text.append("%s.%06d from tcp:10.0.%d.%d:%05d accepted "
                    "tcp:www.example.com:443 [vless-in >> direct] "
                    "email: %s\n" % (time.strftime("%Y/%m/%d %H:%M:%S"),
                                     rnd.randint(0, 999999),
                                     rnd.randint(0, 9), rnd.randint(0, 9),
                                     rnd.randint(10000, 65535), u))
        assert len(text[-1]) == LINE_LEN
        add(want, u)
    return "".join(text).encode()


def reopen(fd):
    os.close(fd)
    return os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def phase_kill():
    """Phase 1: kill -9 at random moments, rename and copytruncate."""
    want = {}
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    kills = renames = truncs = 0
    start()
    for rnd_no in range(ROUNDS):
        chunks = rnd.randint(8, 16)
        kill_at = set(rnd.sample(range(chunks), rnd.randint(1, 2)))
        for c in range(chunks):
            data = batch(want, rnd.randint(1, 60))
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
            # again if it is killed meanwhile (tail.h).
            ino = os.stat(LOG).st_ino
            wait_until(lambda: pos() is not None and pos()[0] == ino)
            os.rename(LOG, old)
            # The writer reopens (as a restarted core would), maybe
            # finishing a last line in the old file first.
            os.write(fd, batch(want, 1))
            fd = reopen(fd)
            renames += 1
            if rnd.random() < 0.5:
                kill9()
                kills += 1
                start()
        else:
            # Here the worker catches up first, and sees the truncation
            # before the file grows again (phases 4 and 5 do not wait).
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
    os.close(fd)
    ok(wait_until(caught_up, 30),
       "kill -9: the worker catches up with the log (%d lines written)"
       % written)
    ok(kills >= 10, "%d kill -9, %d renames, %d copytruncates"
       % (kills, renames, truncs))
    check_counts(want, "kill -9")
    ok(stop(), "the worker stops cleanly")


def phase_renames():
    """Phase 2: a rename a few hundred ms after each batch."""
    want = {}
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    start()
    wait_until(lambda: pos() is not None)  # the worker is up
    for b in range(24):
        os.write(fd, batch(want, rnd.randint(20, 60)))
        time.sleep(rnd.uniform(0.2, 0.4))
        os.rename(LOG, LOG + ".%d" % b)
        if rnd.random() < 0.5:
            os.write(fd, batch(want, 1))  # a last line before reopening
        fd = reopen(fd)
    os.close(fd)
    ok(wait_until(caught_up, 30),
       "fast renames: 24 renames 0.2-0.4 s apart, the worker catches up")
    check_counts(want, "fast renames")
    ok(stop(), "the worker stops cleanly")


def phase_reuse():
    """Phase 3: the new log gets the inode of the deleted one."""
    want = {}
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    start()
    os.write(fd, fixed_batch(want, 30))
    # The fault needs a committed offset in this file.
    wait_until(lambda: pos() is not None and pos()[1] > 0)
    os.write(fd, fixed_batch({}, rnd.randint(1, 200)))
    time.sleep(rnd.uniform(0, 0.3))
    kill9()
    # What the dead worker committed is final; the rest of the old file
    # is deleted with it.
    want = counted()
    ino, off = pos()
    os.close(fd)
    os.rename(LOG, LOG + ".1")
    os.unlink(LOG + ".1")
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    reused = os.stat(LOG).st_ino == ino
    k = off // LINE_LEN + rnd.randint(10, 40)
    os.write(fd, fixed_batch(want, k))
    os.close(fd)
    start()
    if not reused:
        for _ in range(4):
            skip("inode reuse: the filesystem gave the new log another "
                 "inode")
        stop()
        return
    ok(os.stat(LOG).st_size > off and wait_until(caught_up),
       "inode reuse: the new log (inode %d again, %d bytes over the "
       "committed offset %d) is read" % (ino, os.stat(LOG).st_size - off,
                                        off))
    check_counts(want, "inode reuse")
    ok(stop(), "the worker stops cleanly")


def phase_copytruncate():
    """Phase 4: copytruncate, then at once a longer burst."""
    want = {}
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    start()
    os.write(fd, fixed_batch(want, 5))
    # Before the worker read a byte of the file, nothing tells a copy
    # of it (tail.h): let it start.
    wait_until(lambda: pos() is not None and pos()[1] > 0)
    for r in range(8):
        os.write(fd, fixed_batch(want, rnd.randint(5, 40)))
        time.sleep(rnd.uniform(0, 0.3))
        size = os.stat(LOG).st_size
        shutil.copyfile(LOG, LOG + ".%d" % r)
        os.truncate(LOG, 0)
        os.write(fd, fixed_batch(want, size // LINE_LEN + rnd.randint(1, 20)))
        time.sleep(rnd.uniform(0.2, 0.5))
    os.close(fd)
    ok(wait_until(caught_up, 30),
       "copytruncate + burst: 8 times, the worker catches up")
    check_counts(want, "copytruncate + burst")
    ok(stop(), "the worker stops cleanly")


def file_domains(path):
    """The destinations of the complete lines of PATH (plain or gzip)."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    return set(ln.split(b" accepted tcp:")[1].split(b":")[0].decode()
               for ln in data.split(b"\n")[:-1])


def phase_logrotate():
    """Phase 5: the real logrotate -f while lines are written."""
    lr = shutil.which("logrotate") or (
        "/usr/sbin/logrotate" if os.access("/usr/sbin/logrotate", os.X_OK)
        else None)
    if lr is None:
        for _ in range(5):
            skip("logrotate not installed")
        return
    conf = os.path.join(T, "logrotate.conf")
    with open(SNIPPET) as f:
        text = f.read()
    text = text.replace("/usr/local/etc/xray/access.log", LOG)
    text = text.replace("/var/log/v2ray-stat.log",
                        os.path.join(T, "f2b.log"))
    text = text.replace("/var/log/v2ray-stat-banned.log",
                        os.path.join(T, "f2b-banned.log"))
    with open(conf, "w") as f:
        f.write(text)
    os.chmod(conf, 0o644)
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    stopping = threading.Event()
    wrote = {}  # destination (one per line) -> (user, when)

    def write_lines(k):
        # Whole lines per write(2), as the core writes them; each line
        # has a destination of its own, so dns_stats tells which lines
        # were counted.
        text = []
        now = time.time()
        for _ in range(k):
            u = rnd.choice(users)
            d = "l%d.example" % len(wrote)
            wrote[d] = (u, now)
            text.append("%s.%06d from tcp:10.0.0.%d:%d accepted tcp:%s:443 "
                        "[vless-in >> direct] email: %s\n"
                        % (time.strftime("%Y/%m/%d %H:%M:%S"),
                           rnd.randint(0, 999999), rnd.randint(1, 9),
                           rnd.randint(1024, 65535), d, u))
        os.write(fd, "".join(text).encode())

    def writer():
        while not stopping.is_set():
            write_lines(rnd.randint(1, 5))
            time.sleep(0.003)

    start()
    write_lines(5)
    wait_until(lambda: pos() is not None and pos()[1] > 0)
    th = threading.Thread(target=writer)
    th.start()
    rcs = []
    runs = []
    try:
        for _ in range(3):
            time.sleep(rnd.uniform(0.6, 1.2))
            t0 = time.time()
            rcs.append(subprocess.run(
                [lr, "-f", "-s", os.path.join(T, "logrotate.state"), conf],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT).returncode)
            runs.append((t0, time.time()))
        time.sleep(rnd.uniform(0.2, 0.6))
    finally:
        stopping.set()
        th.join()
        os.close(fd)
    files = sorted(glob.glob(LOG + "*"))
    ok(rcs == [0, 0, 0] and len(files) >= 3 and
       any(f.endswith(".gz") for f in files),
       "logrotate -f three times while writing: %s" %
       " ".join(os.path.basename(f) for f in files))
    ok(wait_until(caught_up, 30), "logrotate: the worker catches up")
    infiles = set()
    for f in files:
        infiles |= file_domains(f)
    got = {}
    for u, d, c in q("SELECT user, domain, count FROM dns_stats"):
        got[d] = (u, c)
    ok(all(d in wrote and c == 1 and wrote[d][0] == u
           for d, (u, c) in got.items()),
       "logrotate: %d lines written, %d counted, none twice, each under "
       "its user" % (len(wrote), len(got)))
    missed = infiles - set(got)
    ok(not missed, "logrotate: every line in the log and its copies is "
       "counted (%d lines, %d missed)" % (len(infiles), len(missed)))
    # copytruncate loses what is written between the copy and the
    # truncation; the worker may have read some of it before.
    extra = [d for d in set(got) - infiles
             if not any(a - 0.01 <= wrote[d][1] <= b + 0.01
                        for a, b in runs)]
    ok(not extra, "logrotate: the %d lines counted but in no file were "
       "written while logrotate ran" % len(set(got) - infiles))
    stop()


print("1..22")
print("# seed %d (ROTATE_SEED)" % seed)
try:
    for name, phase in (("kill", phase_kill), ("renames", phase_renames),
                        ("reuse", phase_reuse),
                        ("copytruncate", phase_copytruncate),
                        ("logrotate", phase_logrotate)):
        setup(name)
        phase()
finally:
    if worker is not None and worker.poll() is None:
        kill9()
    shutil.rmtree(TOP, ignore_errors=True)
EOF
