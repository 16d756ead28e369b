#!/bin/bash
# 32 clients in parallel for about 5 s (python3 threads, keep-alive
# connections: a curl process per request would measure curl), adding
# users, changing them and reading, while the worker runs: no 5xx, no
# failed request, and every add that got a 200 is in the database
# afterwards (exact count).
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

CLIENTS=${CONC_CLIENTS:-32}
DURATION=${CONC_SECONDS:-5}
# No users in the core config: the worker imports them, and the counts
# below are exact.
CORE_VLESS_USERS=
CORE_TROJAN_USERS=
# Writes are applied to the core by the worker: they need a real core.
require_tools v2ray
stack_start
run_ok "database ready" wait_db 10

cat >"$RUN/load.py" <<'EOF'
import http.client, sys, threading, time

port, clients, duration, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
records = []
lock = threading.Lock()
start = threading.Barrier(clients)

def client(i):
    mine = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    def req(method, path, body=None):
        nonlocal conn
        try:
            conn.request(method, path, body=body, headers=FORM if body is not None else {})
            r = conn.getresponse()
            r.read()
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            return str(r.status)
        except Exception as e:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            return "000"
    n, last = 0, None
    start.wait()
    end = time.monotonic() + duration
    while time.monotonic() < end:
        n += 1
        k = n % 6
        if k in (1, 4) or last is None:
            name = "c%d_%d" % (i, n)
            st = req("POST", "/api/v1/add_user",
                     "user=%s&credential=%08d-0000-4000-8000-%012d" % (name, i, n))
            mine.append(("add", st, name))
            if st in ("200", "202"):
                last = name
        elif k == 2:
            mine.append(("set_enabled", req("PATCH", "/api/v1/set_enabled",
                         "user=%s&enabled=%s" % (last, "false" if n % 4 else "true")), last))
        elif k == 3:
            mine.append(("update_lim_ip", req("PATCH", "/api/v1/update_lim_ip",
                         "user=%s&lim_ip=%d" % (last, n % 101)), last))
        elif k == 5:
            mine.append(("adjust_date", req("PATCH", "/api/v1/adjust_date",
                         "user=%s&sub_end=%%2B1d" % last), last))
        elif n % 12 == 0:
            mine.append(("users", req("GET", "/api/v1/users"), "-"))
        else:
            mine.append(("stats", req("GET", "/api/v1/stats?sort_by=rate&sort_order=DESC"), "-"))
    conn.close()
    with lock:
        records.extend(mine)

threads = [threading.Thread(target=client, args=(i,)) for i in range(1, clients + 1)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as f:
    for r in records:
        f.write("%s %s %s\n" % r)
EOF

"$PYTHON3" "$RUN/load.py" "$HTTP_PORT" "$CLIENTS" "$DURATION" "$RUN/conc.all"
ok $? "load generator finished"
total=$(wc -l <"$RUN/conc.all")
diag "$total requests from $CLIENTS clients in ${DURATION}s"
ok $((total < CLIENTS)) "every client got through at least one request ($total in all)"
is "$(awk '$2 ~ /^5/' "$RUN/conc.all" | wc -l)" 0 "no 5xx"
is "$(awk '$2 == "000"' "$RUN/conc.all" | wc -l)" 0 "no failed connection or timeout"
# A write the worker has not applied to the core within api.apply_wait_ms
# is a 202 (saved, applied later): a success too.
is "$(awk '$2 !~ /^20[02]$/' "$RUN/conc.all" | wc -l)" 0 "every request got a 200 or 202"
awk '$2 != "200" { print $1, $2 }' "$RUN/conc.all" | sort | uniq -c | head -n 10 | sed 's/^/# /'
for op in add set_enabled update_lim_ip adjust_date users stats; do
	diag "$op: $(awk -v o="$op" '$1 == o' "$RUN/conc.all" | wc -l)"
done

awk '$1 == "add" && $2 ~ /^20[02]$/ { print $3 }' "$RUN/conc.all" | sort >"$RUN/added.txt"
sql "SELECT user FROM clients_stats WHERE user LIKE 'c%' ORDER BY user;" | sort >"$RUN/in-db.txt"
is "$(wc -l <"$RUN/in-db.txt")" "$(wc -l <"$RUN/added.txt")" "users in the DB = adds that got a 2xx"
if cmp -s "$RUN/added.txt" "$RUN/in-db.txt"; then
	pass "exactly the users whose add got a 2xx"
else
	fail "exactly the users whose add got a 2xx"
	diff "$RUN/added.txt" "$RUN/in-db.txt" | head -n 10 | sed 's/^/# /'
fi
is "$(sql "SELECT count(*) FROM clients_stats WHERE enabled NOT IN ('true', 'false');")" 0 "enabled is always 'true' or 'false'"
is "$(sql "SELECT count(*) FROM clients_stats WHERE lim_ip < 0 OR lim_ip > 100;")" 0 "lim_ip always in range"
api GET /api/v1/users
is "$(json_get 'len(j)')" "$(wc -l <"$RUN/added.txt")" "/users lists them all"
is "$(sql 'PRAGMA integrity_check;')" ok "integrity_check ok"
run_ok "every fcgi child survived" fcgi_alive
if [ "${STACK_WORKER:-1}" != 0 ]; then
	run_ok "the worker survived" pidfile_alive worker
fi
if grep -qE 'AddressSanitizer|runtime error:' "$RUN/fcgi.log" "$RUN/worker.log" 2>/dev/null; then
	fail "no sanitizer report"
	grep -hE -A5 'AddressSanitizer|runtime error:' "$RUN/fcgi.log" "$RUN/worker.log" | head -n 30 | sed 's/^/# /'
else
	pass "no sanitizer report"
fi

done_testing
