# shellcheck shell=bash
# Globals set here are read by the scripts that source this file:
# shellcheck disable=SC2034
#
# t/integration/lib.sh: TAP helpers and the real test stack (v2ray core,
# v2ray-stat-worker, a spawn-fcgi pool of v2ray-stat.fcgi, nginx), all on
# 127.0.0.1 inside one mktemp -d run directory.
#
# Sourcing this file only defines functions and defaults; nothing runs.
# The tests use the TAP part and stack_start; scripts/demo reuses the config
# writers and the process helpers (it sets RUN itself).
#
# Environment (make check exports them; defaults for running a test by hand):
#   top_srcdir top_builddir NGINX_BIN SPAWN_FCGI CURL V2RAY_BIN
#   SQLITE3 PYTHON3     the sqlite3 CLI and python3 (looked up in PATH)
#   KEEP_RUN=1          keep the run directory after the test
#   FCGI_WRAPPER        e.g. "valgrind -q --error-exitcode=99" for the fcgi
#   WORKER_WRAPPER      the same for the worker
#
# Never export a variable called NGINX: nginx reads it for inherited sockets.

# ------------------------------------------------------------------ TAP

tap_n=0
tap_failed=0
tap_planned=

# plan N: print the plan first (optional; done_testing prints it otherwise).
plan() {
	tap_planned=$1
	printf '1..%s\n' "$1"
}

# diag MSG...: a TAP comment (every line prefixed with '# ').
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# skip_all REASON: the whole script is skipped.
skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	exit 0
}

# bail_out REASON: abort the script (the harness counts it as an ERROR).
bail_out() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

# ok RC DESC: a test point that passes when RC is 0 (shell convention), e.g.
#   [ -s "$f" ]; ok $? "file is not empty"
ok() {
	local rc=$1
	shift
	tap_n=$((tap_n + 1))
	if [ "$rc" -eq 0 ] 2>/dev/null; then
		printf 'ok %d - %s\n' "$tap_n" "$*"
		return 0
	fi
	tap_failed=$((tap_failed + 1))
	printf 'not ok %d - %s\n' "$tap_n" "$*"
	return 1
}

# pass DESC / fail DESC
pass() { ok 0 "$@"; }
fail() { ok 1 "$@"; }

# run_ok DESC CMD...: passes when CMD succeeds.
run_ok() {
	local desc=$1
	shift
	"$@"
	ok $? "$desc"
}

# skip N REASON: N skipped test points.
skip() {
	local i=0
	while [ "$i" -lt "$1" ]; do
		tap_n=$((tap_n + 1))
		printf 'ok %d # skip %s\n' "$tap_n" "$2"
		i=$((i + 1))
	done
}

# is GOT WANT DESC: exact string comparison.
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "     got: '$1'" "expected: '$2'"
	return 1
}

# isnt GOT UNWANTED DESC
isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "     got: '$1'" "expected anything else"
	return 1
}

# like GOT ERE DESC: GOT matches the extended regular expression.
like() {
	if [[ $1 =~ $2 ]]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "     got: '$1'" "expected to match: /$2/"
	return 1
}

# unlike GOT ERE DESC
unlike() {
	if ! [[ $1 =~ $2 ]]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "     got: '$1'" "expected not to match: /$2/"
	return 1
}

# done_testing: checks the core config versions (core_versions_check),
# prints the plan if none was given, a summary, exits.  The exit status is
# 0: failures are already "not ok" lines.
done_testing() {
	core_versions_check
	if [ -z "$tap_planned" ]; then
		printf '1..%d\n' "$tap_n"
	elif [ "$tap_planned" -ne "$tap_n" ]; then
		diag "planned $tap_planned tests but ran $tap_n"
	fi
	if [ "$tap_failed" -ne 0 ]; then
		diag "failed $tap_failed of $tap_n tests"
		if [ -n "${RUN:-}" ] && [ "${KEEP_RUN:-0}" != 1 ]; then
			diag "re-run with KEEP_RUN=1 to keep the run directory"
		fi
	fi
	exit 0
}

# ------------------------------------------------------------------ tools

# Locates the tools; sets the globals.  Never fails.
find_tools() {
	top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
	if [ -z "${top_builddir:-}" ]; then
		if [ -x "$top_srcdir/_build/v2ray-stat.fcgi" ]; then
			top_builddir=$top_srcdir/_build
		else
			top_builddir=$top_srcdir
		fi
	fi
	NGINX_BIN=${NGINX_BIN:-$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v nginx || true)}
	SPAWN_FCGI=${SPAWN_FCGI:-$(command -v spawn-fcgi || true)}
	CURL=${CURL:-$(command -v curl || true)}
	V2RAY_BIN=${V2RAY_BIN:-$(command -v v2ray || true)}
	SQLITE3=${SQLITE3:-$(command -v sqlite3 || true)}
	# Debian's own interpreter first: a version-manager shim earlier in
	# PATH can cost a second per call, and the tests call it often.
	if [ -z "${PYTHON3:-}" ] && [ -x /usr/bin/python3 ]; then
		PYTHON3=/usr/bin/python3
	fi
	PYTHON3=${PYTHON3:-$(command -v python3 || true)}
	FASTCGI_PARAMS=${FASTCGI_PARAMS:-/etc/nginx/fastcgi_params}
	FCGI_BIN=${FCGI_BIN:-$top_builddir/v2ray-stat.fcgi}
	WORKER_BIN=${WORKER_BIN:-$top_builddir/v2ray-stat-worker}
}

