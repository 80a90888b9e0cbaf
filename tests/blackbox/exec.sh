#!/bin/bash
# exec driver: power by configured commands (small #!/bin/sh scripts written
# here; pmbd itself runs them without a shell).  Success, failure (FFh),
# a hung command (C3h after `timeout`, its process group killed, nothing
# left behind), a second request while one runs (C0h), a status command
# printing garbage (unknown: D5h, pmbd fine), status_exit, and an action
# without a command (C1h).
. "$(dirname "$0")/lib.sh"

S=$T/scripts
mkdir -p "$S"
echo off > "$T/plug.state"
cat > "$S/on" <<SH
#!/bin/sh
echo on > "$T/plug.state"
echo switched on
SH
cat > "$S/off" <<SH
#!/bin/sh
echo off > "$T/plug.state"
SH
cat > "$S/status" <<SH
#!/bin/sh
cat "$T/plug.state"
SH
cat > "$S/fail" <<SH
#!/bin/sh
echo "relay stuck" 
exit 1
SH
# A command that hangs, with a child of its own: both must be killed.
cat > "$S/hang" <<SH
#!/bin/sh
echo \$\$ > "$T/hang.pid"
sleep 300 &
echo \$! > "$T/hang.child"
wait
SH
cat > "$S/garbage" <<SH
#!/bin/sh
printf 'o\033[2Jn\001\377\n'
SH
cat > "$S/exit0" <<SH
#!/bin/sh
exit 0
SH
chmod +x "$S"/*

EXTRA_TARGETS="
, { address = 10; name = \"plug\"; driver = \"exec\"; on = [ \"$S/on\" ];
    off = [ \"$S/off\" ]; status = [ \"$S/status\" ]; cycle = [ \"$S/fail\", \"x\" ];
    reset = [ \"$S/hang\" ]; timeout = 1000; status_interval = 300; }
, { address = 11; name = \"garbage\"; driver = \"exec\"; status = [ \"$S/garbage\" ];
    on = [ \"$S/on\" ]; status_interval = 300; }
, { address = 12; name = \"exitcode\"; driver = \"exec\"; status = [ \"$S/exit0\" ];
    status_exit = true; on = [ \"/bin/true\" ]; }
, { address = 13; name = \"nostatus\"; driver = \"exec\"; on = [ \"/bin/true\" ]; }
"
write_conf
start_pmbd
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"

wait_for "status command: off" "^Chassis Power is off$" $I -t 10 power status
expect "power on runs the command" "Chassis Power Control: Up/On" $I -t 10 power on
expect "the command ran" "^on$" cat "$T/plug.state"
wait_for "status command: on" "^Chassis Power is on$" $I -t 10 power status
expect "chassis status: on" "System Power +: on" $I -t 10 chassis status
expect "power off" "Chassis Power Control: Down/Off" $I -t 10 power off
wait_for "status command: off again" "^Chassis Power is off$" $I -t 10 power status
expect "exit 1: FFh" "Unspecified error" $I -t 10 power cycle
expect "the failure is logged with its output" "power cycle command failed \(exit 1\): \"relay stuck\"" cat "$T/pmbd.log"
expect "no command for diag: C1h" "Invalid command" $I -t 10 power diag

# A hung command: C3h soon after timeout (1 s), its process group killed.
start=$(date +%s%N)
out=$($I -t 10 power reset 2>&1)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if printf '%s' "$out" | grep -q "Timeout" && [ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ]; then
	ok "hung command: C3h after ${ms} ms"
else
	not_ok "hung command: got '$out' after ${ms} ms"
fi
hp=$(cat "$T/hang.pid" 2>/dev/null); hc=$(cat "$T/hang.child" 2>/dev/null)
# Gone, or a zombie waiting for init (pmbd is not their parent any more).
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
# both_gone PID PID: poll (at most 30 s) until neither process is left;
# the child sleeps 300 s, so one that was never killed is still there.
both_gone() {
	local end=$((SECONDS + 30))
	[ -n "$1" ] && [ -n "$2" ] || return 1
	until gone "$1" && gone "$2"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}
if both_gone "$hp" "$hc"; then
	ok "the hung command and its child are gone"
else
	not_ok "leftover processes: $hp $hc"
fi

# One command at a time: a second request while one runs gets C0h.  The
# reset command writes hang.pid once it runs: ask then, within its 1 s.
rm -f "$T/hang.pid" "$T/hang.child"
$I -t 10 power reset >/dev/null 2>&1 &
bg=$!
end=$((SECONDS + 30))
until [ -s "$T/hang.child" ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.05; done
expect "busy: C0h" "Node [Bb]usy|0xc0" $I -t 10 power on
wait $bg
# Until that command's timeout has killed it and its child.
both_gone "$(cat "$T/hang.pid" 2>/dev/null)" "$(cat "$T/hang.child" 2>/dev/null)" ||
	not_ok "the second hung command is still there"

# Status output that is neither on nor off: unknown, never a guess.
expect "garbage status: unknown (D5h)" "not supported in present state" $I -t 11 chassis status
wait_for "garbage is logged escaped" 'said "o\\x1b\[2Jn\\x01\\xff' cat "$T/pmbd.log"
expect "garbage target still takes power on" "Up/On" $I -t 11 power on
wait_for "status_exit: exit 0 reads on" "^Chassis Power is on$" $I -t 12 power status
expect_exact "no status command: the last action (off)" "Chassis Power is off" $I -t 13 power status
expect "no status command: power on" "Up/On" $I -t 13 power on
expect_exact "no status command: the last action (on)" "Chassis Power is on" $I -t 13 power status

# A status command that just ended waits up to one tick (100 ms) to be
# reaped; one that is still a zombie 30 s later (the ceiling for a loaded
# machine) was forgotten.
zombies() {	# zombies PID...: those of them still pmbd's zombies
	local p
	for p in "$@"; do
		ps --ppid "$PMBD_PID" -o pid=,stat= | grep -Eq "^ *$p +Z" && echo "$p"
	done
}
z1=$(ps --ppid "$PMBD_PID" -o pid=,stat= 2>/dev/null | awk '$2 ~ /^Z/ { print $1 }')
end=$((SECONDS + 30))
while [ -n "$(zombies $z1)" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
z=$(zombies $z1 | wc -l)
if [ "$z" -eq 0 ]; then ok "no zombie children"; else not_ok "$z zombie children"; fi
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
stop_pmbd
if [ -z "$(pgrep -f "$S/" 2>/dev/null)" ]; then ok "no command left after pmbd stops"; else not_ok "commands left running"; fi

# Started by a parent that ignores SIGCHLD (some supervisors do): pmbd
# restores it, so its commands are still reaped and their codes read.
/usr/bin/python3 -c '
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$PMBD" -f -c "$T/pmbd.conf" >>"$T/pmbd.log" 2>&1 &
PMBD_PID=$!
wait_ready "$T/pmbd.log" 2 "$PMBD_PID"
expect "SIGCHLD ignored by the parent: a command still succeeds" "Up/On" $I -t 13 power on
stop_pmbd
finish
