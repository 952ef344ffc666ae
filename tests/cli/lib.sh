# lib.sh — what the shell tests share: a scratch directory, and checks that say what went wrong.
# Sourced by tests/cli/*.sh and tests/wg-blob.sh.

set -u
# weargate refuses a group-writable config: the files the tests write are 0644 whatever the caller's umask.
umask 022

T=$(mktemp -d "${TMPDIR:-/tmp}/wg-cli.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# A fixed clock: the output is the same every run.
WEARGATE_NOW=1795600000
export WEARGATE_NOW

# WEARGATE_VALGRIND=1: every weargate the test starts runs under valgrind, and a memory error or
# a leak makes it exit 99, which no test expects. valgrind's own words go to a log of each
# process, not to the stderr the tests read, and are shown when the test ends.
# WEARGATE_PLAIN is weargate itself, for building a long history quickly.
WEARGATE_PLAIN=${WEARGATE:-}
if [ -n "${WEARGATE_VALGRIND:-}" ] && [ -n "${WEARGATE:-}" ]; then
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "SKIP: WEARGATE_VALGRIND is set but valgrind is not installed"
		exit 77
	fi
	mkdir "$T/valgrind" && chmod 1777 "$T/valgrind" # some tests run weargate as nobody
	cat >"$T/weargate" <<EOF
#!/bin/sh
exec valgrind -q --log-file="$T/valgrind/%p.log" --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect "$WEARGATE" "\$@"
EOF
	chmod 755 "$T/weargate"
	WEARGATE=$T/weargate
	export WEARGATE
	valgrind_report() {
		for log in "$T"/valgrind/*.log; do
			[ -s "$log" ] && { echo "--- valgrind: $log"; cat "$log"; } >&2
		done
	}
	trap 'valgrind_report; rm -rf "$T"' EXIT
fi

# fake_ata_preload: what LD_PRELOAD must hold for tests/fake-ata.c ($FAKE_ATA) to stand in for
# drives under weargate. Built with AddressSanitizer, weargate needs the sanitizer's runtime
# first in the list (ASan refuses to start otherwise), so it goes before the fake.
fake_ata_preload() {
	asan=$(ldd "$WEARGATE_PLAIN" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*libasan\.so[^ ]*\) .*/\1/p' | head -n 1)
	printf '%s\n' "${asan:+$asan }${FAKE_ATA:?FAKE_ATA must name tests/fake-ata.c built as a library}"
}

# eventually CMD...: true once CMD succeeds, polling for up to 30 s (slow under valgrind), else false.
eventually() {
	i=0
	while [ "$i" -lt 300 ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# run CODE CMD...: run CMD, keep stdout in $T/out and stderr in $T/err, and expect exit CODE.
run() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		printf '%s\n' "--- stdout:" >&2
		cat "$T/out" >&2
		printf '%s\n' "--- stderr:" >&2
		cat "$T/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
}

# contains FILE TEXT: FILE has the fixed string TEXT.
contains() {
	grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 does not contain '$2'"; }
}

# json EXPR: evaluate a Python expression over the JSON in $T/out (as j) and fail when it is false.
json() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    print(json.dumps(j, indent=1)[:4000], file=sys.stderr)
    sys.exit(1)
' "$T/out" "$1" || fail "JSON check failed: $1"
}
