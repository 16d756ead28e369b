#!/bin/bash
# Telegram delivery: the worker's sender takes the outbox to the fake Bot
# API (t/integration/fake-botapi.py) in order, exactly once, with the host
# line; obeys 429's retry_after, retries 500, drops what Telegram refuses
# for its text (and goes on), keeps 1 s between messages; a hung Bot API
# delays neither the ticks nor the API, nor a SIGTERM; POST
# /api/v1/notify_test is token-protected and answers 409 without
# Telegram; and after kill -9 at random moments while the Bot API goes
# down, fails and comes back, every message still arrives, in order, a
# message twice only right after itself (the documented window).
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

TOKEN=notify-secret
CFG_API_TOKEN=$TOKEN
CFG_TICKER=1
STACK_BOTAPI=1
STACK_CORE=0
stack_start
run_ok "database ready" wait_db 10

Q=0 # messages queued through the API (each must be sent once)

# queue TEXT: POST /api/v1/notify_test with TEXT; QID its id.
queue() {
	api POST /api/v1/notify_test -H "Authorization: Bearer $TOKEN" \
	    --data-urlencode "text=$1"
	[ "$status" = 200 ] || return 1
	QID=$(json_get 'j["id"]')
	Q=$((Q + 1))
}

# tags PREFIX: the last line of every accepted message whose last line
# begins with PREFIX, in the order the fake accepted them.
tags() {
	botapi_q "[r['plain'].rsplit('\n', 1)[-1] for r in OK if r['plain'] and r['plain'].rsplit('\n', 1)[-1].startswith('$1')]"
}

# n_ok PREFIX N: true when exactly N accepted messages carry PREFIX.
n_ok() {
	[ "$(tags "$1" | grep -c .)" = "$2" ]
}

outbox_empty() {
	[ "$(sql 'SELECT count(*) FROM outbox;')" = 0 ]
}


# hanging N: true when the fake holds N requests (mode=hang).
hanging() {
	[ "$(curl -s -m 5 "$BOTAPI_URL/control" |
	    "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["hanging"])')" = "$1" ]
}

HOST=$(
	"$PYTHON3" -c 'import socket; print(socket.gethostname())'
)

# ------------------------------------------------------------------ order
for i in 1 2 3 4 5; do
	queue "order-$i" || break
done
is "$Q" 5 "five test messages queued (notify_test answers 200 and an id)"
like "$QID" '^[0-9]+$' "the answer's id is a number ($QID)"
run_ok "the five are delivered" wait_until 30 n_ok order- 5
is "$(tags order- | tr '\n' ' ')" "order-1 order-2 order-3 order-4 order-5 " \
    "in the order they were queued, each once"
is "$(botapi_q "all(r['plain'].startswith('💻 Host: $HOST\n\n🔔 Test message\n\nFrom:   v2ray-stat\nTime:   ') for r in OK)")" \
    True "each begins with the host line, then the test message"
is "$(botapi_q "all(r['parse_mode'] == 'MarkdownV2' and r['chat_id'] == '42' for r in OK)")" \
    True "sent as MarkdownV2 to the configured chat"
gap=$(botapi_q "min(b['t'] - a['t'] for a, b in zip(OK, OK[1:]))")
is "$(botapi_q "min(b['t'] - a['t'] for a, b in zip(OK, OK[1:])) >= 0.95")" True \
    "consecutive deliveries are 1 s apart (shortest gap ${gap} s)"
run_ok "the outbox is empty" outbox_empty
api GET /api/v1/health
is "$(json_get 'j["notifications"]["sent"]')" 5 "health: 5 sent"
is "$(json_get '[j["notifications"][k] for k in ("enabled", "queued", "failed", "dropped", "oldest_age_seconds")]')" \
    '[true, 0, 0, 0, 0]' "health: enabled, nothing queued, failed or dropped"
api GET /api/v1/metrics
like "$body" $'\nv2ray_stat_notifications_sent_total 5\n' "metrics: sent_total 5"
like "$body" $'\nv2ray_stat_notifications_queued 0\n' "metrics: queued 0"

