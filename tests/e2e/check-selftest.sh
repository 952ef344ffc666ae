#!/bin/sh
# check-selftest.sh — check.py must fail when the guest's results stray from the emulated disk.
# console-ahci.txt is the console of a passing AHCI boot (the kernel log left out); each case
# below changes one fact in it and expects check.py to notice. Runs without QEMU.
. "$(dirname "$0")/../cli/lib.sh"
: "${SOURCE_ROOT:?}"
E=$SOURCE_ROOT/tests/e2e
command -v python3 >/dev/null 2>&1 || {
	echo "SKIP: python3 not found"
	exit 77
}

# judge WANT FILE: check.py on FILE exits WANT
judge() {
	python3 "$E/check.py" --machine ahci --model "WEARGATE E2E AHCI DISK" --serial WG-AHCI-00017 \
		--firmware E2E1.0.3 "$2" >"$T/out" 2>&1
	got=$?
	[ "$got" -eq "$1" ] || {
		cat "$T/out" >&2
		fail "check.py exited $got on $2, expected $1"
	}
}

judge 0 "$E/console-ahci.txt"

# mutate NAME SED-SCRIPT: the console with one fact changed must fail, and say which
mutate() {
	sed "$2" "$E/console-ahci.txt" >"$T/$1.txt"
	cmp -s "$T/$1.txt" "$E/console-ahci.txt" && fail "mutation '$1' changed nothing: fix the test"
	judge 1 "$T/$1.txt"
	grep -q '^FAILED: ' "$T/out" || fail "check.py did not say what failed for '$1'"
}

mutate serial 's/"serial":"WG-AHCI-00017"/"serial":"WG-AHCI-0001"/'
mutate model 's/"model":"WEARGATE E2E AHCI DISK"/"model":"WEARGATE E2E AHCI"/'
# the fallback must have been needed and used on AHCI
mutate access '/^sda: read:/{s/read through linux-ide/read through auto/;}'
mutate sat16 's/^@@WG-END sample-sat16 69$/@@WG-END sample-sat16 0/'
mutate temperature 's/"id":190,\(.*\)"raw":522125343/"id":190,\1"raw":522125344/'
mutate poh 's/"power_on_hours":1,/"power_on_hours":2,/'
mutate pending 's/"pending_sectors":null/"pending_sectors":0/'
mutate attribute 's/{"id":12,[^}]*},//'
mutate gate 's/^@@WG-END gate-purge 0$/@@WG-END gate-purge 75/'
mutate hot 's/^@@WG-END gate-hot 75$/@@WG-END gate-hot 0/'
mutate woken '/^@@WG-BEGIN after-standby$/,/^@@WG-END/{s/^suspended$/active/;}'
mutate written 's/"sectors_written":[0-9]*/"sectors_written":8/'
# a SMART self-test that did not pass, or one QEMU would not offer that started
mutate selftest 's/^selftest: success: sda: short self-test passed$/selftest: failed: sda: short self-test failed: read failure/'
mutate selftest-result 's/"test":"short","result":"passed"/"test":"short","result":"aborted"/'
mutate conveyance 's/^@@WG-END selftest-conveyance 1$/@@WG-END selftest-conveyance 0/'
# shellcheck disable=SC2016 # a sed address, not an expansion
mutate died '/^@@WG-BEGIN gate-backup$/,$d'
exit 0
