#!/bin/bash
# The whole stack comes up (core, worker, fcgi pool, nginx); the basic
# replies of the API contract: [] on an empty DB, 404, 405 with Allow.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

# No users in the core config: even a worker that imports them leaves the
# database empty.
CORE_VLESS_USERS=
CORE_TROJAN_USERS=
# Writes are applied to the core by the worker: they need a real core.
require_tools v2ray
stack_start

if [ "$HAVE_CORE" = 1 ]; then
	pidfile_alive core
	ok $? "v2ray core is running"
else
	skip 1 "no v2ray core"
fi
run_ok "fcgi pool is running (pids in fcgi.pid)" fcgi_alive
run_ok "nginx is running" pidfile_alive nginx

api GET /api/v1/users
is "$status" 200 "GET users: 200"
is "$body" "[]
" "GET users on an empty DB: []"
is "$(header Content-Type)" "application/json; charset=utf-8" "users: JSON content type"
is "$(header Cache-Control)" "no-store" "users: Cache-Control no-store"

run_ok "database created with PRAGMA user_version $(schema_version)" wait_until 10 db_ready
is "$(missing_tables)" "" "every table of the schema exists"
is "$(sql 'PRAGMA journal_mode;')" wal "database is in WAL mode"

api GET /api/v1/nope
is_reply 404 "404 page not found" "unknown path: 404"
is_text_reply "404 is text/plain"
is "$(header X-Content-Type-Options)" nosniff "404 has nosniff"
api GET /api/v1/users/extra
is_reply 404 "404 page not found" "users/extra: 404"
api GET /api/v1/
is_reply 404 "404 page not found" "/api/v1/: 404"
api GET "/api/v1/statsx?x=1"
is_reply 404 "404 page not found" "statsx: 404"

# 405 on every known path, with the one allowed method in Allow.
while read -r method path allowed; do
	api "$method" "$path"
	is_reply 405 "Invalid method. Use $allowed" "$method $path: 405"
	is "$(header Allow)" "$allowed" "$method $path: Allow $allowed"
done <<'EOF'
POST /api/v1/users GET
DELETE /api/v1/stats GET
PUT /api/v1/stats/base GET
PATCH /api/v1/dns_stats GET
GET /api/v1/delete_dns_stats POST
GET /api/v1/reset_traffic_stats POST
PUT /api/v1/reset_clients_stats POST
DELETE /api/v1/reset_traffic POST
GET /api/v1/add_user POST
PATCH /api/v1/bulk_add_users POST
GET /api/v1/delete_user DELETE
POST /api/v1/set_enabled PATCH
GET /api/v1/update_lim_ip PATCH
POST /api/v1/update_renew PATCH
DELETE /api/v1/adjust_date PATCH
EOF

# The reads are there.
api GET /api/v1/stats
is_status 200 "GET stats: 200"
api GET /api/v1/stats/base
is_status 200 "GET stats/base: 200"
api GET "/api/v1/dns_stats?user=nobody"
is_status 200 "GET dns_stats: 200"

# A user goes all the way through.
api POST /api/v1/add_user -d "user=smoke&credential=0b0b0b0b-1111-4222-8333-444444444444"
is_reply 200 "User added successfully" "add_user: 200"
api GET /api/v1/users
is "$(json_get '[u["user"] for u in j]')" '["smoke"]' "the new user is listed"

if [ "${STACK_WORKER:-1}" != 0 ]; then
	sleep 1
	pidfile_alive worker
	ok $? "worker is still running"
fi
done_testing
