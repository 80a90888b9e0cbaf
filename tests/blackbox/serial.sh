#!/bin/bash
# The serial driver on pseudo-terminals (socat pty pairs stand in for the
# server's COM port): 1 MiB each way through SOL at full speed and at
# 115200 baud, every byte checked; the device going away and coming back;
# a target with sim power and a serial console; a serial-only target.
. "$(dirname "$0")/lib.sh"
command -v socat >/dev/null || { not_ok "socat is not installed"; finish; }
SIZE=${SOL_BULK_SIZE:-1048576}
# At 115200 baud, 1 MiB takes 91 s; SOL_SLOW_SIZE makes it shorter.
SLOW=${SOL_SLOW_SIZE:-1048576}
PSER=$(free_port)
SOCATS=()

pty_pair() {	# pty_pair NAME: $T/NAME-a for pmbd, $T/NAME-b for the test
	# Small blocks: socat's default 8 KiB makes the line stall for a
	# second at a time at 115200, which no UART does.
	socat -b 512 pty,raw,echo=0,link="$T/$1-a" pty,raw,echo=0,link="$T/$1-b" &
	SOCATS+=($!)
	for _ in $(seq 50); do [ -e "$T/$1-b" ] && return; sleep 0.05; done
}
stop_socats() {
	for p in "${SOCATS[@]}"; do kill "$p" 2>/dev/null; done
	wait "${SOCATS[@]}" 2>/dev/null
	SOCATS=()
}
trap 'stop_socats; cleanup' EXIT

pty_pair line
pty_pair combo
EXTRA_TARGETS=",
  { address = 5; name = \"com5\"; driver = \"serial\"; device = \"$T/line-a\";
    baud = 115200; listen = \"127.0.0.1:$PSER\"; },
  { address = 6; name = \"combo\"; driver = \"sim\";
    console = { driver = \"serial\"; device = \"$T/combo-a\"; baud = 115200; }; }"
write_conf
start_pmbd
B="/usr/bin/python3 $TOP/tests/blackbox/sol_bulk.py"
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"

# Bulk, both ways at once: at full speed, then at 115200 baud (the far
# end reads and writes 11520 bytes/s, like the UART would).
out=$($B bulk "$PSER" "$PW" "$T/line-b" 0 "$SIZE" 2>&1)
echo "# $out" | head -1
if printf '%s' "$out" | grep -q "every byte back, in order"; then ok "SOL bulk, full speed: $((SIZE / 1024)) KiB each way, every byte"; else not_ok "SOL bulk, full speed: $out"; fi
out=$($B bulk "$PSER" "$PW" "$T/line-b" 11520 "$SLOW" 2>&1)
echo "# $out" | head -1
if printf '%s' "$out" | grep -q "every byte back, in order"; then ok "SOL bulk, 115200 baud: $((SLOW / 1024)) KiB each way, every byte"; else not_ok "SOL bulk, 115200 baud: $out"; fi

# The device goes away (USB unplug) and comes back.
stop_socats
pty_pair combo
wait_for "pmbd notices the device is gone" "com5: serial .*line-a: .*retrying" cat "$T/pmbd.log"
expect "SOL to a target whose line is down still activates" "SOL Session operational" timeout 3 $I -t 5 sol activate
$I -t 5 sol deactivate >/dev/null 2>&1
pty_pair line
wait_for "and reopens it when it is back" "com5: serial .*line-a is back" cat "$T/pmbd.log"
out=$(/usr/bin/python3 - "$PSER" "$PW" "$T/line-b" <<'PY'
import os, subprocess, sys, time, tty
port, pw, path = sys.argv[1:4]
fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
p = subprocess.Popen(['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p',
                      port, '-U', 'admin', '-P', pw, 'sol', 'activate'],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL)
time.sleep(1)
os.write(fd, b'after replug\r\n')
p.stdin.write(b'typed'); p.stdin.flush()
got, end, typed = b'', time.time() + 5, b''
os.set_blocking(p.stdout.fileno(), False)
while time.time() < end and (b'after replug' not in got or typed != b'typed'):
    try:
        got += p.stdout.read() or b''
    except BlockingIOError:
        pass
    try:
        os.set_blocking(fd, False)
        typed += os.read(fd, 100)
    except BlockingIOError:
        pass
    time.sleep(0.05)
p.kill()
print('out=%r in=%r' % (b'after replug' in got, typed))
PY
)
if [ "$out" = "out=True in=b'typed'" ]; then ok "both ways again after the replug"; else not_ok "after the replug: $out"; fi
$I -t 5 sol deactivate >/dev/null 2>&1

# Volatile bit rate over IPMI reaches the line.
expect "sol set volatile-bit-rate 9.6" "^$" ipmitool -I lanplus -H 127.0.0.1 -p "$PSER" -U admin -P "$PW" sol set volatile-bit-rate 9.6 noguard
expect "the line now runs at 9600" "speed 9600 baud" stty -F "$T/line-a"

# A serial-only target has no power; a combined one has both.
expect "serial-only: power is not supported" "Invalid command" $I -t 5 power status
expect "combo: power from sim" "Up/On" $I -t 6 power on
out=$(/usr/bin/python3 - "$PORT" "$PW" "$T/combo-b" <<'PY'
import os, subprocess, sys, time, tty
port, pw, path = sys.argv[1:4]
fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
tty.setraw(fd)
p = subprocess.Popen(['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p',
                      port, '-U', 'admin', '-P', pw, '-t', '6', 'sol',
                      'activate'], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
time.sleep(1)
os.write(fd, b'console of combo\r\n')
time.sleep(1)
p.kill()
print('ok' if b'console of combo' in p.stdout.read() else 'missing')
PY
)
if [ "$out" = ok ]; then ok "combo: console from the serial port, bridged"; else not_ok "combo console: $out"; fi
$I -t 6 sol deactivate >/dev/null 2>&1

# Echo latency pmbd adds (measured, reported, not asserted).
out=$(/usr/bin/python3 "$TOP/tests/blackbox/sol_bulk.py" latency "$PORT" "$PW" 2>&1)
echo "# $(printf '%s' "$out" | head -1)"
if printf '%s' "$out" | grep -q "^1 passed"; then ok "echo latency measured"; else not_ok "echo latency: $out"; fi

if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
