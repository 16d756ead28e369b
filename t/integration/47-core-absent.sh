#!/bin/bash
# A core that is not there (issue 3): the worker starts while nothing
# listens on the core's API port, then the port is taken by an HTTP/1.1
# server, then by a peer that accepts and never answers.  Throughout, the
# worker keeps ticking, /api/v1/health says 503 and why, and no total is
# touched.  When a real core appears on the port, health turns 200 within
# a couple of ticks and the accounting starts, on top of the totals kept
# (a user seen only in the counters is added).
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-traffic.sh
. "$top_srcdir/t/integration/lib-traffic.sh"
set -u

STACK_CORE=0 lt_stack_start
is "$HAVE_CORE" 0 "no core at start"
wpid=$(worker_pid)

users2() {
	[ "$(sql 'SELECT count(*) FROM clients_stats;' 2>/dev/null)" = 2 ]
}
run_ok "the worker adopts the two users of the core config without a core" wait_until 10 users2

# Totals from earlier runs that must survive all this.
sql "UPDATE clients_stats SET uplink = 1000, downlink = 2000 WHERE user = 'alice@example.com';
     UPDATE clients_stats SET uplink = 3000, downlink = 4000 WHERE user = 'tom@example.com';
     INSERT INTO traffic_stats (source, direction, uplink, downlink) VALUES
         ('vless-in', 'inbound', 500, 600), ('direct', 'outbound', 700, 800);"
lt_py view "$DB" >"$RUN/base0"

# check_down WHAT ERE: after three more heartbeats the worker is alive, health
# is 503 with core.reachable false and an error matching ERE, and the
# accounting rows are untouched.
check_down() {
	local err
	run_ok "$1: the worker keeps ticking" wait_beats 3 5
	pid_ours "$wpid"
	ok $? "$1: the worker is alive"
	api GET /api/v1/health
	is "$status" 503 "$1: health 503"
	is "$(json_get '[j["status"], j["core"]["reachable"], j["worker"]["alive"], j["database"]["ok"]]')" \
	    '["fail", false, true, true]' "$1: status fail, core unreachable, worker alive, database ok"
	err=$(json_get 'j["core"]["error"]')
	like "$err" "$2" "$1: core.error says why ($err)"
	ok $(($(json_get 'j["worker"]["heartbeat_age_seconds"]') > 2)) "$1: heartbeat fresh"
	is "$(lt_py view "$DB")" "$(cat "$RUN/base0")" "$1: no total touched"
	is "$(state tick_ms)" "" "$1: no accounting tick committed"
}

# ---- nothing listens on the port
check_down "nothing on the port" 'UNAVAILABLE.*[Cc]onnect'
n=$(grep -c "core API at 127.0.0.1:$API_PORT" "$RUN/worker.log")
is "$n" 1 "the unreachable core is logged once, not on every tick"

# ---- an HTTP/1.1 server on the port
run_ok "an HTTP/1.1 server takes the api port" fakeapi_start http
check_down "HTTP/1.1 on the port" 'HTTP|UNAVAILABLE'
fakeapi_stop

# ---- a peer that accepts and never answers
run_ok "a silent peer takes the api port" fakeapi_start silent
check_down "silent peer on the port" 'DEADLINE|[Dd]eadline'
fakeapi_stop

# ---- the real core appears
run_ok "the core starts on the api port" core_again
health_ok() {
	health_is 200
}
t0=$(date +%s%3N)
run_ok "health turns 200" wait_until 10 health_ok
dt=$(($(date +%s%3N) - t0))
ok $((dt > 3000)) "... within a couple of ticks (${dt} ms)"
is "$(json_get '[j["status"], j["core"]["reachable"], j["core"]["error"]]')" '["ok", true, ""]' \
    "health: ok, core reachable, no error"
pid_ours "$wpid"
ok $? "the same worker process all along"

run_ok "client v2ray is up" client_start
run_ok "traffic through vless-in" fetch_ok vless 200000
run_ok "traffic through trojan-in" fetch_ok trojan 100001
run_ok "traffic through socks-in as bob, a user only the core knows" fetch_socks bob:bobpass 70001
run_ok "the core's counters settle across two ticks" acct_settle "$RUN/core.final"
acct_is "accounting started: totals = the kept totals + the core's counters" "$RUN/core.final" "$RUN/base0"
is "$(sql "SELECT user FROM clients_stats WHERE user = 'bob';")" bob "bob, seen only in the counters, was added"
done_testing
