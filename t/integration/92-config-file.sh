#!/bin/bash
# The core's config file while users change (add vless, add trojan,
# disable, enable, delete, re-add with another credential, a burst of
# adds): every field it had is kept (the parsed documents minus the
# clients arrays are equal, and so is the key order); the clients
# untouched keep every field; it is valid JSON at every instant (a reader
# parses it in a loop the whole time); a disabled user is absent and comes
# back with the same credential; the file keeps its mode (0640); the
# file, the database and the core agree on the enabled users.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u
lap start

require_tools v2ray python3 coreapi-cli
CFG_TICKER=1
# The stack without the core and the worker: core.json gets extra fields
# first.
STACK_CORE=0 STACK_WORKER=0 stack_start
lc_init
ALICE=11111111-2222-3333-4444-555555555555
FALLBACK_PORT=$(free_port)
"$PYTHON3" - "$RUN/core.json" "$FALLBACK_PORT" <<'EOF' || bail_out "cannot extend core.json"
import json, sys
path, fb = sys.argv[1], int(sys.argv[2])
d = json.load(open(path))
d["metrics"] = {}
d["x-custom"] = {"list": [1, 2.5, None, True, "a/b", "\u00e9t\u00e9"], "nested": {"z": 1, "a": 2}}
for ib in d["inbounds"]:
    if ib["tag"] == "vless-in":
        ib["settings"]["clients"][0]["flow"] = "xtls-rprx-direct"
        ib["settings"]["fallbacks"] = [{"dest": fb}, {"path": "/ws", "dest": fb, "xver": 1}]
        ib["sniffing"] = {"enabled": True, "destOverride": ["http", "tls"]}
        ib["streamSettings"] = {"network": "tcp", "security": "none"}
    if ib["tag"] == "trojan-in":
        ib["settings"]["clients"][0]["x-note"] = "vip"
        ib["streamSettings"] = {"network": "tcp", "security": "none",
                                "tcpSettings": {"header": {"type": "none"}}}
        ib["settings"]["fallbacks"] = []
json.dump(d, open(path, "w"), indent=2, ensure_ascii=False)
EOF
chmod 640 "$RUN/core.json"
cp -p "$RUN/core.json" "$RUN/core-initial.json"
"$V2RAY_BIN" -test -config "$RUN/core.json" >"$RUN/core-test.log" 2>&1 ||
	bail_out "v2ray refuses the extended config: $(tail -n 3 "$RUN/core-test.log")"
run_ok "the core starts with the extended config" core_restart
worker_start "$RUN/v2ray-stat.yaml"
run_ok "database ready" wait_db 10
run_ok "the worker adopted alice and tom" \
    within 5 sql_is "SELECT count(*) FROM clients_stats WHERE user IN ('alice@example.com', 'tom@example.com');" 2

# The reader: parses the file as fast as it can until RUN/reader.stop
# exists; prints "reads N failures F versions V" and the first failures.
cat >"$RUN/reader.py" <<'EOF'
import json, os, sys, time, hashlib
path, stop = sys.argv[1], sys.argv[2]
reads = failures = 0
seen = set()
bad = []
until = time.monotonic() + 120
while not os.path.exists(stop) and time.monotonic() < until:
    data = b""
    try:
        with open(path, "rb") as f:
            data = f.read()
        json.loads(data)
        seen.add(hashlib.sha1(data).hexdigest())
    except Exception as e:
        failures += 1
        if len(bad) < 3:
            bad.append("%s: %r" % (e, data[:80]))
    reads += 1
print("reads %d failures %d versions %d" % (reads, failures, len(seen)))
for b in bad:
    print("failure: " + b)
EOF
start_bg reader "$RUN/reader.out" "$PYTHON3" "$RUN/reader.py" "$RUN/core.json" "$RUN/reader.stop"
LC_PIDFILES="$LC_PIDFILES reader"
reader_pid=$(cat "$RUN/reader.pid")
sleep 0.5

VA=7a1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e01
in_file() { [[ $'\n'$(file_clients)$'\n' == *$'\n'"$1"$'\n'* ]]; }
not_in_file() { [[ $'\n'$(file_clients) != *" $1 "* ]]; }
lap "setup"

api POST /api/v1/add_user -d "user=fu1&credential=$VA&inboundTag=vless-in"
is_reply 200 "User added successfully" "add vless fu1"
run_ok "fu1 in the file" within 3 in_file "vless-in fu1 $VA"
api POST /api/v1/add_user -d "user=fu2&credential=pw-one&inboundTag=trojan-in"
is_reply 200 "User added successfully" "add trojan fu2"
run_ok "fu2 in the file" within 3 in_file "trojan-in fu2 pw-one"
api PATCH /api/v1/set_enabled -d "user=fu1&enabled=false"
is_reply 200 "User status updated successfully" "disable fu1"
run_ok "disabled fu1 is absent from the file" within 3 not_in_file fu1
is "$(sql "SELECT uuid FROM clients_stats WHERE user = 'fu1';")" "$VA" "the database keeps fu1's credential"
api PATCH /api/v1/set_enabled -d "user=fu1&enabled=true"
is_reply 200 "User status updated successfully" "enable fu1"
run_ok "fu1 is back in the file with the same credential" within 3 in_file "vless-in fu1 $VA"
api DELETE "/api/v1/delete_user?user=fu2"
is_reply 200 "User deleted successfully" "delete fu2"
run_ok "deleted fu2 is absent from the file" within 3 not_in_file fu2
api POST /api/v1/add_user -d "user=fu2&credential=pw-two&inboundTag=trojan-in"
is_reply 200 "User added successfully" "re-add fu2 with another password"
run_ok "fu2 is in the file with the new password" within 3 in_file "trojan-in fu2 pw-two"
api PATCH /api/v1/set_enabled -d "user=alice@example.com&enabled=false"
is_reply 200 "User status updated successfully" "disable alice (a user from the file)"
run_ok "alice is absent from the file" within 3 not_in_file alice@example.com
api PATCH /api/v1/set_enabled -d "user=alice@example.com&enabled=true"
is_reply 200 "User status updated successfully" "enable alice"
run_ok "alice is back with her UUID" within 3 in_file "vless-in alice@example.com $ALICE"
fails=0
for i in $(seq 1 12); do
	api POST /api/v1/add_user -d "user=burst$i&credential=7a1c3e0a-8b2d-4c5e-9f70-$(printf '%012d' "$i")"
	[ "$status" = 200 ] || fails=$((fails + 1))
