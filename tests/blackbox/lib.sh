# lib.sh: shared helpers for the black-box tests.  Each test starts the
# real build/pmbd on loopback with its own config, ports and state_dir,
# drives it with real clients, and stops it.  Sourced, not run.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PMBD=$TOP/build/pmbd
PASS_OK=0
FAIL_N=0
T=$(mktemp -d /tmp/pmbd-bb.XXXXXX)
PMBD_PID=
PW=bb-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')

HOG_PIDS=()

cleanup() {
	cpu_hog_stop
	[ -n "$PMBD_PID" ] && kill "$PMBD_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}

# use_sanitized: run build/asan/pmbd (AddressSanitizer + UBSan, made by
# make check); finish() then stops it and fails on any report.
SANITIZED=0
use_sanitized() {
	if [ ! -x "$TOP/build/asan/pmbd" ]; then
		not_ok "build/asan/pmbd is missing (make build/asan/pmbd)"
		return
	fi
	PMBD=$TOP/build/asan/pmbd
	export PMBD_BIN=$PMBD		# for the Python tests that start it
	SANITIZED=1
	export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:halt_on_error=1
	# A test that measures memory (pico.sh) passes "memory": freed
	# blocks are then reused at once instead of quarantined, so RSS
	# shows growth, not ASan's bookkeeping (use-after-free is still
	# caught while the block is not reused).
	[ "${1:-}" = memory ] &&
	    ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
}

# cpu_hog_start / cpu_hog_stop: a busy loop on every core beside the
# test, so that the timing that broke things on a loaded machine is part
# of the test.
cpu_hog_start() {
	local i
	for i in $(seq "$(nproc)"); do
		( trap 'exit 0' TERM; while :; do :; done ) &
		HOG_PIDS+=($!)
	done
}
cpu_hog_stop() {
	[ ${#HOG_PIDS[@]} -gt 0 ] || return 0
	kill "${HOG_PIDS[@]}" 2>/dev/null
	wait "${HOG_PIDS[@]}" 2>/dev/null
	HOG_PIDS=()
}
trap cleanup EXIT

# A free UDP port on 127.0.0.1, below 32768: FreeIPMI's ipmiconsole
# refuses higher ones ("hostname invalid").
free_port() {
	/usr/bin/python3 -c '
import random, socket
while True:
    p = random.randrange(20000, 32000)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", p))
        print(p)
        break
    except OSError:
        pass
'
}

PORT=$(free_port)
PORT72=$(free_port)
PORT6=$(free_port)
HAVE_V6=0
grep -q '^00000000000000000000000000000001' /proc/net/if_inet6 2>/dev/null && HAVE_V6=1
V6LISTEN=
[ "$HAVE_V6" = 1 ] && V6LISTEN=", \"[::1]:$PORT6\""
STATE=$T/state

# write_conf [extra top-level lines...]: the standard test configuration.
write_conf() {
	cat > "$T/pmbd.conf" <<CONF
listen = [ "127.0.0.1:$PORT"$V6LISTEN ];
state_dir = "$STATE";
users = (
  { name = "admin";  password = "$PW"; privilege = "administrator"; },
  { name = "oper";   password = "operator-pw-1"; privilege = "operator"; },
  { name = "viewer"; password = "viewer-pw-1"; privilege = "user"; }
);
targets = (
  { address = 1;    name = "node1";  driver = "sim"; power_on_delay = 200; soft_off_delay = 300; cycle_delay = 200; },
  { address = 2;    name = "node2";  driver = "sim"; start_on = true; },
  { address = 3;    name = "slow";   driver = "sim"; reply_delay = 300; power_on_delay = 100; },
  { address = 0x72; name = "node72"; driver = "sim"; listen = "127.0.0.1:$PORT72"; power_on_delay = 200; }
  ${EXTRA_TARGETS:-}
);
$*
CONF
}

# ready_count LOG: how many times pmbd said it was ready in LOG.
ready_count() {
	local c
	c=$(grep -c ' ready: [0-9]* targets' "$1" 2>/dev/null)
	echo "${c:-0}"
}

# wait_ready LOG [N [PID]]: poll (at most 30 s: CI's machine may be
# loaded) until LOG holds N (default 1) ready lines; non-zero if it never
# does, or as soon as process PID (when given) has gone.
wait_ready() {
	local log=$1 n=${2:-1} pid=${3:-} end=$((SECONDS + 30))
	while [ "$(ready_count "$log")" -lt "$n" ]; do
		[ "$SECONDS" -lt "$end" ] || return 1
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
}

start_pmbd() {
	local n
	n=$(ready_count "$T/pmbd.log")	# the log may hold an earlier run's
	"$PMBD" -f -c "$T/pmbd.conf" >>"$T/pmbd.log" 2>&1 &
	PMBD_PID=$!
	wait_ready "$T/pmbd.log" $((n + 1)) "$PMBD_PID" && return 0
	echo "pmbd did not start:"; cat "$T/pmbd.log"
	exit 1
}

stop_pmbd() {
	kill "${1:--TERM}" "$PMBD_PID" 2>/dev/null
	wait "$PMBD_PID" 2>/dev/null
	PMBD_PID=
}

alive() {
	kill -0 "$PMBD_PID" 2>/dev/null
}

ok() { PASS_OK=$((PASS_OK + 1)); echo "ok - $*"; }
not_ok() { FAIL_N=$((FAIL_N + 1)); echo "not ok - $*"; }

# expect NAME WANT_REGEX COMMAND...: the command's stdout+stderr must match.
expect() {
	local name=$1 want=$2 out
	shift 2
	out=$("$@" 2>&1)
	if printf '%s\n' "$out" | grep -Eq -- "$want"; then
		ok "$name"
	else
		not_ok "$name"
		printf '  command: %s\n  wanted:  %s\n  got:     %s\n' "$*" "$want" "$(printf '%s' "$out" | head -5)"
	fi
}

# expect_exact NAME WANT COMMAND...: stdout must be exactly WANT.
expect_exact() {
	local name=$1 want=$2 out
	shift 2
	out=$("$@" 2>/dev/null)
	if [ "$out" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name"
		printf '  command: %s\n  wanted:  %q\n  got:     %q\n' "$*" "$want" "$out"
	fi
}

# wait_for NAME WANT_REGEX COMMAND...: poll (at most 30 s, the command's
# own time included) until it matches.
wait_for() {
	local name=$1 want=$2 end=$((SECONDS + 30))
	shift 2
	while :; do
		if "$@" 2>&1 | grep -Eq -- "$want"; then
			ok "$name"
			return 0
		fi
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.2
	done
	not_ok "$name (never matched $want)"
}

# run_py NAME SCRIPT ARGS...: a Python test printing "ok - ..." /
# "not ok - ..." lines; its results count as ours.  The ceiling (600 s)
# is for a script that hangs, not a time limit: it is said when hit.
run_py() {
	local name=$1 out rc
	shift
	out=$(timeout 600 /usr/bin/python3 -u "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v 'passed, .* failed$'
	PASS_OK=$((PASS_OK + $(printf '%s\n' "$out" | grep -c '^ok - ')))
	FAIL_N=$((FAIL_N + $(printf '%s\n' "$out" | grep -c '^not ok - ')))
	if [ $rc -eq 124 ]; then
		not_ok "$name killed after 600 s"
	elif [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok - '; then
		not_ok "$name exited $rc"
	fi
}

finish() {
	if [ "$SANITIZED" = 1 ]; then
		# Exit so that LeakSanitizer runs too; any report fails.
		[ -n "$PMBD_PID" ] && stop_pmbd
		if grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" \
		    "$T/pmbd.log"; then
			not_ok "AddressSanitizer/UBSan: no report"
			grep -E -A25 "ERROR: |runtime error:" "$T/pmbd.log" | head -60
		else
			ok "AddressSanitizer/UBSan: no report"
		fi
	fi
	if grep -qi "$PW" "$T/pmbd.log"; then
		not_ok "the password never reaches the log"
	else
		ok "the password never reaches the log"
	fi
	if [ "$FAIL_N" -ne 0 ] && [ -f "$T/pmbd.log" ]; then
		echo "# the end of pmbd's log:"
		grep -v "debug:" "$T/pmbd.log" | tail -20 | sed 's/^/#   /'
		[ -n "${PMBD_KEEP_LOG:-}" ] && cp "$T/pmbd.log" "$PMBD_KEEP_LOG"
	fi
	echo "$PASS_OK passed, $FAIL_N failed"
	[ "$FAIL_N" -eq 0 ]
}
