# shellcheck shell=bash
# Globals set here are read by the scripts that source this file:
# shellcheck disable=SC2034
#
# t/integration/lib-client.sh: real client traffic for the lifecycle tests
# (issue 5).  Source it after lib.sh and after stack_start:
#
#   httpd_start                 a local HTTP server (python3 -m http.server)
#                               serving RUN/www/probe.txt; sets HTTPD_PORT
#   client_start NAME SPEC...   a second v2ray acting as a client, one socks
#                               port per SPEC "vless:UUID" or "trojan:PASS"
#                               (aimed at the server's vless-in / trojan-in);
#                               sets CLIENT_PORTS (array, in SPEC order)
#   client_stop NAME            stops that client
#   probe PORT                  curl through the client's socks PORT: true
#                               only if the probe body arrives
#   wait_probe SECS PORT        probe until it works (false after SECS)
#   wait_probe_fails SECS PORT  probe until it fails (false after SECS)
#   core_kill                   KILLs the core (worker and API keep running)
#   core_restart [CONFIG]       starts the core again (default RUN/core.json)
#   core_has USER TAG PROTO CRED / core_lacks USER TAG
#                               asks the core itself through t/coreapi-cli
#   LC_PIDFILES="$LC_PIDFILES NAME"  also stop RUN/NAME.pid at exit
#   lc_stack_start              stack + HTTP server, alice and tom adopted
#   lc_setup_main V1 T1 V2      the whole setup of a lifecycle test (below)
#
# Every process started here has RUN in its command line and is listed in
# a pid file that lc_cleanup (installed by lc_init) stops at exit, before
# stack_stop.

LC_CLIENTS=" "
LC_PIDFILES=""

PROBE_TIMEOUT=${PROBE_TIMEOUT:-3}
COREAPI_CLI=${COREAPI_CLI:-${top_builddir:-.}/t/coreapi-cli}

# lc_init: installs the EXIT trap that stops the clients and then the
# stack.  Call it right after stack_start.
lc_init() {
	COREAPI_CLI=${top_builddir:-.}/t/coreapi-cli
	trap 'lc_cleanup; stack_stop' EXIT
}

lc_cleanup() {
	local n
	[ -n "${RUN:-}" ] && [ -d "$RUN" ] || return 0
	for n in $LC_CLIENTS; do
		stop_pidfile "client-$n"
	done
	for n in $LC_PIDFILES; do
		stop_pidfile "$n"
	done
	stop_pidfile httpd
}

# now_ms: wall clock in milliseconds.
now_ms() {
	local t
	t=$(date +%s%N)
	printf '%s\n' "$((t / 1000000))"
}

lap_ms=
# lap LABEL: a diag line with the seconds since the previous lap.
lap() {
	local t
	t=$(now_ms)
	if [ -n "$lap_ms" ]; then
		diag "$(printf '%s: %d.%03d s' "$1" $(((t - lap_ms) / 1000)) $(((t - lap_ms) % 1000)))"
	fi
	lap_ms=$t
}

# ------------------------------------------------------------------ httpd

# httpd_start: python3 -m http.server on a free port, serving RUN/www.
# Sets HTTPD_PORT and PROBE_BODY (the exact content of probe.txt).
httpd_start() {
	local attempt=0
	mkdir -p "$RUN/www"
	PROBE_BODY="probe-$RANDOM$RANDOM-ok"
	printf '%s\n' "$PROBE_BODY" >"$RUN/www/probe.txt"
	while [ "$attempt" -lt 5 ]; do
		attempt=$((attempt + 1))
		HTTPD_PORT=$(free_port) || return 1
		start_bg httpd "$RUN/httpd.log" "$PYTHON3" -m http.server "$HTTPD_PORT" \
		    --bind 127.0.0.1 --directory "$RUN/www"
		if wait_until 5 port_listening "$HTTPD_PORT" && pidfile_alive httpd; then
			return 0
		fi
		stop_pidfile httpd
	done
	return 1
}

# ------------------------------------------------------------------ clients

