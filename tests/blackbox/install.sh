#!/bin/bash
# make install / make uninstall into a DESTDIR: the file list, modes, the
# configuration kept on a second install, the units' paths, the man pages
# (rendered without a warning, and naming every option and config key the
# source knows), the sysusers entry, and the installed binary running.
. "$(dirname "$0")/lib.sh"

D=$T/dest
MK="make --no-print-directory -C $TOP"

check_cmd() {	# check_cmd NAME COMMAND...: exit 0 wanted
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name"
		printf '%s\n' "$out" | tail -5 | sed 's/^/  /'
	fi
}

check_cmd "make install DESTDIR=... PREFIX=/usr" $MK install DESTDIR="$D" PREFIX=/usr

want="etc/pmbd/pmbd.conf
lib/systemd/system/pmbd.service
lib/systemd/system/pmbd.socket
usr/lib/sysusers.d/pmbd.conf
usr/sbin/pmbd
usr/share/man/man5/pmbd.conf.5
usr/share/man/man8/pmbd.8"
got=$(cd "$D" && find . -type f | sed 's#^\./##' | LC_ALL=C sort)
if [ "$got" = "$want" ]; then
	ok "installed files"
else
	not_ok "installed files"
	diff <(echo "$want") <(echo "$got") | sed 's/^/  /'
fi
expect_exact "pmbd.conf is 0640 (it holds passwords)" 640 stat -c %a "$D/etc/pmbd/pmbd.conf"
expect_exact "pmbd is 0755" 755 stat -c %a "$D/usr/sbin/pmbd"
expect "installed pmbd --version runs" '^pmbd [0-9]' "$D/usr/sbin/pmbd" --version
expect "installed pmbd checks the installed pmbd.conf" 'configuration OK' \
	"$D/usr/sbin/pmbd" -n -c "$D/etc/pmbd/pmbd.conf"

# The units' Exec paths point at the installed binary.
for u in pmbd.service pmbd.socket; do
	[ -f "$D/lib/systemd/system/$u" ] || not_ok "$u installed"
done
bad=0
for p in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$D/lib/systemd/system/pmbd.service"); do
	case $p in
	/bin/kill) [ -x "$p" ] || { bad=1; echo "  $p missing"; } ;;
	*) [ -x "$D$p" ] || { bad=1; echo "  $p is not under DESTDIR"; } ;;
	esac
done
grep -q '^ExecStart=/usr/sbin/pmbd -f -c /etc/pmbd/pmbd.conf$' "$D/lib/systemd/system/pmbd.service" || bad=1
if [ $bad = 0 ]; then ok "ExecStart/ExecStartPre name the installed binary"; else not_ok "ExecStart/ExecStartPre name the installed binary"; fi

