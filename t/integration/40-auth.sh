#!/bin/bash
# api.api_token and api.auth_reads: 401 messages and WWW-Authenticate,
# open reads, 401 before 405, and no auth at all without a token.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

api_stack_start

TOKEN='s3cr3t-T0ken_with.chars'

# No token configured: writes are open, any Authorization header is ignored.
api POST /api/v1/reset_traffic_stats
is_reply 200 "Traffic stats reset successfully" "no token configured: write without a header"
api POST /api/v1/reset_traffic_stats -H "Authorization: Bearer whatever"
is_reply 200 "Traffic stats reset successfully" "no token configured: a header is ignored"

CFG_API_TOKEN=$TOKEN
run_ok "pool restarted with api.api_token" fcgi_reconfig

# Every write endpoint with its method and a body that succeeds with the token.
writes=(
	"POST /api/v1/delete_dns_stats"
	"POST /api/v1/reset_traffic_stats"
	"POST /api/v1/reset_clients_stats"
	"POST /api/v1/reset_traffic"
	"POST /api/v1/add_user"
	"POST /api/v1/bulk_add_users"
	"DELETE /api/v1/delete_user"
	"PATCH /api/v1/set_enabled"
	"PATCH /api/v1/update_lim_ip"
	"PATCH /api/v1/update_renew"
	"PATCH /api/v1/adjust_date"
)

# unauthorized MESSAGE DESC: a 401 with MESSAGE and WWW-Authenticate: Bearer.
unauthorized() {
	is_reply 401 "$1" "$2: 401 $1"
	like "$(header WWW-Authenticate)" '^Bearer' "$2: WWW-Authenticate: Bearer"
}

before=$(sql "SELECT count(*) FROM clients_stats;")
for w in "${writes[@]}"; do
	read -r m p <<<"$w"
	api "$m" "$p?user=authuser&credential=0c0c0c0c-0000-4000-8000-000000000001" -d "x=1"
	unauthorized "Missing Authorization header" "$m $p without a header"
	api "$m" "$p" -H "Authorization: Basic dXNlcjpwYXNz"
	unauthorized "Invalid Authorization header format" "$m $p with Basic"
	api "$m" "$p" -H "Authorization: $TOKEN"
	unauthorized "Invalid Authorization header format" "$m $p with a bare token"
	# nginx strips trailing blanks from header values, so "Bearer " arrives
	# as "Bearer"; either message is right.
	api "$m" "$p" -H "Authorization: Bearer "
	like_reply 401 '^(Empty token|Invalid Authorization header format)$' "$m $p with 'Bearer ': 401"
	like "$(header WWW-Authenticate)" '^Bearer' "$m $p with 'Bearer ': WWW-Authenticate: Bearer"
	api "$m" "$p" -H "Authorization: Bearer wrong"
	unauthorized "Invalid token" "$m $p with a wrong token"
done
api POST /api/v1/add_user -d "user=a1&credential=0c0c0c0c-0000-4000-8000-000000000002" -H "Authorization: Bearer ${TOKEN%?}"
unauthorized "Invalid token" "a prefix of the token"
api POST /api/v1/add_user -d "user=a1&credential=0c0c0c0c-0000-4000-8000-000000000002" -H "Authorization: Bearer ${TOKEN}x"
unauthorized "Invalid token" "the token plus one character"
api POST /api/v1/add_user -d "user=a1&credential=0c0c0c0c-0000-4000-8000-000000000002" -H "Authorization: Bearer $(printf '%s' "$TOKEN" | tr '[:lower:]' '[:upper:]')"
unauthorized "Invalid token" "the token in another case"
is "$(sql "SELECT count(*) FROM clients_stats;")" "$before" "no 401 request wrote anything"

