# shellcheck shell=bash
# Globals of lib.sh (top_srcdir, status, body) are read here:
# shellcheck disable=SC2154
# shellcheck disable=SC2034
#
# t/integration/lib-traffic.sh: real traffic for the accounting tests
# (issue 3).  Source it after lib.sh.  On top of the stack of lib.sh:
#   - a local HTTP server (lib-traffic.py httpd): GET /N answers N bytes,
#     POST swallows the body, so both directions carry data;
#   - a second v2ray acting as a client (write_client_json of lib.sh):
#     socks on C_VLESS_PORT -> vless-in, socks on C_TROJAN_PORT -> trojan-in;
#   - traffic loops (curl through the client), a commit poller, readers of
#     the core's own counters, worker kill/restart and core restart.
# Every process started here is stopped by lt_cleanup (the EXIT trap set by
# lt_stack_start), or by stack_stop through its pid file.

LT_CLIENT_UUID=11111111-2222-3333-4444-555555555555
LT_CLIENT_PASS=tompass
LT_LOOPS=
LT_LAST_TICK=

# lt_py ARGS...: runs lib-traffic.py.
lt_py() {
	"$LT_PYTHON" "$LT_PY" "$@"
}

# lt_cleanup: the EXIT trap: stops the loops and our extra processes, then
# the stack.
lt_cleanup() {
	[ -n "${RUN:-}" ] && [ -d "$RUN" ] || return 0
	traffic_stop
	stop_pidfile poller
	stop_pidfile fakeapi
	stack_stop
}

# lt_stack_start: stack_start (see lib.sh: STACK_CORE=0 writes core.json
# only), skipping the script when the core or the helper tools are missing;
# then the HTTP server.  The client is started by client_start (needs the
# core's ports).
lt_stack_start() {
	require_tools nginx spawn-fcgi curl sqlite3 python3 fcgi worker v2ray
	CORE_CLI=${CORE_CLI:-$top_builddir/t/coreapi-cli}
	if [ ! -x "$CORE_CLI" ] && ! command -v v2ctl >/dev/null 2>&1; then
		skip_all "neither $CORE_CLI nor v2ctl to read the core's counters"
	fi
	LT_PY=$top_srcdir/t/integration/lib-traffic.py
	# The interpreter itself: a version manager's shim in PATH can cost
	# a second per start.
	LT_PYTHON=$("$PYTHON3" -c 'import sys; print(sys.executable)' 2>/dev/null)
	[ -x "$LT_PYTHON" ] || LT_PYTHON=$PYTHON3
	PYTHON3=$LT_PYTHON
	stack_start
	trap lt_cleanup EXIT
	httpd_start || bail_out "cannot start the HTTP server: $(tail -n 5 "$RUN/httpd.log")"
}

# httpd_start: lib-traffic.py httpd on HTTPD_PORT (a free port).
httpd_start() {
	HTTPD_PORT=$(free_port) || return 1
	start_bg httpd "$RUN/httpd.log" "$LT_PYTHON" "$LT_PY" \
	    httpd "$HTTPD_PORT" "$RUN"
	wait_until 10 port_listening "$HTTPD_PORT"
}

# client_start: the client v2ray for alice (vless) and tom (trojan).
client_start() {
	C_VLESS_PORT=$(free_port) && C_TROJAN_PORT=$(free_port) || return 1
	write_client_json "$RUN/client.json" "$LT_CLIENT_UUID" "$LT_CLIENT_PASS"
	start_bg client "$RUN/client.log" "$V2RAY_BIN" -config "$RUN/client.json"
	wait_until 10 port_listening "$C_VLESS_PORT" &&
		wait_until 10 port_listening "$C_TROJAN_PORT"
}

# fetch VIA DOWN [UP]: one request through the client: GET DOWN bytes, or
# POST the file RUN/up-UP.bin (created on first use) when UP is given.
# VIA is vless or trojan.  Returns curl's status.
fetch() {
	local port=$C_VLESS_PORT
	[ "$1" = trojan ] && port=$C_TROJAN_PORT
	if [ -n "${3:-}" ]; then
		[ -f "$RUN/up-$3.bin" ] || head -c "$3" /dev/zero >"$RUN/up-$3.bin"
		"$CURL" -sS --max-time 10 --socks5-hostname "127.0.0.1:$port" \
		    -o /dev/null --data-binary "@$RUN/up-$3.bin" \
		    -H 'Content-Type: application/octet-stream' \
		    "http://127.0.0.1:$HTTPD_PORT/up" 2>>"$RUN/curl.err"
	else
		"$CURL" -sS --max-time 10 --socks5-hostname "127.0.0.1:$port" \
		    -o /dev/null "http://127.0.0.1:$HTTPD_PORT/$2" 2>>"$RUN/curl.err"
	fi
}

