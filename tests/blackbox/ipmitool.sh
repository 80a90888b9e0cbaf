#!/bin/bash
# ipmitool (lanplus) against the real daemon: suites, bridging, every
# chassis and boot command Ironic uses, per-target port, refusals.
. "$(dirname "$0")/lib.sh"
write_conf
start_pmbd

I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"
P="ipmitool -I lanplus -H 127.0.0.1 -p $PORT72 -U admin -P $PW"

# Cipher suites: automatic (17), 17 and 3.
expect "auto suite picks 17" "Using best available cipher suite 17" $I -v -t 1 power status
expect "suite 17 bridged" "^Chassis Power is off$" $I -C 17 -t 1 power status
expect "suite 3 bridged" "^Chassis Power is off$" $I -C 3 -t 1 power status
expect_exact "Ironic power status: exact stdout" "Chassis Power is on" $I -L ADMINISTRATOR -b 0 -t 2 power status

# Power through bridging: on, cycle, reset, diag, soft, off.
expect "power on" "Chassis Power Control: Up/On" $I -t 1 power on
wait_for "powers up" "^Chassis Power is on$" $I -t 1 power status
expect "power on again is harmless" "Chassis Power Control: Up/On" $I -t 1 power on
expect "power cycle" "Chassis Power Control: Cycle" $I -t 1 power cycle
wait_for "back on after cycle" "^Chassis Power is on$" $I -t 1 power status
expect "power reset" "Chassis Power Control: Reset" $I -t 1 power reset
expect "power diag" "Chassis Power Control: Diag" $I -t 1 power diag
expect "chassis status" "System Power +: on" $I -t 1 chassis status
expect "restart cause" "chassis power control command" $I -t 1 chassis restart_cause
expect "power soft" "Chassis Power Control: Soft" $I -t 1 power soft
wait_for "soft-off completes" "^Chassis Power is off$" $I -t 1 power status
expect "soft when off is refused" "Command not supported in present state" $I -t 1 power soft
expect "power off" "Chassis Power Control: Down/Off" $I -t 2 power off
expect_exact "node2 now off" "Chassis Power is off" $I -t 2 power status
expect "identify 5" "Chassis identify interval: 5 seconds" $I -t 1 chassis identify 5
expect "identify state: temporary" "^ [0-9a-f]{2} [0-9a-f]{2} 50 00" $I -t 1 raw 0 1
expect "identify force" "indefinite" $I -t 1 chassis identify force
expect "identify state: on" "^ [0-9a-f]{2} [0-9a-f]{2} 60 00" $I -t 1 raw 0 1
expect "identify off" "Chassis identify interval: off" $I -t 1 chassis identify 0
expect "identify state: off" "^ [0-9a-f]{2} [0-9a-f]{2} 40 00" $I -t 1 raw 0 1
expect "mc info of a target" "Device ID +: 114" $I -t 0x72 mc info
expect "mc info names the manufacturer" "Raspberry Pi" $I mc info
expect "mc guid is IPMI-encoded" "GUID Encoding : IPMI" $I -t 1 mc guid
expect "bmc reset cold (target link)" "Sent cold reset command to MC" $I -t 1 bmc reset cold
expect "bmc reset warm" "Sent warm reset command to MC" $I -t 1 bmc reset warm
expect "unknown target: 0x83" "Unknown \(0x83\)" $I -t 5 power status
expect "async target answers bridged" "^Chassis Power Control: Up/On" $I -t 3 power on
wait_for "async target on" "^Chassis Power is on$" $I -t 3 power status

# Boot devices, the ipmitool way and Ironic's raw UEFI form.
expect "bootdev pxe" "Set Boot Device to pxe" $I -t 1 chassis bootdev pxe
expect "bootparam shows pxe, next boot" "Boot Device Selector : Force PXE" $I -t 1 chassis bootparam get 5
expect "bootparam one-shot" "Options apply to only next boot" $I -t 1 chassis bootparam get 5
expect "bootdev disk persistent efi" "Set Boot Device to disk" $I -t 1 chassis bootdev disk options=efiboot,persistent
expect "persistent efi disk" "Options apply to all future boots" $I -t 1 chassis bootparam get 5
expect "Ironic raw: clear mask" "^$" $I -t 1 raw 0x00 0x08 0x03 0x08
expect "Ironic raw: uefi pxe one-shot" "^$" $I -t 1 raw 0x00 0x08 0x05 0xa0 0x04 0x00 0x00 0x00
expect "raw read back" "^ 01 05 a0 04 00 00 00" $I -t 1 raw 0x00 0x09 0x05 0x00 0x00
expect "efi pxe" "BIOS EFI boot" $I -t 1 chassis bootparam get 5
expect "Ironic raw: uefi disk persistent" "^$" $I -t 1 raw 0x00 0x08 0x05 0xe0 0x08 0x00 0x00 0x00
expect "bootdev bios" "Set Boot Device to bios" $I -t 0x72 chassis bootdev bios
expect "param 4 ack" "^ 01 04 00" $I -t 1 raw 0x00 0x09 0x04 0x00 0x00
expect "unsupported boot param" "rsp=0x80" $I -t 1 raw 0x00 0x09 0x07 0x00 0x00

