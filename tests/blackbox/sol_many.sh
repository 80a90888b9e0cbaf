#!/bin/bash
# Many consoles at once, against the AddressSanitizer/UBSan build: 16
# serial targets (socat pty pairs) streaming at 115200 baud both ways
# through 16 ipmitool sessions for SOL_MANY_SECS (60) seconds, every byte
# checked per target and direction; one of the sessions is taken over
# mid-stream by `sol deactivate` and a new `sol activate`, which must get
# exactly the output the first one did not, nothing twice
# (tests/blackbox/sol_stream.py).
. "$(dirname "$0")/lib.sh"
command -v socat >/dev/null || { not_ok "socat is not installed"; finish; }
use_sanitized
N=16
SECS=${SOL_MANY_SECS:-60}
SIZE=$((SECS * 11520))
SOCATS=()
stop_socats() {
	for p in "${SOCATS[@]}"; do kill "$p" 2>/dev/null; done
	wait "${SOCATS[@]}" 2>/dev/null
	SOCATS=()
}
trap 'stop_socats; cleanup' EXIT

EXTRA_TARGETS=
PORTS=()
for i in $(seq $N); do
	socat -b 512 pty,raw,echo=0,link="$T/s$i-a" pty,raw,echo=0,link="$T/s$i-b" &
	SOCATS+=($!)
	PORTS+=("$(free_port)")
	EXTRA_TARGETS="$EXTRA_TARGETS,
  { address = $((0x40 + i)); name = \"s$i\"; driver = \"serial\";
    device = \"$T/s$i-a\"; baud = 115200; listen = \"127.0.0.1:${PORTS[$((i - 1))]}\"; }"
done
for i in $(seq $N); do
	for _ in $(seq 100); do [ -e "$T/s$i-b" ] && break; sleep 0.05; done
done
write_conf
start_pmbd

{
	echo "{\"password\": \"$PW\", \"streams\": ["
	for i in $(seq $N); do
		steal=null
		[ "$i" = 3 ] && steal=$((SECS / 3))
		[ "$i" -gt 1 ] && echo ","
		echo " {\"name\": \"s$i\", \"client\": \"ipmitool\", \"port\": ${PORTS[$((i - 1))]},"
		echo "  \"target\": null, \"tty\": \"$T/s$i-b\", \"rate\": 11520, \"size\": $SIZE,"
		echo "  \"bursty\": true, \"steal_at\": $steal}"
	done
	echo "]}"
} > "$T/many.json"
run_py "16 streams" "$TOP/tests/blackbox/sol_stream.py" "$T/many.json"
if grep -q "input over .* dropped\|held input .* dropped\|overwritten" "$T/pmbd.log"; then
	not_ok "pmbd lost no SOL byte: $(grep -m3 'dropped\|overwritten' "$T/pmbd.log")"
else
	ok "pmbd logged no SOL data loss"
fi
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