# require_tools [nginx] [spawn-fcgi] [curl] [sqlite3] [python3] [fcgi] [worker]:
# skip the whole script (1..0 # SKIP) when one is missing.
require_tools() {
	local t
	find_tools
	for t in "$@"; do
		case $t in
		nginx) [ -x "$NGINX_BIN" ] || skip_all "nginx not found" ;;
		spawn-fcgi) [ -x "$SPAWN_FCGI" ] || skip_all "spawn-fcgi not found" ;;
		curl) [ -x "$CURL" ] || skip_all "curl not found" ;;
		sqlite3) [ -x "$SQLITE3" ] || skip_all "sqlite3 CLI not found" ;;
		python3) [ -x "$PYTHON3" ] || skip_all "python3 not found" ;;
		v2ray) [ -x "$V2RAY_BIN" ] || skip_all "v2ray not found" ;;
		fcgi) [ -x "$FCGI_BIN" ] || skip_all "$FCGI_BIN not built" ;;
		worker) [ -x "$WORKER_BIN" ] || skip_all "$WORKER_BIN not built" ;;
		coreapi-cli) [ -x "$top_builddir/t/coreapi-cli" ] ||
			skip_all "t/coreapi-cli not built" ;;
		esac
	done
	if [[ " $* " == *" nginx "* ]] && [ ! -f "$FASTCGI_PARAMS" ]; then
		skip_all "$FASTCGI_PARAMS not found"
	fi
}

# ------------------------------------------------------------------ waiting

