#!/bin/bash
# Hostile input against the real daemon: replayed packets, malformed and
# truncated datagrams, an Open Session flood while a real user logs in,
# kill -9 with boot options set, and bad configurations.
. "$(dirname "$0")/lib.sh"
write_conf
start_pmbd
R="/usr/bin/python3 $TOP/tests/blackbox/robust.py"
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"

rss() { awk '/^VmRSS/ {print $2}' /proc/"$PMBD_PID"/status; }
# pong PORT: poll (at most 30 s) for an RMCP presence pong on PORT.  pmbd
# reads a socket in order, so a pong means what was sent before it is read.
pong() {
	local end=$((SECONDS + 30))
	until "$PMBD" --ping "127.0.0.1:$1" >/dev/null 2>&1; do
		alive && [ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# Replays: the same ipmitool run through a proxy, then with every
# in-session packet sent twice.  pmbd must answer exactly as often.
PP=$(free_port)
$R proxy "$PP" "$PORT" 0 "$T/base" -- ipmitool -I lanplus -H 127.0.0.1 -p "$PP" -U admin -P "$PW" -t 1 power status > "$T/out0"
$R proxy "$PP" "$PORT" 1 "$T/dup" -- ipmitool -I lanplus -H 127.0.0.1 -p "$PP" -U admin -P "$PW" -t 1 power status > "$T/out1"
b=$(head -1 "$T/base" | cut -d' ' -f2)
d=$(head -1 "$T/dup" | cut -d' ' -f2)
if grep -q "Chassis Power is off" "$T/out1" && [ "$b" -gt 0 ] && [ "$b" = "$d" ]; then
	ok "replayed in-session packets get no answer ($b replies both ways)"
else
	not_ok "replays: $b replies without duplicates, $d with; output: $(cat "$T/out1")"
fi
$I -t 2 power status >/dev/null
$R proxy "$PP" "$PORT" 1 "$T/dup2" -- ipmitool -I lanplus -H 127.0.0.1 -p "$PP" -U admin -P "$PW" -t 2 power cycle > "$T/out2"
wait_for "a replayed power cycle still cycles once, machine back on" "^Chassis Power is on$" $I -t 2 power status

# Malformed datagrams: silent drops, no crash, no growth, bounded log.
r0=$(rss)
l0=$(wc -l < "$T/pmbd.log")
$R garbage "$PORT" "$T/base" 20000 >/dev/null
$R garbage "$PORT72" "$T/base" 5000 >/dev/null
pong "$PORT"; pong "$PORT72"	# every malformed datagram has been read
if alive; then ok "pmbd survives 25000 malformed datagrams"; else not_ok "pmbd died on malformed input"; fi
expect_exact "still answers after garbage" "Chassis Power is off" $I -t 1 power status
r1=$(rss)
if [ $((r1 - r0)) -lt 512 ]; then ok "RSS flat under garbage (${r0} -> ${r1} KiB)"; else not_ok "RSS grew ${r0} -> ${r1} KiB"; fi
l1=$(wc -l < "$T/pmbd.log")
if [ $((l1 - l0)) -lt 40 ]; then ok "log is rate-limited ($((l1 - l0)) lines for 25000 bad packets)"; else not_ok "log flooded: $((l1 - l0)) lines"; fi

# Open Session flood from another address while a real user logs in.
$R flood "$PORT" 6 > "$T/flood" 2> "$T/flood.started" &
FP=$!
end=$((SECONDS + 30))	# until it has sent its first request
until [ -s "$T/flood.started" ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.05; done
good=0
for i in 1 2 3 4 5 6 7 8; do
	$I -t 1 power status 2>&1 | grep -q "^Chassis Power is" && good=$((good + 1))
done
wait $FP
if [ "$good" -eq 8 ]; then ok "8/8 logins succeed during an Open Session flood ($(cat "$T/flood"))"; else not_ok "only $good/8 logins during the flood"; fi
r2=$(rss)
if [ $((r2 - r0)) -lt 1024 ]; then ok "RSS bounded under the flood (${r0} -> ${r2} KiB)"; else not_ok "RSS grew under the flood ${r0} -> ${r2} KiB"; fi

# Boot options and GUID survive kill -9.
expect "persistent bootdev" "Set Boot Device to disk" $I -t 1 chassis bootdev disk options=persistent
expect "one-shot bootdev on node72" "Set Boot Device to pxe" $I -t 0x72 chassis bootdev pxe
g0=$($I -t 1 mc guid | head -1)
stop_pmbd -KILL
start_pmbd
expect "persistent flag after kill -9" "Force Boot from default Hard-Drive" $I -t 1 chassis bootparam get 5
expect "one-shot flag after kill -9" "Force PXE" $I -t 0x72 chassis bootparam get 5
g1=$($I -t 1 mc guid | head -1)
if [ -n "$g0" ] && [ "$g0" = "$g1" ]; then ok "system GUID stable across restarts"; else not_ok "GUID changed: $g0 / $g1"; fi
if ls "$STATE"/.*.tmp >/dev/null 2>&1; then not_ok "temporary state files left over"; else ok "no temporary state files left"; fi

# RMCP/ASF presence ping and session-less IPMI ping (FreeIPMI's tools only
# speak to port 623: a second pmbd on 127.0.0.2:623, when we may bind it).
if [ "$(id -u)" = 0 ] && ! ss -lun 2>/dev/null | grep -q '127.0.0.2:623 '; then
	sed -e "s|127.0.0.1:$PORT\"|127.0.0.2:623\"|" -e "s|$STATE|$STATE.2|" \
	    -e 's|listen = "127.0.0.1:[0-9]*"; ||' -e 's|, "\[::1\]:[0-9]*"||' \
	    "$T/pmbd.conf" > "$T/ping.conf"
	"$PMBD" -f -c "$T/ping.conf" > "$T/ping.log" 2>&1 &
	PING_PID=$!
	wait_ready "$T/ping.log" 1 "$PING_PID"
	expect "rmcpping: ASF pong" "2 pings transmitted, 2 pongs received" rmcpping -c 2 127.0.0.2
	expect "ipmiping: session-less Get Channel Auth Caps" "2 requests transmitted, 2 responses received" ipmiping -c 2 127.0.0.2
	kill "$PING_PID"
	wait "$PING_PID" 2>/dev/null
else
	echo "skip - rmcpping/ipmiping need 127.0.0.2:623 and root (not counted)"
fi

# Configuration errors: one line naming file, line and problem.
cp "$T/pmbd.conf" "$T/bad.conf"
sed -i 's/address = 2; /address = 1; /' "$T/bad.conf"
expect "duplicate address refused with line" "bad.conf:[0-9]+: targets: address 1 \(0x01\) used twice" "$PMBD" -n -c "$T/bad.conf"
sed -i 's/privilege = "operator"/privilege = "root"/' "$T/bad.conf"
expect "bad privilege refused" "bad.conf:5: users: privilege \"root\" is not user, operator or administrator" "$PMBD" -n -c "$T/bad.conf"
expect_exact "good config" "configuration OK" "$PMBD" -n -c "$T/pmbd.conf"
expect "missing file" "nope.conf:0: cannot read: No such file" "$PMBD" -n -c "$T/nope.conf"
expect "version" "^pmbd [0-9]+\.[0-9]+\.[0-9]+$" "$PMBD" --version

if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
