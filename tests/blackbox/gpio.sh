#!/bin/bash
# The gpio driver where no GPIO chip is needed: its options through
# `pmbd -n`, and a target whose chip is missing stops pmbd at start with
# one line naming the target, the line and the chip (through the real
# libgpiod).  Presses on a chip are in gpio_sim.sh (the kernel's gpio-sim).
. "$(dirname "$0")/lib.sh"

EXTRA_TARGETS=',
  { address = 9; name = "relay"; driver = "gpio"; chip = "gpiochip0";
    power_line = 17; power_active_low = true; power_drive = "open-drain";
    reset_line = "GPIO27"; reset_active_low = true;
    sense_line = 22; sense_active_low = true; sense_bias = "pull-up";
    press_ms = 400; hold_ms = 6000; reset_ms = 250; }'
write_conf
expect "a gpio target's options are accepted" "^configuration OK$" \
    "$PMBD" -n -c "$T/pmbd.conf"

EXTRA_TARGETS=',
  { address = 9; name = "relay"; driver = "gpio"; power_line = 17;
    sense_drive = "open-drain"; }'
write_conf
expect "sense_drive is refused (an input)" \
    'pmbd.conf:[0-9]+: targets: relay: gpio: unknown option "sense_drive"' \
    "$PMBD" -n -c "$T/pmbd.conf"

EXTRA_TARGETS=',
  { address = 9; name = "relay"; driver = "gpio"; power_line = 17;
    reset_line = 17; }'
write_conf
expect "the same line twice is refused" \
    "gpio: power_line and reset_line are the same line" \
    "$PMBD" -n -c "$T/pmbd.conf"

EXTRA_TARGETS=',
  { address = 9; name = "relay"; driver = "gpio";
    chip = "/dev/pmbd-no-such-gpiochip"; power_line = 17; }'
write_conf
timeout 10 "$PMBD" -f -c "$T/pmbd.conf" >"$T/nochip.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'target relay: gpio: power line: cannot open GPIO chip "/dev/pmbd-no-such-gpiochip"' "$T/nochip.log" &&
    grep -q "target relay could not start" "$T/nochip.log"; then
	ok "a missing chip stops pmbd with the target, line and chip named"
else
	not_ok "a missing chip stops pmbd with the target, line and chip named (exit $rc)"
	sed 's/^/  /' "$T/nochip.log"
fi
touch "$T/pmbd.log"
finish