# fetch_socks USER:PASS DOWN: a GET of DOWN bytes through the core's own
# socks inbound (socks-in) as USER.
fetch_socks() {
	local got
	got=$("$CURL" -sS --max-time 10 --proxy "socks5h://$1@127.0.0.1:$SOCKS_PORT" \
	    -o /dev/null -w '%{size_download}' "http://127.0.0.1:$HTTPD_PORT/$2" \
	    2>>"$RUN/curl.err") && [ "$got" = "$2" ]
}

# fetch_ok VIA DOWN: a GET that must deliver exactly DOWN bytes.
fetch_ok() {
	local port=$C_VLESS_PORT got
	[ "$1" = trojan ] && port=$C_TROJAN_PORT
	got=$("$CURL" -sS --max-time 10 --socks5-hostname "127.0.0.1:$port" \
	    -o /dev/null -w '%{size_download}' "http://127.0.0.1:$HTTPD_PORT/$2" \
	    2>>"$RUN/curl.err") && [ "$got" = "$2" ]
}

# lt_loop VIA: the body of one traffic loop (a background subshell): random
# downloads and uploads until RUN/traffic.stop exists (bounded by
# TRAFFIC_MAX seconds, default 100).
lt_loop() {
	local end=$((SECONDS + ${TRAFFIC_MAX:-100})) ups=(1000 20011 65536 150001)
	trap - EXIT INT TERM HUP PIPE
	while [ ! -e "$RUN/traffic.stop" ] && [ "$SECONDS" -lt "$end" ]; do
		fetch "$1" $((10000 + RANDOM * 4)) || sleep 0.2
		fetch "$1" 0 "${ups[RANDOM % 4]}" || sleep 0.2
		sleep "$(printf '0.%02d' $((5 + RANDOM % 10)))"
	done
}

# traffic_start: one loop through vless-in and one through trojan-in.
traffic_start() {
	rm -f "$RUN/traffic.stop"
	lt_loop vless &
	LT_LOOPS="$LT_LOOPS $!"
	lt_loop trojan &
	LT_LOOPS="$LT_LOOPS $!"
}

# traffic_stop: ends the loops (after their current request).
traffic_stop() {
	local p
	[ -n "$LT_LOOPS" ] || return 0
	: >"$RUN/traffic.stop"
	for p in $LT_LOOPS; do
		wait "$p" 2>/dev/null
	done
	LT_LOOPS=
	rm -f "$RUN/traffic.stop"
}

# core_counters OUT: every counter of the core, "NAME VALUE" per line,
# sorted (through t/coreapi-cli, or v2ctl).
core_counters() {
	local rc
	if [ -x "$CORE_CLI" ]; then
		"$CORE_CLI" -t 3000 "127.0.0.1:$API_PORT" v2fly query >"$1.tmp" 2>>"$RUN/cli.err"
		rc=$?
		grep '>>>' "$1.tmp" | LC_ALL=C sort >"$1"
	else
		v2ctl api --server="127.0.0.1:$API_PORT" StatsService.QueryStats \
		    'pattern: "" reset: false' >"$1.tmp" 2>>"$RUN/cli.err"
		rc=$?
		awk '/name:/ { gsub(/"/, "", $2); n = $2 }
		     /value:/ { print n, $2 }' "$1.tmp" | LC_ALL=C sort >"$1"
	fi
	rm -f "$1.tmp"
	return "$rc"
}

# core_counters_noapi OUT: the same without the api inbound (it counts the
# reads themselves).
core_counters_noapi() {
	core_counters "$1.all" || return 1
	grep -v '^inbound>>>api>>>' "$1.all" >"$1"
	rm -f "$1.all"
}

# core_uptime: the core's uptime in seconds (empty if it does not answer).
core_uptime() {
	"$CORE_CLI" -t 2000 "127.0.0.1:$API_PORT" v2fly sys 2>/dev/null |
		awk '$1 == "uptime" { print $2 }'
}

# tick_now: worker_state tick_ms (the time of the last committed tick).
tick_now() {
	sql "SELECT value FROM worker_state WHERE key = 'tick_ms';" 2>/dev/null
}

lt_tick_moved() {
	local t
	t=$(tick_now)
	[ -n "$t" ] && [ "$t" != "$LT_LAST_TICK" ] && LT_LAST_TICK=$t
}

# wait_ticks N [SECONDS]: waits for N more committed ticks (each within
# SECONDS, default 10).
wait_ticks() {
	local n=$1
	LT_LAST_TICK=$(tick_now)
	while [ "$n" -gt 0 ]; do
		wait_until "${2:-10}" lt_tick_moved || return 1
		n=$((n - 1))
	done
}

