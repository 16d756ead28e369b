#!/bin/bash
# 32 clients in parallel for about 5 s, adding users, changing them and
# reading, while the worker runs: no 5xx, no failed request, and every
# add that got a 200 is in the database afterwards (exact count).
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

CLIENTS=${CONC_CLIENTS:-32}
DURATION=${CONC_SECONDS:-5}
stack_start
run_ok "database ready" wait_db 10

# client I: loops for DURATION seconds; one "OP STATUS [NAME]" line per
# request in RUN/conc.I.
client() {
	local i=$1 n=0 st name last="" end=$((SECONDS + DURATION))
	local out=$RUN/conc.$i
	while [ "$SECONDS" -lt "$end" ]; do
		n=$((n + 1))
		case $((n % 6)) in
		1 | 4)
			name=c${i}_$n
			st=$("$CURL" -s -o /dev/null --max-time 30 -w '%{http_code}' -X POST \
			    -d "user=$name&credential=$(printf '%08d-0000-4000-8000-%012d' "$i" "$n")" \
			    "$BASE/api/v1/add_user") || st=000
			printf 'add %s %s\n' "$st" "$name" >>"$out"
			[ "$st" = 200 ] && last=$name
			;;
		2)
			[ -n "$last" ] || continue
			st=$("$CURL" -s -o /dev/null --max-time 30 -w '%{http_code}' -X PATCH \
			    -d "user=$last&enabled=false" "$BASE/api/v1/set_enabled") || st=000
			printf 'set_enabled %s\n' "$st" >>"$out"
			;;
		3)
			[ -n "$last" ] || continue
			st=$("$CURL" -s -o /dev/null --max-time 30 -w '%{http_code}' -X PATCH \
			    -d "user=$last&lim_ip=$((n % 100))" "$BASE/api/v1/update_lim_ip") || st=000
			printf 'update_lim_ip %s\n' "$st" >>"$out"
			;;
		5)
			[ -n "$last" ] || continue
			st=$("$CURL" -s -o /dev/null --max-time 30 -w '%{http_code}' -X PATCH \
			    -d "user=$last&sub_end=%2B1d" "$BASE/api/v1/adjust_date") || st=000
			printf 'adjust_date %s\n' "$st" >>"$out"
			;;
		0)
			if [ $((n % 12)) -eq 0 ]; then
				st=$("$CURL" -s -o /dev/null --max-time 30 -w '%{http_code}' "$BASE/api/v1/users") || st=000
				printf 'users %s\n' "$st" >>"$out"
			else
				st=$("$CURL" -s -o /dev/null --max-time 30 -w '%{http_code}' "$BASE/api/v1/stats") || st=000
				printf 'stats %s\n' "$st" >>"$out"
			fi
			;;
		esac
	done
}

pids=()
for i in $(seq 1 "$CLIENTS"); do
	client "$i" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p"
done

cat "$RUN"/conc.* >"$RUN/conc.all"
total=$(wc -l <"$RUN/conc.all")
diag "$total requests from $CLIENTS clients in ${DURATION}s"
ok $((total < CLIENTS * 5)) "at least 5 requests per client ($total)"
is "$(awk '$2 ~ /^5/' "$RUN/conc.all" | wc -l)" 0 "no 5xx"
is "$(awk '$2 == "000"' "$RUN/conc.all" | wc -l)" 0 "no failed connection or timeout"
is "$(awk '$2 != "200"' "$RUN/conc.all" | wc -l)" 0 "every request got a 200"
awk '$2 != "200"' "$RUN/conc.all" | sort | uniq -c | head -n 10 | sed 's/^/# /'
for op in add set_enabled update_lim_ip adjust_date users stats; do
	diag "$op: $(awk -v o="$op" '$1 == o' "$RUN/conc.all" | wc -l)"
done

awk '$1 == "add" && $2 == "200" { print $3 }' "$RUN/conc.all" | sort >"$RUN/added.txt"
sql "SELECT user FROM clients_stats WHERE user LIKE 'c%' ORDER BY user;" | sort >"$RUN/in-db.txt"
is "$(wc -l <"$RUN/in-db.txt")" "$(wc -l <"$RUN/added.txt")" "users in the DB = adds that got a 200"
if cmp -s "$RUN/added.txt" "$RUN/in-db.txt"; then
	pass "exactly the users whose add got a 200"
else
	fail "exactly the users whose add got a 200"
	diff "$RUN/added.txt" "$RUN/in-db.txt" | head -n 10 | sed 's/^/# /'
fi
is "$(sql "SELECT count(*) FROM clients_stats WHERE enabled NOT IN ('true', 'false');")" 0 "enabled is always 'true' or 'false'"
api GET /api/v1/users
is "$(json_get 'len(j)')" "$(wc -l <"$RUN/added.txt")" "/users lists them all"
is "$(sql 'PRAGMA integrity_check;')" ok "integrity_check ok"
run_ok "every fcgi child survived" fcgi_alive
if [ "${STACK_WORKER:-1}" != 0 ]; then
	run_ok "the worker survived" pidfile_alive worker
fi

done_testing
