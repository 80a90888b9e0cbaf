#!/bin/bash
# Started as root with user = "nobody": pmbd binds its ports, then runs as
# nobody with no capability but CAP_NET_BIND_SERVICE, and still answers
# (and writes its state).  High ports: the test needs no port 623.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
	not_ok "privilege drop needs the test to run as root (it is not)"
	finish
	exit 1
fi
chmod 755 "$T"	# nobody must reach state_dir inside it
write_conf 'user = "nobody"; group = "nogroup";'
start_pmbd
uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$PMBD_PID/status")
[ "$uid" = "65534 65534 65534 65534" ] && ok "pmbd runs as nobody (uid $uid)" || not_ok "uids: $uid"
gid=$(awk '/^Gid:/ { print $2 }' "/proc/$PMBD_PID/status")
groups=$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$PMBD_PID/status" | tr -d ' ')
[ "$gid" = 65534 ] && [ "$groups" = 65534 ] && ok "group nogroup, no other groups" || not_ok "gid $gid groups $groups"
capeff=$(awk '/^CapEff:/ { print $2 }' "/proc/$PMBD_PID/status")
capbnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$PMBD_PID/status")
[ "$capeff" = 0000000000000400 ] && ok "only CAP_NET_BIND_SERVICE left (CapEff $capeff)" || not_ok "CapEff $capeff"
[ "$capbnd" = 0000000000000400 ] && ok "and nothing else can come back (CapBnd $capbnd)" || not_ok "CapBnd $capbnd"
grep -q "NoNewPrivs:.*1" "/proc/$PMBD_PID/status" && ok "no_new_privs set" || not_ok "no_new_privs not set"
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"
expect "it still answers on its port" "Chassis Power is" $I -t 1 power status
expect "and writes its state as nobody" "Set Boot Device to pxe" $I -t 1 chassis bootdev pxe
owner=$(stat -c %U "$STATE")
[ "$owner" = nobody ] && ok "state_dir belongs to nobody" || not_ok "state_dir owner $owner"
ls "$STATE" | grep -q . && ok "state files written" || not_ok "no state files"
if alive; then ok "pmbd still running"; else not_ok "pmbd died"; fi
finish