# wait_until SECONDS CMD...: runs CMD every 0.1 s until it succeeds.
# Returns 1 after SECONDS without success.
wait_until() {
	local tries=$(($1 * 10 * TIME_SCALE))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# wait_for_file SECONDS PATH
wait_for_file() {
	wait_until "$1" test -e "$2"
}

# url_answers URL: true if an HTTP server answers (any status).
url_answers() {
	local code
	code=$("$CURL" -s -o /dev/null --max-time 2 -w '%{http_code}' "$1") || true
	[ -n "$code" ] && [ "$code" != 000 ]
}

# wait_for_url SECONDS URL
wait_for_url() {
	wait_until "$1" url_answers "$2"
}

# ------------------------------------------------------------------ ports

# port_in_use PORT: true if PORT appears in any local TCP socket.
port_in_use() {
	local hex
	hex=$(printf ':%04X' "$1")
	awk -v h="$hex" '
		FNR > 1 && substr($2, length($2) - 4) == h { found = 1 }
		END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# port_listening PORT: true if something listens on PORT.
port_listening() {
	local hex
	hex=$(printf ':%04X' "$1")
	awk -v h="$hex" '
		FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == h { found = 1 }
		END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Ports are claimed in a directory that every test running at the same
# time sees (make check -j runs several): v2ray listens with SO_REUSEPORT,
# so two tests handed the same free port would both bind it and the kernel
# would split connections between their processes.  A claim is a
# directory named after the port, holding the claiming shell's pid; claims
# of dead shells are cleared when met, the others by ports_release.
PORT_CLAIMS=${V2S_PORT_CLAIMS:-${TMPDIR:-/tmp}/v2s-test-ports}

# free_port: prints a random port in 20000..59999 that no socket uses and
# no other test (or earlier call of this one) has claimed.
free_port() {
	local p i=0 owner
	mkdir -p "$PORT_CLAIMS" 2>/dev/null || return 1
	while [ "$i" -lt 200 ]; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		i=$((i + 1))
		port_in_use "$p" && continue
		if ! mkdir "$PORT_CLAIMS/$p" 2>/dev/null; then
			owner=$(cat "$PORT_CLAIMS/$p/pid" 2>/dev/null)
			if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
				rm -rf "$PORT_CLAIMS/$p"
			fi
			continue
		fi
		# $$ is this test's shell even inside $(free_port)
		printf '%s\n' "$$" >"$PORT_CLAIMS/$p/pid"
		printf '%s\n' "$p"
		return 0
	done
	return 1
}

# ports_release: drops the claims of this test (stack_stop calls it).
ports_release() {
	local d
	for d in "$PORT_CLAIMS"/*/; do
		[ "$(cat "$d/pid" 2>/dev/null)" = "$$" ] && rm -rf "$d"
	done
	return 0
}

# ------------------------------------------------------------------ config writers

# Defaults of the core config (override before calling write_core_json).
# CORE_VLESS_USERS / CORE_TROJAN_USERS: space-separated "email=credential".
CORE_VLESS_USERS=${CORE_VLESS_USERS-alice@example.com=11111111-2222-3333-4444-555555555555}
CORE_TROJAN_USERS=${CORE_TROJAN_USERS-tom@example.com=tompass}

# json_clients KIND "email=cred ...": the "clients" array of one inbound.
json_clients() {
	local kind=$1 list=$2 u sep=""
	printf '['
	for u in $list; do
		if [ "$kind" = vless ]; then
			printf '%s{"id": "%s", "email": "%s", "level": 0}' "$sep" "${u#*=}" "${u%%=*}"
		else
			printf '%s{"password": "%s", "email": "%s", "level": 0}' "$sep" "${u#*=}" "${u%%=*}"
		fi
		sep=", "
	done
	printf ']'
}

# The private and loopback destinations a proxy's customers must not reach
# (the API and the core's API listen there): the routing rule of the
# README and v2ray-stat(8).
CORE_PRIVATE_IPS='"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10"'
# CORE_BLOCK_PRIVATE=1: the routing of a real server (scripts/demo sets
# it): host names resolved for routing, private and loopback destinations
# sent to a blackhole.  The tests leave it off: their traffic goes to a
# file server on loopback.
CORE_BLOCK_PRIVATE=${CORE_BLOCK_PRIVATE:-0}
# CORE_ALLOW_DEST=IP:PORT: with CORE_BLOCK_PRIVATE, one destination let
# through before the block (scripts/demo: its file server, and only that).
CORE_ALLOW_DEST=${CORE_ALLOW_DEST:-}

# core_routing: the "outbounds" and "routing" members of the server config.
core_routing() {
	local rules='{"type": "field", "inboundTag": ["api"], "outboundTag": "api"}'
	if [ "$CORE_BLOCK_PRIVATE" != 1 ]; then
		printf '  "outbounds": [{"tag": "direct", "protocol": "freedom", "settings": {}}],\n'
		printf '  "routing": {"rules": [%s]}\n' "$rules"
		return
	fi
	if [ -n "$CORE_ALLOW_DEST" ]; then
		# Demo only: the demo's file server, so that its traffic
		# generator works; a real server has no such rule.
		rules="$rules,
    {\"type\": \"field\", \"ip\": [\"${CORE_ALLOW_DEST%:*}\"], \"port\": \"${CORE_ALLOW_DEST##*:}\", \"outboundTag\": \"direct\"}"
	fi
	rules="$rules,
    {\"type\": \"field\", \"ip\": [$CORE_PRIVATE_IPS], \"outboundTag\": \"block\"}"
	cat <<EOF
  "outbounds": [
    {"tag": "direct", "protocol": "freedom", "settings": {}},
    {"tag": "block", "protocol": "blackhole", "settings": {}}
  ],
  "routing": {"domainStrategy": "IPIfNonMatch", "rules": [
    $rules
  ]}
EOF
}

# demo_core_policy HTTPD_PORT: the core routing of scripts/demo (and of the
# test that checks it): private destinations blocked but the demo's file
# server on 127.0.0.1:HTTPD_PORT.
demo_core_policy() {
	CORE_BLOCK_PRIVATE=1
	CORE_ALLOW_DEST=127.0.0.1:$1
}

# write_core_json OUT: the v2fly 4.34 server config.  Uses RUN, API_PORT,
# VLESS_PORT, TROJAN_PORT, SOCKS_PORT, CORE_VLESS_USERS, CORE_TROJAN_USERS,
# CORE_BLOCK_PRIVATE, CORE_ALLOW_DEST.
write_core_json() {
	cat >"$1" <<EOF
{
  "log": {"access": "$RUN/access.log", "error": "$RUN/error.log", "loglevel": "warning"},
  "api": {"tag": "api", "services": ["HandlerService", "StatsService"]},
  "stats": {},
  "policy": {
    "levels": {"0": {"statsUserUplink": true, "statsUserDownlink": true}},
    "system": {"statsInboundUplink": true, "statsInboundDownlink": true,
               "statsOutboundUplink": true, "statsOutboundDownlink": true}
  },
  "inbounds": [
    {"tag": "api", "listen": "127.0.0.1", "port": $API_PORT, "protocol": "dokodemo-door",
     "settings": {"address": "127.0.0.1"}},
    {"tag": "vless-in", "listen": "127.0.0.1", "port": $VLESS_PORT, "protocol": "vless",
     "settings": {"decryption": "none", "clients": $(json_clients vless "$CORE_VLESS_USERS")}},
    {"tag": "trojan-in", "listen": "127.0.0.1", "port": $TROJAN_PORT, "protocol": "trojan",
     "settings": {"clients": $(json_clients trojan "$CORE_TROJAN_USERS")}},
    {"tag": "socks-in", "listen": "127.0.0.1", "port": $SOCKS_PORT, "protocol": "socks",
     "settings": {"auth": "password", "accounts": [{"user": "bob", "pass": "bobpass"}], "udp": false}}
  ],
$(core_routing)
}
EOF
}

# write_client_json OUT VLESS_UUID TROJAN_PASSWORD: a second v2ray acting as
# a client: socks on C_VLESS_PORT -> vless, socks on C_TROJAN_PORT -> trojan.
write_client_json() {
	cat >"$1" <<EOF
{
  "log": {"loglevel": "warning"},
  "inbounds": [
    {"tag": "c-vless", "listen": "127.0.0.1", "port": ${C_VLESS_PORT:?}, "protocol": "socks", "settings": {"udp": false}},
    {"tag": "c-trojan", "listen": "127.0.0.1", "port": ${C_TROJAN_PORT:?}, "protocol": "socks", "settings": {"udp": false}}
  ],
  "outbounds": [
    {"tag": "to-vless", "protocol": "vless", "settings": {"vnext": [{"address": "127.0.0.1", "port": $VLESS_PORT,
      "users": [{"id": "$2", "encryption": "none"}]}]}},
    {"tag": "to-trojan", "protocol": "trojan", "settings": {"servers": [{"address": "127.0.0.1", "port": $TROJAN_PORT,
      "password": "$3"}]}}
  ],
  "routing": {"rules": [
    {"type": "field", "inboundTag": ["c-vless"], "outboundTag": "to-vless"},
    {"type": "field", "inboundTag": ["c-trojan"], "outboundTag": "to-trojan"}
  ]}
}
EOF
}

# Defaults of v2ray-stat.yaml (override the CFG_* globals, then write).
CFG_LOGLEVEL=${CFG_LOGLEVEL:-info}
CFG_TYPE=${CFG_TYPE:-v2fly}
CFG_TICKER=${CFG_TICKER:-1}
CFG_API_TOKEN=${CFG_API_TOKEN:-}
CFG_AUTH_READS=${CFG_AUTH_READS:-false}
CFG_DEFAULT_INBOUND=${CFG_DEFAULT_INBOUND:-vless-in}
CFG_MAX_BODY=${CFG_MAX_BODY:-65536}
CFG_MAX_UPLOAD=${CFG_MAX_UPLOAD:-8388608}
CFG_MAX_BULK_LINES=${CFG_MAX_BULK_LINES:-100000}
# How long a write waits for the worker to apply it to the core; unset:
# the program's default.
# Sanitized builds (configure --enable-sanitizers) run several times
# slower: waits are stretched by V2S_TIME_SCALE, checks stay as they are.
TIME_SCALE=${V2S_TIME_SCALE:-1}
case $TIME_SCALE in '' | *[!0-9]*) TIME_SCALE=1 ;; esac
# The API's wait for the worker (api.apply_wait_ms, default 2000): the
# tests run two stacks at once on two cores, so with a worker they give it
# 5 s (times the scale of a sanitized build); a test that sets it keeps it.
CFG_APPLY_WAIT_MS=${CFG_APPLY_WAIT_MS-}
apply_wait_ms() {
	if [ -n "$CFG_APPLY_WAIT_MS" ]; then
		echo "$CFG_APPLY_WAIT_MS"
	elif [ "${STACK_WORKER:-1}" != 0 ]; then
		echo $((5000 * TIME_SCALE))
	fi
}
# More lines for the core: section, indented by two spaces.
CFG_CORE_EXTRA=${CFG_CORE_EXTRA:-}
# features.auth_lua (paths.auth_lua is RUN/auth.lua) and, if set,
# haproxy.reload_command.
CFG_AUTH_LUA=${CFG_AUTH_LUA:-false}
CFG_HAPROXY_RELOAD=${CFG_HAPROXY_RELOAD:-}
CFG_NETWORK=${CFG_NETWORK:-false}
CFG_SYSMON=${CFG_SYSMON:-false}
# Notifications: features.telegram, the telegram section (api_url is the
# fake Bot API's when STACK_BOTAPI=1), extra lines for it (indented two
# spaces), and the services list.
CFG_TELEGRAM=${CFG_TELEGRAM:-false}
CFG_TG_TOKEN=${CFG_TG_TOKEN:-}
CFG_TG_CHAT=${CFG_TG_CHAT:-}
CFG_TG_API_URL=${CFG_TG_API_URL:-}
CFG_TG_EXTRA=${CFG_TG_EXTRA:-}
CFG_SERVICES=${CFG_SERVICES:-}
# The lines of the system_monitoring section, indented by two spaces
# (e.g. "  average_interval: 10"); empty: no section.
CFG_SYSMON_EXTRA=${CFG_SYSMON_EXTRA:-}
CFG_SERVER_SORT=${CFG_SERVER_SORT:-source ASC}
CFG_SERVER_COLUMNS=${CFG_SERVER_COLUMNS-source rate uplink downlink}
CFG_CLIENT_SORT=${CFG_CLIENT_SORT:-user ASC}
CFG_CLIENT_COLUMNS=${CFG_CLIENT_COLUMNS-user last_seen rate uplink downlink enabled sub_end lim_ip ips}

# yaml_list "a b c": a flow sequence "[a, b, c]".
yaml_list() {
	local w sep=""
	printf '['
	for w in $1; do
		printf '%s%s' "$sep" "$w"
		sep=", "
	done
	printf ']'
}

# write_stat_yaml OUT: v2ray-stat's config.  Uses RUN, API_PORT, CFG_*, and
# HTTP_PORT when set (nginx's port: v2ray-stat.port tells the routing check).
write_stat_yaml() {
	cat >"$1" <<EOF
# v2ray-stat configuration written by t/integration/lib.sh
log:
  loglevel: $CFG_LOGLEVEL
v2ray-stat:
  type: $CFG_TYPE
${HTTP_PORT:+  port: $HTTP_PORT
}  monitor:
    ticker_interval: $CFG_TICKER
    online_rate_threshold: 0
core:
  dir: $RUN/
  config: $RUN/core.json
  access_log: $RUN/access.log
  api_address: 127.0.0.1:$API_PORT
${CFG_CORE_EXTRA:+$CFG_CORE_EXTRA
}${CFG_HAPROXY_RELOAD:+haproxy:
  reload_command: "$CFG_HAPROXY_RELOAD"
}api:
  api_token: "$CFG_API_TOKEN"
  auth_reads: $CFG_AUTH_READS
  default_inbound: $CFG_DEFAULT_INBOUND
  max_body: $CFG_MAX_BODY
  max_upload: $CFG_MAX_UPLOAD
  max_bulk_lines: $CFG_MAX_BULK_LINES
$(w=$(apply_wait_ms); [ -n "$w" ] && echo "  apply_wait_ms: $w")
timezone: "${CFG_TIMEZONE:-}"
features:
  telegram: $CFG_TELEGRAM
  network: $CFG_NETWORK
  system_monitoring: $CFG_SYSMON
  auth_lua: ${CFG_AUTH_LUA:-false}
services: $(yaml_list "$CFG_SERVICES")
${CFG_SYSMON_EXTRA:+system_monitoring:
$CFG_SYSMON_EXTRA
}telegram:
  chat_id: "$CFG_TG_CHAT"
  bot_token: "$CFG_TG_TOKEN"
${CFG_TG_API_URL:+  api_url: "$CFG_TG_API_URL"
}${CFG_TG_EXTRA:+$CFG_TG_EXTRA
}paths:
  database: $RUN/v2ray-stat.db
  f2b_log: $RUN/f2b.log
  f2b_banned_log: $RUN/f2b-banned.log
  auth_lua: $RUN/auth.lua
stats_columns:
  server:
    sort: $CFG_SERVER_SORT
    columns: $(yaml_list "$CFG_SERVER_COLUMNS")
  client:
    sort: $CFG_CLIENT_SORT
    columns: $(yaml_list "$CFG_CLIENT_COLUMNS")
EOF
}

# write_nginx_conf OUT: nginx on 127.0.0.1:HTTP_PORT, every path in RUN,
# with fastcgi_read_timeout NGINX_READ_TIMEOUT seconds (default 120, as
# shipped) passed on to the responder, as nginx/v2ray-stat.conf does.
write_nginx_conf() {
	local user_line="" extra_temp=""
	if [ "$(id -u)" -eq 0 ]; then
		user_line="user root;"
	fi
	if "$NGINX_BIN" -V 2>&1 | grep -q -- '--http-uwsgi-temp-path'; then
		extra_temp="uwsgi_temp_path $RUN/nginx-tmp/uwsgi;"
	fi
	if "$NGINX_BIN" -V 2>&1 | grep -q -- '--http-scgi-temp-path'; then
		extra_temp="$extra_temp scgi_temp_path $RUN/nginx-tmp/scgi;"
	fi
	mkdir -p "$RUN/nginx-tmp"
	cat >"$1" <<EOF
# written by t/integration/lib.sh
$user_line
worker_processes 2;
daemon on;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log;
events { worker_connections 512; }
http {
    access_log $RUN/nginx-access.log;
    client_body_temp_path $RUN/nginx-tmp/client_body;
    proxy_temp_path $RUN/nginx-tmp/proxy;
    fastcgi_temp_path $RUN/nginx-tmp/fastcgi;
    $extra_temp
    client_max_body_size 16m;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        server_name localhost;
        location /api/v1/ {
            include $FASTCGI_PARAMS;
            fastcgi_pass unix:$RUN/fcgi.sock;
            fastcgi_read_timeout ${NGINX_READ_TIMEOUT:-120}s;
            fastcgi_param V2S_READ_TIMEOUT ${NGINX_READ_TIMEOUT:-120};
            fastcgi_param V2S_REQUEST_START \$msec;
        }
        location / {
            return 404;
        }
    }
}
EOF
}

# ------------------------------------------------------------------ processes

# pid_ours PID: true if PID is alive and its command line mentions RUN
# (every process we start has the run directory in its arguments).
pid_ours() {
	local cmd
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
	case $cmd in *"$RUN"*) return 0 ;; esac
	return 1
}

# pid_gone PID: true if PID has exited (absent, or a zombie not yet reaped).
pid_gone() {
	local st
	[ -e "/proc/$1/stat" ] || return 0
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "${st%% *}" = Z ]
}

# wait_exit SECONDS PID: waits for a child PID to exit and reaps it; returns
# its exit status, or 124 (after sending KILL) on timeout.
wait_exit() {
	if wait_until "$1" pid_gone "$2"; then
		wait "$2"
		return
	fi
	kill -KILL "$2" 2>/dev/null
	wait "$2" 2>/dev/null
	return 124
}

# pids_alive PID...: true while any of the PIDs (that are ours) is alive.
pids_alive() {
	local p
	for p in "$@"; do
		pid_ours "$p" && return 0
	done
	return 1
}

# stop_pidfile NAME [SIGNAL]: signals every pid listed in RUN/NAME.pid
# (default TERM), waits up to 5 s, then KILLs what is left; removes the file.
stop_pidfile() {
	local f=$RUN/$1.pid sig=${2:-TERM} p pids=""
	[ -f "$f" ] || return 0
	while read -r p || [ -n "$p" ]; do
		case $p in '' | *[!0-9]*) continue ;; esac
		if pid_ours "$p"; then
			kill "-$sig" "$p" 2>/dev/null
			pids="$pids $p"
		fi
	done <"$f"
	# shellcheck disable=SC2086
	if [ -n "$pids" ] && ! wait_until 5 eval '! pids_alive '"$pids"; then
		for p in $pids; do
			pid_ours "$p" && kill -KILL "$p" 2>/dev/null
		done
	fi
	rm -f "$f"
}

# start_bg NAME LOG CMD...: starts CMD in the background with its output in
# LOG (never on our stdout: that is the TAP stream) and writes RUN/NAME.pid.
start_bg() {
	local name=$1 log=$2
	shift 2
	"$@" </dev/null >>"$log" 2>&1 &
	printf '%s\n' "$!" >"$RUN/$name.pid"
}

# pidfile_alive NAME: true if the first pid of RUN/NAME.pid is ours and alive.
pidfile_alive() {
	local p
	[ -f "$RUN/$1.pid" ] || return 1
	p=$(head -n 1 "$RUN/$1.pid")
	pid_ours "$p"
}

# ------------------------------------------------------------------ components

# core_start: writes RUN/core.json and starts the core; retries with new
# ports when they were taken.  Sets API_PORT VLESS_PORT TROJAN_PORT
# SOCKS_PORT.  Without V2RAY_BIN only core.json is written (returns 2).
core_start() {
	local attempt=0
	while [ "$attempt" -lt 5 ]; do
		attempt=$((attempt + 1))
		API_PORT=$(free_port) && VLESS_PORT=$(free_port) &&
			TROJAN_PORT=$(free_port) && SOCKS_PORT=$(free_port) || return 1
		write_core_json "$RUN/core.json"
		if [ -z "${V2RAY_BIN:-}" ] || [ ! -x "$V2RAY_BIN" ] || [ "${STACK_CORE:-1}" = 0 ]; then
			return 2
		fi
		start_bg core "$RUN/core.log" "$V2RAY_BIN" -config "$RUN/core.json"
		if wait_until 10 core_ready; then
			return 0
		fi
		stop_pidfile core
		if ! grep -qi 'address already in use' "$RUN/core.log" "$RUN/error.log" 2>/dev/null; then
			return 1
		fi
		: >"$RUN/core.log"
	done
	return 1
}

core_ready() {
	pidfile_alive core || return 1
	port_listening "$API_PORT" && port_listening "$VLESS_PORT" && port_listening "$TROJAN_PORT"
}

# worker_start YAML: the worker (a foreground daemon) in the background.
worker_ticked() {
	[ -f "$RUN/v2ray-stat.db" ] &&
	    [ -n "$("$SQLITE3" "$RUN/v2ray-stat.db" "SELECT value FROM worker_state WHERE key = 'heartbeat';" 2>/dev/null)" ]
}

worker_start() {
	local -a wrap=()
	read -ra wrap <<<"${WORKER_WRAPPER:-}"
	core_versions_start
	start_bg worker "$RUN/worker.log" "${wrap[@]}" "$WORKER_BIN" -f "$1"
}

# ------------------------------------------------------------------ core config versions

# Every version of RUN/core.json that the worker writes must pass the
# core's own "v2ray -test": a config the core refuses stops it at its next
# start.  worker_start starts a snapshotter that copies the file into
# RUN/core-versions/NNNN.json whenever its inode, mtime or size changes and
# the content is new and is JSON (a test may write a broken file on
# purpose; the worker only writes JSON).  done_testing takes the last
# version too and runs v2ray -test on every copy: a test point (or, in a
# test with a plan, a bail out if one is refused).  Not for sing-box
# configs (CFG_TYPE=singbox) or without V2RAY_BIN.
CORE_VERSIONS_PY='
import hashlib, json, os, sys, time
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
seen = set()
for f in os.listdir(dst):
    if f.endswith(".json"):
        with open(os.path.join(dst, f), "rb") as fh:
            seen.add(hashlib.sha256(fh.read()).hexdigest())
last = None
while True:
    try:
        st = os.stat(src)
        sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        if sig != last:
            with open(src, "rb") as fh:
                data = fh.read()
            h = hashlib.sha256(data).hexdigest()
            if h not in seen:
                json.loads(data)
                seen.add(h)
                with open(os.path.join(dst, "%04d.json" % len(seen)), "wb") as fh:
                    fh.write(data)
            last = sig
    except (OSError, ValueError):
        pass
    if len(sys.argv) > 3:
        break
    time.sleep(0.02)
'

core_versions_start() {
	[ -n "${V2RAY_BIN:-}" ] && [ -x "$V2RAY_BIN" ] && [ -n "${PYTHON3:-}" ] &&
	    [ "${CFG_TYPE:-v2fly}" != singbox ] || return 0
	pidfile_alive core-versions && return 0
	mkdir -p "$RUN/core-versions"
	start_bg core-versions "$RUN/core-versions.log" "$PYTHON3" -c "$CORE_VERSIONS_PY" \
	    "$RUN/core.json" "$RUN/core-versions"
}

# core_versions_check: see above.
core_versions_check() {
	local f n=0 bad="" why=""
	[ -n "${RUN:-}" ] && [ -d "$RUN/core-versions" ] || return 0
	stop_pidfile core-versions
	"$PYTHON3" -c "$CORE_VERSIONS_PY" "$RUN/core.json" "$RUN/core-versions" once
	for f in "$RUN"/core-versions/*.json; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if ! "$V2RAY_BIN" -test -config "$f" >"${f%.json}.test" 2>&1; then
			bad="$bad ${f##*/}"
			[ -n "$why" ] || why=$(grep -v '^V2Ray\|^A unified\|Reading config' "${f%.json}.test" | head -n 3)
		fi
	done
	rm -rf "$RUN/core-versions.checked"
	mv "$RUN/core-versions" "$RUN/core-versions.checked"
	if [ -z "$tap_planned" ]; then
		ok "$([ -z "$bad" ]; echo $?)" "v2ray -test accepts each of the $n core config versions of this test"
	elif [ -n "$bad" ]; then
		bail_out "v2ray -test refuses core config versions$bad: $why"
	else
		diag "v2ray -test accepts each of the $n core config versions of this test"
	fi
	[ -z "$bad" ] || diag "refused:$bad (in $RUN/core-versions.checked)" "$why"
}

# fcgi_start [YAML]: a spawn-fcgi pool of FCGI_CHILDREN (default 4) on
# RUN/fcgi.sock; spawn-fcgi writes every child's pid to RUN/fcgi.pid.
fcgi_start() {
	local yaml=${1:-$RUN/v2ray-stat.yaml} rc
	local -a wrap=()
	read -ra wrap <<<"${FCGI_WRAPPER:-}"
	rm -f "$RUN/fcgi.sock" "$RUN/fcgi.pid"
	# spawn-fcgi points a forked child's stderr at /dev/null: the shell
	# (same pid after exec) sends it back to fcgi.log, so the responders'
	# own messages and sanitizer reports are seen.
	"$SPAWN_FCGI" -s "$RUN/fcgi.sock" -M 0600 -F "${FCGI_CHILDREN:-4}" \
	    -P "$RUN/fcgi.pid" -- /bin/sh -c 'exec "$@" 2>>"$0"' \
	    "$RUN/fcgi.log" "${wrap[@]}" "$FCGI_BIN" -f "$yaml" \
	    </dev/null >>"$RUN/fcgi.log" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && [ -S "$RUN/fcgi.sock" ]
}

fcgi_stop() {
	stop_pidfile fcgi
	rm -f "$RUN/fcgi.sock"
}

# fcgi_alive: true if every child of the pool is still running.
fcgi_alive() {
	local p n=0
	[ -f "$RUN/fcgi.pid" ] || return 1
	while read -r p || [ -n "$p" ]; do
		[ -n "$p" ] || continue
		pid_ours "$p" || return 1
		n=$((n + 1))
	done <"$RUN/fcgi.pid"
	[ "$n" -gt 0 ]
}

fcgi_conf_n=0

# fcgi_reconfig: writes a new config from the current CFG_* globals into
# RUN/v2ray-stat-N.yaml and restarts the pool with it (the worker keeps its
# own config).  Example:  CFG_API_TOKEN=secret; fcgi_reconfig
fcgi_reconfig() {
	fcgi_conf_n=$((fcgi_conf_n + 1))
	write_stat_yaml "$RUN/v2ray-stat-$fcgi_conf_n.yaml"
	fcgi_stop
	fcgi_start "$RUN/v2ray-stat-$fcgi_conf_n.yaml"
}

# nginx_start: writes RUN/nginx.conf and starts nginx on a free port
# (HTTP_PORT, unless already set by the caller: then no retry).
nginx_start() {
	local attempt=0 fixed=${HTTP_PORT:-}
	while [ "$attempt" -lt 5 ]; do
		attempt=$((attempt + 1))
		if [ -z "$fixed" ]; then
			HTTP_PORT=$(free_port) || return 1
		fi
		write_nginx_conf "$RUN/nginx.conf"
		: >"$RUN/nginx-error.log"
		# nginx daemonises: keep its stdout off the TAP stream.
		if "$NGINX_BIN" -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/nginx-error.log" \
		    </dev/null >/dev/null 2>&1 &&
		    wait_until 5 test -s "$RUN/nginx.pid" &&
		    wait_until 5 port_listening "$HTTP_PORT"; then
			return 0
		fi
		stop_pidfile nginx QUIT
		[ -n "$fixed" ] && return 1
		grep -q 'Address already in use' "$RUN/nginx-error.log" || return 1
	done
	return 1
}

# ------------------------------------------------------------------ stack

# run_dir_new: a fresh run directory RUN (DB inside it) whose processes and
# files stack_stop removes at exit.
run_dir_new() {
	RUN=$(mktemp -d "${TMPDIR:-/tmp}/v2s-test.XXXXXX") || bail_out "mktemp failed"
	DB=$RUN/v2ray-stat.db
	trap stack_stop EXIT
	trap 'exit 1' INT TERM HUP PIPE
}

# stack_start: the whole stack in a new run directory RUN.
#   STACK_CORE=0    do not start the v2ray core (core.json is still written)
#   STACK_WORKER=0  do not start the worker
#   FCGI_CHILDREN=N size of the spawn-fcgi pool (default 4)
#   NGINX_READ_TIMEOUT=S nginx's fastcgi_read_timeout (default 120)
#   STACK_BOTAPI=1  start the fake Bot API first (botapi_start) and send
#                   the notifications there (token and chat id default to
#                   123456:TEST-token and 42)
# Sets RUN DB HTTP_PORT API_PORT VLESS_PORT TROJAN_PORT SOCKS_PORT BASE and
# HAVE_CORE (1 if the core runs).  Installs the EXIT trap (stack_stop).
# Bails out if nginx or the pool cannot be started.
stack_start() {
	local rc
	require_tools nginx spawn-fcgi curl sqlite3 python3 fcgi worker
	run_dir_new
	if [ "${STACK_BOTAPI:-0}" = 1 ]; then
		botapi_start || bail_out "cannot start the fake Bot API"
	fi
	HAVE_CORE=0
	core_start
	rc=$?
	case $rc in
	0) HAVE_CORE=1 ;;
	2) diag "v2ray core not started (V2RAY_BIN missing or STACK_CORE=0)" ;;
	*) bail_out "cannot start the v2ray core: $(tail -n 5 "$RUN/core.log" 2>/dev/null)" ;;
	esac
	write_stat_yaml "$RUN/v2ray-stat.yaml"
	if [ "${STACK_WORKER:-1}" != 0 ]; then
		worker_start "$RUN/v2ray-stat.yaml"
		# Ready once it has finished a first tick (and so its first
		# full check of the users): a loaded machine can take seconds.
		wait_until 20 worker_ticked ||
		    diag "the worker has not finished a tick yet"
	fi
	fcgi_start || bail_out "cannot start the fcgi pool: $(tail -n 5 "$RUN/fcgi.log" 2>/dev/null)"
	nginx_start || bail_out "cannot start nginx: $(tail -n 5 "$RUN/nginx-error.log" 2>/dev/null)"
	BASE=http://127.0.0.1:$HTTP_PORT
	diag "run directory $RUN, nginx on $HTTP_PORT, core api on $API_PORT"
}

