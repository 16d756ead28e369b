#!/bin/bash
# 16 clients in parallel for about 5 s add, disable, enable and delete
# users (each its own names, VLESS and Trojan) while the worker runs.
# Afterwards the database, the core (asked through t/coreapi-cli and
# probed with a real client) and the core's config file agree exactly on
# the enabled users, and match what the clients were told.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u
lap start

require_tools v2ray python3 coreapi-cli
CLIENTS=${CONC_CLIENTS:-16}
DURATION=${CONC_SECONDS:-5}
CFG_TICKER=1
lc_stack_start
lap "setup"

cat >"$RUN/life-load.py" <<'EOF'
import http.client, json, random, string, sys, threading, time, urllib.parse, uuid

port, clients, duration, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
lock = threading.Lock()
model = {}      # user -> [state, tag, credential]
statuses = {}   # "METHOD path status" -> count
errors = []
start = threading.Barrier(clients)

def client(i):
    rnd = random.Random(i * 7919 + 1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine, n = [], 0
    def req(method, path, params):
        nonlocal conn
        body = urllib.parse.urlencode(params)
        for attempt in (0, 1):
            try:
                conn.request(method, path, body=body, headers=FORM)
                r = conn.getresponse()
                text = r.read().decode("utf-8", "replace")
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                break
            except (http.client.HTTPException, OSError) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if attempt == 1:
                    with lock:
                        errors.append("%s %s %s: %r" % (method, path, params, e))
                    return None
        with lock:
            key = "%s %s %d" % (method, path.split("?")[0], r.status)
            statuses[key] = statuses.get(key, 0) + 1
            if r.status not in (200, 202):
                errors.append("%s %s %s: %d %s" % (method, path, params, r.status, text.strip()))
        return r.status
    start.wait()
    until = time.monotonic() + duration
    while time.monotonic() < until:
        live = [u for u in mine if model[u][0] != "deleted"]
        if not live or rnd.random() < 0.4:
            n += 1
            name = "c%02dn%03d" % (i, n)
            if n % 2:
                tag, cred = "vless-in", str(uuid.UUID(int=rnd.getrandbits(128), version=4))
            else:
                tag, cred = "trojan-in", "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(20))
            st = req("POST", "/api/v1/add_user", {"user": name, "credential": cred, "inboundTag": tag})
            if st in (200, 202):
                with lock:
                    model[name] = ["enabled", tag, cred]
                mine.append(name)
            continue
        u = rnd.choice(live)
        what = rnd.random()
        if what < 0.4:
            st = req("PATCH", "/api/v1/set_enabled", {"user": u, "enabled": "false"})
            new = "disabled"
        elif what < 0.8:
            st = req("PATCH", "/api/v1/set_enabled", {"user": u, "enabled": "true"})
            new = "enabled"
        else:
            st = req("DELETE", "/api/v1/delete_user?" + urllib.parse.urlencode({"user": u}), {})
            new = "deleted"
        if st in (200, 202):
            with lock:
                model[u][0] = new
    conn.close()

threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
json.dump({"model": model, "statuses": statuses, "errors": errors}, open(out, "w"), indent=1)
EOF

t0=$(now_ms)
"$PYTHON3" "$RUN/life-load.py" "$HTTP_PORT" "$CLIENTS" "$DURATION" "$RUN/load.json" >"$RUN/load.log" 2>&1
ok $? "the load ran" || diag "$(tail -n 5 "$RUN/load.log")"
diag "load: $(($(now_ms) - t0)) ms"
lap "load"

# summary PYEXPR: evaluates over the load's result d.
summary() {
	"$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = d["model"]
print(eval(sys.argv[2]))' "$RUN/load.json" "$1"
}
diag "requests: $(summary '" ".join("%s=%d" % kv for kv in sorted(d["statuses"].items()))')"
diag "users: $(summary 'len(m)') (enabled $(summary 'sum(1 for v in m.values() if v[0] == "enabled")'), disabled $(summary 'sum(1 for v in m.values() if v[0] == "disabled")'), deleted $(summary 'sum(1 for v in m.values() if v[0] == "deleted")'))"
is "$(summary 'len(d["errors"])')" 0 "no request failed (every answer 200 or 202)" ||
	diag "$(summary '"\n".join(d["errors"][:10])')"
is "$(summary 'sum(v for k, v in d["statuses"].items() if k.endswith(" 202"))')" 0 \
    "every change was applied before the reply (no 202 with the core up)"
n_users=$(summary 'len(m)')
if [ "${n_users:-0}" -ge 50 ]; then pass "a real load ($n_users users)"; else fail "a real load ($n_users users)"; fi

settled() {
	[ "$(sql "SELECT count(*) FROM core_ops WHERE done IN (0, 2);")" = 0 ]
}
run_ok "every change is applied within 10 s" within 10 settled
is "$(sql "SELECT count(*) FROM core_ops WHERE done = 3;")" 0 "the core refused nothing"
sleep 1.5

# ---- the database matches what the clients were told
want_enabled=$(summary '"\n".join(sorted(["%s %s %s" % (v[1], u, v[2]) for u, v in m.items() if v[0] == "enabled"] + ["trojan-in tom@example.com tompass", "vless-in alice@example.com 11111111-2222-3333-4444-555555555555"]))')
want_disabled=$(summary '"\n".join(sorted("%s %s %s" % (v[1], u, v[2]) for u, v in m.items() if v[0] == "disabled"))')
db_enabled=$(sql "SELECT inbound_tag || ' ' || user || ' ' || uuid FROM clients_stats WHERE enabled = 'true' ORDER BY 1;" | LC_ALL=C sort)
db_disabled=$(sql "SELECT inbound_tag || ' ' || user || ' ' || uuid FROM clients_stats WHERE enabled = 'false' ORDER BY 1;" | LC_ALL=C sort)
want_enabled=$(printf '%s\n' "$want_enabled" | LC_ALL=C sort)
want_disabled=$(printf '%s\n' "$want_disabled" | LC_ALL=C sort)
is "$db_enabled" "$want_enabled" "database: the enabled users are exactly those the clients enabled last"
is "$db_disabled" "$want_disabled" "database: the disabled users likewise"
is "$(sql "SELECT count(*) FROM clients_stats;")" "$(($(summary 'sum(1 for v in m.values() if v[0] != "deleted")') + 2))" \
    "database: the deleted users are gone"

# ---- the config file
is "$(file_clients | LC_ALL=C sort)" "$db_enabled" "config file: exactly the enabled users, with their credentials"

# ---- the core, through the API: every enabled user exists, a sample of
# the others does not (an add with the right account type says "already
# exists"; a remove says "not found").
missing=0
n=0
while read -r tag user cred; do
	[ -n "$user" ] || continue
	case $tag in vless-in) proto=vless ;; *) proto=trojan ;; esac
	n=$((n + 1))
	core_has "$user" "$tag" "$proto" "$cred" || {
		missing=$((missing + 1))
		diag "the core lacks enabled $user ($tag): $(tail -n 1 "$RUN/cli.out")"
	}
