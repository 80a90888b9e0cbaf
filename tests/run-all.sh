#!/bin/bash
# Run every test: unit tests (Check), black-box tests against the real
# daemon with ipmitool, FreeIPMI and pyghmi, and a short fuzz run.
# Prints one closing line "N passed, N failed" and exits non-zero on any
# failure.
set -u
cd "$(dirname "$0")/.."
start=$(date +%s)
passed=0
failed=0
failures=()

run() {
	local name=$1 out rc p f t0
	shift
	echo "=== $name"
	t0=$(date +%s)
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -Ev '^ok - |^pmbd: (warning|info)' | sed 's/^/    /'
	# Check prints "100%: Checks: N, Failures: F, Errors: E";
	# the shell and python tests print "N passed, N failed".
	if printf '%s\n' "$out" | grep -q '^[0-9]*%: Checks:'; then
		p=$(printf '%s\n' "$out" | sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p')
		set -- $p
		f=$(($2 + $3))
		p=$(($1 - f))
	else
		p=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' | tail -1)
		f=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' | tail -1)
		p=${p:-0}
		f=${f:-0}
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1		# a crash or a missing summary is a failure
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -ne 0 ] && failures+=("$name")
	echo "    -> $p passed, $f failed ($(( $(date +%s) - t0 )) s)"
}

for t in build/tests/check_*; do
	[ -x "$t" ] && run "unit: ${t##*/}" "$t"
done
for t in tests/blackbox/*.sh; do
	case $t in */lib.sh) continue ;; esac
	run "black-box: ${t##*/}" bash "$t"
done
if [ -n "${PICO_SDK_PATH:-}" ]; then
	run "emulator: board layer (rp2040js)" scripts/emu-test.sh
else
	echo "=== emulator: skipped (no PICO_SDK_PATH; make firmware-test runs it)"
fi
if [ -x scripts/fuzz-smoke.sh ]; then
	run "fuzz: packet, node codec, esp8266 replies, exec status" scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-20}"
fi

echo
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed in $(( $(date +%s) - start )) s"
[ "$failed" -eq 0 ]
