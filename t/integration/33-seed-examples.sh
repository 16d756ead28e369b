#!/bin/bash
# Every curl line of the seed's API document, verbatim and in order (only
# the port differs), with the status each must get; then the PATCH lines
# again once newuser exists.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

api_stack_start

# The example users.txt, verbatim.
mkdir "$RUN/seed"
cat >"$RUN/seed/users.txt" <<'EOF'
user1,550e8400-e29b-41d4-a716-446655440000,vless-in  # Полный формат
user2,6ba7b810-9dad-11d1-80b4-00c04fd430c8           # Без inboundTag
user3                                                # Только имя, UUID будет сгенерирован
user4,,vless-in                                      # Имя и inboundTag, UUID будет сгенерирован
EOF

# curl, as the seed's lines call it: the real curl, quiet, with the status
# in seed_status and the body in seed_body.  Called through eval.
# shellcheck disable=SC2317
curl() {
	seed_status=$(command "$CURL" -sS --max-time 30 -o "$RUN/seed-reply.out" -w '%{http_code}' "$@" 2>"$RUN/seed-curl.err") || seed_status=000
	seed_body=$(cat "$RUN/seed-reply.out" 2>/dev/null)
}

# run_seed: reads "STATUS MESSAGE-OR-- <TAB> LINE" records from stdin.
run_seed() {
	local want msg line cmd
	while IFS=$'\t' read -r want line; do
		[ -n "$want" ] || continue
		msg=${want#* }
		want=${want%% *}
		cmd=${line//http:\/\/127.0.0.1:9952/$BASE}
		(cd "$RUN/seed" && eval "$cmd" && printf '%s\n%s' "$seed_status" "$seed_body" >"$RUN/seed-result")
		seed_status=$(head -n 1 "$RUN/seed-result")
		seed_body=$(tail -n +2 "$RUN/seed-result")
		if [ "$msg" = "-" ]; then
			is "$seed_status" "$want" "$line"
		else
			is "$seed_status $seed_body" "$want $msg" "$line"
		fi
	done
}

run_seed <<'EOF'
200 -	curl -X GET http://127.0.0.1:9952/api/v1/users
200 -	curl -X GET http://127.0.0.1:9952/api/v1/stats
200 -	curl "http://127.0.0.1:9952/api/v1/stats?sort_by=rate&sort_order=DESC"
200 -	curl -X GET "http://127.0.0.1:9952/api/v1/dns_stats?user=newuser&count=10"
200 DNS stats records deleted successfully	curl -X POST http://127.0.0.1:9952/api/v1/delete_dns_stats
200 Traffic stats reset successfully	curl -X POST http://127.0.0.1:9952/api/v1/reset_traffic_stats
200 Client traffic stats reset successfully	curl -X POST http://127.0.0.1:9952/api/v1/reset_clients_stats
409 Traffic monitor not initialized (features.network is off)	curl -X POST http://127.0.0.1:9952/api/v1/reset_traffic
200 User added successfully	curl -X POST http://127.0.0.1:9952/api/v1/add_user -d "user=newuser&credential=123e4567-e89b-12d3-a456-426614174000&inboundTag=vless-in"
200 -	curl -X POST "http://127.0.0.1:9952/api/v1/bulk_add_users" -F "users_file=@users.txt"
200 User deleted successfully	curl -X DELETE "http://127.0.0.1:9952/api/v1/delete_user?user=newuser&inboundTag=vless-in"
404 user 'newuser' not found	curl -X PATCH http://127.0.0.1:9952/api/v1/set_enabled -d "user=newuser&enabled=false"
404 user 'newuser' not found	curl -X PATCH http://127.0.0.1:9952/api/v1/update_lim_ip -d "user=newuser&lim_ip=5"
404 user 'newuser' not found	curl -X PATCH http://127.0.0.1:9952/api/v1/adjust_date -d "user=newuser&sub_end=+30:0"
404 user 'newuser' not found	curl -X PATCH http://127.0.0.1:9952/api/v1/update_renew -d "user=newuser&renew=30"
EOF

is "$(sql "SELECT group_concat(user, ' ') FROM (SELECT user FROM clients_stats ORDER BY user);")" \
    "user1 user2 user3 user4" "after the first pass: the four bulk users"

# Second pass: newuser exists, so the PATCH lines succeed.
want_end=$(date -u -d "now 30 days" +%Y-%m-%d-%H)
run_seed <<'EOF'
200 User added successfully	curl -X POST http://127.0.0.1:9952/api/v1/add_user -d "user=newuser&credential=123e4567-e89b-12d3-a456-426614174000&inboundTag=vless-in"
200 User status updated successfully	curl -X PATCH http://127.0.0.1:9952/api/v1/set_enabled -d "user=newuser&enabled=false"
200 IP limit updated successfully	curl -X PATCH http://127.0.0.1:9952/api/v1/update_lim_ip -d "user=newuser&lim_ip=5"
200 Renew value updated successfully	curl -X PATCH http://127.0.0.1:9952/api/v1/update_renew -d "user=newuser&renew=30"
200 -	curl -X PATCH http://127.0.0.1:9952/api/v1/adjust_date -d "user=newuser&sub_end=+30:0"
EOF
got_end=$(sql "SELECT sub_end FROM clients_stats WHERE user = 'newuser';")
if [ "$got_end" = "$want_end" ] || [ "$got_end" = "$(date -u -d "now 30 days" +%Y-%m-%d-%H)" ]; then
	pass "adjust_date +30:0 gave now + 30 days ($got_end)"
else
	fail "adjust_date +30:0 gave now + 30 days (got '$got_end', expected '$want_end')"
fi
is "$seed_body" "Subscription date for newuser updated with sub_end $got_end" "adjust_date reply names the new end"
is "$(sql "SELECT enabled, lim_ip, renew, uuid, inbound_tag FROM clients_stats WHERE user = 'newuser';")" \
    "false|5|30|123e4567-e89b-12d3-a456-426614174000|vless-in" "newuser has every change"

# A second bulk upload of the same file: every line is now a duplicate.
run_seed <<'EOF'
400 -	curl -X POST "http://127.0.0.1:9952/api/v1/bulk_add_users" -F "users_file=@users.txt"
200 -	curl -X GET "http://127.0.0.1:9952/api/v1/dns_stats?user=newuser&count=10"
200 User deleted successfully	curl -X DELETE "http://127.0.0.1:9952/api/v1/delete_user?user=newuser&inboundTag=vless-in"
EOF
is "$(sql "SELECT count(*) FROM clients_stats;")" 4 "four users left"

done_testing