# ------------------------------------------------------------------ 429
botapi_ctl mode=429 retry_after=3 count=1
queue "after-429"
run_ok "a message answered 429 is delivered later" wait_until 30 n_ok after-429 1
is "$(botapi_q "[r['status'] for r in R if 'after-429' in r['text'].replace(chr(92), '')]" | tr '\n' ' ')" \
    "429 200 " "one 429, then accepted: not dropped"
wait429=$(botapi_q "round([r['t'] for r in R if 'after-429' in r['text'].replace(chr(92), '') and r['status'] == 200][0] - [r['t'] for r in R if r['status'] == 429][0], 2)")
is "$(botapi_q "[r['t'] for r in R if 'after-429' in r['text'].replace(chr(92), '') and r['status'] == 200][0] - [r['t'] for r in R if r['status'] == 429][0] >= 3")" \
    True "the next attempt waited retry_after=3 s (${wait429} s)"
api GET /api/v1/health
like "$(json_get 'j["notifications"]["last_error"]')" '^HTTP 429: Too Many Requests' \
    "health: the 429 is the last error"
like "$(json_get 'j["notifications"]["last_error_at"]')" '^20[0-9-]+T[0-9:]+Z$' \
    "... with its time"

# ------------------------------------------------------------------ 500
botapi_ctl mode=500 count=2
queue "after-500"
run_ok "a message answered 500 twice is delivered" wait_until 30 n_ok after-500 1
is "$(botapi_q "[r['status'] for r in R if 'after-500' in r['text'].replace(chr(92), '')]" | tr '\n' ' ')" \
    "500 500 200 " "retried after each 500"
is "$(botapi_q "(lambda rs: [round(b['t'] - a['t']) for a, b in zip(rs, rs[1:])])([r for r in R if 'after-500' in r['text'].replace(chr(92), '')])" | tr '\n' ' ')" \
    "1 2 " "backoff: 1 s, then 2 s"

# ------------------------------------------------------------------ 400
sql "INSERT INTO outbox (kind, text, created) VALUES ('test', 'broken. MarkdownV2 (unescaped)', CAST(strftime('%s', 'now') AS INTEGER));"
bid=$(sql "SELECT max(id) FROM outbox;")
queue "after-broken"
run_ok "the message behind a broken one is delivered" wait_until 30 n_ok after-broken 1
is "$(botapi_q "[r['status'] for r in R if 'broken. MarkdownV2' in r['text']]")" 400 \
    "the broken one was tried once and refused (400)"
is "$(sql "SELECT count(*) FROM outbox WHERE id = $bid;")" 0 "it is no longer queued"
grep -q "message $bid (test) dropped: Telegram refuses its text: HTTP 400: Bad Request: can't parse entities" \
    "$RUN/worker.log"
ok $? "the drop is logged with its id, kind and Telegram's reason"
api GET /api/v1/health
is "$(json_get 'j["notifications"]["failed"]')" 1 "health: 1 failed"
api GET /api/v1/metrics
like "$body" $'\nv2ray_stat_notifications_failed_total 1\n' "metrics: failed_total 1"
n=$(grep -c 'not delivered: HTTP 500' "$RUN/worker.log")
is "$n" 1 "two 500s in a row are logged once"

# ------------------------------------------------------------------ hang
botapi_ctl mode=hang
queue "hang-1"
run_ok "the Bot API holds the sender's request" wait_until 10 hanging 1
beat0=$(sql "SELECT value FROM worker_state WHERE key = 'heartbeat';")
worst=0
for i in 1 2 3 4; do
	sleep 1
	t0=$(date +%s%3N)
	api GET /api/v1/health
	t1=$(date +%s%3N)
	d=$(json_get 'int(j["worker"]["last_tick_duration_ms"])')
	[ "$d" -gt "$worst" ] && worst=$d
	[ $((t1 - t0)) -gt "$worst" ] && worst=$((t1 - t0))
