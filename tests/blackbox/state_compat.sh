#!/bin/bash
# State files from an earlier pmbd (tests/state/v3, written before the
# machine model) load unchanged: boot override, SOL parameters, GUID.
. "$(dirname "$0")/lib.sh"
mkdir -p "$STATE"
cp "$TOP"/tests/state/v3/*.state "$STATE/"
write_conf
start_pmbd
I="ipmitool -I lanplus -H 127.0.0.1 -p $PORT -U admin -P $PW"
expect "boot override kept: PXE, persistent, EFI" "Boot parameter data: e004000000" $I -t 1 chassis bootparam get 5
expect "the GUID kept" "804b980b-ea33-44b9-89f3-72860f5162fe" $I -t 1 mc guid
expect "SOL retry count kept" "Retry Count +: 5" $I -t 0x72 sol info
expect "SOL privilege kept" "Privilege Level +: ADMINISTRATOR" $I -t 0x72 sol info
expect "and the file is as it was" "^$(sha256sum "$TOP/tests/state/v3/target-001.state" | cut -c1-64)" sha256sum "$STATE/target-001.state"
finish
