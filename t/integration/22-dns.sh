#!/bin/bash
# GET /api/v1/dns_stats and POST /api/v1/delete_dns_stats on seeded rows.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

STACK_WORKER=0
STACK_CORE=0
stack_start
run_ok "database ready" wait_db 10

{
	printf "INSERT INTO dns_stats (user, count, domain) VALUES
    ('amy', 5, 'example.com'), ('amy', 5, 'b.com'), ('amy', 9, 'a.org'), ('amy', 1, 'z.net'),
    ('bob', 3, 'x.com'), ('averyveryverylongname', 123456, 'long.example');\n"
	i=1
	while [ "$i" -le 25 ]; do
		printf "INSERT INTO dns_stats (user, count, domain) VALUES ('many', %d, 'd%02d.example');\n" "$i" "$i"
		i=$((i + 1))
	done
} | sql

head=$(printf ' 📊 DNS Query Statistics:\n%-12s %-6s %s\n%s\n' User Count Domain "$(printf '%61s' '' | tr ' ' -)")
row() {
	printf '%-12s %-6d %s\n' "$@"
}

api GET "/api/v1/dns_stats?user=amy"
is "$status" 200 "dns_stats amy: 200"
is_text_reply "dns_stats: text/plain"
expected="$head
$(row amy 9 a.org)
$(row amy 5 b.com)
$(row amy 5 example.com)
$(row amy 1 z.net)

"
is "$body" "$expected" "amy: byte for byte, count DESC then domain ASC, final blank line"

api GET "/api/v1/dns_stats?user=amy&count=2"
is "$body" "$head
$(row amy 9 a.org)
$(row amy 5 b.com)

" "count=2 limits the rows"

api GET "/api/v1/dns_stats?user=averyveryverylongname&count=1"
is "$body" "$head
$(row averyveryverylongname 123456 long.example)

" "long name and count overflow their columns"

api GET "/api/v1/dns_stats?user=many"
rows=$(printf '%s' "$body" | grep -c ' d[0-9][0-9]\.example$')
is "$rows" 20 "count defaults to 20"
like "$body" "$(row many 25 d25.example)" "the biggest count first"
api GET "/api/v1/dns_stats?user=many&count=1000"
is "$(printf '%s' "$body" | grep -c ' d[0-9][0-9]\.example$')" 25 "count=1000: all 25"
api GET "/api/v1/dns_stats?user=many&count=1"
is "$(printf '%s' "$body" | grep -c ' d[0-9][0-9]\.example$')" 1 "count=1: one row"
api GET "/api/v1/dns_stats?user=many&count=007"
is "$(printf '%s' "$body" | grep -c ' d[0-9][0-9]\.example$')" 7 "count=007 is 7"

api GET "/api/v1/dns_stats?user=nobody"
is "$status" 200 "unknown user: 200"
is "$body" "$head

" "unknown user: the header only"

for bad in 0 1001 -1 abc 1.5 "%2B5" "%205" 99999999999999999999 0x10; do
	api GET "/api/v1/dns_stats?user=amy&count=$bad"
	shown=$(printf '%b' "${bad//%/\\x}")
	is_reply 400 "Invalid count parameter: $shown, must be an integer between 1 and 1000" "count=$bad: 400"
done
api GET "/api/v1/dns_stats"
is_reply 400 "Missing user parameter" "no user: 400"
api GET "/api/v1/dns_stats?user="
is_reply 400 "Missing user parameter" "empty user: 400"
api GET "/api/v1/dns_stats?count=5"
is_reply 400 "Missing user parameter" "count without user: 400"

# ---- delete_dns_stats
total=$(sql "SELECT count(*) FROM dns_stats;")
api POST "/api/v1/delete_dns_stats?user=a%3E%3E%3Eb"
is "$status" 400 "delete_dns_stats with an invalid user name: 400"
is "$(sql "SELECT count(*) FROM dns_stats;")" "$total" "nothing deleted"
api POST "/api/v1/delete_dns_stats?user=ghost"
is_reply 200 "DNS stats records deleted successfully" "unknown user: 200"
is "$(sql "SELECT count(*) FROM dns_stats;")" "$total" "nothing deleted for an unknown user"
api POST "/api/v1/delete_dns_stats?user=amy"
is_reply 200 "DNS stats records deleted successfully" "delete amy's rows"
is "$(sql "SELECT count(*) FROM dns_stats WHERE user = 'amy';")" 0 "amy's rows are gone"
is "$(sql "SELECT count(*) FROM dns_stats;")" "$((total - 4))" "the others stay"
api POST /api/v1/delete_dns_stats -d "user=bob"
is_reply 200 "DNS stats records deleted successfully" "user in a form body"
is "$(sql "SELECT count(*) FROM dns_stats WHERE user = 'bob';")" 0 "bob's rows are gone"
api GET "/api/v1/dns_stats?user=bob"
is "$body" "$head

" "bob: header only after the delete"
api POST /api/v1/delete_dns_stats
is_reply 200 "DNS stats records deleted successfully" "delete all"
is "$(sql "SELECT count(*) FROM dns_stats;")" 0 "table empty"
api POST /api/v1/delete_dns_stats
is_reply 200 "DNS stats records deleted successfully" "delete all again: 200"

done_testing
