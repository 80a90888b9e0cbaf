#!/bin/bash
# The gpio driver on a simulated chip (the kernel's gpio-sim, set up
# through configfs; needs root, CONFIG_GPIO_SIM and configfs): ipmitool
# presses the simulated lines, read back from gpio-sim's sysfs `value`,
# and the sense line's `pull` gives the power state.
#
# Where gpio-sim cannot be had (a container, a kernel without it) this
# prints a SKIP line and "0 passed, 0 failed": run-all.sh counts a skip
# as neither a pass nor a failure.
. "$(dirname "$0")/lib.sh"

skip() {
	echo "SKIP - gpio-sim not available: $*; no gpio-sim check ran"
	echo "0 passed, 0 failed"
	exit 0
}

[ "$(id -u)" = 0 ] || skip "not root"
command -v modprobe >/dev/null && modprobe gpio-sim 2>/dev/null
CFS=/sys/kernel/config
if [ ! -d "$CFS/gpio-sim" ]; then
	grep -qw configfs /proc/filesystems 2>/dev/null ||
	    skip "the kernel has no configfs"
	mountpoint -q "$CFS" 2>/dev/null || mount -t configfs none "$CFS" 2>/dev/null ||
	    skip "cannot mount configfs on $CFS"
fi
[ -d "$CFS/gpio-sim" ] || skip "no $CFS/gpio-sim (CONFIG_GPIO_SIM, module gpio-sim)"

# A chip of 4 lines: 0 power (active-low relay), 1 reset (by name), 2 sense.
G=$CFS/gpio-sim/pmbd-bb-$$
gsim_down() {
	[ -n "$PMBD_PID" ] && stop_pmbd
	[ -d "$G" ] || return 0
	echo 0 > "$G/live" 2>/dev/null
	rmdir "$G/bank0/line1" "$G/bank0" "$G" 2>/dev/null
}
trap 'gsim_down; cleanup' EXIT
{ mkdir "$G" && mkdir "$G/bank0" && echo 4 > "$G/bank0/num_lines" &&
  mkdir "$G/bank0/line1" && echo pmbd-reset > "$G/bank0/line1/name" &&
  echo 1 > "$G/live"; } 2>/dev/null || skip "cannot create a simulated chip in $G"
CHIP=$(cat "$G/bank0/chip_name")
S=/sys/devices/platform/$(cat "$G/dev_name")/$CHIP
[ -e "$S/sim_gpio0/value" ] || skip "no $S/sim_gpio0/value"
val() { cat "$S/sim_gpio$1/value"; }
pull() { echo "$1" > "$S/sim_gpio2/pull"; }

pull pull-down				# the machine is off
EXTRA_TARGETS=",
  { address = 9; name = \"relay\"; driver = \"gpio\"; chip = \"$CHIP\";
    power_line = 0; power_active_low = true;
    reset_line = \"pmbd-reset\"; sense_line = 2;
    press_ms = 1500; hold_ms = 2500; reset_ms = 1000; }"
write_conf
before=$(val 0)
start_pmbd
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW -t 9"

# Released at start: active-low power high (it read $before: gpio-sim's
# pull-down before pmbd took it), reset low.
expect_exact "power line driven released at start (active-low: 1; was $before)" 1 val 0
expect_exact "reset line released at start" 0 val 1

# pulse LINE ASSERTED: after a command, how long (ms) the line stays at
# ASSERTED, polled every 20 ms; "none" when it never was.
pulse() {
	local line=$1 on=$2 t0 seen=0
	t0=$(date +%s%3N)
	for _ in $(seq 600); do
		if [ "$(val "$line")" = "$on" ]; then
			seen=1
		elif [ "$seen" = 1 ]; then
			echo $(($(date +%s%3N) - t0))
			return
		elif [ $(($(date +%s%3N) - t0)) -gt 1000 ]; then
			echo none
			return
		fi
		sleep 0.02
	done
	echo stuck
}
is() {		# is NAME WANT GOT
	if [ "$3" = "$2" ]; then ok "$1"; else not_ok "$1 (got $3, wanted $2)"; fi
}
in_range() {	# in_range NAME LO HI VALUE
	if [ "$4" != none ] && [ "$4" != stuck ] && [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then
		ok "$1 ($4 ms)"
	else
		not_ok "$1 (got $4, wanted $2..$3 ms)"
	fi
}

expect_exact "sensed off" "Chassis Power is off" $I power status
expect "power on" "Chassis Power Control: Up/On" $I power on
in_range "power on presses press_ms (1500)" 1300 1800 "$(pulse 0 0)"
pull pull-up
wait_for "sense pulled up: on" "^Chassis Power is on$" $I power status
expect "power on when on" "Chassis Power Control: Up/On" $I power on
is "power on of a running machine does not press" none "$(pulse 0 0)"
expect "soft when on" "Chassis Power Control: Soft" $I power soft
in_range "soft presses press_ms" 1300 1800 "$(pulse 0 0)"
expect "power off" "Chassis Power Control: Down/Off" $I power off
in_range "power off holds hold_ms (2500)" 2300 2800 "$(pulse 0 0)"
expect "power reset" "Chassis Power Control: Reset" $I power reset
in_range "reset pulses reset_ms on the named line (1000)" 800 1300 "$(pulse 1 1)"
expect_exact "power line untouched by reset" 1 val 0
pull pull-down
wait_for "sense pulled down: off" "^Chassis Power is off$" $I power status
expect "soft when off is refused" "Command not supported in present state" $I power soft
is "soft when off does not press" none "$(pulse 0 0)"
expect "chassis status" "System Power +: off" $I chassis status

# Release at stop is checked in check_gpio only: gpio-sim puts a line
# that is let go back to its pull, so what pmbd drove last cannot be seen.
finish
