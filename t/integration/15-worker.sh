#!/bin/bash
# v2ray-stat-worker on its own: -h, -n on good and bad configs (FILE:LINE
# messages), the database it creates, SIGTERM/SIGINT, and adopting a
# database of the original v2ray-stat without losing rows.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

require_tools sqlite3 worker
run_dir_new
API_PORT=$(free_port)
VLESS_PORT=$(free_port)
TROJAN_PORT=$(free_port)
SOCKS_PORT=$(free_port)
CORE_VLESS_USERS=
CORE_TROJAN_USERS=
write_core_json "$RUN/core.json"
write_stat_yaml "$RUN/good.yaml"

# ---- -h
"$WORKER_BIN" -h >"$RUN/h.out" 2>&1
rc=$?
ok $((rc > 1)) "-h exits 0 or 1 (got $rc)"
like "$(cat "$RUN/h.out")" '[Uu]sage' "-h prints a usage line"

# ---- -n on a good config
"$WORKER_BIN" -n -f "$RUN/good.yaml" >"$RUN/n.out" 2>&1
is "$?" 0 "-n on a good config exits 0"
unlike "$(cat "$RUN/n.out")" ':[0-9]+: [^w]' "-n on a good config prints no error"
[ ! -e "$DB" ]
ok $? "-n does not create the database"
: >"$RUN/access.log"
"$WORKER_BIN" -n -f "$RUN/good.yaml" >"$RUN/n.out" 2>&1
unlike "$(cat "$RUN/n.out")" 'warning: (v2ray-stat|core|paths)\.' \
    "-n: no warning when every path is usable and no port is set"

# warned_keys FILE: the keys -n warns about, sorted, one line.
warned_keys() {
	sed -n 's/^[^ ]*: warning: \([a-z0-9_.-]*\)\( (default)\)\{0,1\}: .*/\1/p' "$1" |
	    sort | tr '\n' ' '
}

# ---- -n on the original's own config.yaml: runs unchanged, and says
# precisely what it ignores or cannot use here.
if [ -e /usr/local/etc/xray ] || [ -e /usr/local/etc/v2ray-stat ]; then
	skip 3 "the original's paths exist on this host"
else
	"$WORKER_BIN" -n -f "$top_srcdir/t/data/original-config.yaml" >"$RUN/orig.out" 2>&1
	is "$?" 0 "-n on the original's config.yaml exits 0"
	want="core.access_log core.config core.dir paths.database "
	[ -w /var/log ] || want="${want}paths.f2b_log "
	want="${want}v2ray-stat.address v2ray-stat.port "
	is "$(warned_keys "$RUN/orig.out")" "$want" \
	    "-n on the original's config.yaml: exactly the port, the address and the missing paths"
	like "$(cat "$RUN/orig.out")" "original-config.yaml:10: warning: v2ray-stat.port: does not choose where the API listens" \
	    "-n: the port's warning names its line"
fi

# A path that cannot be used: a directory where the database should be,
# an access log's directory that does not exist, with the key's line.
sed -e "s|^  database: .*|  database: $RUN|" -e "s|^  access_log: .*|  access_log: $RUN/nodir/access.log|" \
    "$RUN/good.yaml" >"$RUN/paths.yaml"
"$WORKER_BIN" -n -f "$RUN/paths.yaml" >"$RUN/paths.out" 2>&1
is "$?" 0 "-n with unusable paths still exits 0 (warnings)"
like "$(cat "$RUN/paths.out")" "paths.yaml:[0-9]+: warning: paths.database: '$RUN' is a directory" \
    "-n: a database path that is a directory"
like "$(cat "$RUN/paths.out")" "paths.yaml:[0-9]+: warning: core.access_log: '$RUN/nodir/access.log' does not exist \(yet\)" \
    "-n: an access log that does not exist yet"

# ---- -n on bad configs: exit 1, "FILE:LINE: key: message"
# check_bad NAME LINE KEYRE: writes RUN/NAME.yaml from stdin and checks
# that -n reports an error on LINE mentioning a key matching KEYRE.
check_bad() {
	local f=$RUN/$1.yaml out rc
	cat >"$f"
	"$WORKER_BIN" -n -f "$f" >"$RUN/bad.out" 2>&1
	rc=$?
	out=$(cat "$RUN/bad.out")
	is "$rc" 1 "-n $1: exits 1"
	like "$out" "(^|$'\n')$f:$2: [^ ]*$3[^ ]*: [^ ]" "-n $1: '$f:$2: key: message'"
}

