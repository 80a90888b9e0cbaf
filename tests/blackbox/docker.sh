#!/bin/bash
# Dockerfile: a check of the Dockerfile's steps, NOT a docker build (there
# is no Docker engine here).  It parses the Dockerfile (FROM, RUN, COPY,
# WORKDIR, ENV, USER, VOLUME, HEALTHCHECK, ENTRYPOINT) and checks:
#  - every stage is based on Debian 12 slim (debian:12-slim / bookworm-slim);
#  - every package apt-get installs exists in Debian 12 (apt-cache);
#  - the build stage has the -dev package of every pkg-config module the
#    Makefile links (PKGS), found with dpkg -S on the .pc files;
#  - the build stage's non-apt RUN lines (make build/pmbd) succeed in a
#    clean copy of the repository (git archive HEAD, .dockerignore applied)
#    in its WORKDIR, and produce the file the runtime stage copies;
#  - every shared library `ldd` finds in that binary comes from a package
#    the runtime stage installs, or its dependencies, or the base image's
#    required packages (dpkg -S, apt-cache depends);
#  - the runtime stage runs as a non-root USER, setcaps the binary, has
#    /etc/pmbd and /var/lib/pmbd as volumes, ENTRYPOINT pmbd -f;
#  - the HEALTHCHECK command is a pmbd option that works: `pmbd --ping`
#    against a pmbd on loopback exits 0, against a closed port 1.
# Host packages stand in for the image's: the replay proves the commands
# and the file list, not the image's apt-get.
. "$(dirname "$0")/lib.sh"

DF=$TOP/Dockerfile
summary() { echo "$PASS_OK passed, $FAIL_N failed"; [ "$FAIL_N" -eq 0 ]; }

# Parse: one line per instruction, "STAGE<TAB>INSTR<TAB>ARGS", line
# continuations joined, comments dropped.
/usr/bin/python3 - "$DF" > "$T/df" <<'PY' || { not_ok "Dockerfile parses"; summary; exit 1; }
import sys
lines, cur = [], ""
for raw in open(sys.argv[1]):
    s = raw.rstrip("\n")
    if not cur and s.lstrip().startswith("#"):
        continue
    if s.endswith("\\"):
        cur += s[:-1] + " "
        continue
    cur += s
    if cur.strip():
        lines.append(cur.strip())
    cur = ""
stage = -1
for l in lines:
    instr, _, args = l.partition(" ")
    instr = instr.upper()
    if instr == "FROM":
        stage += 1
    if stage < 0 and instr != "ARG":
        sys.exit("instruction before FROM: " + l)
    print(f"{stage}\t{instr}\t{' '.join(args.split())}")
PY
ok "Dockerfile parses ($(grep -c . "$T/df") instructions)"

field() { awk -F'\t' -v s="$1" -v i="$2" '$1 == s && $2 == i { print $3 }' "$T/df"; }
nstages=$(awk -F'\t' '$2 == "FROM"' "$T/df" | wc -l)
last=$((nstages - 1))
if [ "$nstages" -ge 2 ]; then ok "multi-stage ($nstages stages)"; else not_ok "multi-stage ($nstages stages)"; fi

# Base images.
for s in $(seq 0 $last); do
	img=$(field "$s" FROM | awk '{print $1}')
	case ${img%%@*} in
	debian:12-slim|debian:bookworm-slim|docker.io/library/debian:12-slim|docker.io/library/debian:bookworm-slim)
		ok "stage $s is FROM $img" ;;
	*) not_ok "stage $s is FROM $img (want debian:12-slim / bookworm-slim)" ;;
	esac
done
build_stage=$(awk -F'\t' '$2 == "FROM" && $3 ~ / [Aa][Ss] build$/ { print $1 }' "$T/df" | head -1)
build_stage=${build_stage:-0}

# apt packages per stage: the words after "apt-get install" up to && or ;.
apt_pkgs() {
	field "$1" RUN | grep -o 'apt-get install[^&;|]*' | sed 's/apt-get install//' |
		tr ' ' '\n' | grep -v '^-' | grep -v '^$' || true
}
if ! apt-cache policy gcc 2>/dev/null | grep -q 'Candidate: [0-9]'; then
	not_ok "apt package lists are there (run apt-get update)"
fi
grep -q 'VERSION_CODENAME=bookworm' /etc/os-release ||
	echo "# warning: this host is not Debian 12; package checks use its apt sources"
