#!/bin/bash
# The event sources of the Telegram notifications, with the real stack
# (a real core, ticker_interval 1) and the fake Bot API.  Messages are
# counted with notify_count: queued in the outbox or already delivered,
# so the test holds with or without the sender.
#
#  - expiry: sub_end passes with renew 0 -> one "Subscription expired" and
#    one "User disabled", still one each after several ticks and after a
#    worker restart; with renew 30 -> one expired and one "Subscription
#    renewed ... 30 days"; a renew period set on a user the expiry
#    disabled -> "Subscription renewed" and "User enabled", no second
#    "expired"; adjust_date or set_enabled bringing an expired user back
#    -> one "User enabled", committed with the change (there at once).
#    The user is named a_b*[c] (every MarkdownV2 character the API lets a
#    name have) and must arrive as written.
#  - the banned log (paths.f2b_banned_log): a BAN line -> one "IP Banned"
#    with client, IP, the line's time and "N seconds"; UNBAN -> one "IP
#    Unbanned"; no repeats after a worker restart; lines written while the
#    worker is down come once after it starts; a logrotate-style rename is
#    followed; lines that are not BAN/UNBAN lines are skipped (logged)
#    and do not stop the lines after them; with no saved position the
#    history is not announced.
#  - a real fail2ban-server (if installed) in the run directory, with the
#    shipped filter and action only, bans an address written by hand to
#    paths.f2b_log: "IP Banned" then "IP Unbanned" for it.
#  - Telegram not configured (no bot token): nothing is queued, and the
#    worker does not even open the banned log.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u
lap start

CFG_TICKER=1
STACK_BOTAPI=1
api_stack_start
lc_init
lap "setup"

NAME='a_b*[c]'
BANNED=$RUN/f2b-banned.log
V1=8e1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e11
V2=8e1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e12
V3=8e1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e13
V4=8e1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e14

# rx TEXT: TEXT as a Python regular expression.
rx() {
	"$PYTHON3" -c 'import re, sys; print(re.escape(sys.argv[1]), end="")' "$1"
}

# count_is REGEX N: exactly N notifications match REGEX.
count_is() {
	[ "$(notify_count "$1")" = "$2" ]
}

# expect_count REGEX N DESC: waits up to 10 s for exactly N, then checks.
expect_count() {
	wait_until 10 count_is "$1" "$2"
	is "$(notify_count "$1")" "$2" "$3"
}

heartbeat() {
	sql "SELECT value FROM worker_state WHERE key = 'heartbeat';"
}

hb_past() {
	local h
	h=$(heartbeat)
	[ -n "$h" ] && [ "$h" -gt "$1" ]
}

# two_ticks: returns once the worker has finished two more ticks.
two_ticks() {
	local h
	h=$(heartbeat)
	wait_until 10 hb_past $((h + 1)) || diag "the worker did not tick twice"
}

# worker_restart [YAML]: stops the worker and starts it again; returns
# once it has finished a tick.
worker_restart() {
	stop_pidfile worker
	sql "DELETE FROM worker_state WHERE key = 'heartbeat';"
	worker_start "${1:-$RUN/v2ray-stat.yaml}"
	wait_until 20 worker_ticked || diag "the restarted worker has not ticked"
}

pos_saved() {
	[ -n "$(sql "SELECT value FROM worker_state WHERE key = 'banned_log_pos';")" ]
}

# ban_line KIND USER IP [SECONDS]: a line as the fail2ban action writes it.
ban_line() {
	if [ "$1" = BAN ]; then
		printf '%s   BAN   [User] = %s [IP] = %s banned for %s seconds.\n' \
		    "$(date '+%Y/%m/%d %H:%M:%S')" "$2" "$3" "$4"
	else
		printf '%s   UNBAN   [User] = %s [IP] = %s unbanned.\n' \
		    "$(date '+%Y/%m/%d %H:%M:%S')" "$2" "$3"
	fi
}

