#!/bin/bash
# Names that are one user to the core although they differ in bytes: the
# core lower-cases emails with Go's strings.ToLower (Unicode, not only
# ASCII), so "Ärger" and "ärger", or "kate" and "Kate" with U+212A KELVIN
# SIGN, are one user.  The API refuses the second with 409 and changes
# nothing, the first keeps working in the real core; a database from
# before that holds such a pair still starts, the config file gets one of
# them, and the worker never takes the core's "already exists" for the
# other.  (Every config version is checked with v2ray -test at the end.)
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib-client.sh"
set -u

require_tools v2ray coreapi-cli
lc_stack_start

U_A=aaaaaaaa-0000-4000-8000-00000000000a
U_B=bbbbbbbb-0000-4000-8000-00000000000b
U_C=cccccccc-0000-4000-8000-00000000000c
U_D=dddddddd-0000-4000-8000-00000000000d
U_E=eeeeeeee-0000-4000-8000-00000000000e
AE_UP=$'\xc3\x84rger'         # Ärger
AE_LOW=$'\xc3\xa4rger'        # ärger
AE_ALLUP=$'\xc3\x84RGER'      # ÄRGER
KELVIN_KATE=$'\xe2\x84\xaaate' # Kate, K = U+212A KELVIN SIGN

# q NAME: NAME as the API quotes it in a message (bytes past ASCII as \xNN).
q() {
	"$PYTHON3" -c 'import os, sys
print("".join(chr(b) if b < 0x80 else "\\x%02x" % b for b in os.fsencode(sys.argv[1])), end="")' "$1"
}

# state: everything a refused request must leave as it was: the users'
# rows and the core config file's clients.
state() {
	sql "SELECT user, uuid, inbound_tag, enabled FROM clients_stats ORDER BY rowid;"
	file_clients
}

# refused DESC USER CRED TAG: add_user answers 409 "user USER already
# exists" and nothing changes (the worker would have rewritten the file
# within half a second).
refused() {
	local before
	before=$(state)
	api POST /api/v1/add_user --data-urlencode "user=$2" -d "credential=$3&inboundTag=$4"
	is_reply 409 "user $(q "$2") already exists" "$1: 409"
	sleep 0.7
	is "$(state)" "$before" "$1: nothing changed"
}

# ---- the first of each pair, working through the real core
api POST /api/v1/add_user --data-urlencode "user=$AE_UP" -d "credential=$U_A&inboundTag=vless-in"
is_status 200 "add $AE_UP (vless)"
api POST /api/v1/add_user -d "user=kate&credential=katepass&inboundTag=trojan-in"
is_status 200 "add kate (trojan)"
client_start main "vless:$U_A" "trojan:katepass" ||
	bail_out "cannot start the client: $(tail -n 5 "$RUN/client-main.log")"
P_AE=${CLIENT_PORTS[0]}
P_KATE=${CLIENT_PORTS[1]}
run_ok "$AE_UP works through the core" wait_probe 5 "$P_AE"
run_ok "kate works through the core" wait_probe 5 "$P_KATE"

# ---- the second of each pair: 409, nothing changed
refused "$AE_LOW, same inbound" "$AE_LOW" "$U_B" vless-in
refused "$AE_ALLUP, another inbound" "$AE_ALLUP" otherpass trojan-in
refused "Kate with KELVIN SIGN, same inbound" "$KELVIN_KATE" kelvinpass trojan-in
refused "Kate with KELVIN SIGN, another inbound" "$KELVIN_KATE" "$U_B" vless-in
refused "KATE, ASCII as before" KATE "$U_B" vless-in
# The core itself takes them for one user (the reason of all this).
run_ok "the core: $AE_LOW is $AE_UP" core_has "$AE_LOW" vless-in vless "$U_B"
run_ok "the core: Kate with KELVIN SIGN is kate" core_has "$KELVIN_KATE" trojan-in trojan kelvinpass
run_ok "$AE_UP still works through the core" wait_probe 5 "$P_AE"
run_ok "kate still works through the core" wait_probe 5 "$P_KATE"
is "$(sql "SELECT core_error FROM clients_stats WHERE user = '$AE_UP';")" "" \
    "$AE_UP: no refusal recorded"

