#!/bin/bash
# bulk_add_users with 10 000 lines (5 000 "user,,vless-in" and 5 000
# "user,,trojan-in": credentials generated) is applied to the core and the
# config file in one batch.  Prints (diag) the seconds from the POST to
# every user being live in the core, and how long the config file takes
# to rewrite; checks the reply lists every line with its generated
# credential, the database and the file hold the same, and the core has
# them (t/coreapi-cli for a sample, a real client for two).
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u
lap start

require_tools v2ray python3 coreapi-cli
N=${BULK_USERS:-10000}
HALF=$((N / 2))
CFG_TICKER=1
lc_stack_start

emails_in_file() {
	grep -o '"email"' "$RUN/core.json" | wc -l
}
file_has() { [ "$(emails_in_file)" -eq "$1" ]; }

# One change with two users in the file: the baseline.
api POST /api/v1/add_user -d "user=probe0&credential=4b1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e00"
is_reply 200 "User added successfully" "one add_user before the bulk"
t0=$(now_ms)
api PATCH /api/v1/set_enabled -d "user=probe0&enabled=false"
small_ms=$(($(now_ms) - t0))
is_status 200 "one set_enabled with 3 users in the file"
lap "setup"

{
	printf '# %s users for bulk_add_users\n' "$N"
	for ((i = 1; i <= HALF; i++)); do
		printf 'bv%05d,,vless-in\n' "$i"
	done
	for ((i = 1; i <= N - HALF; i++)); do
		printf 'bt%05d,,trojan-in\n' "$i"
	done
} >"$RUN/bulk.txt"


writes() { grep -c "core config .* updated (" "$RUN/worker.log"; }
# The file follows the core within a moment (debounced): let the
# baseline's write happen before counting.
within 5 file_has 2
ok $? "the baseline change reached the file"
writes_before=$(writes)
t0=$(now_ms)
API_TIMEOUT=120 api POST /api/v1/bulk_add_users -F "users_file=@$RUN/bulk.txt;type=text/plain"
t_reply=$(($(now_ms) - t0))
printf '%s' "$body" >"$RUN/bulk-reply.txt"
like "$status" '^20[02]$' "bulk_add_users: 200 or 202 (got $status)"
like "$(head -n 1 "$RUN/bulk-reply.txt")" \
    "^Users added successfully: $N users( \\(not applied yet: the change is saved; the worker has not applied it yet\\))?\$" \
    "first line: Users added successfully: $N users"
all_applied() { sql_is "SELECT count(*) FROM core_ops WHERE done <> 1;" 0; }
within 120 all_applied
ok $? "every user applied (core_ops all done) within 120 s"
t_live=$(($(now_ms) - t0))
within 60 file_has $((N + 2))
ok $? "the config file holds all $((N + 2)) enabled users within 60 s more"
t_file=$(($(now_ms) - t0))
sleep 1.5
writes_after=$(writes)
mtime=$(date -r "$RUN/core.json" +%s%N)
t_mtime=$((mtime / 1000000 - t0))
diag "$(printf 'bulk of %d users: reply after %d.%03d s (status %s); all applied in the core after %d.%03d s; config file with all users seen after %d.%03d s (its mtime: %d.%03d s after the POST)' \
    "$N" $((t_reply / 1000)) $((t_reply % 1000)) "$status" $((t_live / 1000)) $((t_live % 1000)) \
    $((t_file / 1000)) $((t_file % 1000)) $((t_mtime / 1000)) $((t_mtime % 1000)))"
lap "bulk"

# ---- the reply lists every line, with generated credentials
cat >"$RUN/check.py" <<'EOF'
import re, sys
reply, dbdump, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(reply).read().split("\n")
assert lines[-1] == "", "reply does not end with a newline"
lines = lines[1:-1]
uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
pw = re.compile(r"^[A-Za-z0-9]{30}$")
got = {}
errs = []
for k, l in enumerate(lines):
    m = re.match(r"^line (\d+): ([^,]+),([^,]+),([^,]+)$", l)
    if not m:
        errs.append("bad reply line %r" % l)
        continue
    ln, user, cred, tag = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    # the file's line 1 is a comment: user k is on line k + 2
    if ln != k + 2:
        errs.append("line number %d for %s (want %d)" % (ln, user, k + 2))
    if tag == "vless-in" and not uuid.match(cred):
        errs.append("%s: not a UUIDv4: %s" % (user, cred))
    if tag == "trojan-in" and not pw.match(cred):
        errs.append("%s: not 30 [A-Za-z0-9]: %s" % (user, cred))
    got[user] = (cred, tag)