# The texts (as the chat shows them), per user.
expired_rx() { printf '^❌ Subscription expired\n\nClient: +%s\nEnd date: +[0-9]{4}\\.' "$(rx "$1")"; }
disabled_rx() { printf '^🔒 User disabled\n\nClient: +%s\nReason: +subscription expired, no renewal$' "$(rx "$1")"; }
renewed_rx() { printf '^✅ Subscription renewed\n\nClient: +%s\nRenewed for: +%s days$' "$(rx "$1")" "$2"; }
enabled_rx() { printf '^🔓 User enabled\n\nClient: +%s\nSubscription until: +' "$(rx "$1")"; }
# ban_rx USER IP [SECONDS]
ban_rx() {
	printf '^🚫 IP Banned\n\n Client: +%s\n IP: +%s\n Time: +[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\n Duration: +%s$' \
	    "$(rx "$1")" "$(rx "$2")" "${3:-[0-9]+ seconds}"
}
unban_rx() {
	printf '^✅ IP Unbanned\n\n Client: +%s\n IP: +%s\n Time: +[0-9]{4}/' "$(rx "$1")" "$(rx "$2")"
}

# ------------------------------------------------------------ expiry, renew 0
api POST /api/v1/add_user --data-urlencode "user=$NAME" -d "credential=$V1"
is_reply 200 "User added successfully" "add_user $NAME"
api PATCH /api/v1/adjust_date --data-urlencode "user=$NAME" --data-urlencode "sub_end=-1h"
is_status 200 "adjust_date -1h"
run_ok "disabled once sub_end passed" within 5 field_is "$NAME" enabled false
expect_count "$(expired_rx "$NAME")" 1 "one 'Subscription expired' for $NAME, the name intact"
expect_count "$(disabled_rx "$NAME")" 1 "one 'User disabled' for $NAME"
is "$(notify_count "Subscription renewed")" 0 "no 'renewed' without renew"
is "$(notify_count '^UNPARSABLE')" 0 "every queued text is valid MarkdownV2"
two_ticks
two_ticks
is "$(notify_count "$(expired_rx "$NAME")")/$(notify_count "$(disabled_rx "$NAME")")" \
    1/1 "still one each after four more ticks"
worker_restart
two_ticks
is "$(notify_count "$(expired_rx "$NAME")")/$(notify_count "$(disabled_rx "$NAME")")" \
    1/1 "still one each after a worker restart and two ticks"
lap "expiry"

# ------------------------------------------------------------ back by adjust_date
api PATCH /api/v1/adjust_date --data-urlencode "user=$NAME" --data-urlencode "sub_end=+1d"
is_status 200 "adjust_date +1d brings $NAME back"
is "$(users_field "$NAME" enabled)" true "$NAME enabled again"
# Committed with the change: there as soon as the reply is.
is "$(notify_count "$(enabled_rx "$NAME")[0-9]{4}\\.")" 1 \
    "one 'User enabled' with the new end, there with the reply"
api PATCH /api/v1/adjust_date --data-urlencode "user=$NAME" --data-urlencode "sub_end=+1d"
is_status 200 "adjust_date again on an enabled user"
is "$(notify_count "$(enabled_rx "$NAME")")" 1 "no 'User enabled' for a user not disabled"

# ------------------------------------------------------------ back by set_enabled
api POST /api/v1/add_user -d "user=setme&credential=$V4"
is_reply 200 "User added successfully" "add_user setme"
api PATCH /api/v1/adjust_date -d "user=setme" --data-urlencode "sub_end=-1h"
run_ok "setme disabled as expired" within 5 field_is setme disabled_reason expired
api PATCH /api/v1/set_enabled -d "user=setme&enabled=true"
is_status 200 "set_enabled true on the expired setme"
is "$(notify_count "$(enabled_rx setme)")" 1 "one 'User enabled' for setme, there with the reply"
# Its end is still past: the expiry disables it again, and says so.
expect_count "$(expired_rx setme)" 2 "expired again: a second 'Subscription expired'"
expect_count "$(disabled_rx setme)" 2 "... and a second 'User disabled'"
api PATCH /api/v1/set_enabled -d "user=setme&enabled=false"
api PATCH /api/v1/set_enabled -d "user=setme&enabled=true"
is "$(notify_count "$(enabled_rx setme)")" 1 "no 'User enabled' after an admin's disable"
lap "enabled"

