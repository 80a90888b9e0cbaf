#!/bin/bash
# systemd units: systemd-analyze verify on systemd/pmbd.service and
# systemd/pmbd.socket, and the service's security exposure (offline).
# No running systemd is needed: the units are verified as copies whose
# /usr/sbin/pmbd is the freshly built build/pmbd (verify insists that
# every Exec path exists), man pages are not looked up (--man=no; the
# install test verifies with the installed pages).
. "$(dirname "$0")/lib.sh"

SA=$(command -v systemd-analyze || true)
if [ -z "$SA" ]; then
	not_ok "systemd-analyze is installed (package systemd; scripts/deps.sh)"
	echo "$PASS_OK passed, $FAIL_N failed"
	exit 1
fi
echo "# $($SA --version | head -1)"
[ -x "$PMBD" ] || { not_ok "build/pmbd is built"; echo "$PASS_OK passed, $FAIL_N failed"; exit 1; }

U=$T/units
mkdir -p "$U"
for u in pmbd.service pmbd.socket; do
	sed "s#/usr/sbin/pmbd#$PMBD#g" "$TOP/systemd/$u" > "$U/$u"
done

# verify_clean NAME UNIT...: exit 0 and not one line of complaint
# (verify exits 0 on unknown keys and bad values, it only warns).
verify_clean() {
	local name=$1 out rc
	shift
	out=$(cd "$U" && "$SA" verify --man=no "$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$out" ]; then
		ok "$name"
	else
		not_ok "$name (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/  /'
	fi
}
verify_clean "systemd-analyze verify pmbd.service" ./pmbd.service
verify_clean "systemd-analyze verify pmbd.socket" ./pmbd.socket

# The check must be able to fail: a misspelt key and a missing binary.
mkdir -p "$T/bad"
sed 's/^Type=notify/Tpye=notify/' "$U/pmbd.service" > "$T/bad/pmbd.service"
out=$(cd "$T/bad" && "$SA" verify --man=no ./pmbd.service 2>&1)
if [ -n "$out" ]; then ok "verify complains about a misspelt key"; else not_ok "verify complains about a misspelt key"; fi
sed "s#$PMBD#/nonexistent/pmbd#g" "$U/pmbd.service" > "$T/bad/pmbd.service"
if (cd "$T/bad" && "$SA" verify --man=no ./pmbd.service >/dev/null 2>&1); then
	not_ok "verify fails on a missing binary"
else
	ok "verify fails on a missing binary"
fi

# What the unit must say (the daemon's contract with systemd).
S=$TOP/systemd/pmbd.service
for want in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=30s' \
    'ExecStartPre=/usr/sbin/pmbd -n -c /etc/pmbd/pmbd.conf' \
    'ExecStart=/usr/sbin/pmbd -f -c /etc/pmbd/pmbd.conf' \
    'ExecReload=/bin/kill -HUP $MAINPID' 'User=pmbd' \
    'StateDirectory=pmbd' 'ConfigurationDirectory=pmbd' \
    'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' 'UMask=0077' \
    'ProtectSystem=strict' 'NoNewPrivileges=yes' 'PrivateDevices=no' \
    'DevicePolicy=closed' 'DeviceAllow=char-ttyUSB rw' \
    'DeviceAllow=char-ttyACM rw' 'DeviceAllow=char-ttyS rw' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
    'SystemCallFilter=@system-service' \
    'SystemCallFilter=~@privileged @resources'; do
	if grep -qxF -- "$want" "$S"; then ok "service: $want"; else not_ok "service: $want"; fi
done
# Socket activation hands over only a socket bound to exactly a `listen`
# address: the socket's ListenDatagram= must be the shipped config's.
sock=$(sed -n 's/^ListenDatagram=//p' "$TOP/systemd/pmbd.socket")
if [ -n "$sock" ] && grep -q "^listen = .*\"$sock\"" "$TOP/etc/pmbd.conf"; then
	ok "socket: ListenDatagram=$sock is a listen address of etc/pmbd.conf"
else
	not_ok "socket: ListenDatagram=${sock:-?} is a listen address of etc/pmbd.conf"
fi

# ExecStartPre on the shipped configuration: it must pass its own check.
expect "ExecStartPre accepts etc/pmbd.conf" 'configuration OK' \
	"$PMBD" -n -c "$TOP/etc/pmbd.conf"

# Security exposure: OK or better (PERFECT, SAFE, OK).
if "$SA" security --help 2>&1 | grep -q -- '--offline'; then
	out=$(cd "$U" && "$SA" security --offline=true ./pmbd.service 2>&1)
	line=$(printf '%s\n' "$out" | grep 'Overall exposure level' | tail -1)
	score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9.]*\) \([A-Z]*\).*/\1/p')
	level=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9.]*\) \([A-Z]*\).*/\2/p')
	echo "# security exposure of pmbd.service: ${score:-?} ${level:-?}"
	case $level in
	PERFECT|SAFE|OK) ok "systemd-analyze security: $score $level" ;;
	*) not_ok "systemd-analyze security: ${score:-?} ${level:-?} (want OK or better)"
	   printf '%s\n' "$out" | grep '✗' | sed 's/^/  /' ;;
	esac
else
	echo "# systemd-analyze security has no --offline here: skipped"
fi

echo "$PASS_OK passed, $FAIL_N failed"
[ "$FAIL_N" -eq 0 ]