# client_json OUT SPEC...: the client config; one socks inbound per SPEC,
# on the ports in CLIENT_PORTS.
client_json() {
	local out=$1 i=0 spec proto cred sep=""
	shift
	{
		printf '{\n  "log": {"loglevel": "warning"},\n  "inbounds": [\n'
		for spec in "$@"; do
			printf '%s    {"tag": "in%d", "listen": "127.0.0.1", "port": %d, "protocol": "socks", "settings": {"udp": false}}' \
			    "$sep" "$i" "${CLIENT_PORTS[$i]}"
			sep=$',\n'
			i=$((i + 1))
		done
		printf '\n  ],\n  "outbounds": [\n'
		i=0
		sep=""
		for spec in "$@"; do
			proto=${spec%%:*}
			cred=${spec#*:}
			case $proto in
			vless)
				printf '%s    {"tag": "out%d", "protocol": "vless", "settings": {"vnext": [{"address": "127.0.0.1", "port": %d, "users": [{"id": "%s", "encryption": "none"}]}]}}' \
				    "$sep" "$i" "$VLESS_PORT" "$cred"
				;;
			trojan)
				printf '%s    {"tag": "out%d", "protocol": "trojan", "settings": {"servers": [{"address": "127.0.0.1", "port": %d, "password": "%s"}]}}' \
				    "$sep" "$i" "$TROJAN_PORT" "$cred"
				;;
			*)
				return 1
				;;
			esac
			sep=$',\n'
			i=$((i + 1))
		done
		printf '\n  ],\n  "routing": {"rules": [\n'
		i=0
		sep=""
		for spec in "$@"; do
			printf '%s    {"type": "field", "inboundTag": ["in%d"], "outboundTag": "out%d"}' "$sep" "$i" "$i"
			sep=$',\n'
			i=$((i + 1))
		done
		printf '\n  ]}\n}\n'
	} >"$out"
}

# client_ports_up: true when every port of CLIENT_PORTS listens.
client_ports_up() {
	local p
	for p in "${CLIENT_PORTS[@]}"; do
		port_listening "$p" || return 1
	done
}

# client_start NAME SPEC...: see the top of the file.  Returns 1 if the
# client cannot be started (the reason is in RUN/client-NAME.log).
client_start() {
	local name=$1 attempt=0 i
	shift
	client_stop "$name"
	case $LC_CLIENTS in *" $name "*) ;; *) LC_CLIENTS="$LC_CLIENTS$name " ;; esac
	while [ "$attempt" -lt 5 ]; do
		attempt=$((attempt + 1))
		CLIENT_PORTS=()
		for ((i = 0; i < $#; i++)); do
			CLIENT_PORTS[i]=$(free_port) || return 1
		done
		client_json "$RUN/client-$name.json" "$@" || return 1
		start_bg "client-$name" "$RUN/client-$name.log" "$V2RAY_BIN" -config "$RUN/client-$name.json"
		if wait_until 10 client_ports_up && pidfile_alive "client-$name"; then
			printf '%s\n' "${CLIENT_PORTS[@]}" >"$RUN/client-$name.ports"
			return 0
		fi
		stop_pidfile "client-$name"
		grep -qi 'address already in use' "$RUN/client-$name.log" || return 1
	done
	return 1
}

# client_stop NAME
client_stop() {
	stop_pidfile "client-$1"
}

# ------------------------------------------------------------------ probes

# probe PORT: one HTTP GET through the client's socks PORT; true only if
# the probe body arrives within PROBE_TIMEOUT seconds.
probe() {
	local got
	got=$("$CURL" -s --max-time "$PROBE_TIMEOUT" --socks5-hostname "127.0.0.1:$1" \
	    "http://127.0.0.1:$HTTPD_PORT/probe.txt" 2>/dev/null) || return 1
	[ "$got" = "$PROBE_BODY" ]
}

probe_fails() {
	! probe "$1"
}

# within SECS CMD...: runs CMD until it succeeds, for at most SECS seconds
# of wall time (CMD itself may take long, unlike wait_until).
within() {
	local until
	until=$(($(now_ms) + $1 * 1000 * ${TIME_SCALE:-1}))
	shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -ge "$until" ] && return 1
		sleep 0.1
	done
}

wait_probe() {
	within "$1" probe "$2"
}

wait_probe_fails() {
	within "$1" probe_fails "$2"
}

# ------------------------------------------------------------------ core

# core_kill: the core dies at once (SIGKILL), as in a crash.
core_kill() {
	stop_pidfile core KILL
}

# core_restart [CONFIG]: starts the core on the same ports with CONFIG
# (default RUN/core.json, the file the worker keeps in step).
core_restart() {
	start_bg core "$RUN/core.log" "$V2RAY_BIN" -config "${1:-$RUN/core.json}"
	wait_until 10 core_ready
}

# core_pid: the core's pid (empty if none).
core_pid() {
	[ -f "$RUN/core.pid" ] && head -n 1 "$RUN/core.pid"
}

# cli ARGS...: t/coreapi-cli against the core; its output goes to
# RUN/cli.out, the exit status is the CLI's.
cli() {
	"$COREAPI_CLI" -t 3000 "127.0.0.1:$API_PORT" v2fly "$@" >"$RUN/cli.out" 2>&1
}