# ------------------------------------------------------------ renew
api POST /api/v1/add_user -d "user=renewer&credential=$V2"
is_reply 200 "User added successfully" "add_user renewer"
api PATCH /api/v1/update_renew -d "user=renewer&renew=30"
is_status 200 "update_renew 30"
api PATCH /api/v1/adjust_date -d "user=renewer" --data-urlencode "sub_end=-1h"
is_status 200 "adjust_date -1h with renew 30"
old=${body%$'\n'}
old=${old##* }
run_ok "renewed" within 5 field_isnt renewer sub_end "$old"
expect_count "$(expired_rx renewer)" 1 "one 'Subscription expired' for renewer"
expect_count "$(renewed_rx renewer 30)" 1 "one 'Subscription renewed' ... 'Renewed for: 30 days'"
is "$(notify_count "$(disabled_rx renewer)")/$(notify_count "$(enabled_rx renewer)")" 0/0 \
    "neither disabled nor enabled"

# A user the expiry disabled, then given a renew period.
api POST /api/v1/add_user -d "user=late&credential=$V3"
is_reply 200 "User added successfully" "add_user late"
api PATCH /api/v1/adjust_date -d "user=late" --data-urlencode "sub_end=-1h"
run_ok "late disabled as expired" within 5 field_is late disabled_reason expired
expect_count "$(disabled_rx late)" 1 "late: one 'User disabled'"
api PATCH /api/v1/update_renew -d "user=late&renew=7"
is_status 200 "update_renew 7 on the expired late"
run_ok "late renewed and enabled" within 5 field_is late enabled true
expect_count "$(renewed_rx late 7)" 1 "late: one 'Subscription renewed' for 7 days"
expect_count "$(enabled_rx late)[0-9]{4}\\." 1 "late: one 'User enabled' with its new end"
is "$(notify_count "$(expired_rx late)")" 1 "late: its expiry told once, not again"
two_ticks
is "$(notify_count "$(renewed_rx late 7)")/$(notify_count "$(enabled_rx late)")" 1/1 \
    "late: still one each two ticks later"
lap "renew"

# ------------------------------------------------------------ a mass expiry
# Fifteen subscriptions end while the worker is stopped: its first tick
# expires them all, and each kind is told once for all of them.
stop_pidfile worker
for i in $(seq -w 1 15); do
	echo "mass$i,8e1c3e0a-8b2d-4c5e-9f70-0000000000$i,vless-in"
done >"$RUN/mass.txt"
api POST /api/v1/bulk_add_users -F "users_file=@$RUN/mass.txt"
like "$status" '^20[02]$' "bulk_add_users of fifteen while the worker is down"
mass_ok=0
for i in $(seq -w 1 15); do
	api PATCH /api/v1/adjust_date -d "user=mass$i" --data-urlencode "sub_end=-1h"
	[ "$status" = 200 ] && mass_ok=$((mass_ok + 1))
done
is "$mass_ok" 15 "fifteen subscriptions ended while the worker is down"
worker_start "$RUN/v2ray-stat.yaml"
run_ok "all fifteen disabled at the worker's first tick" \
    within 20 field_is mass15 enabled false
expect_count '^❌ Subscriptions expired: 15 users\n\nmass01, mass02, .*mass15$' 1 \
    "one 'Subscriptions expired: 15 users' naming them"
expect_count '^🔒 Users disabled \(subscription expired\): 15 users\n\nmass01, ' 1 \
    "one 'Users disabled: 15 users'"
is "$(notify_count 'Client: +mass[0-9]')" 0 "no message per user"
lap "mass expiry"

# ------------------------------------------------------------ the banned log
# The file does not exist yet: waited for, read from its start.
ban_line BAN "$NAME" 198.51.100.7 1800 >>"$BANNED"
expect_count "$(ban_rx "$NAME" 198.51.100.7 '1800 seconds')" 1 \
    "one 'IP Banned': client intact, IP, time, '1800 seconds'"
ban_line UNBAN "$NAME" 198.51.100.7 >>"$BANNED"
expect_count "$(unban_rx "$NAME" 198.51.100.7)" 1 "one 'IP Unbanned'"
is "$(notify_count '^UNPARSABLE')" 0 "every queued text is valid MarkdownV2"

# Hostile and broken lines are skipped; the line after them is announced.
{
	printf '%s   BAN   [User] = evil [IP] = not-an-address banned for 5 seconds.\n' "$(date '+%Y/%m/%d %H:%M:%S')"
	printf 'garbage \001\002 [User] = evil [IP] = 203.0.113.99\n'
	printf '%s   BAN   [User] = evil [IP] = 203.0.113.99 banned for 5 seconds. and more\n' "$(date '+%Y/%m/%d %H:%M:%S')"
	head -c 5000 /dev/zero | tr '\0' 'x'
	printf '\n'
	ban_line BAN after-bad 198.51.100.8 60
} >>"$BANNED"
expect_count "$(ban_rx after-bad 198.51.100.8 '60 seconds')" 1 "the line after four bad ones is announced"
is "$(notify_count 'evil')" 0 "nothing of the bad lines"
run_ok "the bad lines are logged" grep -q 'banned log: line skipped' "$RUN/worker.log"
is "$(grep -c 'banned log:.*skipped' "$RUN/worker.log")" 1 \
    "... once, not one warning per line (a summary comes a minute later)"

worker_restart
ban_line BAN marker1 198.51.100.9 60 >>"$BANNED"
expect_count "$(ban_rx marker1 198.51.100.9)" 1 "after a restart, the next line is announced"
is "$(notify_count "$(ban_rx "$NAME" 198.51.100.7)")/$(notify_count "$(unban_rx "$NAME" 198.51.100.7)")/$(notify_count "$(ban_rx after-bad 198.51.100.8)")" \
    1/1/1 "... and none of the lines before it again"

# Written while the worker is down: announced once after it starts.
stop_pidfile worker
ban_line BAN down 192.0.2.10 120 >>"$BANNED"
ban_line UNBAN down 192.0.2.10 >>"$BANNED"
worker_restart
expect_count "$(ban_rx down 192.0.2.10 '120 seconds')" 1 "a BAN written while the worker was down: once"
expect_count "$(unban_rx down 192.0.2.10)" 1 "an UNBAN written while it was down: once"

# logrotate's rename (create): the last line of the old file and the
# first of the new one, each once.
ban_line BAN rot-old 192.0.2.20 30 >>"$BANNED"
mv "$BANNED" "$BANNED.1"
ban_line BAN rot-new 192.0.2.21 30 >>"$BANNED"
expect_count "$(ban_rx rot-old 192.0.2.20)" 1 "rename: the old file's last line, once"
expect_count "$(ban_rx rot-new 192.0.2.21)" 1 "rename: the new file's first line, once"
ban_line UNBAN rot-new 192.0.2.21 >>"$BANNED"
expect_count "$(unban_rx rot-new 192.0.2.21)" 1 "the new file is followed"
worker_restart
ban_line BAN marker2 192.0.2.22 30 >>"$BANNED"
expect_count "$(ban_rx marker2 192.0.2.22)" 1 "a restart after the rotation: the next line"
is "$(notify_count "$(ban_rx rot-old 192.0.2.20)")/$(notify_count "$(ban_rx rot-new 192.0.2.21)")" \
    1/1 "... and no line of either file again"

# No saved position (a first start) with a file full of history.
stop_pidfile worker
sql "DELETE FROM worker_state WHERE key IN ('banned_log_pos', 'banned_log_fp');"
ban_line BAN history 192.0.2.30 30 >>"$BANNED"
worker_restart
run_ok "a first start saves its position at the end" wait_until 10 pos_saved
ban_line BAN fresh 192.0.2.31 30 >>"$BANNED"
expect_count "$(ban_rx fresh 192.0.2.31)" 1 "first start: a new line is announced"
is "$(notify_count "$(ban_rx history 192.0.2.30)")" 0 "first start: the history is not"
lap "banned log"

# ------------------------------------------------------------ a real fail2ban
F2B_SERVER=$(command -v fail2ban-server || true)
if [ -z "$F2B_SERVER" ]; then
	skip 3 "fail2ban-server not installed"
else
	F2B=$RUN/f2b-conf
	mkdir -p "$F2B/filter.d" "$F2B/action.d"
	cp "$top_srcdir/conf/fail2ban/filter.d/v2ray-stat.conf" "$F2B/filter.d/"
	cp "$top_srcdir/conf/fail2ban/action.d/v2ray-stat-banned.conf" "$F2B/action.d/"
	cat >"$F2B/fail2ban.conf" <<EOF
[Definition]
loglevel = INFO
logtarget = $RUN/fail2ban.log
syslogsocket = auto
socket = $RUN/fail2ban.sock
pidfile = $RUN/fail2ban.pid.f2b
dbfile = :memory:
dbpurgeage = 1d
allowipv6 = auto
EOF
	# Only the shipped filter and action: nothing is blocked.
	cat >"$F2B/jail.conf" <<EOF
[v2ray-stat]
enabled  = true
backend  = polling
filter   = v2ray-stat
logpath  = $RUN/f2b.log
maxretry = 2
findtime = 92
bantime  = 3
action   = v2ray-stat-banned[banned_log="$BANNED"]
EOF
	: >>"$RUN/f2b.log"
	LC_PIDFILES="$LC_PIDFILES fail2ban"
	start_bg fail2ban "$RUN/fail2ban.out" "$F2B_SERVER" -f -x -c "$F2B" \
	    -s "$RUN/fail2ban.sock" -p "$RUN/fail2ban.pid.f2b"
	run_ok "fail2ban-server started in the run directory" \
	    wait_until 20 grep -qs "Jail 'v2ray-stat' started" "$RUN/fail2ban.log"
	# Two lines of the IP limit, as the worker writes them.
	for i in 1 2; do
		printf '%s [LIMIT_IP] User = %s || SRC = 203.0.113.77\n' \
		    "$(date '+%Y/%m/%d %H:%M:%S')" "$NAME" >>"$RUN/f2b.log"
	done
	expect_count "$(ban_rx "$NAME" 203.0.113.77 '3 seconds')" 1 \
	    "fail2ban bans it: one 'IP Banned' for $NAME, 3 seconds"
	expect_count "$(unban_rx "$NAME" 203.0.113.77)" 1 "and unbans it: one 'IP Unbanned'"
	stop_pidfile fail2ban
fi
lap "fail2ban"

# ------------------------------------------------------------ not configured
before=$(notify_msgs | wc -l)
pos=$(sql "SELECT value FROM worker_state WHERE key = 'banned_log_pos';")
CFG_TG_TOKEN=
CFG_TG_CHAT=
write_stat_yaml "$RUN/v2ray-stat-notg.yaml"
worker_restart "$RUN/v2ray-stat-notg.yaml"
fcgi_reconfig || bail_out "cannot restart the fcgi pool"
api POST /api/v1/add_user -d "user=quiet&credential=8e1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e15"
is_reply 200 "User added successfully" "add_user quiet"
api PATCH /api/v1/adjust_date -d "user=quiet" --data-urlencode "sub_end=-1h"
run_ok "no Telegram: quiet still expires" within 5 field_is quiet enabled false
api PATCH /api/v1/adjust_date -d "user=quiet" --data-urlencode "sub_end=+1d"
is "$(users_field quiet enabled)" true "no Telegram: adjust_date brings quiet back"
ban_line BAN quiet 192.0.2.40 30 >>"$BANNED"
two_ticks
two_ticks
is "$(notify_msgs | wc -l)" "$before" "no Telegram: nothing queued"
wpid=$(head -n 1 "$RUN/worker.pid")
is "$(find "/proc/$wpid/fd" -lname "$BANNED*" 2>/dev/null | wc -l)" 0 \
    "no Telegram: the worker has not opened the banned log"
is "$(sql "SELECT value FROM worker_state WHERE key = 'banned_log_pos';")" "$pos" \
    "no Telegram: its position is left as it was"
lap "not configured"

if [ "$tap_failed" -ne 0 ]; then
	diag "worker log (tail):"
	diag "$(tail -n 40 "$RUN/worker.log")"
	diag "messages:"
	diag "$(notify_msgs | tail -n 40)"
fi
done_testing
