#!/bin/sh
# Build the node firmware for one board with the Pico SDK (make firmware
# PICO_BOARD=pico_w|pico2_w): ELF, BIN and UF2 in build/firmware/BOARD/,
# and the image's flash and static RAM (arm-none-eabi-size -A, summed).
# Offline: PICO_NO_PICOTOOL=1, the UF2 comes from our build/mkuf2.
set -eu
board=${1:-pico_w}
cd "$(dirname "$0")/.."
case $board in
pico_w) family=rp2040 ;;
pico2_w) family=rp2350 ;;
pico) family=rp2040 ;;		# the emulator test firmware (tests/emu)
*) echo "firmware: PICO_BOARD must be pico_w, pico2_w or pico" >&2; exit 2 ;;
esac
if [ -z "${PICO_SDK_PATH:-}" ] || [ ! -f "$PICO_SDK_PATH/pico_sdk_init.cmake" ]; then
	cat >&2 <<MSG
firmware: PICO_SDK_PATH does not point at a Pico SDK.
  Install: the Pico SDK 2.x with its submodules (cyw43-driver, lwip,
  mbedtls, tinyusb), e.g. git clone -b 2.2.0 --recurse-submodules
  https://github.com/raspberrypi/pico-sdk, and Debian's gcc-arm-none-eabi,
  libnewlib-arm-none-eabi, libstdc++-arm-none-eabi-newlib and cmake; then
  make firmware PICO_SDK_PATH=/path/to/pico-sdk PICO_BOARD=$board
MSG
	exit 1
fi
for t in arm-none-eabi-gcc cmake; do
	command -v $t >/dev/null || { echo "firmware: $t is not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib cmake)" >&2; exit 1; }
done
out=build/firmware/$board
mkdir -p "$out"
cmake -S firmware-pico -B "$out/cmake" -DPICO_BOARD="$board" \
    -DPICO_SDK_PATH="$PICO_SDK_PATH" -DCMAKE_BUILD_TYPE=MinSizeRel >"$out/cmake.log" 2>&1 ||
	{ tail -30 "$out/cmake.log" >&2; exit 1; }
cmake --build "$out/cmake" -j"$(nproc)" >"$out/build.log" 2>&1 ||
	{ grep -E "error|Error" "$out/build.log" | head -30 >&2; exit 1; }
img=pmb-node
[ "$board" = pico ] && img=pmb-emu
cp "$out/cmake/$img.elf" "$out/$img.elf"
cp "$out/cmake/$img.bin" "$out/$img.bin"
build/mkuf2 -f "$family" "$out/$img.elf" "$out/$img.uf2"
# Flash: what is loaded into flash; static RAM: what lives in RAM at run.
arm-none-eabi-size -A "$out/$img.elf" | awk -v b="$board" '
	/^\.(boot2|text|rodata|binary_info|ARM.exidx|ARM.extab|data|ram_vector_table|uninitialized_data|scratch_x|scratch_y|bss|heap|stack_dummy|flash_end|embedded_block|embedded_end_block|tdata|tbss|preinit_array|init_array|fini_array)/ {
		s[$1] = $2
	}
	END {
		flash = s[".boot2"] + s[".text"] + s[".rodata"] + s[".binary_info"] + s[".ARM.exidx"] + s[".ARM.extab"] + s[".data"] + s[".embedded_block"] + s[".tdata"] + s[".preinit_array"] + s[".init_array"] + s[".fini_array"];
		ram = s[".data"] + s[".bss"] + s[".ram_vector_table"] + s[".uninitialized_data"] + s[".tdata"] + s[".tbss"];
		printf "firmware %s: flash %d bytes (%.1f KB), static RAM %d bytes (%.1f KB)\n", b, flash, flash / 1024, ram, ram / 1024;
		if (flash > 400 * 1024 || ram > 80 * 1024) { print "firmware: over budget (400 KB flash, 80 KB RAM)"; exit 1 }
	}'
# The deepest stack path (-fcallgraph-info) against the 4 KiB main stack.
if [ "$board" != pico ]; then
	python3 scripts/stack-check.py "$out/cmake" 0x1000 | cut -c1-400 || exit 1
fi
ls -l "$out/$img.elf" "$out/$img.bin" "$out/$img.uf2"
