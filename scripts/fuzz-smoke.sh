#!/bin/sh
# Fuzz smoke test: build the fuzzers (`make fuzz`) and run them for SECONDS
# in all (default 30; at least 1 s each), each on a fresh copy of its seeds:
# build/fuzz_packet (the whole core) on tests/fuzz/corpus, build/fuzz_nproto
# (the node link codec) on tests/fuzz/corpus-nproto, build/fuzz_esp8266
# (the esp8266 driver's reply lines) on tests/fuzz/corpus-esp8266 and
# build/fuzz_exec_status (the exec driver's status output) on
# tests/fuzz/corpus-exec_status.
# Exits non-zero when the fuzzer finds a crash, a leak, undefined
# behaviour or a hang; the input that did it is left in build/fuzz-artifacts-NAME/.
# Without clang (or without libFuzzer in it) the test is skipped.
#
#   usage: scripts/fuzz-smoke.sh [SECONDS]
set -eu

secs=${1:-30}
case $secs in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
B=build

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: skipped (no clang)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *p, unsigned long n)
{ (void)p; (void)n; return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" \
    >/dev/null 2>&1; then
	echo "fuzz: skipped (clang has no libFuzzer)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

make --no-print-directory fuzz

# UB is an error like any other; keep stack traces readable.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS ASAN_OPTIONS

# fuzz NAME SECONDS SEED-DIR: run build/fuzz_NAME on a copy of its corpus.
passed=0
failed=0
fuzz() {
	name=$1 t=$2 seeds=$3
	corpus=$B/fuzz-corpus-$name
	art=$B/fuzz-artifacts-$name
	log=$B/fuzz-$name.log
	rm -rf "$corpus" "$art"
	mkdir -p "$corpus" "$art"
	cp "$seeds"/* "$corpus"/
	echo "fuzz: running build/fuzz_$name for ${t}s (log: $log)"
	rc=0
	"$B/fuzz_$name" -max_total_time="$t" -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$art/" "$corpus" \
	    >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*\(cov: [0-9]*\).*/\1/p')
	echo "fuzz $name: ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) inputs"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz $name: FAILED (exit $rc); the end of $log:" >&2
		grep -v '^pmbd: ' "$log" | tail -n 40 >&2
		for f in "$art"/*; do
			[ -e "$f" ] && echo "fuzz: reproduce with: $B/fuzz_$name $f" >&2
		done
		failed=$((failed + 1))
	else
		echo "fuzz $name: OK"
		passed=$((passed + 1))
	fi
}

# An eighth of the time for each small parser, a quarter for the node
# codec, the rest (the most) for the whole core: 2 + 2 + 5 + 11 s of 20.
small=$((secs / 8 > 0 ? secs / 8 : 1))
np=$((secs / 4 > 0 ? secs / 4 : 1))
pk=$((secs - np - 2 * small))
[ "$pk" -gt 0 ] || pk=1
fuzz packet "$pk" tests/fuzz/corpus
fuzz nproto "$np" tests/fuzz/corpus-nproto
fuzz esp8266 "$small" tests/fuzz/corpus-esp8266
fuzz exec_status "$small" tests/fuzz/corpus-exec_status
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