# stack_stop: stops every process started (by pid file), removes RUN
# unless KEEP_RUN=1.  Safe to call twice.
stack_stop() {
	ports_release
	[ -n "${RUN:-}" ] && [ -d "$RUN" ] || return 0
	stop_pidfile nginx QUIT
	stop_pidfile fcgi
	stop_pidfile worker
	stop_pidfile client
	stop_pidfile httpd
	stop_pidfile botapi
	stop_pidfile core-versions
	stop_pidfile core
	if [ "${KEEP_RUN:-0}" = 1 ]; then
		diag "kept run directory $RUN"
	else
		rm -rf "$RUN"
	fi
	RUN=
}

# ------------------------------------------------------------------ Bot API

# botapi_start: the fake Telegram Bot API (t/integration/fake-botapi.py) on
# a free loopback port, recording to RUN/botapi.log; sets BOTAPI_PORT and
# BOTAPI_URL and, unless set, CFG_TG_TOKEN, CFG_TG_CHAT and CFG_TG_API_URL
# (for write_stat_yaml).  Call after run_dir_new.
botapi_start() {
	: "${CFG_TG_TOKEN:=123456:TEST-token}"
	: "${CFG_TG_CHAT:=42}"
	rm -f "$RUN/botapi.port"
	: >"$RUN/botapi.log"
	start_bg botapi "$RUN/botapi.err" "$PYTHON3" \
	    "$top_srcdir/t/integration/fake-botapi.py" --port-file "$RUN/botapi.port" \
	    --log "$RUN/botapi.log" --token "$CFG_TG_TOKEN"
	wait_until 10 test -s "$RUN/botapi.port" || return 1
	BOTAPI_PORT=$(cat "$RUN/botapi.port")
	BOTAPI_URL=http://127.0.0.1:$BOTAPI_PORT
	: "${CFG_TG_API_URL:=$BOTAPI_URL}"
}