for s in $(seq 0 $last); do
	for p in $(apt_pkgs "$s"); do
		if apt-cache show "$p" 2>/dev/null | grep -q '^Package: '; then
			ok "stage $s: apt package $p exists ($(apt-cache policy "$p" | sed -n 's/ *Candidate: //p'))"
		else
			not_ok "stage $s: apt package $p exists in Debian 12"
		fi
	done
done

# The build stage has the -dev package of every module the Makefile links.
BUILD_PKGS=" $(apt_pkgs "$build_stage" | tr '\n' ' ') "
mods=$(git -C "$TOP" show HEAD:Makefile | sed -n 's/^PKGS[[:space:]]*=[[:space:]]*//p')
for m in $mods; do
	pc=$(pkg-config --variable=pcfiledir "$m" 2>/dev/null)/$m.pc
	dev=$(dpkg -S "$pc" 2>/dev/null | head -1 | cut -d: -f1)
	if [ -n "$dev" ] && [[ $BUILD_PKGS == *" $dev "* ]]; then
		ok "build stage installs $dev (pkg-config $m)"
	else
		not_ok "build stage installs the -dev package of pkg-config $m (${dev:-not found on this host})"
	fi
done

# Replay the build stage in a clean tree.
SRC=$T/ctx
mkdir -p "$SRC"
(cd "$TOP" && git archive HEAD) | tar -x -C "$SRC"
if [ -f "$TOP/.dockerignore" ]; then
	while read -r pat; do
		case $pat in ''|'#'*) continue ;; esac
		(cd "$SRC" && rm -rf -- ${pat%/})
	done < "$TOP/.dockerignore"
fi
wd=$(field "$build_stage" WORKDIR | tail -1)
wd=${wd:-/}
rel=$(field "$build_stage" COPY | head -1)
if [ "$rel" = ". ." ]; then ok "build stage copies the context into WORKDIR $wd"; else not_ok "build stage COPY is '. .' (got '$rel')"; fi
replayed=0
while IFS= read -r cmd; do
	case $cmd in *apt-get*) continue ;; esac
	echo "# replay in $wd (clean tree of HEAD): $cmd"
	if out=$(cd "$SRC" && bash -ec "$cmd" 2>&1); then
		ok "build stage RUN $cmd"
	else
		not_ok "build stage RUN $cmd"
		printf '%s\n' "$out" | tail -8 | sed 's/^/  /'
	fi
	replayed=$((replayed + 1))
done < <(field "$build_stage" RUN)
[ $replayed -gt 0 ] || not_ok "the build stage has a build RUN line"

# The runtime stage copies what the build produced.
from=$(field "$last" COPY | grep -- '--from=build' | awk '{print $2}' | head -1)
to=$(field "$last" COPY | grep -- '--from=build' | awk '{print $3}' | head -1)
BIN=$SRC/${from#"$wd"/}
if [ -n "$from" ] && [ -x "$BIN" ]; then
	ok "COPY --from=build $from exists after the replay"
else
	not_ok "COPY --from=build ${from:-?} exists after the replay"
fi
[ "$to" = /usr/sbin/pmbd ] && ok "installed as /usr/sbin/pmbd" || not_ok "installed as /usr/sbin/pmbd (got ${to:-?})"

# Shared libraries: each from a runtime package, its dependencies or the
# base image (Priority: required, Essential).
RT_PKGS=$(apt_pkgs "$last" | grep -v '^libcap2-bin$')
closure=" $(apt-cache depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances $RT_PKGS 2>/dev/null |
	grep -v '^ ' | grep -v '^<' | sort -u | tr '\n' ' ') "
