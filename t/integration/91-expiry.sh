#!/bin/bash
# Subscriptions on the live core, checked with real client traffic (a
# second v2ray acting as a client), VLESS and Trojan: sub_end passes with
# renew=0 -> disabled with reason 'expired' and refused; adjust_date into
# the future re-enables it; with renew=30 the user keeps working past
# sub_end and the new end is the old end + k*30 days; an admin-disabled
# user with a future sub_end stays disabled, and adjust_date does not
# re-enable it.  ticker_interval 1: subscriptions are checked every tick.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
# shellcheck source=t/integration/lib-client.sh
. "$top_srcdir/t/integration/lib-client.sh"
set -u
lap start

require_tools v2ray python3 coreapi-cli
CFG_TICKER=1
lc_setup_main 8e1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e01 Expiry-Pass-0815 8e1c3e0a-8b2d-4c5e-9f70-1a2b3c4d5e02

# add_days YYYY-MM-DD-HH N: the date N days later, same format.
add_days() {
	"$PYTHON3" -c '
import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d-%H") + datetime.timedelta(days=int(sys.argv[2]))
print(t.strftime("%Y-%m-%d-%H"))' "$1" "$2"
}

# expiry LABEL USER TAG CRED PORT
expiry() {
	local p=$1 u=$2 tag=$3 cred=$4 port=$5 old want now

	api POST /api/v1/add_user -d "user=$u&credential=$cred&inboundTag=$tag"
	is_reply 200 "User added successfully" "$p: add_user 200 (applied)"
	probe "$port"
	ok $? "$p: the client works right after add_user"

	# ---- expiry, renew = 0
	api PATCH /api/v1/adjust_date --data-urlencode "user=$u" --data-urlencode "sub_end=-1h"
	like_reply 200 "^Subscription date for $u updated with sub_end [0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}\$" \
	    "$p: adjust_date -1h 200"
	old=$(users_field "$u" sub_end)
	now=$(date -u +%Y-%m-%d-%H)
	if [[ "$old" < "$now" ]]; then pass "$p: sub_end $old is in the past"; else fail "$p: sub_end $old is in the past (now $now)"; fi
	run_ok "$p: disabled within 3 s of sub_end passing (renew=0)" within 3 field_is "$u" enabled false
	is "$(users_field "$u" disabled_reason)" expired "$p: disabled_reason expired"
	run_ok "$p: the client is refused once expired" wait_probe_fails 3 "$port"
	sleep 2
	is "$(users_field "$u" enabled)" false "$p: still disabled two ticks later"

	# ---- adjust_date into the future re-enables an expired user
	api PATCH /api/v1/adjust_date --data-urlencode "user=$u" --data-urlencode "sub_end=+1d"
	like_reply 200 "^Subscription date for $u updated with sub_end " "$p: adjust_date +1d on the expired user 200"
	is "$(users_field "$u" enabled)/$(users_field "$u" disabled_reason)" "true/" "$p: re-enabled, no reason"
	probe "$port"
	ok $? "$p: the client works again after adjust_date"

	# ---- renew = 30: sub_end moves forward by 30 days from the old end
	api PATCH /api/v1/update_renew -d "user=$u&renew=30"
	is_reply 200 "Renew value updated successfully" "$p: update_renew 30"
	api PATCH /api/v1/adjust_date -d "user=$u&sub_end=0"
	is_status 200 "$p: sub_end unlimited"
	api PATCH /api/v1/adjust_date --data-urlencode "user=$u" --data-urlencode "sub_end=-1h"
	is_status 200 "$p: adjust_date -1h with renew=30"
	# The reply names the end it stored (a tick may renew it at once).
	old=${body%$'\n'}
	old=${old##* }
	want=$(add_days "$old" 30)
	run_ok "$p: sub_end renewed within 3 s" within 3 field_isnt "$u" sub_end "$old"
	is "$(users_field "$u" sub_end)" "$want" "$p: new sub_end = old end $old + 30 days"
	is "$(users_field "$u" enabled)" true "$p: still enabled after the renewal"
	probe "$port"
	ok $? "$p: the client keeps working past the old sub_end"

	# An end 70 days ago: three 30-day steps to reach the future.
	old=$(date -u -d '70 days ago' +%Y-%m-%d-%H)
	want=$(add_days "$old" 90)
	sql "UPDATE clients_stats SET sub_end = '$old' WHERE user = '$u';"
	run_ok "$p: sub_end 70 days ago renewed within 3 s" within 3 field_isnt "$u" sub_end "$old"
	is "$(users_field "$u" sub_end)" "$want" "$p: new sub_end = $old + 3*30 days"
	is "$(users_field "$u" enabled)" true "$p: enabled after the 3-step renewal"
	probe "$port"
	ok $? "$p: the client still works"
}

lap "setup"
expiry vless vuser vless-in "$V1" "$P_V1"
lap "vless"
expiry trojan tuser trojan-in "$T1" "$P_T1"
lap "trojan"

# ---- an admin-disabled user with a future sub_end stays disabled
api POST /api/v1/add_user -d "user=auser&credential=$V2"
is_reply 200 "User added successfully" "auser: add_user 200"
run_ok "auser: the client works" probe "$P_V2"
api PATCH /api/v1/adjust_date --data-urlencode "user=auser" --data-urlencode "sub_end=+10d"
is_status 200 "auser: sub_end 10 days ahead"
api PATCH /api/v1/set_enabled -d "user=auser&enabled=false"
is_reply 200 "User status updated successfully" "auser: disabled by the admin"
sleep 3
is "$(users_field auser enabled)/$(users_field auser disabled_reason)" "false/admin" \
    "auser: still disabled (admin) after three ticks"
run_ok "auser: the client is refused" probe_fails "$P_V2"
api PATCH /api/v1/adjust_date --data-urlencode "user=auser" --data-urlencode "sub_end=+5d"
is_status 200 "auser: adjust_date +5d 200"
sleep 1.5
is "$(users_field auser enabled)/$(users_field auser disabled_reason)" "false/admin" \
    "auser: adjust_date does not re-enable an admin-disabled user"
run_ok "auser: the client is still refused" probe_fails "$P_V2"

lap "admin-disabled user"
run_ok "the core is still the one started first" pidfile_alive core
if [ "$tap_failed" -ne 0 ]; then
	diag "worker log (tail):"
	diag "$(tail -n 40 "$RUN/worker.log")"
fi
done_testing