# One-shot clears after the next power-on; persistent stays.
$I -t 0x72 power off >/dev/null 2>&1
expect "node72 bootdev pxe" "Set Boot Device to pxe" $I -t 0x72 chassis bootdev pxe
expect "node72 power on" "Up/On" $I -t 0x72 power on
wait_for "node72 on" "^Chassis Power is on$" $I -t 0x72 power status
expect "one-shot flag cleared after boot" "Boot Flag Invalid" $I -t 0x72 chassis bootparam get 5
expect "the boot is logged with its device" "target node72: boots, device PXE, one-shot" cat "$T/pmbd.log"
$I -t 1 power on >/dev/null
wait_for "node1 on" "^Chassis Power is on$" $I -t 1 power status
expect "persistent flag kept after boot" "Boot Flag Valid" $I -t 1 chassis bootparam get 5

# Per-target endpoint: no bridging, same state as the bridged path.
expect_exact "per-port sees bridged state" "Chassis Power is on" $P power status
expect "per-port power off" "Down/Off" $P power off
expect_exact "bridged sees per-port change" "Chassis Power is off" $I -t 0x72 power status
expect "per-port suite 3" "^Chassis Power is off$" $P -C 3 power status
expect "per-port bootdev" "Set Boot Device to cdrom" $P chassis bootdev cdrom
expect "bridged bootparam sees it" "Force Boot from CD/DVD" $I -t 0x72 chassis bootparam get 5
expect "per-port mc info" "Device ID +: 114" $P mc info

# Sensors: SDR repository and readings, bridged and per port.
expect "sdr list bridged" "^12V +\| 12.10 Volts +\| ok" $I -t 1 sdr list
expect "sdr list: fan" "^Fan1 +\| 2400 RPM +\| ok" $I -t 1 sdr list
expect "sdr -v (Ironic) readings" "Sensor Reading +: 4[5-7] \(\+/- 0\) degrees C" $I -t 1 sdr -v
expect "sdr -v (Ironic) thresholds" "Readable Thresholds +: unc ucr" $I -t 1 sdr -v
expect "sensor list with thresholds" "^CPU Temp +\| 4[5-7]\.000 +\| degrees C +\| ok +\| na +\| na +\| na +\| 80\.000 +\| 95\.000" $I -t 1 sensor list
expect "sdr on the per-target port" "^Inlet Temp +\| 24 degrees C +\| ok" $P sdr list
expect "sdr: rail off when the machine is off" "^12V +\| disabled +\| ns" $I -t 0x72 sdr list

# Session and channel commands.
expect "session info" "privilege level +: ADMINISTRATOR" $I session info active
expect "channel info" "802.3 LAN" $I channel info
expect "channel getciphers" "^17 +N/A +hmac_sha256 +sha256_128 +aes_cbc_128" $I channel getciphers ipmi
expect "-m: Send Message to pmbd itself" "Device ID +: 32" $I -m 0x30 mc info

# IPv6 listener.
if [ "$HAVE_V6" = 1 ]; then
	expect "IPv6 [::1] bridged" "^Chassis Power is (on|off)$" ipmitool -I lanplus -H ::1 -p $PORT6 -U admin -P "$PW" -t 1 power status
else
	echo "skip - no ::1 on this machine (not counted)"
fi

# Refusals.
expect "wrong password" "Unable to establish IPMI v2 / RMCP\+ session" ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P wrong-password-1 power status
expect "unknown user" "Unable to establish IPMI v2 / RMCP\+ session" ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U nobody -P "$PW" power status
expect "null user" "Unable to establish IPMI v2 / RMCP\+ session" ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U "" -P "$PW" power status
expect "cipher suite 0 refused" "invalid authentication algorithm|Unable to establish" ipmitool -I lanplus -H 127.0.0.1 -p $PORT -C 0 -U admin -P "$PW" power status
expect "cipher suite 1 refused" "Unable to establish" ipmitool -I lanplus -H 127.0.0.1 -p $PORT -C 1 -U admin -P "$PW" power status
expect "USER cannot power on" "Insufficient privilege level" ipmitool -I lanplus -H 127.0.0.1 -p $PORT72 -U viewer -P viewer-pw-1 -L USER power on
expect_exact "USER may read" "Chassis Power is off" ipmitool -I lanplus -H 127.0.0.1 -p $PORT72 -U viewer -P viewer-pw-1 -L USER power status
expect "USER cannot ask for ADMINISTRATOR" "Unable to establish" ipmitool -I lanplus -H 127.0.0.1 -p $PORT72 -U viewer -P viewer-pw-1 -L ADMINISTRATOR power status
expect "OPERATOR may power on" "Up/On" ipmitool -I lanplus -H 127.0.0.1 -p $PORT72 -U oper -P operator-pw-1 -L OPERATOR power on
expect "OPERATOR cannot cold reset" "rsp=0xd4" ipmitool -I lanplus -H 127.0.0.1 -p $PORT72 -U oper -P operator-pw-1 -L OPERATOR raw 6 2
expect "IPMI 1.5 sessions are not offered" "Authentication type NONE not supported|Unable to|Error" ipmitool -I lan -H 127.0.0.1 -p $PORT -U admin -P "$PW" power status

if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
