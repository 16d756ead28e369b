#!/bin/bash
# The system watch and the daily report (features.telegram): a service
# (a copy of sleep under a name of its own) stopped and started gives one
# "Service Status Update" each; the average memory use above a threshold
# of 1% gives one alert; the daily report, its time passed today, goes
# once.  Restarting the worker repeats none of them, and a service that
# stopped while the worker was down is told once after it starts.  The
# disk's threshold is 0: off, never an alert.  Counted as the fake Bot
# API received them, once the sender emptied the outbox.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

# A name no other process has, within the 15 bytes the kernel keeps.
SVC=v2s$$x$((RANDOM % 1000))
SVC=${SVC:0:15}
# A zone where it is about noon now: the report's time (11:00) has
# passed today, and midnight is far on either side.
h=$((10#$(date -u +%H)))
off=$((12 - h))
if [ "$off" -ge 0 ]; then CFG_TIMEZONE=Etc/GMT-$off; else CFG_TIMEZONE=Etc/GMT+$((-off)); fi
[ "$off" = 0 ] && CFG_TIMEZONE=Etc/GMT

STACK_BOTAPI=1
STACK_WORKER=0
CFG_TICKER=1
CFG_TELEGRAM=true
CFG_SERVICES="$SVC"
CFG_TG_EXTRA='  report_time: "11:00"'
CFG_SYSMON_EXTRA='  average_interval: 10
  memory:
    threshold: 1
  disk:
    threshold: 0'
export CFG_TIMEZONE

svc_start() {
	start_bg svc "$RUN/svc.log" "$RUN/$SVC" 600
}
svc_stop() {
	[ -n "${RUN:-}" ] && stop_pidfile svc KILL
}
trap 'svc_stop; stack_stop' EXIT

stack_start
cp /bin/sleep "$RUN/$SVC" || bail_out "cannot copy /bin/sleep"
svc_start
run_ok "the service runs under its name" wait_until 5 pgrep -x "$SVC"
worker_start "$RUN/v2ray-stat.yaml"
run_ok "the worker ticks" wait_until 20 worker_ticked

sysmon_state() {
	sql "SELECT value FROM worker_state WHERE key = 'sysmon_state';" 2>/dev/null
}
heartbeat() {
	sql "SELECT value FROM worker_state WHERE key = 'heartbeat';" 2>/dev/null
}
# beats N: waits until the worker's heartbeat moved N times (N ticks).
beats() {
	local n=$1 last now
	last=$(heartbeat)
	while [ "$n" -gt 0 ]; do
		wait_until 10 eval 'now=$(heartbeat); [ "$now" != "$last" ]' ||
			return 1
		last=$now
		n=$((n - 1))
	done
}
# chat_count REGEX: the messages matching REGEX that the chat received,
# once none is waiting in the outbox ("queued" while some are): a message
# just delivered can be both in the outbox and in the fake's log, and
# would count twice.
chat_count() {
	local n
	n=$(notify_count "$1")
	if [ "$(cat "$RUN/outbox.json" 2>/dev/null)" = "[]" ]; then
		echo "$n"
	else
		echo queued
	fi
}
count_is() {
	[ "$(chat_count "$1")" = "$2" ]
}
# settled REGEX: chat_count once the outbox is empty (waits up to 10 s).
settled() {
	local re=$1
	wait_until 10 eval '[ "$(chat_count "$re")" != queued ]'
	chat_count "$re"
}
svc_msgs='Service Status Update'
mem_msgs='ALERT: Average memory usage'

run_ok "the first check records the service as up" \
	wait_until 10 eval '[[ "$(sysmon_state)" == *" up=1" ]]'
is "$(settled "$svc_msgs")" 0 "the first check sends nothing"

# The daily report: due at once (11:00 passed today, local).
run_ok "the daily report reaches the chat" wait_until 15 count_is 'v2ray-stat version' 1
report=$(notify_msgs | grep 'v2ray-stat version' | head -n 1)
like "$report" '^"⚙️ v2ray-stat version' "the report is delivered as the original's text"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
like "$report" "v2ray-stat version: $version\\\\n" "the report names v2ray-stat's version ($version)"
like "$report" 'TCP: [0-9]+\\n' "the report has a TCP: line"
like "$report" 'UDP: [0-9]+\\n' "the report has a UDP: line"
like "$report" "Status: ▲ $SVC\"\$" "the report's status line shows the service up"
like "$report" 'Traffic: [0-9.]+ [KMG]?i?B \(↑[0-9.]+ [KMG]?i?B,↓' "the report has the traffic"
like "$report" 'RAM: [0-9.]+ MB used / [0-9.]+ MB total' "the report has the memory"
if [ -n "${V2RAY_BIN:-}" ] && [ -x "$V2RAY_BIN" ] && command -v v2ray >/dev/null; then
	cv=$(v2ray -version 2>/dev/null | awk 'NR == 1 { print $2 }')
	like "$report" "v2fly version: $cv\\\\n" "the report has the core's version ($cv, from PATH)"
else
	skip 1 "no v2ray in PATH"
fi
is "$(sql "SELECT value FROM worker_state WHERE key = 'report_last';")" \
	"$(TZ=$CFG_TIMEZONE date +%F)" "report_last is today's local date"

# A service stopped, then started.
svc_stop
run_ok "stopped: one message" wait_until 10 count_is "$svc_msgs" 1
like "$(notify_msgs | grep "$svc_msgs")" "▼ $SVC" "it says the service is down"
svc_start
run_ok "started again: a second message" wait_until 10 count_is "$svc_msgs" 2
like "$(notify_msgs | grep "$svc_msgs" | tail -n 1)" "▲ $SVC" "it says the service is up"

# Memory: 10 s of samples above 1%.
run_ok "the memory alert reaches the chat" wait_until 30 count_is "$mem_msgs" 1
like "$(notify_msgs | grep "$mem_msgs")" 'over 10 seconds exceeded 1%! \(Current: [0-9.]+%\)' \
	"the alert names the interval and the threshold"
run_ok "three more ticks" beats 3
is "$(settled "$mem_msgs")" 1 "the memory alert is not repeated"
is "$(settled "$svc_msgs")" 2 "no more service messages while it runs"
like "$(sysmon_state)" '^sysmon1 mem=1 disk=0 list=[0-9a-f]{16} up=1$' \
	"the state saves the alert and the service"

# The worker stops; the service stops while it is down; the worker comes
# back: the change is told once, nothing else again.
stop_pidfile worker
svc_stop
worker_start "$RUN/v2ray-stat.yaml"
run_ok "after the restart: the change made meanwhile is told" \
	wait_until 15 count_is "$svc_msgs" 3
like "$(notify_msgs | grep "$svc_msgs" | tail -n 1)" "▼ $SVC" "it says the service is down"
# The memory window (10 samples) fills again and is judged.
run_ok "twelve ticks after the restart" beats 12
is "$(settled "$mem_msgs")" 1 "the memory alert is not repeated after a restart"
is "$(settled "$svc_msgs")" 3 "the service change is told once"
is "$(settled 'v2ray-stat version')" 1 "the daily report is not sent again the same day"
is "$(settled 'disk usage')" 0 "disk threshold 0: no disk alert"
is "$(settled 'dropped below')" 0 "no all-clear without a drop"
is "$(botapi_q 'len(R)')" 5 "the fake Bot API got five messages, each accepted at once (valid MarkdownV2)"
unlike "$(cat "$RUN/worker.log")" 'cannot save' "every state was saved"

done_testing
