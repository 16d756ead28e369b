#!/bin/bash
# A user's life on the live core, checked with real client traffic (a
# second v2ray acting as a client, curl through its socks port to a local
# HTTP server), VLESS and Trojan: refused before add_user; works right
# after it (200 = applied); set_enabled false/true; the API refuses a
# Trojan password for a VLESS inbound (the core stays up), a duplicate
# UUID and an unknown inbound; after a core crash the users work again,
# also when the restarted core's config lacks them (an old copy restored)
# and in a crash loop (the worker applies them again).  Expiry: 91.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u
lap start

require_tools v2ray python3 coreapi-cli
CFG_TICKER=1
lc_setup_main 6f1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e01 Trojan-Pass-4711 6f1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e02

# lifecycle LABEL USER TAG CRED PORT
lifecycle() {
	local p=$1 u=$2 tag=$3 cred=$4 port=$5

	probe_fails "$port"
	ok $? "$p: the client is refused before add_user"
	api POST /api/v1/add_user -d "user=$u&credential=$cred&inboundTag=$tag"
	is_reply 200 "User added successfully" "$p: add_user 200 (applied)"
	probe "$port"
	ok $? "$p: the client works right after add_user"

	api PATCH /api/v1/set_enabled -d "user=$u&enabled=false"
	is_reply 200 "User status updated successfully" "$p: set_enabled false 200"
	probe_fails "$port"
	ok $? "$p: the client is refused after set_enabled=false"
	api PATCH /api/v1/set_enabled -d "user=$u&enabled=true"
	is_reply 200 "User status updated successfully" "$p: set_enabled true 200"
	probe "$port"
	ok $? "$p: the client works again after set_enabled=true"
}

lap "setup"
lifecycle vless vuser vless-in "$V1" "$P_V1"
lap "vless lifecycle"
lifecycle trojan tuser trojan-in "$T1" "$P_T1"
lap "trojan lifecycle"

# ---- an admin-disabled user: refused before and after the restarts
api POST /api/v1/add_user -d "user=auser&credential=$V2"
is_reply 200 "User added successfully" "auser: add_user 200"
run_ok "auser: the client works" probe "$P_V2"
api PATCH /api/v1/set_enabled -d "user=auser&enabled=false"
is_reply 200 "User status updated successfully" "auser: disabled by the admin"
run_ok "auser: the client is refused" probe_fails "$P_V2"
lap "admin-disabled user"

# ---- refusals: nothing reaches the core, the core stays up
pid=$(core_pid)
api POST /api/v1/add_user -d "user=crossed&credential=crossed-trojan-pass&inboundTag=vless-in"
is_reply 400 "credential for vless-in (vless) must be a UUID" "a Trojan password for the VLESS inbound: 400"
api POST /api/v1/add_user -d "user=dup1&credential=$V1&inboundTag=vless-in"
is_reply 409 "user with this id already exists" "a UUID already used in vless-in (API user): 409"
api POST /api/v1/add_user -d "user=dup2&credential=$(printf %s "$ALICE" | tr a-f A-F)&inboundTag=vless-in"
is_reply 409 "user with this id already exists" "alice's UUID (from the core config), upper case: 409"
api POST /api/v1/add_user -d "user=dup3&credential=$T1&inboundTag=trojan-in"
is_reply 409 "user with this password already exists" "a Trojan password already used: 409"
api POST /api/v1/add_user -d "user=nowhere&credential=6f1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e09&inboundTag=nope-in"
is_reply 400 "inbound with tag nope-in not found" "unknown inbound: 400"
is "$(sql "SELECT count(*) FROM clients_stats WHERE user IN ('crossed', 'dup1', 'dup2', 'dup3', 'nowhere');")" 0 \
    "no row for any refused user"
sleep 1.5
is "$(core_pid)" "$pid" "the core's pid is unchanged"
run_ok "the core is alive" pid_ours "$pid"
run_ok "the core answers QueryStats" core_answers
run_ok "vuser still works (its UUID was not reused)" probe "$P_V1"
run_ok "alice still works" probe "$P_ALICE"
run_ok "tuser still works" probe "$P_T1"

lap "refusals"
# ---- the core crashes and comes back with the worker's config file
core_kill
run_ok "the core is down: vuser refused" probe_fails "$P_V1"
run_ok "the core starts again" core_restart
run_ok "after the restart: vuser works within 10 s" wait_probe 10 "$P_V1"
run_ok "after the restart: tuser works" wait_probe 5 "$P_T1"
run_ok "after the restart: alice works" wait_probe 5 "$P_ALICE"
run_ok "after the restart: auser (admin-disabled) is refused" probe_fails "$P_V2"

# ---- the core comes back with a config that lacks the API's users (an
# old copy restored): the worker applies them again and fixes the file.
# The core ran for a few seconds first, so its uptime goes down.
sleep 3
core_kill
cp "$RUN/core-orig.json" "$RUN/core.json"
run_ok "the core starts with the original config" core_restart
run_ok "restored config: vuser works within 10 s" wait_probe 10 "$P_V1"
run_ok "restored config: tuser works" wait_probe 5 "$P_T1"
run_ok "restored config: alice works" wait_probe 5 "$P_ALICE"
run_ok "restored config: tom works" wait_probe 5 "$P_TOM"
run_ok "restored config: auser is refused" probe_fails "$P_V2"
run_ok "the core has vuser (coreapi add: exists)" core_has vuser vless-in vless "$V1"
run_ok "the core has tuser" core_has tuser trojan-in trojan "$T1"
run_ok "the core lacks auser (coreapi remove: not found)" core_lacks auser vless-in
have_in_file() { [[ $'\n'$(file_clients)$'\n' == *$'\n'"$1"$'\n'* ]]; }
run_ok "the config file has vuser again within 5 s" within 5 have_in_file "vless-in vuser $V1"
run_ok "the config file has tuser again" within 5 have_in_file "trojan-in tuser $T1"
unlike "$(file_clients)" " auser " "the config file lacks auser"

# ---- a crash loop: the core dies a second after it started (the worker
# saw it up, then down), and comes back with the old copy again.  Its
# uptime does not go down (0-1 s before and after): the worker has to
# notice the restart from the outage itself.
core_kill
run_ok "crash loop: the worker sees the core down" within 5 core_up_isnt 1
run_ok "crash loop: the core starts" core_restart
run_ok "crash loop: the worker sees it up" within 5 core_up_is 1
core_kill
run_ok "crash loop: the worker sees it down again" within 5 core_up_isnt 1
cp "$RUN/core-orig.json" "$RUN/core.json"
run_ok "crash loop: the core starts with the original config" core_restart
run_ok "crash loop: vuser works within 10 s" wait_probe 10 "$P_V1"
run_ok "crash loop: tuser works" wait_probe 3 "$P_T1"
run_ok "crash loop: alice works" wait_probe 3 "$P_ALICE"
run_ok "crash loop: auser is refused" probe_fails "$P_V2"
run_ok "crash loop: the config file has vuser again within 5 s" within 5 have_in_file "vless-in vuser $V1"
api GET /api/v1/users
is "$(json_get '" ".join(u["user"] + "=" + u["enabled"] for u in j)')" \
    "alice@example.com=true auser=false tom@example.com=true tuser=true vuser=true" "/api/v1/users after it all"
is "$(sql "SELECT count(*) FROM core_ops WHERE done <> 1;")" 0 "every core operation ended applied"

lap "restarts"
if [ "$tap_failed" -ne 0 ]; then
	diag "worker log (tail):"
	diag "$(tail -n 40 "$RUN/worker.log")"
fi
done_testing