# 401 comes before 405.
api GET /api/v1/add_user
unauthorized "Missing Authorization header" "GET add_user without a token"
api GET /api/v1/add_user -H "Authorization: Bearer $TOKEN"
is_reply 405 "Invalid method. Use POST" "GET add_user with the token: 405"
api POST /api/v1/delete_user -H "Authorization: Bearer wrong"
unauthorized "Invalid token" "POST delete_user with a wrong token"
api POST /api/v1/delete_user -H "Authorization: Bearer $TOKEN"
is_reply 405 "Invalid method. Use DELETE" "POST delete_user with the token: 405"

# With the token, everything works.
auth=(-H "Authorization: Bearer $TOKEN")
api POST /api/v1/add_user "${auth[@]}" -d "user=authuser&credential=0c0c0c0c-0000-4000-8000-000000000001"
is_reply 200 "User added successfully" "add_user with the token"
printf 'bulk1\nbulk2\n' >"$RUN/auth-users.txt"
api POST /api/v1/bulk_add_users "${auth[@]}" -F "users_file=@$RUN/auth-users.txt"
is "$status" 200 "bulk_add_users with the token"
api PATCH /api/v1/set_enabled "${auth[@]}" -d "user=authuser&enabled=false"
is_reply 200 "User status updated successfully" "set_enabled with the token"
api PATCH /api/v1/update_lim_ip "${auth[@]}" -d "user=authuser&lim_ip=3"
is_reply 200 "IP limit updated successfully" "update_lim_ip with the token"
api PATCH /api/v1/update_renew "${auth[@]}" -d "user=authuser&renew=3"
is_reply 200 "Renew value updated successfully" "update_renew with the token"
api PATCH /api/v1/adjust_date "${auth[@]}" -d "user=authuser&sub_end=0"
is_reply 200 "Subscription date for authuser updated with sub_end unlimited" "adjust_date with the token"
api POST /api/v1/delete_dns_stats "${auth[@]}"
is_reply 200 "DNS stats records deleted successfully" "delete_dns_stats with the token"
api POST /api/v1/reset_traffic_stats "${auth[@]}"
is_reply 200 "Traffic stats reset successfully" "reset_traffic_stats with the token"
api POST /api/v1/reset_clients_stats "${auth[@]}"
is_reply 200 "Client traffic stats reset successfully" "reset_clients_stats with the token"
api POST /api/v1/reset_traffic "${auth[@]}"
is_reply 409 "Traffic monitor not initialized (features.network is off)" "reset_traffic with the token: 409"
api DELETE "/api/v1/delete_user?user=authuser" "${auth[@]}"
is_reply 200 "User deleted successfully" "delete_user with the token"

# Reads stay open.
for p in /api/v1/users /api/v1/stats /api/v1/stats/base "/api/v1/dns_stats?user=bulk1"; do
	api GET "$p"
	is "$status" 200 "GET $p without a token: 200"
	api GET "$p" -H "Authorization: Bearer wrong"
	is "$status" 200 "GET $p with a wrong token: 200 (reads ignore it)"
done

# api.auth_reads: reads need the token too.
CFG_AUTH_READS=true
run_ok "pool restarted with api.auth_reads" fcgi_reconfig
for p in /api/v1/users /api/v1/stats /api/v1/stats/base "/api/v1/dns_stats?user=bulk1"; do
	api GET "$p"
	unauthorized "Missing Authorization header" "auth_reads: GET $p without a token"
	api GET "$p" -H "Authorization: Bearer wrong"
	unauthorized "Invalid token" "auth_reads: GET $p with a wrong token"
	api GET "$p" "${auth[@]}"
	is "$status" 200 "auth_reads: GET $p with the token: 200"
done
api POST /api/v1/users
unauthorized "Missing Authorization header" "auth_reads: POST users without a token (401 before 405)"
api POST /api/v1/users "${auth[@]}"
is_reply 405 "Invalid method. Use GET" "auth_reads: POST users with the token: 405"
api POST /api/v1/reset_traffic_stats
unauthorized "Missing Authorization header" "auth_reads: writes still need the token"

done_testing
