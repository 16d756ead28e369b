#!/bin/bash
# Worker crashes (issue 3): while traffic flows through vless-in and
# trojan-in, the worker is killed with SIGKILL at random moments (some just
# after a tick starts, some while it starts up) and started again after a
# random short delay, 21 times.  Every commit seen in between moved each
# total by exactly its counter's delta, and at the end the totals equal the
# core's counters: nothing lost, nothing doubled.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-traffic.sh
. "$top_srcdir/t/integration/lib-traffic.sh"
set -u

KILLS=${KILLS:-21}
lt_stack_start
run_ok "client v2ray is up" client_start
run_ok "the worker commits ticks" wait_ticks 1
poller_start
TRAFFIC_MAX=90 traffic_start

# sleep_ms N: sleeps N milliseconds (0 is fine).
sleep_ms() {
	sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
}

now_ms() {
	date +%s%3N
}

kills=0 after_tick=0 at_start=0 anytime=0
while [ "$kills" -lt "$KILLS" ]; do
	case $((kills % 3)) in
	0)
		# Just after a tick starts: tick_ms is the wall time the
		# last tick started; the next one starts a ticker later.
		wait_ticks 1 5
		t=$(tick_now)
		d=$((t + 1000 + RANDOM % 40 - $(now_ms)))
		[ "$d" -gt 0 ] && sleep_ms "$d"
		after_tick=$((after_tick + 1))
		;;
	1)
		# While it starts up (opening the database, adopting, the
		# first tick).
		sleep_ms $((RANDOM % 300))
		at_start=$((at_start + 1))
		;;
	2)
		sleep_ms $((100 + RANDOM % 1000))
		anytime=$((anytime + 1))
		;;
	esac
	worker_kill9
	kills=$((kills + 1))
	sleep_ms $((RANDOM % 300))
	worker_restart
done
ok $((kills < 20)) "killed the worker $kills times ($after_tick just after a tick started, $at_start while starting, $anytime at random)"

run_ok "the restarted worker commits ticks" wait_ticks 2
traffic_stop
pidfile_alive worker
ok $? "the last worker is running"

run_ok "the core's counters settle across two ticks" acct_settle "$RUN/core.final"
F=$RUN/core.final
a=$(counter "$F" 'user>>>alice@example.com>>>traffic>>>downlink')
t=$(counter "$F" 'user>>>tom@example.com>>>traffic>>>downlink')
ok $((!(a > 100000 && t > 100000))) "traffic went through both inbounds during the kills (alice $a, tom $t bytes down)"
acct_is "after $kills kills every total equals the core's counter exactly" "$F"
stop_pidfile poller
chain_check "every commit moved each total by exactly its counter's delta"
diag "$(cat "$RUN/chain.last")"
commits=$(awk '{ print $2 }' "$RUN/chain.last")
ok $((commits < 15)) "the poller saw the commits between the kills ($commits)"
is "$(sql 'SELECT count(*) FROM clients_stats;')" 2 "still exactly the two users"
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'api';")" 0 "the api inbound is not counted"
is "$(sql 'PRAGMA integrity_check;')" ok "database integrity_check ok"
done_testing
