#!/bin/bash
# features.auth_lua on the real stack: the worker keeps the users table of
# HAProxy's auth.lua in step with the users in the core (vless: the UUID,
# trojan: the hex SHA-224 of the password, checked against Python's
# hashlib) after add_user, set_enabled false/true, delete_user and expiry;
# the script around the table is kept; names from the core config with
# quotes, backslashes, "]]" and a newline read back exactly in Lua and do
# not break the file; a missing file is created as a table of its own;
# haproxy.reload_command runs once per burst of changes and a failing one
# is logged; HAProxy's own "haproxy -c" loads the file (lua-load) in both
# shapes.  ticker_interval 1.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u

require_tools python3
LUA=$(command -v lua5.4 || command -v lua5.3 || command -v lua || true)
HAPROXY=$(command -v haproxy || true)
[ -n "$LUA" ] || skip_all "no lua interpreter (lua5.4)"

CFG_TICKER=1
CFG_AUTH_LUA=true
CFG_CORE_EXTRA="  reload_delay: 1"
ANN=0a1b2c3d-0000-4000-8000-00000000a001
VAL=0a1b2c3d-0000-4000-8000-00000000a002
# Names only the core config can hold (the API refuses them): JSON escapes.
CORE_VLESS_USERS='alice@example.com=11111111-2222-3333-4444-555555555555 q\"]]:\"x\",[\"y@e=0a1b2c3d-0000-4000-8000-00000000b001 bs\\\n}--@e=0a1b2c3d-0000-4000-8000-00000000b002'
CORE_TROJAN_USERS='tom@example.com=tompass'
STACK_WORKER=0
stack_start

# The original's shape: the table inside the HAProxy script.
cat >"$RUN/auth.lua" <<'LUA'
-- HAProxy: vless/trojan users (test script)
local users = {
  ["stale"] = "left by hand",
}

core.register_fetches("v2s_user_count", function(txn)
  local n = 0
  for _ in pairs(users) do n = n + 1 end
  return n
end)

return users
LUA
RELOADS=$RUN/haproxy-reloads
: >"$RELOADS"
CFG_HAPROXY_RELOAD="echo reload >>'$RELOADS'; exit 3"
write_stat_yaml "$RUN/v2ray-stat.yaml"
worker_start "$RUN/v2ray-stat.yaml"
wait_until 20 worker_ticked || diag "the worker has not finished a tick yet"

# dump FILE: "HEX(name) value" per entry of the table the file returns,
# sorted, read by Lua (core.register_fetches stubbed).
cat >"$RUN/dump.lua" <<'LUA'
core = { register_fetches = function() end }
local t = dofile(arg[1])
local out = {}
for k, v in pairs(t) do
  out[#out + 1] = k:gsub(".", function(c)
    return string.format("%02x", c:byte()) end) .. " " .. v
end
table.sort(out)
for _, l in ipairs(out) do print(l) end
LUA
dump() {
	"$LUA" "$RUN/dump.lua" "$1" 2>&1
}

# want: the same from the database, computed apart from the worker:
# enabled users of vless-in (UUID) and trojan-in (hashlib's SHA-224).
want() {
	"$PYTHON3" -c '
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = []
for u, c, t in db.execute("SELECT user, uuid, inbound_tag FROM clients_stats "
                          "WHERE enabled = ? AND uuid != ?", ("true", "")):
    if t == "vless-in":
        out.append(u.encode().hex() + " " + c)
    elif t == "trojan-in":
        out.append(u.encode().hex() + " " + hashlib.sha224(c.encode()).hexdigest())
for l in sorted(out):
    print(l)' "$DB"
}

in_step() {
	[ "$(dump "$RUN/auth.lua")" = "$(want)" ]
}

hexname() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

has_entry() {
	dump "$RUN/auth.lua" | grep -qx "$(hexname "$1") $2"
}

has_name() {
	dump "$RUN/auth.lua" | grep -q "^$(hexname "$1") "
}

# haproxy_check FILE LABEL: "haproxy -c" with FILE lua-loaded and its
# fetch used (unknown unless the script ran).
haproxy_check() {
	if [ -z "$HAPROXY" ]; then
		skip 1 "haproxy not installed"
		return
	fi
	cat >"$RUN/haproxy.cfg" <<HCFG
global
    lua-load $1
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend f
    bind 127.0.0.1:$(free_port)
    http-request return status 200 content-type text/plain lf-string "%[lua.v2s_user_count]"
HCFG
	"$HAPROXY" -c -f "$RUN/haproxy.cfg" >"$RUN/haproxy-c.log" 2>&1
	ok $? "$2: haproxy -c loads it" ||
	    diag "$(cat "$RUN/haproxy-c.log")"
}

reloads() {
	wc -l <"$RELOADS" | tr -d ' '
}

# reloads_are OP N: the count of reloads compares to N (test's -ge, -eq).
reloads_are() {
	[ "$(reloads)" "$1" "$2" ]
}

