#!/bin/bash
# POST /api/v1/add_user: success for vless and trojan, every 400/409/503,
# and nothing written by a request that gets a 4xx.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

api_stack_start

rows() { sql "SELECT count(*) FROM clients_stats;"; }
row_of() { sql "SELECT uuid, inbound_tag, enabled, disabled_reason, sub_end FROM clients_stats WHERE user = '$1';"; }

# add EXPECT_STATUS EXPECT_MESSAGE DESC CURL-ARGS...: one add_user; a 4xx
# must leave the table as it was.
add() {
	local st=$1 msg=$2 desc=$3 before
	shift 3
	before=$(sql "SELECT count(*), total(length(user)), total(length(uuid)) FROM clients_stats;")
	api POST /api/v1/add_user "$@"
	is_reply "$st" "$msg" "$desc"
	if [ "$st" -ge 400 ]; then
		is "$(sql "SELECT count(*), total(length(user)), total(length(uuid)) FROM clients_stats;")" \
		    "$before" "$desc: nothing written"
	fi
}

# ---- success
hour=$(date -u +%Y-%m-%d-%H)
add 200 "User added successfully" "seed example (vless, default inbound)" \
    -d "user=newuser&credential=123e4567-e89b-12d3-a456-426614174000&inboundTag=vless-in"
is "$(row_of newuser)" "123e4567-e89b-12d3-a456-426614174000|vless-in|true||" "newuser row"
created=$(sql "SELECT created FROM clients_stats WHERE user = 'newuser';")
like "$created" '^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}$' "created is YYYY-MM-DD-HH"
if [ "$created" = "$hour" ] || [ "$created" = "$(date -u +%Y-%m-%d-%H)" ]; then
	pass "created is the current UTC hour"
else
	fail "created is the current UTC hour (got $created, now $hour)"
fi
add 200 "User added successfully" "upper-case UUID, no inboundTag" \
    -d "user=upper&credential=ABCDEF01-2345-4789-ABCD-EF0123456789"
is "$(row_of upper)" "abcdef01-2345-4789-abcd-ef0123456789|vless-in|true||" "UUID lower-cased, default inbound vless-in"
add 200 "User added successfully" "trojan user" \
    -d "user=tina&credential=tinapass&inboundTag=trojan-in"
is "$(row_of tina)" "tinapass|trojan-in|true||" "trojan row keeps the password as is"
add 200 "User added successfully" "credential in the query string, user in the body" \
    -d "user=split" --url-query "credential=0a0a0a0a-0000-4000-8000-000000000001"
is "$(row_of split)" "0a0a0a0a-0000-4000-8000-000000000001|vless-in|true||" "query and body parameters merge"
add 200 "User added successfully" "all parameters in the query string" \
    --url-query "user=qonly" --url-query "credential=0a0a0a0a-0000-4000-8000-000000000002"
add 200 "User added successfully" "a 40-character name" \
    -d "user=abcdefghij0123456789abcdefghij0123456789&credential=0a0a0a0a-0000-4000-8000-000000000003"
add 200 "User added successfully" "a 40-character Cyrillic name (80 bytes)" \
    --data-urlencode "user=$(printf 'ж%.0s' $(seq 40))" -d "credential=0a0a0a0a-0000-4000-8000-000000000004"
add 200 "User added successfully" "an e-mail style name" \
    -d "user=carol@example.com&credential=0a0a0a0a-0000-4000-8000-000000000005"
add 200 "User added successfully" "the same string as a vless UUID used as a trojan password" \
    -d "user=crossed&credential=123e4567-e89b-12d3-a456-426614174000&inboundTag=trojan-in"

# ---- missing parameters
for args in "credential=0a0a0a0a-0000-4000-8000-00000000000a" "user=nocred" "user=&credential=0a0a0a0a-0000-4000-8000-00000000000a" "user=x&credential=" ""; do
	add 400 "user and credential are required" "missing: '$args'" -d "$args"
done

# ---- duplicates
add 409 "user NEWUSER already exists" "duplicate name, other case" \
    -d "user=NEWUSER&credential=0a0a0a0a-0000-4000-8000-00000000000b"
add 409 "user newuser already exists" "duplicate name in another inbound" \
    -d "user=newuser&credential=otherpass&inboundTag=trojan-in"
add 409 "user with this id already exists" "duplicate UUID in the inbound" \
    -d "user=other&credential=123e4567-e89b-12d3-a456-426614174000"
