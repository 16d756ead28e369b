#!/bin/bash
# GET /api/v1/stats and /api/v1/stats/base: the text tables byte for byte
# for a small seeded case, byte and rate formatting, sort overrides and
# their 400s, the four base modes, the optional blocks.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

# No worker and no core: nothing may touch the seeded rows.
STACK_WORKER=0
STACK_CORE=0
CFG_SERVER_SORT="source ASC"
CFG_SERVER_COLUMNS="source rate uplink downlink"
CFG_CLIENT_SORT="user ASC"
CFG_CLIENT_COLUMNS="user last_seen rate uplink downlink enabled sub_end lim_ip ips"
stack_start
run_ok "database ready" wait_db 10

sql "INSERT INTO traffic_stats (source, direction, rate, uplink, downlink, sess_uplink, sess_downlink) VALUES
    ('vless-in', 'inbound', 1500, 2048, 1572864, 100, 200),
    ('direct', 'outbound', 0, 512, 3221225472, 300, 400);
INSERT INTO clients_stats (user, uuid, last_seen, rate, enabled, sub_end, lim_ip, ips, uplink, downlink,
    sess_uplink, sess_downlink, created, inbound_tag, renew) VALUES
    ('amy', '11111111-1111-4111-8111-111111111111', 'online', 2500000, 'true', '2030-01-01-00', 2,
     '10.0.0.1', 5120, 0, 1048576, 7, '2025-01-01-00', 'vless-in', 30),
    ('bob', '22222222-2222-4222-8222-222222222222', '2025-06-01 12:00', 0, 'false', '', 0,
     '', 0, 10737418240, 0, 0, '2025-01-02-03', 'trojan-in', 0);"

dashes() {
	printf '%*s' "$1" '' | tr ' ' -
}

server_table=$(
	printf '%-10s%-11s%-10s%-10s\n' Source Rate Uplink Downlink
	printf '%s  %s  %s  %s  \n' "$(dashes 8)" "$(dashes 9)" "$(dashes 8)" "$(dashes 8)"
	printf '%-10s%9s  %8s  %8s  \n' direct "0 bps" "512 B" "3.00 GiB"
	printf '%-10s%9s  %8s  %8s  \n' vless-in "1.50 Kbps" "2.00 KiB" "1.50 MiB"
	printf x
)
server_table=${server_table%x}
client_head=$(
	printf '%-6s%-18s%-11s%-10s%-11s%-9s%-15s%-5s%-10s\n' User "Last seen" Rate Uplink Downlink Enabled "Sub end" Lim Ips
	printf '%s  ' "$(dashes 4)" "$(dashes 16)" "$(dashes 9)" "$(dashes 8)" "$(dashes 9)" "$(dashes 7)" "$(dashes 13)" "$(dashes 3)" "$(dashes 8)"
	printf '\nx'
)
client_head=${client_head%x}
row_amy=$(printf '%-6s%-18s%9s  %8s  %9s  %-9s%-15s%-5s%-10s\nx' amy online "2.50 Mbps" "5.00 KiB" "0 B" true 2030-01-01-00 2 10.0.0.1)
row_amy=${row_amy%x}
row_bob=$(printf '%-6s%-18s%9s  %8s  %9s  %-9s%-15s%-5s%-10s\nx' bob "2025-06-01 12:00" "0 bps" "0 B" "10.00 GiB" false "" 0 "")
row_bob=${row_bob%x}

expected="➤  Server Statistics:
$server_table
➤  Client Statistics:
$client_head$row_amy$row_bob
"
api GET /api/v1/stats
is "$status" 200 "GET stats: 200"
is_text_reply "stats: text/plain"
is "$(header Cache-Control)" "no-store" "stats: Cache-Control no-store"
if [ "$body" = "$expected" ]; then
	pass "stats body byte for byte"
else
	fail "stats body byte for byte"
	diff <(printf '%s' "$expected") <(printf '%s' "$body") | sed 's/^/# /'
fi

# client_order: the first column of the client rows, space-separated.
client_order() {
	printf '%s' "$body" | awk '
		/Client Statistics:/ { on = 1; skip = 2; next }
		on && skip > 0 { skip--; next }
		on && NF > 0 { printf "%s%s", sep, $1; sep = " " }'
}

api GET "/api/v1/stats?sort_by=rate&sort_order=DESC"
is "$status" 200 "seed example: sort_by=rate&sort_order=DESC"
is "$(client_order)" "amy bob" "rate DESC: amy first"
api GET "/api/v1/stats?sort_by=downlink&sort_order=DESC"
is "$(client_order)" "bob amy" "downlink DESC: bob first"
api GET "/api/v1/stats?sort_by=user&sort_order=DESC"
is "$(client_order)" "bob amy" "user DESC"
api GET "/api/v1/stats?sort_by=created&sort_order=ASC"
is "$(client_order)" "amy bob" "created ASC"
api GET "/api/v1/stats?sort_by=inbound_tag&sort_order=ASC"
is "$(client_order)" "bob amy" "inbound_tag ASC (ours): trojan-in first"
api GET "/api/v1/stats?sort_by=downlink&sort_order=DESC"
like "$body" "^➤  Server Statistics:
$server_table" "the override does not change the server table"