# botapi_ctl KEY=VALUE...: tells the fake how to answer from now on
# (mode=ok|429|500|400|hang|close, retry_after=S, count=N).
botapi_ctl() {
	local args=() kv
	for kv in "$@"; do args+=(-d "$kv"); done
	curl -s -o /dev/null -m 5 "${args[@]}" "$BOTAPI_URL/control"
}

# botapi_q PYTHON-EXPR: evaluates EXPR with R = the list of recorded
# requests (dicts: n t chat_id parse_mode text plain status) and OK = those
# answered 200; prints the result (lists one item per line).
botapi_q() {
	"$PYTHON3" - "$RUN/botapi.log" "$1" <<'PYEOF'
import json, sys
R = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
OK = [r for r in R if r["status"] == 200]
v = eval(sys.argv[2])
if isinstance(v, list):
    for x in v:
        print(x)
else:
    print(v)
PYEOF
}

# botapi_sent: the number of messages the fake accepted.
botapi_sent() {
	botapi_q 'len(OK)'
}

# notify_msgs: every notification so far as the chat shows it, one JSON
# string per line, oldest first: those the fake accepted (their host line
# removed), then those still in the outbox table (unescaped the same way).
# A message is in both only between Telegram's answer and the worker's
# commit.
notify_msgs() {
	sql "SELECT json_group_array(text) FROM (SELECT text FROM outbox ORDER BY id);" \
	    >"$RUN/outbox.json" 2>/dev/null || echo '[]' >"$RUN/outbox.json"
	"$PYTHON3" - "$RUN/botapi.log" "$RUN/outbox.json" "$top_srcdir/t/integration" <<'PYEOF'
import json, os, re, sys
sys.path.insert(0, sys.argv[3])
import importlib.util
spec = importlib.util.spec_from_file_location("fb", os.path.join(sys.argv[3], "fake-botapi.py"))
fb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fb)
out = []
if os.path.exists(sys.argv[1]):
    for l in open(sys.argv[1], encoding="utf-8"):
        r = json.loads(l)
        if r["status"] == 200 and r["plain"] is not None:
            out.append(re.sub(r"^💻 Host: [^\n]*\n\n", "", r["plain"]))
