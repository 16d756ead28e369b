#!/bin/bash
# Through a proxy customer's own tunnel, set up as scripts/demo does (its
# core routing, a second v2ray as the client with a socks port per user),
# neither the API behind nginx nor the core's gRPC API can be reached, by
# address (127.0.0.1, 0.0.0.0, ::ffff:127.0.0.1) or by name (localhost),
# while the demo's file server can, as the demo fetches it.  The worker's
# routing check agrees: no warning for that config; a config without the
# block rule, or with it but host names left unresolved (AsIs), gets one
# in /api/v1/health, -n and the log, and the API then really is reachable
# through the tunnel; the warning goes once the rule is back.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

require_tools v2ray
# The demo picks its file server's port first: the core config names it.
HTTPD_PORT=$(free_port) || bail_out "no free port"
demo_core_policy "$HTTPD_PORT"
stack_start
[ "$HAVE_CORE" = 1 ] || bail_out "the core did not start"
run_ok "database ready" wait_db 10

# The demo's file server and client (scripts/demo).
mkdir -p "$RUN/www"
printf 'demo file\n' >"$RUN/www/blob.txt"
start_bg httpd "$RUN/httpd.log" "$PYTHON3" -m http.server "$HTTPD_PORT" \
    --bind 127.0.0.1 --directory "$RUN/www"
C_VLESS_PORT=$(free_port) && C_TROJAN_PORT=$(free_port) || bail_out "no free port"
write_client_json "$RUN/client.json" 11111111-2222-3333-4444-555555555555 tompass
start_bg client "$RUN/client.log" "$V2RAY_BIN" -config "$RUN/client.json"
wait_until 10 port_listening "$HTTPD_PORT" || bail_out "http.server did not start"
wait_until 10 port_listening "$C_VLESS_PORT" && wait_until 10 port_listening "$C_TROJAN_PORT" ||
    bail_out "the client did not start: $(tail -n 3 "$RUN/client.log")"
# A gRPC message holding an empty QueryStatsRequest.
printf '\0\0\0\0\0' >"$RUN/grpc-empty"

# through VIA URL [CURL ARGS...]: one request through the client's socks
# port of VIA (vless: alice, trojan: tom); prints the HTTP status, 000 if
# nothing came back.
through() {
	local port=$C_VLESS_PORT url=$2
	[ "$1" = trojan ] && port=$C_TROJAN_PORT
	shift 2
	rm -f "$RUN/through.body"
	"$CURL" -s -g -o "$RUN/through.body" -w '%{http_code}' --max-time 5 \
	    --socks5-hostname "127.0.0.1:$port" "$@" "$url" 2>/dev/null || true
}

# api_through VIA HOST: GET /api/v1/users through the tunnel.
api_through() {
	through "$1" "http://$2:$HTTP_PORT/api/v1/users"
}

# core_api_through VIA HOST: the core's QueryStats through the tunnel.
core_api_through() {
	through "$1" "http://$2:$API_PORT/v2ray.core.app.stats.command.StatsService/QueryStats" \
	    --http2-prior-knowledge -H 'content-type: application/grpc' \
	    -H 'te: trailers' --data-binary "@$RUN/grpc-empty"
}

# matrix FUNC: "VIA HOST=STATUS ..." for both users and every way to write
# loopback.
HOSTS="127.0.0.1 localhost 0.0.0.0 [::ffff:127.0.0.1]"
matrix() {
	local via host out=""
	for via in vless trojan; do
		for host in $HOSTS; do
			out="$out $via $host=$("$1" "$via" "$host")"
		done
	done
	printf '%s' "${out# }"
}

# expect_all CODE: the matrix as it is when every cell is CODE.
expect_all() {
	local via host out=""
	for via in vless trojan; do
		for host in $HOSTS; do
			out="$out $via $host=$1"
		done
	done
	printf '%s' "${out# }"
}

# sql_has_route_warning: the worker published its check (even "").
sql_has_route_warning() {
	[ "$(sql "SELECT count(*) FROM worker_state WHERE key = 'route_warning';")" = 1 ]
}

# warnings: the "warnings" of /api/v1/health, one per line.
warnings() {
	api GET /api/v1/health
	json_get '"\n".join(j["warnings"])'
}

warned() {
	[[ $(warnings) == *"$1"* ]]
}

not_warned() {
	[ -z "$(warnings)" ]
}

# health_200: GET /api/v1/health answers 200 (status and body stay set).
health_200() {
	api GET /api/v1/health
	[ "$status" = 200 ]
}

# check_n: the worker's -n output on the stack's config.
check_n() {
	"$WORKER_BIN" -n -f "$RUN/v2ray-stat.yaml" 2>&1
}

# core_swap: the core again on RUN/core.json (as just rewritten).
core_swap() {
	stop_pidfile core
	start_bg core "$RUN/core.log" "$V2RAY_BIN" -config "$RUN/core.json"
	wait_until 10 core_ready
}

