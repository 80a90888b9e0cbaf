#!/bin/bash
# systemd integration without systemd: sd_notify messages on a fake
# NOTIFY_SOCKET, socket activation through systemd-socket-activate, and
# structured journal lines are not testable here (no journald): see
# docs/design.md.
. "$(dirname "$0")/lib.sh"
write_conf
: > "$T/pmbd.log"
run_py "notify" "$TOP/tests/blackbox/notify.py" "$PMBD" "$T/pmbd.conf" "$T"

# Socket activation: systemd-socket-activate binds the port and passes it.
if command -v systemd-socket-activate >/dev/null; then
	SA=$(free_port)
	sed "s|listen = \[ \"127.0.0.1:$PORT\"|listen = [ \"127.0.0.1:$SA\"|" "$T/pmbd.conf" > "$T/sa.conf"
	systemd-socket-activate -d -l "127.0.0.1:$SA" "$PMBD" -f -c "$T/sa.conf" >"$T/sa.log" 2>&1 &
	SAPID=$!
	# Once it says it listens (it binds before it prints that line) ...
	end=$((SECONDS + 30))
	until grep -q "Listening on 127.0.0.1:$SA" "$T/sa.log" 2>/dev/null ||
	    [ "$SECONDS" -ge "$end" ]; do sleep 0.05; done
	# ... it starts pmbd when the first datagram arrives: a presence ping.
	"$PMBD" --ping "127.0.0.1:$SA" >/dev/null 2>&1
	wait_ready "$T/sa.log" 1 "$SAPID"
	expect "socket activation: pmbd takes the socket systemd passed" "127.0.0.1:$SA: the socket systemd passed" cat "$T/sa.log"
	expect "and answers on it" "Chassis Power is" ipmitool -I lanplus -H 127.0.0.1 -p "$SA" -U admin -P "$PW" -t 1 power status
	kill "$SAPID" 2>/dev/null; wait "$SAPID" 2>/dev/null
else
	not_ok "systemd-socket-activate is not installed (package systemd)"
fi
finish
