#!/bin/bash
# Optional BMC key (Kg): the session keys come from Kg, so a client that
# knows the password but not Kg cannot log in.
. "$(dirname "$0")/lib.sh"
KG=0102030405060708090a0b0c0d0e0f1011121314
write_conf "kg = \"$KG\";"
start_pmbd
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT72 -U admin -P $PW"

expect_exact "ipmitool with Kg" "Chassis Power is off" $I -y $KG power status
expect_exact "ipmitool with Kg, suite 3" "Chassis Power is off" $I -C 3 -y $KG power status
expect "ipmitool without Kg refused" "Unable to establish" $I power status
expect "ipmitool with a wrong Kg refused" "Unable to establish" $I -y 1102030405060708090a0b0c0d0e0f1011121314 power status
expect_exact "ipmipower with Kg" "127.0.0.1: off" ipmipower -h 127.0.0.1:$PORT72 -u admin -p "$PW" -D LAN_2_0 -k 0x$KG --stat
expect "ipmipower without Kg refused" "k_g invalid" ipmipower -h 127.0.0.1:$PORT72 -u admin -p "$PW" -D LAN_2_0 --stat
out=$(/usr/bin/python3 - "$PORT72" "$PW" "$KG" <<'PY' 2>&1
import sys
from pyghmi.ipmi import command
c = command.Command(bmc='127.0.0.1', userid='admin', password=sys.argv[2],
                    port=int(sys.argv[1]), kg=bytes.fromhex(sys.argv[3]))
print(c.get_power()['powerstate'])
PY
)
if [ "$out" = off ]; then ok "pyghmi with Kg"; else not_ok "pyghmi with Kg: $out"; fi
if grep -qi "$KG" "$T/pmbd.log"; then not_ok "Kg reached the log"; else ok "Kg never reaches the log"; fi
finish
