#!/bin/bash
# Forged access-log lines, with the real core (issue 10, item 1).
#
#  1. tom, a customer with a working trojan account, sends trojan requests
#     whose destination name is "a\n<an access line>\nb": v2fly 4.34
#     rejects them and writes the name raw, so each forged line, naming
#     alice and an address of tom's choosing, stands alone in the log.
#     alice's IPs, last_seen and dns_stats do not change, nothing is
#     banned, and the lines are counted as inside a record.
#  2. wsuser, over websocket, names any source address in X-Forwarded-For:
#     the core itself writes it as the source of a real accepted line,
#     which nothing in the log can tell from a true one.  Beyond lim_ip,
#     that address is not banned: the kernel knows no TCP connection from
#     it (counted as unconfirmed).
#  3. A real over-limit user still gets its ban line: tom connects from
#     127.0.0.2 and 127.0.0.3 (lim_ip 1), 127.0.0.3 goes to the ban log in
#     the original's format.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

WS_UUID=99999999-8888-7777-6666-555555555555

# The stack's core config plus a VLESS-over-websocket inbound (ws-in).
eval "lib_write_core_json() $(declare -f write_core_json | sed 1d)"
write_core_json() {
	WS_PORT=$(free_port) || return 1
	lib_write_core_json "$1" || return 1
	"$PYTHON3" - "$1" "$WS_PORT" "$WS_UUID" <<'EOF'
import json, sys
path, port, uuid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path) as f:
    c = json.load(f)
c["inbounds"].append({
    "tag": "ws-in", "listen": "127.0.0.1", "port": port,
    "protocol": "vless",
    "settings": {"decryption": "none", "clients": [
        {"id": uuid, "email": "wsuser@example.com", "level": 0}]},
    "streamSettings": {"network": "ws", "wsSettings": {"path": "/ws"}}})
with open(path, "w") as f:
    json.dump(c, f, indent=2)
EOF
}

require_tools v2ray
stack_start
trap 'stop_pidfile hold1; stop_pidfile hold2; stop_pidfile hold3; stack_stop' EXIT
[ "$HAVE_CORE" = 1 ] || bail_out "the core did not start"
run_ok "database ready" wait_db 10
run_ok "the websocket inbound listens" wait_until 10 port_listening "$WS_PORT"

# The clients: trojan and VLESS over websocket, by hand, on plain TCP.
cat >"$RUN/forge.py" <<'EOF'
"""forge.py attack PORT PASS LINE...: one trojan request per LINE, to the
name "a\\n" LINE "\\nb"; forge.py hold READY TROJAN_PORT PASS WS_PORT UUID
SPEC...: for each SPEC ("trojan:SRC", a trojan connection from address
SRC; "ws:XFF", a VLESS-over-websocket one with X-Forwarded-For XFF, "-"
for none) a connection through the core to a sink of its own, kept open;
READY is created once every connection reached the sink."""
import base64, hashlib, os, socket, struct, sys, threading, time


def trojan_head(pw, atyp, addr, port):
    return (hashlib.sha224(pw.encode()).hexdigest().encode() + b"\r\n" +
            bytes([1, atyp]) + addr + struct.pack(">H", port) + b"\r\n")


def attack(port, pw, lines):
    for line in lines:
        name = b"a\n" + line.encode() + b"\nb"
        assert len(name) <= 255, len(name)
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(trojan_head(pw, 3, bytes([len(name)]) + name, 80))
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        s.close()


def ws_frame(data):
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return bytes([0x82, 0x80 | len(data)]) + mask + body


