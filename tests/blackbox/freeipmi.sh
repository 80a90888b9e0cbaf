#!/bin/bash
# FreeIPMI against the real daemon: ipmipower and ipmi-chassis on a
# per-target port, ipmi-raw bridged with --target-slave-address.
. "$(dirname "$0")/lib.sh"
write_conf
start_pmbd

# FreeIPMI treats a bare 127.0.0.1 as in-band: always give the port.
A="-u admin -p $PW -D LAN_2_0"
PW72="ipmipower -h 127.0.0.1:$PORT72 $A"

expect_exact "ipmipower stat" "127.0.0.1: off" $PW72 --stat
expect_exact "ipmipower on" "127.0.0.1: ok" $PW72 --on
wait_for "ipmipower sees on" "^127.0.0.1: on$" $PW72 --stat
expect_exact "ipmipower cycle" "127.0.0.1: ok" $PW72 --cycle
wait_for "on after cycle" "^127.0.0.1: on$" $PW72 --stat
expect_exact "ipmipower reset" "127.0.0.1: ok" $PW72 --reset
expect_exact "ipmipower pulse (diag)" "127.0.0.1: ok" $PW72 --pulse
expect_exact "ipmipower soft" "127.0.0.1: ok" $PW72 --soft
wait_for "off after soft" "^127.0.0.1: off$" $PW72 --stat
expect_exact "ipmipower off" "127.0.0.1: ok" $PW72 --off
expect_exact "ipmipower suite 17" "127.0.0.1: off" $PW72 -I 17 --stat
expect_exact "ipmipower suite 3" "127.0.0.1: off" $PW72 -I 3 --stat
expect "ipmipower wrong password" "password invalid" ipmipower -h 127.0.0.1:$PORT72 -u admin -p wrong-pass-99 -D LAN_2_0 --stat
expect "ipmipower unknown user" "username invalid" ipmipower -h 127.0.0.1:$PORT72 -u nobody -p "$PW" -D LAN_2_0 --stat
expect "ipmipower suite 0 refused" "cipher suite id unavailable|error" ipmipower -h 127.0.0.1:$PORT72 $A -I 0 --stat
expect "ipmipower as USER cannot switch" "privilege" ipmipower -h 127.0.0.1:$PORT72 -u viewer -p viewer-pw-1 -D LAN_2_0 -l USER --on

C="ipmi-chassis -h 127.0.0.1:$PORT72 $A"
expect "ipmi-chassis status" "System Power +: off" $C --get-chassis-status
expect_exact "ipmi-chassis identify force" "" $C --chassis-identify=FORCE
expect "ipmi-chassis sees identify on" "Chassis Identify state +: on|Identify.*on" $C --get-chassis-status
expect_exact "ipmi-chassis control power-up" "" $C --chassis-control=POWER-UP
wait_for "ipmi-chassis sees power on" "System Power +: on" $C --get-chassis-status
expect "ipmi-chassis restart cause" "Restart cause : Chassis control command" $C --get-system-restart-cause
expect "ipmi-chassis boot flags" "Boot device selector +: No override" $C --get-boot-flags

R="ipmi-raw -h 127.0.0.1:$PORT $A"
expect_exact "ipmi-raw bridged chassis status" "rcvd: 01 00 60 00 40 00 " $R --target-slave-address=0x01 00 00 01
expect_exact "ipmi-raw bridged power on" "rcvd: 02 00 " $R --target-slave-address=0x01 00 00 02 01
wait_for "ipmi-raw bridged sees on" "^rcvd: 01 00 61 " $R --target-slave-address=0x01 00 00 01
expect "ipmi-raw bridged device id" "^rcvd: 01 00 72 " $R --target-slave-address=0x72 00 06 01
expect "ipmi-raw bridged slow target" "^rcvd: 02 00 " $R --target-slave-address=0x03 00 00 02 01
expect "ipmi-raw unknown target" "bad completion code" $R --target-slave-address=0x05 00 00 01
expect_exact "ipmi-raw direct: pmbd itself" "rcvd: 01 00 20 01 00 01 02 C0 A5 DF 00 01 00 00 00 00 00 " $R 00 06 01
expect "ipmi-raw unknown command: C1" "^rcvd: 3E C1 " $R 00 2c 3e
expect "bmc-info" "Manufacturer ID +: 57253" bmc-info -h 127.0.0.1:$PORT $A

mkdir -p "$T/sdr"
S="ipmi-sensors --sdr-cache-directory=$T/sdr --quiet-cache $A"
expect "ipmi-sensors per port" "^3 +\| 12V +\| Voltage +\| 12.10 +\| V" $S -h 127.0.0.1:$PORT72
expect "ipmi-sensors per port: temperature" "^2 +\| Inlet Temp +\| Temperature +\| 24.00 +\| C +\| 'OK'" $S -h 127.0.0.1:$PORT72
expect "ipmi-sensors bridged" "^4 +\| Fan1 +\| Fan +\| 2400.00 +\| RPM" $S -h 127.0.0.1:$PORT --target-slave-address=0x02 --bridge-sensors

if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
