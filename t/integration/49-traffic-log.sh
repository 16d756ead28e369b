#!/bin/bash
# Access-log ingestion with the real core (issue 4): connections pushed
# through vless-in and trojan-in by a second v2ray show up, through the
# API, as the users' source IPs and as destination counts -- one per
# connection, exactly.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-traffic.sh
. "$top_srcdir/t/integration/lib-traffic.sh"
set -u

lt_stack_start
run_ok "client v2ray is up" client_start
run_ok "the worker commits ticks" wait_ticks 1

# Every request through the client is one connection, so one access line.
for _ in 1 2 3 4 5; do
	fetch_ok vless 1000 || fail "a fetch through vless-in"
done
for _ in 1 2 3; do
	fetch_ok trojan 2000 || fail "a fetch through trojan-in"
done

dns_count() {
	sql "SELECT coalesce(sum(count), 0) FROM dns_stats WHERE user = '$1';"
}
alice_done() { [ "$(dns_count alice@example.com)" -ge 5 ]; }
tom_done() { [ "$(dns_count tom@example.com)" -ge 3 ]; }
run_ok "alice's connections are ingested" wait_until 15 alice_done
run_ok "tom's connections are ingested" wait_until 15 tom_done
run_ok "two more ticks pass" wait_ticks 2

api GET "/api/v1/dns_stats?user=alice@example.com&count=5"
is "$status" 200 "dns_stats for alice: 200"
like "$body" "alice@example.com 5 +127\\.0\\.0\\.1" \
    "alice: 5 connections to 127.0.0.1, exactly"
api GET "/api/v1/dns_stats?user=tom@example.com"
like "$body" "tom@example.com 3 +127\\.0\\.0\\.1" \
    "tom: 3 connections to 127.0.0.1, exactly"
is "$(sql "SELECT count(*) FROM dns_stats WHERE user = 'api' OR domain = '127.0.0.1' AND user = '';")" 0 \
    "the api inbound's own lines are not counted"

api GET /api/v1/users
is "$status" 200 "users: 200"
is "$(json_get '[[u["user"], u["ips"]] for u in j]')" \
    '[["alice@example.com", "127.0.0.1"], ["tom@example.com", "127.0.0.1"]]' \
    "each user's source IP is listed"
like "$(sql "SELECT last_seen FROM clients_stats WHERE user = 'alice@example.com';")" \
    "^(online|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2})$" \
    "alice was seen"
done_testing
