#!/usr/bin/env python3
"""t/layout.py: the rules of the source tree, checked (TAP).

- v2ray-stat.fcgi links neither PCRE2 nor gRPC nor protobuf-c nor
  libcurl, and the worker not libfcgi (the dynamic section of the built
  programs);
- every header in lib/ is used by both programs: reached from fcgi/ and
  from worker/ through their #includes;
- the contract between the programs has one home: core_ops, outbox and
  worker_state are named in SQL only in lib/coreops.c, lib/outbox.c,
  lib/wstate.c and the schema, and the worker_state key names only in lib/wstate.c;
- no .c file outside t/ is over 700 lines;
- every route's handler api_NAME lives in fcgi/api_NAME.c;
- Makefile.am names every test once and no issue numbers.

Run by make check with top_srcdir and top_builddir in the environment.
"""
import os
import re
import subprocess
import sys

top = os.environ.get("top_srcdir", ".")
build = os.environ.get("top_builddir", top)
n = 0
failed = 0


def ok(cond, desc, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        for line in str(detail).splitlines():
            print(f"#   {line}")


def sources(*dirs, exts=(".c", ".h")):
    out = []
    for d in dirs:
        for root, _, files in os.walk(os.path.join(top, d)):
            for f in sorted(files):
                if f.endswith(exts) and ".pb-c." not in f:
                    out.append(os.path.relpath(os.path.join(root, f), top))
    return sorted(out)


def read(path):
    with open(os.path.join(top, path), encoding="utf-8") as f:
        return f.read()


# ------------------------------------------------------------ linking
def needed(prog):
    path = os.path.join(build, prog)
    try:
        out = subprocess.run(["readelf", "-d", path], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        return None, str(e)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out), ""


libs, why = needed("v2ray-stat.fcgi")
ok(libs is not None and libs, "v2ray-stat.fcgi: dynamic section read", why)
bad = [lib for lib in libs or [] if re.match(r"lib(pcre2|grpc|gpr|protobuf)", lib)]
ok(libs is not None and not bad,
   "v2ray-stat.fcgi links no PCRE2, gRPC or protobuf-c", " ".join(bad))
bad = [lib for lib in libs or [] if lib.startswith("libcurl")]
ok(libs is not None and not bad,
   "v2ray-stat.fcgi links no libcurl (only the worker talks to Telegram)",
   " ".join(bad))
libs, why = needed("v2ray-stat-worker")
ok(libs is not None and any(lib.startswith("libgrpc") for lib in libs),
   "v2ray-stat-worker: dynamic section read (gRPC linked)", why)
ok(libs is not None and not any(lib.startswith("libfcgi") for lib in libs),
   "v2ray-stat-worker links no libfcgi")

# ------------------------------------------------------------ lib/ headers
include_re = re.compile(r'^#include "([^"]+)"', re.M)
tree = sources("lib", "fcgi", "worker")
by_name = {}
for path in tree:
    by_name.setdefault(os.path.basename(path), []).append(path)
includes = {path: include_re.findall(read(path)) for path in tree}


def reach(start):
    """Every header reached from the files START (a header reached also
    brings in its own .c file, whose includes count too)."""
    seen = set()
    todo = list(start)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in includes.get(path, []):
            for hit in by_name.get(name, []):
                todo.append(hit)
                c = hit[:-2] + ".c"
                if hit.endswith(".h") and c in includes:
                    todo.append(c)
    return seen


from_fcgi = reach([p for p in tree if p.startswith("fcgi/") and p.endswith(".c")
                   and not p.startswith("fcgi/http/")])
from_worker = reach([p for p in tree if p.startswith("worker/")
                     and p.endswith(".c") and "/" not in p[len("worker/"):]])
lib_headers = [p for p in tree if p.startswith("lib/") and p.endswith(".h")]
ok(len(lib_headers) > 5, f"lib/ has {len(lib_headers)} headers")
only = [f"{h}: {'fcgi' if h in from_fcgi else 'worker' if h in from_worker else 'neither'}"
        for h in lib_headers if not (h in from_fcgi and h in from_worker)]
ok(not only, "every lib/ header is used by both programs", "\n".join(only))

# ------------------------------------------------------------ the contract
code = sources("lib", "fcgi", "worker", exts=(".c",))


def strings(path):
    """The string literals of PATH, comments removed."""
    text = read(path)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.findall(r'"((?:[^"\\\n]|\\.)*)"', text)


def mentions(table, allowed):
    hits = []
    for path in code:
        if path in allowed:
            continue
        for s in strings(path):
            if re.search(r"\b%s\b" % table, s):
                hits.append(f"{path}: \"{s}\"")
    return hits


hits = mentions("core_ops", {"lib/coreops.c", "lib/schema.c"})
ok(not hits, "core_ops is queried only in lib/coreops.c (and the schema)",
   "\n".join(hits))
hits = mentions("worker_state", {"lib/wstate.c", "lib/schema.c"})
ok(not hits, "worker_state is queried only in lib/wstate.c (and the schema)",
   "\n".join(hits))
sql_outbox = re.compile(r"\b(FROM|INTO|UPDATE|TABLE)\s+outbox\b", re.I)
hits = [f"{path}: \"{st}\"" for path in code
        if path not in ("lib/outbox.c", "lib/schema.c")
        for st in strings(path) if sql_outbox.search(st)]
ok(not hits, "outbox is queried only in lib/outbox.c (and the schema)",
   "\n".join(hits))
keys = re.findall(r'\[WS_[A-Z_]+\] = \{ "([a-z_]+)"', read("lib/wstate.c"))
ok(len(keys) >= 10, f"lib/wstate.c names {len(keys)} keys")
# (The schema names clients_stats.core_error, a column, not the key.)
hits = [f"{path}: \"{s}\"" for path in code
        if path not in ("lib/wstate.c", "lib/schema.c")
        for s in strings(path) if s in keys]
ok(not hits, "no worker_state key name outside lib/wstate.c", "\n".join(hits))
done_re = re.compile(r"\bdone\s*(=|IN|!=|<|>)\s*\(?\s*\d")
hits = [f"{path}: \"{s}\"" for path in code for s in strings(path)
        if done_re.search(s)]
ok(not hits, "no bare core_ops.done number in SQL", "\n".join(hits))

# ------------------------------------------------------------ file sizes
big = []
for path in sources("lib", "fcgi", "worker", "bench", exts=(".c",)):
    lines = read(path).count("\n")
    if lines > 700:
        big.append(f"{path}: {lines} lines")
ok(not big, "no .c file outside t/ is over 700 lines", "\n".join(big))

# ------------------------------------------------------------ routes
route = read("fcgi/route.c")
handlers = re.findall(r'\{\s*"/api/v1/[^"]*",\s*"[A-Z]+",\s*(api_\w+)', route)
ok(len(handlers) >= 17, f"fcgi/route.c routes to {len(handlers)} handlers")
misplaced = []
for h in handlers:
    path = f"fcgi/{h}.c"
    if not os.path.exists(os.path.join(top, path)) or \
            not re.search(r"^%s\(struct req \*req\)" % h, read(path), re.M):
        misplaced.append(f"{h} is not defined in {path}")
ok(not misplaced, "every route's handler api_NAME is in fcgi/api_NAME.c",
   "\n".join(misplaced))

# ------------------------------------------------------------ Makefile.am
am = read("Makefile.am")
ok(not re.search(r"\bissue\b", am, re.I), "Makefile.am names no issues")
tests = re.findall(r"\bt/(?:unit|integration)/[\w-][\w.-]*", am)
dups = sorted({t for t in tests if tests.count(t) > 1})
ok(tests and not dups, f"Makefile.am names each of its {len(set(tests))} tests once",
   " ".join(dups))

print(f"1..{n}")
sys.exit(1 if failed else 0)
