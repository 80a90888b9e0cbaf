#!/bin/bash
# Serial-over-LAN with real clients on ptys (tests/blackbox/sol_clients.py).
. "$(dirname "$0")/lib.sh"
write_conf
start_pmbd
out=$(timeout 300 /usr/bin/python3 "$TOP/tests/blackbox/sol_clients.py" "$PORT" "$PORT72" "$PW" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v 'passed, .* failed$'
PASS_OK=$(printf '%s\n' "$out" | grep -c '^ok - ')
FAIL_N=$(printf '%s\n' "$out" | grep -c '^not ok - ')
[ $rc -ne 0 ] && [ "$FAIL_N" -eq 0 ] && not_ok "sol_clients.py exited $rc"
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
