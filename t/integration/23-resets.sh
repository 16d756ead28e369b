#!/bin/bash
# POST reset_traffic_stats, reset_clients_stats, reset_traffic.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

STACK_WORKER=0
STACK_CORE=0
stack_start
run_ok "database ready" wait_db 10

sql "INSERT INTO traffic_stats (source, direction, rate, uplink, downlink, sess_uplink, sess_downlink) VALUES
    ('vless-in', 'inbound', 10, 11, 12, 13, 14), ('direct', 'outbound', 20, 21, 22, 23, 24);
INSERT INTO clients_stats (user, uuid, last_seen, rate, enabled, uplink, downlink, sess_uplink, sess_downlink, lim_ip)
    VALUES ('amy', 'x', 'online', 30, 'true', 31, 32, 33, 34, 3), ('bob', 'y', '', 40, 'false', 41, 42, 43, 44, 0);"

traffic() { sql "SELECT source, direction, rate, uplink, downlink, sess_uplink, sess_downlink FROM traffic_stats ORDER BY source;"; }
clients() { sql "SELECT user, last_seen, rate, enabled, uplink, downlink, sess_uplink, sess_downlink, lim_ip FROM clients_stats ORDER BY user;"; }
clients_before=$(clients)

api POST /api/v1/reset_traffic_stats
is_reply 200 "Traffic stats reset successfully" "reset_traffic_stats: 200"
is_text_reply "reset_traffic_stats: text/plain"
is "$(traffic)" "direct|outbound|20|0|0|23|24
vless-in|inbound|10|0|0|13|14" "traffic_stats: uplink and downlink zeroed, rate and sess kept"
is "$(clients)" "$clients_before" "clients_stats untouched"

traffic_before=$(traffic)
api POST /api/v1/reset_clients_stats
is_reply 200 "Client traffic stats reset successfully" "reset_clients_stats: 200"
is "$(clients)" "amy|online|30|true|0|0|33|34|3
bob||40|false|0|0|43|44|0" "clients_stats: uplink and downlink zeroed, the rest kept"
is "$(traffic)" "$traffic_before" "traffic_stats untouched"

api POST /api/v1/reset_clients_stats
is_reply 200 "Client traffic stats reset successfully" "reset_clients_stats again: 200"
api POST "/api/v1/reset_traffic_stats?unknown=1" -d "other=2"
is_reply 200 "Traffic stats reset successfully" "unknown parameters are ignored"

api POST /api/v1/reset_traffic
is_reply 409 "Traffic monitor not initialized (features.network is off)" "reset_traffic with features.network off: 409"
is "$(sql "SELECT count(*) FROM net_baseline;")" 0 "no baseline written"

iface=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); if ($1 != "lo") { print $1; exit } }' /proc/net/dev)
if [ -n "$iface" ]; then
	CFG_NETWORK=true
	run_ok "pool restarted with features.network" fcgi_reconfig
	api POST /api/v1/reset_traffic
	is_reply 200 "Traffic reset successfully" "reset_traffic with features.network on: 200"
	is "$(sql "SELECT count(*) FROM net_baseline;")" 1 "one baseline row"
	at=$(sql "SELECT at FROM net_baseline;")
	now=$(date +%s)
	ok $((at < now - 60 || at > now + 5)) "baseline time is now ($at)"
	api GET /api/v1/stats
	like "$body" "➤  Network \([^)]+\):
" "stats shows the Network block"
	like "$body" "
 *rx: " "Network block has rx"
	like "$body" "
 *tx: " "Network block has tx"
else
	skip 7 "no network interface besides lo"
fi

done_testing
