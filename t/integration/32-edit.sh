#!/bin/bash
# delete_user, set_enabled, update_lim_ip, update_renew, adjust_date: every
# success and error path, what is stored, 404 for unknown users.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

api_stack_start

add() {
	api POST /api/v1/add_user -d "user=$1&credential=$2&inboundTag=$3"
	is_reply 200 "User added successfully" "add $1"
}
col() { sql "SELECT $2 FROM clients_stats WHERE user = '$1';"; }
snapshot() { sql "SELECT * FROM clients_stats ORDER BY user;"; }

add ed1 11111111-0000-4000-8000-000000000001 vless-in
add ed2 ed2password trojan-in
add ed3 11111111-0000-4000-8000-000000000003 vless-in
add ed4 11111111-0000-4000-8000-000000000004 vless-in

# ---- unknown users: 404 on every PATCH and on DELETE
for ep in "set_enabled enabled=true" "update_lim_ip lim_ip=1" "update_renew renew=1" "adjust_date sub_end=%2B1"; do
	read -r path arg <<<"$ep"
	api PATCH "/api/v1/$path" -d "user=ghost&$arg"
	is_reply 404 "user 'ghost' not found" "$path for an unknown user: 404"
done
api DELETE "/api/v1/delete_user?user=ghost"
is_reply 404 "user 'ghost' not found" "delete_user for an unknown user: 404"
api PATCH /api/v1/set_enabled -d "user=ED1&enabled=false"
is_reply 404 "user 'ED1' not found" "names are matched exactly by the PATCHes"

# ---- set_enabled
before=$(snapshot)
for bad in yes no TRue 2 on off " true" "true%00"; do
	api PATCH /api/v1/set_enabled --data-urlencode "user=ed1" -d "enabled=$bad"
	if [ "$bad" = "true%00" ]; then
		is_reply 400 "parameter 'enabled' contains a NUL byte" "enabled=true%00: 400"
	else
		is_reply 400 "Enabled must be true or false" "enabled='$bad': 400"
	fi
done
is "$(snapshot)" "$before" "bad values change nothing"
for v in 0 f F FALSE false False; do
	sql "UPDATE clients_stats SET enabled = 'true', disabled_reason = '' WHERE user = 'ed1';"
	api PATCH /api/v1/set_enabled -d "user=ed1&enabled=$v"
	is_reply 200 "User status updated successfully" "enabled=$v: 200"
	is "$(col ed1 "enabled || '|' || disabled_reason")" "false|admin" "enabled=$v stored as 'false', reason admin"
done
for v in 1 t T TRUE true True; do
	sql "UPDATE clients_stats SET enabled = 'false', disabled_reason = 'admin' WHERE user = 'ed1';"
	api PATCH /api/v1/set_enabled -d "user=ed1&enabled=$v"
	is_reply 200 "User status updated successfully" "enabled=$v: 200"
	is "$(col ed1 "enabled || '|' || disabled_reason")" "true|" "enabled=$v stored as 'true', reason cleared"
done
api PATCH /api/v1/set_enabled -d "user=ed1&enabled=false"
api PATCH /api/v1/set_enabled -d "user=ed1&enabled=false"
is_reply 200 "User status updated successfully" "disabling twice: 200 (idempotent)"
is "$(col ed1 enabled)" false "still false"
api PATCH /api/v1/set_enabled -d "user=ed1"
is_reply 200 "User status updated successfully" "enabled defaults to true"
is "$(col ed1 enabled)" true "enabled again"
api PATCH /api/v1/set_enabled -d "user=ed1"
is_reply 200 "User status updated successfully" "enabling twice: 200"
api PATCH "/api/v1/set_enabled?user=ed2&enabled=false"
is_reply 200 "User status updated successfully" "parameters in the query string"
is "$(col ed2 enabled)" false "ed2 disabled"
api PATCH /api/v1/set_enabled -d "enabled=false"
is "$status" 400 "set_enabled without user: 400"

# ---- update_lim_ip
for v in 0 100 7; do
	api PATCH /api/v1/update_lim_ip -d "user=ed1&lim_ip=$v"
	is_reply 200 "IP limit updated successfully" "lim_ip=$v: 200"
	is "$(col ed1 lim_ip)" "$v" "lim_ip $v stored"
done
before=$(snapshot)
for v in 101 -1 1000000; do
	api PATCH /api/v1/update_lim_ip -d "user=ed1&lim_ip=$v"
	is_reply 400 "lim_ip must be between 0 and 100" "lim_ip=$v: 400"
