#!/bin/sh
# Access-log ingestion by the real worker: lines appended to a log (Xray and
# v2fly shapes) become dns_stats, user_ips, clients_stats.ips/last_seen;
# IPs expire after ip_ttl for a user who stopped connecting; excess IPs go
# to the fail2ban log in the original's format, once per interval, also
# across a restart, and fail2ban-regex matches them with our filter;
# --check-log on the real v2fly fixture.  TAP.

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
WORKER=$top_builddir/v2ray-stat-worker
FIXTURE=$top_srcdir/t/data/accesslog/v2fly-4.34-access.txt
FILTER=$top_srcdir/conf/fail2ban/filter.d/v2ray-stat.conf

for tool in sqlite3 jq; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done
if [ ! -x "$WORKER" ]; then
	echo "1..0 # SKIP worker not built"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/v2s-ingest.XXXXXX") || exit 1
WPID=
HPID=
cleanup() {
	if [ -n "$WPID" ]; then
		kill "$WPID" 2>/dev/null
		wait "$WPID" 2>/dev/null
	fi
	if [ -n "$HPID" ]; then
		kill "$HPID" 2>/dev/null
		wait "$HPID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0
ok() { # STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}
is() { # GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2"
	fi
}
q() { sqlite3 -cmd '.timeout 5000' "$T/v2ray-stat.db" "$1" 2>/dev/null; }
# wait_for TENTHS COMMAND...: polls COMMAND until it succeeds.
wait_for() {
	_t=$1
	shift
	while [ "$_t" -gt 0 ]; do
		if "$@"; then
			return 0
		fi
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}
dns_sum() { [ "$(q 'SELECT COALESCE(SUM(count), 0) FROM dns_stats')" = "$1" ]; }
has_pos() { [ -n "$(q "SELECT value FROM worker_state WHERE key = 'access_log_pos'")" ]; }
f2b_lines() { [ -f "$T/f2b.log" ] && [ "$(wc -l <"$T/f2b.log")" -eq "$1" ]; }
ips_of() { q "SELECT ips FROM clients_stats WHERE user = '$1'"; }
ips_are() { [ "$(ips_of "$1")" = "$2" ]; }
start_worker() {
	"$WORKER" -f "$T/v2ray-stat.yaml" 2>>"$T/worker.err" &
	WPID=$!
}
stop_worker() {
	kill -TERM "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	WPID=
}
now() { date '+%Y/%m/%d %H:%M:%S'; }
# xray SRC DST USER / v2fly SRC DST USER: one accepted line of each core.
xray() { echo "$(now).123456 from tcp:$1 accepted $2 [vless-in >> direct] email: $3"; }
v2fly() { echo "$(now) $1 accepted $2 [direct] email: $3"; }

cat >"$T/v2ray-stat.yaml" <<EOF
log:
  loglevel: info
v2ray-stat:
  type: v2fly
  monitor:
    ticker_interval: 1
    ip_ttl: 3
core:
  config: $T/core.json
  access_log: $T/access.log
  api_address: 127.0.0.1:1
paths:
  database: $T/v2ray-stat.db
  f2b_log: $T/f2b.log
EOF

echo "1..36"

# Real TCP connections from 127.0.0.3 and 127.0.0.4 to a listener here,
# held open: the addresses of bob's lines below.
cat >"$T/hold.py" <<'EOF'
import socket, sys, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(8)
held = []
for src in sys.argv[1:]:
    c = socket.socket()
    c.bind((src, 0))
    c.connect(l.getsockname())
    held += [c, l.accept()[0]]
open(sys.argv[0] + ".ready", "w").close()
time.sleep(600)
EOF
python3 "$T/hold.py" 127.0.0.3 127.0.0.4 &
HPID=$!
wait_for 50 test -e "$T/hold.py.ready" || echo "# the holder is not ready"

# History before the first start is skipped (as the original does).
xray 10.9.9.9:1000 tcp:old.example:443 alice >"$T/access.log"
start_worker
wait_for 100 has_pos
ok $? "the worker commits a first log position"
q "INSERT INTO clients_stats (user, uuid, lim_ip) VALUES
    ('alice', 'a', 0), ('bob', 'b', 1), ('carol', 'c', 0)"

{
	xray 10.0.0.1:50001 tcp:www.google.com:443 alice
	xray 10.0.0.1:50002 tcp:www.google.com:443 alice
	v2fly 10.0.0.1:50003 tcp:www.google.com:443 alice
	v2fly tcp:127.0.0.3:40000 tcp:example.org:80 bob
	xray 10.0.0.9:1 tcp:x.com:443 zed
	echo "$(now) 127.0.0.1:5 accepted tcp:127.0.0.1:0 [api]"
	echo "$(now) 10.0.0.5:5 rejected  proxy/vless/encoding: invalid request user id"
	echo "$(now) 10.0.0.5:6 accepted tcp:nouser.example:443 [direct]"
	echo "garbage line"
} >>"$T/access.log"
wait_for 100 dns_sum 5
ok $? "5 accepted lines counted in dns_stats (api, rejected, no-user, garbage skipped)"
sleep 1.2
{
	xray 10.0.0.2:50004 udp:1.1.1.1:53 alice
	xray 127.0.0.4:40001 tcp:example.org:443 bob
	xray '[2001:db8::7]:443' 'tcp:[2001:db8::1]:443' carol
} >>"$T/access.log"
wait_for 100 dns_sum 8
ok $? "the second batch too (8 in all)"

is "$(q "SELECT group_concat(user || '|' || domain || '|' || count, ' ')
    FROM (SELECT * FROM dns_stats ORDER BY user, domain)")" \
	"alice|1.1.1.1|1 alice|www.google.com|3 bob|example.org|2 carol|2001:db8::1|1 zed|x.com|1" \
	"dns_stats per (user, host): domains and IPs, unknown users counted too"
is "$(q "SELECT group_concat(user || '|' || ip, ' ')
    FROM (SELECT * FROM user_ips ORDER BY user, ip)")" \
	"alice|10.0.0.1 alice|10.0.0.2 bob|127.0.0.3 bob|127.0.0.4 carol|2001:db8::7" \
	"user_ips: known users only (no zed), IPv6 without brackets"
is "$(ips_of alice)" "10.0.0.2,10.0.0.1" "clients_stats.ips: newest first"
is "$(ips_of carol)" "2001:db8::7" "an IPv6 source in ips"
is "$(q "SELECT count(*) FROM clients_stats WHERE user = 'zed'")" "0" \
	"an unknown user is not created"
q "SELECT last_seen FROM clients_stats WHERE user = 'alice'" |
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$'
ok $? "last_seen is the current minute ($(q "SELECT last_seen FROM clients_stats WHERE user = 'alice'"))"
is "$(q "SELECT count(*) FROM dns_stats WHERE domain = 'old.example'")" "0" \
	"the log's history before the first start is not read"

# IP limit: bob (lim_ip 1) has two live IPs; 127.0.0.4 appeared last.
# Both hold real TCP connections to this host (the holder), which the
# worker asks the kernel about before it bans.
wait_for 50 f2b_lines 1
ok $? "one excess IP written to the fail2ban log"
grep -Eq '^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \[LIMIT_IP\] User = bob \|\| SRC = 127\.0\.0\.4$' "$T/f2b.log"
ok $? "in the original's format, the newest IP: $(cat "$T/f2b.log")"
keep_bob() { # SECONDS: bob keeps both IPs alive
	_i=0
	while [ $_i -lt $(($1 * 2)) ]; do
		{
			xray 127.0.0.3:1 tcp:example.org:443 bob
			xray 127.0.0.4:1 tcp:example.org:443 bob
		} >>"$T/access.log"
		sleep 0.5
		_i=$((_i + 1))
	done
}
keep_bob 3
f2b_lines 1
ok $? "not again within the interval"
is "$(ips_of bob)" "127.0.0.3,127.0.0.4" "bob's live IPs"
q "UPDATE user_ip_since SET f2b_at = f2b_at - 60"
keep_bob 1
wait_for 40 f2b_lines 2
ok $? "written again once the interval has passed"
is "$(sed -n '2s/.*\] //p' "$T/f2b.log")" "User = bob || SRC = 127.0.0.4" \
	"the same excess IP"
stop_worker
start_worker
keep_bob 3
f2b_lines 2
ok $? "a restart does not write it again within the interval"
if command -v fail2ban-regex >/dev/null 2>&1; then
	fail2ban-regex "$T/f2b.log" "$FILTER" >"$T/f2b.out" 2>&1
	grep -q '^Lines: 2 lines, 0 ignored, 2 matched, 0 missed' "$T/f2b.out"
	ok $? "fail2ban-regex matches every line with conf/fail2ban/filter.d/v2ray-stat.conf"
else
	ok 0 "# SKIP fail2ban-regex not installed"
fi

# An excess IP that never connected here: its lines alone prove nothing,
# so it is counted and logged, never banned.
state_is() { [ "$(q "SELECT value FROM worker_state WHERE key = '$1'")" = "$2" ]; }
{
	xray 127.0.0.3:1 tcp:example.org:443 bob
	xray 127.0.0.4:1 tcp:example.org:443 bob
	xray 10.0.0.66:1 tcp:example.org:443 bob
} >>"$T/access.log"
wait_for 50 state_is ip_limit_unconfirmed 1
ok $? "an excess IP with no TCP connection here is counted as unconfirmed"
f2b_lines 2
ok $? "... and not written to the fail2ban log"
grep -q '10\.0\.0\.66, an IP of bob beyond lim_ip, has no TCP connection' "$T/worker.err"
ok $? "... and logged"

# A rejection whose reason carries the client's text with newlines (what
# v2fly 4.34 writes for a trojan request to the name "a\n<line>\nb"):
# the forged line between is skipped and counted.
{
	echo "$(now) 127.0.0.1:5 rejected  v2ray.com/core/proxy/trojan: failed to read address and port > v2ray.com/core/common/protocol: invalid domain name: a"
	xray 10.0.0.77:1 tcp:forged.example:443 carol
	echo b
} >>"$T/access.log"
wait_for 50 state_is log_inside_records 2
ok $? "the two lines inside the record are skipped and counted"
is "$(q "SELECT count(*) FROM dns_stats WHERE domain = 'forged.example'") $(q "SELECT count(*) FROM user_ips WHERE ip = '10.0.0.77'")" \
	"0 0" "the forged line changed nothing for carol"

# Where the reading stands inside such a record is committed with the
# position: a worker stopped right after the record's first line still
# skips what follows it.
echo "$(now) 127.0.0.1:6 rejected  v2ray.com/core/proxy/trojan: failed to read address and port > v2ray.com/core/common/protocol: invalid domain name: a" >>"$T/access.log"
wait_for 50 state_is access_log_guard 253
ok $? "after a first line with 1 byte of the name, 253 bytes may still hold lines"
n0=$(q "SELECT value FROM worker_state WHERE key = 'log_inside_records'")
stop_worker
start_worker
{
	xray 10.0.0.78:1 tcp:forged2.example:443 carol
	echo b
} >>"$T/access.log"
wait_for 50 state_is log_inside_records $((n0 + 2))
ok $? "after a restart, the lines inside the record are skipped"
is "$(q "SELECT count(*) FROM dns_stats WHERE domain = 'forged2.example'")" 0 \
	"and change nothing"

# Expiry: alice stopped connecting; her list empties after ip_ttl.
wait_for 80 ips_are alice ""
ok $? "an idle user's IPs expire after ip_ttl (ips now '$(ips_of alice)')"
is "$(q "SELECT count(*) FROM user_ips WHERE user = 'alice'")" "2" \
	"the history stays in user_ips"
stop_worker
ok 0 "the worker stops on SIGTERM"

# --check-log on the real v2fly fixture; no database is touched.
sed "s|database: .*|database: $T/none/check.db|" "$T/v2ray-stat.yaml" >"$T/check.yaml"
"$WORKER" --check-log "$FIXTURE" -f "$T/check.yaml" >"$T/check.json" 2>"$T/check.err"
ok $? "--check-log exits 0"
is "$(jq -c '[.lines, .matched, .skipped.api, .skipped.rejected, .skipped.no_user, .skipped.malformed]' "$T/check.json")" \
	"[2518,10,2500,5,3,0]" "counts: 2518 lines = 10 + 2500 api + 5 rejected + 3 no user"
is "$(jq -c '[.users["alice@example.com"].lines, .users["tom@example.com"].lines, .users["dave@example.com"].lines, .users["q@example.com"].lines]' "$T/check.json")" \
	"[5,3,1,1]" "per user: alice 5, tom 3, dave 1, q 1"
is "$(jq -c '.users["alice@example.com"] | [.ips, .domains]' "$T/check.json")" \
	'[["127.0.0.1"],{"127.0.0.1":4,"localhost":1}]' "alice's IPs and destinations"
[ ! -e "$T/none" ]
ok $? "no database created"
"$WORKER" --check-log "$T/missing.log" -f "$T/check.yaml" >/dev/null 2>&1
is "$?" "1" "an unreadable file: exit 1"

# The original's 2-group regex mode (HAProxy auth.lua lines).
sed "s|^core:|core:\n  access_log_regex: 'login: (\\\\S+); ip: ([0-9\\\\.]+)'|" \
	"$T/check.yaml" >"$T/regex.yaml"
printf 'x login: ann; ip: 192.0.2.1\nx login: ann; ip: 192.0.2.2\nnope\n' >"$T/haproxy.log"
"$WORKER" --check-log "$T/haproxy.log" -f "$T/regex.yaml" >"$T/regex.json" 2>"$T/regex.err"
is "$(jq -c '[.lines, .matched, .skipped.malformed, .users.ann.ips, .users.ann.domains]' "$T/regex.json" 2>&1)" \
	'[3,2,1,["192.0.2.1","192.0.2.2"],{}]' "regex mode: user and ip groups, no destinations"
exit 0
