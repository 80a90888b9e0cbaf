#!/bin/bash
# Live reload (SIGHUP): see reload.py.
. "$(dirname "$0")/lib.sh"
NEWPORT=$(free_port)
EXTRA_TARGETS='  # EXTRA'
write_conf
start_pmbd
run_py "reload" "$TOP/tests/blackbox/reload.py" "$PMBD_PID" "$T/pmbd.conf" "$PORT" "$PW" "$T/pmbd.log" "$NEWPORT"
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
