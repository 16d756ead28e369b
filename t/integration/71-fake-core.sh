#!/bin/sh
# bench/fake-core (a StatsService at 100 000 users, built on the gRPC core
# C server API) against worker/core/coreapi.c through t/coreapi-cli: the counts,
# patterns, reset, a loop of big replies on one channel, UNIMPLEMENTED for
# what it does not serve, and a clean stop.  TAP.
# FAKE_USERS overrides the number of users (default 100000).

top_builddir=${top_builddir:-.}
CLI=$top_builddir/t/coreapi-cli
FAKE=$top_builddir/bench/fake-core
USERS=${FAKE_USERS:-100000}

if [ ! -x "$CLI" ] || [ ! -x "$FAKE" ]; then
	echo "1..0 # SKIP coreapi-cli or fake-core not built"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/v2s-fakecore.XXXXXX") || exit 1
PIDS=
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0
ok() { # STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}
cli() {
	"$CLI" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
value() { awk -v k="$1" '$1 == k { print $2 }' "$T/out"; }

echo "1..13"

"$FAKE" 127.0.0.1:0 "$USERS" >"$T/fake.out" 2>"$T/fake.err" &
FPID=$!
PIDS="$PIDS $FPID"
i=0
while [ $i -lt 100 ] && ! grep -q '^port ' "$T/fake.out"; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(awk '$1 == "port" { print $2 }' "$T/fake.out")
[ -n "$PORT" ] && [ "$PORT" -gt 0 ]
ok $? "fake-core listens (port $PORT)"
ADDR=127.0.0.1:$PORT
WANT=$((2 * USERS + 6))

cli -q "$ADDR" v2fly query
grep -q "^count $WANT parsed $WANT\$" "$T/out"
ok $? "query: all $WANT counters arrive and parse ($(head -n 1 "$T/out"))"

cli "$ADDR" v2fly query 'u000042>>>'
[ $rc -eq 0 ] && grep -q '^count 2 parsed 2$' "$T/out" &&
	grep -q '^user>>>u000042>>>traffic>>>uplink [0-9]' "$T/out" &&
	grep -q '^user>>>u000042>>>traffic>>>downlink [0-9]' "$T/out"
ok $? "a pattern selects one user's two counters"

cli "$ADDR" v2fly query 'outbound>>>'
grep -q '^count 2 parsed 2$' "$T/out"
ok $? "and the outbound counters"

cli "$ADDR" v2fly loop 20
grep -q "^loop calls 20 ok 20 failed 0 counters $WANT " "$T/out"
ok $? "20 full QueryStats on one channel: $(head -n 1 "$T/out")"

cli "$ADDR" v2fly query 'u000007>>>traffic>>>uplink'
v1=$(value 'user>>>u000007>>>traffic>>>uplink')
cli "$ADDR" v2fly query 'u000007>>>traffic>>>uplink'
v2=$(value 'user>>>u000007>>>traffic>>>uplink')
[ -n "$v1" ] && [ -n "$v2" ] && [ "$v2" -ge "$v1" ]
ok $? "counters only grow without reset ($v1 -> $v2)"

cli -r "$ADDR" v2fly query 'u000009>>>traffic>>>downlink'
r1=$(value 'user>>>u000009>>>traffic>>>downlink')
cli "$ADDR" v2fly query 'u000009>>>traffic>>>downlink'
r2=$(value 'user>>>u000009>>>traffic>>>downlink')
[ -n "$r1" ] && [ -n "$r2" ] && [ "$r1" -gt 4095 ] && [ "$r2" -le 4095 ]
ok $? "reset returns the old value and starts again from 0 ($r1, then $r2)"

cli "$ADDR" v2fly sys
[ $rc -eq 0 ] && [ "$(value goroutines)" = 42 ]
ok $? "sys: answered by the fake"

cli "$ADDR" v2fly get 'user>>>u000001>>>traffic>>>uplink'
[ $rc -eq 4 ] && grep -q '^result UNIMPLEMENTED code 12 ' "$T/out"
ok $? "an unserved method: UNIMPLEMENTED (12)"

cli "$ADDR" xray add vless-in a@example.com vless 11111111-2222-3333-4444-555555555555
[ $rc -eq 4 ] && grep -q '^flavour xray$' "$T/out"
ok $? "no HandlerService at all: UNIMPLEMENTED on both names, flavour kept"

cli -t 5000 "$ADDR" v2fly query ''
[ $rc -eq 0 ] && [ "$(grep -c '>>>traffic>>>' "$T/out")" -eq "$WANT" ]
ok $? "the printed listing has every counter"

kill -TERM "$FPID"
wait "$FPID"
st=$?
PIDS=
[ $st -eq 0 ]
ok $? "fake-core stops cleanly on SIGTERM"
grep -q '^served [0-9]* calls$' "$T/fake.err"
ok $? "and reports what it served: $(cat "$T/fake.err")"
exit 0