# ---- bulk_add_users: per line, as every other taken name
state_before=$(state)
printf 'zo\xc3\xab\nZO\xc3\x8b\n' >"$RUN/pair.txt"
api POST /api/v1/bulk_add_users -F "users_file=@$RUN/pair.txt"
is_reply 400 "Users not added: 1 of 2 lines have errors
line 2: $(q $'ZO\xc3\x8b'): user $(q $'zo\xc3\xab') already exists (line 1)" \
    "bulk: a pair within the file, the second line refused"
printf 'carol\n\xc3\xa4RGER,%s\n' "$U_C" >"$RUN/taken.txt"
api POST /api/v1/bulk_add_users -F "users_file=@$RUN/taken.txt"
is_reply 400 "Users not added: 1 of 2 lines have errors
line 2: $(q $'\xc3\xa4RGER'): user $(q $'\xc3\xa4RGER') already exists" \
    "bulk: a line naming an existing user in other case"
sleep 0.7
is "$(state)" "$state_before" "bulk: nothing changed"
printf '\xc3\x89mile,%s\n' "$U_C" >"$RUN/emile.txt"
api POST /api/v1/bulk_add_users -F "users_file=@$RUN/emile.txt"
is_status 200 "bulk: Émile added"
refused "émile after a bulk Émile" $'\xc3\xa9mile' "$U_D" vless-in

# ---- the name is free again once the first is gone, at once
api DELETE "/api/v1/delete_user?user=$(urlenc "$AE_UP")"
is_status 200 "delete $AE_UP"
api POST /api/v1/add_user --data-urlencode "user=$AE_LOW" -d "credential=$U_B&inboundTag=vless-in"
is_status 200 "add $AE_LOW at once"
client_start second "vless:$U_B" ||
	bail_out "cannot start the client: $(tail -n 5 "$RUN/client-second.log")"
run_ok "$AE_LOW works through the core" wait_probe 5 "${CLIENT_PORTS[0]}"
run_ok "$AE_UP no longer does" wait_probe_fails 5 "$P_AE"

# ---- a database from before holding a pair in one inbound
stop_pidfile worker
sql "INSERT INTO clients_stats (user, uuid, inbound_tag, enabled) VALUES
    ('B$(printf '\xc3\xa4')r', '$U_D', 'vless-in', 'true'),
    ('B$(printf '\xc3\x84')R', '$U_E', 'vless-in', 'true');"
worker_start "$RUN/v2ray-stat.yaml"
run_ok "the worker starts with the pair" \
    within 10 sql_is "SELECT count(*) FROM clients_stats WHERE name_key = 'b$(printf '\xc3\xa4')r';" 2
run_ok "the pair is reported" within 10 grep -q "are one user to the core" "$RUN/worker.log"
run_ok "the second is refused, with the reason" \
    within 10 sql_isnt "SELECT core_error FROM clients_stats WHERE user = 'B$(printf '\xc3\x84')R';" ""
like "$(sql "SELECT core_error FROM clients_stats WHERE user = 'B$(printf '\xc3\x84')R';")" \
    "one user to it" "its core_error says why"
run_ok "the config file has the first only" \
    within 5 eval '[ "$(file_clients | grep -c " [Bb]\(ä\|Ä\)[rR] ")" = 1 ] && file_clients | grep -q "vless-in Bär $U_D"'
is "$(sql "SELECT count(*) FROM core_applied WHERE user = 'B$(printf '\xc3\x84')R';")" 0 \
    "the core's 'already exists' was not taken for the second"
client_start third "vless:$U_D" "vless:$U_E" ||
	bail_out "cannot start the client: $(tail -n 5 "$RUN/client-third.log")"
run_ok "the first of the pair works through the core" wait_probe 5 "${CLIENT_PORTS[0]}"
run_ok "the second does not" wait_probe_fails 5 "${CLIENT_PORTS[1]}"

# ---- the core restarted with the file the worker wrote
core_kill
run_ok "the core starts again with the worker's config" core_restart
run_ok "$AE_LOW works after the restart" wait_probe 10 "$(sed -n 1p "$RUN/client-second.ports")"
run_ok "kate works after the restart" wait_probe 10 "$P_KATE"

done_testing