if [ -x "$BIN" ]; then
	nlib=0
	USED=" "
	while read -r so path; do
		[ -n "$path" ] || continue
		nlib=$((nlib + 1))
		real=$(readlink -f "$path")
		pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$real" 2>/dev/null)
		pkg=$(printf '%s\n' "$pkg" | head -1 | cut -d: -f1)
		if [ -z "$pkg" ]; then
			not_ok "$so: no Debian package owns $path"
			continue
		fi
		USED="$USED$pkg "
		pri=$(apt-cache show "$pkg" 2>/dev/null | sed -n 's/^Priority: //p' | head -1)
		ess=$(apt-cache show "$pkg" 2>/dev/null | sed -n 's/^Essential: //p' | head -1)
		if [[ " $(echo $RT_PKGS) " == *" $pkg "* ]]; then
			ok "$so <- $pkg (runtime stage)"
		elif [[ $closure == *" $pkg "* ]]; then
			ok "$so <- $pkg (dependency of the runtime packages)"
		elif [ "$pri" = required ] || [ "$ess" = yes ]; then
			ok "$so <- $pkg (in the base image: Priority $pri)"
		else
			not_ok "$so <- $pkg: not installed by the runtime stage"
		fi
	done < <(ldd "$BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
	[ $nlib -gt 0 ] || not_ok "ldd lists the binary's libraries"
	# ...and every runtime library package is needed by something
	# (a note, not a failure: libsystemd0 comes before the code using it).
	for p in $RT_PKGS; do
		[[ $USED == *" $p "* ]] || echo "# note: runtime package $p provides nothing ldd lists"
	done
fi

# Runtime stage: user, capability, volumes, entrypoint.
user=$(field "$last" USER | tail -1)
case $user in
''|root|0|0:*|root:*) not_ok "runtime stage runs as a non-root USER (got '${user:-root}')" ;;
*) ok "runtime stage runs as USER $user" ;;
esac
field "$last" RUN | grep -q "useradd.*$user" && ok "user $user is created" || not_ok "user $user is created"
field "$last" RUN | grep -q 'setcap cap_net_bind_service=+ep /usr/sbin/pmbd' &&
	ok "setcap cap_net_bind_service on /usr/sbin/pmbd" || not_ok "setcap cap_net_bind_service on /usr/sbin/pmbd"
vol=$(field "$last" VOLUME)
for v in /etc/pmbd /var/lib/pmbd; do
	[[ $vol == *"$v"* ]] && ok "VOLUME $v" || not_ok "VOLUME $v"
done
ep=$(field "$last" ENTRYPOINT)
[[ $ep == '["/usr/sbin/pmbd", "-f"'* ]] && ok "ENTRYPOINT $ep" || not_ok "ENTRYPOINT pmbd -f (got $ep)"
cmd=$(field "$last" CMD)
echo "# CMD $cmd"

# HEALTHCHECK: a pmbd option that answers.
hc=$(field "$last" HEALTHCHECK)
hcj=$(printf '%s\n' "$hc" | sed -n 's/.*CMD \(\[.*\]\)$/\1/p')
if [ -z "$hcj" ]; then
	not_ok "HEALTHCHECK CMD [...] is there (got '$hc')"
else
	mapfile -t hcargv < <(/usr/bin/python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "$hcj")
	if [ "${hcargv[0]}" = /usr/sbin/pmbd ] && [ "${hcargv[1]}" = --ping ]; then
		ok "HEALTHCHECK runs ${hcargv[*]}"
	else
		not_ok "HEALTHCHECK runs /usr/sbin/pmbd --ping (got ${hcargv[*]})"
	fi
	if [ -x "$BIN" ]; then
		# Its address is the default configuration's listen port.
		grep -q '"0.0.0.0:623"' "$TOP/etc/pmbd.conf" &&
			[ "${hcargv[2]}" = 127.0.0.1:623 ] &&
			ok "HEALTHCHECK pings the port of etc/pmbd.conf" ||
			not_ok "HEALTHCHECK pings the port of etc/pmbd.conf"
		PMBD=$BIN
		write_conf
		start_pmbd
		closed=$(free_port)
		"$BIN" "${hcargv[1]}" "127.0.0.1:$PORT" >"$T/ping.out" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then ok "pmbd --ping 127.0.0.1:$PORT exits 0 (pmbd answers)"; else not_ok "pmbd --ping against a running pmbd exits 0 (got $rc: $(head -2 "$T/ping.out" | tr '\n' ' '))"; fi
		start=$(date +%s%N)
		"$BIN" "${hcargv[1]}" "127.0.0.1:$closed" >"$T/ping.out" 2>&1
		rc=$?
		ms=$((($(date +%s%N) - start) / 1000000))
		if [ $rc -eq 1 ] && [ $ms -lt 4000 ]; then ok "pmbd --ping a closed port exits 1 (${ms} ms)"; else not_ok "pmbd --ping a silent port exits 1 within ~2 s (got $rc after ${ms} ms)"; fi
		stop_pmbd
	fi
fi

summary