try:
    queued = json.load(open(sys.argv[2], encoding="utf-8") or "[]")
except ValueError:
    queued = []
for t in queued or []:
    try:
        out.append(fb.parse_markdown_v2(t))
    except ValueError as e:
        out.append("UNPARSABLE: " + str(e) + ": " + t)
for m in out:
    print(json.dumps(m, ensure_ascii=False))
PYEOF
}

# outbox_empty: true when no notification waits in the outbox.
outbox_empty() {
	[ "$(sql 'SELECT count(*) FROM outbox;' 2>/dev/null)" = 0 ]
}

# notify_count REGEX: how many notifications (notify_msgs) match the
# Python regular expression REGEX (re.S: '.' matches newlines too).  It
# first gives the sender up to NOTIFY_SETTLE seconds (default 10) to
# empty the outbox, so that a message on its way (accepted by the fake,
# not yet removed from the table) is not counted twice; a queue that
# cannot drain (the fake down or hanging) is counted as it stands.
notify_count() {
	wait_until "${NOTIFY_SETTLE:-10}" outbox_empty || :
	notify_msgs | "$PYTHON3" -c '
import json, re, sys
print(sum(1 for l in sys.stdin if re.search(sys.argv[1], json.loads(l), re.S)))' "$1"
}

# api_stack_start: the whole stack for a test of the API's writes, which
# the worker applies to the core (so a real core is required), with no
# users in the core's config (the database starts empty: counts are
# exact); returns once the database is ready (a test point).
api_stack_start() {
	CORE_VLESS_USERS=
	CORE_TROJAN_USERS=
	require_tools v2ray
	stack_start
	run_ok "database ready" wait_db 10
}

