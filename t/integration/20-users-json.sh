#!/bin/bash
# GET /api/v1/users: keys in order, types (rate is a string), values after
# add_user and after changes, ordering by user, exact big integers.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

# The whole stack for the writes (the worker applies them to the core);
# then the worker and the core are stopped so that the values seeded
# below stay exactly as written.
api_stack_start

api GET /api/v1/users
is "$body" "[]
" "empty table: [] and a newline"

hour_before=$(date -u +%Y-%m-%d-%H)
api POST /api/v1/add_user -d "user=zed&credential=AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"
is_reply 200 "User added successfully" "add zed (vless, upper-case UUID)"
api POST /api/v1/add_user -d "user=amy&credential=amy-Pass_1&inboundTag=trojan-in"
is_reply 200 "User added successfully" "add amy (trojan)"
api POST /api/v1/add_user --data-urlencode "user=Пётр" --data-urlencode "credential=01234567-89ab-4def-8123-456789abcdef" -d inboundTag=vless-in
is_reply 200 "User added successfully" "add a Cyrillic name"
api POST /api/v1/add_user -d "user=mia&credential=99999999-8888-4777-8666-555555555555"
is_reply 200 "User added successfully" "add mia"
hour_after=$(date -u +%Y-%m-%d-%H)

api GET /api/v1/users
is "$status" 200 "GET users: 200"
is "$(header Content-Type)" "application/json; charset=utf-8" "content type"
is "$(header Cache-Control)" "no-store" "Cache-Control: no-store"
is "${body: -1}" $'\n' "body ends with a newline"
is "$(json_get 'len(j)')" 4 "four users"
is "$(json_get '[u["user"] for u in j]')" '["amy", "mia", "zed", "\u041f\u0451\u0442\u0440"]' "ordered by user"
is "$(json_get '[list(u.keys()) for u in j][0]')" \
    '["user", "uuid", "rate", "enabled", "created", "sub_end", "renew", "lim_ip", "ips", "uplink", "downlink", "sess_uplink", "sess_downlink", "last_seen", "inbound_tag", "disabled_reason"]' \
    "keys in the contract's order"
is "$(json_get 'all(list(u.keys()) == list(j[0].keys()) for u in j)')" true "every object has the same keys"
types='{k: type(v).__name__ for k, v in j[2].items()}'
is "$(json_get "$types")" \
    '{"user": "str", "uuid": "str", "rate": "str", "enabled": "str", "created": "str", "sub_end": "str", "renew": "int", "lim_ip": "int", "ips": "str", "uplink": "int", "downlink": "int", "sess_uplink": "int", "sess_downlink": "int", "last_seen": "str", "inbound_tag": "str", "disabled_reason": "str"}' \
    "types: rate and enabled are strings, counters ints"
like "$body" '"rate": ?"0"' "rate is serialised as the string \"0\""

zed='[u for u in j if u["user"] == "zed"][0]'
is "$(json_get "${zed}[\"uuid\"]")" "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" "uuid stored lower-case"
is "$(json_get "${zed}[\"rate\"]")" "0" "rate \"0\""
is "$(json_get "${zed}[\"enabled\"]")" "true" "enabled \"true\""
created=$(json_get "${zed}[\"created\"]")
if [ "$created" = "$hour_before" ] || [ "$created" = "$hour_after" ]; then
	pass "created is now, UTC, YYYY-MM-DD-HH ($created)"
else
	fail "created is now, UTC, YYYY-MM-DD-HH"
	diag "got '$created', expected '$hour_before'"
fi
is "$(json_get "[${zed}[k] for k in ('sub_end', 'renew', 'lim_ip', 'ips', 'uplink', 'downlink', 'sess_uplink', 'sess_downlink', 'last_seen', 'disabled_reason')]")" \
    '["", 0, 0, "", 0, 0, 0, 0, "", ""]' "fresh user: empty and zero fields"
is "$(json_get "${zed}[\"inbound_tag\"]")" "vless-in" "inbound_tag defaults to vless-in"
amy='[u for u in j if u["user"] == "amy"][0]'
is "$(json_get "[${amy}[\"uuid\"], ${amy}[\"inbound_tag\"]]")" '["amy-Pass_1", "trojan-in"]' "trojan user: password kept as is, trojan-in"
is "$(json_get '[u["user"] for u in j if u["uuid"] == "01234567-89ab-4def-8123-456789abcdef"][0]')" "Пётр" "UTF-8 name round-trips"

api PATCH /api/v1/set_enabled -d "user=amy&enabled=false"
is_reply 200 "User status updated successfully" "disable amy"
stop_pidfile worker
stop_pidfile core

# Values written by the worker (seeded here) are reported exactly.
sql "UPDATE clients_stats SET rate = 1234, uplink = 5, downlink = 6, sess_uplink = 7,
    sess_downlink = 8, ips = '1.2.3.4,5.6.7.8', last_seen = 'online', lim_ip = 2, renew = 30,
    sub_end = '2030-05-06-07' WHERE user = 'mia';
    UPDATE clients_stats SET uplink = 9007199254740993, downlink = 9223372036854775807 WHERE user = 'zed';"
api GET /api/v1/users
mia='[u for u in j if u["user"] == "mia"][0]'
is "$(json_get "[${mia}[k] for k in ('rate', 'uplink', 'downlink', 'sess_uplink', 'sess_downlink', 'ips', 'last_seen', 'lim_ip', 'renew', 'sub_end')]")" \
    '["1234", 5, 6, 7, 8, "1.2.3.4,5.6.7.8", "online", 2, 30, "2030-05-06-07"]' "seeded values reported"
is "$(json_get "[${zed}[\"uplink\"], ${zed}[\"downlink\"]]")" '[9007199254740993, 9223372036854775807]' "64-bit counters exact"
like "$body" '"uplink": ?9007199254740993' "2^53+1 printed as an exact integer"
is "$(json_get "[${amy}[\"enabled\"], ${amy}[\"disabled_reason\"]]")" '["false", "admin"]' "disabled by admin"

# Names with characters JSON must escape are refused at add_user, so a row
# with such a name can only come from an old database: it is escaped.
sql "INSERT INTO clients_stats (user, uuid, enabled) VALUES ('q\"uo\\te' || char(9) || 'x', 'old', 'true');"
api GET /api/v1/users
is "$status" 200 "odd name from the DB: 200"
is "$(json_get '[u["user"] for u in j if u["uuid"] == "old"][0]')" "$(printf 'q"uo\\te\tx')" "odd name escaped as valid JSON"

# NULLs in text columns (databases of old versions) do not break the list.
sql "INSERT INTO clients_stats (user, uuid, enabled, created, last_seen, ips, sub_end) VALUES ('nul', '', NULL, NULL, NULL, NULL, NULL);"
api GET /api/v1/users
is "$status" 200 "NULL text columns: 200"
is "$(json_get '[type(u[k]).__name__ for u in j if u["user"] == "nul" for k in ("enabled", "created", "last_seen", "ips", "sub_end")]')" \
    '["str", "str", "str", "str", "str"]' "NULL text columns still shown as strings"

done_testing
