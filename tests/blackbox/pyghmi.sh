#!/bin/bash
# pyghmi (python3-pyghmi, /usr/bin/python3) against the real daemon.
. "$(dirname "$0")/lib.sh"
write_conf
start_pmbd
run_py pyghmi_client.py "$TOP/tests/blackbox/pyghmi_client.py" "$PORT" "$PORT72" "$PW"
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
