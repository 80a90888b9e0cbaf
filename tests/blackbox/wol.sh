#!/bin/bash
# wol driver: the magic packet, sent to a loopback address, is received
# here (6 x FF, the MAC 16 times, the SecureOn bytes when configured);
# the tcp probe reads on/off from an open/closed loopback port and follows
# a change; off without a command answers C1h, with one runs it; a wol
# target with a sim console; the icmp probe on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

WPORT=$(free_port)
OPEN=$(free_port)
CLOSED=$(free_port)
# UDP listener: every datagram, in hex, one per line.
/usr/bin/python3 - "$WPORT" "$T/wol.rx" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(120)
while True:
    try:
        d = s.recv(2048)
    except OSError:
        break
    with open(sys.argv[2], "a") as f:
        f.write(d.hex() + "\n")
PY
UDP_PID=$!
# TCP listener for the probe that must read "on".
/usr/bin/python3 - "$OPEN" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
s.settimeout(120)
while True:
    try:
        c, _ = s.accept()
        c.close()
    except OSError:
        break
PY
TCP_PID=$!
trap 'kill $UDP_PID $TCP_PID 2>/dev/null; cleanup' EXIT
# Until both listeners are bound (at most 30 s).
end=$((SECONDS + 30))
until [ -n "$(ss -Hlun "sport = :$WPORT")" ] && [ -n "$(ss -Hltn "sport = :$OPEN")" ] ||
    [ "$SECONDS" -ge "$end" ]; do sleep 0.05; done

cat > "$T/off" <<SH
#!/bin/sh
echo off >> "$T/off.log"
SH
chmod +x "$T/off"

EXTRA_TARGETS="
, { address = 20; name = \"wake\"; driver = \"wol\"; mac = \"aa:bb:cc:dd:ee:ff\";
    wol_address = \"127.0.0.1:$WPORT\"; probe = \"tcp:127.0.0.1:$OPEN\";
    probe_interval = 300; probe_timeout = 200; }
, { address = 21; name = \"secure\"; driver = \"wol\"; mac = \"01-23-45-67-89-AB\";
    wol_address = \"127.0.0.1:$WPORT\"; secureon = \"11:22:33:44:55:66\";
    interface = \"lo\"; probe = \"tcp:127.0.0.1:$CLOSED\"; probe_interval = 300;
    probe_timeout = 200; }
, { address = 22; name = \"combo\"; driver = \"wol\"; mac = \"02:00:00:00:00:22\";
    wol_address = \"127.0.0.1:$WPORT\"; off = [ \"$T/off\" ];
    console = { driver = \"sim\"; }; }
"
write_conf
start_pmbd
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"

MAGIC="ffffffffffff$(for _ in $(seq 16); do printf aabbccddeeff; done)"
expect "power on sends the magic packet" "Chassis Power Control: Up/On" $I -t 20 power on
wait_for "magic packet: 6 x FF and the MAC 16 times" "^$MAGIC\$" cat "$T/wol.rx"
SMAGIC="ffffffffffff$(for _ in $(seq 16); do printf 0123456789ab; done)112233445566"
expect "SecureOn target (interface lo) powers on" "Up/On" $I -t 21 power on
wait_for "magic packet with the SecureOn bytes" "^$SMAGIC\$" cat "$T/wol.rx"
expect "the packet is logged" "magic packet for aa:bb:cc:dd:ee:ff sent to 127.0.0.1:$WPORT" cat "$T/pmbd.log"
if grep -Eqi '11:22:33:44:55:66|112233445566' "$T/pmbd.log"; then
	not_ok "SecureOn never logged"
else
	ok "SecureOn never logged"
fi

wait_for "tcp probe, open port: on" "^Chassis Power is on$" $I -t 20 power status
wait_for "tcp probe, closed port: off" "^Chassis Power is off$" $I -t 21 power status
expect "chassis status from the probe" "System Power +: on" $I -t 20 chassis status
kill $TCP_PID 2>/dev/null; wait $TCP_PID 2>/dev/null
wait_for "the probe follows: listener gone, off" "^Chassis Power is off$" $I -t 20 power status
expect "the change is logged" "target wake: power is off \(probe\)" cat "$T/pmbd.log"

expect "power off without a command: C1h" "Invalid command" $I -t 20 power off
expect "power cycle without a command: C1h" "Invalid command" $I -t 20 power cycle
expect "power soft without a command: C1h" "Invalid command" $I -t 21 power soft

# No probe: the last action, power_known 0; off through its command.
expect_exact "no probe: off before anything" "Chassis Power is off" $I -t 22 power status
expect "no probe: power on" "Up/On" $I -t 22 power on
expect_exact "no probe: the last action (on)" "Chassis Power is on" $I -t 22 power status
expect "off by the configured command" "Down/Off" $I -t 22 power off
expect "the off command ran" "^off$" cat "$T/off.log"
expect_exact "no probe: the last action (off)" "Chassis Power is off" $I -t 22 power status
expect "the wol target has the sim console (SOL)" "Enabled +: true" $I -t 22 sol info
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
stop_pmbd

# icmp probe on 127.0.0.1: a ping socket, or a raw one (CAP_NET_RAW);
# with neither, pmbd must refuse to start and say why.
EXTRA_TARGETS="
, { address = 23; name = \"ping\"; driver = \"wol\"; mac = \"02:00:00:00:00:23\";
    wol_address = \"127.0.0.1:$WPORT\"; probe = \"icmp:127.0.0.1\";
    probe_interval = 300; probe_timeout = 200; }
"
write_conf
if /usr/bin/python3 -c '
import socket
for t in (socket.SOCK_DGRAM, socket.SOCK_RAW):
    try:
        socket.socket(socket.AF_INET, t, socket.IPPROTO_ICMP).close(); raise SystemExit(0)
    except PermissionError:
        pass
raise SystemExit(1)'; then
	start_pmbd
	wait_for "icmp probe on loopback: on" "^Chassis Power is on$" $I -t 23 power status
	stop_pmbd
else
	"$PMBD" -f -c "$T/pmbd.conf" >"$T/icmp.log" 2>&1
	expect "icmp not permitted: says what is needed" "ping_group_range.*CAP_NET_RAW" cat "$T/icmp.log"
fi
finish