# ---- the demo's routing
api GET /api/v1/users
is "$status" 200 "control: the API answers directly"
like "$body" '11111111-2222-3333-4444-555555555555' "control: ... with alice's UUID"
is "$(through vless "http://127.0.0.1:$HTTPD_PORT/blob.txt")" 200 \
    "the demo file through alice's tunnel (vless, 127.0.0.1)"
is "$(cat "$RUN/through.body" 2>/dev/null)" "demo file" "... its content"
is "$(through trojan "http://localhost:$HTTPD_PORT/blob.txt")" 200 \
    "the demo file through tom's tunnel (trojan, localhost)"
is "$(matrix api_through)" "$(expect_all 000)" \
    "the API cannot be reached through either tunnel, by address or by name"
is "$(matrix core_api_through)" "$(expect_all 000)" \
    "the core's gRPC API cannot be reached through either tunnel"
is "$(through vless "http://127.0.0.1:$((HTTPD_PORT == 65535 ? 1 : HTTPD_PORT + 1))/")" 000 \
    "the demo's rule lets through its file server's port only"
run_ok "the worker published its routing check" \
    wait_until 10 sql_has_route_warning
api GET /api/v1/health
is "$status $(json_get 'j["status"], j["warnings"]')" "200 ('ok', [])" \
    "health: 200, ok, no warning for the demo's routing"
out=$(check_n)
unlike "$out" 'can reach' "-n: no warning for the demo's routing"
is "$(grep -c 'can reach' "$RUN/worker.log")" 0 "the worker logged no warning"

# ---- without the block rule: the warning, and the API really is open
cp "$RUN/core.json" "$RUN/core-demo.json"
CORE_BLOCK_PRIVATE=0 write_core_json "$RUN/core.json"
run_ok "the core restarted without the block rule" core_swap
run_ok "health warns within 10 s" wait_until 10 warned \
    "proxy customers can reach the API: inbound 'vless-in' can reach 127.0.0.1:9952 (the API): no routing rule blocks it"
# (the worker may first see the restarted core as down: a 503 of its own)
wait_until 10 health_200
is "$status $(json_get 'j["status"], len(j["warnings"])')" "200 ('ok', 1)" \
    "health: 200 and ok once the core answers (a warning), one warning"
like "$(json_get 'j["warnings"][0]')" "\\(and 5 more: v2ray-stat-worker -n lists them\\)$" \
    "health: ... which says how many more"
out=$(check_n)
like "$out" "$RUN/core.json: warning: inbound 'trojan-in' can reach 127.0.0.1:$API_PORT \\(the core's API\\): no routing rule blocks it" \
    "-n: one warning per inbound and API"
like "$out" "warning: proxy customers can reach the API through their tunnel: block private" \
    "-n: ... and what to do"
like "$out" "configuration file .* is ok" "-n: still ok (a warning)"
like "$(cat "$RUN/worker.log")" "\\[WARN(ING)?\\] core config '[^']*': inbound 'socks-in' can reach" \
    "the worker logged a warning"
is "$(matrix api_through)" "$(expect_all 200)" \
    "without the rule, the API answers through both tunnels, however written"
like "$(cat "$RUN/through.body" 2>/dev/null)" '11111111-2222-3333-4444-555555555555' \
    "... with alice's UUID"
is "$(matrix core_api_through)" "$(expect_all 200)" \
    "... and so does the core's gRPC API"
like "$(tr -c '[:print:]' ' ' <"$RUN/through.body")" 'user>>>alice@example.com>>>traffic' \
    "... QueryStats answered with the users' counters"

# ---- the block rule, but host names not resolved for routing (AsIs)
CORE_BLOCK_PRIVATE=1 CORE_ALLOW_DEST=127.0.0.1:$HTTPD_PORT write_core_json "$RUN/core.json"
sed -i 's/"domainStrategy": "IPIfNonMatch", //' "$RUN/core.json"
run_ok "the core restarted with AsIs routing" core_swap
run_ok "health warns about host names" wait_until 10 warned \
    "(the API) under a host name that resolves to it, such as localhost: routing.domainStrategy is AsIs"
is "$(api_through vless 127.0.0.1) $(api_through vless localhost)" "000 200" \
    "AsIs: 127.0.0.1 is blocked, localhost reaches the API"

# ---- the demo's routing again
cp "$RUN/core-demo.json" "$RUN/core.json"
run_ok "the core restarted with the demo's routing" core_swap
run_ok "health's warning goes within 10 s" wait_until 10 not_warned
like "$(cat "$RUN/worker.log")" "core config '[^']*': the proxy inbounds can no longer reach" \
    "the worker logged that it is safe again"
is "$(api_through vless localhost) $(api_through trojan 127.0.0.1)" "000 000" \
    "the API cannot be reached through the tunnels again"
done_testing