sort_list="[user uuid last_seen rate sess_uplink sess_downlink uplink downlink enabled sub_end renew lim_ip ips created inbound_tag]"
for bad in bogus source direction "user;DROP" "rate%20DESC" USER; do
	api GET "/api/v1/stats?sort_by=$bad"
	shown=$(printf '%b' "${bad//%/\\x}")
	is_reply 400 "Invalid sort_by parameter: $shown, must be one of $sort_list" "stats sort_by=$bad: 400"
done
for bad in asc desc Desc bogus "ASC%20"; do
	api GET "/api/v1/stats?sort_by=user&sort_order=$bad"
	shown=$(printf '%b' "${bad//%/\\x}")
	is_reply 400 "Invalid sort_order parameter: $shown, must be ASC or DESC" "stats sort_order='$bad': 400"
done

# ---- stats/base
# header_of TITLE: the header line of the table after "➤  TITLE:", blanks
# squeezed.
header_of() {
	printf '%s' "$body" | awk -v t="$1" '
		index($0, t) { getline; gsub(/ +/, " "); sub(/ $/, ""); print; exit }'
}

api GET /api/v1/stats/base
is "$status" 200 "stats/base: 200"
default_body=$body
api GET "/api/v1/stats/base?mode=minimal"
is "$body" "$default_body" "mode defaults to minimal"
while IFS='|' read -r mode server client; do
	api GET "/api/v1/stats/base?mode=$mode"
	is "$status" 200 "stats/base mode=$mode: 200"
	like "$(header_of 'Server Statistics:')" "^Source (Direction )?$server\$" "mode=$mode: server columns"
	is "$(header_of 'Client Statistics:')" "$client" "mode=$mode: client columns"
done <<'EOF'
minimal|Rate Uplink Downlink|User Last seen Rate Uplink Downlink
standard|Rate Uplink Downlink|User Last seen Rate Uplink Downlink Enabled Sub end Renew Lim Ips
extended|Rate Sess Up Sess Down Uplink Downlink|User Last seen Rate Sess Up Sess Down Uplink Downlink Enabled Sub end Renew Lim Ips
full|Rate Sess Up Sess Down Uplink Downlink|User ID Last seen Rate Sess Up Sess Down Uplink Downlink Enabled Sub end Renew Lim Ips Created
EOF
api GET "/api/v1/stats/base?mode=full"
like "$body" "amy +11111111-1111-4111-8111-111111111111 +online +2.50 Mbps +1.00 MiB +7 B +5.00 KiB +0 B +true +2030-01-01-00 +30 +2 +10.0.0.1 +2025-01-01-00" "mode=full: amy's row"
api GET /api/v1/stats/base
is "$(client_order)" "amy bob" "base: user ASC by default"
api GET "/api/v1/stats/base?mode=standard&sort_by=downlink&sort_order=DESC"
is "$(client_order)" "bob amy" "base: sort override"
for bad in bogus Minimal "full;" " full"; do
	api GET "/api/v1/stats/base?mode=$(urlenc "$bad")"
	is_reply 400 "Invalid mode parameter: $bad, must be one of [minimal standard extended full]" "base mode='$bad': 400"
done
api GET "/api/v1/stats/base?sort_by=nope"
is_reply 400 "Invalid sort_by parameter: nope, must be one of $sort_list" "base sort_by=nope: 400"
api GET "/api/v1/stats/base?sort_order=up"
is_reply 400 "Invalid sort_order parameter: up, must be ASC or DESC" "base sort_order=up: 400"

# ---- config variants
CFG_SERVER_COLUMNS=""
CFG_CLIENT_COLUMNS=""
run_ok "pool restarted without columns" fcgi_reconfig
api GET /api/v1/stats
is_reply 200 "No custom columns specified in configuration." "no columns: the original's message"

CFG_CLIENT_COLUMNS="user uplink"
run_ok "pool restarted with client columns only" fcgi_reconfig
api GET /api/v1/stats
expected="➤  Client Statistics:
$(printf '%-6s%-10s\n' User Uplink)
$(printf '%s  %s  ' "$(dashes 4)" "$(dashes 8)")
$(printf '%-6s%8s  ' amy "5.00 KiB")
$(printf '%-6s%8s  ' bob "0 B")

"
is "$body" "$expected" "client columns only, byte for byte"

CFG_SYSMON=true
run_ok "pool restarted with system_monitoring" fcgi_reconfig
api GET /api/v1/stats
is "$status" 200 "system_monitoring: 200"
like "$body" "^➤  Server State:
" "the Server State block comes first"
for label in "Uptime:" "Load average:" "Memory:" "Disk usage:"; do
	like "$body" "
 *$label " "Server State has '$label'"
done
like "$body" "
➤  Client Statistics:
" "the client block follows"

done_testing
