#!/bin/bash
# make install puts the configuration in $(sysconfdir)/v2ray-stat/ once:
# with a fresh random api_token (32 hex digits, another on every install),
# mode 0640, the rest as conf/v2ray-stat.yaml, accepted by the worker's -n;
# a second install, or one over an edited file or a symbolic link, leaves
# what is there; uninstall removes it while unchanged and keeps an edited
# one.  Everything goes into DESTDIR staging directories.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

require_tools worker
command -v make >/dev/null 2>&1 || skip_all "make not found"
[ -f "$top_builddir/Makefile" ] || skip_all "$top_builddir/Makefile not found"
run_dir_new

# mk ARGS...: make in the build tree, whatever make runs this test.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	    make -s -C "$top_builddir" "$@" >>"$RUN/make.out" 2>&1
}

# conf DIR: the installed configuration under DESTDIR DIR (empty if none).
conf() {
	find "$1" -name v2ray-stat.yaml -path '*/v2ray-stat/*' 2>/dev/null
}

token() {
	sed -n 's/^  api_token: "\(.*\)"$/\1/p' "$1"
}

# ---- a first install
run_ok "make install DESTDIR=a" mk install DESTDIR="$RUN/a"
A=$(conf "$RUN/a")
like "$A" "^$RUN/a/.*/v2ray-stat/v2ray-stat.yaml$" "the configuration is installed ($A)"
[ -f "$A" ] || bail_out "no configuration installed: $(tail -n 5 "$RUN/make.out")"
like "$(token "$A")" '^[0-9a-f]{32}$' "with a 32-hex-digit api_token"
is "$(stat -c %a "$A")" 640 "mode 0640"
sed 's/^  api_token: "[0-9a-f]*"$/  api_token: ""/' "$A" >"$RUN/a.blank"
run_ok "the rest is conf/v2ray-stat.yaml" cmp -s "$RUN/a.blank" "$top_srcdir/conf/v2ray-stat.yaml"
"$WORKER_BIN" -n -f "$A" >"$RUN/n.out" 2>&1
is "$?" 0 "v2ray-stat-worker -n accepts it"
unlike "$(cat "$RUN/n.out")" 'api_token' "... without a word about api_token"

# ---- again: nothing changes
cp -p "$A" "$RUN/a.first"
run_ok "make install DESTDIR=a again" mk install DESTDIR="$RUN/a"
run_ok "the configuration is left as it was" cmp -s "$A" "$RUN/a.first"
like "$(cat "$RUN/make.out")" "v2ray-stat.yaml exists: left as it is" "make says so"

# ---- another install, another token
run_ok "make install DESTDIR=b" mk install DESTDIR="$RUN/b"
B=$(conf "$RUN/b")
like "$(token "$B")" '^[0-9a-f]{32}$' "b: a token"
isnt "$(token "$B")" "$(token "$A")" "b: not a's token"

# ---- an edited configuration survives install and uninstall
printf '# the admin was here\n' >>"$A"
cp -p "$A" "$RUN/a.edited"
run_ok "install over an edited configuration" mk install DESTDIR="$RUN/a"
run_ok "... leaves it" cmp -s "$A" "$RUN/a.edited"
run_ok "make uninstall DESTDIR=a" mk uninstall DESTDIR="$RUN/a"
run_ok "... keeps the edited configuration" cmp -s "$A" "$RUN/a.edited"
is "$(find "$RUN/a" -type f | grep -v '/v2ray-stat/v2ray-stat.yaml$')" "" \
    "... and removes everything else"

# ---- an unchanged configuration goes with uninstall
run_ok "make uninstall DESTDIR=b" mk uninstall DESTDIR="$RUN/b"
is "$(find "$RUN/b" -type f)" "" "nothing is left"

# ---- a symbolic link where the configuration goes is not followed
mkdir -p "$(dirname "${B}")"
ln -s "$RUN/elsewhere.yaml" "$B"
run_ok "install over a dangling symbolic link" mk install-data-local DESTDIR="$RUN/b"
[ -h "$B" ] && [ ! -e "$RUN/elsewhere.yaml" ]
ok $? "... leaves the link and writes nothing through it"
done_testing
