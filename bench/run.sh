#!/usr/bin/env bash
# bench/run.sh - pmbd vs OpenIPMI ipmi_sim, same client, same machine.
#
#   bash bench/run.sh [SECONDS]        (or BENCH_SECONDS=SECONDS; default 10)
#
# Runs build/ipmiload against pmbd and against ipmi_sim (cipher suite 3 for
# both; pmbd also with suite 17, which ipmi_sim lacks) and reports
# throughput, server CPU per request, server instructions per request (when
# perf counters work) and server resident memory, with the ratio
# pmbd/ipmi_sim.  The table goes to stdout and to build/bench-results.txt.
# Loopback (127.0.0.1) only.  See bench/README.md for what each number means.
#
# Environment (all optional):
#   BENCH_SECONDS      seconds per measurement (the first argument wins)
#   BENCH_PMBD_PORT    pmbd main port            (default 6330)
#   BENCH_TARGET_PORT  pmbd per-target port       (default 6372)
#   BENCH_SIM_PORT     ipmi_sim port              (default 9623)
#   BENCH_NO_BUILD=1   do not run make (use the existing binaries)
#   BENCH_OUT          results file               (default build/bench-results.txt)

set -u

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

SECS=${1:-${BENCH_SECONDS:-10}}
if ! [[ $SECS =~ ^[0-9]+([.][0-9]+)?$ ]] || awk -v s="$SECS" 'BEGIN { exit !(s <= 0 || s > 3600) }'; then
	echo "run.sh: seconds must be a number in (0, 3600], got '$SECS'" >&2
	exit 2
fi
PMBD_PORT=${BENCH_PMBD_PORT:-6330}
TPORT=${BENCH_TARGET_PORT:-6372}
SIM_PORT=${BENCH_SIM_PORT:-9623}
OUT=${BENCH_OUT:-build/bench-results.txt}
HOST=127.0.0.1
USER_NAME=admin
PASS=benchpassword1
# Hard bound for one ipmiload run: the measurement itself plus session
# setup/teardown slack (every reply has a 1 s timeout in ipmiload).
RUN_LIMIT=$(awk -v s="$SECS" 'BEGIN { printf "%d", s + 30 }')