# ---- at start: the core's users, the script kept
run_ok "start: the table holds the core's users" wait_until 10 has_entry alice@example.com 11111111-2222-3333-4444-555555555555
run_ok "start: the file is the database's users" in_step
is "$(dump "$RUN/auth.lua" | grep -c "^$(hexname stale) ")" 0 "start: the entry left by hand is gone (the table is ours)"
run_ok "start: trojan tom has the SHA-224 of its password" has_entry tom@example.com "$(printf %s tompass | "$PYTHON3" -c 'import hashlib,sys; print(hashlib.sha224(sys.stdin.buffer.read()).hexdigest())')"
run_ok "start: a name with quotes and ]] reads back exactly" has_entry 'q"]]:"x",["y@e' 0a1b2c3d-0000-4000-8000-00000000b001
run_ok "start: a name with a backslash and a newline reads back exactly" has_entry "bs\\"$'\n'"}--@e" 0a1b2c3d-0000-4000-8000-00000000b002
like "$(head -n 2 "$RUN/auth.lua")" '^-- HAProxy: vless/trojan users \(test script\)'$'\n''local users = \{$' "start: the lines before the table are kept"
like "$(tail -n 8 "$RUN/auth.lua")" 'core.register_fetches\("v2s_user_count"' "start: the script after the table is kept"
is "$(tail -n 1 "$RUN/auth.lua")" "return users" "start: to its last line"
is "$(grep -c '^}$' "$RUN/auth.lua")" 1 "start: one line closes the table"
haproxy_check "$RUN/auth.lua" "start"
run_ok "start: the change was followed by one reload" wait_until 5 reloads_are -ge 1
r0=$(reloads)
run_ok "a failing reload command is logged" wait_until 5 grep -q "reload: .* failed (status 768)" "$RUN/worker.log"

# ---- add_user: vless and trojan
api POST /api/v1/add_user -d "user=ann&credential=$ANN&inboundTag=vless-in"
is_reply 200 "User added successfully" "add vless ann 200"
api POST /api/v1/add_user -d "user=tina&credential=Tina-Pass-86&inboundTag=trojan-in"
is_reply 200 "User added successfully" "add trojan tina 200"
run_ok "add: ann is in auth.lua with her UUID" wait_until 5 has_entry ann "$ANN"
run_ok "add: tina is in with the SHA-224 of her password" wait_until 5 has_entry tina "$(printf %s Tina-Pass-86 | "$PYTHON3" -c 'import hashlib,sys; print(hashlib.sha224(sys.stdin.buffer.read()).hexdigest())')"
run_ok "add: the file is the database's users" in_step
haproxy_check "$RUN/auth.lua" "add"
run_ok "add: one more reload for the burst" wait_until 5 reloads_are -eq $((r0 + 1))
sleep 2
is "$(reloads)" $((r0 + 1)) "add: only one reload for the two users"

# ---- unchanged users: the file is not written again
ino=$(stat -c '%i %Y' "$RUN/auth.lua")
api PATCH /api/v1/update_lim_ip -d "user=ann&lim_ip=3"
sleep 2
is "$(stat -c '%i %Y' "$RUN/auth.lua")" "$ino" "a change that is not the table's leaves the file alone"

# ---- set_enabled false / true (the original forgot these)
api PATCH /api/v1/set_enabled -d "user=ann&enabled=false"
is_reply 200 "User status updated successfully" "disable ann 200"
run_ok "disable: ann leaves auth.lua" wait_until 5 eval '! has_name ann'
run_ok "disable: tina stays" has_name tina
run_ok "disable: the file is the database's users" in_step
api PATCH /api/v1/set_enabled -d "user=ann&enabled=true"
is_reply 200 "User status updated successfully" "enable ann 200"
run_ok "enable: ann is back" wait_until 5 has_entry ann "$ANN"

# ---- names are matched exactly (the original matched a substring)
api POST /api/v1/add_user -d "user=an&credential=$VAL&inboundTag=vless-in"
is_reply 200 "User added successfully" "add vless 'an' 200"
run_ok "add: 'an' is in" wait_until 5 has_entry an "$VAL"
api DELETE "/api/v1/delete_user?user=an&inboundTag=vless-in"
is_reply 200 "User deleted successfully" "delete 'an' 200"
run_ok "delete: 'an' leaves auth.lua" wait_until 5 eval '! has_name an'
run_ok "delete: ann, whose name holds 'an', stays" has_entry ann "$ANN"

# ---- delete_user
api DELETE "/api/v1/delete_user?user=tina&inboundTag=trojan-in"
is_reply 200 "User deleted successfully" "delete tina 200"
run_ok "delete: tina leaves auth.lua" wait_until 5 eval '! has_name tina'
run_ok "delete: the file is the database's users" in_step

# ---- expiry
api PATCH /api/v1/adjust_date --data-urlencode "user=ann" --data-urlencode "sub_end=-1h"
like "$status" '^200$' "adjust_date ann -1h 200"
run_ok "expiry: ann leaves auth.lua" wait_until 8 eval '! has_name ann'
is "$(users_field ann disabled_reason)" expired "expiry: ann was disabled as expired"
run_ok "expiry: the file is the database's users" in_step
haproxy_check "$RUN/auth.lua" "expiry"

# ---- a missing file: a table of its own, for dofile()
rm -f "$RUN/auth.lua"
run_ok "missing: the worker writes it again" wait_until 5 test -s "$RUN/auth.lua"
run_ok "missing: with the database's users" in_step
is "$(stat -c %a "$RUN/auth.lua")" 640 "missing: created with mode 0640"
is "$(tail -n 1 "$RUN/auth.lua")" "return users" "missing: it returns the table"
cat >"$RUN/check.lua" <<LUA
local users = dofile("$RUN/auth.lua")
core.register_fetches("v2s_user_count", function(txn)
  local n = 0
  for _ in pairs(users) do n = n + 1 end
  return n
end)
LUA
haproxy_check "$RUN/check.lua" "missing"

# ---- a file without the table is left alone, and why is logged
printf 'print("no table")\n' >"$RUN/auth.lua"
run_ok "no table: logged" wait_until 5 grep -q "auth.lua not updated: .*no line \"local users = {\" in it" "$RUN/worker.log"
is "$(cat "$RUN/auth.lua")" 'print("no table")' "no table: the file is left as it was"
is "$(grep -c 'auth.lua not updated' "$RUN/worker.log")" 1 "no table: logged once, not every tick"

done_testing