done
for v in abc 1.5 "%2B5" "%205" 0x1 5a; do
	api PATCH /api/v1/update_lim_ip -d "user=ed1&lim_ip=$v"
	is_reply 400 "lim_ip must be a number" "lim_ip=$v: 400"
done
api PATCH /api/v1/update_lim_ip -d "user=ed1&lim_ip=99999999999999999999999"
is "$status" 400 "lim_ip overflow: 400"
is "$(snapshot)" "$before" "bad lim_ip values change nothing"
api PATCH /api/v1/update_lim_ip -d "user=ed1&lim_ip="
is_reply 200 "IP limit updated successfully" "empty lim_ip: 200"
is "$(col ed1 lim_ip)" 0 "empty lim_ip stored as 0"
api PATCH /api/v1/update_lim_ip -d "user=ed1&lim_ip=5"
api PATCH /api/v1/update_lim_ip -d "user=ed1"
is_reply 200 "IP limit updated successfully" "missing lim_ip: 200"
is "$(col ed1 lim_ip)" 0 "missing lim_ip stored as 0"

# ---- update_renew
for v in 30 0 3650; do
	api PATCH /api/v1/update_renew -d "user=ed1&renew=$v"
	is_reply 200 "Renew value updated successfully" "renew=$v: 200"
	is "$(col ed1 renew)" "$v" "renew $v stored"
done
before=$(snapshot)
api PATCH /api/v1/update_renew -d "user=ed1&renew=3651"
is_reply 400 "Renew must be at most 3650 days" "renew=3651: 400"
api PATCH /api/v1/update_renew -d "user=ed1&renew=-1"
is_reply 400 "Renew cannot be negative" "renew=-1: 400"
for v in x 1.5 "%2B1" 30d; do
	api PATCH /api/v1/update_renew -d "user=ed1&renew=$v"
	is_reply 400 "Renew must be an integer" "renew=$v: 400"
done
is "$(snapshot)" "$before" "bad renew values change nothing"
api PATCH /api/v1/update_renew -d "user=ed1&renew="
is_reply 200 "Renew value updated successfully" "empty renew: 200"
is "$(col ed1 renew)" 0 "empty renew stored as 0"

# ---- adjust_date
# dplus STORED|now SPEC: prints the stored form of a date plus a GNU date
# offset ("30 days 12 hours", "-5 days").
dplus() {
	local base
	if [ "$1" = now ]; then
		base="now"
	else
		base="${1:0:10} ${1:11:2}:00 UTC"
	fi
	date -u -d "$base $2" +%Y-%m-%d-%H
}
# adjust USER VALUE BASE SPEC DESC: adjust_date with VALUE (sent urlencoded
# unless it starts with "raw:"), expects BASE + SPEC.
adjust() {
	local user=$1 value=$2 base=$3 spec=$4 desc=$5 want1 want2 got
	want1=$(dplus "$base" "$spec")
	if [ "${value#raw:}" != "$value" ]; then
		api PATCH /api/v1/adjust_date -d "user=$user&sub_end=${value#raw:}"
	else
		api PATCH /api/v1/adjust_date -d "user=$user" --data-urlencode "sub_end=$value"
	fi
	want2=$(dplus "$base" "$spec")
	got=$(col "$user" sub_end)
	if [ "$got" = "$want2" ]; then
		want1=$want2
	fi
	is_reply 200 "Subscription date for $user updated with sub_end $want1" "$desc: 200"
	is "$got" "$want1" "$desc: stored $want1"
}

is "$(col ed3 sub_end)" "" "ed3 starts unlimited"
adjust ed3 "raw:+30:0" now "30 days" "seed example +30:0 in a form body ('+' arrives as a space)"
cur=$(col ed3 sub_end)
adjust ed3 "-5" "$cur" "-5 days" "-5 from a future end"
cur=$(col ed3 sub_end)
adjust ed3 "30:12" "$cur" "30 days 12 hours" "30:12"
cur=$(col ed3 sub_end)
adjust ed3 "+30d13h" "$cur" "30 days 13 hours" "+30d13h (urlencoded '+')"
cur=$(col ed3 sub_end)
adjust ed3 "-3d" "$cur" "-3 days" "-3d"
cur=$(col ed3 sub_end)
adjust ed3 "raw:%2B1:0" "$cur" "1 days" "%2B1:0 in the body"
api PATCH /api/v1/adjust_date -d "user=ed3&sub_end=0"
is_reply 200 "Subscription date for ed3 updated with sub_end unlimited" "0: unlimited"
is "$(col ed3 sub_end)" "" "0 stored as ''"
adjust ed3 "12h" now "12 hours" "12h from unlimited counts from now"
cur=$(col ed3 sub_end)
api PATCH "/api/v1/adjust_date?user=ed3&sub_end=%2B2d"
want=$(dplus "$cur" "2 days")
is_reply 200 "Subscription date for ed3 updated with sub_end $want" "query string %2B2d"

