#!/bin/bash
# The core config edited by hand while the worker runs: a client added to
# the file is adopted and applied to the running core; an enabled user
# removed from it is marked (clients_stats.config_removed), logged once,
# reported by /api/v1/health and put back into the file (the database is
# the source of truth), and the mark goes when the admin changes the user
# through the API; the worker's own writes are not taken for hand edits; a
# half-written file changes nothing; traffic_stats loses the rows of an
# inbound or outbound the file no longer has, never while the file cannot
# be read.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u

require_tools v2ray python3 coreapi-cli
CFG_TICKER=1
lc_stack_start
HAND=9c1e5f0a-1b2c-4d3e-8f40-0000000000aa

# edit PYCODE: edits RUN/core.json as an editor does (a new file renamed
# over it); PYCODE changes the parsed document d.
edit() {
	"$PYTHON3" - "$RUN/core.json" "$1" <<'EOF'
import json, os, sys
path, code = sys.argv[1], sys.argv[2]
d = json.load(open(path))
def inbound(tag):
    return next(ib for ib in d["inbounds"] if ib.get("tag") == tag)
exec(code)
tmp = path + ".edit"
with open(tmp, "w") as f:
    json.dump(d, f, indent=2)
os.rename(tmp, path)
EOF
}
in_file() { file_clients | grep -qxF "$1"; }
not_in_file() { ! file_clients | grep -q " $1 "; }
health_get() {
	api GET /api/v1/health
	json_get "$1"
}
health_is() { [ "$(health_get "$1")" = "$2" ]; }
user_known() { [ -n "$(users_field "$1" user)" ]; }
log_count() { grep -c -- "$1" "$RUN/worker.log"; }

# ---- a client added by hand
edit 'inbound("vless-in")["settings"]["clients"].append({"email": "hand1", "id": "'$HAND'", "level": 0})'
run_ok "hand1, added to the file by hand, appears in /api/v1/users" within 5 user_known hand1
is "$(users_field hand1 inbound_tag)" vless-in "hand1 is a user of vless-in"
run_ok "the worker applied hand1 to the running core" within 5 core_has hand1 vless-in vless "$HAND"
is "$(log_count "user 'hand1' was added to it by hand")" 1 "the adoption is logged once"
is "$(sql "SELECT config_removed FROM clients_stats WHERE config_removed != '';")" "" "nothing is marked"

# ---- an enabled user removed by hand
edit 'c = inbound("vless-in")["settings"]["clients"]; c[:] = [x for x in c if x.get("email") != "alice@example.com"]'
run_ok "alice, removed by hand, is marked" \
    within 5 sql_isnt "SELECT config_removed FROM clients_stats WHERE user = 'alice@example.com';" ""
is "$(sql "SELECT enabled FROM clients_stats WHERE user = 'alice@example.com';")" true "alice stays enabled in the database"
run_ok "the worker put alice back into the file" within 5 in_file "vless-in alice@example.com 11111111-2222-3333-4444-555555555555"
run_ok "health counts one user removed by hand" within 5 health_is 'j["core"]["config_removed_users"]' 1
like "$(health_get 'j["warnings"]')" 'removed from the core config by hand and put back: alice@example.com' "health warns and names alice"
is "$(log_count "user 'alice@example.com' was removed from it by hand")" 1 "the removal is logged once"
run_ok "the put-back is logged" within 3 grep -q "users removed from it by hand put back" "$RUN/worker.log"
sleep 3
is "$(log_count "user 'alice@example.com' was removed from it by hand")" 1 "... and still once after a few ticks"

# ---- the worker's own writes are not hand edits
api POST /api/v1/add_user -d "user=own1&credential=7a1c3e0a-8b2d-4c5e-9f70-000000000001"
like_reply '20[02]' "^User added successfully" "add own1 through the API"
run_ok "own1 is in the file" within 3 in_file "vless-in own1 7a1c3e0a-8b2d-4c5e-9f70-000000000001"
api PATCH /api/v1/set_enabled -d "user=own1&enabled=false"
like_reply '20[02]' "^User status updated successfully" "disable own1"
run_ok "own1 is out of the file" within 3 not_in_file own1
sleep 2
is "$(sql "SELECT count(*) FROM clients_stats WHERE config_removed != '';")" 1 "the worker's own writes mark nobody"
is "$(log_count "own1' was removed from it by hand")" 0 "... and log no hand edit"

