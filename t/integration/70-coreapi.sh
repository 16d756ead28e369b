#!/bin/sh
# worker/core/coreapi.c against a real v2fly core (Debian's v2ray 4.34), driven
# through t/coreapi-cli: stats, sys stats, add/remove users, error mapping,
# a core restart, a peer that is not HTTP/2 and a peer that never answers.
# TAP; skips without v2ray or python3.

top_builddir=${top_builddir:-.}
CLI=$top_builddir/t/coreapi-cli
V2RAY=${V2RAY_BIN:-v2ray}

if ! command -v "$V2RAY" >/dev/null 2>&1; then
	echo "1..0 # SKIP v2ray not installed"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not installed"
	exit 0
fi
if [ ! -x "$CLI" ]; then
	echo "1..0 # SKIP $CLI not built"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/v2s-coreapi.XXXXXX") || exit 1
PIDS=
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	for p in $CLAIMED; do
		rm -rf "${PORT_CLAIMS:?}/$p"
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0
failed=0
ok() { # COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
diag() { sed 's/^/# /' "$@"; }

# N free loopback ports, held together while picked so they differ, and
# claimed like lib.sh's free_port does (v2ray listens with SO_REUSEPORT:
# a test running at the same time must not be handed them).
PORT_CLAIMS=${V2S_PORT_CLAIMS:-${TMPDIR:-/tmp}/v2s-test-ports}
CLAIMED=
free_ports() {
	python3 -c '
import os, socket, sys
claims, n = sys.argv[1], int(sys.argv[2])
os.makedirs(claims, exist_ok=True)
ss, got = [], []
while len(got) < n:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ss.append(s)
    p = s.getsockname()[1]
    try:
        os.mkdir(os.path.join(claims, str(p)))
    except FileExistsError:
        continue
    with open(os.path.join(claims, str(p), "pid"), "w") as f:
        f.write(sys.argv[3] + "\n")
    got.append(p)
print(" ".join(str(p) for p in got))
' "$PORT_CLAIMS" "$1" "$$"
}

set -- $(free_ports 7)
CLAIMED="$*"
API=$1 VLESS=$2 TROJAN=$3 VMESS=$4 SOCKS=$5 HTTP=$6 SILENT=$7
ADDR=127.0.0.1:$API

cat >"$T/server.json" <<EOF
{
  "log": {"access": "$T/access.log", "error": "$T/error.log", "loglevel": "warning"},
  "api": {"tag": "api", "services": ["HandlerService", "StatsService"]},
  "stats": {},
  "policy": {
    "levels": {"0": {"statsUserUplink": true, "statsUserDownlink": true}},
    "system": {"statsInboundUplink": true, "statsInboundDownlink": true,
               "statsOutboundUplink": true, "statsOutboundDownlink": true}
  },
  "inbounds": [
    {"tag": "api", "listen": "127.0.0.1", "port": $API, "protocol": "dokodemo-door",
     "settings": {"address": "127.0.0.1"}},
    {"tag": "vless-in", "listen": "127.0.0.1", "port": $VLESS, "protocol": "vless",
     "settings": {"decryption": "none",
                  "clients": [{"id": "11111111-2222-3333-4444-555555555555", "email": "alice@example.com", "level": 0}]}},
    {"tag": "trojan-in", "listen": "127.0.0.1", "port": $TROJAN, "protocol": "trojan",
     "settings": {"clients": [{"password": "tompass", "email": "tom@example.com", "level": 0}]}},
    {"tag": "vmess-in", "listen": "127.0.0.1", "port": $VMESS, "protocol": "vmess",
     "settings": {"clients": [{"id": "11111111-2222-3333-4444-666666666666", "email": "vic@example.com", "level": 0}]}},
    {"tag": "socks-in", "listen": "127.0.0.1", "port": $SOCKS, "protocol": "socks",
     "settings": {"auth": "password", "accounts": [{"user": "bob", "pass": "bobpass"}], "udp": false}}
  ],
  "outbounds": [{"tag": "direct", "protocol": "freedom", "settings": {}}],
  "routing": {"rules": [{"type": "field", "inboundTag": ["api"], "outboundTag": "api"}]}
}
EOF

V2PID=
start_core() {
	"$V2RAY" -config "$T/server.json" >>"$T/v2ray.out" 2>&1 &
	V2PID=$!
	PIDS="$PIDS $V2PID"
}
stop_core() {
	kill "$V2PID" 2>/dev/null
	wait "$V2PID" 2>/dev/null
}
# Waits (up to ~5 s) until the API answers GetSysStats.
wait_core() {
	i=0
	while [ $i -lt 50 ]; do
		if "$CLI" -t 300 "$ADDR" v2fly sys >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
cli() { # runs the CLI, output in $T/out, exit status in $rc
	"$CLI" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
result() { tail -n 1 "$T/out"; }
field() { awk -v k="$1" '$1 == k { print $2 }' "$T/out"; }

echo "1..38"

start_core
wait_core
ok $? "v2ray answers on $ADDR"

# --- stats
cli "$ADDR" v2fly query
ok $rc "query: OK"
grep -q '^inbound>>>vless-in>>>traffic>>>uplink [0-9][0-9]*$' "$T/out"
ok $? "query returns inbound counters"
count=$(awk '$1 == "count" { print $2 }' "$T/out")
parsed=$(awk '$1 == "count" { print $4 }' "$T/out")
[ -n "$count" ] && [ "$count" -ge 10 ] && [ "$count" = "$parsed" ]
ok $? "every one of the $count counters parses ($parsed)"
cli "$ADDR" v2fly query 'outbound>>>'
[ $rc -eq 0 ] && [ "$(awk '$1 == "count" { print $2 }' "$T/out")" = 2 ]
ok $? "a pattern selects by substring (2 outbound counters)"

cli "$ADDR" v2fly get 'inbound>>>api>>>traffic>>>downlink'
v=$(field value)
[ $rc -eq 0 ] && [ -n "$v" ] && [ "$v" -gt 0 ]
ok $? "get: the api inbound counts itself ($v)"
cli "$ADDR" v2fly get 'user>>>nobody@example.com>>>traffic>>>uplink'
[ $rc -eq 6 ] && result | grep -q '^result NOT_FOUND code 2 '
ok $? "get of a counter that does not exist: NOT_FOUND"

# uptime is in whole seconds: wait for the first one
i=0
up=0
while [ $i -lt 30 ]; do
	cli "$ADDR" v2fly sys
	up=$(field uptime)
	[ $rc -eq 0 ] && [ -n "$up" ] && [ "$up" -gt 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
[ $rc -eq 0 ] && [ "$up" -gt 0 ]
ok $? "sys: uptime > 0 ($up)"

# --- users (type v2fly: v2ray.core.* names)
U1=22222222-3333-4444-5555-000000000001
U2=22222222-3333-4444-5555-000000000002
cli "$ADDR" v2fly add vless-in carol@example.com vless $U1
ok $rc "add a vless user: OK"
cli "$ADDR" v2fly add vless-in carol@example.com vless $U2
[ $rc -eq 5 ] && result | grep -q 'already exists'
ok $? "add it again: EXISTS"
cli "$ADDR" v2fly add vless-in CAROL@example.com vless $U2
[ $rc -eq 5 ]
ok $? "emails compare case-insensitively: EXISTS"
cli "$ADDR" v2fly add trojan-in tina@example.com trojan tinapass
ok $rc "add a trojan user: OK"
cli "$ADDR" v2fly add trojan-in tina@example.com trojan tinapass
[ $rc -eq 5 ]
ok $? "add it again: EXISTS"
cli "$ADDR" v2fly add trojan-in tom@example.com trojan other
[ $rc -eq 5 ]
ok $? "a user from the config file exists too: EXISTS"
cli "$ADDR" v2fly add vmess-in vera@example.com vmess 22222222-3333-4444-5555-000000000003
ok $rc "add a vmess user: OK"
cli "$ADDR" v2fly add vless-in dora@example.com vless 22222222-3333-4444-5555-000000000004 xtls-rprx-direct
ok $rc "add a vless user with a flow: OK"

cli "$ADDR" v2fly remove vless-in carol@example.com
ok $rc "remove the vless user: OK"
cli "$ADDR" v2fly remove vless-in carol@example.com
[ $rc -eq 6 ] && result | grep -q 'not found'
ok $? "remove it again: NOT_FOUND"
cli "$ADDR" v2fly remove trojan-in tina@example.com
ok $rc "remove the trojan user: OK"
cli "$ADDR" v2fly remove trojan-in tina@example.com
[ $rc -eq 6 ]
ok $? "remove it again: NOT_FOUND"
cli "$ADDR" v2fly remove vmess-in vera@example.com
ok $rc "remove the vmess user: OK"

cli "$ADDR" v2fly add nope-in nemo@example.com vless $U2
[ $rc -eq 7 ] && result | grep -q '^result ERROR code 2 .*handler not found'
ok $? "unknown inbound tag: ERROR with 'handler not found'"
cli "$ADDR" v2fly remove nope-in nemo@example.com
[ $rc -eq 7 ] && result | grep -q 'handler not found'
ok $? "remove from an unknown tag: ERROR, not NOT_FOUND"
cli "$ADDR" v2fly add socks-in nemo@example.com vless $U2
[ $rc -eq 7 ] && result | grep -q 'not a UserManager'
ok $? "an inbound without users: ERROR 'not a UserManager'"
cli "$ADDR" v2fly add vless-in nemo@example.com other $U2
[ $rc -eq 7 ] && result | grep -q '^result ERROR code -1 '
ok $? "PROTO_OTHER is refused locally (code -1)"
cli "$ADDR" v2fly add vless-in '' vless $U2
[ $rc -eq 7 ] && result | grep -q '^result ERROR code -1 '
ok $? "an empty email is refused locally"

# --- flavour detection: Xray names first, the v2fly core answers 12
cli "$ADDR" xray add vless-in xena@example.com vless 22222222-3333-4444-5555-000000000005
[ $rc -eq 0 ] && grep -q '^flavour v2fly$' "$T/out"
ok $? "type xray against v2fly: detected, switched, OK"
cli "$ADDR" singbox remove vless-in xena@example.com
ok $rc "type singbox starts with the v2fly names: remove OK"

# --- one channel, many calls
cli "$ADDR" v2fly loop 300
grep -q '^loop calls 300 ok 300 failed 0 ' "$T/out"
ok $? "300 QueryStats on one channel, no failure"

# --- the core goes away and comes back, seen by one long-lived handle
"$CLI" -t 500 "$ADDR" v2fly watch 60 100 >"$T/watch" 2>"$T/watch.err" &
WPID=$!
PIDS="$PIDS $WPID"
sleep 1
stop_core
sleep 1.5
start_core
wait_core
ready=$(date +%s%3N)
wait "$WPID"
# before: OK lines; then UNAVAILABLE; then OK again with a smaller uptime
awk -v ready="$ready" '
	$2 == "OK" && state == 0 { before = $4; state = 1; next }
	$2 == "OK" && state == 1 { before = $4; next }
	$2 == "UNAVAILABLE" && state == 1 { state = 2; next }
	$2 == "OK" && state == 2 { state = 3; first = $1; after = $4 }
	END {
		if (state != 3) { print "state " state; exit 1 }
		if (after >= before) { print "uptime " before " -> " after; exit 1 }
		if (first > ready + 1000) { print "late by " first - ready; exit 1 }
	}' "$T/watch" >"$T/why"
ok $? "core restart: UNAVAILABLE, then OK within 1 s of it being up, uptime went down"
[ -s "$T/why" ] && diag "$T/why"
grep -q UNAVAILABLE "$T/watch" && ! grep -v '^result ' "$T/watch" | grep -Eqv ' (OK|UNAVAILABLE) uptime '
ok $? "only OK and UNAVAILABLE were seen while it restarted"
grep -v '^result ' "$T/watch" | grep -Ev ' (OK|UNAVAILABLE) uptime ' | diag

stop_core
cli -t 1000 "$ADDR" v2fly sys
[ $rc -eq 2 ] && result | grep -q '^result UNAVAILABLE code 14 '
ok $? "core stopped: UNAVAILABLE (14)"
cli -t 1000 "$ADDR" v2fly add vless-in x@example.com vless $U2
[ $rc -eq 2 ]
ok $? "core stopped: add is UNAVAILABLE too (no flavour flip on 14)"

# --- a peer that speaks HTTP/1.1
(cd "$T" && exec python3 -m http.server "$HTTP" --bind 127.0.0.1 >/dev/null 2>&1) &
HPID=$!
PIDS="$PIDS $HPID"
i=0
while [ $i -lt 50 ] && ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $HTTP), 1)" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
cli -t 2000 "127.0.0.1:$HTTP" v2fly query
[ $rc -eq 2 ] && result | grep -q '^result UNAVAILABLE code 14 '
ok $? "HTTP/1.1 peer: UNAVAILABLE, no crash (exit $rc)"

# --- a peer that accepts and never answers
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
print("ready", flush=True)
conns = []
end = time.time() + 30
while time.time() < end:
    s.settimeout(end - time.time())
    try:
        c, _ = s.accept()
        conns.append(c)
    except OSError:
        break
' "$SILENT" >"$T/silent.out" 2>&1 &
SPID=$!
PIDS="$PIDS $SPID"
i=0
while [ $i -lt 50 ] && ! grep -q ready "$T/silent.out"; do
	sleep 0.1
	i=$((i + 1))
done
t0=$(date +%s%3N)
cli -t 700 "127.0.0.1:$SILENT" v2fly sys
t1=$(date +%s%3N)
el=$((t1 - t0))
[ $rc -eq 3 ] && result | grep -q '^result DEADLINE code 4 '
ok $? "silent peer: DEADLINE (4)"
[ $el -ge 650 ] && [ $el -lt 2500 ]
ok $? "silent peer: the call ended at the deadline ($el ms for 700)"

# --- a second, fresh core: the handle must not have cached anything
start_core
wait_core
cli "$ADDR" v2fly add vless-in carol@example.com vless $U1
ok $rc "restarted core forgot API users: carol can be added again"
cli "$ADDR" v2fly get 'user>>>carol@example.com>>>traffic>>>uplink'
[ $rc -eq 6 ]
ok $? "user counters are lazy: none for carol before she connects"
stop_core

if [ $failed -gt 0 ]; then
	diag "$T/v2ray.out" 2>/dev/null
fi
exit 0
