#!/bin/sh
# make run: start pmbd in the foreground on the demo configuration, with a
# fresh random password for admin, and show what to try.
set -eu
cd "$(dirname "$0")/.."
D=build/demo
mkdir -p "$D/state"
PW=$(head -c 9 /dev/urandom | base64 | tr -d '/+=' | cut -c1-12)
sed -e "s|@STATE_DIR@|$(pwd)/$D/state|" -e "s|@PASSWORD@|$PW|" \
    etc/pmbd.demo.conf > "$D/pmbd.conf"
chmod 600 "$D/pmbd.conf"
I="ipmitool -I lanplus -H 127.0.0.1 -p 6230 -U admin -P $PW"
cat <<MSG
pmbd demo: three simulated machines behind 127.0.0.1:6230
  user admin, password $PW   (new each run; config in $D/pmbd.conf)

Try, in another terminal:
  $I -t 1 power status
  $I -t 1 power on
  $I -t 1 chassis bootdev pxe
  $I -t 1 chassis bootparam get 5
  $I -t 2 chassis status
  $I -t 0x72 mc info
  $I -t 1 sdr list
  $I -t 1 sol activate          # the serial console: ~. leaves, ~B is BREAK
  ipmitool -I lanplus -H 127.0.0.1 -p 6272 -U admin -P $PW power status   # node72's own port
  ipmipower -h 127.0.0.1:6272 -u admin -p $PW -D LAN_2_0 --stat
  ipmi-raw -h 127.0.0.1:6230 -u admin -p $PW -D LAN_2_0 --target-slave-address=0x01 00 00 01

Ctrl-C stops pmbd.
MSG
exec ./build/pmbd -f -c "$D/pmbd.conf"