# ---- a disabled user added back by hand is taken out again, said so
edit 'inbound("vless-in")["settings"]["clients"].append({"email": "own1", "id": "7a1c3e0a-8b2d-4c5e-9f70-000000000001", "level": 0})'
run_ok "own1 (disabled) added by hand is logged" within 5 grep -q "user 'own1' was added to it by hand, but the database has it disabled" "$RUN/worker.log"
run_ok "... and taken out of the file" within 5 not_in_file own1
is "$(users_field own1 enabled)" false "own1 stays disabled"

# ---- a half-written file changes nothing
cp "$RUN/core.json" "$RUN/core-good.json"
head -c 300 "$RUN/core-good.json" >"$RUN/core.json"
sql "INSERT INTO traffic_stats (source, direction) VALUES ('gone-in', 'inbound');"
config_error_set() { [ -n "$(health_get 'j["core"]["config_error"]')" ]; }
run_ok "health reports the unreadable config" within 5 config_error_set
sleep 2
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'gone-in';")" 1 "a row of a tag not in the config stays while it cannot be read"
is "$(sql "SELECT count(*) FROM clients_stats WHERE config_removed != '';")" 1 "nobody more is marked"
run_ok "hand1 is still a user" user_known hand1
is "$(head -c 300 "$RUN/core-good.json")" "$(cat "$RUN/core.json")" "the worker did not write over the half-written file"
mv "$RUN/core-good.json" "$RUN/core.json"

# ---- traffic_stats follows the config's inbounds and outbounds
run_ok "the row of an inbound the config lacks goes once it is readable" \
    within 5 sql_is "SELECT count(*) FROM traffic_stats WHERE source = 'gone-in';" 0
run_ok "the core's inbound counters have rows" \
    within 5 sql_is "SELECT count(*) FROM traffic_stats WHERE source = 'trojan-in' AND direction = 'inbound';" 1
sql "INSERT INTO traffic_stats (source, direction) VALUES ('direct', 'inbound'), ('gone-out', 'outbound');"
edit 'd["inbounds"] = [ib for ib in d["inbounds"] if ib.get("tag") != "trojan-in"]'
run_ok "trojan-in's row goes when it leaves the config" \
    within 5 sql_is "SELECT count(*) FROM traffic_stats WHERE source = 'trojan-in';" 0
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'gone-out';")" 0 "a gone outbound's row is removed"
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'direct' AND direction = 'inbound';")" 1 \
    "an outbound's row labelled inbound (as the original's were migrated) is kept when the outbound row exists"
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'vless-in' AND direction = 'inbound';")" 1 "vless-in's row stays"
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'direct' AND direction = 'outbound';")" 1 "the outbound 'direct' stays"
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'api';")" 0 "the API inbound has no row"
sleep 3
is "$(sql "SELECT count(*) FROM traffic_stats WHERE source = 'trojan-in';")" 0 "trojan-in's row does not come back (the running core still counts it)"
like "$(cat "$RUN/worker.log")" "traffic_stats: inbound 'trojan-in' removed" "the removal is logged"

# ---- the admin dealing with the user clears the mark
api PATCH /api/v1/set_enabled -d "user=alice@example.com&enabled=true"
like_reply '20[02]' "^User status updated successfully" "enable alice again through the API"
run_ok "the mark is gone" within 3 sql_is "SELECT count(*) FROM clients_stats WHERE config_removed != '';" 0
run_ok "health no longer warns" within 5 health_is 'j["core"]["config_removed_users"]' 0
is "$(health_get 'len([x for x in j["warnings"] if "by hand" in x])')" 0 "no warning about it left"

done_testing