# ------------------------------------------------------------------ DB

# sql SQL...: runs SQL against the stack's database (busy timeout 5 s).
sql() {
	"$SQLITE3" -batch -cmd '.timeout 5000' "$DB" "$@"
}

# schema_version: DB_SCHEMA_VERSION of lib/db.h.
schema_version() {
	sed -n 's/^#define DB_SCHEMA_VERSION \([0-9][0-9]*\)$/\1/p' "$top_srcdir/lib/db.h"
}

# db_ready: true once the schema is in place (PRAGMA user_version is
# this program's).
db_ready() {
	[ -f "$DB" ] && [ "$(sql 'PRAGMA user_version;' 2>/dev/null)" = "$(schema_version)" ]
}

# wait_db SECONDS: pokes the API once (the fcgi opens the DB) and waits for
# the schema.
wait_db() {
	api GET /api/v1/users
	wait_until "${1:-10}" db_ready
}

# missing_tables: prints the tables of the runtime contract that the
# database lacks (nothing when the schema is complete; additions are fine).
missing_tables() {
	local t out=""
	for t in clients_stats traffic_stats dns_stats user_ips net_baseline worker_state; do
		[ "$(sql "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$t';")" = 1 ] ||
			out="$out $t"
	done
	printf '%s' "${out# }"
}

# ------------------------------------------------------------------ HTTP

# api METHOD PATH [CURL ARGS...]: one request through nginx.
# Sets status (000 if curl failed), body (exact, trailing newlines kept) and
# leaves the headers for header().  PATH may carry a query string.
api() {
	local method=$1 path=$2
	local -a margs=()
	shift 2
	case $method in
	HEAD) margs=(-I) ;;
	*) margs=(-X "$method") ;;
	esac
	rm -f "$RUN/api-reply.body" "$RUN/api-reply.headers"
	status=$("$CURL" -sS -g --max-time "${API_TIMEOUT:-30}" "${margs[@]}" \
	    -o "$RUN/api-reply.body" -D "$RUN/api-reply.headers" \
	    -w '%{http_code}' "$@" "$BASE$path" 2>"$RUN/api-reply.err") || status=000
	if [ -f "$RUN/api-reply.body" ]; then
		body=$(
			cat "$RUN/api-reply.body"
			printf x
		)
		body=${body%x}
	else
		body=
	fi
}

