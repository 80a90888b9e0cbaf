#!/bin/bash
# mkuf2 (the UF2 writer the firmware build uses offline) against UF2 files
# picotool 2.2.0 wrote for the same ELF (tests/uf2/README), and its refusals.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
M=$TOP/build/mkuf2
U=$TOP/tests/uf2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

for board in rp2040:rp2040 rp2350:rp2350; do
	fam=${board%%:*} want=$U/${board##*:}.uf2
	if "$M" -f "$fam" "$U/fixture.elf" "$T/$fam.uf2" >/dev/null && cmp -s "$T/$fam.uf2" "$want"; then
		ok "$fam: byte for byte what picotool 2.2.0 writes ($(($(stat -c %s "$want") / 512)) blocks)"
	else
		not_ok "$fam: differs from picotool's $want"
		cmp "$T/$fam.uf2" "$want" | head -3
	fi
done
# The families and the E10 block, read back from our own output.
fam_of() { od -An -tx4 -j28 -N4 "$1" | tr -d ' '; }
[ "$(fam_of "$T/rp2040.uf2")" = e48bff56 ] && ok "RP2040 family e48bff56" || not_ok "RP2040 family"
[ "$(fam_of "$T/rp2350.uf2")" = e48bff57 ] && [ "$(od -An -tx4 -j540 -N4 "$T/rp2350.uf2" | tr -d ' ')" = e48bff59 ] &&
	ok "RP2350: absolute block (e48bff57) first, then ARM secure e48bff59" || not_ok "RP2350 families"
"$M" -f rp2350 -n "$U/fixture.elf" "$T/n.uf2" >/dev/null
[ $(($(stat -c %s "$T/n.uf2"))) -eq $(($(stat -c %s "$U/rp2350.uf2") - 512)) ] && ok "-n leaves the E10 block out" || not_ok "-n"

# Refusals: not an ELF, a truncated one, a missing file; no output left.
printf 'not an elf at all, not at all........................................' > "$T/bad"
head -c 100 "$U/fixture.elf" > "$T/short"
for f in bad short missing; do
	if "$M" "$T/$f" "$T/out-$f.uf2" 2>/dev/null; then not_ok "$f input accepted"
	elif [ -e "$T/out-$f.uf2" ]; then not_ok "$f input left an output file"
	else ok "$f input refused"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
