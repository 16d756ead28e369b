#!/bin/bash
# Core restarts during traffic (issue 3).  The core is stopped (SIGTERM)
# and started again on the same ports twice while traffic flows: once with
# a pause long enough for the worker to see it down, once at once.  The
# worker notices each restart within a tick (its uptime went down, "core
# restarted" in the log); no commit moves a total by anything but the
# counter's delta (across a restart: the new counter); sess_* start over;
# at the end the totals equal what was committed from the old core plus the
# new core's counters.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-traffic.sh
. "$top_srcdir/t/integration/lib-traffic.sh"
set -u

lt_stack_start
run_ok "client v2ray is up" client_start
run_ok "the worker commits ticks" wait_ticks 1
poller_start
TRAFFIC_MAX=60 traffic_start
sleep 2

restarts_logged() {
	grep -c 'core restarted' "$RUN/worker.log"
}

# restart_seen N UPTIME: the worker logged its Nth restart and committed
# an uptime below UPTIME.
restart_seen() {
	local u
	[ "$(restarts_logged)" -ge "$1" ] || return 1
	u=$(state core_uptime)
	[ -n "$u" ] && [ "$u" -lt "$2" ]
}

core_down_seen() {
	[ "$(state core_up)" = 0 ]
}

now_ms() {
	date +%s%3N
}

# ---- 1: stop, let the worker see it down, start again
wait_ticks 1
up1=$(state core_uptime)
ok $((!(up1 >= 2))) "the core has been up a while (uptime $up1 s)"
core_stop
run_ok "the worker sees the core down within a tick" wait_until 3 core_down_seen
lt_py view "$DB" >"$RUN/base1"
sleep 1.5
is "$(lt_py view "$DB")" "$(cat "$RUN/base1")" "nothing is written while the core is down"
run_ok "the core starts again on the same ports" core_again
t0=$(now_ms)
wait_until 5 restart_seen 1 "$up1"
ok $? "the worker commits the restart (uptime $(state core_uptime) < $up1)"
dt=$(($(now_ms) - t0))
ok $((dt > 2000)) "... within a tick of the core being back (${dt} ms)"
like "$(grep 'core restarted' "$RUN/worker.log")" 'core restarted' "'core restarted' logged"
# The database first: traffic still flows, so the core's counter, read
# after it, can only be larger.
a_sess=$(sql "SELECT sess_downlink FROM clients_stats WHERE user = 'alice@example.com';")
core_counters_noapi "$RUN/core.after1"
a_new=$(counter "$RUN/core.after1" 'user>>>alice@example.com>>>traffic>>>downlink')
a_old=$(awk '$2 == "alice@example.com" { sub(/.*sess_down=/, ""); print }' "$RUN/base1")
ok $((!(a_sess <= a_new && a_sess < a_old))) "sess_downlink started over (alice: $a_old before, $a_sess now, core $a_new)"

# ---- 2: stop and start again at once
sleep 2
wait_ticks 1
up2=$(state core_uptime)
n=$(restarts_logged)
core_stop
run_ok "the core starts again at once" core_again
t0=$(now_ms)
wait_until 5 restart_seen $((n + 1)) "$up2"
ok $? "the worker commits the second restart (uptime $(state core_uptime) < $up2)"
dt=$(($(now_ms) - t0))
ok $((dt > 2000)) "... within a tick of the core being back (${dt} ms)"

# ---- 3: the core restarts while the worker is down
sleep 1.5
wait_ticks 1
up3=$(state core_uptime)
n=$(restarts_logged)
worker_kill9
core_stop
run_ok "the core starts again while the worker is down" core_again
sleep 1
worker_restart
wait_until 5 restart_seen $((n + 1)) "$up3"
ok $? "the worker, started again, sees from the stored uptime that the core restarted ($(state core_uptime) < $up3)"
sleep 1.5
traffic_stop

run_ok "the core's counters settle across two ticks" acct_settle "$RUN/core.final"
F=$RUN/core.final
stop_pidfile poller
chain_check "every commit moved each total by its counter's delta, or by the new counter after a restart; rates over the measured interval" rates
diag "$(cat "$RUN/chain.last")"
restarts=$(awk '{ print $4 }' "$RUN/chain.last")
is "$restarts" 3 "the commits show three restarts"
lt_py base "$RUN/commits.log" >"$RUN/base2"
acct_is "totals = committed from the old core + the new core's counters; sess_* = the new counters" "$F" "$RUN/base2"
a1=$(awk '$2 == "alice@example.com" { sub(/.*[^_]down=/, ""); sub(/ .*/, ""); print }' "$RUN/base1")
a2=$(sql "SELECT downlink FROM clients_stats WHERE user = 'alice@example.com';")
t1=$(awk '$2 == "tom@example.com" { sub(/.*[^_]down=/, ""); sub(/ .*/, ""); print }' "$RUN/base1")
t2=$(sql "SELECT downlink FROM clients_stats WHERE user = 'tom@example.com';")
ok $((!(a2 > a1 && t2 > t1))) "totals kept growing after the restarts (alice $a1 -> $a2, tom $t1 -> $t2)"
api GET /api/v1/health
is "$status" 200 "health is 200 again"
pidfile_alive worker
ok $? "worker still running"
done_testing
