#!/bin/bash
# Every core config example of README.md and the man pages is a complete
# config that keeps the proxy's customers away from the API: the Xray/v2fly
# ones pass the real core's -test, and the worker's routing check (-n)
# finds no inbound that can reach the API or the core's API in any of
# them.  The same example without its block rule is flagged, so the check
# is not vacuous.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

require_tools python3 worker v2ray
run_dir_new
API_PORT=9953

# Extracts the examples: RUN/ex-N.json and a line "N KIND WHERE" each
# (KIND xray or singbox); a block that looks like a core config but is not
# JSON is a line "N broken WHERE".
"$PYTHON3" - "$RUN" "$top_srcdir/README.md" "$top_srcdir"/man/*.[0-9] >"$RUN/examples" <<'EOF'
import json, re, sys

run, files = sys.argv[1], sys.argv[2:]
n = 0
for path in files:
    text = open(path, encoding="utf-8").read()
    if path.endswith(".md"):
        blocks = re.findall(r"^```json\n(.*?)^```", text, re.S | re.M)
    else:
        blocks = re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed", text, re.S | re.M)
        blocks = [b.replace("\\e", "\\").replace("\\(dq", '"').replace("\\&", "")
                  for b in blocks]
    name = path.rsplit("/", 1)[-1]
    for b in blocks:
        if '"inbounds"' not in b:
            continue
        n += 1
        try:
            d = json.loads(b)
        except ValueError as e:
            print(n, "broken", name, e)
            continue
        kind = "singbox" if "route" in d or "experimental" in d else "xray"
        with open("%s/ex-%d.json" % (run, n), "w") as f:
            json.dump(d, f, indent=1)
        # The same with its access log in RUN: the core opens it.
        if "access" in d.get("log", {}):
            d["log"]["access"] = "%s/access-%d.log" % (run, n)
        with open("%s/ex-%d.test.json" % (run, n), "w") as f:
            json.dump(d, f, indent=1)
        print(n, kind, name)
EOF
diag "$(cat "$RUN/examples")"
is "$(grep -c ' README.md$' "$RUN/examples")" 2 "README.md has two core config examples"
is "$(grep -c ' v2ray-stat.8$' "$RUN/examples")" 2 "v2ray-stat(8) has two"
is "$(grep -c ' xray ' "$RUN/examples") $(grep -c ' singbox ' "$RUN/examples")" "2 2" \
    "two for Xray/v2fly and two for sing-box"
is "$(grep ' broken ' "$RUN/examples")" "" "every one is JSON"

# check_n FILE KIND: -n on a config pointing at FILE; its output.
check_n() {
	CFG_TYPE=$2
	write_stat_yaml "$RUN/v2ray-stat.yaml"
	sed -i "s|^  config: .*|  config: $1|" "$RUN/v2ray-stat.yaml"
	"$WORKER_BIN" -n -f "$RUN/v2ray-stat.yaml" 2>&1
}

while read -r n kind where; do
	[ "$kind" = broken ] && continue
	f=$RUN/ex-$n.json
	if [ "$kind" = xray ]; then
		"$V2RAY_BIN" -test -config "$RUN/ex-$n.test.json" >"$RUN/test.out" 2>&1
		ok $? "example $n ($where): v2ray -test accepts it" ||
		    diag "$(tail -n 3 "$RUN/test.out")"
	fi
	out=$(check_n "$f" "$kind")
	unlike "$out" 'CORECONFIG|can reach|cannot check' "example $n ($where): the routing check has no warning" ||
	    diag "$out"
done <"$RUN/examples"

# The first Xray example without its block rule: flagged.
n=$(awk '$2 == "xray" { print $1; exit }' "$RUN/examples")
"$PYTHON3" - "$RUN/ex-$n.test.json" "$RUN/noblock.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["routing"]["rules"] = [r for r in d["routing"]["rules"] if r.get("outboundTag") != "block"]
json.dump(d, open(sys.argv[2], "w"))
EOF
"$V2RAY_BIN" -test -config "$RUN/noblock.json" >"$RUN/test.out" 2>&1
ok $? "without the block rule it still passes v2ray -test"
like "$(check_n "$RUN/noblock.json" xray)" \
    "warning: inbound 'vless-in' can reach 127.0.0.1:9952 \\(the API\\): no routing rule blocks it" \
    "... and the routing check flags it"
n=$(awk '$2 == "singbox" { print $1; exit }' "$RUN/examples")
"$PYTHON3" - "$RUN/ex-$n.json" "$RUN/noresolve.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["route"]["rules"] = [r for r in d["route"]["rules"] if r.get("action") != "resolve"]
json.dump(d, open(sys.argv[2], "w"))
EOF
like "$(check_n "$RUN/noresolve.json" singbox)" \
    "warning: inbound 'vless-in' can reach 127.0.0.1:9952 \\(the API\\) under a host name" \
    "the sing-box example without its resolve action is flagged"
done_testing
