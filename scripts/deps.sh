#!/bin/sh
# Install the Debian packages pmbd needs to build, run and test.
# Only what is missing is installed; as root or through sudo.
set -eu

PKGS="gcc make pkg-config libevent-dev libssl-dev libconfig-dev libsystemd-dev
libserialport-dev libmbedtls-dev check ipmitool freeipmi-tools python3 python3-pyghmi
openipmi expect socat clang valgrind procps iproute2
systemd groff-base man-db bsdextrautils libgpiod-dev gpiod"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing packages:$missing (run as root or install sudo)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
