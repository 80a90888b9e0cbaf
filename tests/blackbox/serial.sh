#!/bin/bash
# The serial driver on pseudo-terminals (socat pty pairs stand in for the
# server's COM port), against the AddressSanitizer/UBSan build, with a
# busy loop on every core beside it: 1 MiB each way through SOL, every
# byte checked in both directions, at once on four targets: ipmitool at
# 115200 baud and at full speed (own ports), pyghmi at 115200 bridged and
# on its own port; the far ends read in random bursts with pauses
# (sol_stream.py).  Then the device going away and coming back; a target
# with sim power and a serial console; a serial-only target.
. "$(dirname "$0")/lib.sh"
command -v socat >/dev/null || { not_ok "socat is not installed"; finish; }
use_sanitized
SIZE=${SOL_BULK_SIZE:-1048576}
PSER=$(free_port)
PFAST=$(free_port)
PGHMI=$(free_port)
SOCATS=()

pty_pair() {	# pty_pair NAME: $T/NAME-a for pmbd, $T/NAME-b for the test
	# Small blocks: socat's default 8 KiB makes the line stall for a
	# second at a time at 115200, which no UART does.
	socat -b 512 pty,raw,echo=0,link="$T/$1-a" pty,raw,echo=0,link="$T/$1-b" &
	SOCATS+=($!)
	for _ in $(seq 100); do [ -e "$T/$1-b" ] && return; sleep 0.05; done
}
stop_socats() {
	for p in "${SOCATS[@]}"; do kill "$p" 2>/dev/null; done
	wait "${SOCATS[@]}" 2>/dev/null
	SOCATS=()
}
trap 'stop_socats; cleanup' EXIT

pty_pair line
pty_pair combo
pty_pair fast
pty_pair gbr
pty_pair gown
EXTRA_TARGETS=",
  { address = 5; name = \"com5\"; driver = \"serial\"; device = \"$T/line-a\";
    baud = 115200; listen = \"127.0.0.1:$PSER\"; },
  { address = 6; name = \"combo\"; driver = \"sim\";
    console = { driver = \"serial\"; device = \"$T/combo-a\"; baud = 115200; }; },
  { address = 9; name = \"fast\"; driver = \"serial\"; device = \"$T/fast-a\";
    baud = 115200; listen = \"127.0.0.1:$PFAST\"; },
  { address = 10; name = \"gbr\"; driver = \"serial\"; device = \"$T/gbr-a\"; },
  { address = 11; name = \"gown\"; driver = \"serial\"; device = \"$T/gown-a\";
    listen = \"127.0.0.1:$PGHMI\"; }"
write_conf
start_pmbd
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"

# Two processes, so that pyghmi's Python and the far ends' do not share
# one interpreter's lock on a loaded machine.
cat > "$T/bulk-ipmitool.json" <<JSON
{"password": "$PW", "streams": [
 {"name": "com5", "client": "ipmitool", "port": $PSER, "target": null,
  "tty": "$T/line-b", "rate": 11520, "size": $SIZE, "bursty": true},
 {"name": "fast", "client": "ipmitool", "port": $PFAST, "target": null,
  "tty": "$T/fast-b", "rate": 0, "size": $SIZE, "bursty": true}
]}
JSON
cat > "$T/bulk-pyghmi.json" <<JSON
{"password": "$PW", "seed": 20261205, "streams": [
 {"name": "gbr", "client": "pyghmi", "port": $PORT, "target": 10,
  "tty": "$T/gbr-b", "rate": 11520, "size": $SIZE, "bursty": true},
 {"name": "gown", "client": "pyghmi", "port": $PGHMI, "target": null,
  "tty": "$T/gown-b", "rate": 11520, "size": $SIZE, "bursty": true}
]}
JSON
cpu_hog_start
run_py "SOL bulk, ipmitool" "$TOP/tests/blackbox/sol_stream.py" "$T/bulk-ipmitool.json" > "$T/bulk-1.out" &
b1=$!
run_py "SOL bulk, pyghmi" "$TOP/tests/blackbox/sol_stream.py" "$T/bulk-pyghmi.json" > "$T/bulk-2.out" &
b2=$!
wait $b1 $b2
cpu_hog_stop
cat "$T/bulk-1.out" "$T/bulk-2.out"
PASS_OK=$((PASS_OK + $(grep -c '^ok - ' "$T/bulk-1.out" "$T/bulk-2.out" | awk -F: '{s += $2} END {print s}')))
FAIL_N=$((FAIL_N + $(grep -c '^not ok - ' "$T/bulk-1.out" "$T/bulk-2.out" | awk -F: '{s += $2} END {print s}')))
if grep -q "input over .* dropped\|held input .* dropped\|overwritten" "$T/pmbd.log"; then
	not_ok "pmbd lost no SOL byte: $(grep -m3 'dropped\|overwritten' "$T/pmbd.log")"
else
	ok "pmbd logged no SOL data loss"
fi

# The device goes away (USB unplug) and comes back.
stop_socats
pty_pair combo
wait_for "pmbd notices the device is gone" "com5: serial .*line-a: .*retrying" cat "$T/pmbd.log"
expect "SOL to a target whose line is down still activates" "SOL Session operational" timeout 15 $I -t 5 sol activate </dev/null
$I -t 5 sol deactivate >/dev/null 2>&1
pty_pair line
wait_for "and reopens it when it is back" "com5: serial .*line-a is back" cat "$T/pmbd.log"
out=$(/usr/bin/python3 "$TOP/tests/blackbox/sol_once.py" "$PSER" "$PW" "$T/line-b" - "after replug" typed)
if [ "$out" = "out=True in=True" ]; then ok "both ways again after the replug"; else not_ok "after the replug: $out"; fi
$I -t 5 sol deactivate >/dev/null 2>&1

# Volatile bit rate over IPMI reaches the line.
expect "sol set volatile-bit-rate 9.6" "^$" ipmitool -I lanplus -H 127.0.0.1 -p "$PSER" -U admin -P "$PW" sol set volatile-bit-rate 9.6 noguard
expect "the line now runs at 9600" "speed 9600 baud" stty -F "$T/line-a"

# A serial-only target has no power; a combined one has both.
expect "serial-only: power is not supported" "Invalid command" $I -t 5 power status
expect "combo: power from sim" "Up/On" $I -t 6 power on
out=$(/usr/bin/python3 "$TOP/tests/blackbox/sol_once.py" "$PORT" "$PW" "$T/combo-b" 6 "console of combo")
if [ "$out" = "out=True in=True" ]; then ok "combo: console from the serial port, bridged"; else not_ok "combo console: $out"; fi
$I -t 6 sol deactivate >/dev/null 2>&1

# Echo latency pmbd adds (measured, reported, not asserted).
out=$(/usr/bin/python3 "$TOP/tests/blackbox/sol_latency.py" "$PORT" "$PW" 2>&1)
echo "# $(printf '%s' "$out" | head -1)"
if printf '%s' "$out" | grep -q "^1 passed"; then ok "echo latency measured"; else not_ok "echo latency: $out"; fi

if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