# core_has USER TAG PROTO CRED: true if the core already has USER (an add
# of the same account says "already exists").  If the add succeeded, the
# user was missing: it is removed again and the answer is false.  Always
# pass the inbound's real protocol: a wrong account type kills the core.
core_has() {
	local rc
	cli add "$2" "$1" "$3" "$4"
	rc=$?
	case $rc in
	5) return 0 ;;
	0)
		cli remove "$2" "$1"
		return 1
		;;
	esac
	return 1
}

# core_lacks USER TAG: true if the core does not have USER (a remove says
# "not found").  A remove that succeeds means the user was there.
core_lacks() {
	cli remove "$2" "$1"
	[ $? -eq 6 ]
}

# core_answers: QueryStats works.
core_answers() {
	cli query
}

# ------------------------------------------------------------------ DB

# sql_is SQL WANT / sql_isnt SQL VALUE: the query's output is (is not)
# exactly that; for polling with within/wait_until.
sql_is() {
	[ "$(sql "$1")" = "$2" ]
}

sql_isnt() {
	[ "$(sql "$1")" != "$2" ]
}

# core_up_is VALUE / core_up_isnt VALUE: the worker's view of the core
# (worker_state core_up: 1 up, 0 down, -1 not known yet).
core_up_is() {
	sql_is "SELECT value FROM worker_state WHERE key = 'core_up';" "$1"
}

core_up_isnt() {
	! core_up_is "$1"
}

# ------------------------------------------------------------------ JSON

# lc_stack_start: starts the stack and the HTTP server, and checks that
# the worker adopted alice and tom from the core config.
lc_stack_start() {
	stack_start
	lc_init
	[ "$HAVE_CORE" = 1 ] || bail_out "the core did not start"
	run_ok "database ready" wait_db 10
	httpd_start || bail_out "cannot start the HTTP server: $(tail -n 3 "$RUN/httpd.log")"
	run_ok "the worker adopted alice and tom" \
	    within 5 sql_is "SELECT count(*) FROM clients_stats WHERE user IN ('alice@example.com', 'tom@example.com');" 2
}

# lc_setup_main V1 T1 V2: lc_stack_start, then a client "main" with five
# accounts: new users' vless V1, trojan T1, vless V2, and alice and tom of
# the core config; checks that alice and tom work through it.  Saves the
# core config as it started in RUN/core-orig.json.  Sets ALICE and P_V1
# P_T1 P_V2 P_ALICE P_TOM.
lc_setup_main() {
	V1=$1 T1=$2 V2=$3
	ALICE=11111111-2222-3333-4444-555555555555
	lc_stack_start
	cp "$RUN/core.json" "$RUN/core-orig.json"
	client_start main "vless:$V1" "trojan:$T1" "vless:$V2" "vless:$ALICE" "trojan:tompass" ||
		bail_out "cannot start the client: $(tail -n 5 "$RUN/client-main.log")"
	P_V1=${CLIENT_PORTS[0]}
	P_T1=${CLIENT_PORTS[1]}
	P_V2=${CLIENT_PORTS[2]}
	P_ALICE=${CLIENT_PORTS[3]}
	P_TOM=${CLIENT_PORTS[4]}
	run_ok "alice (in the core config) works through the client" wait_probe 5 "$P_ALICE"
	run_ok "tom (in the core config) works through the client" wait_probe 5 "$P_TOM"
}

# users_field USER FIELD: a field of USER in GET /api/v1/users (empty if
# the user is absent).
users_field() {
	api GET /api/v1/users
	json_get "next((str(u[\"$2\"]) for u in j if u[\"user\"] == \"$1\"), \"\")"
}

# field_is USER FIELD VALUE: true if USER's FIELD (users_field) is VALUE.
field_is() {
	[ "$(users_field "$1" "$2")" = "$3" ]
}

# field_isnt USER FIELD VALUE: true if USER has FIELD and it is not VALUE.
field_isnt() {
	local v
	v=$(users_field "$1" "$2")
	[ -n "$v" ] && [ "$v" != "$3" ]
}

# file_clients [FILE]: "TAG USER CREDENTIAL" for every client in the core
# config file, sorted.
file_clients() {
	"$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for ib in d.get("inbounds", []):
    for c in (ib.get("settings") or {}).get("clients", []) or []:
        out.append("%s %s %s" % (ib.get("tag"), c.get("email"), c.get("id", c.get("password"))))
print("\n".join(sorted(out)))
' "${1:-$RUN/core.json}"
}