def hold(ready, tport, pw, wport, uuid, specs):
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(16)
    sport = sink.getsockname()[1]
    held, got = [], []
    threading.Thread(target=lambda: [got.append(sink.accept()[0])
                                     for _ in specs], daemon=True).start()
    target = socket.inet_aton("127.0.0.1")
    for spec in specs:
        kind, arg = spec.split(":", 1)
        if kind == "trojan":
            s = socket.socket()
            s.bind((arg, 0))
            s.connect(("127.0.0.1", tport))
            s.sendall(trojan_head(pw, 1, target, sport) + b"hello")
        else:
            s = socket.create_connection(("127.0.0.1", wport))
            key = base64.b64encode(os.urandom(16)).decode()
            xff = "" if arg == "-" else "X-Forwarded-For: %s\r\n" % arg
            s.sendall(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13"
                       "\r\n%s\r\n" % (key, xff)).encode())
            head = b""
            while b"\r\n\r\n" not in head:
                b = s.recv(1)
                if not b:
                    sys.exit("websocket: closed during the handshake")
                head += b
            if b" 101 " not in head.split(b"\r\n")[0]:
                sys.exit("websocket: %r" % head)
            req = (b"\x00" + bytes.fromhex(uuid.replace("-", "")) +
                   b"\x00\x01" + struct.pack(">H", sport) + b"\x01" + target)
            s.sendall(ws_frame(req + b"hello"))
        held.append(s)
        n = len(held)
        for _ in range(100):
            if len(got) >= n:
                break
            time.sleep(0.05)
        else:
            sys.exit("%s: the core did not reach the sink" % spec)
        time.sleep(1.5)  # one commit of the worker apart
    open(ready, "w").close()
    time.sleep(600)


