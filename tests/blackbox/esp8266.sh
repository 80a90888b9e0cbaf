#!/bin/bash
# The esp8266 driver end to end: pmbd and esp_sim.py (an ESP8266 running
# esp8266-universal-io-bridge, and the server behind it) on loopback,
# driven by ipmitool; see esp8266.py for what is checked.
. "$(dirname "$0")/lib.sh"

tcp_port() {
	/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
C1=$(tcp_port); B1=$(tcp_port); C2=$(tcp_port); B2=$(tcp_port)
EXTRA_TARGETS=",
  { address = 20; name = \"esp\"; driver = \"esp8266\"; host = \"127.0.0.1\";
    command_port = $C1; bridge_port = $B1; power_pin = 0; power_invert = true;
    reset_pin = 4; sense_pin = 2; sense_invert = true; baud = 9600; },
  { address = 21; name = \"espold\"; driver = \"esp8266\"; host = \"localhost\";
    command_port = $C2; bridge_port = $B2; power_pin = 0; sense_pin = 2; }"
write_conf
"$PMBD" -n -c "$T/pmbd.conf" >/dev/null 2>&1 && ok "the esp8266 configuration loads" ||
	not_ok "the esp8266 configuration loads: $("$PMBD" -n -c "$T/pmbd.conf" 2>&1)"
run_py "esp8266 end to end" "$TOP/tests/blackbox/esp8266.py" "$TOP" "$T/pmbd.conf" \
    "$PORT" "$PW" "$T" "$C1" "$B1" "$C2" "$B2"
[ -n "${ESP_DEBUG:-}" ] && cp "$T/pmbd.log" "$T/esp-sim.log" /tmp/ 2>/dev/null
finish
