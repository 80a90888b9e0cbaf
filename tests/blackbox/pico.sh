#!/bin/bash
# The pico driver end to end: pmbd and pmb-node-sim (the node firmware's
# core, built for Linux) on loopback; see pico_e2e.py for what is checked.
. "$(dirname "$0")/lib.sh"
use_sanitized memory
[ -x "$TOP/build/pmb-node-sim" ] || { not_ok "build/pmb-node-sim is not built"; finish; exit 1; }

NPORT=$(/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key() { openssl rand -hex 32 > "$T/psk-$1"; cat "$T/psk-$1"; }
pico() {	# pico ADDR NAME [OPTIONS]: a pico target line
	printf ',\n  { address = %d; name = "%s"; driver = "pico"; node = "%s"; psk = "%s"; %s }' \
	    "$1" "$2" "$2" "$(key "$2")" "${3:-}"
}
EXTRA_TARGETS="$(pico 5 node5)$(pico 6 node6)$(pico 7 node7)$(pico 8 node8)$(pico 9 node9)"
EXTRA_TARGETS="$EXTRA_TARGETS$(pico 10 node10 'press_ms = 1500;')$(pico 11 node11)"
for i in $(seq 150 199); do EXTRA_TARGETS="$EXTRA_TARGETS$(pico "$i" "n$i")"; done
write_conf "node_listen = \"127.0.0.1:$NPORT\";"
[ -n "${PICO_DEBUG:-}" ] && { cp "$T/pmbd.conf" /tmp/pico-debug.conf; build/pmbd -n -c "$T/pmbd.conf"; }
run_py "pico end to end" "$TOP/tests/blackbox/pico_e2e.py" "$TOP" "$T/pmbd.conf" "$PORT" "$PW" "$NPORT" "$T"
finish
