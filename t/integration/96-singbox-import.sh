#!/bin/bash
# sing-box has no user API (issue 5): the worker keeps the users of a
# sing-box config file and its experimental.v2ray_api.stats.users in step
# with the database, keeps everything else (tls, flow), and runs
# core.reload_command once per burst of changes.  Also: the original
# v2ray-stat's .disabled_users is imported once, as disabled users.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

MARK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/v2s-reload.XXXXXX")
STACK_CORE=0
STACK_WORKER=0
CFG_TYPE=singbox
CFG_CORE_EXTRA="  reload_command: \"echo reload >> $MARK_DIR/reloads\"
  reload_delay: 1"
stack_start
trap 'rm -rf "$MARK_DIR"; stack_stop' EXIT

cat >"$RUN/core.json" <<'JSON'
{
  "log": {"level": "info"},
  "inbounds": [
    {"type": "vless", "tag": "vless-in", "listen": "127.0.0.1",
     "listen_port": 1443,
     "users": [{"name": "alice", "uuid": "11111111-2222-3333-4444-555555555555",
                "flow": "xtls-rprx-vision"}],
     "tls": {"enabled": true, "server_name": "example.com"}},
    {"type": "trojan", "tag": "trojan-in", "listen_port": 1444,
     "users": [{"name": "tom", "password": "tompass"}]}
  ],
  "outbounds": [{"type": "direct", "tag": "direct"}],
  "experimental": {"v2ray_api": {"listen": "127.0.0.1:1",
    "stats": {"enabled": true, "inbounds": ["vless-in", "trojan-in"],
              "users": ["alice", "tom"]}}}
}
JSON
cat >"$RUN/.disabled_users" <<'JSON'
{"inbounds": [{"type": "vless", "tag": "vless-in",
  "users": [{"name": "olddis", "uuid": "22222222-3333-4444-5555-666666666666"}]}]}
JSON

worker_start "$RUN/v2ray-stat.yaml"
three_users() { [ "$(sql "SELECT count(*) FROM clients_stats;")" = 3 ]; }
run_ok "the worker adopts the config's users and imports the disabled one" \
    wait_until 10 three_users
is "$(sql "SELECT user || ' ' || enabled || ' ' || disabled_reason || ' ' || inbound_tag || ' ' || uuid FROM clients_stats WHERE user = 'olddis';")" \
    "olddis false admin vless-in 22222222-3333-4444-5555-666666666666" \
    ".disabled_users: imported as disabled by the admin, with its credential"
ok $([ ! -e "$RUN/.disabled_users" ] && [ -f "$RUN/.disabled_users.imported" ]; echo $?) \
    ".disabled_users renamed to .disabled_users.imported (imported once)"

# What the file holds, as "tag:name:credential" lines, and stats.users.
file_users() {
	"$PYTHON3" - "$RUN/core.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i in d["inbounds"]:
    for u in i.get("users", []):
        print("%s:%s:%s:%s" % (i["tag"], u["name"], u.get("uuid", u.get("password")), u.get("flow", "")))
print("stats:" + ",".join(sorted(d["experimental"]["v2ray_api"]["stats"]["users"])))
print("tls:" + str(d["inbounds"][0]["tls"]))
PY
}
reloads() { [ -f "$MARK_DIR/reloads" ] && wc -l <"$MARK_DIR/reloads" || echo 0; }

api POST /api/v1/add_user -d "user=newbie&credential=33333333-4444-4555-8666-777777777777&inboundTag=vless-in"
is "$status" 200 "add_user on sing-box: 200 (applied through the file)"
has_newbie() { file_users | grep -q '^vless-in:newbie:'; }
run_ok "the file gets the new user" wait_until 5 has_newbie
is "$(file_users)" "vless-in:alice:11111111-2222-3333-4444-555555555555:xtls-rprx-vision
vless-in:newbie:33333333-4444-4555-8666-777777777777:xtls-rprx-vision
trojan-in:tom:tompass:
stats:alice,newbie,tom
tls:{'enabled': True, 'server_name': 'example.com'}" \
    "users and stats.users in step; the inbound's flow and tls kept; olddis stays out"
one_reload() { [ "$(reloads)" -ge 1 ]; }
run_ok "core.reload_command runs after the change" wait_until 6 one_reload
like "$(cat "$RUN/worker.log")" "core reloaded with" "the reload is logged"

before=$(reloads)
api PATCH /api/v1/set_enabled -d "user=tom&enabled=false"
is "$status" 200 "disable tom: 200"
no_tom() { ! file_users | grep -q ':tom:'; }
run_ok "tom leaves the file" wait_until 5 no_tom
like "$(file_users | grep '^stats:')" "^stats:alice,newbie$" "and stats.users"
more_reloads() { [ "$(reloads)" -gt "$before" ]; }
run_ok "one more reload" wait_until 6 more_reloads
api PATCH /api/v1/set_enabled -d "user=olddis&enabled=true"
is "$status" 200 "enable the imported user: 200"
has_olddis() { file_users | grep -q '^vless-in:olddis:22222222-3333-4444-5555-666666666666:'; }
run_ok "it enters the file with its old credential" wait_until 5 has_olddis

# A broken config file never deletes anything: it is left as it is, the
# users stay, and health says why.
printf '{ "inbounds": [ broken\n' >"$RUN/core.json.new"
mv "$RUN/core.json.new" "$RUN/core.json"
api PATCH /api/v1/set_enabled -d "user=newbie&enabled=false"
config_error_shown() {
	api GET /api/v1/health
	[ "$status" = 503 ] && [ -n "$(json_get 'j["core"]["config_error"]')" ]
}
run_ok "health shows the unreadable core config" wait_until 5 config_error_shown
diag "config_error: $(json_get 'j["core"]["config_error"]')"
sleep 2
is "$(sql "SELECT count(*) FROM clients_stats;")" 4 "no user is deleted"
is "$(cat "$RUN/core.json")" '{ "inbounds": [ broken' "the broken file is left as it is"
done_testing