check_bad bad-port 3 'port' <<'EOF'
v2ray-stat:
  type: v2fly
  port: not-a-number
EOF
check_bad bad-bool 4 'network' <<'EOF'
# comment line
features:
  telegram: false
  network: maybe
EOF
check_bad bad-type 3 'database' <<'EOF'
paths:
  f2b_log: /tmp/x.log
  database: [a, b]
EOF
check_bad bad-port-range 2 'port' <<'EOF'
v2ray-stat:
  port: 70000
EOF
check_bad token-without-chat 4 'telegram.bot_token' <<'EOF'
features:
  telegram: true
telegram:
  bot_token: "123456:ABC-def"
EOF
check_bad chat-without-token 3 'telegram.chat_id' <<'EOF'
telegram:
  bot_token: ""
  chat_id: -1001234567890
EOF

# A YAML syntax error: exit 1 and a FILE:LINE: message.
printf 'log:\n  loglevel: info\n  bad: [unclosed\nfeatures: {\n' >"$RUN/syntax.yaml"
"$WORKER_BIN" -n -f "$RUN/syntax.yaml" >"$RUN/bad.out" 2>&1
is "$?" 1 "-n on a YAML syntax error exits 1"
like "$(cat "$RUN/bad.out")" "$RUN/syntax.yaml:[0-9]+: " "syntax error reported as FILE:LINE:"

# A missing file.
"$WORKER_BIN" -n -f "$RUN/missing.yaml" >"$RUN/bad.out" 2>&1
is "$?" 1 "-n on a missing file exits 1"
like "$(cat "$RUN/bad.out")" "$RUN/missing.yaml" "the missing file is named"

# An unknown key is only a warning: exit 0, "FILE:LINE: warning: ".
{
	printf 'bogus_key: 1\n'
	cat "$RUN/good.yaml"
} >"$RUN/warn.yaml"
"$WORKER_BIN" -n -f "$RUN/warn.yaml" >"$RUN/warn.out" 2>&1
is "$?" 0 "-n with an unknown key exits 0"
like "$(cat "$RUN/warn.out")" "$RUN/warn.yaml:1: warning: " "unknown key: 'FILE:1: warning: ...'"

# ---- a run: creates the database, exits 0 on SIGTERM
worker_start "$RUN/good.yaml"
wpid=$(cat "$RUN/worker.pid")
run_ok "worker creates the database (user_version $(schema_version))" wait_until 10 db_ready
is "$(missing_tables)" "" "all tables created"
cols=$(sql "SELECT group_concat(name, ' ') FROM pragma_table_info('clients_stats');")
is "$cols" "user uuid last_seen rate enabled sub_end renew lim_ip ips uplink downlink sess_uplink sess_downlink created inbound_tag disabled_reason core_error name_key config_removed" "clients_stats columns"
cols=$(sql "SELECT group_concat(name, ' ') FROM pragma_table_info('traffic_stats');")
is "$cols" "source rate uplink downlink sess_uplink sess_downlink direction" "traffic_stats columns"
cols=$(sql "SELECT group_concat(name, ' ') FROM pragma_table_info('dns_stats');")
is "$cols" "user count domain" "dns_stats columns"
is "$(sql 'PRAGMA journal_mode;')" wal "journal mode WAL"
sleep 1
pid_ours "$wpid"
ok $? "worker keeps running without a core"
kill -TERM "$wpid"
wait_exit 10 "$wpid"
is "$?" 0 "exits with status 0 within 10 s of SIGTERM"

# Again with SIGINT, on the existing database (nothing to migrate).
worker_start "$RUN/good.yaml"
wpid=$(cat "$RUN/worker.pid")
sleep 1
kill -INT "$wpid"
wait_exit 10 "$wpid"
is "$?" 0 "exits with status 0 after SIGINT"
is "$(sql 'PRAGMA user_version;')" "$(schema_version)" "user_version unchanged"