lt_beat_moved() {
	local t
	t=$(state heartbeat)
	[ -n "$t" ] && [ "$t" != "$LT_LAST_TICK" ] && LT_LAST_TICK=$t
}

# wait_beats N [SECONDS]: waits for N more heartbeats (written by every
# tick, whether the core answered or not; one per second at most).
wait_beats() {
	local n=$1
	LT_LAST_TICK=$(state heartbeat)
	while [ "$n" -gt 0 ]; do
		wait_until "${2:-10}" lt_beat_moved || return 1
		n=$((n - 1))
	done
}

# state KEY: a worker_state value.
state() {
	sql "SELECT value FROM worker_state WHERE key = '$1';" 2>/dev/null
}

# acct_settle OUT: once the traffic has stopped: waits until the core's
# counters no longer move across two committed ticks; leaves them in OUT.
# Fails after 5 tries.
acct_settle() {
	local i=0
	while [ "$i" -lt 5 ]; do
		i=$((i + 1))
		core_counters_noapi "$RUN/settle.a" || { sleep 1; continue; }
		wait_ticks 2 || return 1
		core_counters_noapi "$RUN/settle.b" || continue
		if cmp -s "$RUN/settle.a" "$RUN/settle.b"; then
			mv "$RUN/settle.b" "$1"
			return 0
		fi
	done
	return 1
}

# acct_is DESC CORE [BASE]: the database's accounting rows equal BASE (a
# saved `lt_py view`) + the counters in CORE, sess_* = the counters.  A
# counter without a row counts as a row of zeros here (rows_exist checks
# that apart).
acct_is() {
	is "$(lt_py view "$DB" "$2")" "$(lt_py expect "$DB" "$2" "${3:-}")" "$1"
}

# rows_exist DESC CORE: every counter of CORE has its row in the database
# (the original upserts a traffic_stats row for every tag the core reports).
rows_exist() {
	is "$(lt_py missing "$DB" "$2" | tr '\n' ' ')" "" "$1"
}

# counter FILE NAME: the value of counter NAME in FILE (0 if absent).
counter() {
	awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }' "$1"
}

# poller_start: records every commit into RUN/commits.log (see chain).
poller_start() {
	: >"$RUN/commits.log"
	start_bg poller "$RUN/poller.log" "$LT_PYTHON" "$LT_PY" \
	    poll "$DB" "$RUN/commits.log"
}

# chain_check DESC [rates]: every pair of consecutive commits seen by the
# poller moved every total by exactly the counter's delta (or, across a
# core restart, by the new counter); with "rates", every rate is the bits/s
# of that delta over the measured interval (only where the poller cannot
# have missed a commit: no worker restarts).
chain_check() {
	local out
	out=$(lt_py chain "$RUN/commits.log" "${2:-}")
	like "$out" '^commits [0-9]+ restarts [0-9]+ violations 0$' "$1"
	[ "${LT_CHAIN_DIAG:-0}" = 1 ] && diag "$(printf '%s' "$out" | tail -n 1)"
	printf '%s\n' "$out" | tail -n 1 >"$RUN/chain.last"
}

# worker_pid: the running worker's pid.
worker_pid() {
	head -n 1 "$RUN/worker.pid" 2>/dev/null
}

# worker_kill9: SIGKILL to the worker, reaped.
worker_kill9() {
	local p
	p=$(worker_pid)
	if [ -n "$p" ] && pid_ours "$p"; then
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	fi
	rm -f "$RUN/worker.pid"
}

# worker_restart: the worker again, on RUN/v2ray-stat.yaml.
worker_restart() {
	worker_start "$RUN/v2ray-stat.yaml"
}

# core_stop: SIGTERM to the core, waits for it (KILL after 5 s).
core_stop() {
	stop_pidfile core
}

# core_again: the core on the same ports and RUN/core.json.
core_again() {
	start_bg core "$RUN/core.log" "$V2RAY_BIN" -config "$RUN/core.json"
	wait_until 10 core_ready
}

# fakeapi_start KIND: on API_PORT, instead of the core: "http" (an HTTP/1.1
# server) or "silent" (accepts and never answers).
fakeapi_start() {
	start_bg fakeapi "$RUN/fakeapi.log" "$LT_PYTHON" "$LT_PY" \
	    "$([ "$1" = http ] && echo httpd || echo silent)" "$API_PORT" "$RUN"
	wait_until 10 port_listening "$API_PORT"
}

fakeapi_stop() {
	stop_pidfile fakeapi
}

# health: GET /api/v1/health (status, body as api sets them).
health() {
	api GET /api/v1/health
}

health_is() {
	health
	[ "$status" = "$1" ]
}

# metric NAME{LABELS}: the value of one sample of the last body (empty if
# absent).
metric() {
	printf '%s' "$body" | awk -v n="$1" '$1 == n { print $2; exit }'
}