add 409 "user with this id already exists" "duplicate UUID, different case" \
    -d "user=other&credential=123E4567-E89B-12D3-A456-426614174000"
add 409 "user with this password already exists" "duplicate trojan password" \
    -d "user=other&credential=tinapass&inboundTag=trojan-in"

# ---- inbounds
add 400 "inbound with tag nope-in not found" "unknown inbound" \
    -d "user=other&credential=0a0a0a0a-0000-4000-8000-00000000000c&inboundTag=nope-in"
add 400 "inbound socks-in (protocol socks) does not accept users" "socks inbound" \
    -d "user=other&credential=0a0a0a0a-0000-4000-8000-00000000000c&inboundTag=socks-in"
add 400 "inbound api (protocol dokodemo-door) does not accept users" "dokodemo-door inbound" \
    -d "user=other&credential=0a0a0a0a-0000-4000-8000-00000000000c&inboundTag=api"
add 400 "credential for vless-in (vless) must be a UUID" "trojan password to the vless inbound" \
    -d "user=other&credential=tinapass2&inboundTag=vless-in"
add 400 "credential for vless-in (vless) must be a UUID" "UUID without dashes" \
    -d "user=other&credential=123e4567e89b12d3a456426614174000"
add 400 "credential for vless-in (vless) must be a UUID" "UUID with a non-hex digit" \
    -d "user=other&credential=123e4567-e89b-12d3-a456-42661417400g"

# ---- trojan passwords
for pw in "a%2Cb" "a%20b" "a%09b" "%C3%A9t%C3%A9" "a%7Fb"; do
	api POST /api/v1/add_user -d "user=other&credential=$pw&inboundTag=trojan-in"
	like_reply 400 '^invalid password: .+$' "trojan password '$pw': 400"
done
is "$(sql "SELECT count(*) FROM clients_stats WHERE user = 'other';")" 0 "no 'other' row"

# ---- names
for name in "a%01b" "a%7Fb" "a%C2%85b" "a%3E%3E%3Eb" "%3E%3E%3E" "a%20b" "a+b" "%20lead" "a%09b" \
    "a%2Cb" "a%22b" "a%5Cb" "%FF" "a%C3" "%C0%AF" "%ED%A0%80"; do
	api POST /api/v1/add_user -d "user=$name&credential=0a0a0a0a-0000-4000-8000-00000000000d"
	like_reply 400 '^invalid user name: .+$' "user name '$name': 400 invalid user name"
done
# '||' separates the fields of the IP limit's fail2ban lines: such a name
# would be exempt from the limit, so it is refused.
for name in "a%7C%7Cb" "%7C%7C" "bob%7C%7C"; do
	add 400 "invalid user name: contains '||'" "user name '$name': 400 contains '||'" \
	    -d "user=$name&credential=0a0a0a0a-0000-4000-8000-00000000000d"
done
add 400 "user or credential too long (max 40 characters)" "41-character name" \
    -d "user=abcdefghij0123456789abcdefghij01234567890&credential=0a0a0a0a-0000-4000-8000-00000000000d"
add 400 "user or credential too long (max 40 characters)" "41 Cyrillic characters" \
    --data-urlencode "user=$(printf 'ж%.0s' $(seq 41))" -d "credential=0a0a0a0a-0000-4000-8000-00000000000d"
is "$(rows)" 9 "nine users after all that"

# ---- the core config cannot be read: 503, nothing written
mv "$RUN/core.json" "$RUN/core.json.away"
before=$(rows)
api POST /api/v1/add_user -d "user=late&credential=0a0a0a0a-0000-4000-8000-00000000000e"
like_reply 503 '^cannot read core config: .+$' "core config missing: 503"
is "$(rows)" "$before" "core config missing: nothing written"
mv "$RUN/core.json.away" "$RUN/core.json"
cp "$RUN/core.json" "$RUN/core.json.good"
printf '{"inbounds": [' >"$RUN/core.json"
api POST /api/v1/add_user -d "user=late&credential=0a0a0a0a-0000-4000-8000-00000000000e"
like_reply 503 '^cannot read core config: .+$' "core config truncated: 503"
mv "$RUN/core.json.good" "$RUN/core.json"
add 200 "User added successfully" "works again once the config is back" \
    -d "user=late&credential=0a0a0a0a-0000-4000-8000-00000000000e"

api GET /api/v1/users
is "$(json_get 'len(j)')" 10 "/users lists ten users"

done_testing