if sys.argv[1] == "attack":
    attack(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
else:
    hold(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
         sys.argv[6], sys.argv[7:])
EOF

# hold NAME SPEC...: forge.py hold in the background as RUN/NAME.pid.
hold() {
	local name=$1
	shift
	rm -f "$RUN/$name.ready"
	start_bg "$name" "$RUN/$name.log" "$PYTHON3" "$RUN/forge.py" hold \
	    "$RUN/$name.ready" "$TROJAN_PORT" tompass "$WS_PORT" "$WS_UUID" "$@"
	wait_until 20 test -e "$RUN/$name.ready"
}

state() { sql "SELECT value FROM worker_state WHERE key = '$1';" 2>/dev/null; }
# state_ge KEY N: worker_state KEY is at least N.
state_ge() { local v; v=$(state "$1"); [ "${v:-0}" -ge "$2" ]; }
f2b_count() { if [ -f "$RUN/f2b.log" ]; then wc -l <"$RUN/f2b.log"; else echo 0; fi; }
# user_view USER: ips, last_seen, and the user's user_ips and dns_stats.
user_view() {
	sql "SELECT coalesce(ips, '') || '|' || coalesce(last_seen, '') FROM clients_stats WHERE user = '$1';"
	sql "SELECT ip FROM user_ips WHERE user = '$1' ORDER BY ip;"
	sql "SELECT domain || ' ' || count FROM dns_stats WHERE user = '$1' ORDER BY domain;"
}
adopted() {
	[ "$(sql "SELECT count(*) FROM clients_stats WHERE user IN
	    ('alice@example.com', 'tom@example.com', 'wsuser@example.com');")" = 3 ]
}
run_ok "the core's users are adopted" wait_until 20 adopted
for u in alice@example.com tom@example.com wsuser@example.com; do
	api PATCH /api/v1/update_lim_ip -d "user=$u&lim_ip=1"
	is_status 200 "lim_ip 1 for $u"
done

# ------------------------------------------------------------ 1. trojan
before=$(user_view alice@example.com)
inside0=$(state log_inside_records)
inside0=${inside0:-0}
t=$(date '+%Y/%m/%d %H:%M:%S')
fake1="$t 198.51.100.7:1234 accepted tcp:forged.example:443 [direct] email: alice@example.com"
fake2="$t 198.51.100.8:1234 accepted tcp:forged.example:443 [direct] email: alice@example.com"
"$PYTHON3" "$RUN/forge.py" attack "$TROJAN_PORT" tompass "$fake1" "$fake2" 2>"$RUN/attack.err"
ok $? "tom's two trojan requests were sent"
in_log() { grep -qxF -- "$1" "$RUN/access.log"; }
run_ok "the core wrote the first forged line on a line of its own" \
    wait_until 10 in_log "$fake1"
run_ok "... and the second" wait_until 10 in_log "$fake2"
grep -q 'rejected .*invalid domain name: a$' "$RUN/access.log"
ok $? "after the core's rejection of tom's request"
run_ok "the worker skips the lines inside the two records" \
    wait_until 20 state_ge log_inside_records $((inside0 + 4))
# Two more rounds of the IP limit (the worker ticks every second).
sleep 2.5
is "$(user_view alice@example.com)" "$before" \
    "alice's ips, last_seen, user_ips and dns_stats did not change"
is "$(sql "SELECT count(*) FROM user_ips WHERE ip LIKE '198.51.100.%';")" 0 \
    "the forged addresses are nobody's"
is "$(f2b_count)" 0 "nothing was written to the ban log"
api GET /api/v1/health
like "$(json_get 'j["access_log"]["lines_inside_records"]')" '^[0-9]+$' \
    "health: access_log.lines_inside_records"
[ "$(json_get 'j["access_log"]["lines_inside_records"]')" -ge $((inside0 + 4)) ] 2>/dev/null
ok $? "health counts the skipped lines"
api GET /api/v1/metrics
like "$body" $'\nv2ray_stat_access_log_inside_record_lines_total [1-9][0-9]*\n' \
    "metrics: v2ray_stat_access_log_inside_record_lines_total"

# ------------------------------------------------------- 2. X-Forwarded-For
# The guard skips whatever begins within 255 bytes after tom's last
# rejection, real lines too: three real connections of wsuser's come
# first, so that the one naming 203.0.113.50 begins past that span.
run_ok "wsuser connects three times, then once naming 203.0.113.50" \
    hold hold1 ws:- ws:- ws:- ws:203.0.113.50
ws_named() { sql "SELECT ips FROM clients_stats WHERE user = 'wsuser@example.com';" | grep -q 203.0.113.50; }
run_ok "the core's own line gives 203.0.113.50 as wsuser's source" \
    wait_until 20 ws_named
run_ok "beyond lim_ip, it is counted as unconfirmed" \
    wait_until 20 state_ge ip_limit_unconfirmed 1
is "$(f2b_count)" 0 "and not banned"
grep -q '203\.0\.113\.50, an IP of wsuser@example.com beyond lim_ip, has no TCP connection' "$RUN/worker.log"
ok $? "the worker says why"
api GET /api/v1/health
is "$(json_get 'j["access_log"]["unconfirmed_ips"] >= 1')" true \
    "health: access_log.unconfirmed_ips"
api GET /api/v1/metrics
like "$body" $'\nv2ray_stat_ip_limit_unconfirmed_total [1-9][0-9]*\n' \
    "metrics: v2ray_stat_ip_limit_unconfirmed_total"
stop_pidfile hold1

# ------------------------------------------------------------ 3. real
run_ok "tom connects from 127.0.0.2, then from 127.0.0.3" \
    hold hold2 trojan:127.0.0.2 trojan:127.0.0.3
banned() { grep -q 'User = tom@example.com || SRC = 127.0.0.3$' "$RUN/f2b.log" 2>/dev/null; }
run_ok "tom's newest address goes to the ban log" wait_until 20 banned
grep -Eq '^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \[LIMIT_IP\] User = tom@example\.com \|\| SRC = 127\.0\.0\.3$' "$RUN/f2b.log"
ok $? "in the original's format: $(cat "$RUN/f2b.log")"
is "$(f2b_count)" 1 "the only line of the ban log"
FILTER=$top_srcdir/conf/fail2ban/filter.d/v2ray-stat.conf
if command -v fail2ban-regex >/dev/null 2>&1; then
	fail2ban-regex "$RUN/f2b.log" "$FILTER" >"$RUN/f2b.out" 2>&1
	grep -q '^Lines: 1 lines, 0 ignored, 1 matched, 0 missed' "$RUN/f2b.out"
	ok $? "fail2ban-regex matches it with the shipped filter"
else
	skip 1 "fail2ban-regex not installed"
fi
stop_pidfile hold2
done_testing
