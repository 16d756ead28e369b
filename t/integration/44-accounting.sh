#!/bin/bash
# Exact accounting (issue 3): real traffic through vless-in and trojan-in,
# pushed by a second v2ray acting as a client, for alice and tom (users of
# the core config that the worker adopts).  Once the traffic stops and two
# more ticks pass, every user, inbound and outbound total in the database,
# /api/v1/users, /api/v1/stats and /api/v1/metrics equals the core's own
# counter exactly; sess_* too; every commit on the way moved the totals by
# the counters' deltas, with rate = bits/s over the measured interval; the
# api inbound is never counted.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-traffic.sh
. "$top_srcdir/t/integration/lib-traffic.sh"
set -u

CFG_SERVER_COLUMNS="source direction rate uplink downlink sess_uplink sess_downlink"
CFG_CLIENT_COLUMNS="user rate uplink downlink sess_uplink sess_downlink"
lt_stack_start
run_ok "client v2ray is up" client_start
run_ok "the worker commits ticks" wait_ticks 1
poller_start

# Known requests first: the core relays them whole.
run_ok "300000 bytes arrive through vless-in" fetch_ok vless 300000
run_ok "250001 bytes arrive through trojan-in" fetch_ok trojan 250001
run_ok "an upload goes through vless-in" fetch vless 0 150001
run_ok "an upload goes through trojan-in" fetch trojan 0 65536

# Then traffic in both directions across several ticks.
traffic_start
sleep 3
traffic_stop

run_ok "the core's counters settle across two ticks" acct_settle "$RUN/core.final"
F=$RUN/core.final
a_up=$(counter "$F" 'user>>>alice@example.com>>>traffic>>>uplink')
a_down=$(counter "$F" 'user>>>alice@example.com>>>traffic>>>downlink')
t_up=$(counter "$F" 'user>>>tom@example.com>>>traffic>>>uplink')
t_down=$(counter "$F" 'user>>>tom@example.com>>>traffic>>>downlink')
ok $((!(a_down > 300000 && a_up > 150001))) "the core counted alice's traffic (up $a_up, down $a_down)"
ok $((!(t_down > 250001 && t_up > 65536))) "the core counted tom's traffic (up $t_up, down $t_down)"

# The database.
acct_is "every total and sess_* in the database equals the core's counter" "$F"
stop_pidfile poller
chain_check "every commit moved each total by its counter's delta, at the rate over the measured interval" rates
diag "$(cat "$RUN/chain.last")"
rows_exist "every inbound and outbound the core reports has a traffic_stats row" "$F"
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'api';")" 0 \
    "the api inbound is not in traffic_stats"
is "$(sql "SELECT group_concat(DISTINCT direction) FROM (SELECT direction FROM traffic_stats ORDER BY 1);")" \
    "inbound,outbound" "traffic_stats keeps inbound and outbound apart"
is "$(sql "SELECT user || ' ' || rate || ' ' || (last_seen GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]') FROM clients_stats ORDER BY user;")" \
    "alice@example.com 0 1
tom@example.com 0 1" "quiet users: rate 0, last_seen a minute"

# /api/v1/users
api GET /api/v1/users
is "$status" 200 "GET users: 200"
want=$(printf '%s %s %s %s %s\n' alice@example.com "$a_up" "$a_down" "$a_up" "$a_down" \
    tom@example.com "$t_up" "$t_down" "$t_up" "$t_down")
is "$(json_get '"\n".join("%s %d %d %d %d" % (u["user"], u["uplink"], u["downlink"], u["sess_uplink"], u["sess_downlink"]) for u in j)')" \
    "$want" "users: uplink, downlink, sess_* equal the core's counters"

# /api/v1/metrics: every *_bytes_total sample with traffic, and nothing else.
api GET /api/v1/metrics
is "$status" 200 "GET metrics: 200"
want=$(grep -v '^inbound>>>api>>>' "$F" | awk '$2 > 0 {
	split($1, p, ">>>")
	printf "v2ray_stat_traffic_%s_bytes_total{dimension=\"%s\",target=\"%s\"} %s\n", p[4], p[1], p[2], $2
}' | LC_ALL=C sort)
got=$(printf '%s' "$body" | grep '^v2ray_stat_traffic_[a-z]*_bytes_total{' | awk '$2 != 0' | LC_ALL=C sort)
is "$got" "$want" "metrics: the byte totals equal the core's counters"
unlike "$body" 'target="api"' "metrics: no api target"
is "$(metric 'v2ray_stat_users')" 2 "metrics: v2ray_stat_users 2"
is "$(metric 'v2ray_stat_users_online')" 0 "metrics: nobody online once quiet"

# /api/v1/stats: each row shows the formatted exact values.
api GET /api/v1/stats
is "$status" 200 "GET stats: 200"
norm=$(printf '%s' "$body" | tr -s ' ' | sed 's/^ //; s/ $//')
missing=
while IFS= read -r row; do
	printf '%s\n' "$norm" | grep -Fqx -- "$row" || missing="${missing}[${row}] "
done < <(lt_py statsrows "$F")
is "$missing" "" "stats: every user and tag row shows the core's counters"
unlike "$norm" $'(^|\n)api ' "stats: no api row"

# Still exact a while later (nothing added by idle ticks).
wait_ticks 2
core_counters_noapi "$RUN/core.later"
run_ok "the core's counters did not move while idle" cmp -s "$F" "$RUN/core.later"
acct_is "idle ticks change no total" "$RUN/core.later"

pidfile_alive worker
ok $? "worker still running"
done_testing
