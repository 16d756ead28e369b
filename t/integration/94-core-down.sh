#!/bin/bash
# The core is down while users are added (and one is disabled): the API
# answers 202 "not applied yet: the core is unreachable", never a 5xx; the
# core comes back and within a few ticks the new users work through a real
# client, the disabled one does not, and /api/v1/users shows them all.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u
lap start

require_tools v2ray python3 coreapi-cli
CFG_TICKER=1
lc_stack_start

ALICE=11111111-2222-3333-4444-555555555555
D1=5d1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e01
D2=5d1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e02
D3=5d1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e03
client_start main "vless:$D1" "vless:$D2" "trojan:down-pass-1" "trojan:down-pass-2" "vless:$ALICE" "vless:$D3" ||
	bail_out "cannot start the client: $(tail -n 5 "$RUN/client-main.log")"
P=("${CLIENT_PORTS[@]}")
run_ok "alice works with the core up" wait_probe 5 "${P[4]}"
api POST /api/v1/add_user -d "user=gone&credential=$D3"
is_reply 200 "User added successfully" "gone: added while the core is up"
run_ok "gone works" probe "${P[5]}"
lap "setup"

# ---- the core goes away
stop_pidfile core
run_ok "the core is down" within 5 core_up_isnt 1
MSG="(not applied yet: the core is unreachable; the change is saved and will be applied when it is back)"
n5xx=0
add() { # USER CRED TAG
	api POST /api/v1/add_user -d "user=$1&credential=$2&inboundTag=$3"
	is_reply 202 "User added successfully $MSG" "core down: add_user $1: 202"
	[ "${status:0:1}" = 5 ] && n5xx=$((n5xx + 1))
}
add down1 "$D1" vless-in
add down2 "$D2" vless-in
add tdown1 down-pass-1 trojan-in
add tdown2 down-pass-2 trojan-in
api PATCH /api/v1/set_enabled -d "user=alice@example.com&enabled=false"
is_reply 202 "User status updated successfully $MSG" "core down: disable alice: 202"
api DELETE "/api/v1/delete_user?user=gone"
is_reply 202 "User deleted successfully $MSG" "core down: delete gone: 202"
api GET /api/v1/users
is_status 200 "core down: /api/v1/users 200"
is "$(json_get '" ".join(u["user"] + "=" + u["enabled"] for u in j)')" \
    "alice@example.com=false down1=true down2=true tdown1=true tdown2=true tom@example.com=true" \
    "core down: /api/v1/users shows the changes"
is "$(sql "SELECT count(*) FROM core_ops WHERE done = 2;")" 6 "six changes wait for the core"
sleep 1.5
lap "core down"

# ---- the core comes back (with its config file, as a service manager
# would start it)
run_ok "the core starts again" core_restart
t0=$(now_ms)
run_ok "down1 works within 5 s" wait_probe 5 "${P[0]}"
diag "down1 works $(($(now_ms) - t0)) ms after the core started"
run_ok "down2 works" wait_probe 3 "${P[1]}"
run_ok "tdown1 works" wait_probe 3 "${P[2]}"
run_ok "tdown2 works" wait_probe 3 "${P[3]}"
run_ok "alice (disabled while the core was down) is refused" probe_fails "${P[4]}"
run_ok "gone (deleted while the core was down) is refused" probe_fails "${P[5]}"
settled() { [ "$(sql "SELECT count(*) FROM core_ops WHERE done <> 1;")" = 0 ]; }
run_ok "every waiting change ends applied within 5 s" within 5 settled
run_ok "the core has down1" core_has down1 vless-in vless "$D1"
run_ok "the core has tdown2" core_has tdown2 trojan-in trojan down-pass-2
run_ok "the core lacks alice" core_lacks alice@example.com vless-in
run_ok "the core lacks gone" core_lacks gone vless-in
api GET /api/v1/users
is "$(json_get '" ".join(u["user"] + "=" + u["enabled"] + ":" + u["disabled_reason"] for u in j)')" \
    "alice@example.com=false:admin down1=true: down2=true: tdown1=true: tdown2=true: tom@example.com=true:" \
    "/api/v1/users after the core came back"
want_file=$(printf '%s\n' "trojan-in tdown1 down-pass-1" "trojan-in tdown2 down-pass-2" \
    "trojan-in tom@example.com tompass" "vless-in down1 $D1" "vless-in down2 $D2")
file_is() { [ "$(file_clients)" = "$1" ]; }
within 3 file_is "$want_file"
is "$(file_clients)" "$want_file" "the config file holds exactly the enabled users"
api POST /api/v1/add_user -d "user=after&credential=5d1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e04"
is_reply 200 "User added successfully" "add_user with the core back: 200"
lap "core back"

