#!/bin/bash
# Serial-over-LAN with real clients on ptys (tests/blackbox/sol_clients.py).
. "$(dirname "$0")/lib.sh"
use_sanitized
write_conf
start_pmbd
run_py sol_clients.py "$TOP/tests/blackbox/sol_clients.py" "$PORT" "$PORT72" "$PW"
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