done
beat1=$(sql "SELECT value FROM worker_state WHERE key = 'heartbeat';")
ok $((worst >= 500)) "while Telegram hangs ticks and health stay fast (slowest ${worst} ms)"
ok $((beat1 - beat0 < 3)) "... and the heartbeat advances ($beat0 -> $beat1)"
queue "behind-hang"
is "$status" 200 "notify_test answers while Telegram hangs"
t0=$(date +%s%3N)
wp=$(head -n 1 "$RUN/worker.pid")
kill -TERM "$wp"
wait_exit 10 "$wp"
rc=$?
t1=$(date +%s%3N)
is "$rc" 0 "SIGTERM during a hung transfer: the worker exits 0"
ok $((t1 - t0 >= 2000)) "... at once ($((t1 - t0)) ms)"
is "$(sql "SELECT count(*) FROM outbox;")" 2 "the hung message stays queued, with the one behind it"
worker_start "$RUN/v2ray-stat.yaml"
run_ok "the restarted worker tries it again (and hangs too)" wait_until 10 hanging 2
botapi_ctl mode=ok
run_ok "released, the message behind it follows" wait_until 30 n_ok behind-hang 1
tags_hang=$(botapi_q "[r['plain'].rsplit('\n', 1)[-1] for r in OK if r['plain'].endswith(('hang-1', 'behind-hang'))]" | tr '\n' ' ')
is "$tags_hang" "hang-1 hang-1 behind-hang " \
    "the abandoned transfer was answered too: hang-1 twice, in a row (the documented window)"

# ------------------------------------------------------------------ API
api POST /api/v1/notify_test --data-urlencode "text=x"
is_status 401 "notify_test without the token: 401"
api POST /api/v1/notify_test -H "Authorization: Bearer wrong" --data-urlencode "text=x"
is_status 401 "... with a wrong token: 401"
api GET /api/v1/notify_test -H "Authorization: Bearer $TOKEN"
is_status 405 "GET: 405"
api POST /api/v1/notify_test -H "Authorization: Bearer $TOKEN" \
    --data-urlencode "text=$(head -c 1001 /dev/zero | tr '\0' a)"
is_reply 400 "parameter 'text' too long (max 1000 bytes)" "a text of 1001 bytes: 400"
api POST /api/v1/notify_test -H "Authorization: Bearer $TOKEN" -d "text=a%FFb"
is_reply 400 "parameter 'text' is not valid UTF-8" "invalid UTF-8: 400"
nq=$(sql "SELECT count(*) FROM outbox;")
is "$nq" 0 "the refused requests queued nothing"
odd='a_b*[c](d).!~`>#+-=|{}\ é'
long="spec-$(printf '%s' "$odd" | head -c 40)$(head -c 950 /dev/zero | tr '\0' '.')"
queue "$long"
is "$status" 200 "a text of ${#long} characters, MarkdownV2's specials among them: 200"
run_ok "... delivered" wait_until 30 n_ok spec- 1
is "$(tags spec-)" "$long" "... exactly as written"
api POST /api/v1/notify_test -H "Authorization: Bearer $TOKEN"
is_status 200 "no text: the bare test message"
Q=$((Q + 1))

CFG_TG_TOKEN='' CFG_TG_CHAT='' fcgi_reconfig
api POST /api/v1/notify_test -H "Authorization: Bearer $TOKEN" --data-urlencode "text=x"
is_reply 409 "Telegram is not configured (telegram.bot_token and telegram.chat_id)" \
    "notify_test without Telegram: 409"
api GET /api/v1/health
is "$(json_get 'j["notifications"]["enabled"]')" false "health: notifications not enabled"
fcgi_reconfig

# ------------------------------------------------------------------ kill -9
botapi_stop() {
	stop_pidfile botapi
}
botapi_again() {
	start_bg botapi "$RUN/botapi.err" "$PYTHON3" \
	    "$top_srcdir/t/integration/fake-botapi.py" --port "$BOTAPI_PORT" \
	    --log "$RUN/botapi.log" --token "$CFG_TG_TOKEN"
	wait_until 10 port_listening "$BOTAPI_PORT"
}
sleep_ms() {
	sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
}
worker_kill9() {
	local p
	p=$(head -n 1 "$RUN/worker.pid")
	if [ -n "$p" ] && pid_ours "$p"; then
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	fi
}

run_ok "everything so far delivered" wait_until 30 outbox_empty
N=24
q0=$Q
for i in $(seq -w 1 $N); do
	queue "crash-$i" || break