# header NAME: the value of header NAME in the last reply (last response
# block, so a "100 Continue" is skipped); empty if absent.
header() {
	[ -f "$RUN/api-reply.headers" ] || return 0
	tr -d '\r' <"$RUN/api-reply.headers" | awk -v want="$1" '
		/^HTTP\// { v = ""; next }
		{
			i = index($0, ":")
			if (i > 0 && tolower(substr($0, 1, i - 1)) == tolower(want)) {
				v = substr($0, i + 1)
				sub(/^[ \t]+/, "", v)
			}
		}
		END { printf "%s", v }'
}

# is_reply STATUS MESSAGE DESC: the last reply has STATUS and the body is
# exactly MESSAGE followed by one newline.
is_reply() {
	local want_body
	want_body=$(printf '%s\n' "$2"; printf x)
	want_body=${want_body%x}
	if [ "$status" = "$1" ] && [ "$body" = "$want_body" ]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "     got: $status '${body%$'\n'}'" "expected: $1 '$2'"
	return 1
}

# is_status STATUS DESC
is_status() {
	if [ "$status" = "$1" ]; then
		pass "$2"
		return 0
	fi
	fail "$2"
	diag "     got: $status '$(printf '%s' "$body" | head -c 300)'" "expected: $1"
	return 1
}

# like_reply STATUS ERE DESC: the status matches STATUS (itself an ERE,
# e.g. '20[02]'), and the body (without its final newline) matches ERE.
like_reply() {
	local b=${body%$'\n'}
	if [[ $status =~ ^($1)$ ]] && [[ $b =~ $2 ]]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	diag "     got: $status '$b'" "expected: $1 /$2/"
	return 1
}

# is_text_reply: the last reply's content type is text/plain; charset=utf-8.
is_text_reply() {
	is "$(header Content-Type)" "text/plain; charset=utf-8" "${1:-text/plain reply}"
}

# json_get PYEXPR: evaluates a python expression over the last JSON body
# bound to j (e.g. 'len(j)', 'j[0]["user"]'), prints the result.
json_get() {
	printf '%s' "$body" | "$PYTHON3" -c '
import json, sys
j = json.loads(sys.stdin.read())
r = eval(sys.argv[1])
print(r if not isinstance(r, (list, dict, bool)) or r is None else json.dumps(r))
' "$1"
}

# urlenc STRING: percent-encodes every byte except unreserved ones.
urlenc() {
	local LC_ALL=C s=$1 i c out=""
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9.~_-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}