die() { echo "run.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- cleanup --
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pmbd-bench.XXXXXX") || die "mktemp failed"
PERF_PID=""
CLIENT_PID=""
# Server processes, by name ("pmbd", "sim").  Both run for the whole
# benchmark so that the measurements can alternate between them: whatever
# else the machine is doing then disturbs both servers alike.
declare -A SPID=([pmbd]="" [sim]="")

stop_pid() {        # stop_pid PID: TERM, wait up to 3 s, then KILL
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	stop_pid "$CLIENT_PID"
	stop_pid "$PERF_PID"
	stop_pid "${SPID[pmbd]:-}"
	stop_pid "${SPID[sim]:-}"
	CLIENT_PID=""
	PERF_PID=""
	SPID=()
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ------------------------------------------------------------------ setup --
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
	make --no-print-directory -s build/pmbd build/ipmiload >"$TMP/make.log" 2>&1 ||
		{ cat "$TMP/make.log" >&2; die "build failed"; }
fi
[ -x build/pmbd ] || die "build/pmbd missing"
[ -x build/ipmiload ] || die "build/ipmiload missing"
# Run private copies: a concurrent "make" must not swap binaries mid-run.
mkdir -p "$TMP/bin" && cp build/pmbd build/ipmiload "$TMP/bin/" || die "cannot copy the binaries"
PMBD_BIN=$TMP/bin/pmbd
LOAD_BIN=$TMP/bin/ipmiload
PMBD_VERSION=$("$PMBD_BIN" --version 2>/dev/null)
GITREV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain 2>/dev/null)" ] && GITREV="$GITREV (work tree modified)"
command -v ipmi_sim >/dev/null || die "ipmi_sim not found (Debian package: openipmi)"
command -v timeout >/dev/null || die "timeout (coreutils) not found"

CLK_TCK=$(getconf CLK_TCK)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# Pin the client to CPU 0 and the server to CPU 1 when possible.
CLIENT_PIN=()
SERVER_PIN=()
PINNING="none (taskset missing or fewer than 2 CPUs)"
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if command -v taskset >/dev/null && [ "$NCPU" -ge 2 ] &&
   taskset -c 0 true 2>/dev/null && taskset -c 1 true 2>/dev/null; then
	CLIENT_PIN=(taskset -c 0)
	SERVER_PIN=(taskset -c 1)
	PINNING="client taskset -c 0, server taskset -c 1"
fi

# perf counters: optional, skipped silently when absent or unsupported
# (typical in containers and VMs: "<not supported>").
PERF=0
if command -v perf >/dev/null &&
   perf stat -x, -e instructions -o "$TMP/perf.probe" -- true >/dev/null 2>&1 &&
   grep -Eq '^[0-9]+,' "$TMP/perf.probe"; then
	PERF=1
fi

port_busy() {       # port_busy PORT: true if something listens on UDP PORT
	command -v ss >/dev/null || return 1
	[ -n "$(ss -Hnlu "sport = :$1" 2>/dev/null)" ]
}
for p in "$PMBD_PORT" "$TPORT" "$SIM_PORT"; do
	port_busy "$p" && die "UDP port $p is already in use on this machine (set BENCH_*_PORT)"
done

# ------------------------------------------------------- server handling --
cpu_ticks() {       # utime + stime of a process, in clock ticks
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -1; return; }
	s=${s##*) }                 # drop "pid (comm) ": comm may hold spaces
	set -- $s                   # now $1 = state (field 3), utime = field 14
	echo $(( ${12} + ${13} ))
}

status_kib() {      # status_kib PID FIELD (VmRSS / VmHWM), in KiB
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# run_client OUT ERR CMD...: run CMD with its output in files and wait for
# it.  In the background + wait so that a trapped INT/TERM stops the script
# at once (bash defers traps while a foreground child runs).
run_client() {
	local out=$1 err=$2 rc
	shift 2
	"$@" >"$out" 2>"$err" &
	CLIENT_PID=$!
	wait "$CLIENT_PID"
	rc=$?
	CLIENT_PID=""
	return $rc
}

server_alive() { [ -n "${SPID[$1]}" ] && kill -0 "${SPID[$1]}" 2>/dev/null; }

# wait_ready SERVER PORT [extra ipmiload args]: a full session plus 50
# requests must succeed within ~10 s.  Doubles as a short warm-up.
wait_ready() {
	local srv=$1 port=$2 i
	shift 2
	for i in $(seq 20); do
		server_alive "$srv" || return 1
		if run_client /dev/null /dev/null timeout 5 "$LOAD_BIN" -H "$HOST" \
			-p "$port" -U "$USER_NAME" -P "$PASS" -m req -n 50 "$@"; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

# ---------------------------------------------------------- measurements --
# Results are kept in R[key]; a key is "<server>.<what>".
declare -A R
RAW=()              # raw ipmiload lines, for the record
ERRS=()             # error reports

kv() {              # kv LINE KEY: value of KEY=value in an ipmiload line
	local w
	for w in $1; do
		case $w in "$2="*) echo "${w#*=}"; return ;; esac
	done
	echo ""
}

# measure NAME PORT MODE SUITE [extra ipmiload args]
# NAME is "<server>.<run>".  Runs ipmiload for $SECS seconds against that
# server and records
#   NAME.rate   rps or setups/s       NAME.n     requests or setups
#   NAME.errors                       NAME.cpu_us server CPU us per op
#   NAME.instr  server instructions per op (perf only)
measure() {
	local name=$1 port=$2 mode=$3 suite=$4
	shift 4
	local srv=${name%%.*}
	local pid=${SPID[$srv]}
	local args=(-H "$HOST" -p "$port" -U "$USER_NAME" -P "$PASS" -C "$suite" -m "$mode" -t "$SECS" "$@")
	local t0 t1 line rc n rate errs

	if ! server_alive "$srv"; then
		ERRS+=("$name: $srv not running, run skipped")
		return 1
	fi
	echo "  $name: ipmiload ${args[*]}" >&2
	if [ "$PERF" = 1 ]; then
		perf stat -x, -e instructions -p "$pid" -o "$TMP/perf.$name" >/dev/null 2>&1 &
		PERF_PID=$!
		sleep 0.3   # let perf attach
	fi
	t0=$(cpu_ticks "$pid")
	run_client "$TMP/out.$name" "$TMP/err.$name" \
		timeout "$RUN_LIMIT" "${CLIENT_PIN[@]}" "$LOAD_BIN" "${args[@]}"
	rc=$?
	t1=$(cpu_ticks "$pid")
	line=$(head -n 1 "$TMP/out.$name")
	if [ -n "$PERF_PID" ]; then
		kill -INT "$PERF_PID" 2>/dev/null
		wait "$PERF_PID" 2>/dev/null
		PERF_PID=""
	fi
	RAW+=("$name: ${line:-<no output, exit $rc>}")

	n=$(kv "$line" requests); [ -n "$n" ] || n=$(kv "$line" setups)
	rate=$(kv "$line" rps);   [ -n "$rate" ] || rate=$(kv "$line" setups_per_s)
	errs=$(kv "$line" errors)
	R[$name.n]=${n:-0}
	R[$name.rate]=$rate
	R[$name.errors]=${errs:-?}
	if [ "$rc" -ne 0 ] || [ "${errs:-1}" != 0 ]; then
		local why="exit $rc" l
		[ "$rc" = 124 ] && why="killed after ${RUN_LIMIT}s"
		ERRS+=("$name ($mode, suite $suite, port $port${*:+, $*}): errors=${errs:-?}, $why")
		while IFS= read -r l; do ERRS+=("    $l"); done < <(head -n 20 "$TMP/err.$name")
		server_alive "$srv" || ERRS+=("    $srv (pid $pid) is gone")
	fi
	if [ "$t0" -ge 0 ] && [ "$t1" -ge 0 ] && [ "${n:-0}" -gt 0 ]; then
		R[$name.cpu_us]=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$n" \
			'BEGIN { printf "%.2f", d * 1e6 / hz / n }')
	fi
	if [ "$PERF" = 1 ] && [ "${n:-0}" -gt 0 ] && [ -f "$TMP/perf.$name" ]; then
		local ins
		ins=$(awk -F, '$3 ~ /^instructions/ && $1 ~ /^[0-9]+$/ { print $1 }' "$TMP/perf.$name")
		[ -n "$ins" ] && R[$name.instr]=$(awk -v i="$ins" -v n="$n" 'BEGIN { printf "%.0f", i / n }')
	fi
	return 0
}

log_tail() {        # log_tail FILE: last lines of a server log into ERRS
	local l
	while IFS= read -r l; do ERRS+=("    $l"); done < <(tail -n 20 "$1")
}

# ---------------------------------------------------------------- start --
echo "starting pmbd and ipmi_sim (${SECS}s per run)" >&2
mkdir -p "$TMP/pmbd/state" "$TMP/sim"
cat >"$TMP/pmbd/pmbd.conf" <<CONF
# generated by bench/run.sh
listen = [ "$HOST:$PMBD_PORT" ];
state_dir = "$TMP/pmbd/state";
users = ( { name = "$USER_NAME"; password = "$PASS"; privilege = "administrator"; } );
targets = (
  { address = 1; name = "node1"; driver = "sim"; },
  { address = 0x72; name = "node72"; driver = "sim"; listen = "$HOST:$TPORT"; }
);
CONF
"${SERVER_PIN[@]}" "$PMBD_BIN" -f -c "$TMP/pmbd/pmbd.conf" </dev/null >"$TMP/pmbd/log" 2>&1 &
SPID[pmbd]=$!

sed "s/^\([[:space:]]*addr\) 127\.0\.0\.1 9623/\1 $HOST $SIM_PORT/" \
	bench/ipmi_sim/lan.conf >"$TMP/sim/lan.conf"
"${SERVER_PIN[@]}" ipmi_sim -c "$TMP/sim/lan.conf" -f bench/ipmi_sim/sim.emu \
	-s "$TMP/sim/state" -n </dev/null >"$TMP/sim/log" 2>&1 &
SPID[sim]=$!

if ! { wait_ready pmbd "$TPORT" && wait_ready pmbd "$PMBD_PORT" -T 1; }; then
	ERRS+=("pmbd did not answer on $HOST:$TPORT / $HOST:$PMBD_PORT (bridged -T 1); log:")
	log_tail "$TMP/pmbd/log"
	stop_pid "${SPID[pmbd]}"; SPID[pmbd]=""
fi
if ! { wait_ready sim "$SIM_PORT" && wait_ready sim "$SIM_PORT" -T 0x20; }; then
	ERRS+=("ipmi_sim did not answer on $HOST:$SIM_PORT (bridged -T 0x20); log:")
	log_tail "$TMP/sim/log"
	stop_pid "${SPID[sim]}"; SPID[sim]=""
fi

# ------------------------------------------------------------------ runs --
# Alternate pmbd / ipmi_sim run by run.
measure pmbd.direct  "$TPORT"     req   3
measure sim.direct   "$SIM_PORT"  req   3
measure pmbd.bridged "$PMBD_PORT" req   3 -T 1
measure sim.bridged  "$SIM_PORT"  req   3 -T 0x20
measure pmbd.setup   "$PMBD_PORT" setup 3
measure sim.setup    "$SIM_PORT"  setup 3

# Memory after the identical suite-3 workload, idle.
sleep 1
for s in pmbd sim; do
	if server_alive "$s"; then
		R[$s.rss]=$(status_kib "${SPID[$s]}" VmRSS)
		R[$s.hwm]=$(status_kib "${SPID[$s]}" VmHWM)
	fi
done

# pmbd only: cipher suite 17 (ipmi_sim has no SHA-256 suites).
measure pmbd.direct17 "$TPORT"     req   17
measure pmbd.setup17  "$PMBD_PORT" setup 17
server_alive pmbd && R[pmbd.hwm17]=$(status_kib "${SPID[pmbd]}" VmHWM)

for s in pmbd sim; do
	if [ -n "${SPID[$s]}" ] && ! server_alive "$s"; then
		ERRS+=("$s (pid ${SPID[$s]}) exited during the benchmark; log:")
		log_tail "$TMP/$s/log"
	fi
	stop_pid "${SPID[$s]}"
	SPID[$s]=""
done

# --------------------------------------------------------------- report --
# row LABEL PMBD SIM BETTER(higher|lower|-)
row() {
	awk -v l="$1" -v a="$2" -v b="$3" -v w="$4" 'BEGIN {
		r = "n/a"
		if (a != "" && b != "" && b + 0 != 0) r = sprintf("%.2f", a / b)
		if (a == "") a = "-"
		if (b == "") b = "-"
		printf "%-38s %12s %12s %10s  %s\n", l, a, b, r, w
	}'
}

report() {
	echo "pmbd benchmark: pmbd vs OpenIPMI ipmi_sim, same client (build/ipmiload)"
	echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "host:        $(uname -srm), $NCPU CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
	echo "pmbd:        ${PMBD_VERSION:-unknown}, git $GITREV"
	echo "ipmi_sim:    $(ipmi_sim --version 2>&1 | grep -m 1 -i version), $(dpkg-query -W -f='openipmi ${Version}' openipmi 2>/dev/null)"
	echo "per run:     ${SECS}s, one request in flight, $HOST (loopback), cipher suite 3 unless noted"
	echo "pinning:     $PINNING"
	echo "loadavg:     $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end (other work on the machine skews the rates)"
	echo "CPU clock:   CLK_TCK=$CLK_TCK (utime+stime resolution $(awk -v h="$CLK_TCK" 'BEGIN { printf "%g", 1000 / h }') ms)"
	[ "$PERF" = 1 ] || echo "perf:        instructions counter unavailable, instructions/request skipped"
	echo
	printf "%-38s %12s %12s %10s  %s\n" "metric" "pmbd" "ipmi_sim" "pmbd/sim" "better"
	printf "%-38s %12s %12s %10s  %s\n" "------" "----" "--------" "--------" "------"
	row "req direct        [req/s]"        "${R[pmbd.direct.rate]:-}"  "${R[sim.direct.rate]:-}"  "higher"
	row "req bridged       [req/s]"        "${R[pmbd.bridged.rate]:-}" "${R[sim.bridged.rate]:-}" "higher"
	row "session setup     [setups/s]"     "${R[pmbd.setup.rate]:-}"   "${R[sim.setup.rate]:-}"   "higher"
	row "server CPU, direct  [us/req]"     "${R[pmbd.direct.cpu_us]:-}"  "${R[sim.direct.cpu_us]:-}"  "lower"
	row "server CPU, bridged [us/req]"     "${R[pmbd.bridged.cpu_us]:-}" "${R[sim.bridged.cpu_us]:-}" "lower"
	row "server CPU, setup   [us/setup]"   "${R[pmbd.setup.cpu_us]:-}"   "${R[sim.setup.cpu_us]:-}"   "lower"
	if [ "$PERF" = 1 ]; then
		row "server instr, direct  [/req]"  "${R[pmbd.direct.instr]:-}"  "${R[sim.direct.instr]:-}"  "lower"
		row "server instr, bridged [/req]"  "${R[pmbd.bridged.instr]:-}" "${R[sim.bridged.instr]:-}" "lower"
		row "server instr, setup   [/setup]" "${R[pmbd.setup.instr]:-}"  "${R[sim.setup.instr]:-}"   "lower"
	fi
	row "VmRSS idle after runs [KiB]"      "${R[pmbd.rss]:-}" "${R[sim.rss]:-}" "lower"
	row "VmHWM peak            [KiB]"      "${R[pmbd.hwm]:-}" "${R[sim.hwm]:-}" "lower"
	row "suite 17: req direct  [req/s]"    "${R[pmbd.direct17.rate]:-}"   "" "higher"
	row "suite 17: setup       [setups/s]" "${R[pmbd.setup17.rate]:-}"    "" "higher"
	row "suite 17: server CPU  [us/req]"   "${R[pmbd.direct17.cpu_us]:-}" "" "lower"
	row "suite 17: server CPU  [us/setup]" "${R[pmbd.setup17.cpu_us]:-}"  "" "lower"
	if [ "$PERF" = 1 ]; then
		row "suite 17: instr, direct [/req]" "${R[pmbd.direct17.instr]:-}" "" "lower"
		row "suite 17: instr, setup [/setup]" "${R[pmbd.setup17.instr]:-}" "" "lower"
	fi
	row "suite 17: VmHWM after 17 runs [KiB]" "${R[pmbd.hwm17]:-}" "" "lower"
	echo
	echo "ratio = pmbd/ipmi_sim: above 1 is better for pmbd on 'higher' rows, below 1 on 'lower' rows."
	echo "ipmi_sim has no cipher suite 17 (no SHA-256): those rows have no peer (n/a)."
	echo "direct: pmbd per-target port $TPORT, ipmi_sim $SIM_PORT; bridged: pmbd -T 1 on $PMBD_PORT, ipmi_sim -T 0x20;"
	echo "setup: pmbd main port $PMBD_PORT.  Memory: after the suite-3 runs, 1 s idle."
	echo
	echo "raw ipmiload output:"
	local l
	for l in "${RAW[@]}"; do echo "  $l"; done
	echo
	if [ ${#ERRS[@]} -eq 0 ]; then
		echo "errors: none"
	else
		echo "ERRORS:"
		for l in "${ERRS[@]}"; do echo "  $l"; done
	fi
}

mkdir -p "$(dirname "$OUT")"
report | tee "$OUT"
echo "(written to $OUT)" >&2
[ ${#ERRS[@]} -eq 0 ]