if len(lines) != n:
    errs.append("%d reply lines, want %d" % (len(lines), n))
creds = [c for c, t in got.values()]
if len(set(creds)) != len(creds):
    errs.append("duplicate credentials")
db = {}
for l in open(dbdump).read().split("\n"):
    if l:
        user, cred, tag = l.split("|")
        db[user] = (cred, tag)
diff = [u for u in got if db.get(u) != got[u]]
if diff:
    errs.append("%d users differ from the database, e.g. %s" % (len(diff), diff[:3]))
print("\n".join(errs[:10]))
sys.exit(1 if errs else 0)
EOF
sql "SELECT user, uuid, inbound_tag FROM clients_stats WHERE user LIKE 'b_0%' AND enabled = 'true';" >"$RUN/bulk-db.txt"
"$PYTHON3" "$RUN/check.py" "$RUN/bulk-reply.txt" "$RUN/bulk-db.txt" "$N" >"$RUN/check.out" 2>&1
ok $? "the reply lists all $N lines in order with generated credentials (UUIDv4 / 30 characters), as stored" ||
	diag "$(head -n 10 "$RUN/check.out")"
is "$(sql "SELECT count(*) FROM clients_stats;")" $((N + 3)) "the database has every user"
want=$(sql "SELECT inbound_tag || ' ' || user || ' ' || uuid FROM clients_stats WHERE enabled = 'true';" | LC_ALL=C sort)
got=$(file_clients | LC_ALL=C sort)
if [ "$got" = "$want" ]; then
	pass "the config file holds exactly the enabled users with their credentials"
else
	fail "the config file holds exactly the enabled users with their credentials"
	diag "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -n 5)"
fi
is "$((writes_after - writes_before))" 1 "the config file was written once for the bulk (one batch)"
is "$(grep -c "core config .* updated ($((N + 2)) users)" "$RUN/worker.log")" 1 "... with all $((N + 2)) users"

# ---- the core has them: a sample through the API, two through a client
missing=0
n=0
while IFS='|' read -r user cred tag; do
	n=$((n + 1))
	case $tag in vless-in) proto=vless ;; *) proto=trojan ;; esac
	core_has "$user" "$tag" "$proto" "$cred" || {
		missing=$((missing + 1))
		diag "the core lacks $user: $(tail -n 1 "$RUN/cli.out")"
	}
done < <(shuf -n 30 "$RUN/bulk-db.txt")
is "$missing" 0 "the core has each of $n sampled users"
v=$(grep '^bv' "$RUN/bulk-db.txt" | shuf -n 1)
t=$(grep '^bt' "$RUN/bulk-db.txt" | shuf -n 1)
IFS='|' read -r vu vc _ <<<"$v"
IFS='|' read -r tu tc _ <<<"$t"
if client_start sample "vless:$vc" "trojan:$tc"; then
	run_ok "probe: $vu works" wait_probe 3 "${CLIENT_PORTS[0]}"
	run_ok "probe: $tu works" wait_probe 3 "${CLIENT_PORTS[1]}"
else
	fail "the sample client starts"
fi

# ---- one change with 10 000 users in the file
t0=$(now_ms)
api PATCH /api/v1/set_enabled -d "user=$vu&enabled=false"
big_ms=$(($(now_ms) - t0))
is_reply 200 "User status updated successfully" "one set_enabled with $((N + 2)) users in the file"
run_ok "the file lost exactly that user within 3 s" within 3 file_has $((N + 1))
file_ms=$(($(now_ms) - t0))
diag "one set_enabled, reply: ${small_ms} ms with 3 users in the file, ${big_ms} ms with $((N + 2)); the big file without that user seen ${file_ms} ms after the request (debounced write included)"
run_ok "probe: $vu refused once disabled" wait_probe_fails 3 "${CLIENT_PORTS[0]}"
run_ok "the core is still the one started first" pidfile_alive core
lap "checks"
if [ "$tap_failed" -ne 0 ]; then
	diag "worker log (tail):"
	diag "$(tail -n 20 "$RUN/worker.log")"
fi
done_testing