# verify the installed units, the Documentation= man pages included
# (found through MANPATH in DESTDIR), the binary path rebased on DESTDIR.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/v"
	for u in pmbd.service pmbd.socket; do
		sed "s#/usr/sbin/pmbd#$D/usr/sbin/pmbd#g" "$D/lib/systemd/system/$u" > "$T/v/$u"
	done
	out=$(cd "$T/v" && MANPATH="$D/usr/share/man" systemd-analyze verify ./pmbd.service ./pmbd.socket 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		ok "installed units verify, man pages found"
	else
		not_ok "installed units verify, man pages found"
		printf '%s\n' "$out" | sed 's/^/  /'
	fi
	r=$T/sysroot
	mkdir -p "$r/etc"
	printf 'root:x:0:0::/root:/bin/sh\n' > "$r/etc/passwd"
	printf 'root:x:0:\ndialout:x:20:\n' > "$r/etc/group"
	systemd-sysusers --root="$r" "$D/usr/lib/sysusers.d/pmbd.conf" >/dev/null 2>&1
	if grep -q '^pmbd:x:[0-9]*:[0-9]*:.*:/usr/sbin/nologin$' "$r/etc/passwd" &&
	    grep -q '^dialout:x:20:pmbd$' "$r/etc/group"; then
		ok "sysusers.d entry creates user pmbd in group dialout"
	else
		not_ok "sysusers.d entry creates user pmbd in group dialout"
	fi
fi

# Man pages: render without warnings.
for m in man8/pmbd.8 man5/pmbd.conf.5; do
	f=$D/usr/share/man/$m
	out=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
	if [ -z "$out" ]; then ok "groff -ww renders $m cleanly"; else not_ok "groff -ww renders $m cleanly"; printf '%s\n' "$out" | sed 's/^/  /'; fi
	if command -v man >/dev/null; then
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		if [ -z "$out" ]; then ok "man -l renders $m cleanly"; else not_ok "man -l renders $m cleanly"; printf '%s\n' "$out" | sed 's/^/  /'; fi
	fi
	if command -v mandoc >/dev/null; then
		check_cmd "mandoc -T lint $m" mandoc -T lint -W warning "$f"
	fi
done
# ...and can fail: a page with an unknown macro.
printf '.TH X 1\n.SH NAME\nx\n.XY bogus\n' > "$T/bad.1"
if [ -n "$(groff -man -Tutf8 -ww -z "$T/bad.1" 2>&1)" ]; then ok "groff -ww flags a broken page"; else not_ok "groff -ww flags a broken page"; fi

# Every config key the parser and the drivers accept is in pmbd.conf(5),
# every option of main.c in pmbd(8).
conf5=$(groff -man -Tutf8 "$D/usr/share/man/man5/pmbd.conf.5" 2>/dev/null | col -b)
man8=$(groff -man -Tutf8 "$D/usr/share/man/man8/pmbd.8" 2>/dev/null | col -b)
keys=$(cat "$TOP"/src/conf.c "$TOP"/targets/*.c | grep -o 'strcmp(\(k\|key\), "[a-z_]*")' |
	sed 's/.*"\(.*\)")/\1/' | sort -u)
missing=
for k in $keys listen node_listen state_dir users targets address name driver console; do
	printf '%s\n' "$conf5" | grep -qw -- "$k" || missing="$missing $k"
done
if [ -z "$missing" ]; then ok "pmbd.conf(5) names every key ($(echo $keys | wc -w) from the source)"; else not_ok "pmbd.conf(5) lacks:$missing"; fi
for k in mac wol_address interface secureon probe probe_interval probe_timeout \
    on off cycle reset diag soft status status_exit timeout status_interval; do
	printf '%s\n' "$conf5" | grep -qw -- "$k" || missing="$missing $k"
done
if [ -z "$missing" ]; then ok "pmbd.conf(5) documents the wol and exec options"; else not_ok "pmbd.conf(5) lacks:$missing"; fi
opts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$TOP/src/main.c" | tr -d ':' | sed 's/./-& /g')
lopts=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",.*/--\1/p' "$TOP/src/main.c")
missing=
for o in $opts $lopts -c -f -n -v --version --ping; do
	printf '%s\n' "$man8" | grep -q -- "$o\b" || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "pmbd(8) names every option ($(echo $opts $lopts))"; else not_ok "pmbd(8) lacks:$missing"; fi

# A second install keeps an edited pmbd.conf and adds the example.
echo "# edited" >> "$D/etc/pmbd/pmbd.conf"
sum=$(md5sum < "$D/etc/pmbd/pmbd.conf")
check_cmd "second make install" $MK install DESTDIR="$D" PREFIX=/usr
expect_exact "an existing pmbd.conf is kept" "$sum" md5sum < "$D/etc/pmbd/pmbd.conf"
if cmp -s "$TOP/etc/pmbd.conf" "$D/etc/pmbd/pmbd.conf.example"; then ok "the new one is pmbd.conf.example"; else not_ok "the new one is pmbd.conf.example"; fi

# PREFIX defaults to /usr/local, and the units follow it.
D2=$T/dest2
check_cmd "make install DESTDIR=... (default PREFIX)" $MK install DESTDIR="$D2"
if [ -x "$D2/usr/local/sbin/pmbd" ] &&
    grep -q '^ExecStart=/usr/local/sbin/pmbd -f -c /etc/pmbd/pmbd.conf$' "$D2/lib/systemd/system/pmbd.service" &&
    grep -q '^ExecStartPre=/usr/local/sbin/pmbd -n' "$D2/lib/systemd/system/pmbd.service" &&
    [ -f "$D2/usr/local/share/man/man8/pmbd.8" ]; then
	ok "PREFIX=/usr/local: binary, man page and ExecStart agree"
else
	not_ok "PREFIX=/usr/local: binary, man page and ExecStart agree"
fi

# make uninstall leaves only the configuration.
check_cmd "make uninstall" $MK uninstall DESTDIR="$D" PREFIX=/usr
got=$(cd "$D" && find . -type f | sed 's#^\./##' | LC_ALL=C sort)
if [ "$got" = "etc/pmbd/pmbd.conf" ]; then ok "uninstall leaves only pmbd.conf"; else not_ok "uninstall leaves only pmbd.conf"; printf '  %s\n' $got; fi

echo "$PASS_OK passed, $FAIL_N failed"
[ "$FAIL_N" -eq 0 ]
