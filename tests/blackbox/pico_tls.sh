#!/bin/bash
# The pico driver's node link over real TLS 1.2 PSK, before any firmware:
# openssl s_client is the node's TLS, pico_tls.py speaks the frames, and
# ipmitool asks pmbd (offline D5h, power on through POWER/RESULT, STATE,
# sensors, console acknowledgements, unknown identity and wrong key).
. "$(dirname "$0")/lib.sh"
NPORT=$(free_port)
run_py pico_tls "$TOP/tests/blackbox/pico_tls.py" "$PMBD" "$NPORT" "$PORT"
echo "$PASS_OK passed, $FAIL_N failed"
[ "$FAIL_N" -eq 0 ]
