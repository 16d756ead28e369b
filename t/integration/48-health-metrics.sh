#!/bin/bash
# /api/v1/health and /api/v1/metrics (issue 3) with a real core and real
# traffic: the fields while healthy, exporter-style samples with the
# core's exact byte counts, users online while traffic flows, and health
# turning 503 once the worker is gone (ticker 1: within 3*1+5 s, plus the
# heartbeat's whole-second granularity), then 200 again when it is back.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-traffic.sh
. "$top_srcdir/t/integration/lib-traffic.sh"
set -u

lt_stack_start
run_ok "client v2ray is up" client_start
run_ok "the worker commits ticks" wait_ticks 2

# ---- health while healthy
api GET /api/v1/health
is "$status" 200 "health: 200"
like "$(header Content-Type)" '^application/json' "health: JSON"
is "$(json_get '[j["status"], j["worker"]["alive"], j["core"]["reachable"], j["core"]["error"], j["database"]["ok"]]')" \
    '["ok", true, true, "", true]' "health: ok, worker alive, core reachable, no error, database ok"
hb=$(json_get 'j["worker"]["heartbeat_age_seconds"]')
ok $((!(hb >= 0 && hb <= 2))) "health: heartbeat age small ($hb s)"
ta=$(json_get 'j["worker"]["last_tick_age_seconds"]')
ok $((!(ta >= 0 && ta <= 2))) "health: last tick age small ($ta s)"
td=$(json_get 'j["worker"]["last_tick_duration_ms"]')
like "$td" '^[0-9]+(\.[0-9]+)?$' "health: last tick duration present ($td ms)"
ok "$(json_get '0 if 0 < j["worker"]["last_tick_duration_ms"] < 1000 else 1')" "health: tick duration within (0, 1000) ms"
like "$(json_get 'j["core"]["since"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "health: core.since is a UTC time"
is "$(json_get 'j["notifications"]')" \
    '{"enabled": false, "queued": 0, "oldest_age_seconds": 0, "sent": 0, "failed": 0, "dropped": 0, "last_error": "", "last_error_at": ""}' \
    "health: notifications without Telegram: disabled, all zero"
cu=$(core_uptime)
hu=$(json_get 'j["core"]["uptime_seconds"]')
ok $((!(hu >= 0 && hu <= cu && cu - hu <= 2 * TIME_SCALE))) "health: core uptime $hu s (core says $cu s)"

# ---- metrics while traffic flows
TRAFFIC_MAX=40 traffic_start
online() {
	api GET /api/v1/metrics
	[ "$(metric v2ray_stat_users_online)" -ge 1 ] 2>/dev/null
}
run_ok "metrics: users online while traffic flows" wait_until 8 online
# Either user's traffic makes a user online; a busy machine may give a
# tick in which only the trojan loop moved: look again for a few ticks.
vless_moves() {
	api GET /api/v1/metrics
	r=$(metric 'v2ray_stat_traffic_rate_bits{dimension="inbound",target="vless-in"}')
	[ "$r" -gt 0 ] 2>/dev/null
}
wait_until 8 vless_moves
ok $((!(r > 0))) "metrics: vless-in rate above 0 while traffic flows ($r bits/s)"
traffic_stop
run_ok "one more transfer for alice" fetch_ok vless 123457
run_ok "the core's counters settle across two ticks" acct_settle "$RUN/core.final"
F=$RUN/core.final

api GET /api/v1/metrics
is "$status" 200 "metrics: 200"
like "$(header Content-Type)" '^text/plain' "metrics: text/plain"
lines=$(printf '%s' "$body" | grep -v '^#' | grep -cvE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+-]+$')
is "$lines" 0 "metrics: every sample line is name{labels} value"
for fam in traffic_uplink_bytes_total:counter traffic_downlink_bytes_total:counter \
    traffic_rate_bits:gauge users:gauge users_enabled:gauge users_online:gauge \
    worker_heartbeat_age_seconds:gauge worker_tick_duration_seconds:gauge core_up:gauge \
    core_uptime_seconds:gauge notifications_queued:gauge \
    notifications_oldest_age_seconds:gauge notifications_sent_total:counter \
    notifications_failed_total:counter notifications_dropped_total:counter \
    notifications_last_error_timestamp_seconds:gauge; do
	like "$body" "(^|"$'\n'")# TYPE v2ray_stat_${fam%%:*} ${fam#*:}"$'\n' "metrics: # TYPE v2ray_stat_${fam%%:*} ${fam#*:}"
done
for d in uplink downlink; do
	for k in user:alice@example.com user:tom@example.com inbound:vless-in inbound:trojan-in outbound:direct; do
		want=$(counter "$F" "${k%%:*}>>>${k#*:}>>>traffic>>>$d")
		is "$(metric "v2ray_stat_traffic_${d}_bytes_total{dimension=\"${k%%:*}\",target=\"${k#*:}\"}")" \
		    "$want" "metrics: $d bytes of ${k%%:*} ${k#*:} = the core's counter"
	done
done
is "$(metric 'v2ray_stat_traffic_rate_bits{dimension="user",target="alice@example.com"}')" 0 "metrics: alice's rate 0 once quiet"
is "$(metric v2ray_stat_users) $(metric v2ray_stat_users_enabled) $(metric v2ray_stat_users_online)" \
    "2 2 0" "metrics: 2 users, 2 enabled, 0 online"
is "$(metric v2ray_stat_core_up)" 1 "metrics: core up"
mu=$(metric v2ray_stat_core_uptime_seconds)
cu=$(core_uptime)
ok $((!(mu <= cu && cu - mu <= 2 * TIME_SCALE))) "metrics: core uptime $mu s (core says $cu s)"
hb=$(metric v2ray_stat_worker_heartbeat_age_seconds)
ok $((!(hb >= 0 && hb <= 2))) "metrics: heartbeat age small ($hb)"
like "$(metric v2ray_stat_worker_tick_duration_seconds)" '^0\.[0-9]+$' "metrics: tick duration under a second"

# ---- the worker dies
worker_kill9
t0=$(date +%s%3N)
sleep 1
api GET /api/v1/health
is "$status" 200 "health: still 200 one second after the worker died (a late tick is no failure)"
health_503() {
	health_is 503
}
run_ok "health turns 503" wait_until 15 health_503
dt=$(($(date +%s%3N) - t0))
ok $((dt > 10000)) "... within 3*ticker+5 s (+2 s for whole-second heartbeats) of the kill (${dt} ms)"
is "$(json_get '[j["status"], j["worker"]["alive"]]')" '["fail", false]' "health: fail, worker not alive"
ok $(($(json_get 'j["worker"]["heartbeat_age_seconds"]') < 8)) "health: heartbeat age >= 8 s"
api GET /api/v1/metrics
ok $(($(metric v2ray_stat_worker_heartbeat_age_seconds) < 8)) "metrics: heartbeat age >= 8 s"

worker_restart
health_200() {
	health_is 200
}
run_ok "health is 200 again once the worker is back" wait_until 5 health_200
done_testing
