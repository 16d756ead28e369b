#!/bin/bash
# POST /api/v1/bulk_add_users: the seed's example file verbatim, generated
# credentials, all-or-nothing, duplicates, empty files, wrong requests, the
# line limit.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

api_stack_start

uuid4='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
state() { sql "SELECT count(*), total(length(user)), total(length(uuid)) FROM clients_stats;"; }

# bulk FILE [CURL ARGS]: uploads FILE as users_file.
bulk() {
	local f=$1
	shift
	api POST /api/v1/bulk_add_users -F "users_file=@$f" "$@"
}

# ---- the seed's example, verbatim (with its comments)
cat >"$RUN/users.txt" <<'EOF'
user1,550e8400-e29b-41d4-a716-446655440000,vless-in  # Полный формат
user2,6ba7b810-9dad-11d1-80b4-00c04fd430c8           # Без inboundTag
user3                                                # Только имя, UUID будет сгенерирован
user4,,vless-in                                      # Имя и inboundTag, UUID будет сгенерирован
EOF
bulk "$RUN/users.txt"
is "$status" 200 "seed example: 200"
is_text_reply "bulk: text/plain"
lines=()
mapfile -t lines <<<"${body%$'\n'}"
is "${#lines[@]}" 5 "five lines in the reply"
is "${lines[0]}" "Users added successfully: 4 users" "summary line"
is "${lines[1]}" "line 1: user1,550e8400-e29b-41d4-a716-446655440000,vless-in" "line 1 as given"
is "${lines[2]}" "line 2: user2,6ba7b810-9dad-11d1-80b4-00c04fd430c8,vless-in" "line 2: default inbound"
like "${lines[3]:-}" "^line 3: user3,$uuid4,vless-in\$" "line 3: generated UUIDv4"
like "${lines[4]:-}" "^line 4: user4,$uuid4,vless-in\$" "line 4: generated UUIDv4"
u3=${lines[3]#line 3: user3,}
u3=${u3%,vless-in}
u4=${lines[4]#line 4: user4,}
u4=${u4%,vless-in}
isnt "$u3" "$u4" "generated UUIDs differ"
api GET /api/v1/users
is "$(json_get '[[u["user"], u["uuid"], u["inbound_tag"]] for u in j]')" \
    "[[\"user1\", \"550e8400-e29b-41d4-a716-446655440000\", \"vless-in\"], [\"user2\", \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\", \"vless-in\"], [\"user3\", \"$u3\", \"vless-in\"], [\"user4\", \"$u4\", \"vless-in\"]]" \
    "/users shows the four users with the reported credentials"

# ---- generated trojan passwords, comments, blank lines, line numbers, CRLF
printf '# a header comment\n\ntr1,,trojan-in\n   \n  tr2,,trojan-in  \n\ttr3,PassW0rd,trojan-in\nvl1,,vless-in\r\n' >"$RUN/mixed.txt"
bulk "$RUN/mixed.txt"
is "$status" 200 "mixed file: 200"
mapfile -t lines <<<"${body%$'\n'}"
is "${lines[0]}" "Users added successfully: 4 users" "four users (comments and blanks skipped)"
like "${lines[1]:-}" '^line 3: tr1,[A-Za-z0-9]{30},trojan-in$' "line 3: 30-character generated password"
like "${lines[2]:-}" '^line 5: tr2,[A-Za-z0-9]{30},trojan-in$' "line 5: leading and trailing blanks trimmed"
is "${lines[3]:-}" "line 6: tr3,PassW0rd,trojan-in" "line 6: leading tab trimmed"
like "${lines[4]:-}" "^line 7: vl1,$uuid4,vless-in\$" "line 7: CRLF line end"
p1=${lines[1]#line 3: tr1,}
p1=${p1%,trojan-in}
is "$(sql "SELECT uuid || '|' || inbound_tag FROM clients_stats WHERE user = 'tr1';")" "$p1|trojan-in" "the reported password is stored"

# ---- all-or-nothing
before=$(state)
printf 'ok1\nbad>>>name\nok2,,trojan-in\n' >"$RUN/one-bad.txt"
bulk "$RUN/one-bad.txt"
mapfile -t lines <<<"${body%$'\n'}"
is "$status" 400 "one bad line: 400"
is "${lines[0]}" "Users not added: 1 of 3 lines have errors" "error summary"
like "${lines[1]:-}" '^line 2: bad>>>name: .+$' "the bad line is reported with its number"
is "${#lines[@]}" 2 "only the bad line is listed"
is "$(state)" "$before" "nothing written"
is "$(sql "SELECT count(*) FROM clients_stats WHERE user IN ('ok1', 'ok2');")" 0 "not even the good lines"

# check_fail FILE-CONTENT SUMMARY DESC [LINE-ERE...]
check_fail() {
	local content=$1 summary=$2 desc=$3 i=1 ere
	shift 3
	printf '%b' "$content" >"$RUN/fail.txt"
	before=$(state)
	bulk "$RUN/fail.txt"
	mapfile -t lines <<<"${body%$'\n'}"
	is "$status" 400 "$desc: 400"
	is "${lines[0]}" "$summary" "$desc: summary"
	for ere in "$@"; do
		like "${lines[$i]:-}" "$ere" "$desc: line report $i"
		i=$((i + 1))
	done
	is "${#lines[@]}" "$i" "$desc: $((i - 1)) line report(s)"
	is "$(state)" "$before" "$desc: nothing written"
}

check_fail 'dup1\nx1\nDUP1\n' "Users not added: 1 of 3 lines have errors" "duplicate names in the file" \
    '^line 3: DUP1: .+$'
check_fail 'c1,aaaaaaaa-0000-4000-8000-000000000001\nc2,AAAAAAAA-0000-4000-8000-000000000001\n' \
    "Users not added: 1 of 2 lines have errors" "duplicate credentials in the file" '^line 2: c2: .+$'
check_fail 'USER1\n' "Users not added: 1 of 1 lines have errors" "name already in the DB" \
    '^line 1: USER1: .*already exists.*$'
check_fail 'n1,550e8400-e29b-41d4-a716-446655440000\n' "Users not added: 1 of 1 lines have errors" \
    "credential already in the DB" '^line 1: n1: .*already exists.*$'
check_fail 'n1,,nope-in\nn2,notauuid\nn3,,socks-in\nabcdefghij0123456789abcdefghij01234567890\n' \
    "Users not added: 4 of 4 lines have errors" "every kind of bad line" \
    '^line 1: n1: inbound with tag nope-in not found$' \
    '^line 2: n2: credential for vless-in \(vless\) must be a UUID$' \
    '^line 3: n3: inbound socks-in \(protocol socks\) does not accept users$' \
    '^line 4: .+: user or credential too long \(max 40 characters\)$'
check_fail 'good1\nbad\001name\n' "Users not added: 1 of 2 lines have errors" "control character" \
    '^line 2: .+: invalid user name: .+$'
check_fail 'good1\nip||limit\ngood2\n' "Users not added: 1 of 3 lines have errors" "a name with '||'" \
    "^line 2: ip\\|\\|limit: invalid user name: contains '\\|\\|'\$"

# ---- empty files and wrong requests
: >"$RUN/empty.txt"
bulk "$RUN/empty.txt"
is_reply 400 "Users not added: users_file has no users" "empty file: 400"
printf '# only\n\n   # comments\n' >"$RUN/comments.txt"
bulk "$RUN/comments.txt"
is_reply 400 "Users not added: users_file has no users" "only comments: 400"
api POST /api/v1/bulk_add_users -d "users_file=user9"
is_reply 400 "Failed to retrieve file: request is not multipart/form-data" "urlencoded body: 400"
api POST /api/v1/bulk_add_users
is_reply 400 "Failed to retrieve file: request is not multipart/form-data" "no body: 400"
api POST /api/v1/bulk_add_users -F "other=@$RUN/users.txt"
is_reply 400 "Failed to retrieve file: no users_file field" "no users_file field: 400"
printf 'user9\n' >"$RUN/other-name.csv"
api POST /api/v1/bulk_add_users -F "users_file=@$RUN/other-name.csv;type=text/csv;filename=list.csv"
is "$status" 200 "any file name and part content type"
is "$(sql "SELECT count(*) FROM clients_stats WHERE user = 'user9';")" 1 "user9 added"

# ---- the line limit
CFG_MAX_BULK_LINES=5
run_ok "pool restarted with api.max_bulk_lines 5" fcgi_reconfig
before=$(state)
printf 'l1\nl2\n\nl3\nl4\nl5\nl6\n' >"$RUN/six.txt"
bulk "$RUN/six.txt"
is_reply 413 "too many lines in users_file (max 5)" "six user lines: 413"
is "$(state)" "$before" "nothing written"
printf 'l1\nl2\n# comment\nl3\nl4\nl5\n' >"$RUN/six-nonempty.txt"
bulk "$RUN/six-nonempty.txt"
is_reply 413 "too many lines in users_file (max 5)" "five users and a comment are six non-empty lines: 413"
is "$(state)" "$before" "nothing written"
printf 'l1\nl2\n\n\n\nl3\nl4\n\r\nl5\n' >"$RUN/five.txt"
bulk "$RUN/five.txt"
is "$status" 200 "five user lines and blank lines: 200"
CFG_MAX_BULK_LINES=100000
run_ok "pool restarted with the default limit" fcgi_reconfig

# ---- a big file
i=0
while [ "$i" -lt 2000 ]; do
	printf 'big%04d\n' "$i"
	i=$((i + 1))
done >"$RUN/big.txt"
SECONDS=0
bulk "$RUN/big.txt"
# 200, or 202 if the worker has not applied all of them to the core yet.
like "$status" '^20[02]$' "2000 users in one file: 2xx"
ok $((SECONDS > 20)) "within 20 s (took ${SECONDS}s)"
is "$(sql "SELECT count(*) FROM clients_stats WHERE user LIKE 'big%';")" 2000 "2000 rows"
is "$(sql "SELECT count(DISTINCT uuid) FROM clients_stats WHERE user LIKE 'big%';")" 2000 "2000 distinct UUIDs"

done_testing