# ---- adopting an original v2ray-stat database
DB=$RUN/orig.db
sql <<'EOF'
CREATE TABLE clients_stats (
    user TEXT PRIMARY KEY, uuid TEXT NOT NULL, last_seen TEXT DEFAULT '',
    rate INTEGER DEFAULT 0, enabled TEXT, sub_end TEXT DEFAULT '',
    renew INTEGER DEFAULT 0, lim_ip INTEGER DEFAULT 0, ips TEXT DEFAULT '',
    uplink INTEGER DEFAULT 0, downlink INTEGER DEFAULT 0,
    sess_uplink INTEGER DEFAULT 0, sess_downlink INTEGER DEFAULT 0, created TEXT);
CREATE TABLE traffic_stats (
    source TEXT PRIMARY KEY, rate INTEGER DEFAULT 0, uplink INTEGER DEFAULT 0,
    downlink INTEGER DEFAULT 0, sess_uplink INTEGER DEFAULT 0, sess_downlink INTEGER DEFAULT 0);
CREATE TABLE dns_stats (user TEXT NOT NULL, count INTEGER DEFAULT 1, domain TEXT NOT NULL,
    PRIMARY KEY (user, domain));
CREATE INDEX idx_clients_stats_user ON clients_stats(user);
CREATE INDEX idx_clients_stats_rate ON clients_stats(rate);
CREATE INDEX idx_clients_stats_enabled ON clients_stats(enabled);
INSERT INTO clients_stats VALUES
    ('user1', '550e8400-e29b-41d4-a716-446655440000', '2025-06-01 12:00', 0, 'true',
     '2030-01-01-00', 30, 2, '1.2.3.4', 1000, 2000, 10, 20, '2025-01-01-10'),
    ('user2', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'online', 800, 'false',
     '', 0, 0, '', 3000000000, 4000000000, 0, 0, '2025-02-01-11'),
    ('Пётр', 'tpass', '', 0, 'true', '2031-01-01-00', 0, 5, '', 5, 6, 0, 0, '2025-03-01-12');
INSERT INTO traffic_stats VALUES ('vless-in', 100, 11, 12, 13, 14), ('direct', 0, 21, 22, 23, 24);
INSERT INTO dns_stats VALUES ('user1', 7, 'example.com'), ('user1', 2, 'a.org'), ('user2', 1, 'b.net');
EOF
users_before=$(sql "SELECT user, uuid, last_seen, rate, enabled, sub_end, renew, lim_ip, ips, uplink, downlink, sess_uplink, sess_downlink, created FROM clients_stats ORDER BY user;")
traffic_before=$(sql "SELECT source, rate, uplink, downlink, sess_uplink, sess_downlink FROM traffic_stats ORDER BY source;")
dns_before=$(sql "SELECT user, count, domain FROM dns_stats ORDER BY user, domain;")
sed "s|database: .*|database: $DB|" "$RUN/good.yaml" >"$RUN/orig.yaml"
worker_start "$RUN/orig.yaml"
wpid=$(cat "$RUN/worker.pid")
run_ok "worker migrates the original database (user_version $(schema_version))" wait_until 10 db_ready
sleep 1
kill -TERM "$wpid"
wait_exit 10 "$wpid"
is "$?" 0 "worker exits 0 after the migration"
is "$(sql "SELECT user, uuid, last_seen, rate, enabled, sub_end, renew, lim_ip, ips, uplink, downlink, sess_uplink, sess_downlink, created FROM clients_stats ORDER BY user;")" \
    "$users_before" "clients_stats rows kept with every value"
is "$(sql "SELECT source, rate, uplink, downlink, sess_uplink, sess_downlink FROM traffic_stats ORDER BY source;")" \
    "$traffic_before" "traffic_stats rows kept"
is "$(sql "SELECT user, count, domain FROM dns_stats ORDER BY user, domain;")" \
    "$dns_before" "dns_stats rows kept"
cols=$(sql "SELECT group_concat(name, ' ') FROM pragma_table_info('clients_stats');")
like "$cols" ' inbound_tag' "clients_stats gained inbound_tag"
like "$cols" ' disabled_reason' "clients_stats gained disabled_reason"
like "$cols" ' core_error' "clients_stats gained core_error"
cols=$(sql "SELECT group_concat(name, ' ') FROM pragma_table_info('traffic_stats');")
like "$cols" ' direction' "traffic_stats gained direction"
is "$(sql "SELECT wr FROM pragma_table_list WHERE name = 'dns_stats';")" 1 \
    "dns_stats rebuilt without rowids, same columns"
is "$(missing_tables)" "" "new tables added"
is "$(sql "PRAGMA integrity_check;")" ok "integrity_check ok"

done_testing
