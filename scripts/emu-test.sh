#!/bin/sh
# The board layer under the rp2040js emulator (tests/emu/run.mjs): builds
# the plain-Pico test firmware and the real pico_w image with the Pico SDK,
# installs rp2040js from npm into build/emu, and runs both with the RP2040
# boot ROM given by
# RP2040_BOOTROM (a 16 KiB binary, or the rp2040js repository's
# demo/bootrom.ts).  Without the SDK, node or the ROM it says so and skips:
# a skip is never counted as a pass.
set -eu
cd "$(dirname "$0")/.."
skip() { echo "emu: skipped ($1)"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
[ -n "${PICO_SDK_PATH:-}" ] || skip "PICO_SDK_PATH is not set"
[ -n "${RP2040_BOOTROM:-}" ] && [ -f "$RP2040_BOOTROM" ] || skip "RP2040_BOOTROM is not set"
command -v node >/dev/null && command -v npm >/dev/null || skip "no node/npm"
./scripts/firmware.sh pico >/dev/null
./scripts/firmware.sh pico_w >/dev/null
if [ ! -d build/emu/node_modules/rp2040js ]; then
	mkdir -p build/emu
	(cd build/emu && npm install --silent --no-audit --no-fund rp2040js@1.4.1 >/dev/null)
fi
cp tests/emu/run.mjs build/emu/run.mjs		# resolves rp2040js there
node build/emu/run.mjs build/firmware/pico/pmb-emu.uf2 "$RP2040_BOOTROM" \
    build/firmware/pico_w/pmb-node.uf2
