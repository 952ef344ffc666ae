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