# An expired user counts from now, and is re-enabled if the expiry disabled it.
sql "UPDATE clients_stats SET sub_end = '2020-01-01-00', enabled = 'false', disabled_reason = 'expired' WHERE user = 'ed4';"
adjust ed4 "+30d" now "30 days" "expired user: +30d counts from now"
is "$(col ed4 "enabled || '|' || disabled_reason")" "true|" "expired user re-enabled"
sql "UPDATE clients_stats SET sub_end = '2020-01-01-00', enabled = 'false', disabled_reason = 'admin' WHERE user = 'ed4';"
adjust ed4 "+30d" now "30 days" "admin-disabled expired user: +30d"
is "$(col ed4 "enabled || '|' || disabled_reason")" "false|admin" "an admin's disable is kept"
sql "UPDATE clients_stats SET sub_end = '2020-01-10-05', enabled = 'false', disabled_reason = 'expired' WHERE user = 'ed4';"
adjust ed4 "-1" "2020-01-10-05" "-1 days" "negative offset on an expired end counts from that end"
is "$(col ed4 "enabled || '|' || disabled_reason")" "false|expired" "still expired, still disabled"

before=$(snapshot)
for bad in abc 5x 1:2:3 --5 +-5 "+30:0:0" 3d3d "30 days" 1e3 0x10 99999999 "1:99999999"; do
	api PATCH /api/v1/adjust_date -d "user=ed3" --data-urlencode "sub_end=$bad"
	like_reply 400 '^invalid offset format: .+$' "sub_end='$bad': 400"
done
is "$(snapshot)" "$before" "bad offsets change nothing"
api PATCH /api/v1/adjust_date -d "user=ed3"
is_reply 400 "user and sub_end are required" "no sub_end: 400"
api PATCH /api/v1/adjust_date -d "user=ed3&sub_end="
is_reply 400 "user and sub_end are required" "empty sub_end: 400"
api PATCH /api/v1/adjust_date -d "sub_end=%2B1"
is_reply 400 "user and sub_end are required" "no user: 400"

# ---- delete_user
sql "INSERT INTO dns_stats (user, count, domain) VALUES ('ed1', 3, 'a.com'), ('ed1', 1, 'b.com'), ('ed2', 1, 'c.com');
    INSERT INTO user_ips (user, ip, last_seen) VALUES ('ed1', '1.2.3.4', 1), ('ed2', '5.6.7.8', 1);"
api DELETE /api/v1/delete_user
is_reply 400 "user parameter is required" "delete_user without user: 400"
api DELETE "/api/v1/delete_user?user="
is_reply 400 "user parameter is required" "delete_user with an empty user: 400"
api DELETE "/api/v1/delete_user?user=ed1&inboundTag=trojan-in"
is_reply 404 "user ed1 not found in inbound trojan-in" "inboundTag mismatch: 404"
is "$(col ed1 user)" ed1 "ed1 still there"
api DELETE "/api/v1/delete_user?user=ed1&inboundTag=vless-in"
is_reply 200 "User deleted successfully" "seed-style delete with the matching inboundTag"
is "$(col ed1 user)" "" "ed1 row gone"
is "$(sql "SELECT count(*) FROM dns_stats WHERE user = 'ed1';")" 0 "ed1's dns_stats rows gone"
is "$(sql "SELECT count(*) FROM user_ips WHERE user = 'ed1';")" 0 "ed1's ip rows gone"
is "$(sql "SELECT count(*) FROM dns_stats WHERE user = 'ed2';")" 1 "ed2's dns_stats rows kept"
api DELETE "/api/v1/delete_user?user=ed2"
is_reply 200 "User deleted successfully" "inboundTag defaults to the user's own (trojan-in)"
is "$(col ed2 user)" "" "ed2 row gone"
api DELETE "/api/v1/delete_user?user=ed1"
is_reply 404 "user 'ed1' not found" "deleting again: 404"
# Names the API would refuse today may sit in an old database, so they are
# looked up, not refused: 404 (or 400) either way.
api DELETE "/api/v1/delete_user?user=a%3E%3E%3Eb"
like "$status" '^40[04]$' "delete_user with an invalid name: 400 or 404"
api GET /api/v1/users
is "$(json_get '[u["user"] for u in j]')" '["ed3", "ed4"]' "ed3 and ed4 remain"

done_testing