done
is $((Q - q0)) $N "$N messages queued"
KILLS=${KILLS:-12}
down=0 failing=0 up=0
for k in $(seq 1 "$KILLS"); do
	case $((k % 3)) in
	0)
		botapi_stop
		down=$((down + 1))
		;;
	1)
		pidfile_alive botapi || botapi_again
		botapi_ctl mode=500
		failing=$((failing + 1))
		;;
	2)
		pidfile_alive botapi || botapi_again
		botapi_ctl mode=ok
		up=$((up + 1))
		;;
	esac
	sleep_ms $((RANDOM % 1500))
	worker_kill9
	sleep_ms $((RANDOM % 300))
	worker_start "$RUN/v2ray-stat.yaml"
done
pidfile_alive botapi || botapi_again
botapi_ctl mode=ok
diag "killed the worker $KILLS times (Bot API down $down, failing $failing, up $up)"
run_ok "after the kills every message is delivered" wait_until 90 outbox_empty
tags crash- >"$RUN/crash.tags"
seq_check=$("$PYTHON3" - "$RUN/crash.tags" "$N" <<'EOF'
import sys
tags = [int(l.split("-")[1]) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
bad, dups = [], []
prev = 0
for t in tags:
    if t == prev:
        dups.append(t)
    elif t != prev + 1:
        bad.append("%d after %d" % (t, prev))
    prev = t
if prev != n:
    bad.append("last %d" % prev)
print("ok" if not bad else "bad: " + ", ".join(bad))
print("duplicates: %d %s" % (len(dups), dups))
EOF
)
is "$(head -n 1 <<<"$seq_check")" ok "all $N in order, each once or twice in a row"
diag "$(tail -n 1 <<<"$seq_check") (each: Telegram accepted it, the worker died before recording it)"

# ------------------------------------------------------------------ proxy
# telegram.proxy: a plain HTTP forward proxy (absolute-form requests) that
# records what it forwards.
PROXY_PY='
import http.client, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request("POST", u.path, body, {"Content-Type": self.headers.get("Content-Type", "")})
        r = c.getresponse()
        data = r.read()
        with open(sys.argv[2], "a") as f:
            f.write("%s %s %d\n" % (u.hostname, u.path.rsplit("/", 1)[-1], r.status))
        self.send_response(r.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
'
start_bg proxy "$RUN/proxy.err" "$PYTHON3" -c "$PROXY_PY" "$RUN/proxy.port" "$RUN/proxy.log"
wait_until 10 test -s "$RUN/proxy.port"
CFG_TG_EXTRA="  proxy: \"http://127.0.0.1:$(cat "$RUN/proxy.port")\""
write_stat_yaml "$RUN/v2ray-stat.yaml"
wp=$(head -n 1 "$RUN/worker.pid")
kill -TERM "$wp"
wait_exit 10 "$wp"
worker_start "$RUN/v2ray-stat.yaml"
queue "via-proxy"
run_ok "with telegram.proxy the message is delivered" wait_until 30 n_ok via-proxy 1
is "$(cat "$RUN/proxy.log" 2>/dev/null)" "127.0.0.1 sendMessage 200" "... through the proxy"
stop_pidfile proxy

# ------------------------------------------------------------------ counts
api GET /api/v1/health
is "$(json_get 'j["notifications"]["sent"]')" "$Q" "health: sent counts each queued message once ($Q)"
is "$(json_get '[j["notifications"][k] for k in ("queued", "failed", "dropped")]')" \
    '[0, 1, 0]' "health: nothing queued, the broken one failed, nothing dropped"
api GET /api/v1/metrics
like "$body" $'\nv2ray_stat_notifications_sent_total '"$Q"$'\n' "metrics: sent_total $Q"
grep -i 'bot[0-9]*:\|TEST-token' "$RUN/worker.log" | head -n 3 >"$RUN/leak"
is "$(cat "$RUN/leak")" "" "the bot token is never logged"
grep -q "bot<token>/sendMessage" "$RUN/worker.log"
ok $? "the Bot API is logged as .../bot<token>/sendMessage"
done_testing