# ---- the core hangs (SIGSTOP) while users are added, then resumes
# without a restart: its users are whatever it had in memory, so only the
# worker's retry can apply the new ones (the config file alone cannot).
H1=5d1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e11
client_start hang "vless:$H1" "trojan:hang-pass-1" "vless:$D1" ||
	bail_out "cannot start the second client: $(tail -n 5 "$RUN/client-hang.log")"
PH=("${CLIENT_PORTS[@]}")
kill -STOP "$(core_pid)"
run_ok "the worker sees the hung core as down" \
    within 10 core_up_isnt 1
for args in "user=hang1&credential=$H1&inboundTag=vless-in" "user=thang1&credential=hang-pass-1&inboundTag=trojan-in"; do
	api POST /api/v1/add_user -d "$args"
	like_reply 202 '^User added successfully \(not applied yet: .+\)$' "core hung: add_user ${args%%&*}: 202"
	[ "${status:0:1}" = 5 ] && n5xx=$((n5xx + 1))
done
api PATCH /api/v1/set_enabled -d "user=down1&enabled=false"
like_reply 202 '^User status updated successfully \(not applied yet: .+\)$' "core hung: disable down1: 202"
[ "${status:0:1}" = 5 ] && n5xx=$((n5xx + 1))
kill -CONT "$(core_pid)"
t0=$(now_ms)
run_ok "resumed: hang1 works within 5 s" wait_probe 5 "${PH[0]}"
diag "hang1 works $(($(now_ms) - t0)) ms after the core resumed"
run_ok "resumed: thang1 works" wait_probe 3 "${PH[1]}"
run_ok "resumed: down1 (disabled while hung) is refused" wait_probe_fails 3 "${PH[2]}"
run_ok "resumed: every waiting change ends applied within 5 s" within 5 settled
hang_in_file() { [ "$(file_clients | grep -c 'hang1 ')" = 2 ]; }
run_ok "resumed: the config file has hang1 and thang1" within 3 hang_in_file
lap "core hung"

# ---- a hung core taken for a restarted one.  The worker tells a core
# that restarted while unreachable (it holds its config file's users) from
# one that was hung (it holds what it had) by the uptime; a core hung in
# its first second looks restarted (seen in CI).  Here the worker is made
# to believe it deterministically: the uptime it recorded is set above
# the one the core will show.  The changes made meanwhile must be applied
# either way.
H2=5d1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e12
client_start taken "vless:$H2" ||
	bail_out "cannot start the third client: $(tail -n 5 "$RUN/client-taken.log")"
PT=("${CLIENT_PORTS[@]}")
# The changes come at once, before the worker has noticed the hang (the
# earlier phase waits for that first).
kill -STOP "$(core_pid)"
api POST /api/v1/add_user -d "user=hang2&credential=$H2&inboundTag=vless-in"
like_reply 202 '^User added successfully \(not applied yet: .+\)$' "taken: add_user hang2 at once: 202"
[ "${status:0:1}" = 5 ] && n5xx=$((n5xx + 1))
api PATCH /api/v1/set_enabled -d "user=hang1&enabled=false"
like_reply 202 '^User status updated successfully \(not applied yet: .+\)$' "taken: disable hang1 at once: 202"
[ "${status:0:1}" = 5 ] && n5xx=$((n5xx + 1))
# Only the injected uptime must wait until no tick can commit over it.
run_ok "taken: the worker sees the hung core as down" within 10 core_up_isnt 1
sql "UPDATE worker_state SET value = '999999' WHERE key = 'core_uptime';"
hang2_not_hang1() {
	file_clients >"$RUN/file-clients"
	grep -q ' hang2 ' "$RUN/file-clients" && ! grep -q ' hang1 ' "$RUN/file-clients"
}
run_ok "taken: the config file already has hang2, not hang1" within 3 hang2_not_hang1
restarts() { grep -c 'core restarted (uptime' "$RUN/worker.log"; }
r0=$(restarts)
more_restarts() { [ "$(restarts)" -gt "$r0" ]; }
kill -CONT "$(core_pid)"
run_ok "taken: the worker took the resumed core for a restarted one" within 5 more_restarts
run_ok "taken: hang2 works" wait_probe 5 "${PT[0]}"
run_ok "taken: hang1 (disabled while hung) is refused" wait_probe_fails 5 "${PH[0]}"
run_ok "taken: thang1 still works" probe "${PH[1]}"
run_ok "taken: every waiting change ends applied within 5 s" within 5 settled
is "$n5xx" 0 "no 5xx while the core was down or hung"
lap "hung core taken for restarted"
if [ "$tap_failed" -ne 0 ]; then
	diag "worker log (tail):"
	diag "$(tail -n 30 "$RUN/worker.log")"
fi
done_testing