done
is "$fails" 0 "a burst of 12 adds: all 200"
pids=
for i in $(seq 1 12 | shuf); do
	"$CURL" -s -o /dev/null --max-time 10 -X DELETE "$BASE/api/v1/delete_user?user=burst$i" &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
wait_until 10 sql_is "SELECT count(*) FROM clients_stats WHERE user LIKE 'burst%';" 0
lap "changes"
sleep 1.5

touch "$RUN/reader.stop"
wait_exit 10 "$reader_pid"
reader=$(head -n 1 "$RUN/reader.out")
diag "reader: $reader"
like "$reader" '^reads [0-9]+ failures 0 versions [0-9]+$' "the file parsed every time the reader read it"
reads=$(printf '%s' "$reader" | awk '{print $2}')
versions=$(printf '%s' "$reader" | awk '{print $6}')
if [ "${reads:-0}" -ge 200 ]; then pass "the reader read it often ($reads times)"; else fail "the reader read it often ($reads times)"; fi
if [ "${versions:-0}" -ge 7 ]; then pass "the reader saw the changes ($versions versions)"; else fail "the reader saw the changes ($versions versions)"; fi
[ "$(sed -n 2p "$RUN/reader.out")" = "" ] || diag "$(tail -n +2 "$RUN/reader.out")"

# ---- what the file kept
cat >"$RUN/compare.py" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
what = sys.argv[3]
def strip(d):
    for ib in d.get("inbounds", []):
        s = ib.get("settings")
        if isinstance(s, dict) and "clients" in s:
            s["clients"] = "<clients>"
    return d
def order(x):
    if isinstance(x, dict):
        return [[k, order(v)] for k, v in x.items()]
    if isinstance(x, list):
        return [order(v) for v in x]
    return None
def client(d, tag, email):
    for ib in d["inbounds"]:
        if ib["tag"] == tag:
            for c in ib["settings"]["clients"]:
                if c.get("email") == email:
                    return c
if what == "fields":
    ok = strip(a) == strip(b)
elif what == "order":
    ok = order(strip(a)) == order(strip(b))
elif what == "tom":
    ok = client(a, "trojan-in", "tom@example.com") == client(b, "trojan-in", "tom@example.com")
    if not ok:
        print(client(a, "trojan-in", "tom@example.com"), client(b, "trojan-in", "tom@example.com"))
elif what == "flow":
    c = client(b, "vless-in", sys.argv[4])
    ok = c is not None and c.get("flow") == "xtls-rprx-direct"
    if not ok:
        print(c)
if not ok and what in ("fields", "order"):
    print(json.dumps(strip(a))[:2000])
    print(json.dumps(strip(b))[:2000])
sys.exit(0 if ok else 1)
EOF
compare() {
	"$PYTHON3" "$RUN/compare.py" "$RUN/core-initial.json" "$RUN/core.json" "$@" >"$RUN/compare.out" 2>&1
	local rc=$?
	[ "$rc" -eq 0 ] || diag "$(cat "$RUN/compare.out")"
	return "$rc"
}
run_ok "every field but the clients is kept (parsed documents equal)" compare fields
run_ok "the key order is kept" compare order
run_ok "tom's entry (untouched) keeps every field, x-note too" compare tom
run_ok "alice keeps her flow after disable/enable" compare flow alice@example.com
run_ok "a new VLESS user gets the inbound's flow in the file" compare flow fu1
is "$(stat -c %a "$RUN/core.json")" 640 "the file's mode stays 640"
is "$(stat -c %u:%g "$RUN/core.json")" "$(stat -c %u:%g "$RUN/core-initial.json")" "the file's owner stays"
v2ray_accepts() { "$V2RAY_BIN" -test -config "$1" >"$RUN/core-test.log" 2>&1; }
run_ok "v2ray accepts the final file" v2ray_accepts "$RUN/core.json"
leftovers=$(find "$RUN" -maxdepth 1 -name '.core.json.*' | wc -l)
is "$leftovers" 0 "no temporary file (.core.json.XXXXXX) left next to it"

# ---- the file, the database and the core agree
want=$(sql "SELECT inbound_tag || ' ' || user || ' ' || uuid FROM clients_stats WHERE enabled = 'true' ORDER BY 1;")
is "$(file_clients | sort)" "$(printf '%s\n' "$want" | sort)" "the file holds exactly the enabled users of the database"
run_ok "the core has fu1" core_has fu1 vless-in vless "$VA"
run_ok "the core has fu2" core_has fu2 trojan-in trojan pw-two
run_ok "the core has alice" core_has alice@example.com vless-in vless "$ALICE"
run_ok "the core lacks burst3" core_lacks burst3 vless-in
lap "checks"
if [ "$tap_failed" -ne 0 ]; then
	diag "worker log (tail):"
	diag "$(tail -n 30 "$RUN/worker.log")"
fi
done_testing
