#!/bin/bash
# A user deleted and added again at once: the worker takes the user out of
# the core config file within half a second, and add_user must not take the
# file's stale entry for an existing user (a 409) in the meantime.
# shellcheck source=t/integration/lib.sh
. "${top_srcdir:-$(dirname "$0")/../..}/t/integration/lib.sh"
set -u

stack_start
for i in 1 2 3 4 5; do
	api POST /api/v1/add_user -d "user=re&credential=123e4567-e89b-12d3-a456-42661417400$i&inboundTag=vless-in"
	is "$status" 200 "add 're' ($i)"
	api DELETE "/api/v1/delete_user?user=re"
	is "$status" 200 "delete 're' at once ($i)"
done
api POST /api/v1/add_user -d "user=re&credential=123e4567-e89b-12d3-a456-426614174005&inboundTag=vless-in"
is "$status" 200 "the last credential is free again at once"
is "$(sql "SELECT user || ' ' || uuid FROM clients_stats WHERE user = 're';")" \
    "re 123e4567-e89b-12d3-a456-426614174005" "one row, the last credential"
done_testing