done <<<"$db_enabled"
is "$missing" 0 "the core has every one of the $n enabled users"
extra=0
n=0
others=$(summary '"\n".join(sorted("%s %s" % (v[1], u) for u, v in m.items() if v[0] != "enabled"))' | shuf -n 60)
while read -r tag user; do
	[ -n "$user" ] || continue
	n=$((n + 1))
	core_lacks "$user" "$tag" || {
		extra=$((extra + 1))
		diag "the core has disabled/deleted $user ($tag): $(tail -n 1 "$RUN/cli.out")"
	}
done <<<"$others"
is "$extra" 0 "the core lacks each of $n disabled or deleted users (sample)"
lap "checks"

# ---- real clients: a sample of enabled users works, of the others fails
specs=()
labels=()
while read -r tag user cred; do
	[ -n "$user" ] || continue
	case $tag in vless-in) specs+=("vless:$cred") ;; *) specs+=("trojan:$cred") ;; esac
	labels+=("enabled $user")
done < <(printf '%s\n' "$db_enabled" | grep ' c[0-9]' | shuf -n 6)
while read -r tag user cred; do
	[ -n "$user" ] || continue
	case $tag in vless-in) specs+=("vless:$cred") ;; *) specs+=("trojan:$cred") ;; esac
	labels+=("${tag%% *} $user")
done < <(summary '"\n".join("%s %s %s" % (v[1], u, v[2]) for u, v in m.items() if v[0] != "enabled")' | shuf -n 6)
if client_start sample "${specs[@]}"; then
	for i in "${!specs[@]}"; do
		case ${labels[$i]} in
		enabled*) run_ok "probe: ${labels[$i]} works" probe "${CLIENT_PORTS[$i]}" ;;
		*) run_ok "probe: ${labels[$i]#* } (disabled or deleted) is refused" probe_fails "${CLIENT_PORTS[$i]}" ;;
		esac
	done
else
	fail "the sample client starts"
fi
lap "probes"
run_ok "the core is still the one started first" pidfile_alive core
if [ "$tap_failed" -ne 0 ]; then
	diag "worker log (tail):"
	diag "$(tail -n 30 "$RUN/worker.log")"
fi
done_testing
