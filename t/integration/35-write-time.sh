#!/bin/bash
# The time a write takes, and what its client is told:
# - add_user and bulk_add_users check everything before they take the
#   write lock: with the lock held by another process all along, a bad
#   line, a name or a credential taken are answered (400, 409) at once,
#   not "database busy" (the old code took the lock first, and so blocked
#   every other writer for the whole check of a bulk upload);
# - a committed write is answered 200 or 202 before nginx gives up
#   (fastcgi_read_timeout 10 s here), although api.apply_wait_ms is 60 s
#   and no worker applies anything: the wait is cut short (202);
# - a write that waited for a free responder (the only one is stopped)
#   past the time its answer could still be given is not made: 503 (or
#   nginx's 504 if the responder got to it later still), nothing changed.
# Every request that got 200 or 202 is in the database, and no other.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

STACK_CORE=0
STACK_WORKER=0
FCGI_CHILDREN=1
NGINX_READ_TIMEOUT=10
CFG_APPLY_WAIT_MS=60000
CORE_VLESS_USERS=
CORE_TROJAN_USERS=
stack_start
run_ok "database ready" wait_db 10

uuid() { printf '%08x-0000-4000-8000-%012x' "$1" "$1"; }
in_db() { sql "SELECT count(*) FROM clients_stats WHERE user = '$1';"; }

# ---- checks need no write lock
sql "INSERT INTO clients_stats (user, uuid, inbound_tag) VALUES ('taken', '$(uuid 1)', 'vless-in');"

mkfifo "$RUN/hold.fifo"
"$SQLITE3" -batch "$DB" <"$RUN/hold.fifo" >"$RUN/hold.out" 2>&1 &
hold_pid=$!
exec 3>"$RUN/hold.fifo"
echo "BEGIN IMMEDIATE;" >&3
lock_held() { ! "$SQLITE3" -batch "$DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; }
run_ok "another process holds the write lock" wait_until 10 lock_held

{
	for i in $(seq 2 3000); do
		printf 'bulk%04d,%s\n' "$i" "$(uuid "$i")"
	done
	printf 'bad>>>name\n'
} >"$RUN/bad.txt"
api POST /api/v1/bulk_add_users -F "users_file=@$RUN/bad.txt"
is "$status" 400 "bulk of 3000 lines, one bad, lock held: 400 (not busy)"
like "$body" $'^Users not added: 1 of 3000 lines have errors\nline 3000: bad>>>name: ' \
    "... the bad line reported"
printf 'fresh1\nTAKEN\nfresh2,%s\n' "$(uuid 1)" >"$RUN/dup.txt"
api POST /api/v1/bulk_add_users -F "users_file=@$RUN/dup.txt"
is "$status" 400 "bulk with names and credentials taken, lock held: 400"
like "$body" $'\nline 2: TAKEN: user TAKEN already exists\nline 3: fresh2: user with this id already exists\n$' \
    "... both reported"
api POST /api/v1/add_user -d "user=taken2&credential=not-a-uuid"
is_reply 400 "credential for vless-in (vless) must be a UUID" \
    "add_user with a bad UUID, lock held: 400"
api POST /api/v1/add_user -d "user=Taken&credential=$(uuid 99)"
is_reply 409 "user Taken already exists" "add_user of a name taken, lock held: 409"
run_ok "the lock was held throughout" lock_held

# ---- taken between the check and the insert: checked again under the lock
# The other process adds RACE1 and a user with race2's UUID, commits a
# second after the upload was sent: the upload's checks (a read snapshot)
# do not see them, its inserts wait for the lock, then see them.
echo "INSERT INTO clients_stats (user, uuid, inbound_tag) VALUES ('RACE1', '$(uuid 11)', 'vless-in'), ('other', '$(uuid 12)', 'vless-in');" >&3
printf 'race1,%s\nrace2,%s\nrace3\n' "$(uuid 13)" "$(uuid 12)" >"$RUN/race.txt"
"$CURL" -s -o "$RUN/race.body" -w '%{http_code}' --max-time 30 \
    -F "users_file=@$RUN/race.txt" "$BASE/api/v1/bulk_add_users" \
    >"$RUN/race.status" &
race_pid=$!
sleep 1
echo "COMMIT;" >&3
exec 3>&-
wait "$hold_pid"
wait "$race_pid"
is "$(cat "$RUN/race.status")" 400 "a name and a UUID taken meanwhile: 400"
like "$(cat "$RUN/race.body")" $'^Users not added: 2 of 3 lines have errors\nline 1: race1: user race1 already exists\nline 2: race2: user with this id already exists$' \
    "... both reported"
is "$(sql "SELECT group_concat(user) FROM (SELECT user FROM clients_stats ORDER BY user);")" \
    "RACE1,other,taken" "nothing was added but by the other process"

# ---- writes queued past their time are not made
fcgi_pid=$(head -n 1 "$RUN/fcgi.pid")
kill -STOP "$fcgi_pid"
trap 'kill -CONT "$fcgi_pid" 2>/dev/null; stack_stop' EXIT
printf 'queued_b1\nqueued_b2\n' >"$RUN/queued.txt"
req_bg() { # NAME CURL-ARGS...: one request in the background
	local name=$1
	shift
	"$CURL" -s -o "$RUN/q-$name.body" -w '%{http_code}' --max-time 60 "$@" \
	    >"$RUN/q-$name.status" 2>/dev/null &
	req_pids="$req_pids $!"
}
req_pids=
req_bg a1 -d "user=queued_a1&credential=$(uuid 3)" "$BASE/api/v1/add_user"
req_bg a2 -d "user=queued_a2&credential=$(uuid 4)" "$BASE/api/v1/add_user"
req_bg b -F "users_file=@$RUN/queued.txt" "$BASE/api/v1/bulk_add_users"
req_bg e -X PATCH -d "user=taken&enabled=false" "$BASE/api/v1/set_enabled"
# Past the responder's deadline (10 s less a margin of 1.25 s), before
# nginx's 10 s (if later, nginx answers 504 and that is checked too).
sleep 9.3
kill -CONT "$fcgi_pid"
# shellcheck disable=SC2086
wait $req_pids
users_ok() {
	api GET /api/v1/users
	[ "$status" = 200 ]
}
run_ok "the responder has served everything queued" wait_until 30 users_ok
for name in a1 a2 b e; do
	st=$(cat "$RUN/q-$name.status")
	case $name in
	a1 | a2) saved=$(in_db "queued_$name") ;;
	b) saved=$(sql "SELECT count(*) FROM clients_stats WHERE user LIKE 'queued_b%';") ;;
	e) saved=$(sql "SELECT count(*) FROM clients_stats WHERE user = 'taken' AND enabled = 'false';") ;;
	esac
	case $st in
	503) is "$saved" 0 "queued $name: 503 ($(head -c 60 "$RUN/q-$name.body")), nothing changed" ;;
	504) is "$saved" 0 "queued $name: nginx's 504, and nothing changed" ;;
	*) fail "queued $name: $st: only 503 or 504 is possible (saved: $saved)" ;;
	esac
done

# ---- a committed write is answered in time
t0=$(date +%s%N)
api POST /api/v1/add_user -d "user=slow&credential=$(uuid 2)"
took=$((($(date +%s%N) - t0) / 1000000))
like "$status $body" '^202 User added successfully \(not applied yet: the change is saved; the worker has not applied it yet\)' \
    "nginx timeout 10 s, apply wait 60 s, no worker: 202"
is "$(in_db slow)" 1 "... and it is saved"
diag "answered after $took ms (nginx gives up after 10 000)"

done_testing
